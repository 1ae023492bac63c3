"""At most one live proposal per (need, doctor): a partial unique index.

A live proposal is one still waiting or holding a place: proposed, approved,
accepted or confirmed. Two of them for the same doctor and need (a killed run
re-delivered after a newer one, a swap racing a run) would offer the doctor
twice and count them twice against the need's places. SQLite and PostgreSQL
both have partial unique indexes; NULL doctors (deleted accounts) never clash.

Older databases may already hold such duplicates, and the index cannot be
built over them: first, per (need, doctor), the most decided one is kept
(confirmed, then accepted, then approved, then proposed; the newest among
equals) and the others are marked ``superseded``.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one live proposal per need and doctor"

LIVE = "('proposed', 'approved', 'accepted', 'confirmed')"
RESOLVE_DUPLICATES = (
    'UPDATE "proposal" SET "state" = \'superseded\' WHERE "id" IN ('
    'SELECT "id" FROM ('
    'SELECT "id", ROW_NUMBER() OVER (PARTITION BY "need", "doctor" ORDER BY '
    "CASE \"state\" WHEN 'confirmed' THEN 0 WHEN 'accepted' THEN 1 "
    'WHEN \'approved\' THEN 2 ELSE 3 END, "id" DESC) AS "position" '
    f'FROM "proposal" WHERE "state" IN {LIVE} AND "doctor" IS NOT NULL'
    ') AS "ranked" WHERE "position" > 1)'
)
CREATE_INDEX = (
    'CREATE UNIQUE INDEX IF NOT EXISTS "proposal_live_need_doctor" '
    f'ON "proposal" ("need", "doctor") WHERE "state" IN {LIVE}'
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="matching", description=DESCRIPTION)

    async def create_index() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine._run_in_new_connection(RESOLVE_DUPLICATES)
        await engine._run_in_new_connection(CREATE_INDEX)

    async def drop_index() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine._run_in_new_connection('DROP INDEX IF EXISTS "proposal_live_need_doctor"')

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
