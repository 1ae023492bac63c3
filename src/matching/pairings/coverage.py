"""Coverage at a glance: needs by district, specialty and urban/rural; unfillable needs.

Charts are plain numbers here; the dashboard template draws them as SVG.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from matching.db import json_object
from matching.facilities.tables import Need
from matching.i18n import N_
from matching.pairings.tables import Proposal, RankingRun

# A need's coverage bucket: confirmed beats proposed beats open.
BUCKETS = ("open", "proposed", "confirmed")
LIVE_STATUSES = ["open", "partly_filled", "filled"]


@dataclass
class Bar:
    label: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class Coverage:
    by_district: list[Bar]
    by_specialty: list[Bar]
    by_setting: list[Bar]
    unfillable: list[dict[str, Any]] = field(default_factory=list)
    unfillable_note: str = ""

    @property
    def max_total(self) -> int:
        return max([b.total for b in self.by_district + self.by_specialty + self.by_setting] + [1])


def _bars(groups: dict[str, dict[str, int]]) -> list[Bar]:
    return [
        Bar(label, {b: counts.get(b, 0) for b in BUCKETS})
        for label, counts in sorted(groups.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    ]


async def coverage() -> Coverage:
    needs = await Need.select(
        Need.id,
        Need.title,
        Need.specialty,
        Need.facility.name_en.as_alias("facility_en"),
        Need.facility.name_ar.as_alias("facility_ar"),
        Need.facility.district.as_alias("district"),
        Need.facility.rural.as_alias("rural"),
    ).where(Need.status.is_in(LIVE_STATUSES))
    states = await Proposal.select(Proposal.need, Proposal.state).where(
        Proposal.state.is_in(["proposed", "approved", "accepted", "confirmed"])
    )
    best: dict[int, str] = {}
    for row in states:
        bucket = "confirmed" if row["state"] == "confirmed" else "proposed"
        if best.get(row["need"]) != "confirmed":
            best[row["need"]] = bucket
    district: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    specialty: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    setting: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for need in needs:
        bucket = best.get(need["id"], "open")
        district[need["district"]][bucket] += 1
        specialty[need["specialty"]][bucket] += 1
        setting["rural" if need["rural"] else "urban"][bucket] += 1
    result = Coverage(_bars(district), _bars(specialty), _bars(setting))
    result.unfillable, result.unfillable_note = await _unfillable({n["id"]: n for n in needs})
    return result


async def latest_unfillable_reasons() -> dict[int, list[str]]:
    """Reason codes by need id, from the latest finished full run (empty before one)."""
    run = (
        await RankingRun.select(RankingRun.outcome)
        .where(RankingRun.status == "succeeded", RankingRun.kind != "one_need")
        .order_by(RankingRun.id, ascending=False)
        .first()
    )
    if run is None:
        return {}
    return {
        int(entry.get("need_id", -1)): list(entry.get("reasons") or ["combination"])
        for entry in (json_object(run["outcome"]) or {}).get("unfillable", [])
    }


async def _unfillable(needs: dict[int, dict[str, Any]]) -> tuple[list[dict[str, Any]], str]:
    """Unfillable needs, from the latest finished full run's ``outcome`` column."""
    # A one-need run only speaks for its need: read the latest run over all needs.
    run = (
        await RankingRun.select(RankingRun.id, RankingRun.outcome)
        .where(RankingRun.status == "succeeded", RankingRun.kind != "one_need")
        .order_by(RankingRun.id, ascending=False)
        .first()
    )
    if run is None:
        return [], N_("No ranking run has finished yet.")
    outcome = json_object(run["outcome"])
    items = []
    for entry in (outcome or {}).get("unfillable", []):
        need = needs.get(int(entry.get("need_id", -1)))
        if need is None:
            continue
        items.append(
            {
                "need_id": need["id"],
                "need": need,
                "doctors": int(entry.get("doctors") or 0),
                "reasons": list(entry.get("reasons") or ["combination"]),
                "eliminated": dict(entry.get("eliminated") or {}),
                # "N of M places stay open" (runs before the specialty floor lack them)
                "places_left": int(entry.get("places_left") or 0),
                "eligible": int(entry.get("eligible") or 0),
                "role": str(entry.get("role") or ""),
                "language_gaps": list(entry.get("language_gaps") or []),
            }
        )
    return items, ""
