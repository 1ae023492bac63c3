"""Outgoing mail (an outbox delivered by a job) and in-app notifications."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import JSON, ForeignKey, OnDelete, SmallInt, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table

#: The account table, named rather than imported: accounts sits above this module
#: (accounts writes audit events and mail), so the foreign key resolves lazily.
USER = LazyTableReference("User", module_path="matching.accounts.tables")


class MailStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMail(Table):
    recipient = Varchar(length=254)
    subject = Varchar(length=300)
    body_text = Text()
    body_html = Text()
    language = Varchar(length=5, default="en")
    status = Varchar(length=10, choices=MailStatus, default=MailStatus.QUEUED, index=True)
    attempts = SmallInt(default=0)
    last_error = Text(default="")
    next_attempt_at = Timestamptz(default=TimestamptzNow())
    created_at = Timestamptz(default=TimestamptzNow())
    sent_at = Timestamptz(null=True, default=None)


class Notification(Table):
    user = ForeignKey(USER, null=False, on_delete=OnDelete.cascade)
    message = Text()
    params = JSON(default="{}")
    link = Varchar(length=300, default="")
    read_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
