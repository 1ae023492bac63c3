"""Exact assignment over the sparse candidate graph: a maximum-weight b-matching.

Variables are the candidate edges (doctor, need) with their scores. Each need
takes at most its places left; each doctor *capacity pool* takes at most its
capacity:

* ``travel`` (missions and in-person workshops): 1 per run, so one run never
  sends a doctor to two trips whose dates could overlap;
* ``mentorship``: mentees the doctor can still take;
* ``remote_training``: 1 per run.

The constraint matrix is the incidence matrix of a bipartite graph, hence
totally unimodular: every vertex of the linear programme is integral, and the
HiGHS dual simplex (``scipy.optimize.linprog(method="highs-ds")``) returns a
vertex, so the LP optimum is the integer optimum (about 10x faster than
``milp`` here). The solution is checked to be integral; if it ever were not,
``scipy.optimize.milp`` solves it again with integrality. The result is the
maximum total score over the candidate graph, not a greedy first-come pick.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

POOL_TRAVEL, POOL_MENTORSHIP, POOL_REMOTE_TRAINING = 0, 1, 2
POOLS: tuple[str, ...] = ("travel", "mentorship", "remote_training")


@dataclass(slots=True)
class Assignment:
    """Chosen edges.

    Attributes:
        chosen: bool (E,) which candidate edges are chosen.
        total: float64 sum of the chosen scores.
    """

    chosen: np.ndarray
    total: float


def solve_assignment(
    need: np.ndarray,
    doctor: np.ndarray,
    pool: np.ndarray,
    score: np.ndarray,
    places: np.ndarray,
    capacity: np.ndarray,
) -> Assignment:
    """Maximum total score b-matching.

    Args:
        need: int64 (E,) need row of each edge (0 <= need < N).
        doctor: int64 (E,) doctor row of each edge.
        pool: int64 (E,) capacity pool of each edge (see module doc).
        score: float64 (E,) score of each edge (> 0 for it to be worth choosing).
        places: int64 (N,) places left per need.
        capacity: int64 (D, 3) capacity per doctor and pool.

    Returns:
        The chosen edges and their total score.
    """
    e = need.size
    if e == 0:
        return Assignment(np.zeros(0, dtype=bool), 0.0)
    # Capacity-pool rows: one per (doctor, pool) used by some edge.
    node = doctor * len(POOLS) + pool
    uniq_node, node_row = np.unique(node, return_inverse=True)
    uniq_need, need_row = np.unique(need, return_inverse=True)
    cols = np.arange(e)
    a_need = sp.csr_matrix((np.ones(e), (need_row, cols)), shape=(uniq_need.size, e))
    a_doc = sp.csr_matrix((np.ones(e), (node_row, cols)), shape=(uniq_node.size, e))
    cap = capacity.reshape(-1)[uniq_node].astype(np.float64)
    a = sp.vstack([a_need, a_doc], format="csr")
    ub = np.concatenate([places[uniq_need].astype(np.float64), cap])
    c = -score.astype(np.float64)
    res = linprog(c, A_ub=a, b_ub=ub, bounds=(0.0, 1.0), method="highs-ds")
    x = res.x
    if x is None or np.abs(x - np.round(x)).max() > 1e-6:  # pragma: no cover - TU guarantees
        res = milp(
            c=c,
            constraints=LinearConstraint(a, -np.inf, ub),
            integrality=np.ones(e),
            bounds=Bounds(0.0, 1.0),
        )
        if res.x is None:
            raise RuntimeError(f"assignment failed: {res.message}")
        x = res.x
    chosen = x > 0.5
    return Assignment(chosen, float(score[chosen].sum()))
