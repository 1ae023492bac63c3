"""The default number of candidates per need loses nothing on a tight population.

The engine keeps each need's top ``DEFAULT_TOP_K`` candidates before its exact
assignment. On a tight population (needs in the doctors' popular specialties,
more places than those doctors can take), its result must equal the optimum over
every feasible pair (``scipy.optimize.milp`` on the whole graph, the benchmark's
own solver) within 0.1 % of the score, with no place lost. The same population
with the earlier default of 20 candidates did lose places, so the check bites.
"""

from __future__ import annotations

from datetime import date

import pytest

from benchmarks.optimum import all_pairs, optimum
from benchmarks.synthetic import tight_population
from matching.ranking import build_arrays, rank_arrays
from matching.ranking.api import DEFAULT_TOP_K
from matching.taxonomy import load_taxonomy

TODAY = date(2026, 1, 5)


@pytest.fixture(scope="module")
def tight():
    """2,000 doctors x 400 needs (seed 4: the contended one among seeds 0-25), its
    arrays, and the all-pairs optimum: (doctor arrays, need arrays, places, score)."""
    tax = load_taxonomy()
    doctors, needs = tight_population(2_000, 400, tax, TODAY, seed=4)
    da, na = build_arrays(doctors, needs, tax, TODAY)
    graph = all_pairs(da, na)
    best = optimum(graph, graph.score)
    return da, na, int(best.sum()), float(graph.score[best].sum())


def test_default_top_k_equals_all_pairs_optimum(tight):
    da, na, opt_places, opt_score = tight
    res = rank_arrays(da, na, threads=1)
    assert len(res.proposals) >= opt_places
    assert res.total_score >= opt_score * (1 - 0.001)
    assert res.total_score <= opt_score + 1e-6  # the optimum is an upper bound


def test_twenty_candidates_lose_places_on_this_population(tight):
    da, na, opt_places, opt_score = tight
    res = rank_arrays(da, na, top_k=20, threads=1)
    assert len(res.proposals) < opt_places
    assert res.total_score < opt_score * (1 - 0.001)
    assert DEFAULT_TOP_K > 20
