"""A full ranking run split into several arq jobs (issue 16, "room to grow past one machine").

The split run writes exactly the proposals of the single-job run on the same data
(both engines); each step delivered twice changes nothing; a real worker killed
mid-block while a newer run finishes ends with exact counts (PostgreSQL).
"""

from __future__ import annotations

import dataclasses
import math
import signal
from collections import Counter
from typing import Any

import pytest
from redis.asyncio import Redis

from matching.db import json_object
from matching.demo import load_demo_data
from matching.pairings import runs
from matching.pairings.prepared_doctors import PreparedDoctors
from matching.pairings.run_writes import LIVE_STATES
from matching.pairings.tables import Proposal, RankingRun, RunStatus
from tests.factories import (
    make_population,
    make_proposal,
    make_rankable_doctor,
    make_rankable_need,
)
from tests.workers.processes import JOB_TIMEOUT_S, Workers, until
from workers import split_runs
from workers.jobs import run_ranking
from workers.queue import ArqQueue, enqueue_ranking_run, ranking_run_job_id
from workers.split_runs import (
    assign_ranking_pool,
    block_job_id,
    pool_job_id,
    score_ranking_block,
    write_job_id,
    write_split_run,
)

pytestmark = pytest.mark.slow  # started first: see tests/conftest.py

BLOCK_NEEDS = 3


async def _population() -> list[int]:
    """Every kind of need (the demo's missions, mentorships and trainings, with tight
    supply), groups of identical missions, a refused pair; returns the open need ids."""
    from tests.matching.test_team_runs import _team_need

    assert await load_demo_data()
    _, needs = await make_population(4, 2)
    for specialty in (
        "orthopaedics_trauma",
        "anaesthesia",
        "nursing_education",
        "nursing_education",
    ):
        await make_rankable_doctor(specialty=specialty)
    await _team_need()
    doctor = await make_rankable_doctor()
    await make_proposal(needs[0], doctor, state="rejected")
    from matching.pairings.loader import load_needs

    return [n.id for n in await load_needs(None)]


async def _written(run_id: int) -> tuple[list[tuple[Any, ...]], dict[str, Any]]:
    rows = await Proposal.select(
        Proposal.need, Proposal.doctor, Proposal.score, Proposal.rank, Proposal.explanation
    ).where(Proposal.run == run_id)
    run = await RankingRun.select().where(RankingRun.id == run_id).first().run()
    outcome = json_object(run["outcome"])
    proposals = sorted(
        (r["need"], r["doctor"], r["score"], r["rank"], json_object(r["explanation"])) for r in rows
    )
    kept = {k: outcome[k] for k in ("unfillable", "short", "total_score", "planned")}
    return proposals, kept


async def _forget_run(run_id: int) -> None:
    """Back to the data before the run (its proposals and row), so that the next run
    sees exactly the same population (fairness counts earlier runs)."""
    await Proposal.delete().where(Proposal.run == run_id).run()
    await RankingRun.delete().where(RankingRun.id == run_id).run()


@pytest.fixture
def fast_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo's accounts without a memory-hard hash each (nobody logs in here)."""
    from matching.accounts import services

    monkeypatch.setattr(services, "hash_password", lambda _password: services._DUMMY_HASH)


@pytest.fixture
def split_small(monkeypatch: pytest.MonkeyPatch) -> None:
    """Split every full run, in blocks of BLOCK_NEEDS needs (as the worker's settings)."""
    tuning = dataclasses.replace(
        split_runs.TUNING, split_run_min_needs=1, ranking_block_needs=BLOCK_NEEDS
    )
    monkeypatch.setattr(split_runs, "TUNING", tuning)


_DOCTORS: dict[str, PreparedDoctors] = {}


def _ctx(queue: ArqQueue, tries: int = 1) -> dict[str, Any]:
    """What arq gives a job (``redis``, ``job_try``) and what ``startup`` adds (one
    worker's prepared doctors, kept between its jobs)."""
    doctors = _DOCTORS.setdefault(queue.pool.default_queue_name, PreparedDoctors())
    return {"redis": queue.pool, "queue": queue, "job_try": tries, "doctors": doctors}


