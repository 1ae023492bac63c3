"""The service grid's HTML form decoded into the domain's command."""

from __future__ import annotations

from typing import Any

from matching.i18n import N_
from matching.services.areas import AREAS
from matching.services.schemas import AreaStatusDraft, ServiceGridChange


def grid_from_form(data: dict[str, Any]) -> ServiceGridChange:
    """One ``status_<area>`` and ``cause_<area>`` per area, and the ``version`` read."""
    unreadable: dict[str, str] = {}
    version_text = str(data.get("version", "")).strip()
    version: int | None = None
    if version_text:
        if version_text.isdigit() and len(version_text) < 12:
            version = int(version_text)
        else:
            unreadable["version"] = N_("must be a whole number")
    statuses = [
        AreaStatusDraft(
            area=area.code,
            status=_text(data.get(f"status_{area.code}")),
            cause=_text(data.get(f"cause_{area.code}")),
        )
        for area in AREAS
    ]
    return ServiceGridChange(statuses=statuses, seen_version=version, unreadable=unreadable)


def grid_values(data: dict[str, Any]) -> dict[str, str]:
    """What the user chose, to put back in the form."""
    return {
        f"{part}_{area.code}": _text(data.get(f"{part}_{area.code}"))
        for area in AREAS
        for part in ("status", "cause")
    }


def _text(value: object) -> str:
    if isinstance(value, list):  # a field sent twice: the last one
        value = value[-1] if value else ""
    return "" if value is None else str(value)[:64]
