"""Rate limits hold against concurrent bursts (issue 13, item 2).

The attack sent 100 wrong passwords at once and all were checked against a
limit of 10 a minute: the limiter read the count and wrote it back in two
steps. Here bursts of 30 simultaneous requests go to two uvicorn processes
sharing Redis and PostgreSQL, and to one embedded-default process (SQLite, no
Redis): exactly ``limit`` requests are checked, every other one is a 429.
Each burst has its own client address (``X-Forwarded-For`` from a trusted
proxy), so its own count, and the bursts cycle through every limited route.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import TEST_REDIS_URL, _create_postgres_database, _drop_postgres_database
from tests.servers import ROOT, ServerGroup, csrf, form_headers

pytestmark = pytest.mark.slow

LIMIT = 5
BURST = 25
BURSTS_PER_ROUTE = 3


def _migrate(group: ServerGroup) -> None:
    subprocess.run(
        [sys.executable, "-m", "web", "migrate"],
        env=group.env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


@pytest.fixture(scope="module")
async def postgres_url() -> AsyncIterator[str]:
    url = await _create_postgres_database()
    try:
        yield url
    finally:
        await _drop_postgres_database(url)


@pytest.fixture(scope="module")
def redis_pair(postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    """Two server processes on one PostgreSQL database and the test Redis."""
    import redis

    try:
        redis.Redis.from_url(TEST_REDIS_URL).ping()
    except redis.ConnectionError as exc:
        pytest.skip(f"Redis is not reachable at {TEST_REDIS_URL} ({exc})")
    group = ServerGroup(
        tmp_path_factory.mktemp("redis-pair"),
        database_url=postgres_url,
        REDIS_URL=TEST_REDIS_URL,
        LOGIN_ATTEMPTS_PER_MINUTE=str(LIMIT),
    )
    _migrate(group)
    try:
        yield group.start(2)
    finally:
        group.stop()


@pytest.fixture(scope="module")
def embedded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    """The embedded default: one process, SQLite, no Redis."""
    var_dir: Path = tmp_path_factory.mktemp("embedded")
    group = ServerGroup(
        var_dir,
        database_url=f"sqlite:///{var_dir / 'platform.sqlite3'}",
        LOGIN_ATTEMPTS_PER_MINUTE=str(LIMIT),
    )
    _migrate(group)
    try:
        yield group.start(1)
    finally:
        group.stop()


def _request(route: str, url: str, token: str, address: str, n: int) -> httpx.Request:
    """One attempt at ``route`` on the server at ``url``."""
    email = f"someone-{n}@example.org"
    headers = form_headers(token, address)
    if route.startswith("/api/"):
        body = {"email": email, "password": "wrong-password-1"}
        if route == "/api/doctors/signup":
            body = {"email": "not-an-email", "full_name": "X", "password": "short"}
        return httpx.Request(
            "POST", url + route, json=body, headers={**headers, "x-csrftoken": token}
        )
    form = {"email": email, "password": "wrong-password-1", "_csrf_token": token}
    if route == "/signup":
        form.update(email="not-an-email", full_name="X", password="short")
    return httpx.Request("POST", url + route, data=form, headers=headers)


ROUTES = ["/login", "/api/session", "/password/forgot", "/signup", "/api/doctors/signup"]


async def _bursts(urls: list[str]) -> list[tuple[str, Counter[int]]]:
    results = []
    limits = httpx.Limits(max_connections=BURST * 2, max_keepalive_connections=BURST * 2)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        token = await csrf(client, urls[0])
        client.cookies.clear()
        for trial in range(BURSTS_PER_ROUTE):
            for route in ROUTES:
                address = f"10.{trial}.{ROUTES.index(route)}.{uuid.uuid4().int % 250 + 1}"
                requests = [
                    _request(route, urls[n % len(urls)], token, address, n) for n in range(BURST)
                ]
                responses = await asyncio.gather(*(client.send(r) for r in requests))
                results.append((route, Counter(r.status_code for r in responses)))
    return results


def _check(results: list[tuple[str, Counter[int]]]) -> None:
    wrong = [
        (route, dict(statuses))
        for route, statuses in results
        if statuses[429] != BURST - LIMIT or any(code >= 500 for code in statuses)
    ]
    assert not wrong, f"bursts of {BURST} against a limit of {LIMIT}: {wrong}"


async def test_a_burst_across_two_processes_checks_exactly_the_limit(
    redis_pair: list[str],
) -> None:
    started = time.monotonic()
    results = await _bursts(redis_pair)
    print(f"two processes: {len(results)} bursts of {BURST} in {time.monotonic() - started:.1f}s")
    assert len(results) == BURSTS_PER_ROUTE * len(ROUTES)
    _check(results)


async def test_a_burst_at_the_embedded_default_checks_exactly_the_limit(
    embedded_server: list[str],
) -> None:
    started = time.monotonic()
    results = await _bursts(embedded_server)
    print(f"embedded: {len(results)} bursts of {BURST} in {time.monotonic() - started:.1f}s")
    _check(results)
