"""The reminder digest job in a real arq worker on the real Redis: queued twice, one
mail per person, delivered through a real SMTP server with the outbox job."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from matching.accounts.tables import User
from matching.mail.tables import OutboxMail
from tests.reminders.test_digest import _doctor_with_two_items
from tests.workers.processes import Workers
from workers.queue import ArqQueue

pytestmark = pytest.mark.slow

#: Zones far enough apart that one of them is past 07:00 and before midnight at any hour.
ZONES = ("UTC", "Asia/Tokyo", "America/New_York", "Asia/Damascus", "Pacific/Auckland")


def _a_zone_in_its_day(now: datetime) -> str:
    return next(z for z in ZONES if 8 <= now.astimezone(ZoneInfo(z)).hour <= 22)


async def test_the_hourly_job_sends_one_digest_per_person(
    db: str, arq_queue: ArqQueue, workers: Workers
) -> None:
    now = datetime.now(UTC)
    user, _ = await _doctor_with_two_items(now - timedelta(minutes=1))
    await User.update({User.timezone: _a_zone_in_its_day(now)}).where(User.id == user).run()
    assert await arq_queue.enqueue("send_reminders")
    assert await arq_queue.enqueue("send_reminders")
    output = await workers.wait(workers.start(burst=True), timeout=60)
    assert "send_reminders" in output
    mails = await OutboxMail.select(OutboxMail.subject).run()
    assert [m["subject"] for m in mails] == ["Your reminders for today (2)"], output
