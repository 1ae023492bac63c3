"""Team missions at scale: ``python -m benchmarks.teams [--quick]``.

100,000 doctors x 10,000 needs (the synthetic population of :mod:`benchmarks.ranking`),
5 % of the needs turned into team missions of three roles (e.g. a trauma surgeon, an
anaesthetist and a theatre nurse; some roles ask for two). Prints:

* ``teams.assignment``: the assignment alone on the same candidate graph, without
  teams (the TU linear programme) and with them (milp on the components holding a
  team, the linear programme elsewhere), with the number of teams filled whole;
* ``teams.full_run``: a whole run (arrays, scores, top-K, assignment, explanations).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from datetime import date

import numpy as np

from benchmarks.synthetic import make_doctors, make_needs
from matching.ranking import build_arrays, rank_arrays
from matching.ranking.api import DEFAULT_TOP_K, _pool, doctor_capacity
from matching.ranking.assignment import solve_assignment
from matching.ranking.data import NeedInput, TeamRole
from matching.ranking.engine import top_candidates
from matching.ranking.teams import solve_with_teams
from matching.taxonomy import load_taxonomy

TODAY = date(2026, 1, 5)
TEAM_SHARE = 0.05
TEMPLATES: tuple[tuple[TeamRole, ...], ...] = (
    (TeamRole("orthopaedics_trauma"), TeamRole("anaesthesia"), TeamRole("nursing_education")),
    (TeamRole("general_surgery"), TeamRole("anaesthesia"), TeamRole("nursing_education", 2)),
    (TeamRole("obstetrics_gynaecology"), TeamRole("anaesthesia"), TeamRole("midwifery")),
    (TeamRole("pediatric_surgery"), TeamRole("anaesthesia"), TeamRole("pediatrics")),
)


def with_teams(needs: list[NeedInput], share: float = TEAM_SHARE, seed: int = 3) -> list[NeedInput]:
    """``needs`` with ``share`` of them (missions) turned into team missions."""
    rng = np.random.default_rng(seed)
    missions = [i for i, x in enumerate(needs) if x.kind == "mission"]
    pick = rng.choice(missions, size=min(len(missions), round(share * len(needs))), replace=False)
    out = list(needs)
    for j, i in enumerate(sorted(int(p) for p in pick)):
        roles = TEMPLATES[j % len(TEMPLATES)]
        out[i] = replace(
            needs[i],
            specialty=roles[0].specialty,
            roles=roles,
            places_left=sum(r.count for r in roles),
            acceptable_specialties=None,
        )
    return out


def run(n_doctors: int, n_needs: int) -> list[str]:
    tax = load_taxonomy()
    doctors = make_doctors(n_doctors, tax, TODAY, seed=11)
    needs = with_teams(make_needs(n_needs, tax, TODAY, seed=12))
    n_teams = sum(1 for x in needs if x.roles)
    t0 = time.perf_counter()
    da, na = build_arrays(doctors, needs, tax, TODAY)
    top = top_candidates(da, na, DEFAULT_TOP_K)
    n_idx, k_idx = np.nonzero(top.doctor_rows >= 0)
    d_idx = top.doctor_rows[n_idx, k_idx]
    scores = top.scores[n_idx, k_idx]
    pool, cap = _pool(na, n_idx), doctor_capacity(da)
    t1 = time.perf_counter()
    plain = solve_assignment(n_idx, d_idx, pool, scores, na.places, cap)
    t2 = time.perf_counter()
    teamed = solve_with_teams(n_idx, d_idx, pool, scores, na.places, cap, na.team)
    t3 = time.perf_counter()
    filled = np.bincount(n_idx[teamed.chosen], minlength=na.n)
    whole = partial = 0
    for t in range(n_teams):
        rows = np.flatnonzero(na.team == t)
        if (filled[rows] == na.places[rows]).all() and na.places[rows].sum() > 0:
            whole += 1
        elif filled[rows].any():
            partial += 1
    lines = [
        f"teams.assignment doctors={n_doctors} needs={n_needs} team_needs={n_teams} "
        f"role_rows={int((na.team >= 0).sum())} edges={n_idx.size} "
        f"lp_without_teams_s={t2 - t1:.2f} with_teams_s={t3 - t2:.2f} "
        f"teams_filled_whole={whole} teams_partly_filled={partial} "
        f"total_score={teamed.total:.3f} (without the all-or-nothing rule {plain.total:.3f}; "
        f"scoring and top-K before it: {t1 - t0:.2f} s)"
    ]
    t4 = time.perf_counter()
    res = rank_arrays(da, na)
    t5 = time.perf_counter()
    lines.append(
        f"teams.full_run doctors={n_doctors} needs={n_needs} team_needs={n_teams} "
        f"rank_s={t5 - t4:.2f} proposals={len(res.proposals)} unfillable={len(res.unfillable)}"
    )
    return lines


def bench_teams(quick: bool = False) -> list[str]:
    n_d, n_n = (10_000, 1_000) if quick else (100_000, 10_000)
    return run(n_d, n_n)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.teams")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    for line in bench_teams(args.quick):
        print(line, flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
