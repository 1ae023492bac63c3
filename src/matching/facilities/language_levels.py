"""The minimum level a need asks for each of its languages: stored, read and checked.

Stored in ``need.language_levels`` as ``code:level`` pairs joined by commas
(``ar:fluent,en:working``); a language of the need without a pair accepts any
level, so needs stored before levels existed keep meaning "any level". Levels are
those of doctors' languages, lowest first (:data:`LANGUAGE_LEVELS`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from matching.i18n import N_, Message
from matching.ranking.weights import LANGUAGE_LEVELS

__all__ = [
    "CELL_PROBLEM",
    "LANGUAGE_LEVELS",
    "check",
    "from_cells",
    "parse",
    "stored",
]

#: A ``language_levels`` cell that does not read as ``code:level`` pairs.
CELL_PROBLEM = N_("write each language with its level, e.g. ar:fluent; en:working")


def parse(text: str) -> dict[str, str]:
    """Stored (or typed) ``code:level`` pairs as code -> level; pairs missing a part are left
    out (a channel reports them: :func:`from_cells`)."""
    out: dict[str, str] = {}
    for item in text.replace(";", ",").split(","):
        code, _, level = item.strip().partition(":")
        if code.strip() and level.strip():
            out[code.strip()] = level.strip()
    return out


def stored(levels: Mapping[str, str]) -> str:
    """code -> level as the stored text, codes sorted."""
    return ",".join(f"{code}:{levels[code]}" for code in sorted(levels))


def from_cells(
    data: Mapping[str, Any], languages: list[str], unreadable: dict[str, str]
) -> dict[str, str]:
    """The levels the text channels give: a ``level_<code>`` select beside each ticked
    language (the form; empty: any level) and a ``language_levels`` cell (CSV:
    ``ar:fluent; en:working``)."""
    out: dict[str, str] = {}
    cell = data.get("language_levels")
    if isinstance(cell, str) and cell.strip():
        items = [i.strip() for i in cell.replace(";", ",").split(",") if i.strip()]
        if any(":" not in item for item in items):
            unreadable["language_levels"] = CELL_PROBLEM
        out.update(parse(cell))
    for code in languages:
        value = data.get(f"level_{code}")
        if isinstance(value, list):
            value = value[0] if value else ""
        if value and str(value).strip():
            out[code] = str(value).strip()
    return out


def check(levels: Mapping[str, str], languages: list[str], errors: dict[str, Any]) -> str:
    """Each level known and each for one of the need's ``languages``; the stored text.

    A problem goes to ``errors["language_levels"]``.
    """
    for code, level in sorted(levels.items()):
        if level not in LANGUAGE_LEVELS:
            errors["language_levels"] = Message(
                "unknown level for %(code)s: choose basic, working, fluent or native", code=code
            )
            return ""
        if code not in languages:
            errors["language_levels"] = Message(
                "a level for %(code)s, a language the need does not ask for", code=code
            )
            return ""
    return stored(levels)
