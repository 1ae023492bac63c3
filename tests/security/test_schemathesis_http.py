"""Schemathesis over HTTP against a served app (uvicorn, PostgreSQL), four identities.

The app runs as it does in production: a uvicorn process on a PostgreSQL
database. ``st run`` fuzzes every operation of ``/schema/openapi.json`` with
all checks (no 5xx, documented statuses, content types, bodies and headers,
negative data rejected, schema-valid data accepted, ``Allow`` headers,
unsupported methods), as anonymous, a doctor, a facility head and a
coordinator; a hook signs in and adds the CSRF token
(``schemathesis_hooks.py``). Bounded: a few examples per operation, a request
timeout, about three minutes in all. Signing out and deleting the account run
anonymously only (they would end the identity's session mid-run).

Figures (requests, statuses, failures) are printed and written to
``test-artifacts/schemathesis-http.txt``.
"""

from __future__ import annotations

import collections
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from matching.settings import Settings
from tests.factories import PASSWORD
from tests.security.worlds import Worlds
from tests.servers import free_port

pytestmark = pytest.mark.slow  # started first: see tests/conftest.py

ROOT = Path(__file__).resolve().parents[2]
ST = ROOT / ".venv" / "bin" / "st"
MAX_EXAMPLES = 8
SESSION_ENDERS = ("POST /api/session/logout", "DELETE /api/doctors/me")


@pytest.fixture
def served_app(db: str, settings: Settings, worlds: Worlds, tmp_path: Path) -> Iterator[str]:
    """The app under uvicorn on the test's PostgreSQL database, with the worlds' data."""
    if not db.startswith("postgres"):
        pytest.skip("over HTTP on PostgreSQL (the production engine) only")
    port = free_port()
    env = {
        **os.environ,
        "APP_ENV": "demo",
        "DATABASE_URL": db,
        "VAR_DIR": str(tmp_path / "var"),
        "UPLOADS_DIR": str(settings.uploads_dir),
        "LOGIN_ATTEMPTS_PER_MINUTE": "100000",
        "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}",
    }
    env.pop("REDIS_URL", None)
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "web.app:create_app", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail("uvicorn did not start:\n" + (tmp_path / "server.log").read_text())
            time.sleep(0.5)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _run(base: str, identity: str, email: str | None, report_dir: Path) -> dict[str, object]:
    har = report_dir / f"{identity}.har"
    command = [
        str(ST),
        "--config-file",
        str(Path(__file__).with_name("schemathesis.toml")),
        "run",
        f"{base}/schema/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--workers",
        "1",
        "--generation-deterministic",
        "--request-timeout",
        "10",
        "--no-color",
        "--report",
        "har",
        "--report-har-path",
        str(har),
    ]
    if email:
        for name in SESSION_ENDERS:
            command += ["--exclude-name", name]
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "tests.security.schemathesis_hooks",
        "HOMS_FUZZ_BASE_URL": base,
        "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}",
    }
    if email:
        env |= {"HOMS_FUZZ_EMAIL": email, "HOMS_FUZZ_PASSWORD": PASSWORD}
    started = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    output = done.stdout + done.stderr
    entries = json.loads(har.read_text())["log"]["entries"] if har.exists() else []
    statuses = collections.Counter(e["response"]["status"] for e in entries)
    summary = re.search(r"=+ (.*) in [\d.]+s =+", output)
    return {
        "identity": identity,
        "exit": done.returncode,
        "requests": len(entries),
        "statuses": dict(sorted(statuses.items())),
        "summary": summary[1] if summary else "?",
        "seconds": round(time.monotonic() - started, 1),
        "output": output,
    }


def test_schemathesis_over_http_as_four_identities(
    served_app: str, worlds: Worlds, artifacts_dir: Path
) -> None:
    identities = {
        "anonymous": None,
        "doctor": worlds.a.doctor.email,
        "facility_head": worlds.a.head.email,
        "coordinator": worlds.coordinator.email,
    }
    report_dir = artifacts_dir / "schemathesis-http"
    report_dir.mkdir(exist_ok=True)
    runs = [_run(served_app, name, email, report_dir) for name, email in identities.items()]
    lines = [
        f"{r['identity']}: {r['requests']} requests, statuses {r['statuses']}, "
        f"{r['summary']}, {r['seconds']} s (exit {r['exit']})"
        for r in runs
    ]
    total = sum(int(r["requests"]) for r in runs)  # type: ignore[call-overload]
    lines.append(f"total: {total} requests in {sum(float(r['seconds']) for r in runs):.0f} s")  # type: ignore[arg-type]
    (artifacts_dir / "schemathesis-http.txt").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    failed = [r for r in runs if r["exit"] != 0]
    assert not failed, "\n\n".join(str(r["output"])[-6000:] for r in failed)
    assert total > 500
    assert not any(status >= 500 for r in runs for status in r["statuses"])  # type: ignore[attr-defined]
