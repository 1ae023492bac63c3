"""``ranking.pruning``: what keeping each need's top-K candidates costs.

On the tight population (:func:`benchmarks.synthetic.tight_population`, 5,000
doctors x 1,000 needs; 2,000 x 400 with ``--quick``; with the rules' fields:
language levels, permissions to practise in Syria, 5 % team missions; the first
line says how many of each), the engine's result for
each K (top-K per need, then its exact assignment) against the optimum over
every feasible pair with the same scores and capacities
(:mod:`benchmarks.optimum`). One line per K: places and needs filled, total
score, gap in % of the optimum's score, places lost, the engine's time. The
last line names the smallest K within the target (gap <= 0.1 % of score, no
place lost) next to the engine's default.
"""

from __future__ import annotations

import time
from datetime import date

import numpy as np

from benchmarks.optimum import all_pairs, optimum
from benchmarks.synthetic import TEAM_SHARE, tight_population
from matching.ranking import build_arrays, rank_arrays
from matching.ranking.api import DEFAULT_TOP_K
from matching.taxonomy import load_taxonomy

TODAY = date(2026, 1, 5)
KS = (10, 20, 30, 50, 100)
MAX_GAP_PCT = 0.1


def rules_line(prefix: str, doctors: list, needs: list) -> str:
    """How much of the population the rules of issue 16 touch."""
    levels = sum(1 for x in needs if x.language_levels)
    in_person = sum(1 for x in needs if x.requires_licence and x.travels)
    teams = sum(1 for x in needs if x.roles)
    licensed = [x for x in doctors if x.licence_verified_until is not None]
    permits = sum(1 for x in licensed if x.syria_permission_until is not None)
    below = sum(1 for x in doctors for _, lv in x.language_levels if lv in ("basic", "working"))
    return (
        f"{prefix} rules: needs_with_language_level={levels} "
        f"in_person_needs_asking_licence={in_person} team_missions={teams} "
        f"doctors_licensed={len(licensed)} with_syria_permission={permits} "
        f"doctor_languages_below_fluent={below}"
    )


def bench_pruning(quick: bool = False) -> list[str]:
    """Engine with K in :data:`KS` against the all-pairs optimum, tight population."""
    n_d, n_n = (2_000, 400) if quick else (5_000, 1_000)
    tax = load_taxonomy()
    doctors, needs = tight_population(n_d, n_n, tax, TODAY, team_share=TEAM_SHARE)
    da, na = build_arrays(doctors, needs, tax, TODAY)
    t = time.perf_counter()
    graph = all_pairs(da, na)
    best = optimum(graph, graph.score)
    opt_s = time.perf_counter() - t
    opt_places = int(best.sum())
    opt_needs = int(np.unique(na.ids[graph.need[best]]).size)
    opt_score = float(graph.score[best].sum())
    lines = [
        f"ranking.pruning population=tight doctors={n_d} needs={n_n} need_rows={na.n} "
        f"places={int(na.places.sum())} feasible_pairs={graph.need.size} "
        f"optimum: places_filled={opt_places} needs_filled={opt_needs} "
        f"total_score={opt_score:.3f} s={opt_s:.2f} (scipy milp over all pairs)",
        rules_line("ranking.pruning", doctors, needs),
    ]
    within: list[int] = []
    for k in KS:
        t = time.perf_counter()
        res = rank_arrays(da, na, top_k=k)
        took = time.perf_counter() - t
        places = len(res.proposals)
        gap = 100.0 * (opt_score - res.total_score) / opt_score if opt_score else 0.0
        gap = 0.0 if abs(gap) < 1e-9 else gap  # equal totals, summed in another order
        lost = opt_places - places
        if gap <= MAX_GAP_PCT and lost <= 0:
            within.append(k)
        lines.append(
            f"ranking.pruning k={k} places_filled={places} "
            f"needs_filled={len({p.need_id for p in res.proposals})} "
            f"total_score={res.total_score:.3f} gap_pct={gap:.3f} places_lost={lost} "
            f"s={took:.2f}"
        )
    smallest = min(within) if within else None
    lines.append(
        f"ranking.pruning smallest_k_within_target={smallest} default_k={DEFAULT_TOP_K} "
        f"(target: gap <= {MAX_GAP_PCT} % of score, no place lost)"
    )
    return lines


if __name__ == "__main__":
    for line in bench_pruning():
        print(line, flush=True)
