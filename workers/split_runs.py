"""A large full or scheduled ranking run as several arq jobs (issue 16, room to grow).

``run_ranking`` / ``nightly_ranking`` on arq split a run with at least
``SPLIT_RUN_MIN_NEEDS`` open needs (default 2,000; 0 never splits); smaller runs, the
stable and one-need runs, and the in-process queue take the single-job path:

* the run's own job (``ranking-run:{id}``) takes one snapshot of the open needs, the
  decided pairs and the learned model (:func:`matching.pairings.run_blocks.prepare_split`),
  stores it cut in blocks of ``RANKING_BLOCK_NEEDS`` needs (default 1,000) and queues
  one ``score_ranking_block`` job per block (``...:block:{i}``);
* each block job, on any worker, scores its needs against every doctor (the worker's
  prepared doctor arrays, kept between jobs), stores the top-K candidates per need,
  and the last block to finish queues one ``assign_ranking_pool`` job per capacity
  pool (``...:pool:{p}``: travel with team missions, mentorship, remote training);
* the last pool queues ``write_split_run`` (``...:write``), which writes as the
  single-job path does (:func:`matching.pairings.run_writes.write_plan`).

Where results are kept: Redis, next to the jobs, under ``{queue}:split:{run}:...``
with a one-day expiry, deleted once the run is written. Why Redis rather than a
table: they are intermediate (top-K arrays of a few MB per block, pickled as arq
pickles job arguments), read once by the next step and worthless after the write;
every worker already reaches Redis; and a table would put large blobs through the
database the run writes to. Losing Redis loses the queued jobs anyway; the run is
then marked failed by ``reconcile_runs`` or started again.

At least once: a step finds its result already stored and only repeats the fan-in
(``SADD`` of its index, ``SCARD``, queuing the next step by its fixed job id, which
arq de-duplicates), so a block or pool delivered twice changes nothing; a killed
worker's block runs again once its in-progress key expires (the largest job
timeout + 10 s) and recomputes the same result. A newer run that finished first
overtakes this one at the write, as today. Progress: 10 loading, 10 to 60 as blocks
finish, 80 assigned, 90 writing, 100. Retries: a transient failure of any step puts
the run back to ``queued`` with the reason and retries that step with the same
backoff as the single-job path; the last failure marks the run failed.
"""

from __future__ import annotations

import asyncio
import logging
import os
import pickle
import socket
import time
from collections.abc import Awaitable, Callable
from typing import Any

from arq import Retry

from workers.jobs import (
    RANKING_TRIES,
    TUNING,
    RunFailed,
    _doctors,
    job,
    retry_delay,
)
from workers.queue import job_id, ranking_run_job_id

logger = logging.getLogger("workers.split_runs")

#: Seconds a split run's stored steps live in Redis (deleted once the run is written).
SPLIT_TTL_S = 24 * 3600
POOL_COUNT = 3  # matching.ranking.assignment.POOLS


def _key(run_id: int, *parts: object) -> str:
    return job_id(f"split:{run_id}:" + ":".join(str(p) for p in parts))


def block_job_id(run_id: int, index: int) -> str:
    return f"{ranking_run_job_id(run_id)}:block:{index}"


def pool_job_id(run_id: int, pool: int) -> str:
    return f"{ranking_run_job_id(run_id)}:pool:{pool}"


def write_job_id(run_id: int) -> str:
    return f"{ranking_run_job_id(run_id)}:write"


async def _load(redis: Any, key: str) -> Any:
    raw = await redis.get(key)
    return None if raw is None else pickle.loads(raw)  # our own Redis, as arq's jobs


async def _store(redis: Any, key: str, value: Any) -> None:
    await redis.set(key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), ex=SPLIT_TTL_S)


async def _note(redis: Any, run_id: int, stage: str, seconds: float) -> None:
    """Add a step's seconds to the run's split figures, and who ran it."""
    stats = _key(run_id, "stats")
    await redis.hincrbyfloat(stats, stage, seconds)
    await redis.sadd(_key(run_id, "workers"), f"{socket.gethostname()}:{os.getpid()}")
    await redis.expire(stats, SPLIT_TTL_S)
    await redis.expire(_key(run_id, "workers"), SPLIT_TTL_S)


async def _best_effort(write: Awaitable[None], run_id: int) -> None:
    try:
        await asyncio.shield(write)
    except Exception as exc:
        logger.warning("could not record the state of run %s: %r", run_id, exc)


