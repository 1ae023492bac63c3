"""Language levels on needs and where a licence lets one practise (hand-written).

``need.language_levels``: comma-separated ``code:level`` pairs, the minimum level a
need asks for some of its languages (``ar:fluent``); a language of ``need.languages``
not listed accepts any level, so existing needs (empty) keep meaning "any level".
``licence.scope``: what a licence permits, ``foreign`` (any licence: remote work),
``syria_registration`` or ``syria_temporary_permit`` (valid for in-person work in
Syria once a coordinator verifies it). Existing licences are ``foreign``.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Text, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-27T21:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "need language levels, licence scope"

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
        column_name="language_levels",
        db_column_name="language_levels",
        column_class_name="Text",
        column_class=Text,
        params={"default": "", **_COMMON},
        schema=None,
    )
    manager.add_column(
        table_class_name="Licence",
        tablename="licence",
        column_name="scope",
        db_column_name="scope",
        column_class_name="Varchar",
        column_class=Varchar,
        params={"default": "foreign", "length": 24, **_COMMON},
        schema=None,
    )
    return manager
