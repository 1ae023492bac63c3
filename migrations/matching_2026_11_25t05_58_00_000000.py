"""Indexes on the foreign keys that pages read by (hand-written, like the others).

Piccolo does not index foreign keys, and PostgreSQL does not either: a
doctor's overview counted their licences, slots and travel windows, and found
their proposals and notifications, by scanning whole tables. Plain indexes
work on SQLite and PostgreSQL alike.

The coordinators' default list (open needs, most urgent first) sorts by a CASE
over the urgency, which no column index serves: every page sorted all open
needs. A partial index on that same expression (SQLite and PostgreSQL both
have expression and partial indexes) lets the first page read 25 index rows.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T05:58:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "foreign key indexes for the doctor pages"

INDEXES = {
    "licence_doctor_idx": ("licence", ("doctor", "state")),
    "travel_window_doctor_idx": ("travel_window", ("doctor", "ends_on")),
    "weekly_slot_doctor_idx": ("weekly_slot", ("doctor",)),
    "proposal_doctor_state_idx": ("proposal", ("doctor", "state")),
    "notification_user_idx": ("notification", ("user", "id")),
}
# The same expression as ``_URGENCY_RANK`` in matching.facilities.need_queries, with the
# column unqualified (SQLite refuses "need"."urgency" in an index; both engines
# resolve the two spellings to the same column when matching a query to the index).
URGENCY_RANK = "CASE \"urgency\" WHEN 'critical' THEN 0 WHEN 'urgent' THEN 1 ELSE 2 END"
OPEN_BY_URGENCY = (
    'CREATE INDEX IF NOT EXISTS "need_open_urgency_idx" ON "need" '
    f'(({URGENCY_RANK}), "created_at" DESC, "id" DESC) '
    "WHERE \"status\" IN ('open', 'partly_filled')"
)


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
        await engine._run_in_new_connection(OPEN_BY_URGENCY)

    async def drop_indexes() -> None:
        engine = engine_finder()
        assert engine is not None
        for name in [*INDEXES, "need_open_urgency_idx"]:
            await engine._run_in_new_connection(f'DROP INDEX IF EXISTS "{name}"')

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