async def _guarded(ctx: dict[str, Any], run_id: int, step: Callable[[], Awaitable[Any]]) -> Any:
    """Run one step of split run ``run_id`` with the single-job path's retry rules."""
    from matching.db import is_transient_error
    from matching.errors import NotFound
    from matching.pairings.runs import fail_run, failure_reason, mark_retrying

    tries = int(ctx.get("job_try") or 1)
    try:
        return await step()
    except NotFound:
        raise
    except BaseException as exc:
        cancelled = isinstance(exc, asyncio.CancelledError)
        if not cancelled and tries < RANKING_TRIES and is_transient_error(exc):
            reason = failure_reason(exc)
            delay = retry_delay(tries)
            logger.warning(
                "run %s: try %s of %s failed; next in %.1f s (%s)",
                run_id,
                tries,
                RANKING_TRIES,
                delay,
                reason,
            )
            await _best_effort(mark_retrying(run_id, reason, tries, RANKING_TRIES), run_id)
            raise Retry(defer=delay) from exc
        reason = failure_reason(exc, tries)
        await _best_effort(fail_run(run_id, reason), run_id)
        if cancelled:
            raise
        raise RunFailed(reason) from exc


async def start_split(ctx: dict[str, Any], run_id: int) -> dict[str, Any] | None:
    """Split run ``run_id`` into block jobs; None when it takes the single-job path."""
    from matching.pairings.run_blocks import prepare_split
    from matching.pairings.runs import get_run

    if TUNING.split_run_min_needs <= 0 or "redis" not in ctx:
        return None
    redis = ctx["redis"]

    async def step() -> dict[str, Any] | None:
        started = time.perf_counter()
        plan = await _load(redis, _key(run_id, "plan"))
        if plan is None:  # first delivery (or the last one died before storing)
            prepared = await prepare_split(
                run_id, TUNING.ranking_block_needs, TUNING.split_run_min_needs
            )
            if prepared == "single":
                return None
            if prepared == "finished":
                run = await get_run(run_id)
                return {"run_id": run_id, "status": str(run["status"]), "proposals": 0}
            assert not isinstance(prepared, str)
            plan, blocks = prepared
            for block in blocks:
                await _store(redis, _key(run_id, "input", block.index), block)
            await _store(redis, _key(run_id, "plan"), plan)  # last: the inputs are there
            await _note(redis, run_id, "prepare", time.perf_counter() - started)
        for index in range(plan.blocks):
            await ctx["queue"].enqueue(
                "score_ranking_block", run_id, index, job_id=block_job_id(run_id, index)
            )
        logger.info("run %s: split into %s blocks of needs", run_id, plan.blocks)
        return {"run_id": run_id, "status": "split", "blocks": plan.blocks}

    return await _guarded(ctx, run_id, step)


