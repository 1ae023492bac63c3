"""Apply and check Piccolo migrations (``make migrate`` runs :func:`apply_migrations`)."""

from __future__ import annotations

from pathlib import Path

from piccolo.apps.migrations.commands.base import BaseMigrationManager
from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.apps.migrations.tables import Migration
from piccolo.conf.apps import Finder

APP_NAME = "matching"
MIGRATE_COMMAND = "python -m web migrate"


class DatabaseNotMigrated(RuntimeError):
    """The database lacks migrations the code needs."""


class MigrationsMissing(RuntimeError):
    """The code's own migrations folder is missing (a broken installation)."""


def known_migration_ids() -> list[str]:
    app_config = Finder().get_app_config(APP_NAME)
    folder = Path(app_config.resolved_migrations_folder_path)
    if not folder.is_dir() or not any(folder.glob("*.py")):
        raise MigrationsMissing(
            f"the migrations folder {folder} is missing: this installation lacks the "
            "package's migrations (install the wheel built from the repository: `pip install .`)"
        )
    manager = BaseMigrationManager()
    modules = manager.get_migration_modules(str(folder))
    return manager.get_migration_ids(modules)


async def applied_migration_ids() -> set[str]:
    if not await Migration.table_exists().run():
        return set()
    rows = await Migration.select(Migration.name).where(Migration.app_name == APP_NAME).run()
    return {row["name"] for row in rows}


async def pending_migrations() -> list[str]:
    applied = await applied_migration_ids()
    return [m for m in known_migration_ids() if m not in applied]


async def ensure_migrated() -> None:
    """Raise :class:`DatabaseNotMigrated` naming the command to run."""
    pending = await pending_migrations()
    if pending:
        raise DatabaseNotMigrated(
            f"the database has {len(pending)} migration(s) not applied "
            f"(first: {pending[0]}); run `{MIGRATE_COMMAND}` (`make migrate` in a checkout) first"
        )


async def apply_migrations() -> int:
    """Apply every pending migration; return how many ran."""
    pending = await pending_migrations()
    if pending:
        response = await run_forwards(app_name=APP_NAME, migration_id="all")
        if not response.success:
            raise RuntimeError(f"migrations failed: {response.message}")
    return len(pending)
