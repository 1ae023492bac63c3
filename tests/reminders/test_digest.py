"""Reminder digests: one mail per person per local day whatever the number of items,
each item once, every item also in the app; two workers at once send one digest."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from matching.accounts.tables import User
from matching.doctors.tables import Licence
from matching.mail.tables import Notification, OutboxMail
from matching.pairings.tables import Proposal
from matching.reminders.digest import send_digests
from matching.reminders.tables import ReminderDigest
from tests.factories import make_doctor, make_facility, make_need, make_proposal

BASE = "http://127.0.0.1:8000"
#: 09:00 in Berlin (the doctors' zone in the factories), 10:00 in Damascus.
MORNING = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


async def _doctor_with_two_items(now: datetime, language: str = "en") -> tuple[int, int]:
    """A doctor with an offer approved four days ago and a licence expiring in ten days;
    returns (user id, proposal id)."""
    account, doctor_id = await make_doctor(language=language)
    need = await make_need(await make_facility())
    proposal = await make_proposal(need, doctor_id, state="approved")
    await (
        Proposal.update({Proposal.decided_at: now - timedelta(days=4)})
        .where(Proposal.id == proposal)
        .run()
    )
    await Licence.insert(
        Licence(
            doctor=doctor_id,
            issuer_country="DE",
            authority="Ärztekammer Berlin",
            number="L-1",
            expires_on=now.date() + timedelta(days=10),
        )
    ).run()
    return account.id, proposal


async def _mails_to(user_id: int) -> list[dict]:
    email = (await User.select(User.email).where(User.id == user_id).first().run())["email"]
    return await OutboxMail.select().where(OutboxMail.recipient == email).run()


async def test_two_items_make_one_mail_and_two_notifications(db: str) -> None:
    user, proposal = await _doctor_with_two_items(MORNING)
    report = await send_digests(MORNING, BASE)
    assert (report.digests, report.items) == (1, 2)
    (mail,) = await _mails_to(user)
    assert mail["subject"] == "Your reminders for today (2)"
    assert "An offer waits for your answer since 4 days: Neonatal mission" in mail["body_text"]
    assert f"{BASE}/pairings/{proposal}" in mail["body_text"]
    assert "Your licence from Ärztekammer Berlin expires on 2026-12-07" in mail["body_text"]
    notes = await Notification.select().where(Notification.user == user).run()
    assert len(notes) == 2

    # Later the same day, and the next days: the same items are never sent again.
    for hours in (1, 5, 24, 48):
        again = await send_digests(MORNING + timedelta(hours=hours), BASE)
        assert again.digests == 0
    assert len(await _mails_to(user)) == 1
    assert await ReminderDigest.count().run() == 1


async def test_an_item_due_after_todays_digest_waits_for_tomorrow(db: str) -> None:
    user, _ = await _doctor_with_two_items(MORNING)
    await send_digests(MORNING, BASE)
    # A second offer becomes three days old in the afternoon.
    account_doctor = await Proposal.select(Proposal.doctor).first().run()
    need = await make_need(await make_facility(), title="Trauma mission")
    second = await make_proposal(need, account_doctor["doctor"], state="approved")
    afternoon = MORNING + timedelta(hours=6)
    await (
        Proposal.update({Proposal.decided_at: afternoon - timedelta(days=3)})
        .where(Proposal.id == second)
        .run()
    )
    assert (await send_digests(afternoon, BASE)).already_sent == 1
    assert len(await _mails_to(user)) == 1
    tomorrow = await send_digests(MORNING + timedelta(days=1), BASE)
    assert (tomorrow.digests, tomorrow.items) == (1, 1)
    mails = await _mails_to(user)
    assert len(mails) == 2 and "Trauma mission" in mails[-1]["body_text"]


async def test_the_digest_waits_for_the_persons_morning_and_speaks_their_language(
    db: str,
) -> None:
    user, _ = await _doctor_with_two_items(MORNING, language="ar")
    await User.update({User.timezone: "America/Los_Angeles"}).where(User.id == user).run()
    assert (await send_digests(MORNING, BASE)).digests == 0  # 00:00 in Los Angeles
    la_morning = datetime(2026, 11, 27, 8, tzinfo=ZoneInfo("America/Los_Angeles"))
    assert (await send_digests(la_morning, BASE)).digests == 1
    (mail,) = await _mails_to(user)
    assert mail["language"] == "ar"
    assert "Your" not in mail["subject"] and "(2)" in mail["subject"]
    assert "Ärztekammer Berlin" in mail["body_text"]


async def test_two_workers_at_once_send_one_digest(db: str) -> None:
    for round_ in range(20):
        now = MORNING + timedelta(days=round_)
        user, _ = await _doctor_with_two_items(now)
        reports = await asyncio.gather(send_digests(now, BASE), send_digests(now, BASE))
        # Everyone created by earlier rounds has nothing new; this round's doctor gets one.
        assert sum(r.digests for r in reports) == 1
        assert len(await _mails_to(user)) == 1
        assert await ReminderDigest.count().where(ReminderDigest.user == user).run() == 1


async def test_nothing_due_sends_nothing(db: str) -> None:
    _account, doctor_id = await make_doctor()
    need = await make_need(await make_facility())
    await make_proposal(need, doctor_id, state="approved")  # decided just now
    await Licence.insert(
        Licence(
            doctor=doctor_id,
            issuer_country="DE",
            authority="Ärztekammer",
            number="L-2",
            expires_on=date(2027, 6, 1),
        )
    ).run()
    report = await send_digests(datetime.now(UTC).replace(hour=9), BASE)
    assert report.digests == 0
    assert await OutboxMail.count().run() == 0
