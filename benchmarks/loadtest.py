"""Load test on loopback: 50 concurrent users against a real uvicorn (2 workers).

A fresh PostgreSQL database gets the migrations, the demo data and the data
scaler (5,000 doctors, 2,000 needs, every fifth doctor with a proposal waiting
for an answer and a confirmed pairing). Half the users, signed in as the
coordinator, read the need list (``/needs``); half, signed in as scaled doctors,
read their overview (``/doctors/me``). Two phases, each for a fixed time:

* **users**: each user reads a page, then thinks 1-3 s before the next one
  (locust's ``between(1, 3)``): 50 people working at once. The target (zero
  errors, p95 under 100 ms) is judged here.
* **saturation**: the same 50 users with no think time: as many requests as
  the server takes. This gives the capacity (requests per second) and the
  latency when every worker is busy.

The client is a small keep-alive HTTP/1.1 client on asyncio streams, so that
the load generator takes as little as possible of the machine's CPU from the
server. For each phase it prints requests per second, p50/p95/p99 latency and
errors per page, and the CPU time per request of the app workers, of
PostgreSQL, of Redis and of the client itself (from /proc), which does not depend on
what else the machine is doing. Run: ``make loadtest``.

The server runs as in production: PostgreSQL, and Redis for sessions and the
rate limiter (database 14 of LOADTEST_REDIS_URL, emptied before and after).
Without Redis it says so and keeps sessions in files, as the embedded default does.

Environment: LOADTEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/postgres),
LOADTEST_REDIS_URL (redis://127.0.0.1:6379/14), LOADTEST_SECONDS (20 per phase),
LOADTEST_USERS (50), LOADTEST_THINK ("1-3", seconds).
"""

from __future__ import annotations

import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

