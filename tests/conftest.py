"""Shared fixtures: a real database (SQLite and PostgreSQL), the real app, a client.

Every test that asks for ``db`` or ``client`` runs twice: once on a SQLite
file, once on a PostgreSQL database created for this test session (and
dropped at its end), so parallel runs never share tables.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

_VAR = Path(tempfile.mkdtemp(prefix="homs-tests-"))
os.environ["VAR_DIR"] = str(_VAR)
os.environ.setdefault("APP_ENV", "demo")
os.environ.pop("DATABASE_URL", None)
os.environ.pop("REDIS_URL", None)

from litestar import Litestar  # noqa: E402
from litestar.testing import AsyncTestClient  # noqa: E402
from piccolo.engine.postgres import PostgresEngine  # noqa: E402
from redis.asyncio import Redis  # noqa: E402

from matching.db import current_engine, make_engine, use_engine  # noqa: E402
from matching.migrate import apply_migrations  # noqa: E402
from matching.piccolo_app import all_tables  # noqa: E402
from matching.settings import Settings, load_settings  # noqa: E402
from tests.services import (  # noqa: E402
    TEST_REDIS_URL,
    create_postgres_database,
    drop_postgres_database,
)
from tests.smtp import Recorder, smtp_server  # noqa: E402


@pytest.fixture(scope="session")
async def _databases() -> AsyncIterator[dict[str, str]]:
    """Each backend's migrated database, made on first use and kept for the whole
    session (the PostgreSQL one dropped at its end). Under `make test` a process runs
    file after file, each on SQLite then PostgreSQL: kept, they are not made again
    (and migrated: ~2 s) at every switch."""
    urls: dict[str, str] = {}
    yield urls
    if "postgres" in urls:
        await drop_postgres_database(urls["postgres"])


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest, _databases: dict[str, str]) -> str:
    """A migrated database on each backend (emptied before each test by ``db``)."""
    backend = request.param
    if backend in _databases:
        use_engine(make_engine(_databases[backend]))
        return _databases[backend]
    if backend == "sqlite":
        url = f"sqlite:///{_VAR / f'test-{uuid.uuid4().hex[:8]}.sqlite3'}"
    else:
        url = await create_postgres_database()
    use_engine(make_engine(url))
    await apply_migrations()
    _databases[backend] = url
    return url


async def truncate_all() -> None:
    """Empty every table, children first, in one script on one connection (one
    statement per table, each on a new connection, cost ~0.4 s per test on PostgreSQL
    and ~0.1 s on SQLite at 46 tables)."""
    tables = list(reversed(all_tables()))
    script = "".join(f'DELETE FROM "{table._meta.tablename}";' for table in tables)
    engine = current_engine()
    if isinstance(engine, PostgresEngine):
        connection = await engine.get_new_connection()
        try:
            await connection.execute(script)
        finally:
            await connection.close()
        return
    connection = await engine.get_connection()  # SQLite: one connection, one script
    try:
        await connection.executescript(script)
        await connection.commit()
    finally:
        await connection.close()


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[str]:
    """An empty database bound to every table; yields its URL."""
    use_engine(make_engine(database_url))
    await truncate_all()
    yield database_url


@pytest.fixture
def settings(db: str, tmp_path: Path) -> Settings:
    # No pool: the test client runs the app on its own event loop, and the
    # tests query the same database from theirs.
    return replace(
        load_settings(), database_url=db, database_pool=False, uploads_dir=tmp_path / "uploads"
    )


@pytest.fixture
def app(settings: Settings) -> Litestar:
    from web.app import create_app

    return create_app(settings)


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(app=app, base_url="http://127.0.0.1:8000") as test_client:
        yield test_client


@pytest.fixture
def artifacts_dir() -> Iterator[Path]:
    path = Path(__file__).resolve().parent.parent / "test-artifacts"
    path.mkdir(exist_ok=True)
    yield path


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    """A client of the test Redis (database 15); skips, saying how, when Redis is down."""
    client = Redis.from_url(TEST_REDIS_URL)
    try:
        await client.ping()
    except OSError as exc:
        pytest.skip(f"Redis is not reachable at {TEST_REDIS_URL} ({exc}); start redis-server")
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
def smtp() -> Iterator[tuple[str, Recorder]]:
    """A real SMTP server (aiosmtpd): ``(smtp_url, recorder)``."""
    with smtp_server() as server:
        yield server


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files with a slow or browser test first, the rest after, each file's tests in
    their order: `make test` hands whole files to its processes (pytest-xdist's
    loadfile) in this order, so the long files start at once and the short ones fill
    the end instead of one process running the longest file alone at the end."""
    heavy = {
        item.path
        for item in items
        if item.get_closest_marker("slow") or item.get_closest_marker("browser")
    }
    items.sort(key=lambda item: item.path not in heavy)
