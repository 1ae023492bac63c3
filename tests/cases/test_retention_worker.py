"""Retention through a real arq worker: cases (and their image files) are deleted
CASE_RETENTION_MONTHS after their mentorship ends, exactly those, with one audit event
each and no clinical text in it; two runs at once and a third later change nothing more."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from redis.asyncio import Redis

from matching.audit.tables import AuditEvent
from matching.cases.retention import add_months, delete_expired_cases
from matching.cases.services import submit_case
from matching.cases.tables import CaseDiscussion, CaseImage
from matching.facilities.tables import Need
from matching.mentorship.tables import Mentorship
from matching.pairings.tables import Proposal
from tests.cases.scenes import draft, image, jpeg_with_gps, mentorship_scene
from tests.workers.processes import Workers
from workers.queue import ArqQueue

pytestmark = pytest.mark.slow  # started first: see tests/conftest.py

TODAY = datetime.now(UTC).date()


async def _case(uploads: Path, **mentorship: object) -> dict:
    """A mentorship with one case and one image; ``mentorship`` sets its row's dates
    (``need_ends_on`` the need's, ``no_row`` removes the mentorship row)."""
    world = await mentorship_scene()
    view = await submit_case(
        world["clinician"],
        world["proposal"],
        draft(images=[image(jpeg_with_gps())]),
        uploads_dir=uploads,
    )
    need_ends_on = mentorship.pop("need_ends_on", "keep")
    if need_ends_on != "keep":
        await Need.update({Need.ends_on: need_ends_on}).where(Need.id == world["need"]).run()
    if mentorship.pop("no_row", False):
        await Mentorship.delete().where(Mentorship.id == world["mentorship"]).run()
    elif mentorship:
        await (
            Mentorship.update({getattr(Mentorship, k): v for k, v in mentorship.items()})
            .where(Mentorship.id == world["mentorship"])
            .run()
        )
    path = (await CaseImage.select(CaseImage.path).where(CaseImage.case == view.id).first())["path"]
    return {"case": view.id, "file": uploads / path, "pairing": world["proposal"]}


def test_add_months_clamps_to_the_month_end() -> None:
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2025, 11, 15), 14) == date(2027, 1, 15)


async def test_retention_job_in_a_real_worker(
    db: str, tmp_path: Path, redis: Redis, arq_queue: ArqQueue, workers: Workers
) -> None:
    uploads = tmp_path / "uploads"
    long_ago = TODAY - timedelta(days=430)  # about 14 months
    expired = [
        # completed 14 months ago (its planned end is later: completion counts)
        await _case(
            uploads,
            completed_at=datetime.combine(long_ago, datetime.min.time(), UTC),
            ends_on=TODAY + timedelta(days=30),
            status="completed",
        ),
        # planned end 13 months ago
        await _case(uploads, ends_on=TODAY - timedelta(days=400)),
        # no mentorship row: the need's end, two years ago
        await _case(uploads, no_row=True, need_ends_on=TODAY - timedelta(days=730)),
    ]
    kept = [
        await _case(uploads, ends_on=TODAY - timedelta(days=330)),  # 11 months ago
        await _case(uploads, no_row=True, need_ends_on=None),  # no known end
        await _case(uploads, ends_on=TODAY + timedelta(days=60)),  # still running
    ]
    # a pairing cancelled 13 months ago ended then, whatever its planned dates
    cancelled = await _case(uploads, ends_on=TODAY + timedelta(days=60))
    await (
        Proposal.update(
            {
                Proposal.state: "cancelled",
                Proposal.decided_at: datetime.now(UTC) - timedelta(days=400),
            }
        )
        .where(Proposal.id == cancelled["pairing"])
        .run()
    )
    expired.append(cancelled)
    assert all(item["file"].is_file() for item in expired + kept)
    events_before = await AuditEvent.count().where(AuditEvent.action == "case.deleted").run()
    assert events_before == 0

    workers.env["UPLOADS_DIR"] = str(uploads)
    # Two runs at once (arq runs both jobs of the queue concurrently), then a third.
    assert await arq_queue.enqueue("delete_expired_cases")
    assert await arq_queue.enqueue("delete_expired_cases")
    worker = workers.start(burst=True)
    output = await workers.wait(worker, timeout=60)
    assert worker.returncode == 0, output
    assert "delete_expired_cases" in output

    remaining = {row["id"] for row in await CaseDiscussion.select(CaseDiscussion.id)}
    assert remaining == {item["case"] for item in kept}
    assert {row["case"] for row in await CaseImage.select(CaseImage.case)} == remaining
    assert not any(item["file"].exists() for item in expired)
    assert all(item["file"].is_file() for item in kept)
    events = (
        await AuditEvent.select()
        .where(AuditEvent.action == "case.deleted")
        .order_by(AuditEvent.subject_id)
        .run()
    )
    assert [e["subject_id"] for e in events] == sorted(item["case"] for item in expired)
    for event in events:
        text = json.dumps([event["before"], event["after"]], default=str)
        assert "retention_months" in text and "12" in text
        assert "CPAP" not in text and "grunting" not in text and "Newborn" not in text
        assert event["actor"] is None and event["actor_label"] == "system"

    # A third run later: nothing more to delete, nothing more recorded.
    assert await arq_queue.enqueue("delete_expired_cases")
    worker = workers.start(burst=True)
    await workers.wait(worker, timeout=60)
    assert {row["id"] for row in await CaseDiscussion.select(CaseDiscussion.id)} == remaining
    assert await AuditEvent.count().where(AuditEvent.action == "case.deleted").run() == len(expired)


async def test_retention_months_is_the_setting(db: str, tmp_path: Path) -> None:
    uploads = tmp_path / "uploads"
    item = await _case(uploads, ends_on=TODAY - timedelta(days=100))
    report = await delete_expired_cases(uploads_dir=uploads, months=4)
    assert report.deleted == 0 and await CaseDiscussion.count().run() == 1
    report = await delete_expired_cases(uploads_dir=uploads, months=3)
    assert (report.deleted, report.images_removed) == (1, 1)
    assert not item["file"].exists() and await CaseDiscussion.count().run() == 0


async def test_the_embedded_default_runs_the_same_job(db: str, tmp_path: Path) -> None:
    """Without arq (``make run``) the in-process queue runs the job after the nightly run."""
    from dataclasses import replace

    from matching.settings import load_settings
    from workers.queue import InProcessQueue

    uploads = tmp_path / "uploads"
    item = await _case(uploads, ends_on=TODAY - timedelta(days=400))
    queue = InProcessQueue({"settings": replace(load_settings(), uploads_dir=uploads)})
    assert await queue.enqueue("delete_expired_cases", job_id="case-retention:test")
    await queue.drain()
    await queue.close()
    assert await CaseDiscussion.count().run() == 0 and not item["file"].exists()
    assert await AuditEvent.count().where(AuditEvent.action == "case.deleted").run() == 1


def test_case_retention_months_setting() -> None:
    import pytest

    from matching.settings import ConfigError, load_settings

    assert load_settings({"SECRET_KEY": "k" * 40}).case_retention_months == 12
    assert load_settings({"CASE_RETENTION_MONTHS": "6"}).case_retention_months == 6
    for bad in ("0", "twelve", "-3"):
        with pytest.raises(ConfigError, match="CASE_RETENTION_MONTHS"):
            load_settings({"CASE_RETENTION_MONTHS": bad})