ROOT = Path(__file__).resolve().parents[1]
ADMIN_URL = os.environ.get("LOADTEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
SECONDS = float(os.environ.get("LOADTEST_SECONDS", "20"))
USERS = int(os.environ.get("LOADTEST_USERS", "50"))
THINK = tuple(float(x) for x in os.environ.get("LOADTEST_THINK", "1-3").split("-"))
REDIS_URL = os.environ.get("LOADTEST_REDIS_URL", "redis://127.0.0.1:6379/14")
DOCTORS, NEEDS, PAIRINGS_EVERY = 5000, 2000, 5
WORKERS = 2
COORDINATOR_PAGE = "/needs"  # the coordinator's need list (all facilities)
DOCTOR_PAGE = "/doctors/me"  # the doctor's overview
CLOCK_TICK = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------- database
async def _admin(sql: str) -> None:
    import asyncpg

    admin = await asyncpg.connect(ADMIN_URL)
    try:
        await admin.execute(sql)
    finally:
        await admin.close()


async def _scale(url: str) -> None:
    from benchmarks.scale_data import scale
    from matching.db import make_engine, use_engine

    use_engine(make_engine(url))
    await scale(DOCTORS, NEEDS, pairings_every=PAIRINGS_EVERY)


def _redis_flushed() -> bool:
    """Empty the load test's Redis database; False when Redis does not answer."""
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        client.flushdb()
        client.close()
    except redis.RedisError as exc:
        print(f"Redis not reachable at {REDIS_URL} ({exc}): sessions kept in files")
        return False
    return True


# ---------------------------------------------------------------- the client
class Connection:
    """One keep-alive HTTP/1.1 connection sending GETs with the user's cookies."""

    def __init__(self, host: str, port: int, cookie: str) -> None:
        self.host, self.port, self.cookie = host, port, cookie
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> int:
        """The response's status code (the body is read and dropped)."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(
            f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Cookie: {self.cookie}\r\nAccept: text/html\r\n\r\n".encode()
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        headers = head.lower()
        if b"transfer-encoding: chunked" in headers:
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        else:
            start = headers.index(b"content-length:") + len(b"content-length:")
            length = int(headers[start : headers.index(b"\r\n", start)])
            await self.reader.readexactly(length)
        if b"connection: close" in headers:
            await self.close()
        return status

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


async def _cookie_for(base: str, email: str) -> str:
    """Sign in through the real form; the session cookie to send afterwards."""
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        await client.get("/login")
        response = await client.post(
            "/login",
            data={
                "email": email,
                "password": "homs-demo-2026",
                "_csrf_token": client.cookies.get("csrftoken", ""),
            },
        )
        session = client.cookies.get("session")
        if response.status_code not in (200, 302, 303) or not session:
            raise RuntimeError(f"sign-in failed for {email}: {response.status_code}")
        return f"session={session}"


@dataclass
class Phase:
    name: str
    think: tuple[float, float] | None
    samples: list[tuple[str, float]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wall: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)


async def _user(
    connection: Connection, page: str, phase: Phase, until: float, rng: random.Random
) -> None:
    if phase.think:  # users do not all arrive in the same instant
        await asyncio.sleep(rng.uniform(0, phase.think[1]))
    while time.perf_counter() < until:
        started = time.perf_counter()
        try:
            ok = await connection.get(page) == 200
        except (OSError, asyncio.IncompleteReadError, ValueError):
            ok = False
            await connection.close()
        phase.samples.append((page, time.perf_counter() - started))
        if not ok:
            phase.errors.append(page)
        if phase.think:
            await asyncio.sleep(rng.uniform(*phase.think))


# ---------------------------------------------------------------- CPU from /proc
def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICK  # utime + stime


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _pids_named(*names: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() in names:
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def _cpu_snapshot(server_pid: int) -> dict[str, float]:
    def total(pids: list[int]) -> float:
        seconds = 0.0
        for pid in pids:
            try:
                seconds += _cpu_seconds(pid)
            except OSError:
                continue  # a process that ended
        return seconds

    return {
        "app": total([server_pid, *_children(server_pid)]),
        "postgres": total(_pids_named("postgres", "postmaster")),
        "redis": total(_pids_named("redis-server")),
        "client": time.process_time(),
    }


async def _phase(
    phase: Phase, base: str, users: list[tuple[str, str]], server_pid: int, seed: int
) -> None:
    parts = urlsplit(base)
    connections = [Connection(parts.hostname or "", parts.port or 80, c) for c, _ in users]
    for connection, (_, page) in zip(connections, users, strict=True):
        await connection.get(page)  # warm-up: connection open, caches filled
    rng = random.Random(seed)
    before = _cpu_snapshot(server_pid)
    started = time.perf_counter()
    until = started + SECONDS
    await asyncio.gather(
        *(
            _user(connection, page, phase, until, random.Random(rng.random()))
            for connection, (_, page) in zip(connections, users, strict=True)
        )
    )
    phase.wall = time.perf_counter() - started
    after = _cpu_snapshot(server_pid)
    phase.cpu = {key: after[key] - before[key] for key in before}
    for connection in connections:
        await connection.close()


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


def _report(phase: Phase) -> None:
    think = f"think {phase.think[0]:g}-{phase.think[1]:g} s" if phase.think else "no think time"
    print(f"phase {phase.name}: {USERS} users, {think}, {phase.wall:.1f} s")
    for page in (COORDINATOR_PAGE, DOCTOR_PAGE, None):
        values = [t for p, t in phase.samples if page is None or p == page]
        errors = len([e for e in phase.errors if page is None or e == page])
        label = page or "all"
        if not values:
            print(f"  {label}: no requests")
            continue
        print(
            f"  {label:12} requests={len(values):6d} rps={len(values) / phase.wall:7.1f} "
            f"p50={_pct(values, 50):6.1f} ms p95={_pct(values, 95):6.1f} ms "
            f"p99={_pct(values, 99):6.1f} ms mean={statistics.mean(values) * 1000:6.1f} ms "
            f"errors={errors}"
        )
    count = max(1, len(phase.samples))
    print(
        "  cpu per request: "
        + " ".join(f"{key}={seconds / count * 1000:.2f} ms" for key, seconds in phase.cpu.items())
    )


async def _run(base: str, server_pid: int, with_redis: bool) -> int:
    from benchmarks.scale_data import scaled_doctor_email

    half = USERS // 2
    coordinator = await _cookie_for(base, "coordinator@demo.homs-health.org")
    doctors = [
        await _cookie_for(base, scaled_doctor_email(n * PAIRINGS_EVERY * 8))
        for n in range(USERS - half)
    ]
    # The coordinators share one account (one session each would be the same load).
    users = [(coordinator, COORDINATOR_PAGE)] * half + [(c, DOCTOR_PAGE) for c in doctors]
    phases = [Phase("users", (THINK[0], THINK[-1])), Phase("saturation", None)]
    print(
        f"loadtest: {DOCTORS} doctors, {NEEDS} needs, uvicorn {WORKERS} workers, PostgreSQL, "
        f"sessions in {'Redis' if with_redis else 'files'}, {os.cpu_count()} CPUs, "
        f"{SECONDS:g} s per phase"
    )
    for n, phase in enumerate(phases):
        await _phase(phase, base, users, server_pid, seed=n)
        _report(phase)
    return 1 if any(phase.errors for phase in phases) else 0


# ---------------------------------------------------------------- main
def _wait_until_up(base: str) -> None:
    for _ in range(300):
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the server did not answer /health")


def main() -> int:
    name = f"homs_load_{uuid.uuid4().hex[:8]}"
    url = urlunsplit(urlsplit(ADMIN_URL)._replace(path=f"/{name}"))
    var = tempfile.mkdtemp(prefix="homs-load-")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "APP_ENV": "demo",
        "VAR_DIR": var,
        "LOGIN_ATTEMPTS_PER_MINUTE": "100000",
        "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}",
    }
    env.pop("REDIS_URL", None)
    with_redis = _redis_flushed()
    if with_redis:
        env["REDIS_URL"] = REDIS_URL
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    server = None
    try:
        for command in (["migrate"], ["demo-data"]):
            subprocess.run(
                [sys.executable, "-m", "web", *command],
                env=env,
                check=True,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
            )
        os.environ.update({"VAR_DIR": var})
        t0 = time.perf_counter()
        asyncio.run(_scale(url))
        print(f"scaled data: {DOCTORS} doctors, {NEEDS} needs in {time.perf_counter() - t0:.1f} s")
        port = _free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "web.app:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(WORKERS),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            env=env,
            cwd=ROOT,
        )
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(base)
        return asyncio.run(_run(base, server.pid, with_redis))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if with_redis:
            _redis_flushed()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


if __name__ == "__main__":
    sys.exit(main())
