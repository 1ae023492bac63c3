"""Table ``district_access``: one row per status a coordinator set for a district.

The history is kept; the row with the highest ``seq`` of a district is its status
(a district without any row is open). ``(district, seq)`` is unique, so two
coordinators setting the same district at once cannot both write the same next
row: the second one's insert is refused and it reads again (see
:func:`matching.districts.services.record_access`).
"""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import Date, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from matching.accounts.tables import User
from matching.facilities.tables import District


class AccessStatus(StrEnum):
    OPEN = "open"
    RESTRICTED = "restricted"
    CLOSED = "closed"


class DistrictAccess(Table, tablename="district_access"):
    district = Varchar(length=20, choices=District)
    seq = Integer()
    status = Varchar(length=12, choices=AccessStatus)
    effective_on = Date()
    note = Text(default="")
    set_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
