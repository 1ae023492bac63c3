"""Rate limits and reset links hold against concurrent requests (issue 13, items 2-3).

The attack sent 100 wrong passwords at once and all were checked against a
limit of 10 a minute: the limiter read the count and wrote it back in two
steps. Here bursts of 30 simultaneous requests go to two uvicorn processes
sharing Redis and PostgreSQL, and to one embedded-default process (SQLite, no
Redis): exactly ``limit`` requests are checked, every other one is a 429.
Each burst has its own client address (``X-Forwarded-For`` from a trusted
proxy), so its own count, and the bursts cycle through every limited route.

The same attack let 10 of 20 simultaneous uses of one reset link set a
password. Here 20 uses of one link race through the two processes, 20 times:
exactly one sets the password and writes one audit event; the others are 409.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from matching.accounts.passwords import verify_password
from matching.accounts.services import request_password_reset
from matching.accounts.tables import Role, User
from matching.audit.tables import AuditEvent
from matching.consent.notice import NOTICE_VERSION
from matching.db import make_engine, use_engine
from matching.mail.tables import OutboxMail
from tests.factories import make_account
from tests.servers import ROOT, ServerGroup, csrf, form_headers
from tests.services import TEST_REDIS_URL, create_postgres_database, drop_postgres_database

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
    url = await create_postgres_database()
    try:
        yield url
    finally:
        await drop_postgres_database(url)


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
            body = {
                "email": "not-an-email",
                "full_name": "X",
                "password": "short",
                "privacy_notice": NOTICE_VERSION,
            }
        return httpx.Request(
            "POST", url + route, json=body, headers={**headers, "x-csrftoken": token}
        )
    form = {"email": email, "password": "wrong-password-1", "_csrf_token": token}
    if route == "/signup":
        form.update(
            email="not-an-email", full_name="X", password="short", privacy_notice=NOTICE_VERSION
        )
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


RESET_TRIALS = 20
RESET_USES = 20


async def _reset_token(email: str) -> str:
    await request_password_reset(email, base_url="http://x")
    mail = await OutboxMail.select().where(OutboxMail.recipient == email).first().run()
    match = re.search(r"/password/reset/([A-Za-z0-9_-]+)", mail["body_text"])
    assert match
    return match.group(1)


async def test_one_reset_link_used_twenty_times_at_once_sets_one_password(
    redis_pair: list[str], postgres_url: str
) -> None:
    use_engine(make_engine(postgres_url))
    started = time.monotonic()
    limits = httpx.Limits(max_connections=RESET_USES * 2)
    problems = []
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        token = await csrf(client, redis_pair[0])
        client.cookies.clear()
        for trial in range(RESET_TRIALS):
            account = await make_account(Role.DOCTOR)
            reset = await _reset_token(account.email)
            requests = [
                httpx.Request(
                    "POST",
                    f"{redis_pair[n % 2]}/password/reset/{reset}",
                    data={"password": f"new-password-{trial}-{n}", "_csrf_token": token},
                    # One address per use: the rate limit is not what stops them.
                    headers=form_headers(token, f"10.99.{trial}.{n + 1}"),
                )
                for n in range(RESET_USES)
            ]
            responses = await asyncio.gather(*(client.send(r) for r in requests))
            statuses = Counter(r.status_code for r in responses)
            winners = [n for n, r in enumerate(responses) if r.status_code in (302, 303)]
            events = await AuditEvent.count().where(
                (AuditEvent.action == "account.password_reset")
                & (AuditEvent.subject_id == account.id)
            )
            row = await User.select(User.password_hash).where(User.id == account.id).first()
            won = len(winners) == 1 and verify_password(
                row["password_hash"], f"new-password-{trial}-{winners[0]}"
            )
            if not (won and events == 1 and statuses[409] == RESET_USES - 1):
                problems.append((trial, dict(statuses), f"{events} audit events"))
    print(
        f"reset races: {RESET_TRIALS} trials of {RESET_USES} in {time.monotonic() - started:.1f}s"
    )
    assert not problems, problems