async def test_split_run_writes_the_single_job_runs_proposals_and_each_step_twice_is_harmless(
    db: str, arq_queue: ArqQueue, redis: Redis, split_small: None, fast_hashes: None
) -> None:
    """Every step called as arq would, each delivered twice: the start job queues each
    block once, a block or pool stored twice stores the same bytes and queues the next
    step once, the write twice writes once; the proposals (pairs, scores, ranks,
    explanations with runners-up) and the unfillable report are those of the
    single-job run on the same population."""
    need_ids = await _population()
    blocks = math.ceil(len(need_ids) / BLOCK_NEEDS)
    assert blocks >= 5

    run_id = await runs.create_run("full")
    ctx = _ctx(arq_queue)
    for _ in range(2):
        started = await run_ranking(ctx, run_id)
        assert started == {"run_id": run_id, "status": "split", "blocks": blocks}
    queued = await redis.zrange(arq_queue.pool.default_queue_name, 0, -1)
    assert sorted(q.decode() for q in queued) == sorted(
        block_job_id(run_id, i) for i in range(blocks)
    )
    assert (await runs.get_run(run_id))["status"] == RunStatus.RUNNING

    key = split_runs._key
    for i in range(blocks):
        first = await score_ranking_block(ctx, run_id, i)
        stored = await redis.get(key(run_id, "block", i))
        again = await score_ranking_block(_ctx(arq_queue, tries=2), run_id, i)
        assert first["status"] == again["status"] == "scored"
        assert await redis.get(key(run_id, "block", i)) == stored
        progress = (await runs.get_run(run_id))["progress"]
        assert progress == 10 + 50 * (i + 1) // blocks
    queued = {q.decode() for q in await redis.zrange(arq_queue.pool.default_queue_name, 0, -1)}
    assert {pool_job_id(run_id, p) for p in range(3)} <= queued
    assert len(queued) == blocks + 3

    for pool in range(3):
        await assign_ranking_pool(ctx, run_id, pool)
        stored = await redis.get(key(run_id, "pool", pool))
        await assign_ranking_pool(_ctx(arq_queue, tries=2), run_id, pool)
        assert await redis.get(key(run_id, "pool", pool)) == stored
    queued = {q.decode() for q in await redis.zrange(arq_queue.pool.default_queue_name, 0, -1)}
    assert write_job_id(run_id) in queued and len(queued) == blocks + 4
    assert (await runs.get_run(run_id))["progress"] == 80

    done = await write_split_run(ctx, run_id)
    assert done["status"] == "succeeded" and done["proposals"] > 0
    assert await write_split_run(_ctx(arq_queue, tries=2), run_id) == done
    assert not await redis.exists(key(run_id, "plan"), key(run_id, "block", 0))
    run = await runs.get_run(run_id)
    assert run["progress"] == 100 and run["proposals_made"] == done["proposals"]
    assert run["outcome"]["split"]["blocks"] == blocks
    split, split_outcome = await _written(run_id)
    assert len(split) == done["proposals"]
    assert any("team" in p[4] for p in split), "the team mission is proposed whole"

    await _forget_run(run_id)
    single_id = await runs.create_run("full")
    single = await runs.execute_run(single_id)
    assert single["status"] == RunStatus.SUCCEEDED and "split" not in single["outcome"]
    assert await _written(single_id) == (split, split_outcome)


