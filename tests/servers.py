"""Real uvicorn server processes, for races that one process cannot show.

``ServerGroup`` starts N ``uvicorn --factory web.app:create_app`` processes on
one database (and one Redis when given), each on its own free port, with one
shared SECRET_KEY (so a CSRF token from one is accepted by the others) and
``TRUSTED_PROXIES=127.0.0.1`` so a test can give each burst its own client
address through ``X-Forwarded-For`` (its own rate-limit key in the shared
test Redis).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
SECRET = "test-secret-key-for-two-server-processes-0123456789"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerGroup:
    def __init__(self, var_dir: Path, *, database_url: str, **env: str) -> None:
        self.var_dir = var_dir
        self.env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "REDIS_URL", "SMTP_URL")
        }
        self.env.update(
            {
                "VAR_DIR": str(var_dir),
                "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}",
                "APP_ENV": "demo",
                "DATABASE_URL": database_url,
                "SECRET_KEY": SECRET,
                "TRUSTED_PROXIES": "127.0.0.1",
                **env,
            }
        )
        self.processes: list[subprocess.Popen[bytes]] = []
        self.urls: list[str] = []

    def start(self, count: int, timeout_s: float = 40) -> list[str]:
        for n in range(count):
            port = free_port()
            command = [sys.executable, "-m", "uvicorn", "--factory", "web.app:create_app"]
            command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
            log = (self.var_dir / f"server-{n}.log").open("wb")
            self.processes.append(
                subprocess.Popen(
                    command,
                    env=self.env,
                    cwd=ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
            self.urls.append(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + timeout_s
        for process, url in zip(self.processes, self.urls, strict=True):
            while not self._healthy(url):
                if process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"server {url} did not start: {self.logs()}")
                time.sleep(0.2)
        return self.urls

    @staticmethod
    def _healthy(url: str) -> bool:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=1) as response:
                return response.status == 200
        except OSError:
            return False

    def logs(self) -> str:
        return "\n".join(p.read_text() for p in sorted(self.var_dir.glob("server-*.log")))

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes.clear()


async def csrf(client: httpx.AsyncClient, url: str) -> str:
    """A CSRF token (cookie value) from ``url``; every server of a group accepts it."""
    page = await client.get(f"{url}/login")
    token = page.cookies.get("csrftoken")
    if not token:
        match = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
        assert match, page.text
        token = match.group(1)
    return token


def form_headers(token: str, client_address: str, **extra: Any) -> dict[str, str]:
    return {"cookie": f"csrftoken={token}", "x-forwarded-for": client_address, **extra}
