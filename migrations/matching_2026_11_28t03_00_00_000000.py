"""Facilities' services: table ``facility_service`` (dated status rows per facility and
service area, HeRAMS' manner; the latest row of a facility and area is current).

Hand-written: one table with foreign keys to ``facility`` (deleted with it) and
``app_user`` (who recorded the status: set null), in SQL both SQLite and PostgreSQL
accept but for the primary key's type.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-11-28T03:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "facilities' services: facility_service"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="matching", description=DESCRIPTION)

    async def create() -> None:
        engine = engine_finder()
        assert engine is not None
        postgres = isinstance(engine, PostgresEngine)
        key = "SERIAL PRIMARY KEY" if postgres else "INTEGER PRIMARY KEY"
        now = " DEFAULT CURRENT_TIMESTAMP" if postgres else ""
        await engine._run_in_new_connection(
            f'CREATE TABLE "facility_service" ("id" {key}, '
            '"facility" INTEGER NOT NULL REFERENCES "facility" ("id") ON DELETE CASCADE, '
            "\"area\" VARCHAR(32) NOT NULL DEFAULT '', "
            "\"status\" VARCHAR(16) NOT NULL DEFAULT '', "
            "\"cause\" VARCHAR(24) NOT NULL DEFAULT '', "
            '"recorded_by" INTEGER NULL REFERENCES "app_user" ("id") ON DELETE SET NULL, '
            f'"recorded_at" TIMESTAMPTZ NOT NULL{now})'
        )
        await engine._run_in_new_connection(
            'CREATE INDEX "facility_service_facility_area" '
            'ON "facility_service" ("facility", "area", "id")'
        )

    async def drop() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine._run_in_new_connection('DROP TABLE IF EXISTS "facility_service"')

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
