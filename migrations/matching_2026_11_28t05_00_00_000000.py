"""Case discussions: tables ``case_discussion`` (a de-identified case of a confirmed
mentorship, the mentor's recommendations, its status) and ``case_image`` (images
re-encoded without metadata, stored under the uploads dir).

Hand-written, in SQL both SQLite and PostgreSQL accept but for the primary key's type.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-11-28T05:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "case discussions and their images"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="matching", description=DESCRIPTION)

    async def create() -> None:
        engine = engine_finder()
        assert engine is not None
        postgres = isinstance(engine, PostgresEngine)
        key = "SERIAL PRIMARY KEY" if postgres else "INTEGER PRIMARY KEY"
        now = " DEFAULT CURRENT_TIMESTAMP" if postgres else ""
        statements = [
            f'CREATE TABLE "case_discussion" ("id" {key}, '
            '"pairing" INTEGER NOT NULL REFERENCES "proposal" ("id") ON DELETE CASCADE, '
            '"submitted_by" INTEGER NULL REFERENCES "app_user" ("id") ON DELETE SET NULL, '
            '"entered_for" INTEGER NULL REFERENCES "facility_person" ("id") ON DELETE SET NULL, '
            "\"age_band\" VARCHAR(16) NOT NULL DEFAULT '', "
            "\"sex\" VARCHAR(12) NOT NULL DEFAULT '', "
            "\"presenting_problem\" TEXT NOT NULL DEFAULT '', "
            "\"history\" TEXT NOT NULL DEFAULT '', "
            "\"findings\" TEXT NOT NULL DEFAULT '', "
            "\"question\" TEXT NOT NULL DEFAULT '', "
            "\"consent_text\" TEXT NOT NULL DEFAULT '', "
            "\"status\" VARCHAR(12) NOT NULL DEFAULT 'submitted', "
            "\"recommendations\" TEXT NOT NULL DEFAULT '', "
            '"answered_at" TIMESTAMPTZ NULL, '
            '"answered_by" INTEGER NULL REFERENCES "app_user" ("id") ON DELETE SET NULL, '
            '"closed_at" TIMESTAMPTZ NULL, '
            f'"created_at" TIMESTAMPTZ NOT NULL{now})',
            'CREATE INDEX "case_discussion_pairing" ON "case_discussion" ("pairing")',
            f'CREATE TABLE "case_image" ("id" {key}, '
            '"case" INTEGER NOT NULL REFERENCES "case_discussion" ("id") ON DELETE CASCADE, '
            "\"path\" VARCHAR(200) NOT NULL DEFAULT '', "
            "\"mime\" VARCHAR(20) NOT NULL DEFAULT '', "
            '"width" INTEGER NOT NULL DEFAULT 0, '
            '"height" INTEGER NOT NULL DEFAULT 0, '
            f'"created_at" TIMESTAMPTZ NOT NULL{now})',
            'CREATE INDEX "case_image_case" ON "case_image" ("case")',
        ]
        for statement in statements:
            await engine._run_in_new_connection(statement)

    async def drop() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine._run_in_new_connection('DROP TABLE IF EXISTS "case_image"')
        await engine._run_in_new_connection('DROP TABLE IF EXISTS "case_discussion"')

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
