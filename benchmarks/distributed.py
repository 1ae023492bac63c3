"""One full ranking run split into arq jobs, on 1 worker against 2 (issue 16, room to grow).

A throw-away PostgreSQL database (``BENCH_POSTGRES_URL``, default the test server) is
created, migrated and filled with the synthetic population of
:mod:`benchmarks.product_run` (by ``COPY``). Then, for each configuration, fresh
``arq workers.main.WorkerSettings`` processes are started on the real Redis
(``BENCH_REDIS_URL``, default database 15, a queue of its own), a full run is queued as
the web app queues it, and the wall time is taken from the queuing to the run's
``succeeded`` in the database: the whole product path (the snapshot of needs, each
worker loading every doctor from the database for its first block, scoring,
assignment per pool, explanations, the write). Configurations: the single-job path
(``SPLIT_RUN_MIN_NEEDS=0``) on 1 worker, the split run on 1 worker and on 2 workers.
Between two runs the previous run and its proposals are deleted, so each run ranks
exactly the same data; the split runs' proposals are compared with the single-job
run's (``same=True``: identical pairs, scores and ranks).

The workers' start-up (imports, pools) is before the clock; each worker's first block
loads the doctors cold (it is part of a run on fresh workers). On a shared machine
the wall times stretch with the other load; ``cores`` says how many there are: two
workers on one two-core machine share those cores (each scores with every core), so
the gain there is bounded; on two machines each has its own.

``--pin`` puts each worker on one core of its own (``taskset``), as one worker per
single-core machine: then 2 workers have twice the cores of 1.

``python -m benchmarks.distributed [--doctors N --needs M --block B] [--quick] [--pin]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import time
import uuid
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from benchmarks.product_run import BASE_URL, _admin, _migrate, populate

ROOT = Path(__file__).resolve().parents[1]
ARQ = ROOT / ".venv" / "bin" / "arq"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
SIZE = (20_000, 4_000, 500)  # doctors, needs, needs per block
QUICK_SIZE = (2_000, 400, 100)
CONFIGS = (("single-job", 1, False), ("split", 1, True), ("split", 2, True))
RUN_TIMEOUT_S = 1800


def _worker_env(url: str, queue: str, split: bool, block: int) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": REDIS_URL,
        "JOB_QUEUE_NAME": queue,
        "RANKING_JOB_TIMEOUT_S": str(RUN_TIMEOUT_S),
        "SPLIT_RUN_MIN_NEEDS": "1" if split else "0",
        "RANKING_BLOCK_NEEDS": str(block),
        "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}",
    }


async def _wait_ready(redis: object, queue: str, workers: list[subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + 120
    while not await redis.exists(f"{queue}:health-check"):  # type: ignore[attr-defined]
        if any(w.poll() is not None for w in workers) or time.monotonic() > deadline:
            raise RuntimeError("a worker did not start")
        await asyncio.sleep(0.1)


def _pinned(args: list[str], index: int, pin: bool) -> list[str]:
    """Worker ``index`` on core ``index`` alone (``taskset``) when ``pin``: one core per
    worker, as one worker per single-core machine would have."""
    cores = os.cpu_count() or 1
    return ["taskset", "-c", str(index % cores), *args] if pin else args


async def _one_config(
    url: str, workers_n: int, split: bool, block: int, pin: bool = False
) -> dict[str, object]:
    """Start the workers, queue a full run, time it to ``succeeded``; stop the workers."""
    from redis.asyncio import Redis

    from matching.db import json_object
    from matching.pairings.runs import create_run, get_run, set_job_id
    from matching.pairings.tables import Proposal, RankingRun
    from workers.queue import ArqQueue, enqueue_ranking_run, ranking_run_job_id

    queue = f"homs:bench:{uuid.uuid4().hex[:8]}"
    os.environ["JOB_QUEUE_NAME"] = queue  # job ids live inside the queue's name
    env = _worker_env(url, queue, split, block)
    redis = Redis.from_url(REDIS_URL)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for index in range(workers_n):
            procs.append(
                subprocess.Popen(
                    _pinned([str(ARQ), "workers.main.WorkerSettings"], index, pin),
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        await _wait_ready(redis, queue, procs)
        await asyncio.sleep(0.5)  # every worker polling (the health key is the first's)
        arq = await ArqQueue.connect(REDIS_URL)
        run_id = await create_run("full")
        await set_job_id(run_id, ranking_run_job_id(run_id))
        started = time.perf_counter()
        await enqueue_ranking_run(arq, run_id)
        deadline = time.monotonic() + RUN_TIMEOUT_S
        while True:
            run = await get_run(run_id)
            if run["status"] in ("succeeded", "overtaken", "failed"):
                break
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                raise RuntimeError(f"run {run_id} did not finish: {run['status']}")
            await asyncio.sleep(0.1)
        wall = time.perf_counter() - started
        await arq.close()
        rows = await Proposal.select(Proposal.need, Proposal.doctor, Proposal.score, Proposal.rank)
        pairs = sorted(
            (r["need"], r["doctor"], round(float(r["score"]), 12), r["rank"]) for r in rows
        )
        outcome = json_object(run["outcome"])
        await Proposal.delete().where(Proposal.run == run_id).run()
        await RankingRun.delete().where(RankingRun.id == run_id).run()
        return {
            "wall": wall,
            "status": run["status"],
            "proposals": run["proposals_made"],
            "pairs": pairs,
            "split": outcome.get("split", {}),
        }
    finally:
        for p in procs:
            p.kill()
            p.wait()
        keys = [k async for k in redis.scan_iter(match=f"*{queue}*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()


async def _measure(url: str, block: int, pin: bool) -> list[dict[str, object]]:
    from matching.db import make_engine, start_pool, use_engine

    engine = make_engine(url)
    use_engine(engine)
    await start_pool(engine, min_size=1, max_size=2)
    try:
        return [await _one_config(url, n, split, block, pin) for _, n, split in CONFIGS]
    finally:
        await engine.close_connection_pool()


def one_size(n_doctors: int, n_needs: int, block: int, pin: bool = False) -> list[str]:
    """Populate a fresh database, time each configuration, drop the database."""
    name = f"homs_bench_split_{uuid.uuid4().hex[:8]}"
    url = urlunsplit(urlsplit(BASE_URL)._replace(path=f"/{name}"))

    async def prepare() -> None:
        await _admin(f'CREATE DATABASE "{name}"')
        await _migrate(url)
        await populate(url, n_doctors, n_needs, date.today())

    try:
        asyncio.run(prepare())
        results = asyncio.run(_measure(url, block, pin))
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    label = (
        f"distributed.full_run (arq workers{', one core each' if pin else ''}, PostgreSQL,"
        f" Redis) doctors={n_doctors} needs={n_needs}"
    )
    reference = results[0]
    lines = []
    for (path, n, _), r in zip(CONFIGS, results, strict=True):
        split = r["split"]
        extra = ""
        if split:
            seconds = split.get("seconds", {})
            extra = (
                f" blocks={split.get('blocks')} block_needs={block}"
                f" workers_used={split.get('workers')}"
                f" block_s_sum={seconds.get('blocks', 0):.1f}"
                f" assign_s_sum={seconds.get('assign', 0):.1f}"
            )
        speed = float(reference["wall"]) / float(r["wall"])  # type: ignore[arg-type]
        lines.append(
            f"{label} path={path} workers={n} wall_s={float(r['wall']):.1f}"  # type: ignore[arg-type]
            f" vs_single_job={speed:.2f}x status={r['status']} proposals={r['proposals']}"
            f" same={r['pairs'] == reference['pairs']}{extra} cores={os.cpu_count()}"
        )
    one, two = float(results[1]["wall"]), float(results[2]["wall"])  # type: ignore[arg-type]
    lines.append(f"{label} split 2 workers vs 1: {one / two:.2f}x ({one:.1f} s -> {two:.1f} s)")
    return lines


def bench_distributed(quick: bool = False) -> list[str]:
    """The same full run on the single-job path, then split on 1 and on 2 workers."""
    d, n, b = QUICK_SIZE if quick else SIZE
    try:
        return one_size(d, n, b)
    except OSError as exc:
        return [f"distributed.full_run skipped: PostgreSQL or Redis unreachable ({exc})"]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.distributed")
    parser.add_argument("--doctors", type=int)
    parser.add_argument("--needs", type=int)
    parser.add_argument("--block", type=int, help="needs per scoring block")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--pin", action="store_true", help="each worker on one core (taskset)")
    args = parser.parse_args()
    d, n, b = QUICK_SIZE if args.quick else SIZE
    for line in one_size(args.doctors or d, args.needs or n, args.block or b, args.pin):
        print(line, flush=True)


if __name__ == "__main__":
    main()
