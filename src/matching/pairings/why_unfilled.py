"""Why a need has no candidate, in sentences a coordinator reads (dashboard and run page).

``REASONS``: one sentence per reason code of a run's ``unfillable`` entry (the
hard rule that alone excludes every doctor, ``no_doctors`` or ``combination``).
``EXCLUDED``: per hard rule, how many of the registered doctors it excludes, as a
sentence with ``%(n)s`` and ``%(total)s``. A rule without a sentence here (a rule
added later) falls back to :data:`EXCLUDED_OTHER` naming the rule's label.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from matching.i18n import N_

REASONS: Mapping[str, str] = {
    "mode": N_("No doctor offers this kind of help."),
    "language": N_("No doctor speaks a language this need asks for."),
    "availability": N_("No doctor is free when this need is."),
    "capacity": N_("Every doctor who could help is already at capacity."),
    "licence": N_("No doctor holds a verified licence valid for these dates."),
    "specialty": N_(
        "Not enough doctors of a specialty acceptable for this need: the place stays open"
        " (widen the acceptable specialties on the need to consider others)."
    ),
    "language_level": N_(
        "No doctor speaks a language this need asks for at the level it asks"
        " (lower the level on the need, or add a language, to consider others)."
    ),
    "syria_permission": N_(
        "No doctor holds a verified permission to practise in Syria (registration with"
        " the Syrian authorities or a temporary permit) valid for these dates."
    ),
    "district_open": N_(
        "The district is closed: in-person work there is not proposed"
        " (turn the mission into remote work, or wait until the district reopens)."
    ),
    "decided": N_("The doctors who could help were already refused, declined or chosen."),
    "no_doctors": N_("No doctor has registered yet."),
    "combination": N_(
        "Each doctor fails at least one rule, but no single rule excludes everybody."
    ),
}

EXCLUDED: Mapping[str, str] = {
    "mode": N_("%(n)s of %(total)s doctors do not offer this kind of help"),
    "language": N_("%(n)s of %(total)s doctors do not speak a language it asks for"),
    "availability": N_("%(n)s of %(total)s doctors are not free when it is"),
    "capacity": N_("%(n)s of %(total)s doctors have no capacity left"),
    "licence": N_("%(n)s of %(total)s doctors hold no verified licence valid for it"),
    "specialty": N_("%(n)s of %(total)s doctors have no specialty acceptable for it"),
    "language_level": N_(
        "%(n)s of %(total)s doctors do not speak its languages at the level it asks"
    ),
    "syria_permission": N_(
        "%(n)s of %(total)s doctors hold no verified permission to practise in Syria for it"
    ),
    "district_open": N_("%(n)s of %(total)s doctors: the district is closed to in-person work"),
}
#: A team mission's role nobody can take (``role``: its specialty, named in the sentence).
TEAM_ROLE = N_(
    "Team role not filled: %(role)s. A team is proposed all together or not at all,"
    " so the whole team stays open."
)
EXCLUDED_OTHER = N_("%(n)s of %(total)s doctors are excluded by another rule")
UNKNOWN_REASON = N_("Each doctor fails at least one rule, but no single rule excludes everybody.")


@dataclass(frozen=True, slots=True)
class Exclusion:
    """One line of "doctors excluded, per rule": an English msgid and its numbers."""

    message: str
    n: int
    total: int


def reason_message(code: str) -> str:
    return REASONS.get(code, UNKNOWN_REASON)


def exclusions(eliminated: Mapping[str, Any], total: int) -> list[Exclusion]:
    """The rules that exclude at least one doctor, most excluding first."""
    rows = [(rule, int(n)) for rule, n in eliminated.items() if int(n or 0) > 0]
    rows.sort(key=lambda item: -item[1])
    return [Exclusion(EXCLUDED.get(rule, EXCLUDED_OTHER), n, max(total, n)) for rule, n in rows]
