"""Public entry points: rank all open needs at once, or one newly posted need.

``rank`` = build arrays -> hard rules and scores in blocks -> top-K candidates
per need -> exact assignment over that candidate graph -> proposals with their
explanations, and the needs nobody can fill with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from matching.ranking.arrays import (
    DoctorArrays,
    NeedArrays,
    build_doctor_arrays,
    build_need_arrays,
)
from matching.ranking.assignment import (
    POOL_MENTORSHIP,
    POOL_REMOTE_TRAINING,
    POOL_TRAVEL,
    POOLS,
    solve_assignment,
)
from matching.ranking.data import DoctorInput, NeedInput
from matching.ranking.engine import MENTORSHIP, rule_failures, top_candidates
from matching.ranking.explain import pair_signals
from matching.ranking.weights import HARD_RULES, SIGNALS, WEIGHTS

RUNNERS_UP = 3


@dataclass(frozen=True, slots=True)
class Signal:
    """One signal of a proposal: ``contribution = weight * value``."""

    value: float
    weight: float
    contribution: float


@dataclass(frozen=True, slots=True)
class Candidate:
    """A doctor on a need's list: ``rank`` 1 is the best."""

    doctor_id: int
    score: float
    rank: int


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why this doctor for this need.

    Attributes:
        signals: per signal (order of :data:`~matching.ranking.weights.SIGNALS`), its
            value, weight and contribution; contributions sum to the score.
        rules_passed: the hard rules checked, all passed.
        shared_skills: taxonomy skill codes both sides have, strongest first.
        details: figures behind availability: ``coverage`` (fraction of days) or
            ``weekly_overlap_hours``.
        runners_up: the next best doctors for this need, not chosen for it.
    """

    signals: dict[str, Signal]
    rules_passed: tuple[str, ...]
    shared_skills: tuple[str, ...]
    details: dict[str, float]
    runners_up: tuple[Candidate, ...]

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form (for the proposal's stored explanation)."""
        return {
            "signals": {
                k: {"value": s.value, "weight": s.weight, "contribution": s.contribution}
                for k, s in self.signals.items()
            },
            "rules_passed": list(self.rules_passed),
            "shared_skills": list(self.shared_skills),
            "details": dict(self.details),
            "runners_up": [
                {"doctor_id": c.doctor_id, "score": c.score, "rank": c.rank}
                for c in self.runners_up
            ],
        }


@dataclass(frozen=True, slots=True)
class Proposal:
    """One doctor proposed for one need."""

    need_id: int
    doctor_id: int
    score: float
    rank: int
    explanation: Explanation


@dataclass(frozen=True, slots=True)
class Unfillable:
    """A need no doctor passes every hard rule for.

    Attributes:
        need_id: the need.
        doctors: doctors considered.
        eliminated: per hard rule, doctors failing it (each rule on its own).
        reasons: rules that alone eliminate everybody; empty when only their
            combination does (then ``eliminated`` shows which bite most).
    """

    need_id: int
    doctors: int
    eliminated: dict[str, int]
    reasons: tuple[str, ...]


@dataclass(slots=True)
class RankingResult:
    """Outcome of a ranking run.

    Attributes:
        proposals: the assignment's pairings, by need id then rank.
        unfillable: needs nobody passes the hard rules for, with the reason.
        need_ids: int64 (N,) need ids, row order of the arrays below.
        candidate_ids: int64 (N, K) top-K doctor ids per need, best first, -1 padded.
        candidate_scores: float64 (N, K), -inf padded.
        n_eligible: int64 (N,) doctors passing every hard rule, per need.
        total_score: sum of the proposals' scores (the assignment's optimum).
    """

    proposals: list[Proposal]
    unfillable: list[Unfillable]
    need_ids: np.ndarray
    candidate_ids: np.ndarray
    candidate_scores: np.ndarray
    n_eligible: np.ndarray
    total_score: float
    _row: dict[int, int] = field(default_factory=dict, repr=False)

    def candidates(self, need_id: int) -> list[Candidate]:
        """Top candidates of one need, best first."""
        if not self._row:
            self._row.update({int(n): i for i, n in enumerate(self.need_ids)})
        i = self._row[need_id]
        return [
            Candidate(int(d), float(s), r + 1)
            for r, (d, s) in enumerate(
                zip(self.candidate_ids[i], self.candidate_scores[i], strict=True)
            )
            if d >= 0
        ]


def _pool(na: NeedArrays, rows: np.ndarray) -> np.ndarray:
    return np.where(
        na.travels[rows],
        POOL_TRAVEL,
        np.where(na.kind[rows] == MENTORSHIP, POOL_MENTORSHIP, POOL_REMOTE_TRAINING),
    ).astype(np.int64)


def doctor_capacity(da: DoctorArrays) -> np.ndarray:
    """Capacity per doctor and pool: int64 (D, 3) (travel 1, mentees left, remote training 1)."""
    cap = np.ones((da.n, len(POOLS)), dtype=np.int64)
    cap[:, POOL_MENTORSHIP] = da.mentee_room
    return cap


def _unfillable(da: DoctorArrays, na: NeedArrays, rows: np.ndarray) -> list[Unfillable]:
    out = []
    for r, elim in zip(rows, rule_failures(da, na, rows), strict=True):
        reasons = tuple(rule for rule in HARD_RULES if elim[rule] >= da.n)
        out.append(Unfillable(int(na.ids[r]), da.n, elim, reasons))
    return out


