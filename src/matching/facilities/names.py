"""Facilities' Arabic names by their English names (a read others pass on)."""

from __future__ import annotations

from collections.abc import Collection

from matching.facilities.tables import Facility


async def arabic_names(english: Collection[str]) -> dict[str, str]:
    """English name -> Arabic name, for the facilities in ``english`` that have one."""
    if not english:
        return {}
    found = await Facility.select(Facility.name_en, Facility.name_ar).where(
        Facility.name_en.is_in(sorted(english))
    )
    return {f["name_en"]: f["name_ar"] for f in found if f["name_ar"]}
