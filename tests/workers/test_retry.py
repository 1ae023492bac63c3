"""Ranking jobs under transient database failures: ``arq.Retry`` with a real worker.

The worker reaches PostgreSQL through a TCP forwarder owned by the test
(:mod:`tests.workers.forwarder`): closing it is the database host going away
(open connections dropped, new ones refused), opening it again is the database
coming back. The test itself talks to PostgreSQL directly. SQLite is a local file
that cannot become unreachable, so these tests run on PostgreSQL only.
"""

from __future__ import annotations

import html
from collections.abc import AsyncIterator

import asyncpg
import pytest
from arq.jobs import Job
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from matching.accounts.tables import Role
from matching.pairings import runs
from matching.pairings.tables import Proposal, RankingRun, RunStatus
from tests.factories import login, make_account, make_rankable_doctor, make_rankable_need
from tests.workers.forwarder import TcpForwarder
from tests.workers.processes import Workers, until
from workers.jobs import RunFailed
from workers.queue import ArqQueue, enqueue_ranking_run, ranking_run_job_id

pytestmark = pytest.mark.slow


@pytest.fixture
def postgres(db: str) -> str:
    if not db.startswith("postgres"):
        pytest.skip("SQLite is a local file: it is never unreachable")
    return db


@pytest.fixture
async def forwarder(postgres: str) -> AsyncIterator[TcpForwarder]:
    proxy = TcpForwarder.for_url(postgres)
    await proxy.open()
    try:
        yield proxy
    finally:
        await proxy.close()


async def _run(run_id: int) -> dict:
    return await runs.get_run(run_id)


async def _queued_run(places: int = 2) -> int:
    """Two doctors, one need with ``places`` places; a full run queued the way the
    coordinators' page queues it (with its job id)."""
    for _ in range(2):
        await make_rankable_doctor()
    await make_rankable_need(places=places)
    run_id = await runs.create_run("full")
    await runs.set_job_id(run_id, ranking_run_job_id(run_id))
    return run_id


async def _tries(redis: Redis, run_id: int) -> int:
    """How many times arq has started the run's job (its retry counter)."""
    return int(await redis.get(f"arq:retry:{ranking_run_job_id(run_id)}") or 0)


async def _as_coordinator(client: AsyncTestClient, path: str) -> str:
    if not client.cookies.get("session"):
        await login(client, await make_account(Role.COORDINATOR))
    response = await client.get(path)
    assert response.status_code == 200
    return response.text


async def test_database_unreachable_the_run_is_retried_then_completes_once(
    forwarder: TcpForwarder, arq_queue: ArqQueue, workers: Workers, redis: Redis, db: str
) -> None:
    run_id = await _queued_run()
    workers.env.update(DATABASE_URL=forwarder.url(db), RANKING_RETRY_BACKOFF_S="1")
    worker = workers.start()
    await workers.ready(worker, redis, timeout=30)

    await forwarder.close()  # the database goes away (the worker's pool is dropped)
    assert await enqueue_ranking_run(arq_queue, run_id)

    async def retried() -> bool:
        return await _tries(redis, run_id) >= 2

    await until(retried, 30, "a second try", worker)
    # Waiting, not failed: nothing could be written, nothing is lost.
    assert (await _run(run_id))["status"] == RunStatus.QUEUED

    await forwarder.open()  # the database is back

    async def done() -> bool:
        return (await _run(run_id))["status"] not in (RunStatus.QUEUED, RunStatus.RUNNING)

    await until(done, 30, "the run to finish", worker)
    output = workers.stop(worker)
    run = await _run(run_id)
    assert run["status"] == RunStatus.SUCCEEDED, output
    assert run["error"] == "" and "retrying" not in run["outcome"]
    assert "try 1 of 3 failed" in output and "retrying job in 1.00s" in output

    # Exactly once: one run, one set of proposals, one successful job.
    rows = await Proposal.select(Proposal.need, Proposal.doctor).where(Proposal.run == run_id)
    pairs = [(r["need"], r["doctor"]) for r in rows]
    assert len(pairs) == len(set(pairs)) == run["proposals_made"] == 2
    assert await RankingRun.count().run() == 1
    job = Job(ranking_run_job_id(run_id), arq_queue.pool, _queue_name=workers.queue)
    result = await job.result_info()
    assert result is not None and result.success and result.job_try >= 2
    assert result.result == {"run_id": run_id, "status": "succeeded", "proposals": 2}


