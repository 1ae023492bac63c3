"""Tables ``reminder_digest`` (one per person per local day) and ``reminder_item``
(each item sent once, in the digest that carried it)."""

from __future__ import annotations

from piccolo.columns import Date, ForeignKey, OnDelete, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from matching.accounts.tables import User


class ReminderDigest(Table, tablename="reminder_digest"):
    user = ForeignKey(User, null=False, on_delete=OnDelete.cascade)
    day = Date()
    created_at = Timestamptz(default=TimestamptzNow())


class ReminderItemSent(Table, tablename="reminder_item"):
    user = ForeignKey(User, null=False, on_delete=OnDelete.cascade)
    key = Varchar(length=120)
    digest = ForeignKey(ReminderDigest, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
