"""What crosses the outcomes seam: the filters in, facts from the domains, the report out."""

from __future__ import annotations

from datetime import date

from msgspec import Struct


class OutcomeFilters(Struct, kw_only=True, frozen=True):
    """A report's scope; ``None`` means every value. The period is inclusive."""

    starts_on: date | None = None
    ends_on: date | None = None
    district: str | None = None
    setting: str | None = None  # "urban" | "rural"
    specialty: str | None = None
    #: One facility's own outcomes (its page); not a filter a form offers.
    facility_id: int | None = None
    unreadable: dict[str, str] = {}


class Fact(Struct, kw_only=True, frozen=True):
    """One measured thing at one facility on one day.

    ``metric`` is a key of :data:`matching.outcomes.metrics.METRICS`. For a metric
    counted as distinct (doctors deployed, people trained), ``subject`` names what is
    counted once (``"doctor:12"``); for a mean (pre-to-post change), ``value`` is one
    observation.
    """

    metric: str
    facility_id: int
    on: date
    value: float = 1.0
    specialty: str = ""
    subject: str = ""


class Cell(Struct, kw_only=True):
    metric: str
    value: float


class Row(Struct, kw_only=True):
    """One line of a breakdown: ``key`` is a district code, "urban"/"rural" or a specialty
    code (labelled by the reader's language when shown)."""

    key: str
    values: dict[str, float]


class UnfilledReason(Struct, kw_only=True):
    reason: str
    needs: int


class OutcomeReport(Struct, kw_only=True):
    filters: OutcomeFilters
    metrics: list[str]
    totals: dict[str, float]
    by_district: list[Row]
    by_setting: list[Row]
    by_specialty: list[Row]
    unfilled_reasons: list[UnfilledReason]
