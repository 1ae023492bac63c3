"""The services part of the coordinators' coverage page: its data and its colours."""

from __future__ import annotations

from typing import Any

from matching.i18n import N_
from matching.services.overview import service_coverage

#: Colours of the map's facilities (SVG attributes: the page's CSP allows no inline style).
MAP_COLOURS = {
    "gap_and_need": "#b3261e",
    "gap": "#e08a00",
    "need": "#1f5fae",
    "clear": "#2e7d4f",
}
MAP_LEGEND = (
    ("gap_and_need", N_("Service gaps and open needs")),
    ("gap", N_("Service gaps, no open need")),
    ("need", N_("Open needs, no service gap")),
    ("clear", N_("No gap reported, no open need")),
)


async def services_context() -> dict[str, Any]:
    """What ``services/_coverage.html`` reads."""
    return {
        "services": await service_coverage(),
        "map_colours": MAP_COLOURS,
        "map_legend": MAP_LEGEND,
    }
