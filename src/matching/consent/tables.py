"""Consent records: which privacy notice an account accepted, and when."""

from __future__ import annotations

from piccolo.columns import ForeignKey, OnDelete, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from matching.accounts.tables import User


class ConsentRecord(Table):
    """One acceptance of one notice version; never updated, only added."""

    user = ForeignKey(User, null=False, on_delete=OnDelete.cascade, index=True)
    notice_version = Varchar(length=20)
    language = Varchar(length=5, default="en")
    # Where it was given: "signup", "invitation" or "reconsent" (a new version, at sign-in).
    via = Varchar(length=20)
    accepted_at = Timestamptz(default=TimestamptzNow())
