"""Where the tests find PostgreSQL and Redis, and databases made and dropped for them."""

from __future__ import annotations

import os
import uuid
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

TEST_POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
POSTGRES_START = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"


def _worker_index() -> int:
    """0 alone; N for pytest-xdist's worker ``gwN`` (each gets its own Redis database)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(worker.removeprefix("gw") or 0)


#: Redis database 15 for the first (or only) test process, 14 for the next, and so on:
#: parallel workers never share queues, rate limits or split-run blocks.
TEST_REDIS_URL = os.environ.get(
    "TEST_REDIS_URL", f"redis://127.0.0.1:6379/{15 - _worker_index() % 12}"
)


def with_database(url: str, name: str) -> str:
    """``url`` pointing at database ``name``."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


async def create_postgres_database() -> str:
    """A new, empty PostgreSQL database (skips, saying how to start PostgreSQL, when it is
    down); returns its URL."""
    name = f"homs_test_{uuid.uuid4().hex[:10]}"
    try:
        connection = await asyncpg.connect(TEST_POSTGRES_URL, timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.skip(
            f"PostgreSQL is not reachable at {TEST_POSTGRES_URL} ({exc}); "
            f"start it with: {POSTGRES_START}"
        )
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return with_database(TEST_POSTGRES_URL, name)


async def drop_postgres_database(url: str) -> None:
    name = urlsplit(url).path.strip("/")
    connection = await asyncpg.connect(TEST_POSTGRES_URL, timeout=5)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()
