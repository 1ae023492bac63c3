"""How the web app hands work to the job functions.

Production runs them on arq workers over Redis; the embedded default runs the
very same functions in-process as asyncio tasks. Both de-duplicate by job id:
queuing a job whose id is still pending or running does nothing.
"""

from __future__ import annotations

import asyncio
import logging
import os
from datetime import datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from arq import ArqRedis, create_pool
from arq.connections import RedisSettings
from arq.constants import in_progress_key_prefix

logger = logging.getLogger("workers.queue")

QUEUE_NAME = "homs:queue"
#: Environment variable naming the Redis queue (tests use their own).
QUEUE_NAME_ENV = "JOB_QUEUE_NAME"


def queue_name() -> str:
    """The Redis queue shared by the web app and ``arq workers.main.WorkerSettings``."""
    return os.environ.get(QUEUE_NAME_ENV, "").strip() or QUEUE_NAME


def job_id(kind: str) -> str:
    """A job id inside this queue's name: arq's job keys are global to the Redis
    database, so two deployments (or two test sessions) on one Redis, each with its own
    queue, never take each other's ``ranking-run:1`` for a duplicate."""
    return f"{queue_name()}:{kind}"


def ranking_run_job_id(run_id: int) -> str:
    return job_id(f"ranking-run:{run_id}")


def rank_need_job_id(need_id: int) -> str:
    return job_id(f"rank-need:{need_id}")


def rank_need_again_job_id(need_id: int) -> str:
    """The one follow-up of a need's quick ranking, queued by an edit saved while it runs."""
    return job_id(f"rank-need:{need_id}:again")


class JobQueue(Protocol):
    kind: str

    async def enqueue(
        self, function: str, *args: Any, job_id: str | None = None, defer_by: float | None = None
    ) -> bool:
        """Queue ``function(*args)``; False when a job with ``job_id`` is already queued."""
        ...

    async def health(self) -> str: ...

    async def close(self) -> None: ...


class InProcessQueue:
    """Runs job functions as tasks of this process (the embedded default)."""

    kind = "in-process"

    def __init__(self, context: dict[str, Any] | None = None) -> None:
        self.context: dict[str, Any] = {"queue": self, **(context or {})}
        self._pending: dict[str, asyncio.Task[Any]] = {}
        self._running: set[str] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._schedule: list[asyncio.Task[None]] = []

    def start_schedule(
        self,
        *,
        nightly_at: time = time(2, 0),
        zone: str = "Asia/Damascus",
        outbox_every_s: float = 60,
    ) -> None:
        """The worker's cron jobs, in-process: the nightly ranking run (and the case
        retention after it) and outbox delivery.

        Call once from the app's lifespan (the embedded default has no arq worker).
        """
        if self._schedule:
            return

        async def nightly() -> None:
            tz = ZoneInfo(zone)
            while True:
                now = datetime.now(tz)
                due = datetime.combine(now.date(), nightly_at, tz)
                if due <= now:
                    due = datetime.combine(now.date() + timedelta(days=1), nightly_at, tz)
                await asyncio.sleep((due - now).total_seconds())
                await self.enqueue("nightly_ranking", job_id=f"nightly:{due.date().isoformat()}")
                # Case discussions past their retention (the arq cron's 03:15 job).
                await self.enqueue(
                    "delete_expired_cases", job_id=f"case-retention:{due.date().isoformat()}"
                )

        async def outbox() -> None:
            while True:
                await asyncio.sleep(outbox_every_s)
                await self.enqueue("deliver_outbox", job_id=job_id("deliver-outbox"))

        self._schedule = [
            asyncio.create_task(nightly(), name="schedule:nightly_ranking"),
            asyncio.create_task(outbox(), name="schedule:deliver_outbox"),
        ]

    async def enqueue(
        self, function: str, *args: Any, job_id: str | None = None, defer_by: float | None = None
    ) -> bool:
        from workers.jobs import JOBS

        if function not in JOBS:
            raise KeyError(f"unknown job function: {function}")
        if job_id and job_id in self._pending and not self._pending[job_id].done():
            return False

        async def run() -> Any:
            if defer_by:
                await asyncio.sleep(defer_by)
            if job_id:
                self._running.add(job_id)
            try:
                return await JOBS[function]({**self.context, "job_id": job_id, "job_try": 1}, *args)
            except Exception:
                logger.exception("in-process job %s failed", function)
                raise
            finally:
                if job_id and self._pending.get(job_id) is asyncio.current_task():
                    del self._pending[job_id]
                    self._running.discard(job_id)

        task = asyncio.create_task(run(), name=f"job:{function}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        if job_id:
            self._pending[job_id] = task
        return True

    async def running(self, job_id: str) -> bool:
        """Is the job ``job_id`` executing now (not merely queued)?"""
        return job_id in self._running

    async def drain(self) -> None:
        """Wait until every queued job has finished (used by tests and shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def health(self) -> str:
        return "in-process"

    async def close(self) -> None:
        for task in self._schedule:
            task.cancel()
        await asyncio.gather(*self._schedule, return_exceptions=True)
        self._schedule = []
        await self.drain()


class ArqQueue:
    """Queues jobs on Redis for ``arq workers.main.WorkerSettings``."""

    kind = "redis"

    def __init__(self, pool: ArqRedis) -> None:
        self.pool = pool

    @classmethod
    async def connect(cls, redis_url: str) -> ArqQueue:
        settings = RedisSettings.from_dsn(redis_url)
        settings.conn_retries = 0
        return cls(await create_pool(settings, default_queue_name=queue_name()))

    async def enqueue(
        self, function: str, *args: Any, job_id: str | None = None, defer_by: float | None = None
    ) -> bool:
        job = await self.pool.enqueue_job(function, *args, _job_id=job_id, _defer_by=defer_by)
        # arq answers None while a job (or its result) with that id exists.
        return job is not None

    async def running(self, job_id: str) -> bool:
        """Is the job ``job_id`` executing now (not merely queued)?"""
        return bool(await self.pool.exists(in_progress_key_prefix + job_id))

    async def health(self) -> str:
        try:
            await asyncio.wait_for(self.pool.ping(), timeout=1.0)
        except Exception:
            return "unreachable"
        return "ok"

    async def close(self) -> None:
        await self.pool.aclose()


async def enqueue_ranking_run(queue: JobQueue, run_id: int) -> bool:
    """Queue ``run_ranking(run_id)``; the same run queued twice runs once."""
    return await queue.enqueue("run_ranking", run_id, job_id=ranking_run_job_id(run_id))


async def enqueue_need_ranking(queue: JobQueue, need_id: int) -> bool:
    """Quick ranking of a posted or changed need, at once (call on every save).

    Saves in a burst share one job: while ``rank-need:{id}`` is queued, queuing it
    again does nothing (it has not loaded the need yet). While it RUNS, it may have
    loaded the need before this save: the job compares the need after its run and
    ranks again if it changed, and this save also queues the one follow-up job
    ``rank-need:{id}:again`` (for a save landing as the job finishes). False when
    nothing new was queued.
    """
    first = rank_need_job_id(need_id)
    if await queue.enqueue("rank_need", need_id, job_id=first):
        return True
    running = getattr(queue, "running", None)
    if running is None or not await running(first):
        return False
    return await queue.enqueue("rank_need", need_id, job_id=rank_need_again_job_id(need_id))


async def enqueue_outbox_delivery(queue: JobQueue) -> bool:
    """Deliver the outbox soon (call after ``queue_mail``); at most one pending."""
    return await queue.enqueue("deliver_outbox", job_id=job_id("deliver-outbox"))
