"""Outbox delivery through a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from matching.mail.delivery import MAX_ATTEMPTS, deliver_outbox
from matching.mail.outbox import queue_mail
from matching.mail.render import render_mail
from matching.mail.tables import MailStatus, OutboxMail
from tests.servers import free_port
from tests.smtp import FROM
from workers.jobs import deliver_outbox as deliver_job


async def _mail(language: str = "en", recipient: str = "doctor@example.org") -> int:
    return await queue_mail(
        recipient=recipient,
        subject="مرحبا" if language == "ar" else "Hello",
        body_text="نص الرسالة" if language == "ar" else "Plain body",
        body_html=f'<p dir="{"rtl" if language == "ar" else "ltr"}">HTML body</p>',
        language=language,
    )


async def _row(mail_id: int) -> dict:
    return await OutboxMail.select().where(OutboxMail.id == mail_id).first().run()


async def test_sends_multipart_in_the_right_language_once(db: str, smtp) -> None:
    url, recorder = smtp
    english = await _mail("en")
    arabic = await _mail("ar", "head@example.org")

    report = await deliver_outbox(url, FROM)
    assert (report.sent, report.retrying, report.failed) == (2, 0, 0)
    assert len(recorder.messages) == 2
    by_to = {m["To"]: m for m in recorder.messages}
    ar = by_to["head@example.org"]
    assert ar["Subject"] == "مرحبا"
    assert ar["Content-Language"] == "ar"
    assert ar.get_content_type() == "multipart/alternative"
    assert ar.get_body(("plain",)).get_content().strip() == "نص الرسالة"
    assert 'dir="rtl"' in ar.get_body(("html",)).get_content()
    assert by_to["doctor@example.org"]["Content-Language"] == "en"
    for mail_id in (english, arabic):
        row = await _row(mail_id)
        assert row["status"] == MailStatus.SENT and row["sent_at"] is not None

    # Delivered again (a second job): nothing is sent twice.
    again = await deliver_outbox(url, FROM)
    assert again.sent == 0 and len(recorder.messages) == 2


async def test_rendered_arabic_mail_arrives_in_arabic(db: str, smtp) -> None:
    url, recorder = smtp
    mail = render_mail(
        "password_reset", "ar", name="أحمد", link="http://127.0.0.1:8000/password/reset/x", hours=2
    )
    await queue_mail(
        recipient="head@example.org",
        subject=mail.subject,
        body_text=mail.body_text,
        body_html=mail.body_html,
        language="ar",
    )
    await deliver_outbox(url, FROM)
    (message,) = recorder.messages
    assert {p.get_content_type() for p in message.iter_parts()} == {"text/plain", "text/html"}
    assert message["Subject"] == mail.subject
    assert message["Content-Language"] == "ar"
    assert "أحمد" in message.get_body(("plain",)).get_content()
    assert 'dir="rtl"' in message.get_body(("html",)).get_content()


async def test_claimed_mail_is_never_sent_again(db: str, smtp) -> None:
    url, recorder = smtp
    mail_id = await _mail()
    # A worker died after claiming it: it stays 'sending', never re-sent on its own.
    await (
        OutboxMail.update({OutboxMail.status: MailStatus.SENDING})
        .where(OutboxMail.id == mail_id)
        .run()
    )
    assert (await deliver_outbox(url, FROM)).sent == 0
    assert recorder.messages == []


async def test_failing_server_backs_off_then_fails(db: str) -> None:
    closed = f"smtp://127.0.0.1:{free_port()}"
    mail_id = await _mail()
    now = datetime.now(UTC)

    report = await deliver_outbox(closed, FROM, now=now)
    assert report.retrying == 1
    row = await _row(mail_id)
    assert row["status"] == MailStatus.QUEUED and row["attempts"] == 1
    assert row["last_error"]
    first_wait = row["next_attempt_at"] - now
    assert timedelta(seconds=59) <= first_wait <= timedelta(seconds=61)

    # Not due yet: a job a few seconds later does not try again.
    assert (await deliver_outbox(closed, FROM, now=now + timedelta(seconds=5))).retrying == 0
    assert (await _row(mail_id))["attempts"] == 1

    waits = [first_wait]
    moment = now
    for attempt in range(2, MAX_ATTEMPTS + 1):
        moment = (await _row(mail_id))["next_attempt_at"]
        await deliver_outbox(closed, FROM, now=moment)
        row = await _row(mail_id)
        assert row["attempts"] == attempt
        if attempt < MAX_ATTEMPTS:
            waits.append(row["next_attempt_at"] - moment)
    assert [w.total_seconds() // 60 for w in waits] == [1, 2, 4, 8]
    assert row["status"] == MailStatus.FAILED


async def test_after_a_failure_the_next_attempt_sends_exactly_once(db: str, smtp) -> None:
    url, recorder = smtp
    mail_id = await _mail()
    now = datetime.now(UTC)
    await deliver_outbox(f"smtp://127.0.0.1:{free_port()}", FROM, now=now)
    report = await deliver_outbox(url, FROM, now=now + timedelta(minutes=2))
    assert report.sent == 1 and len(recorder.messages) == 1
    row = await _row(mail_id)
    assert row["status"] == MailStatus.SENT and row["attempts"] == 2


async def test_without_smtp_mail_stays_in_the_outbox(db: str, settings) -> None:
    mail_id = await _mail()
    result = await deliver_job({"settings": settings})
    assert result == {"sent": 0, "retrying": 0, "failed": 0}
    assert (await _row(mail_id))["status"] == MailStatus.QUEUED


async def test_job_uses_smtp_url_from_settings(db: str, settings, smtp) -> None:
    from dataclasses import replace

    url, recorder = smtp
    await _mail()
    result = await deliver_job({"settings": replace(settings, smtp_url=url)})
    assert result["sent"] == 1 and len(recorder.messages) == 1
