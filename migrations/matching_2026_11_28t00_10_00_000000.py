"""After the match: tables ``pairing_feedback`` (one rating per side of a pairing) and
``mentorship`` (a confirmed mentorship's mentee, dates and status).

Hand-written, in SQL both SQLite and PostgreSQL accept but for the primary key's type.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-11-28T00:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "pairing feedback and mentorships"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="matching", description=DESCRIPTION)

    async def create() -> None:
        engine = engine_finder()
        assert engine is not None
        postgres = isinstance(engine, PostgresEngine)
        key = "SERIAL PRIMARY KEY" if postgres else "INTEGER PRIMARY KEY"
        now = " DEFAULT CURRENT_TIMESTAMP" if postgres else ""
        statements = [
            f'CREATE TABLE "pairing_feedback" ("id" {key}, '
            '"pairing" INTEGER NOT NULL REFERENCES "proposal" ("id") ON DELETE CASCADE, '
            "\"side\" VARCHAR(10) NOT NULL DEFAULT '', "
            '"rating" SMALLINT NOT NULL DEFAULT 0, '
            "\"comment\" TEXT NOT NULL DEFAULT '', "
            '"author" INTEGER NULL REFERENCES "app_user" ("id") ON DELETE SET NULL, '
            f'"created_at" TIMESTAMPTZ NOT NULL{now})',
            'CREATE UNIQUE INDEX "pairing_feedback_side" ON "pairing_feedback" ("pairing", "side")',
            f'CREATE TABLE "mentorship" ("id" {key}, '
            '"pairing" INTEGER NOT NULL UNIQUE REFERENCES "proposal" ("id") ON DELETE CASCADE, '
            '"mentee" INTEGER NULL REFERENCES "facility_person" ("id") ON DELETE SET NULL, '
            '"starts_on" DATE NULL, '
            '"ends_on" DATE NULL, '
            "\"status\" VARCHAR(12) NOT NULL DEFAULT 'active', "
            '"completed_at" TIMESTAMPTZ NULL, '
            f'"created_at" TIMESTAMPTZ NOT NULL{now})',
            'CREATE INDEX "mentorship_mentee" ON "mentorship" ("mentee")',
        ]
        for statement in statements:
            await engine._run_in_new_connection(statement)

    async def drop() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine._run_in_new_connection('DROP TABLE IF EXISTS "mentorship"')
        await engine._run_in_new_connection('DROP TABLE IF EXISTS "pairing_feedback"')

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