async def test_database_down_for_every_try_the_run_is_marked_failed_once_it_is_back(
    forwarder: TcpForwarder,
    arq_queue: ArqQueue,
    workers: Workers,
    redis: Redis,
    db: str,
    client: AsyncTestClient,
) -> None:
    run_id = await _queued_run()
    workers.env.update(DATABASE_URL=forwarder.url(db), RANKING_RETRY_BACKOFF_S="0.5")
    worker = workers.start()
    await workers.ready(worker, redis, timeout=30)
    await forwarder.close()
    assert await enqueue_ranking_run(arq_queue, run_id)

    job = Job(ranking_run_job_id(run_id), arq_queue.pool, _queue_name=workers.queue)

    async def finished() -> bool:
        return await job.result_info() is not None

    await until(finished, 30, "the job to give up", worker)
    result = await job.result_info()
    assert result is not None and not result.success and result.job_try == 3
    assert isinstance(result.result, RunFailed)
    reason = str(result.result)
    assert reason.startswith("gave up after 3 tries: ")
    assert "Connect call failed" in reason or "refused" in reason.lower()
    # The database was down at the last try too: the run could not be told yet.
    assert (await _run(run_id))["status"] == RunStatus.QUEUED

    await forwarder.open()
    # What the cron does every five minutes (and at worker start), now.
    assert await arq_queue.enqueue("reconcile_runs")

    async def marked() -> bool:
        return (await _run(run_id))["status"] == RunStatus.FAILED

    await until(marked, 30, "the run to be marked failed", worker)
    run = await _run(run_id)
    assert run["error"] == reason and run["finished_at"] is not None
    assert await Proposal.count().run() == 0

    page = await _as_coordinator(client, f"/coordinator/runs/{run_id}")
    assert "This run failed and proposed nothing." in page
    assert "gave up after 3 tries" in page
    listing = await _as_coordinator(client, "/coordinator/runs")
    assert "Failed:" in listing and "gave up after 3 tries" in listing


async def test_connection_dropped_mid_run_the_coordinator_sees_it_will_be_tried_again(
    postgres: str,
    arq_queue: ArqQueue,
    workers: Workers,
    client: AsyncTestClient,
) -> None:
    """PostgreSQL ends the worker's connection in the middle of a statement (as on a
    server restart): the run goes back to ``queued`` with the reason, visible on the
    run page, and the next try finishes it."""
    for _ in range(2):
        await make_rankable_doctor()
    await make_rankable_need(places=2)
    run_id = await runs.create_run("full", None, {"pause_after_scoring_s": 3})
    await runs.set_job_id(run_id, ranking_run_job_id(run_id))
    workers.env.update(RANKING_RETRY_BACKOFF_S="4")  # straight to PostgreSQL
    worker = workers.start()
    assert await enqueue_ranking_run(arq_queue, run_id)

    async def scored() -> bool:
        return (await _run(run_id))["progress"] >= runs.PROGRESS_SCORING

    await until(scored, 30, "scoring", worker)
    # Hold the run's row so the worker's next statement waits; then end its connection.
    holder = await asyncpg.connect(postgres)
    try:
        lock = holder.transaction()
        await lock.start()
        await holder.execute("SELECT id FROM ranking_run WHERE id = $1 FOR UPDATE", run_id)
        waiting: list[int] = []

        async def blocked() -> bool:
            waiting[:] = [
                r["pid"]
                for r in await holder.fetch(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                )
            ]
            return bool(waiting)

        await until(blocked, 15, "the worker to wait for the row", worker)
        for pid in waiting:
            await holder.execute("SELECT pg_terminate_backend($1)", pid)
        await lock.rollback()
    finally:
        await holder.close()

    async def requeued() -> bool:
        run = await _run(run_id)
        return run["status"] == RunStatus.QUEUED and bool(run["error"])

    await until(requeued, 15, "the run to be queued again", worker)
    run = await _run(run_id)
    assert run["outcome"]["retrying"] == {"failed_try": 1, "tries": 3}
    assert "terminating connection due to administrator command" in run["error"]
    page = await _as_coordinator(client, f"/coordinator/runs/{run_id}")
    assert "Try 1 of 3 failed; the run will be tried again shortly." in page
    assert run["error"] in html.unescape(page)

    async def done() -> bool:
        return (await _run(run_id))["status"] == RunStatus.SUCCEEDED

    await until(done, 30, "the second try to finish", worker)
    job = Job(ranking_run_job_id(run_id), arq_queue.pool)

    async def result_kept() -> bool:
        # The run is marked succeeded inside the job; arq stores its result just after.
        return await job.result_info() is not None

    await until(result_kept, 15, "the job's result", worker)
    output = workers.stop(worker)
    run = await _run(run_id)
    assert run["error"] == "" and "retrying" not in run["outcome"], output
    rows = await Proposal.select(Proposal.need, Proposal.doctor).where(Proposal.run == run_id)
    pairs = [(r["need"], r["doctor"]) for r in rows]
    assert len(pairs) == len(set(pairs)) == run["proposals_made"] == 2
    result = await job.result_info()
    assert result is not None and result.success and result.job_try == 2
