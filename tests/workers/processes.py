"""Real arq worker processes for the worker tests, and a poll-until helper.

``Workers`` starts ``arq workers.main.WorkerSettings`` as subprocesses on the test
database and the test Redis (the ``workers`` fixture in ``conftest.py`` gives one per test).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from redis.asyncio import Redis

from tests.services import TEST_REDIS_URL

ROOT = Path(__file__).resolve().parents[2]
ARQ = ROOT / ".venv" / "bin" / "arq"
JOB_TIMEOUT_S = 12  # the in-progress key of a killed job expires after 12 + 10 s


class Workers:
    """Starts ``arq workers.main.WorkerSettings`` processes for one test.

    ``env`` is the workers' environment; a test may change it before ``start``.
    """

    def __init__(self, database_url: str, queue: str) -> None:
        self.queue = queue
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": TEST_REDIS_URL,
            "JOB_QUEUE_NAME": queue,
            "RANKING_JOB_TIMEOUT_S": str(JOB_TIMEOUT_S),
            "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}",
        }
        self.env.pop("SMTP_URL", None)
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, *, burst: bool = False) -> subprocess.Popen[bytes]:
        args = [str(ARQ), *(["--burst"] if burst else []), "workers.main.WorkerSettings"]
        process = subprocess.Popen(
            args, cwd=ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        self.processes.append(process)
        return process

    async def wait(self, process: subprocess.Popen[bytes], timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while process.poll() is None:
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"worker still running after {timeout} s")
            await asyncio.sleep(0.2)
        return process.stdout.read().decode() if process.stdout else ""

    async def ready(self, process: subprocess.Popen[bytes], redis: Redis, timeout: float) -> None:
        """Wait until ``process`` has started and polls the queue (its health-check key)."""
        await until(
            lambda: redis.exists(f"{self.queue}:health-check"), timeout, "worker ready", process
        )

    def stop(self, process: subprocess.Popen[bytes]) -> str:
        """Kill ``process`` and return what it logged."""
        if process.poll() is None:
            process.kill()
            process.wait()
        return process.stdout.read().decode() if process.stdout else ""

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait()


async def until(
    check: Callable[[], Awaitable[object]],
    timeout: float,
    what: str,
    process: subprocess.Popen[bytes] | None = None,
) -> None:
    """Poll ``check`` every 0.1 s until truthy; fail after ``timeout`` s or if the
    worker ``process`` died."""
    deadline = time.monotonic() + timeout
    while not await check():
        if process is not None and process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            pytest.fail(f"worker exited while waiting for {what}:\n{output}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.1)
