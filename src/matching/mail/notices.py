"""Reading in-app notifications: their facility named in both languages.

A notification stores an English msgid and its parameters; a parameter
``facility`` holds the facility's English name. :func:`with_facility_names`
adds ``facility_ar`` (unless already stored) so an Arabic reader sees the
facility's Arabic name, not the English one. The names come from the caller's
lookup (:func:`matching.facilities.names.arabic_names`): mail sits below facilities.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from typing import Any

from matching.db import json_object

#: English facility names -> their Arabic names (those that have one).
ArabicNames = Callable[[Collection[str]], Awaitable[Mapping[str, str]]]


async def with_facility_names(
    rows: Sequence[dict[str, Any]], arabic_names: ArabicNames
) -> list[dict[str, Any]]:
    """``rows`` with ``params`` parsed and ``params["facility_ar"]`` filled where
    ``arabic_names`` knows the facility."""
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
        arabic = await arabic_names(names)
        for r in out:
            name = r["params"].get("facility")
            if name in arabic and "facility_ar" not in r["params"]:
                r["params"]["facility_ar"] = arabic[name]
    return out
