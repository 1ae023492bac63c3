"""A demo server in its own process and Debian's chromium, for the slow-link benchmark
and the browser tests.

The server is ``python -m web serve`` on a fresh SQLite database with the demo data,
on a free port. Chromium is driven by Playwright with ``executable_path=/usr/bin/chromium``
(``playwright install`` cannot download here; ``.ci/run`` installs Debian's chromium
when it is missing).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_env(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update({"VAR_DIR": str(var_dir), "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}", "APP_ENV": "demo"})
    return env


@contextlib.contextmanager
def demo_server(var_dir: Path) -> Iterator[str]:
    """A demo server on a free port whose files (SQLite database) live in ``var_dir``."""
    env = _server_env(var_dir)
    for command in ("migrate", "demo-data"):
        subprocess.run(
            [sys.executable, "-m", "web", command],
            env=env,
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
    port = _free_port()
    log = (var_dir / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "web", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base_url}/health", timeout=1) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"server did not start: {(var_dir / 'server.log').read_text()}")
        time.sleep(0.2)
    try:
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
