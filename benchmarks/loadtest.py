"""Load test on loopback: 50 concurrent users against a real uvicorn (2 workers).

A fresh PostgreSQL database gets the migrations, the demo data and the data
scaler (5,000 doctors, 2,000 needs); then half the users, signed in as the
coordinator, read the need list, and half, signed in as scaled doctors, read
their dashboard, for a fixed time. Prints requests per second, p50/p95/p99
latency and the error count per page. Run: ``make loadtest``.

Environment: LOADTEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/postgres),
LOADTEST_SECONDS (20), LOADTEST_USERS (50).
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

ROOT = Path(__file__).resolve().parents[1]
ADMIN_URL = os.environ.get("LOADTEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
SECONDS = float(os.environ.get("LOADTEST_SECONDS", "20"))
USERS = int(os.environ.get("LOADTEST_USERS", "50"))
DOCTORS, NEEDS = 5000, 2000
COORDINATOR_PAGE = "/needs"  # the coordinator's need list (all facilities)
DOCTOR_PAGE = "/doctors/me"  # the doctor's dashboard


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _prepare(url: str) -> None:
    import asyncpg

    name = urlsplit(url).path.strip("/")
    admin = await asyncpg.connect(ADMIN_URL)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


async def _drop(url: str) -> None:
    import asyncpg

    admin = await asyncpg.connect(ADMIN_URL)
    try:
        await admin.execute(
            f'DROP DATABASE IF EXISTS "{urlsplit(url).path.strip("/")}" WITH (FORCE)'
        )
    finally:
        await admin.close()


async def _scale(url: str) -> None:
    from benchmarks.scale_data import scale
    from matching.db import make_engine, use_engine

    engine = make_engine(url)
    use_engine(engine)
    await scale(DOCTORS, NEEDS)


async def _sign_in(client: httpx.AsyncClient, email: str) -> None:
    await client.get("/login")
    response = await client.post(
        "/login",
        data={
            "email": email,
            "password": "homs-demo-2026",
            "_csrf_token": client.cookies.get("csrftoken", ""),
        },
    )
    if response.status_code not in (200, 302, 303) or not client.cookies.get("session"):
        raise RuntimeError(f"sign-in failed for {email}: {response.status_code}")


async def _user(
    base: str, email: str, page: str, start: asyncio.Event, samples: list, errors: list
) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        await _sign_in(client, email)
        await client.get(page)  # warm-up, not measured
        ready.append(email)
        await start.wait()
        until = time.perf_counter() + SECONDS
        while time.perf_counter() < until:
            started = time.perf_counter()
            try:
                response = await client.get(page)
                ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            elapsed = time.perf_counter() - started
            samples.append((page, elapsed))
            if not ok:
                errors.append(page)


ready: list[str] = []


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


async def _run(base: str) -> int:
    from benchmarks.scale_data import scaled_doctor_email

    samples: list[tuple[str, float]] = []
    errors: list[str] = []
    ready.clear()
    half = USERS // 2
    start = asyncio.Event()
    users = [
        _user(base, "coordinator@demo.homs-health.org", COORDINATOR_PAGE, start, samples, errors)
        for _ in range(half)
    ] + [
        _user(base, scaled_doctor_email(n * 37), DOCTOR_PAGE, start, samples, errors)
        for n in range(USERS - half)
    ]
    tasks = [asyncio.create_task(u) for u in users]
    # Sign-ins (argon2) and a warm-up request first; measurement starts after.
    while len(ready) < len(tasks) and not any(t.done() for t in tasks):
        await asyncio.sleep(0.1)
    started = time.perf_counter()
    start.set()
    await asyncio.gather(*tasks)
    wall = time.perf_counter() - started
    print(
        f"loadtest: {USERS} users, {DOCTORS} doctors, {NEEDS} needs, uvicorn 2 workers, "
        f"PostgreSQL, {wall:.1f} s"
    )
    for page in (COORDINATOR_PAGE, DOCTOR_PAGE, None):
        values = [t for p, t in samples if page is None or p == page]
        errs = len([e for e in errors if page is None or e == page])
        label = page or "all"
        if not values:
            print(f"  {label}: no requests")
            continue
        print(
            f"  {label:12} requests={len(values):6d} rps={len(values) / wall:7.1f} "
            f"p50={_pct(values, 50):6.1f} ms p95={_pct(values, 95):6.1f} ms "
            f"p99={_pct(values, 99):6.1f} ms mean={statistics.mean(values) * 1000:6.1f} ms "
            f"errors={errs}"
        )
    return 1 if errors else 0


def main() -> int:
    name = f"homs_load_{uuid.uuid4().hex[:8]}"
    parts = urlsplit(ADMIN_URL)
    url = urlunsplit(parts._replace(path=f"/{name}"))
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
    asyncio.run(_prepare(url))
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
                "2",
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            env=env,
            cwd=ROOT,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        return asyncio.run(_run(base))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        asyncio.run(_drop(url))


if __name__ == "__main__":
    sys.exit(main())
