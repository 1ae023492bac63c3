"""Consent records and pending sign-ups (hand-written, in the generated style).

``consent_record``: which privacy notice version an account accepted, when,
in which language and where (sign-up, invitation, again at sign-in).
``pending_signup``: a doctor's sign-up held until the emailed link is
followed, so sign-up answers the same whether or not the address has an
account. Written with ``add_table``/``add_column`` (not raw SQL) so that
Piccolo's migration snapshot knows both tables; both engines.
"""

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-11-27T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "consent records and pending sign-ups"


class User(Table, tablename="app_user", schema=None):
    """The referenced table as it was (only its primary key matters here)."""


def _params(**overrides: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    }
    params.update(overrides)
    return params


def _varchar(length: int, **overrides: Any) -> tuple[type, dict[str, Any]]:
    return Varchar, _params(length=length, default=overrides.pop("default", ""), **overrides)


def _timestamptz(**overrides: Any) -> tuple[type, dict[str, Any]]:
    return Timestamptz, _params(default=overrides.pop("default", TimestamptzNow()), **overrides)


TABLES: dict[tuple[str, str], dict[str, tuple[type, dict[str, Any]]]] = {
    ("ConsentRecord", "consent_record"): {
        "user": (
            ForeignKey,
            _params(
                references=User,
                on_delete=OnDelete.cascade,
                on_update=OnUpdate.cascade,
                target_column=None,
                index=True,
            ),
        ),
        "notice_version": _varchar(20),
        "language": _varchar(5, default="en"),
        "via": _varchar(20),
        "accepted_at": _timestamptz(),
    },
    ("PendingSignup", "pending_signup"): {
        "email": _varchar(254, index=True),
        "full_name": _varchar(200),
        "password_hash": _varchar(255),
        "language": _varchar(5, default="en"),
        "notice_version": _varchar(20),
        "notice_accepted_at": _timestamptz(),
        "token_hash": _varchar(64, unique=True),
        "expires_at": _timestamptz(),
        "created_at": _timestamptz(),
    },
}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="matching", description=DESCRIPTION)
    for (class_name, tablename), columns in TABLES.items():
        manager.add_table(class_name=class_name, tablename=tablename, schema=None, columns=None)
        for name, (column_class, params) in columns.items():
            manager.add_column(
                table_class_name=class_name,
                tablename=tablename,
                column_name=name,
                db_column_name=name,
                column_class_name=column_class.__name__,
                column_class=column_class,
                params=params,
                schema=None,
            )
    return manager
