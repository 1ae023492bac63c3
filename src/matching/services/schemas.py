"""What crosses the services domain's seams: the grid to save, its views, the map."""

from __future__ import annotations

from datetime import datetime

from msgspec import Struct


class AreaStatusDraft(Struct, kw_only=True):
    """One area's status as a head gives it (``status`` empty: not reported)."""

    area: str
    status: str = ""
    cause: str = ""


class ServiceGridChange(Struct, kw_only=True):
    """A save of the grid. ``seen_version`` is the grid's version the form was read at
    (``None``: do not check); a save over a newer grid is refused (409)."""

    statuses: list[AreaStatusDraft]
    seen_version: int | None = None
    unreadable: dict[str, str] = {}


class AreaStatusView(Struct, kw_only=True):
    """An area's current status (``status`` empty: never reported)."""

    area: str
    specialty: str
    status: str = ""
    cause: str = ""
    recorded_at: datetime | None = None
    recorded_by: str = ""


class NeedSuggestion(Struct, kw_only=True):
    """A need a gap suggests: ``kind`` of ``specialty`` for ``area``; ``need_id`` is the
    live need of that kind and specialty the facility already has, if any."""

    area: str
    kind: str
    specialty: str
    cause: str
    need_id: int | None = None


class ServiceHistoryItem(Struct, kw_only=True):
    area: str
    status: str
    cause: str
    recorded_at: datetime
    recorded_by: str


class ServiceGridView(Struct, kw_only=True):
    facility_id: int
    version: int
    areas: list[AreaStatusView]
    suggestions: list[NeedSuggestion] = []
    history: list[ServiceHistoryItem] = []


class SuggestedNeedDraft(Struct, kw_only=True):
    """Post the need a gap suggests (kind and area as the grid offered them)."""

    area: str
    kind: str
    language: str = "en"  # the language of the title and description written


class DistrictServices(Struct, kw_only=True):
    """Counts of (facility, area) current statuses in a district."""

    district: str
    facilities: int
    available: int = 0
    partly: int = 0
    not_available: int = 0
    not_reported: int = 0


class MapPoint(Struct, kw_only=True):
    """A facility on the map: its place in the SVG and what colours it."""

    facility_id: int
    name_en: str
    name_ar: str
    district: str
    x: float
    y: float
    open_needs: int
    gaps: int
    category: str  # gap_and_need | gap | need | clear


class MapLabel(Struct, kw_only=True):
    """A district's name on the map: its seat at (``seat_x``, ``seat_y``), the text at
    (``x``, ``y``) on ``side`` of it (``left``, ``right`` or ``centre``)."""

    district: str
    seat_x: float
    seat_y: float
    x: float
    y: float
    side: str = "centre"


class UnplacedFacility(Struct, kw_only=True):
    facility_id: int
    name_en: str
    name_ar: str
    district: str
    open_needs: int
    gaps: int
    category: str


class ServiceMap(Struct, kw_only=True):
    """The governorate's map: a viewBox of ``width`` x ``height``, the outline's points
    (``"x,y x,y ..."``), the facilities placed, the district labels, and the facilities
    that have no coordinates."""

    width: float
    height: float
    outline: str
    points: list[MapPoint]
    labels: list[MapLabel]
    unplaced: list[UnplacedFacility]
    #: The enlarged part (the crowded west) as a viewBox ``"x y width height"`` in the same
    #: units, and how much it enlarges; empty when there is nothing to enlarge.
    detail: str = ""
    detail_zoom: float = 1.0


class ServiceCoverage(Struct, kw_only=True):
    districts: list[DistrictServices]
    map: ServiceMap
