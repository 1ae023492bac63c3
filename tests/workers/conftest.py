"""Real arq workers (subprocesses) against the real Redis and the test database.

Each test uses its own queue name on Redis db 15 and deletes only its own keys.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
from redis.asyncio import Redis

from tests.services import TEST_REDIS_URL
from tests.workers.processes import Workers
from workers.queue import ArqQueue

#: Job ids live inside their queue's name (``workers.queue.job_id``); arq's cron job ids
#: (``cron:<name>:<time>``) do not, and are cleared too.
CRON_PREFIX = "cron:"


async def _delete_my_keys(redis: Redis, queue: str) -> None:
    keys = [queue, f"{queue}:health-check"]
    async for key in redis.scan_iter(match="arq:*"):
        name = key.decode()
        job_id = name.split(":", 2)[-1] if name.count(":") >= 2 else ""
        if job_id.startswith((f"{queue}:", CRON_PREFIX)):
            keys.append(name)
    await redis.delete(*keys)


@pytest.fixture
async def queue_name(redis: Redis) -> AsyncIterator[str]:
    name = f"homs:test:{uuid.uuid4().hex[:8]}"
    await _delete_my_keys(redis, name)
    try:
        yield name
    finally:
        await _delete_my_keys(redis, name)


@pytest.fixture
async def arq_queue(queue_name: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[ArqQueue]:
    monkeypatch.setenv("JOB_QUEUE_NAME", queue_name)
    queue = await ArqQueue.connect(TEST_REDIS_URL)
    try:
        yield queue
    finally:
        await queue.close()


@pytest.fixture
def workers(db: str, queue_name: str) -> Iterator[Workers]:
    w = Workers(db, queue_name)
    yield w
    w.stop_all()
