"""Database engine selection and switching.

Piccolo tables find their engine through ``matching.piccolo_conf.DB``; this
module builds that engine from a URL and can rebind every table to another
engine (tests run the same suite on SQLite and PostgreSQL this way).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine


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


def use_engine(engine: Engine) -> None:
    """Bind every table (and Piccolo's engine finder) to ``engine``."""
    from piccolo.apps.migrations.tables import Migration

    from matching import piccolo_conf
    from matching.piccolo_app import all_tables

    piccolo_conf.DB = engine
    for table in [*all_tables(), Migration]:
        table._meta.db = engine


def current_engine() -> Engine:
    from matching import piccolo_conf

    return piccolo_conf.DB


def is_sqlite(engine: Engine | None = None) -> bool:
    return isinstance(engine or current_engine(), SQLiteEngine)
