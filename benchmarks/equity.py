"""``ranking.equity``: who gets the doctors when there are too few.

On the short-supply population (:func:`benchmarks.synthetic.short_supply_population`,
3,000 doctors x 1,000 needs: supply covers about 60 % of the places; 1,200 x 400
with ``--quick``, about 50 %; rural needs are harder to fill, as in the others;
with the rules' fields: language levels, permissions to practise in Syria, 5 %
team missions, counted on the second line),
the engine's result (default K) against the optimum over every feasible pair that
maximises the score *without* the need weight (:mod:`benchmarks.optimum`):

* fill rate of rural vs urban needs and of not-functioning (``none``) vs
  functioning (``full``) facilities, and their ratios; over all places
  (``places``) and over the places some doctor can take at all (``reachable``:
  ``min(places, doctors passing every hard rule)``, so the hard rules'
  shortages, which the "needs no doctor can fill" report shows, are set apart);
* the score lost on the unweighted score: ``1 - engine / optimum``, in %.

Target: ratios >= 0.9 at <= 5 % score loss.
"""

from __future__ import annotations

import time
from datetime import date

import numpy as np

from benchmarks.optimum import all_pairs, optimum
from benchmarks.pruning import rules_line
from benchmarks.synthetic import TEAM_SHARE, short_supply_population
from matching.ranking import build_arrays, rank_arrays
from matching.ranking.api import DEFAULT_TOP_K
from matching.ranking.weights import WEIGHTS
from matching.taxonomy import load_taxonomy

TODAY = date(2026, 1, 5)
MIN_RATIO = 0.9
MAX_LOSS_PCT = 5.0


def fill_rates(
    filled: np.ndarray, base: np.ndarray, rural: np.ndarray, state: np.ndarray
) -> dict[str, float]:
    """Fill rate (``filled / base`` summed over the group) of each group, and the two ratios."""

    def rate(mask: np.ndarray) -> float:
        return float(filled[mask].sum() / max(1, base[mask].sum()))

    out = {
        "rural": rate(rural),
        "urban": rate(~rural),
        "not_functioning": rate(state == "none"),
        "functioning": rate(state == "full"),
    }
    out["rural/urban"] = out["rural"] / out["urban"]
    out["not/functioning"] = out["not_functioning"] / out["functioning"]
    return out


def bench_equity(quick: bool = False) -> list[str]:
    """Fill-rate ratios and unweighted score loss on the short-supply population."""
    n_n = 400 if quick else 1_000
    tax = load_taxonomy()
    doctors, needs = short_supply_population(n_n, tax, TODAY, team_share=TEAM_SHARE)
    da, na = build_arrays(doctors, needs, tax, TODAY)
    graph = all_pairs(da, na)
    t = time.perf_counter()
    plain = optimum(graph, graph.unweighted)
    opt_s = time.perf_counter() - t
    res = rank_arrays(da, na)
    # Per need (a team's role rows are one need): needs are ids 1..n in list order.
    index = {x.id: i for i, x in enumerate(needs)}
    need_of_row = np.fromiter((index[int(i)] for i in na.ids), np.int64, na.n)
    first_row = {int(i): r for r, i in reversed(list(enumerate(na.ids)))}
    rows = np.fromiter((first_row[p.need_id] for p in res.proposals), np.int64, len(res.proposals))
    scores = np.fromiter((p.score for p in res.proposals), np.float64, len(res.proposals))
    engine_filled = np.bincount(need_of_row[rows], minlength=len(needs))
    plain_filled = np.bincount(need_of_row[graph.need[plain]], minlength=len(needs))
    # The engine's pairs on the unweighted score: each score less its need-weight term.
    engine_score = float((scores - WEIGHTS["need_weight"] * na.need_weight[rows]).sum())
    plain_score = float(graph.unweighted[plain].sum())
    loss = 100.0 * (plain_score - engine_score) / plain_score if plain_score else 0.0
    places = np.bincount(need_of_row, weights=na.places, minlength=len(needs))
    reachable = np.bincount(
        need_of_row, weights=np.minimum(na.places, graph.n_eligible), minlength=len(needs)
    )
    rural = np.array([n.rural for n in needs])
    state = np.array([n.facility_state for n in needs])
    lines = [
        f"ranking.equity population=short_supply doctors={da.n} needs={len(needs)} "
        f"need_rows={na.n} (a team's roles are rows of one need) "
        f"places={int(places.sum())} reachable={int(reachable.sum())} "
        f"supply_covers_pct={100.0 * plain_filled.sum() / places.sum():.1f} "
        f"(places filled by the optimum without need weight, milp s={opt_s:.2f}) "
        f"engine_filled={int(engine_filled.sum())} k={DEFAULT_TOP_K}",
        rules_line("ranking.equity", doctors, needs),
    ]
    engine_ratios: list[float] = []
    for who, filled in (("engine", engine_filled), ("optimum_without_need_weight", plain_filled)):
        for base_name, base in (("places", places), ("reachable", reachable)):
            rates = fill_rates(filled, base, rural, state)
            if who == "engine":
                engine_ratios += [rates["rural/urban"], rates["not/functioning"]]
            lines.append(
                f"ranking.equity {who} fill_rate_of={base_name} "
                + " ".join(f"{k}={v:.3f}" for k, v in rates.items())
            )
    met = min(engine_ratios) >= MIN_RATIO and loss <= MAX_LOSS_PCT
    lines.append(
        f"ranking.equity score_loss_pct={loss:.2f} (unweighted score: engine {engine_score:.3f}, "
        f"optimum without need weight {plain_score:.3f}) min_ratio={min(engine_ratios):.3f} "
        f"target_met={met} (ratios >= {MIN_RATIO} at loss <= {MAX_LOSS_PCT} %)"
    )
    return lines


if __name__ == "__main__":
    for line in bench_equity():
        print(line, flush=True)
