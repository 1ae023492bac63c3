"""A need's quick ranking on a real arq worker (subprocess) and Redis: no fixed wait,
the doctors' arrays kept between jobs and refreshed after an edit, and an edit saved
while the job runs still ranked."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import asyncpg
import pytest

from matching.db import json_object
from matching.doctors.tables import DoctorLanguage
from matching.facilities.tables import Need
from matching.pairings.loader import load_decided_pairs, load_doctors, load_needs
from matching.pairings.run_plans import plan_one_need
from matching.pairings.run_writes import WRITE_LOCK_KEY
from matching.pairings.tables import Proposal, RankingRun, RunStatus
from matching.ranking import build_doctor_arrays
from matching.taxonomy import load_taxonomy
from tests.factories import TODAY, make_rankable_doctor, make_rankable_need
from tests.workers.processes import Workers, until
from workers.queue import ArqQueue, enqueue_need_ranking

pytestmark = pytest.mark.slow


async def _runs(need: int) -> list[dict[str, Any]]:
    return (
        await RankingRun.select()
        .where((RankingRun.need == need) & (RankingRun.kind == "one_need"))
        .order_by(RankingRun.id)
        .run()
    )


async def _finished(need: int, count: int) -> bool:
    runs = await _runs(need)
    return len(runs) >= count and all(
        r["status"] in (RunStatus.SUCCEEDED, RunStatus.OVERTAKEN) for r in runs
    )


async def _live(need: int) -> list[tuple[int, float, int]]:
    rows = (
        await Proposal.select(Proposal.doctor, Proposal.score, Proposal.rank)
        .where((Proposal.need == need) & (Proposal.state == "proposed"))
        .order_by(Proposal.rank)
        .run()
    )
    return [(int(r["doctor"]), round(float(r["score"]), 6), int(r["rank"])) for r in rows]


async def _cold(need_id: int) -> list[tuple[int, float, int]]:
    """What a cold worker proposes for the need now (the full run's loading path)."""
    arrays = build_doctor_arrays(await load_doctors(TODAY), load_taxonomy())
    (need,) = await load_needs([need_id])
    plan = plan_one_need(need, arrays, await load_decided_pairs([need_id]), 20, TODAY)
    return [(p.doctor_id, round(p.score, 6), p.rank) for p in plan.proposals]


async def test_second_job_after_an_edit_refreshes_the_kept_doctors(
    db: str, arq_queue: ArqQueue, workers: Workers, redis: Any
) -> None:
    best = await make_rankable_doctor(years=30)
    await make_rankable_doctor(years=10)
    await make_rankable_doctor(years=2)
    need = await make_rankable_need(places=2)
    worker = workers.start()
    await workers.ready(worker, redis, timeout=30)

    queued = time.monotonic()
    assert await enqueue_need_ranking(arq_queue, need) is True
    await until(lambda: _finished(need, 1), 30, "the first quick ranking", worker)
    first = (await _runs(need))[0]
    assert time.monotonic() - queued < 4, "no fixed wait before a need's quick ranking"
    assert json_object(first["outcome"])["prepared_doctors"]["how"] == "cold"
    assert (await _live(need))[0][0] == best

    # The best doctor no longer speaks the need's language.
    await (
        DoctorLanguage.delete()
        .where((DoctorLanguage.doctor == best) & (DoctorLanguage.code == "ar"))
        .run()
    )
    assert await enqueue_need_ranking(arq_queue, need) is True
    await until(lambda: _finished(need, 2), 30, "the second quick ranking", worker)
    second = (await _runs(need))[1]
    prepared = json_object(second["outcome"])["prepared_doctors"]
    assert prepared == {"how": "changed", "doctors": 3, "changed": 1}, workers.stop(worker)
    live = await _live(need)
    assert best not in [d for d, _, _ in live]
    assert live == await _cold(need)


async def test_edit_saved_while_the_job_runs_is_ranked(
    db: str, arq_queue: ArqQueue, workers: Workers, redis: Any
) -> None:
    if not db.startswith("postgres"):
        pytest.skip("holds the run writers' PostgreSQL advisory lock to pause the job")
    await make_rankable_doctor(specialty="emergency_medicine", years=20)
    surgeon = await make_rankable_doctor(specialty="general_surgery", years=5)
    need = await make_rankable_need(places=1)
    worker = workers.start()
    await workers.ready(worker, redis, timeout=30)
    blocker = await asyncpg.connect(db)
    try:
        # Every run write takes this lock first: the job waits there, mid-run.
        await blocker.execute("SELECT pg_advisory_lock($1)", WRITE_LOCK_KEY)
        assert await enqueue_need_ranking(arq_queue, need) is True

        async def writing() -> bool:
            runs = await _runs(need)
            return bool(runs) and runs[0]["progress"] >= 90

        await until(writing, 30, "the job to reach its write", worker)
        await Need.update({Need.specialty: "general_surgery"}).where(Need.id == need).run()
        # The job is running: the save queues the one follow-up job.
        assert await enqueue_need_ranking(arq_queue, need) is True
        assert await enqueue_need_ranking(arq_queue, need) is False
    finally:
        await blocker.execute("SELECT pg_advisory_unlock($1)", WRITE_LOCK_KEY)
        await blocker.close()

    async def settled() -> bool:
        live = await _live(need)
        return await _finished(need, 2) and bool(live) and live[0][0] == surgeon

    await until(settled, 30, "the edited need ranked again", worker)
    await asyncio.sleep(1)  # any further job would have started by now
    assert await _finished(need, 2)
    assert await _live(need) == await _cold(need)
