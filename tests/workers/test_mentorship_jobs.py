"""The daily job that completes mentorships past their end date, through a real arq
worker on the real Redis (twice: the second delivery changes nothing)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from matching.audit.tables import AuditEvent
from matching.mentorship.tables import Mentorship
from tests.mentorship.helpers import confirmed_mentorship
from tests.workers.processes import Workers
from workers.queue import ArqQueue

pytestmark = pytest.mark.slow


async def test_job_completes_ended_mentorships_once(
    db: str, arq_queue: ArqQueue, workers: Workers
) -> None:
    ended = await confirmed_mentorship()  # 2026-03-02 .. 2026-05-01
    running = await confirmed_mentorship(
        starts_on=date.today() - timedelta(days=10), ends_on=date.today() + timedelta(days=30)
    )
    for _ in range(2):
        assert await arq_queue.enqueue("complete_mentorships")
        output = await workers.wait(workers.start(burst=True), timeout=60)
        statuses = {
            row["pairing"]: row["status"]
            for row in await Mentorship.select(Mentorship.pairing, Mentorship.status).run()
        }
        assert statuses == {
            ended["proposal"]: "completed",
            running["proposal"]: "active",
        }, output
    events = await AuditEvent.count().where(AuditEvent.action == "mentorship.completed")
    assert events == 1
