"""District access: table ``district_access`` (a district's dated status history) and
``remote_offer`` (a held mission's pairing offered the change to remote work).

Hand-written, in SQL both SQLite and PostgreSQL accept but for the primary key's
type. ``district_access (district, seq)`` is unique: two coordinators setting the
same district at once cannot write the same next row. A pairing has at most one
offer waiting for the doctor's answer (partial unique index).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-11-28T02:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "district access status and remote offers"


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
            f'CREATE TABLE "district_access" ("id" {key}, '
            '"district" VARCHAR(20) NOT NULL, '
            '"seq" INTEGER NOT NULL, '
            '"status" VARCHAR(12) NOT NULL, '
            '"effective_on" DATE NOT NULL, '
            "\"note\" TEXT NOT NULL DEFAULT '', "
            '"set_by" INTEGER NULL REFERENCES "app_user" ("id") ON DELETE SET NULL, '
            f'"created_at" TIMESTAMPTZ NOT NULL{now})'
        )
        await run(
            'CREATE UNIQUE INDEX "district_access_district_seq" '
            'ON "district_access" ("district", "seq")'
        )
        await run(
            f'CREATE TABLE "remote_offer" ("id" {key}, '
            '"proposal" INTEGER NOT NULL REFERENCES "proposal" ("id") ON DELETE CASCADE, '
            '"need" INTEGER NOT NULL REFERENCES "need" ("id") ON DELETE CASCADE, '
            '"kind" VARCHAR(12) NOT NULL, '
            '"state" VARCHAR(10) NOT NULL, '
            '"offered_by" INTEGER NULL REFERENCES "app_user" ("id") ON DELETE SET NULL, '
            "\"note\" TEXT NOT NULL DEFAULT '', "
            f'"created_at" TIMESTAMPTZ NOT NULL{now}, '
            '"answered_at" TIMESTAMPTZ NULL)'
        )
        await run('CREATE INDEX "remote_offer_proposal" ON "remote_offer" ("proposal")')
        await run('CREATE INDEX "remote_offer_need" ON "remote_offer" ("need")')
        await run(
            'CREATE UNIQUE INDEX "remote_offer_waiting" ON "remote_offer" ("proposal") '
            "WHERE \"state\" = 'offered'"
        )

    async def drop() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine._run_in_new_connection('DROP TABLE IF EXISTS "remote_offer"')
        await engine._run_in_new_connection('DROP TABLE IF EXISTS "district_access"')

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
