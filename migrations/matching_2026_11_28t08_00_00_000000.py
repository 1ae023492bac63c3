"""Reminders: tables ``reminder_digest`` (one per person per local day: unique index)
and ``reminder_item`` (each item sent once: unique index on user and key).

Hand-written, in SQL both SQLite and PostgreSQL accept but for the primary key's type.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-11-28T08:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "reminder digests"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="matching", description=DESCRIPTION)

    async def create() -> None:
        engine = engine_finder()
        assert engine is not None
        postgres = isinstance(engine, PostgresEngine)
        key = "SERIAL PRIMARY KEY" if postgres else "INTEGER PRIMARY KEY"
        now = " DEFAULT CURRENT_TIMESTAMP" if postgres else ""
        statements = [
            f'CREATE TABLE "reminder_digest" ("id" {key}, '
            '"user" INTEGER NOT NULL REFERENCES "app_user" ("id") ON DELETE CASCADE, '
            '"day" DATE NOT NULL, '
            f'"created_at" TIMESTAMPTZ NOT NULL{now})',
            'CREATE UNIQUE INDEX "reminder_digest_user_day" ON "reminder_digest" ("user", "day")',
            f'CREATE TABLE "reminder_item" ("id" {key}, '
            '"user" INTEGER NOT NULL REFERENCES "app_user" ("id") ON DELETE CASCADE, '
            "\"key\" VARCHAR(120) NOT NULL DEFAULT '', "
            '"digest" INTEGER NULL REFERENCES "reminder_digest" ("id") ON DELETE SET NULL, '
            f'"created_at" TIMESTAMPTZ NOT NULL{now})',
            'CREATE UNIQUE INDEX "reminder_item_user_key" ON "reminder_item" ("user", "key")',
            'CREATE INDEX "reminder_item_digest" ON "reminder_item" ("digest")',
        ]
        for statement in statements:
            await engine._run_in_new_connection(statement)

    async def drop() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine._run_in_new_connection('DROP TABLE IF EXISTS "reminder_item"')
        await engine._run_in_new_connection('DROP TABLE IF EXISTS "reminder_digest"')

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
