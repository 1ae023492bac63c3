"""What crosses the districts domain's seams: a status to set, and its views."""

from __future__ import annotations

from datetime import date, datetime

from msgspec import Struct


class AccessCommand(Struct, kw_only=True):
    """A coordinator sets a district's access status from a date, with a note."""

    district: str
    status: str
    effective_on: date | None = None
    note: str = ""
    #: Fields the edge could not read (an unreadable date), by name.
    unreadable: dict[str, str] = {}


class AccessView(Struct, kw_only=True):
    """One row of a district's history (or its default: open, never set)."""

    district: str
    status: str
    effective_on: date | None
    note: str
    set_by_name: str
    created_at: datetime | None
    seq: int


class AccessRecorded(Struct, kw_only=True):
    """What :func:`~matching.districts.services.record_access` wrote: the new row and
    the status the district had before it."""

    row: AccessView
    before: str

    @property
    def closes(self) -> bool:
        """The district becomes closed with this row (it was not before)."""
        return self.row.status == "closed" and self.before != "closed"
