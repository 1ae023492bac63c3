"""Learning from coordinators' decisions: how much the model helps, on held-out decisions.

Synthetic decisions from a hidden coordinator preference: synthetic doctors and
needs (:mod:`benchmarks.synthetic`) are ranked by the engine; each need's top
:data:`SHOWN` candidates are the proposals a coordinator decides, one need after
the other in a random order (the decision time). The coordinator approves a
proposal when ``sum(preference[s] * value[s]) + noise`` clears a threshold set so
that :data:`APPROVAL_SHARE` of them are approved. :data:`HIDDEN_PREFERENCE`
cares about availability and experience much more than the default weights
do; the control uses the default weights themselves (nothing to learn).

The model is fitted on the older 80 % of the decisions and both scores (without
it and with it, :func:`matching.ranking.learned.heldout_evaluation`) are
compared on the newest 20 %: ROC AUC, and precision@1 over the held-out needs
with both an approval and a refusal.

* ``learned.heldout``: the hidden preference.
* ``learned.control``: coordinators who decide by the default weights.
* ``learned.run``: ranking the same population with and without the model.

``python -m benchmarks.learned [--quick]`` runs it alone.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from datetime import date

import numpy as np

from benchmarks.synthetic import make_doctors, make_needs
from matching.ranking import build_arrays, rank_arrays
from matching.ranking.arrays import DoctorArrays, NeedArrays
from matching.ranking.engine import top_candidates
from matching.ranking.explain import pair_signals
from matching.ranking.learned import (
    FEATURES,
    Decisions,
    HeldOut,
    fit_model,
    heldout_evaluation,
)
from matching.ranking.weights import WEIGHTS
from matching.taxonomy import load_taxonomy

TODAY = date(2026, 1, 5)
#: Candidates per need a coordinator decides on (the top of the engine's list).
SHOWN = 5
#: Share of the proposals coordinators approve.
APPROVAL_SHARE = 0.5
#: What the synthetic coordinators weigh: availability and experience far more
#: than the default weights (0.14 and 0.09), specialty and skills less. The synthetic
#: population has no history together, so continuity is 0 throughout.
HIDDEN_PREFERENCE: dict[str, float] = {
    "specialty": 0.15,
    "skills": 0.10,
    "availability": 0.45,
    "experience": 0.30,
    "need_weight": 0.0,
    "continuity": 0.0,
}
#: Standard deviation of the coordinators' noise, in score units.
NOISE = 0.1


@dataclass(slots=True)
class Population:
    """Synthetic doctors and needs as arrays, and each need's shown candidates."""

    da: DoctorArrays
    na: NeedArrays
    need_rows: np.ndarray  # int64 (P,) a row per shown proposal
    doctor_rows: np.ndarray  # int64 (P,)
    values: np.ndarray  # float64 (P, F) their signal values


def population(n_doctors: int, n_needs: int, seed: int = 0) -> Population:
    """Rank synthetic needs and keep each need's top :data:`SHOWN` candidates."""
    tax = load_taxonomy()
    doctors = make_doctors(n_doctors, tax, TODAY, seed=seed + 31)
    needs = make_needs(n_needs, tax, TODAY, seed=seed + 32)
    da, na = build_arrays(doctors, needs, tax, TODAY)
    top = top_candidates(da, na, SHOWN, threads=1)
    n_idx, k_idx = np.nonzero(top.doctor_rows >= 0)
    d_idx = top.doctor_rows[n_idx, k_idx]
    sig = pair_signals(da, na, n_idx, d_idx)
    values = np.column_stack([sig[s] for s in FEATURES])
    return Population(da, na, n_idx.astype(np.int64), d_idx.astype(np.int64), values)


def decide(
    pop: Population,
    preference: dict[str, float],
    n_decisions: int,
    noise: float = NOISE,
    seed: int = 0,
) -> Decisions:
    """Decisions of coordinators with this ``preference`` on the shown proposals.

    Needs are decided one after the other in a random order; the first
    ``n_decisions`` proposals in that order are returned.
    """
    rng = np.random.default_rng(seed)
    need_time = rng.permutation(pop.na.n).astype(np.float64)
    when = need_time[pop.need_rows] + rng.random(pop.need_rows.size) * 0.5
    pref = np.array([preference[s] for s in FEATURES])
    utility = pop.values @ pref + rng.normal(0.0, noise, pop.need_rows.size)
    approved = utility > np.quantile(utility, 1.0 - APPROVAL_SHARE)
    all_decisions = Decisions.build(pop.values, approved, when, pop.na.ids[pop.need_rows])
    return all_decisions.take(slice(0, min(n_decisions, all_decisions.n)))


def _f(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def heldout_line(name: str, decisions: Decisions, held: HeldOut | None) -> str:
    if held is None:
        return f"learned.{name} decisions={decisions.n} no model (too few decisions)"
    return (
        f"learned.{name} decisions={decisions.n} train={held.train} test={held.test} "
        f"auc_base={_f(held.auc_base)} auc_learned={_f(held.auc_learned)} "
        f"p@1_base={_f(held.p1_base)} p@1_learned={_f(held.p1_learned)} "
        f"(p@1 over {held.needs} held-out needs with an approval and a refusal)"
    )


def sizes(quick: bool) -> tuple[int, int, int]:
    """(doctors, needs, decisions)."""
    return (2_000, 300, 1_000) if quick else (5_000, 600, 2_000)


def bench_learned(quick: bool = False) -> list[str]:
    """Held-out figures with a hidden preference, the control, and the ranking cost."""
    n_doctors, n_needs, n_decisions = sizes(quick)
    pop = population(n_doctors, n_needs)
    lines = []
    hidden = decide(pop, HIDDEN_PREFERENCE, n_decisions)
    lines.append(heldout_line("heldout", hidden, heldout_evaluation(hidden)))
    control = decide(pop, dict(WEIGHTS), n_decisions)
    lines.append(
        heldout_line("control", control, heldout_evaluation(control))
        + " coordinators decide by the default weights"
    )
    t = time.perf_counter()
    model = fit_model(hidden)
    fit_ms = (time.perf_counter() - t) * 1000
    rank_arrays(pop.da, pop.na, top_k=20, threads=1)  # warm the candidate-set caches
    t = time.perf_counter()
    rank_arrays(pop.da, pop.na, top_k=20, threads=1)
    base_s = time.perf_counter() - t
    t = time.perf_counter()
    rank_arrays(pop.da, pop.na, top_k=20, threads=1, learned=model)
    learned_s = time.perf_counter() - t
    lines.append(
        f"learned.run doctors={n_doctors} needs={n_needs} fit_ms={fit_ms:.0f} "
        f"rank_s_base={base_s:.2f} rank_s_learned={learned_s:.2f} (one thread)"
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.learned")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    for line in bench_learned(args.quick):
        print(line, flush=True)


if __name__ == "__main__":
    main()
