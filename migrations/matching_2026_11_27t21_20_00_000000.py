"""Team missions: the roles of a need (specialty and count each), table ``need_role``.

A mission with roles is filled all together or not at all by the ranking; a need
without a row here keeps its single specialty x places. Hand-written: one table
with a foreign key to ``need`` (deleted with it) and an index on it, in SQL both
SQLite and PostgreSQL accept but for the primary key's type.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-11-27T21:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "team missions: need roles"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="matching", description=DESCRIPTION)

    async def create() -> None:
        engine = engine_finder()
        assert engine is not None
        key = "SERIAL PRIMARY KEY" if isinstance(engine, PostgresEngine) else "INTEGER PRIMARY KEY"
        await engine._run_in_new_connection(
            f'CREATE TABLE "need_role" ("id" {key}, '
            '"need" INTEGER NOT NULL REFERENCES "need" ("id") ON DELETE CASCADE, '
            "\"specialty\" VARCHAR(64) NOT NULL DEFAULT '', "
            '"count" SMALLINT NOT NULL DEFAULT 1)'
        )
        await engine._run_in_new_connection('CREATE INDEX "need_role_need" ON "need_role" ("need")')

    async def drop() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine._run_in_new_connection('DROP TABLE IF EXISTS "need_role"')

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