def _explain(
    da: DoctorArrays,
    na: NeedArrays,
    need_rows: np.ndarray,
    doctor_rows: np.ndarray,
    ranks: np.ndarray,
    runners: list[tuple[Candidate, ...]],
) -> list[Proposal]:
    sig = pair_signals(da, na, need_rows, doctor_rows)
    codes = da.skill_vectorizer.codes
    both = na.skill[need_rows].multiply(da.skill[doctor_rows]).tocsr()
    out = []
    for p in range(need_rows.size):
        n, d = int(need_rows[p]), int(doctor_rows[p])
        lo, hi = both.indptr[p], both.indptr[p + 1]
        order = np.argsort(-both.data[lo:hi], kind="stable")
        shared = tuple(codes[both.indices[lo + i]] for i in order)
        signals = {
            s: Signal(float(sig[s][p]), WEIGHTS[s], float(WEIGHTS[s] * sig[s][p])) for s in SIGNALS
        }
        details = {k: float(sig[k][p]) for k in ("coverage", "weekly_overlap_hours") if k in sig}
        details = {k: v for k, v in details.items() if not np.isnan(v)}
        out.append(
            Proposal(
                int(na.ids[n]),
                int(da.ids[d]),
                float(sig["score"][p]),
                int(ranks[p]),
                Explanation(signals, HARD_RULES, shared, details, runners[p]),
            )
        )
    return out


def rank_arrays(
    da: DoctorArrays, na: NeedArrays, top_k: int = 20, threads: int | None = None
) -> RankingResult:
    """:func:`rank` on arrays already built (see :func:`build_arrays`)."""
    top = top_candidates(da, na, top_k, threads)
    need_ids = na.ids
    cand_ids = np.where(top.doctor_rows >= 0, da.ids[np.maximum(top.doctor_rows, 0)], -1)
    # Candidate graph: every (need, top-K doctor) edge.
    n_idx, k_idx = np.nonzero(top.doctor_rows >= 0)
    d_idx = top.doctor_rows[n_idx, k_idx]
    scores = top.scores[n_idx, k_idx]
    result = solve_assignment(
        n_idx, d_idx, _pool(na, n_idx), scores, na.places, doctor_capacity(da)
    )
    ch = np.flatnonzero(result.chosen)
    ch = ch[np.lexsort((k_idx[ch], need_ids[n_idx[ch]]))]
    runners: list[tuple[Candidate, ...]] = []
    chosen_set = {(int(n_idx[e]), int(d_idx[e])) for e in ch}
    for e in ch:
        n = int(n_idx[e])
        runners.append(
            tuple(
                Candidate(int(da.ids[d]), float(s), r + 1)
                for r, (d, s) in enumerate(zip(top.doctor_rows[n], top.scores[n], strict=True))
                if d >= 0 and (n, int(d)) not in chosen_set
            )[:RUNNERS_UP]
        )
    proposals = _explain(da, na, n_idx[ch], d_idx[ch], k_idx[ch] + 1, runners)
    empty = np.flatnonzero(top.n_eligible == 0)
    return RankingResult(
        proposals=proposals,
        unfillable=_unfillable(da, na, empty),
        need_ids=need_ids,
        candidate_ids=cand_ids,
        candidate_scores=top.scores,
        n_eligible=top.n_eligible,
        total_score=float(sum(p.score for p in proposals)),
    )


def rank(
    doctors: Sequence[DoctorInput],
    needs: Sequence[NeedInput],
    taxonomy: Any = None,
    today: date | None = None,
    top_k: int = 20,
    threads: int | None = None,
) -> RankingResult:
    """Rank every open need against every doctor and choose the pairings.

    Args:
        doctors, needs: the plain inputs (see :mod:`matching.ranking.data`).
        taxonomy: a :class:`matching.taxonomy.Taxonomy`; the packaged one by default.
        today: the run's date (licence expiry, default mentorship span); today by default.
        top_k: candidates kept per need (the assignment's graph and the runners-up).
        threads: block-scoring threads; the number of cores by default.
    """
    if taxonomy is None:
        from matching.taxonomy import load_taxonomy

        taxonomy = load_taxonomy()
    today = today or date.today()
    da = build_doctor_arrays(doctors, taxonomy)
    na = build_need_arrays(needs, da, today)
    return rank_arrays(da, na, top_k, threads)


@dataclass(slots=True)
class NeedRanking:
    """One need ranked on its own: its candidates as proposals, best first.

    ``unfillable`` is set (and ``proposals`` empty) when nobody passes the hard rules.
    """

    need_id: int
    proposals: list[Proposal]
    n_eligible: int
    unfillable: Unfillable | None


def rank_one_need(
    need: NeedInput, doctors: DoctorArrays, today: date | None = None, top_k: int = 20
) -> NeedRanking:
    """Rank one newly posted need against prepared doctor arrays (built once, reused).

    No assignment: every top-``k`` candidate is returned as a proposal with its
    explanation; each proposal's runners-up are the next candidates on the list.
    """
    today = today or date.today()
    na = build_need_arrays([need], doctors, today)
    top = top_candidates(doctors, na, top_k, threads=1)
    ok = top.doctor_rows[0] >= 0
    d_rows = top.doctor_rows[0][ok]
    if d_rows.size == 0:
        (unf,) = _unfillable(doctors, na, np.array([0]))
        return NeedRanking(need.id, [], 0, unf)
    ranks = np.arange(1, d_rows.size + 1)
    runners = [
        tuple(
            Candidate(int(doctors.ids[d]), float(s), int(r))
            for d, s, r in zip(
                d_rows[i + 1 : i + 1 + RUNNERS_UP],
                top.scores[0][ok][i + 1 : i + 1 + RUNNERS_UP],
                ranks[i + 1 : i + 1 + RUNNERS_UP],
                strict=True,
            )
        )
        for i in range(d_rows.size)
    ]
    props = _explain(doctors, na, np.zeros(d_rows.size, dtype=np.int64), d_rows, ranks, runners)
    return NeedRanking(need.id, props, int(top.n_eligible[0]), None)