@job
async def score_ranking_block(ctx: dict[str, Any], run_id: int, index: int) -> dict[str, Any]:
    """Score block ``index`` of split run ``run_id``; the last block queues the assignments."""
    from matching.pairings.run_blocks import (
        PROGRESS_BLOCKS_DONE,
        raise_progress,
        resume_running,
        score_block,
    )
    from matching.pairings.run_records import MAX_TEST_PAUSE_S, PROGRESS_LOADING

    run_id, index = int(run_id), int(index)
    redis = ctx["redis"]

    async def step() -> dict[str, Any]:
        if not await resume_running(run_id):
            return {"run_id": run_id, "block": index, "status": "skipped"}
        plan = await _load(redis, _key(run_id, "plan"))
        if plan is None:
            return {"run_id": run_id, "block": index, "status": "skipped"}
        result_key = _key(run_id, "block", index)
        if not await redis.exists(result_key):
            block = await _load(redis, _key(run_id, "input", index))
            async with _doctors(ctx).use(plan.today) as arrays:  # one job at a time
                started = time.perf_counter()  # scoring only (after the turn, the refresh)
                result = await asyncio.to_thread(score_block, plan, block, arrays)
            if plan.pause_s > 0:  # TEST ONLY: a window to kill the worker mid-block
                await asyncio.sleep(min(plan.pause_s, MAX_TEST_PAUSE_S))
            await _store(redis, result_key, result)
            await _note(redis, run_id, "blocks", time.perf_counter() - started)
        done_key = _key(run_id, "blocks-done")
        await redis.sadd(done_key, index)
        await redis.expire(done_key, SPLIT_TTL_S)
        done = int(await redis.scard(done_key))
        span = PROGRESS_BLOCKS_DONE - PROGRESS_LOADING
        await raise_progress(run_id, PROGRESS_LOADING + span * done // plan.blocks)
        if done >= plan.blocks:
            for pool in range(POOL_COUNT):
                await ctx["queue"].enqueue(
                    "assign_ranking_pool", run_id, pool, job_id=pool_job_id(run_id, pool)
                )
        return {"run_id": run_id, "block": index, "status": "scored", "done": done}

    return await _guarded(ctx, run_id, step)


@job
async def assign_ranking_pool(ctx: dict[str, Any], run_id: int, pool: int) -> dict[str, Any]:
    """The exact assignment of one capacity pool of split run ``run_id``, explained."""
    from matching.pairings.run_blocks import (
        PROGRESS_ASSIGNED,
        assign_pool,
        raise_progress,
        resume_running,
    )

    run_id, pool = int(run_id), int(pool)
    redis = ctx["redis"]

    async def step() -> dict[str, Any]:
        if not await resume_running(run_id):
            return {"run_id": run_id, "pool": pool, "status": "skipped"}
        plan = await _load(redis, _key(run_id, "plan"))
        if plan is None:
            return {"run_id": run_id, "pool": pool, "status": "skipped"}
        result_key = _key(run_id, "pool", pool)
        if not await redis.exists(result_key):
            blocks = [await _load(redis, _key(run_id, "block", i)) for i in range(plan.blocks)]
            inputs = [await _load(redis, _key(run_id, "input", i)) for i in range(plan.blocks)]
            if any(b is None for b in blocks) or any(b is None for b in inputs):
                raise RuntimeError("a scored block of this run is missing from Redis")
            async with _doctors(ctx).use(plan.today) as arrays:
                started = time.perf_counter()
                result = await asyncio.to_thread(assign_pool, plan, pool, blocks, inputs, arrays)
            await _store(redis, result_key, result)
            await _note(redis, run_id, "assign", time.perf_counter() - started)
        done_key = _key(run_id, "pools-done")
        await redis.sadd(done_key, pool)
        await redis.expire(done_key, SPLIT_TTL_S)
        if int(await redis.scard(done_key)) >= POOL_COUNT:
            await raise_progress(run_id, PROGRESS_ASSIGNED)
            await ctx["queue"].enqueue("write_split_run", run_id, job_id=write_job_id(run_id))
        return {"run_id": run_id, "pool": pool, "status": "assigned"}

    return await _guarded(ctx, run_id, step)


@job
async def write_split_run(ctx: dict[str, Any], run_id: int) -> dict[str, Any]:
    """Write split run ``run_id`` exactly as the single-job path writes a run."""
    from matching.pairings.run_blocks import raise_progress, resume_running, split_run_plan
    from matching.pairings.run_records import PROGRESS_WRITING, finish, get_run
    from matching.pairings.run_writes import write_plan
    from matching.pairings.tables import RunKind

    run_id = int(run_id)
    redis = ctx["redis"]

    async def step() -> dict[str, Any]:
        run = await get_run(run_id)
        plan = await _load(redis, _key(run_id, "plan"))
        if plan is not None and await resume_running(run_id):
            started = time.perf_counter()
            n = plan.blocks
            blocks = [await _load(redis, _key(run_id, "block", i)) for i in range(n)]
            inputs = [await _load(redis, _key(run_id, "input", i)) for i in range(n)]
            pools = [await _load(redis, _key(run_id, "pool", p)) for p in range(POOL_COUNT)]
            if any(x is None for x in [*blocks, *inputs, *pools]):
                raise RuntimeError("a step of this run is missing from Redis")
            run_plan = split_run_plan(plan, blocks, inputs, pools)
            stats = {
                k.decode(): round(float(v), 3)
                for k, v in (await redis.hgetall(_key(run_id, "stats"))).items()
            }
            stats["merge"] = round(time.perf_counter() - started, 3)
            run_plan.outcome["kind"] = plan.kind
            run_plan.outcome["learned"] = plan.learned
            run_plan.outcome["split"] = {
                "blocks": n,
                "block_needs": TUNING.ranking_block_needs,
                "workers": int(await redis.scard(_key(run_id, "workers"))),
                "seconds": stats,
            }
            await raise_progress(run_id, PROGRESS_WRITING)
            written = await write_plan(run_id, RunKind(plan.kind), None, run_plan)
            logger.info("run %s (split, %s blocks): %s", run_id, n, written)
        elif plan is None and run["status"] == "running":
            raise RuntimeError("this split run's stored steps are gone from Redis")
        run = await finish(run_id, None)
        if run["status"] in ("succeeded", "overtaken"):
            await _forget(redis, run_id, plan.blocks if plan is not None else 0)
        return {
            "run_id": run_id,
            "status": str(run["status"]),
            "proposals": int(run["proposals_made"] or 0),
        }

    return await _guarded(ctx, run_id, step)


async def _forget(redis: Any, run_id: int, blocks: int) -> None:
    """Delete a written run's stored steps (they also expire on their own)."""
    keys = [_key(run_id, name) for name in ("plan", "stats", "workers", "blocks-done")]
    keys += [_key(run_id, "pools-done")]
    keys += [_key(run_id, "input", i) for i in range(blocks)]
    keys += [_key(run_id, "block", i) for i in range(blocks)]
    keys += [_key(run_id, "pool", p) for p in range(POOL_COUNT)]
    await redis.delete(*keys)


__all__ = [
    "SPLIT_TTL_S",
    "assign_ranking_pool",
    "block_job_id",
    "pool_job_id",
    "score_ranking_block",
    "start_split",
    "write_job_id",
    "write_split_run",
]
