"""The specialty floor of a need: its acceptable specialties (hand-written).

``need.acceptable_specialties``: comma-separated specialty codes a head or a
coordinator chose; empty means the taxonomy's usual list for the need's
specialty and kind of work. ``need.any_specialty``: any specialty is welcome
(a general workshop). Existing needs keep the usual list.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean, Text
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-27T13:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "need acceptable specialties"

_COMMON = {
    "null": False,
    "primary_key": False,
    "unique": False,
    "index": False,
    "index_method": IndexMethod.btree,
    "choices": None,
    "db_column_name": None,
    "secret": False,
}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="matching", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Need",
        tablename="need",
        column_name="acceptable_specialties",
        db_column_name="acceptable_specialties",
        column_class_name="Text",
        column_class=Text,
        params={"default": "", **_COMMON},
        schema=None,
    )
    manager.add_column(
        table_class_name="Need",
        tablename="need",
        column_name="any_specialty",
        db_column_name="any_specialty",
        column_class_name="Boolean",
        column_class=Boolean,
        params={"default": False, **_COMMON},
        schema=None,
    )
    return manager
