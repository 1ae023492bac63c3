"""Database engine selection and switching.

Piccolo tables find their engine through the configuration module named by
``PICCOLO_CONF`` (``matching.piccolo_conf``, whose ``DB`` this module's
:func:`make_engine` builds from a URL). This module can rebind every table to
another engine (tests run the same suite on SQLite and PostgreSQL this way). It
reaches that configuration only through Piccolo's own ``Finder``, never by
importing it: ``piccolo_conf`` imports this module, not the other way round.
"""

from __future__ import annotations

import errno
import json
import socket
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from piccolo.apps.migrations.tables import Migration
from piccolo.conf.apps import Finder
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.querystring import QueryString


def make_engine(database_url: str) -> Engine:
    """An engine for ``sqlite:///path`` or ``postgresql://...``."""
    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        # A busy timeout so concurrent writers wait instead of failing with
        # "database is locked" (SQLite allows one writer at a time).
        return SQLiteEngine(path=str(path), timeout=30)
    if urlsplit(database_url).scheme in ("postgres", "postgresql"):
        return PostgresEngine(config={"dsn": database_url})
    raise ValueError(f"unsupported database URL: {database_url!r}")


async def _keep_session(connection: object) -> None:
    """Pool release without asyncpg's reset query (see :func:`start_pool`)."""


async def start_pool(engine: PostgresEngine, *, min_size: int, max_size: int) -> None:
    """Start the engine's asyncpg pool.

    Piccolo takes a pooled connection for every query and gives it back at once.
    On each release asyncpg's default reset sends ``SELECT pg_advisory_unlock_all();
    CLOSE ALL; UNLISTEN *; RESET ALL`` (a second round trip per query). This
    code never takes advisory locks, listens, keeps cursors or sets session
    variables, so that reset is skipped; asyncpg still rolls back a transaction
    left open before the connection goes back to the pool.
    """
    await engine.start_connection_pool(min_size=min_size, max_size=max_size, reset=_keep_session)


def write_transaction(engine: Engine | None = None):  # type: ignore[no-untyped-def]
    """A transaction that is going to write after reading.

    On SQLite an IMMEDIATE one: it takes the write lock at BEGIN, so two writers
    queue (within the busy timeout) instead of one failing with "database is
    locked" when both read before writing. On PostgreSQL a plain one; the rows a
    check depends on are locked with ``SELECT ... FOR UPDATE`` (:func:`lock_rows`).
    Nested inside another transaction it joins it.
    """
    engine = engine or current_engine()
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


def lock_rows(query: Any) -> Any:
    """``query`` with ``FOR UPDATE`` on PostgreSQL (SQLite's IMMEDIATE transaction
    already holds the only write lock)."""
    engine = query.table._meta.db
    return query if isinstance(engine, SQLiteEngine) else query.lock_rows()


def json_object(value: Any) -> dict[str, Any]:
    """A JSON column's value as a dict: SQLite gives text, PostgreSQL may give either.

    Anything that is not a JSON object (empty, malformed, a list) reads as ``{}``.
    """
    if isinstance(value, str):
        try:
            value = json.loads(value or "{}")
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


def use_engine(engine: Engine) -> None:
    """Bind every table of the configured apps (and Piccolo's engine finder) to ``engine``."""
    finder = Finder()
    conf = finder.get_piccolo_conf_module()
    if conf is None:
        raise RuntimeError("no Piccolo configuration found (PICCOLO_CONF)")
    conf.DB = engine  # type: ignore[attr-defined]
    for table in [*finder.get_table_classes(), Migration]:
        table._meta.db = engine


def current_engine() -> Engine:
    """The engine of the Piccolo configuration (what :func:`use_engine` last bound)."""
    engine = Finder().get_engine()
    if engine is None:
        raise RuntimeError("the Piccolo configuration (PICCOLO_CONF) defines no DB")
    return engine


async def ping(engine: Engine | None = None) -> None:
    """Run ``SELECT 1`` on a connection of its own (not the pool's), so a dead server
    or a full pool shows; raises whatever the driver raises."""
    await (engine or current_engine()).run_querystring(QueryString("SELECT 1"), in_pool=False)


def is_sqlite(engine: Engine | None = None) -> bool:
    return isinstance(engine or current_engine(), SQLiteEngine)


#: PostgreSQL error classes worth another try: connection exceptions (08), the server
#: shutting down or starting up (57P01-57P03), too many connections (53300),
#: serialization failure and deadlock (40001, 40P01).
_TRANSIENT_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "53300", "40001", "40P01"})
_TRANSIENT_ERRNOS = frozenset(
    {
        None,  # asyncio's "Multiple exceptions: [Errno 111] Connect call failed ..."
        errno.ECONNREFUSED,
        errno.ECONNRESET,
        errno.EHOSTUNREACH,
        errno.ENETUNREACH,
        errno.ETIMEDOUT,
        errno.EADDRNOTAVAIL,
    }
)


def _transient(exc: BaseException) -> bool:
    if isinstance(exc, ConnectionError | TimeoutError | socket.gaierror):
        return True
    if type(exc) is OSError and exc.errno in _TRANSIENT_ERRNOS:
        return True
    sqlstate = getattr(exc, "sqlstate", None)
    if isinstance(sqlstate, str) and (
        sqlstate.startswith("08") or sqlstate in _TRANSIENT_SQLSTATES
    ):
        return True
    if type(exc).__name__ == "InterfaceError" and "connection is closed" in str(exc):
        return True  # asyncpg, a connection dropped under a transaction
    message = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in message or "busy" in message)


def is_transient_error(exc: BaseException) -> bool:
    """True when ``exc`` (or what caused it) says the database was briefly unreachable
    or busy: connection refused or dropped, server restarting, too many connections,
    a deadlock or serialization failure, SQLite locked. Trying again later may work;
    anything else (a bug, bad data, a timeout of the job itself) will fail again."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if _transient(current):
            return True
        current = current.__cause__ or current.__context__
    return False
