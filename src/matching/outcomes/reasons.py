"""Why needs stay unfilled, as sentences in the reader's language."""

from __future__ import annotations

from matching.i18n import N_, gettext
from matching.pairings.why_unfilled import REASONS

#: An unfilled need the latest run did not report unfillable: proposals wait for a
#: decision, or no full run has ranked it yet.
WAITING = N_("Proposed, or not yet ranked: waiting for a coordinator, a doctor or a run.")


def reason_sentence(reason: str, language: str) -> str:
    if reason == "waiting":
        return gettext(language, WAITING)
    return gettext(language, REASONS.get(reason, REASONS["combination"]))
