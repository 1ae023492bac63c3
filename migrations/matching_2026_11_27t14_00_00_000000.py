"""What a facility provides a visiting doctor on site, and who receives them.

Four text columns on ``facility`` (empty by default), filled by the head on the
facility form and shown on the doctor's offer page: accommodation, transport,
security arrangements, and the role of the person who receives the doctor.
Plain ``ALTER TABLE ... ADD COLUMN`` works on SQLite and PostgreSQL alike.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T14:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "facility on-site provisions for visiting doctors"

COLUMNS = ("accommodation", "transport", "security", "receiver_role")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="matching", description=DESCRIPTION)

    async def add_columns() -> None:
        engine = engine_finder()
        assert engine is not None
        for column in COLUMNS:
            await engine._run_in_new_connection(
                f'ALTER TABLE "facility" ADD COLUMN "{column}" TEXT NOT NULL DEFAULT \'\''
            )

    async def drop_columns() -> None:
        engine = engine_finder()
        assert engine is not None
        for column in COLUMNS:
            await engine._run_in_new_connection(f'ALTER TABLE "facility" DROP COLUMN "{column}"')

    manager.add_raw(add_columns)
    manager.add_raw_backwards(drop_columns)
    return manager
