"""Reading in-app notifications: their facility named in both languages.

A notification stores an English msgid and its parameters; a parameter
``facility`` holds the facility's English name. :func:`with_facility_names`
adds ``facility_ar`` (unless already stored) so an Arabic reader sees the
facility's Arabic name, not the English one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from matching.db import json_object
from matching.facilities.tables import Facility


async def with_facility_names(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """``rows`` with ``params`` parsed and ``params["facility_ar"]`` filled where known."""
    out = []
    for row in rows:
        row = dict(row)
        row["params"] = dict(json_object(row.get("params")))
        out.append(row)
    names = {
        r["params"]["facility"]
        for r in out
        if isinstance(r["params"].get("facility"), str) and "facility_ar" not in r["params"]
    }
    if names:
        found = await Facility.select(Facility.name_en, Facility.name_ar).where(
            Facility.name_en.is_in(sorted(names))
        )
        arabic = {f["name_en"]: f["name_ar"] for f in found if f["name_ar"]}
        for r in out:
            name = r["params"].get("facility")
            if name in arabic and "facility_ar" not in r["params"]:
                r["params"]["facility_ar"] = arabic[name]
    return out
