"""Composite unique indexes (hand-written).

Piccolo's ``Unique`` constraint is added with ``ALTER TABLE ... ADD
CONSTRAINT``, which SQLite does not support; a unique index does the same job
on both engines and is what ``ON CONFLICT (...)`` upserts target.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T03:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite unique indexes"

UNIQUE_INDEXES = {
    "facility_head_user_facility_key": ("facility_head", ("user", "facility")),
    "doctor_language_doctor_code_key": ("doctor_language", ("doctor", "code")),
    "doctor_specialty_doctor_code_key": ("doctor_specialty", ("doctor", "code")),
    "doctor_skill_doctor_code_key": ("doctor_skill", ("doctor", "code")),
    "need_skill_need_code_key": ("need_skill", ("need", "code")),
    # One proposal per (run, need, doctor): a run delivered twice writes nothing new.
    "proposal_run_need_doctor_key": ("proposal", ("run", "need", "doctor")),
    "need_interest_doctor_need_key": ("need_interest", ("doctor", "need")),
}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="matching", description=DESCRIPTION)

    async def create_indexes() -> None:
        engine = engine_finder()
        assert engine is not None
        for name, (table, columns) in UNIQUE_INDEXES.items():
            cols = ", ".join(f'"{c}"' for c in columns)
            await engine._run_in_new_connection(
                f'CREATE UNIQUE INDEX IF NOT EXISTS "{name}" ON "{table}" ({cols})'
            )

    async def drop_indexes() -> None:
        engine = engine_finder()
        assert engine is not None
        for name in UNIQUE_INDEXES:
            await engine._run_in_new_connection(f'DROP INDEX IF EXISTS "{name}"')

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
