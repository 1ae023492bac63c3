"""The grid by district and the governorate's map, for the coverage page.

The map is drawn from what the platform holds: each facility's stored latitude and
longitude, projected onto an SVG (equirectangular, longitudes shrunk by the cosine
of the middle latitude so that distances east-west and north-south keep their
ratio), inside the outline kept in ``homs_outline.json`` (with its source). No tiles,
no script: the template draws circles and text.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources

from matching.facilities.tables import District, Facility, Need
from matching.services.areas import AREAS, ServiceStatus
from matching.services.grid import current_statuses
from matching.services.schemas import (
    DistrictServices,
    MapLabel,
    MapPoint,
    ServiceCoverage,
    ServiceMap,
    UnplacedFacility,
)

#: The map's width in SVG units; its height follows the governorate's shape.
MAP_WIDTH = 600.0
#: Room around the outline, in SVG units.
MAP_PAD = 12.0
#: Needs that still look for doctors colour a facility.
OPEN_NEED_STATUSES = ("open", "partly_filled")
CATEGORIES = ("gap_and_need", "gap", "need", "clear")


@dataclass(frozen=True)
class Projection:
    """Longitude and latitude to SVG x and y (y grows southwards)."""

    west: float
    north: float
    scale: float  # SVG units per degree of latitude
    shrink: float  # cos(middle latitude): a degree of longitude is shorter

    def __call__(self, longitude: float, latitude: float) -> tuple[float, float]:
        x = MAP_PAD + (longitude - self.west) * self.shrink * self.scale
        y = MAP_PAD + (self.north - latitude) * self.scale
        return round(x, 1), round(y, 1)


@cache
def outline() -> dict:
    """The stored outline: ``points`` and ``district_seats`` as [longitude, latitude]."""
    text = resources.files("matching.services").joinpath("homs_outline.json").read_text("utf-8")
    return json.loads(text)


def projection(extra: list[tuple[float, float]] = ()) -> tuple[Projection, float, float]:
    """The projection that fits the outline (and any ``extra`` (lon, lat) points) into
    :data:`MAP_WIDTH`; with the viewBox's width and height."""
    points = [tuple(p) for p in outline()["points"]] + list(extra)
    west, east = min(p[0] for p in points), max(p[0] for p in points)
    south, north = min(p[1] for p in points), max(p[1] for p in points)
    shrink = math.cos(math.radians((north + south) / 2))
    scale = (MAP_WIDTH - 2 * MAP_PAD) / ((east - west) * shrink)
    height = 2 * MAP_PAD + (north - south) * scale
    return Projection(west, north, scale, shrink), MAP_WIDTH, round(height, 1)


def category(open_needs: int, gaps: int) -> str:
    """How a facility is coloured: by its service gaps and its open needs."""
    if gaps and open_needs:
        return "gap_and_need"
    if gaps:
        return "gap"
    return "need" if open_needs else "clear"


async def _open_needs() -> dict[int, int]:
    rows = await Need.raw(
        'SELECT "facility", COUNT(*) AS "n" FROM "need" WHERE "status" IN ({}, {}) '
        'GROUP BY "facility"',
        *OPEN_NEED_STATUSES,
    ).run()
    return {int(row["facility"]): int(row["n"]) for row in rows}


async def service_coverage() -> ServiceCoverage:
    """Counts of area statuses per district, and the map (for coordinators)."""
    facilities = (
        await Facility.select(
            Facility.id,
            Facility.name_en,
            Facility.name_ar,
            Facility.district,
            Facility.latitude,
            Facility.longitude,
        )
        .order_by(Facility.name_en)
        .order_by(Facility.id)
        .run()
    )
    statuses = await current_statuses()
    open_needs = await _open_needs()
    districts = {d.value: DistrictServices(district=d.value, facilities=0) for d in District}
    gaps: dict[int, int] = {}
    for facility in facilities:
        counts = districts.setdefault(
            facility["district"], DistrictServices(district=facility["district"], facilities=0)
        )
        counts.facilities += 1
        for area in AREAS:
            status = statuses.get((facility["id"], area.code), ("", ""))[0]
            if status == ServiceStatus.AVAILABLE:
                counts.available += 1
            elif status == ServiceStatus.PARTLY:
                counts.partly += 1
            elif status == ServiceStatus.NOT_AVAILABLE:
                counts.not_available += 1
            else:
                counts.not_reported += 1
            if status in (ServiceStatus.PARTLY, ServiceStatus.NOT_AVAILABLE):
                gaps[facility["id"]] = gaps.get(facility["id"], 0) + 1
    placed = [f for f in facilities if f["latitude"] is not None and f["longitude"] is not None]
    project, width, height = projection([(f["longitude"], f["latitude"]) for f in placed])
    points = []
    for facility in placed:
        x, y = project(facility["longitude"], facility["latitude"])
        needs, gap = open_needs.get(facility["id"], 0), gaps.get(facility["id"], 0)
        points.append(
            MapPoint(
                facility_id=facility["id"],
                name_en=facility["name_en"],
                name_ar=facility["name_ar"],
                district=facility["district"],
                x=x,
                y=y,
                open_needs=needs,
                gaps=gap,
                category=category(needs, gap),
            )
        )
    unplaced = [
        UnplacedFacility(
            facility_id=f["id"],
            name_en=f["name_en"],
            name_ar=f["name_ar"],
            district=f["district"],
            open_needs=open_needs.get(f["id"], 0),
            gaps=gaps.get(f["id"], 0),
            category=category(open_needs.get(f["id"], 0), gaps.get(f["id"], 0)),
        )
        for f in facilities
        if f["latitude"] is None or f["longitude"] is None
    ]
    places = outline()["label_places"]
    labels = []
    for code, (lon, lat) in outline()["district_seats"].items():
        x, y = project(lon, lat)
        dx, dy, side = places.get(code, (0, -11, "centre"))
        labels.append(MapLabel(district=code, seat_x=x, seat_y=y, x=x + dx, y=y + dy, side=side))
    detail, zoom = _detail(project, points, labels, width)
    shape = " ".join(f"{x},{y}" for x, y in (project(*p) for p in outline()["points"]))
    return ServiceCoverage(
        districts=list(districts.values()),
        map=ServiceMap(
            width=width,
            height=height,
            outline=shape,
            points=points,
            labels=labels,
            unplaced=unplaced,
            detail=detail,
            detail_zoom=zoom,
        ),
    )


#: Room around the enlarged part, in SVG units.
DETAIL_PAD = 30.0


def _detail(
    project: Projection, points: list[MapPoint], labels: list[MapLabel], width: float
) -> tuple[str, float]:
    """The viewBox of the map's crowded west (facilities and district seats west of the
    outline's ``detail_west_of``) and its zoom; ``("", 1.0)`` when nothing is there."""
    cut, _ = project(outline()["detail_west_of"], 0.0)
    xs = [p.x for p in points if p.x < cut] + [
        label.seat_x for label in labels if label.seat_x < cut
    ]
    ys = [p.y for p in points if p.x < cut] + [
        label.seat_y for label in labels if label.seat_x < cut
    ]
    if not xs:
        return "", 1.0
    left, top = min(xs) - DETAIL_PAD, min(ys) - DETAIL_PAD
    box_width = max(max(xs) - min(xs) + 2 * DETAIL_PAD, width / 6)
    box_height = max(max(ys) - min(ys) + 2 * DETAIL_PAD, box_width / 2)
    zoom = round(width / box_width, 2)
    return f"{left:.1f} {top:.1f} {box_width:.1f} {box_height:.1f}", zoom
