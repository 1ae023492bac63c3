"""What a ranking run will write: pure planners over the engine, no database.

Each planner takes what the run loaded and returns a :class:`RunPlan`; all three
run in a worker thread (:mod:`matching.pairings.run_execution`), never on the
event loop.

* :func:`plan_full`: every open need at once, exact assignment (full, scheduled);
* :func:`plan_one_need`: one need against the prepared doctor arrays (its best
  ``places_left`` candidates);
* :func:`plan_stable`: doctors' ranked interests x needs' score order, deferred
  acceptance.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from matching.pairings.loader import LoadedInputs
from matching.ranking import HARD_RULES, DoctorArrays, NeedInput, rank, rank_one_need
from matching.ranking.learned import LearnedModel
from matching.stable import deferred_acceptance


@dataclass(frozen=True, slots=True)
class PlannedProposal:
    need_id: int
    doctor_id: int
    score: float
    rank: int
    explanation: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RunPlan:
    """What a run will write: proposals and its outcome JSON."""

    proposals: list[PlannedProposal]
    outcome: dict[str, Any]
    doctors: int
    needs: list[int]


def _unfillable_dict(u: Any) -> dict[str, Any]:
    return {
        "need_id": int(u.need_id),
        "doctors": int(u.doctors),
        "eliminated": {k: int(v) for k, v in u.eliminated.items()},
        "reasons": list(u.reasons),
        "places_left": int(u.places_left),
        "eligible": int(u.eligible),
        "decided": int(u.decided),
        **({"role": u.role} if getattr(u, "role", "") else {}),
        **({"language_gaps": [list(g) for g in u.language_gaps]} if u.language_gaps else {}),
    }


def _no_doctors(needs: list[NeedInput]) -> list[dict[str, Any]]:
    return [
        {
            "need_id": n.id,
            "doctors": 0,
            "eliminated": dict.fromkeys(HARD_RULES, 0),
            "reasons": ["no_doctors"],
        }
        for n in needs
    ]


def _short(needs: list[NeedInput], proposals: list[PlannedProposal]) -> list[dict[str, Any]]:
    count: dict[int, int] = {}
    for p in proposals:
        count[p.need_id] = count.get(p.need_id, 0) + 1
    return [
        {"need_id": n.id, "places_left": n.places_left, "proposed": count.get(n.id, 0)}
        for n in needs
        if 0 < count.get(n.id, 0) < n.places_left
    ]


def plan_full(
    inputs: LoadedInputs,
    top_k: int,
    today: date | None = None,
    learned: LearnedModel | None = None,
) -> RunPlan:
    """Rank every need at once (exact assignment); pure computation, no database.

    ``learned``: the model learned from coordinators' decisions, joining the score.
    Decided pairs are left out of the candidate graph before the assignment, so a
    need whose best doctor was refused gets its next feasible doctor.
    """
    needs, doctors = inputs.needs, inputs.doctors
    if not needs or not doctors:
        unfillable = _no_doctors(needs) if needs else []
        return RunPlan([], {"unfillable": unfillable, "short": [], "total_score": 0.0}, 0, [])
    result = rank(
        doctors, needs, today=today, top_k=top_k, learned=learned, exclude=inputs.decided_pairs
    )
    planned = [
        PlannedProposal(p.need_id, p.doctor_id, p.score, p.rank, p.explanation.as_dict())
        for p in result.proposals
        if (p.need_id, p.doctor_id) not in inputs.decided_pairs
    ]
    outcome = {
        "unfillable": [_unfillable_dict(u) for u in result.unfillable],
        "short": _short(needs, planned),
        "total_score": float(sum(p.score for p in planned)),
    }
    return RunPlan(planned, outcome, len(doctors), [n.id for n in needs])


def plan_one_need(
    need: NeedInput | None,
    doctors: DoctorArrays | None,
    decided_pairs: set[tuple[int, int]],
    top_k: int,
    today: date | None = None,
    learned: LearnedModel | None = None,
) -> RunPlan:
    """Rank one need on its own against prepared doctor arrays: its best
    ``places_left`` candidates become proposals. ``need`` None: it is no longer open
    (or has no place left); ``doctors`` None or empty: there is no doctor."""
    if need is None:
        return RunPlan([], {"unfillable": [], "short": [], "total_score": 0.0}, 0, [])
    if doctors is None or doctors.n == 0:
        outcome = {"unfillable": _no_doctors([need]), "short": [], "total_score": 0.0}
        return RunPlan([], outcome, 0, [need.id])
    ranking = rank_one_need(
        need,
        doctors,
        today=today,
        top_k=max(top_k, need.places_left),
        learned=learned,
        exclude=decided_pairs,
    )
    fresh = [p for p in ranking.proposals if (need.id, p.doctor_id) not in decided_pairs]
    planned = [
        PlannedProposal(p.need_id, p.doctor_id, p.score, p.rank, p.explanation.as_dict())
        for p in fresh[: need.places_left]
    ]
    unfillable = [_unfillable_dict(ranking.unfillable)] if ranking.unfillable else []
    outcome = {
        "unfillable": unfillable,
        "short": _short([need], planned),
        "total_score": float(sum(p.score for p in planned)),
    }
    return RunPlan(planned, outcome, doctors.n, [need.id])


def plan_stable(
    inputs: LoadedInputs,
    interests: Sequence[Mapping[str, Any]],
    top_k: int,
    today: date | None = None,
    learned: LearnedModel | None = None,
) -> RunPlan:
    """Stable mode: doctors' ranked interests x needs' score order -> deferred acceptance.

    A need ranks the doctors who pass every hard rule for it by score (its top
    ``top_k``); a doctor's list is their :class:`NeedInterest` rows by position
    (``interests``: rows with ``doctor`` and ``need``, in each doctor's order).
    The doctor-optimal stable matching becomes the proposals. Team missions are left
    to the full run: deferred acceptance cannot fill a team all together or not at all.
    """
    needs = [n for n in inputs.needs if not n.roles]
    doctors = inputs.doctors
    if not needs or not doctors:
        unfillable = _no_doctors(needs) if needs else []
        return RunPlan([], {"unfillable": unfillable, "short": [], "total_score": 0.0}, 0, [])
    result = rank(
        doctors, needs, today=today, top_k=top_k, learned=learned, exclude=inputs.decided_pairs
    )
    open_ids = {n.id for n in needs}
    candidates = {n.id: result.candidates(n.id) for n in needs}
    doctor_prefs: dict[str, list[str]] = {}
    for row in interests:
        if int(row["need"]) in open_ids:
            doctor_prefs.setdefault(str(row["doctor"]), []).append(str(row["need"]))
    # A doctor who listed no need cannot be matched (acceptability is mutual): leave
    # them out of the needs' lists, which may name only doctors with a list.
    need_prefs = {
        str(nid): [
            str(c.doctor_id)
            for c in cands
            if (nid, c.doctor_id) not in inputs.decided_pairs and str(c.doctor_id) in doctor_prefs
        ]
        for nid, cands in candidates.items()
    }
    capacities = {str(n.id): n.places_left for n in needs}
    matching = deferred_acceptance(doctor_prefs, need_prefs, capacities)
    planned = []
    for need_key, doctor_keys in sorted(matching.items(), key=lambda kv: int(kv[0])):
        nid = int(need_key)
        by_doctor = {c.doctor_id: c for c in candidates[nid]}
        for d in doctor_keys:
            c = by_doctor[int(d)]
            position = doctor_prefs[d].index(need_key) + 1
            runners = [
                {"doctor_id": x.doctor_id, "score": x.score, "rank": x.rank}
                for x in candidates[nid]
                if x.doctor_id != c.doctor_id
            ][:3]
            planned.append(
                PlannedProposal(
                    nid,
                    c.doctor_id,
                    c.score,
                    c.rank,
                    {
                        "mode": "stable",
                        "doctor_interest_position": position,
                        "need_rank": c.rank,
                        "rules_passed": list(HARD_RULES),
                        "runners_up": runners,
                    },
                )
            )
    outcome = {
        "unfillable": [_unfillable_dict(u) for u in result.unfillable],
        "short": _short(needs, planned),
        "total_score": float(sum(p.score for p in planned)),
    }
    return RunPlan(planned, outcome, len(doctors), [n.id for n in needs])
