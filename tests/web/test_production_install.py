"""The README's production set-up, for real: wheel, new venv without the dev extra, PostgreSQL.

Builds the wheel from the checkout, installs it into a new virtual environment
(the dev extra, and so pytest and the PyPI ``matching`` reference, stay out),
then, from a directory outside the checkout and without ``PYTHONPATH``, runs
the README's steps: ``python -m web migrate``, ``python -m web create-user``,
``python -m web serve`` (answering ``/health``), an arq worker and
``arq --check``. Each wrong start-up is checked to name its real cause.

pip installs from its local wheel cache and the local indexes, so this takes
about a minute the first time and less afterwards.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import free_port
from tests.services import TEST_POSTGRES_URL, TEST_REDIS_URL, with_database

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
INSTALL_TIMEOUT_S = 600


def _run(
    args: list[str], *, cwd: Path, env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def _psql(sql: str) -> None:
    import asyncio

    import asyncpg

    async def execute() -> None:
        connection = await asyncpg.connect(TEST_POSTGRES_URL, timeout=5)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    try:
        asyncio.run(execute())
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.skip(f"PostgreSQL is not reachable at {TEST_POSTGRES_URL} ({exc})")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new venv with the project's wheel installed without extras; yields its bin/."""
    work = tmp_path_factory.mktemp("install")
    pip_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    built = _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(work / "dist"), "."],
        cwd=ROOT,
        env=pip_env,
        timeout=INSTALL_TIMEOUT_S,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (work / "dist").glob("homs_health_bridge-*.whl")
    base_python = getattr(sys, "_base_executable", sys.executable)
    # No pip inside (faster); this pip installs into it, without byte-compiling.
    made = _run(
        [base_python, "-m", "venv", "--without-pip", str(work / "venv")], cwd=work, env=pip_env
    )
    assert made.returncode == 0, made.stderr
    bin_dir = work / "venv" / "bin"
    installed = _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(bin_dir / "python"),
            "install",
            "-q",
            "--no-compile",
            str(wheel),
        ],
        cwd=work,
        env=pip_env,
        timeout=INSTALL_TIMEOUT_S,
    )
    assert installed.returncode == 0, installed.stderr
    return bin_dir


@pytest.fixture
def postgres_url() -> Iterator[str]:
    name = f"homs_install_{uuid.uuid4().hex[:10]}"
    _psql(f'CREATE DATABASE "{name}"')
    try:
        yield with_database(TEST_POSTGRES_URL, name)
    finally:
        _psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment a production host would have: no PYTHONPATH, no checkout."""
    return {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8", **extra}


def _wait_for(check, timeout: float, process: subprocess.Popen[bytes]) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        if process.poll() is not None:
            return False
        time.sleep(0.3)
    return False


def _health(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def test_installed_package_has_no_dev_extra_and_is_ours(installed: Path, tmp_path: Path) -> None:
    result = _run(
        [
            str(installed / "python"),
            "-c",
            "import matching.settings, migrations, workers.main, importlib.util;"
            "print(importlib.util.find_spec('pytest') is None)",
        ],
        cwd=tmp_path,
        env=_env(tmp_path, REDIS_URL=TEST_REDIS_URL),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_readme_production_steps_on_postgresql(
    installed: Path, postgres_url: str, tmp_path: Path
) -> None:
    python = str(installed / "python")
    queue = f"homs-install-test:{uuid.uuid4().hex[:8]}"
    env = _env(
        tmp_path,
        APP_ENV="production",
        SECRET_KEY="k" * 40,
        DATABASE_URL=postgres_url,
        REDIS_URL=TEST_REDIS_URL,
        JOB_QUEUE_NAME=queue,
        NEW_USER_PASSWORD="a long enough password 2026",
    )
    # Before migrating, create-user names the missing migrations, not a missing table.
    create_user = [python, "-m", "web", "create-user", "--role", "admin"]
    create_user += ["--email", "admin@example.org", "--name", "First Admin"]
    early = _run(create_user, cwd=tmp_path, env=env)
    assert early.returncode == 2
    assert "migration(s) not applied" in early.stderr and "python -m web migrate" in early.stderr
    assert "Traceback" not in early.stderr

    migrated = _run([python, "-m", "web", "migrate"], cwd=tmp_path, env=env)
    assert migrated.returncode == 0, migrated.stderr
    assert "applied" in migrated.stdout

    created = _run(create_user, cwd=tmp_path, env=env)
    assert created.returncode == 0, created.stderr
    assert "created admin admin@example.org" in created.stdout

    port = free_port()
    server = subprocess.Popen(
        [python, "-m", "web", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    worker = subprocess.Popen(
        [str(installed / "arq"), "workers.main.WorkerSettings"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        assert _wait_for(lambda: _health(f"http://127.0.0.1:{port}/health"), 60, server), (
            server.stderr.read().decode() if server.poll() is not None else "no answer in 60 s"
        )

        def worker_checks() -> bool:
            check = _run(
                [str(installed / "arq"), "--check", "workers.main.WorkerSettings"],
                cwd=tmp_path,
                env=env,
            )
            return check.returncode == 0

        assert _wait_for(worker_checks, 60, worker), (
            worker.stderr.read().decode() if worker.poll() is not None else "no health check"
        )
    finally:
        for process in (server, worker):
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def test_start_up_errors_name_the_real_cause(installed: Path, tmp_path: Path) -> None:
    python = str(installed / "python")
    unreachable = _env(tmp_path, DATABASE_URL="postgresql://postgres@127.0.0.1:1/nowhere")
    result = _run([python, "-m", "web", "serve"], cwd=tmp_path, env=unreachable)
    assert result.returncode == 2
    assert (
        "error: the database at postgresql://postgres@127.0.0.1:1/nowhere cannot be reached"
        in result.stderr
    )

    missing_db = _env(tmp_path, DATABASE_URL=with_database(TEST_POSTGRES_URL, "no_such_db_x"))
    result = _run([python, "-m", "web", "migrate"], cwd=tmp_path, env=missing_db)
    assert result.returncode == 2
    assert 'refused the connection: database "no_such_db_x" does not exist' in result.stderr

    # A broken installation without its migrations says so (not "cannot be reached").
    site = next((installed.parent / "lib").glob("python3*/site-packages"))
    (site / "migrations").rename(site / "migrations-away")
    try:
        result = _run([python, "-m", "web", "serve"], cwd=tmp_path, env=_env(tmp_path))
    finally:
        (site / "migrations-away").rename(site / "migrations")
    assert result.returncode == 2
    assert "the migrations folder" in result.stderr and "is missing" in result.stderr
    assert "cannot be reached" not in result.stderr
    for out in (result.stderr,):
        assert "Traceback" not in out
