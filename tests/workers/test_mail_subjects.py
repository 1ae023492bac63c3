"""A line break in a need title never loses mail (issue 13, item 6).

The title reached mail subjects, the mail library refused the header,
``deliver_outbox`` did not catch it, and the mails stayed ``sending`` forever.
Now subjects are single lines by construction (``render_mail`` and
``build_message``), and a mail that cannot be sent at all is marked failed
with the reason. Delivered through a real SMTP server (aiosmtpd).
"""

from __future__ import annotations

from datetime import date, timedelta

from matching.accounts.tables import Role
from matching.doctors.tables import DoctorProfile
from matching.facilities.tables import Need
from matching.mail.delivery import deliver_outbox
from matching.mail.outbox import queue_mail
from matching.mail.render import render_mail
from matching.mail.tables import MailStatus, OutboxMail
from matching.pairings import transitions
from matching.pairings.tables import Proposal
from matching.plain_text import single_line
from tests.factories import make_account, make_facility, make_head
from tests.smtp import FROM, Recorder

TITLE = "Neonatal mission\r\nBcc: everyone@example.org\n\tsecond line"


async def _insert(table: type, **values: object) -> int:
    rows = await table.insert(table(**values)).returning(table.id).run()
    return int(rows[0]["id"])


async def _approved_pairing_with_title(title: str) -> tuple[str, str]:
    """A need titled ``title`` (as stored before the edge refused line breaks), one of
    its proposals approved by a coordinator: the doctor and the head are mailed."""
    facility_id = await make_facility()
    head = await make_head(facility_id, language="ar")
    doctor = await make_account(Role.DOCTOR)
    profile_id = await _insert(
        DoctorProfile, user=doctor.id, country="DE", timezone="Europe/Berlin", offers_mission=True
    )
    starts = date.today() + timedelta(days=30)
    need_id = await _insert(
        Need,
        facility=facility_id,
        kind="mission",
        title=title,
        specialty="neonatology",
        status="open",
        starts_on=starts,
        ends_on=starts + timedelta(days=9),
    )
    proposal_id = await _insert(
        Proposal, need=need_id, doctor=profile_id, score=0.7, rank=1, state="proposed"
    )
    coordinator = await make_account(Role.COORDINATOR)
    await transitions.approve(proposal_id, coordinator, base_url="http://127.0.0.1:8000")
    return doctor.email, head.email


def test_single_line_collapses_every_control_character() -> None:
    assert single_line(TITLE) == "Neonatal mission Bcc: everyone@example.org second line"
    assert single_line(" a\x00b \n ") == "a b"
    subject = render_mail(
        "pairing_approved", "en", name="Lina", link="x", title=TITLE, facility="F"
    ).subject
    assert "\n" not in subject and "\r" not in subject and "\t" not in subject
    assert "Neonatal mission Bcc: everyone@example.org second line" in subject


async def test_a_title_with_line_breaks_reaches_the_smtp_server_on_one_line(
    db: str, smtp: tuple[str, Recorder]
) -> None:
    url, recorder = smtp
    doctor_email, head_email = await _approved_pairing_with_title(TITLE)

    report = await deliver_outbox(url, FROM)

    assert (report.sent, report.retrying, report.failed) == (2, 0, 0)
    assert sorted(m["To"] for m in recorder.messages) == sorted([doctor_email, head_email])
    for message in recorder.messages:
        assert "Neonatal mission Bcc: everyone@example.org second line" in message["Subject"]
        assert message["Bcc"] is None  # no header injected
    statuses = await OutboxMail.select(OutboxMail.status).run()
    assert {row["status"] for row in statuses} == {MailStatus.SENT}


async def test_a_subject_stored_with_line_breaks_is_sent_on_one_line(
    db: str, smtp: tuple[str, Recorder]
) -> None:
    """A row queued before subjects were collapsed (or by other code) still goes out."""
    url, recorder = smtp
    mail_id = await queue_mail(
        recipient="doctor@example.org", subject=TITLE, body_text="t", body_html="<p>t</p>"
    )
    report = await deliver_outbox(url, FROM)
    assert report.sent == 1
    (message,) = recorder.messages
    assert message["Subject"] == "Neonatal mission Bcc: everyone@example.org second line"
    row = await OutboxMail.select().where(OutboxMail.id == mail_id).first().run()
    assert row["status"] == MailStatus.SENT


async def test_a_mail_that_cannot_be_built_is_marked_failed_with_the_reason(
    db: str, smtp: tuple[str, Recorder]
) -> None:
    """One bad mail fails alone: the others of the batch are sent, nothing stays `sending`."""
    url, recorder = smtp
    bad = await queue_mail(
        recipient="doctor@example.org\r\nBcc: x@example.org",
        subject="Hello",
        body_text="t",
        body_html="<p>t</p>",
    )
    good = await queue_mail(
        recipient="head@example.org", subject="Hello", body_text="t", body_html="<p>t</p>"
    )

    report = await deliver_outbox(url, FROM)

    assert (report.sent, report.retrying, report.failed) == (1, 0, 1)
    assert [m["To"] for m in recorder.messages] == ["head@example.org"]
    rows = {r["id"]: r for r in await OutboxMail.select().run()}
    assert rows[good]["status"] == MailStatus.SENT
    assert rows[bad]["status"] == MailStatus.FAILED
    assert rows[bad]["attempts"] == 1
    assert "ValueError" in rows[bad]["last_error"] and "linefeed" in rows[bad]["last_error"]
    assert await OutboxMail.count().where(OutboxMail.status == MailStatus.SENDING).run() == 0
