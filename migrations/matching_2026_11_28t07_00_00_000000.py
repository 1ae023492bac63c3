"""Missions: tables ``mission_item`` (a confirmed mission's readiness checklist) and
``mission_report`` (its completion report).

Hand-written, in SQL both SQLite and PostgreSQL accept but for the primary key's
type. ``mission_item_pairing_kind`` makes the checklist's creation idempotent (one
item of each kind per pairing); ``mission_report.pairing`` is unique (one report per
mission, amended in place).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-11-28T07:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "missions: readiness checklist and completion report"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="matching", description=DESCRIPTION)

    async def create() -> None:
        engine = engine_finder()
        assert engine is not None
        postgres = isinstance(engine, PostgresEngine)
        key = "SERIAL PRIMARY KEY" if postgres else "INTEGER PRIMARY KEY"
        now = " DEFAULT CURRENT_TIMESTAMP" if postgres else ""
        run = engine._run_in_new_connection
        await run(
            f'CREATE TABLE "mission_item" ("id" {key}, '
            '"pairing" INTEGER NOT NULL REFERENCES "proposal" ("id") ON DELETE CASCADE, '
            '"kind" VARCHAR(24) NOT NULL, '
            '"owner" VARCHAR(12) NOT NULL, '
            '"due_on" DATE NOT NULL, '
            "\"state\" VARCHAR(8) NOT NULL DEFAULT 'open', "
            '"done_on" DATE NULL, '
            '"done_by" INTEGER NULL REFERENCES "app_user" ("id") ON DELETE SET NULL, '
            "\"note\" TEXT NOT NULL DEFAULT '', "
            '"licence" INTEGER NULL REFERENCES "licence" ("id") ON DELETE SET NULL, '
            "\"document_name\" VARCHAR(200) NOT NULL DEFAULT '', "
            "\"document_path\" VARCHAR(300) NOT NULL DEFAULT '', "
            "\"document_mime\" VARCHAR(80) NOT NULL DEFAULT '', "
            '"reminded_on" DATE NULL, '
            f'"created_at" TIMESTAMPTZ NOT NULL{now}, '
            f'"updated_at" TIMESTAMPTZ NOT NULL{now})'
        )
        await run(
            'CREATE UNIQUE INDEX "mission_item_pairing_kind" ON "mission_item" ("pairing", "kind")'
        )
        await run('CREATE INDEX "mission_item_due" ON "mission_item" ("state", "due_on")')
        await run(
            f'CREATE TABLE "mission_report" ("id" {key}, '
            '"pairing" INTEGER NOT NULL UNIQUE REFERENCES "proposal" ("id") ON DELETE CASCADE, '
            "\"state\" VARCHAR(10) NOT NULL DEFAULT 'submitted', "
            '"days_on_site" INTEGER NOT NULL DEFAULT 0, '
            "\"patients\" TEXT NOT NULL DEFAULT '{}', "
            "\"procedures\" TEXT NOT NULL DEFAULT '', "
            "\"staff_trained\" TEXT NOT NULL DEFAULT '[]', "
            "\"gaps\" TEXT NOT NULL DEFAULT '', "
            "\"head_note\" TEXT NOT NULL DEFAULT '', "
            '"submitted_by" INTEGER NULL REFERENCES "app_user" ("id") ON DELETE SET NULL, '
            f'"submitted_at" TIMESTAMPTZ NOT NULL{now}, '
            '"decided_by" INTEGER NULL REFERENCES "app_user" ("id") ON DELETE SET NULL, '
            '"decided_at" TIMESTAMPTZ NULL)'
        )
        await run('CREATE INDEX "mission_report_state" ON "mission_report" ("state")')

    async def drop() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine._run_in_new_connection('DROP TABLE IF EXISTS "mission_report"')
        await engine._run_in_new_connection('DROP TABLE IF EXISTS "mission_item"')

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
