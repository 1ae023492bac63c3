"""Table ``facility_service``: dated status rows per facility and service area.

Rows are never updated: each change adds a row, so the history stays; the row with
the highest id for a (facility, area) is the current status.
"""

from __future__ import annotations

from piccolo.columns import ForeignKey, OnDelete, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from matching.accounts.tables import User
from matching.facilities.tables import Facility
from matching.services.areas import ServiceStatus


class FacilityService(Table, tablename="facility_service"):
    facility = ForeignKey(Facility, null=False, on_delete=OnDelete.cascade)
    area = Varchar(length=32)  # a code of matching.services.areas.AREAS
    status = Varchar(length=16, choices=ServiceStatus)
    cause = Varchar(length=24, default="")  # a ServiceCause, empty when available
    recorded_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    recorded_at = Timestamptz(default=TimestamptzNow())
