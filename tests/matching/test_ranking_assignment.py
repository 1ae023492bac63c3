"""The assignment is exact: equal totals with brute force on small instances."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from benchmarks.synthetic import make_doctors, make_needs
from matching.ranking import build_arrays, rank_arrays, solve_assignment
from matching.ranking.api import _pool, doctor_capacity
from matching.taxonomy import load_taxonomy


def brute_force(need, doctor, pool, score, places, capacity) -> float:
    """Best total over every subset of edges respecting places and capacities."""
    best = 0.0
    used_need = np.zeros(places.size, dtype=np.int64)
    used_cap = np.zeros_like(capacity)

    def go(e: int, total: float) -> None:
        nonlocal best
        if e == need.size:
            best = max(best, total)
            return
        go(e + 1, total)
        n, d, p = need[e], doctor[e], pool[e]
        if used_need[n] < places[n] and used_cap[d, p] < capacity[d, p]:
            used_need[n] += 1
            used_cap[d, p] += 1
            go(e + 1, total + score[e])
            used_need[n] -= 1
            used_cap[d, p] -= 1

    go(0, 0.0)
    return best


@pytest.mark.parametrize("seed", range(40))
def test_random_b_matching_equals_brute_force(seed):
    rng = np.random.default_rng(seed)
    n_needs, n_docs = int(rng.integers(2, 5)), int(rng.integers(2, 6))
    pairs = [(n, d) for n in range(n_needs) for d in range(n_docs)]
    keep = rng.random(len(pairs)) < 0.6
    edges = [p for p, k in zip(pairs, keep, strict=True) if k][:15]
    if not edges:
        return
    need = np.array([n for n, _ in edges])
    doctor = np.array([d for _, d in edges])
    need_pool = rng.integers(0, 3, size=n_needs)
    pool = need_pool[need]
    score = np.round(rng.random(need.size), 3)  # ties on purpose
    places = rng.integers(1, 3, size=n_needs)
    capacity = rng.integers(0, 3, size=(n_docs, 3))
    res = solve_assignment(need, doctor, pool, score, places, capacity)
    assert res.total == pytest.approx(
        brute_force(need, doctor, pool, score, places, capacity), abs=1e-9
    )
    chosen_need = np.bincount(need[res.chosen], minlength=n_needs)
    assert (chosen_need <= places).all()
    for d in range(n_docs):
        for p in range(3):
            assert ((doctor == d) & (pool == p) & res.chosen).sum() <= capacity[d, p]


def test_beats_greedy_when_greedy_is_wrong():
    # Doctor 0 is best for both needs; greedy gives need 0 doctor 0 and leaves need 1 empty.
    need = np.array([0, 0, 1])
    doctor = np.array([0, 1, 0])
    pool = np.zeros(3, dtype=np.int64)
    score = np.array([0.9, 0.8, 0.85])
    res = solve_assignment(need, doctor, pool, score, np.array([1, 1]), np.ones((2, 3), np.int64))
    assert res.total == pytest.approx(0.8 + 0.85)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_engine_assignment_equals_brute_force_on_candidate_graph(seed):
    tax = load_taxonomy()
    today = date(2026, 1, 5)
    doctors = make_doctors(60, tax, today, seed=seed)
    needs = make_needs(6, tax, today, seed=seed + 50)
    da, na = build_arrays(doctors, needs, tax, today)
    res = rank_arrays(da, na, top_k=2)
    rows = {int(n): i for i, n in enumerate(res.need_ids)}
    n_idx, k_idx = np.nonzero(res.candidate_ids >= 0)
    doc_row = {int(d): i for i, d in enumerate(da.ids)}
    d_idx = np.array([doc_row[int(x)] for x in res.candidate_ids[n_idx, k_idx]], dtype=np.int64)
    score = res.candidate_scores[n_idx, k_idx]
    best = brute_force(n_idx, d_idx, _pool(na, n_idx), score, na.places, doctor_capacity(da))
    assert res.total_score == pytest.approx(best, abs=1e-9)
    assert all(p.need_id in rows for p in res.proposals)
