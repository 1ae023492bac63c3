"""Local clinicians: table ``facility_person`` (the people a facility's head keeps).

Hand-written: one table with foreign keys to ``facility`` (deleted with it) and
``app_user`` (the person's own account, and who entered them: set null), in SQL both
SQLite and PostgreSQL accept but for the primary key's type.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-11-28T00:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "local clinicians: facility people"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="matching", description=DESCRIPTION)

    async def create() -> None:
        engine = engine_finder()
        assert engine is not None
        postgres = isinstance(engine, PostgresEngine)
        key = "SERIAL PRIMARY KEY" if postgres else "INTEGER PRIMARY KEY"
        now = " DEFAULT CURRENT_TIMESTAMP" if postgres else ""
        await engine._run_in_new_connection(
            f'CREATE TABLE "facility_person" ("id" {key}, '
            '"facility" INTEGER NOT NULL REFERENCES "facility" ("id") ON DELETE CASCADE, '
            "\"name_en\" VARCHAR(200) NOT NULL DEFAULT '', "
            "\"name_ar\" VARCHAR(200) NOT NULL DEFAULT '', "
            "\"clinical_role\" VARCHAR(24) NOT NULL DEFAULT '', "
            "\"specialty\" VARCHAR(64) NOT NULL DEFAULT '', "
            "\"phone\" VARCHAR(32) NOT NULL DEFAULT '', "
            '"user" INTEGER NULL REFERENCES "app_user" ("id") ON DELETE SET NULL, '
            '"entered_by" INTEGER NULL REFERENCES "app_user" ("id") ON DELETE SET NULL, '
            f'"created_at" TIMESTAMPTZ NOT NULL{now}, '
            '"archived_at" TIMESTAMPTZ NULL)'
        )
        await engine._run_in_new_connection(
            'CREATE INDEX "facility_person_facility" ON "facility_person" ("facility")'
        )
        await engine._run_in_new_connection(
            'CREATE UNIQUE INDEX "facility_person_user" ON "facility_person" ("user")'
        )

    async def drop() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine._run_in_new_connection('DROP TABLE IF EXISTS "facility_person"')

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
