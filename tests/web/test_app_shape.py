"""Health, error pages, security headers, OpenAPI and start-up checks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from matching.settings import ConfigError, load_settings, load_worker_tuning

ROOT = Path(__file__).resolve().parents[2]


async def test_health_reports_database_and_queue(client: AsyncTestClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "queue": "in-process"}


async def test_404_page_says_what_happened(client: AsyncTestClient) -> None:
    response = await client.get("/no/such/page")
    assert response.status_code == 404
    assert "This page does not exist" in response.text
    api = await client.get("/api/no/such/thing")
    assert api.status_code == 404 and api.json()["status_code"] == 404


async def test_security_headers(client: AsyncTestClient) -> None:
    response = await client.get("/login")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"


async def test_openapi_document_is_served(client: AsyncTestClient) -> None:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/session" in paths and "/health" in paths
    assert not any(p.startswith("/login") for p in paths), "HTML pages stay out of the API docs"


def test_bad_configuration_names_the_variable() -> None:
    with pytest.raises(ConfigError, match=r"^DATABASE_URL: "):
        load_settings({"DATABASE_URL": "mysql://x"})
    with pytest.raises(ConfigError, match=r"^SECRET_KEY: required"):
        load_settings({"APP_ENV": "production"})
    with pytest.raises(ConfigError, match=r"^REDIS_URL: "):
        load_settings({"REDIS_URL": "http://nope"})
    with pytest.raises(ConfigError, match=r"^SMTP_URL: "):
        load_settings({"SMTP_URL": "smtp://"})
    with pytest.raises(ConfigError, match=r"^SESSION_IDLE_MINUTES: "):
        load_settings({"SESSION_IDLE_MINUTES": "soon"})
    with pytest.raises(ConfigError, match=r"^RANKING_TRIES: at most 4, got 9"):
        load_worker_tuning({"RANKING_TRIES": "9"})
    with pytest.raises(ConfigError, match=r"^RANKING_RETRY_BACKOFF_S: 'soon' is not"):
        load_worker_tuning({"RANKING_RETRY_BACKOFF_S": "soon"})
    with pytest.raises(ConfigError, match=r"^RANKING_JOB_TIMEOUT_S: must be at least 1"):
        load_worker_tuning({"RANKING_JOB_TIMEOUT_S": "0"})
    assert load_worker_tuning({}).ranking_tries == 3


def test_worker_with_a_bad_value_prints_one_line() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import workers.main"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}", "RANKING_TRIES": "x"},
        timeout=60,
        cwd=ROOT,
    )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == ["error: RANKING_TRIES: 'x' is not a whole number"]


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "web", *args],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}", **env},
        timeout=60,
        cwd=ROOT,
    )


def test_start_up_with_a_bad_value_prints_one_line(tmp_path: Path) -> None:
    result = _cli("serve", env={"VAR_DIR": str(tmp_path), "REDIS_URL": "http://nope"})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: REDIS_URL: 'http://nope' is not redis://host:port/db"
    ]


def test_refuses_to_start_on_an_unmigrated_database(tmp_path: Path) -> None:
    result = _cli("serve", "--port", "8999", env={"VAR_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert "run `python -m web migrate` (`make migrate` in a checkout) first" in result.stderr
    assert "Traceback" not in result.stderr


def test_migrate_then_demo_data_twice(tmp_path: Path) -> None:
    env = {"VAR_DIR": str(tmp_path)}
    migrations = [p for p in (ROOT / "migrations").glob("matching_*.py")]
    assert f"{len(migrations)} applied" in _cli("migrate", env=env).stdout
    assert "up to date" in _cli("migrate", env=env).stdout
    first = _cli("demo-data", env=env)
    assert "demo data loaded" in first.stdout and "coordinator@demo.homs-health.org" in first.stdout
    assert "already present" in _cli("demo-data", env=env).stdout