async def test_a_small_run_or_the_in_process_queue_takes_the_single_job_path(
    db: str, arq_queue: ArqQueue, redis: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    await make_population(3, 2)
    tuning = dataclasses.replace(split_runs.TUNING, split_run_min_needs=4)
    monkeypatch.setattr(split_runs, "TUNING", tuning)
    run_id = await runs.create_run("full")
    result = await run_ranking(_ctx(arq_queue), run_id)
    assert result == {"run_id": run_id, "status": "succeeded", "proposals": 6}
    assert await redis.zcard(arq_queue.pool.default_queue_name) == 0
    monkeypatch.setattr(split_runs, "TUNING", dataclasses.replace(tuning, split_run_min_needs=1))
    other = await runs.create_run("full")
    result = await run_ranking({"job_try": 1}, other)  # no Redis: in-process
    assert result == {"run_id": other, "status": "succeeded", "proposals": 6}


async def test_without_any_doctor_the_run_reports_it_as_the_single_job_path_does(
    db: str, arq_queue: ArqQueue, redis: Redis, split_small: None
) -> None:
    need = await make_rankable_need()
    run_id = await runs.create_run("full")
    result = await run_ranking(_ctx(arq_queue), run_id)
    assert result == {"run_id": run_id, "status": "succeeded", "proposals": 0}
    assert await redis.zcard(arq_queue.pool.default_queue_name) == 0
    (report,) = (await runs.get_run(run_id))["outcome"]["unfillable"]
    assert report["need_id"] == need and report["reasons"] == ["no_doctors"]


async def test_real_workers_run_a_split_run_to_the_end(
    db: str, arq_queue: ArqQueue, workers: Workers
) -> None:
    """Two real arq workers on the real Redis share a split run's jobs; progress ends
    at 100 and every place of the population is proposed once."""
    _, needs = await make_population(8, 2)
    workers.env.update({"SPLIT_RUN_MIN_NEEDS": "1", "RANKING_BLOCK_NEEDS": "2"})
    run_id = await runs.create_run("full")
    await runs.set_job_id(run_id, ranking_run_job_id(run_id))
    assert await enqueue_ranking_run(arq_queue, run_id)
    first, second = workers.start(burst=True), workers.start(burst=True)
    output = await workers.wait(first, timeout=60) + await workers.wait(second, timeout=60)
    run = await runs.get_run(run_id)
    assert run["status"] == RunStatus.SUCCEEDED and run["progress"] == 100, output
    assert run["proposals_made"] == 16 and run["outcome"]["split"]["blocks"] == 4
    rows = await Proposal.select(Proposal.need).where(Proposal.run == run_id)
    assert Counter(r["need"] for r in rows) == dict.fromkeys(needs, 2)


async def test_worker_killed_mid_block_and_a_newer_run_finishes_first(
    db: str, arq_queue: ArqQueue, workers: Workers, redis: Redis
) -> None:
    """Run A's blocks are in progress on a worker killed with SIGKILL; run B is queued
    and finished by another worker; A's killed blocks run again once their
    in-progress keys expire, A is assigned and reaches the write, where B overtakes
    it: A writes nothing, B's 24 proposals are the only live ones, every need holds
    exactly its places, and A's stored steps are gone from Redis."""
    if not db.startswith("postgres"):
        pytest.skip("kill and re-delivery are proven on PostgreSQL (the production engine)")
    _, needs = await make_population(12, 2)
    workers.env.update({"SPLIT_RUN_MIN_NEEDS": "1", "RANKING_BLOCK_NEEDS": "3"})
    run_a = await runs.create_run("full", None, {"pause_after_scoring_s": 4})
    await runs.set_job_id(run_a, ranking_run_job_id(run_a))
    assert await enqueue_ranking_run(arq_queue, run_a)
    killed = workers.start()

    async def blocks_in_progress() -> bool:
        keys = [f"arq:in-progress:{block_job_id(run_a, i)}" for i in range(4)]
        return await redis.exists(*keys) == 4

    await until(blocks_in_progress, 40, "run A's four blocks to be in progress", killed)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    assert not await redis.exists(*[split_runs._key(run_a, "block", i) for i in range(4)])
    assert (await runs.get_run(run_a))["status"] == RunStatus.RUNNING

    run_b = await runs.create_run("full")
    await runs.set_job_id(run_b, ranking_run_job_id(run_b))
    assert await enqueue_ranking_run(arq_queue, run_b)
    other = workers.start(burst=True)
    output = await workers.wait(other, timeout=JOB_TIMEOUT_S + 10 + 60)

    a, b = await runs.get_run(run_a), await runs.get_run(run_b)
    assert b["status"] == RunStatus.SUCCEEDED and b["proposals_made"] == 24, output
    assert b["outcome"]["split"]["blocks"] == 4
    assert a["status"] == RunStatus.OVERTAKEN and a["outcome"]["overtaken_by"] == run_b, output
    assert a["finished_at"] > b["finished_at"], "A's blocks ran again after B finished"
    assert await Proposal.count().where(Proposal.run == run_a).run() == 0
    live = [
        (r["need"], r["doctor"])
        for r in await Proposal.select(Proposal.need, Proposal.doctor).where(
            Proposal.state.is_in(list(LIVE_STATES))
        )
    ]
    assert len(live) == len(set(live)) == 24
    assert Counter(need for need, _ in live) == dict.fromkeys(needs, 2)
    leftovers = [k async for k in redis.scan_iter(match=split_runs._key(run_a, "*"))]
    assert leftovers == []


def test_split_settings_are_read_and_a_bad_value_is_named() -> None:
    from matching.settings import ConfigError, load_worker_tuning

    default = load_worker_tuning({})
    assert (default.split_run_min_needs, default.ranking_block_needs) == (2000, 1000)
    tuned = load_worker_tuning({"SPLIT_RUN_MIN_NEEDS": "0", "RANKING_BLOCK_NEEDS": "250"})
    assert (tuned.split_run_min_needs, tuned.ranking_block_needs) == (0, 250)
    with pytest.raises(ConfigError, match=r"^RANKING_BLOCK_NEEDS: must be at least 1"):
        load_worker_tuning({"RANKING_BLOCK_NEEDS": "0"})
    with pytest.raises(ConfigError, match=r"^SPLIT_RUN_MIN_NEEDS: 'many' is not a whole"):
        load_worker_tuning({"SPLIT_RUN_MIN_NEEDS": "many"})
