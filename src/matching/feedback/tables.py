"""Table ``pairing_feedback``: one rating per side of a pairing (doctor, facility)."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import ForeignKey, OnDelete, SmallInt, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from matching.accounts.tables import User
from matching.pairings.tables import Proposal


class Side(StrEnum):
    DOCTOR = "doctor"
    FACILITY = "facility"


class PairingFeedback(Table, tablename="pairing_feedback"):
    pairing = ForeignKey(Proposal, null=False, on_delete=OnDelete.cascade)
    side = Varchar(length=10, choices=Side)
    rating = SmallInt()
    comment = Text(default="")
    author = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
