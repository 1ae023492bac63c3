"""Do the reset request and the sign-up take as long for a known address as for an unknown one?

Serves the embedded default (``python -m web serve``: uvicorn, SQLite, demo
data) in its own process and times, over HTTP on loopback, alternating
requests for an address that has an account (``doctor@demo…``) and for ones
that do not: the medians should match, because the work that depends on the
address (the reset token and its mail; the sign-up link or the owner's mail)
runs after the answer is sent. Then, with the server stopped, it times that
work itself in-process, which is what the answer used to include.

Not a timed test: figures are printed (``python -m benchmarks``). The sign-in
limit is raised for the run (``LOGIN_ATTEMPTS_PER_MINUTE``) so that every
request is served.
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
import urllib.request
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
KNOWN = "doctor@demo.homs-health.org"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(var_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        {
            "VAR_DIR": str(var_dir),
            "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}",
            "APP_ENV": "demo",
            "LOGIN_ATTEMPTS_PER_MINUTE": "1000000",
        }
    )
    for command in ("migrate", "demo-data"):
        subprocess.run(
            [sys.executable, "-m", "web", command], env=env, check=True, capture_output=True
        )
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "web", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base_url}/health", timeout=1):
                return process, base_url
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the server did not start")


def _time_posts(
    client: httpx.Client, path: str, forms: list[tuple[str, dict[str, str]]], pause: float = 0.05
) -> dict[str, list[float]]:
    token = client.cookies.get("csrftoken", "")
    times: dict[str, list[float]] = {"known": [], "unknown": []}
    for kind, form in forms:
        started = time.perf_counter()
        response = client.post(path, data={**form, "_csrf_token": token})
        times[kind].append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
        time.sleep(pause)  # let the work after the answer finish: we time answers, not overlap
    return times


def _line(label: str, times: dict[str, list[float]]) -> str:
    known, unknown = (statistics.median(times[k]) for k in ("known", "unknown"))
    return (
        f"{label}, median of {len(times['known'])} each: known {known:.2f} ms, "
        f"unknown {unknown:.2f} ms (difference {known - unknown:+.2f} ms)"
    )


async def _work_in_process(database: Path, rounds: int) -> dict[str, list[float]]:
    from matching.accounts.services import request_password_reset
    from matching.db import make_engine, use_engine

    use_engine(make_engine(f"sqlite:///{database}"))
    times: dict[str, list[float]] = {"known": [], "unknown": []}
    for index in range(rounds):
        for kind, email in (("known", KNOWN), ("unknown", f"nobody{index}@example.org")):
            started = time.perf_counter()
            await request_password_reset(email, base_url="http://127.0.0.1:8000")
            times[kind].append((time.perf_counter() - started) * 1000)
    return times


def bench_account_timing(quick: bool) -> list[str]:
    rounds = 15 if quick else 60
    with tempfile.TemporaryDirectory(prefix="homs-timing-") as directory:
        var_dir = Path(directory)
        process, base_url = _serve(var_dir)
        try:
            with httpx.Client(base_url=base_url) as client:
                client.get("/login")
                for index in range(3):  # warm up both paths
                    _time_posts(
                        client,
                        "/password/forgot",
                        [("known", {"email": KNOWN}), ("unknown", {"email": f"w{index}@x.org"})],
                    )
                reset = _time_posts(
                    client,
                    "/password/forgot",
                    [
                        pair
                        for index in range(rounds)
                        for pair in (
                            ("known", {"email": KNOWN}),
                            ("unknown", {"email": f"nobody{index}@example.org"}),
                        )
                    ],
                )
                from matching.consent.notice import NOTICE_VERSION

                def signup(email: str) -> dict[str, str]:
                    return {
                        "full_name": "Dr. Timing",
                        "email": email,
                        "password": "a-long-enough-password",
                        "privacy_notice": NOTICE_VERSION,
                    }

                sign_up = _time_posts(
                    client,
                    "/signup",
                    [
                        pair
                        for index in range(rounds)
                        for pair in (
                            ("known", signup(KNOWN)),
                            ("unknown", signup(f"new{index}@example.org")),
                        )
                    ],
                    pause=1.0,  # the work after a sign-up hashes the password (argon2)
                )
        finally:
            process.terminate()
            process.wait(timeout=10)
        work = asyncio.run(_work_in_process(var_dir / "platform.sqlite3", rounds))
    return [
        _line("reset request answer (HTTP, uvicorn, SQLite)", reset),
        _line("sign-up answer (HTTP, uvicorn, SQLite)", sign_up),
        _line("reset work after the answer (in-process; was inside it before)", work),
    ]


if __name__ == "__main__":
    for line in bench_account_timing("--quick" in sys.argv):
        print(line, flush=True)
