"""The benchmarks' populations carry the rules of issue 16, and on them the engine's
assignment (top-K, teams all or nothing) equals the all-pairs optimum of the benchmark's
own solver (``benchmarks.optimum``: one milp over every feasible pair, a binary per team)."""

from __future__ import annotations

from datetime import date

import numpy as np

from benchmarks.optimum import all_pairs, optimum
from benchmarks.synthetic import TEAM_SHARE, tight_population
from matching.ranking import build_arrays, rank_arrays
from matching.taxonomy import load_taxonomy

TODAY = date(2026, 1, 5)


def test_tight_population_with_rules_and_teams_engine_equals_the_optimum() -> None:
    tax = load_taxonomy()
    doctors, needs = tight_population(2_000, 400, tax, TODAY, seed=4, team_share=TEAM_SHARE)
    assert sum(1 for x in needs if x.roles) == round(TEAM_SHARE * 400)
    assert sum(1 for x in needs if x.language_levels) > 50
    assert sum(1 for x in needs if x.requires_licence and x.travels) > 30
    licensed = [x for x in doctors if x.licence_verified_until is not None]
    assert 0 < sum(1 for x in licensed if x.syria_permission_until is None) < len(licensed)

    da, na = build_arrays(doctors, needs, tax, TODAY)
    graph = all_pairs(da, na)
    best = optimum(graph, graph.score)
    filled = np.bincount(graph.need[best], minlength=na.n)
    whole = 0
    for team in range(int(na.team.max()) + 1):
        rows = np.flatnonzero(na.team == team)
        assert (filled[rows] == 0).all() or (filled[rows] == na.places[rows]).all()
        whole += bool(filled[rows].all())
    assert whole >= 1

    res = rank_arrays(da, na, threads=1)
    assert len(res.proposals) == int(best.sum())
    assert abs(res.total_score - float(graph.score[best].sum())) < 1e-6
    by_need: dict[int, int] = {}
    for p in res.proposals:
        by_need[p.need_id] = by_need.get(p.need_id, 0) + 1
    for x in needs:
        if x.roles:
            assert by_need.get(x.id, 0) in (0, x.places_left)
