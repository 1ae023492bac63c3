"""Indexes for the needs lists (hand-written, same style as the unique indexes).

The coordinators' list filters on status (open and partly filled by default)
and sorts by urgency or date; a head's lists and the facility page filter on
the facility. Plain composite indexes work on SQLite and PostgreSQL alike.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T03:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "needs list indexes"

INDEXES = {
    "need_facility_status_idx": ("need", ("facility", "status")),
    "need_status_created_at_idx": ("need", ("status", "created_at", "id")),
    "need_status_urgency_created_at_idx": ("need", ("status", "urgency", "created_at")),
    "need_status_starts_on_idx": ("need", ("status", "starts_on", "id")),
    "facility_head_facility_idx": ("facility_head", ("facility",)),
    "proposal_need_state_idx": ("proposal", ("need", "state")),
}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="matching", description=DESCRIPTION)

    async def create_indexes() -> None:
        engine = engine_finder()
        assert engine is not None
        for name, (table, columns) in INDEXES.items():
            cols = ", ".join(f'"{c}"' for c in columns)
            await engine._run_in_new_connection(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({cols})'
            )

    async def drop_indexes() -> None:
        engine = engine_finder()
        assert engine is not None
        for name in INDEXES:
            await engine._run_in_new_connection(f'DROP INDEX IF EXISTS "{name}"')

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
