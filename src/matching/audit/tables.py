"""The audit trail: append-only, never edited through the app."""

from __future__ import annotations

from piccolo.columns import JSON, ForeignKey, Integer, OnDelete, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table

#: The account table, named rather than imported: accounts sits above this module
#: (accounts writes audit events and mail), so the foreign key resolves lazily.
USER = LazyTableReference("User", module_path="matching.accounts.tables")


class AuditEvent(Table):
    actor = ForeignKey(USER, null=True, on_delete=OnDelete.set_null)
    actor_label = Varchar(length=200, default="system")
    action = Varchar(length=64, index=True)
    subject_type = Varchar(length=32, index=True)
    subject_id = Integer(null=True, default=None, index=True)
    before = JSON(default="{}")
    after = JSON(default="{}")
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
