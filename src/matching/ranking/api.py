"""Public entry points: rank all open needs at once, or one newly posted need.

``rank`` = build arrays -> hard rules and scores in blocks -> top-K candidates
per need -> exact assignment over that candidate graph -> proposals with their
explanations, and the needs nobody can fill with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any

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
)
from matching.ranking.data import DoctorInput, NeedInput
from matching.ranking.engine import MENTORSHIP, rule_counts, top_candidates
from matching.ranking.explain import pair_signals
from matching.ranking.teams import TeamSeat, has_teams, solve_with_teams, team_seats
from matching.ranking.weights import (
    HARD_RULES,
    LANGUAGE_LEVELS,
    LEARNED_SIGNAL,
    SIGNALS,
    WEIGHTS,
)
from matching.taxonomy import load_taxonomy

if TYPE_CHECKING:
    from matching.ranking.learned import LearnedModel

RUNNERS_UP = 3
#: Candidates kept per need for the assignment (and its runners-up) by default. Against
#: the optimum over every feasible pair on tight populations (``python -m
#: benchmarks.pruning``; 5,000 doctors x 1,000 needs, 4 seeds, and 2,000 x 400, 26
#: seeds), 20 lost up to 37 places (6.1 % of score) and 30 up to 20; 50 lost none (gap
#: 0.000 %). On the 100,000 x 10,000 benchmark, 20 fills 73 places fewer than 50.
DEFAULT_TOP_K = 50


@dataclass(frozen=True, slots=True)
class SignalScore:
    """One signal of a proposal: ``contribution = weight * value``."""

    value: float
    weight: float
    contribution: float


@dataclass(frozen=True, slots=True)
class Candidate:
    """A doctor on a need's list: ``rank`` 1 is the best.

    A runner-up also carries its own ``signals``, ``shared_skills`` and ``details``
    (same meaning as in :class:`Explanation`), so a coordinator who swaps it in
    still sees why it ranked where it did; a bare candidate list leaves them empty.
    """

    doctor_id: int
    score: float
    rank: int
    signals: dict[str, SignalScore] = field(default_factory=dict)
    shared_skills: tuple[str, ...] = ()
    details: dict[str, float] = field(default_factory=dict)
    continuity: tuple[str, int] | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form (``signals`` and the rest only when known)."""
        out: dict[str, Any] = {"doctor_id": self.doctor_id, "score": self.score, "rank": self.rank}
        if self.signals:
            out["signals"] = {
                k: {"value": s.value, "weight": s.weight, "contribution": s.contribution}
                for k, s in self.signals.items()
            }
            out["shared_skills"] = list(self.shared_skills)
            out["details"] = dict(self.details)
        if self.continuity is not None:
            out["continuity"] = {"kind": self.continuity[0], "year": self.continuity[1]}
        return out


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why this doctor for this need.

    Attributes:
        signals: per signal (order of :data:`~matching.ranking.weights.SIGNALS`, then
            ``past_decisions`` when a model learned from coordinators' decisions
            joined the score), its value, weight and contribution; contributions
            sum to the score.
        rules_passed: the hard rules checked, all passed.
        shared_skills: taxonomy skill codes both sides have, strongest first.
        details: figures behind availability: ``coverage`` (fraction of days) or
            ``weekly_overlap_hours``.
        runners_up: the next best doctors for this need, not chosen for it.
        continuity: ``(kind, year)`` of the doctor's earlier work with this
            facility (the ``continuity`` signal), None for a stranger.
        waited_runs: full runs in a row that gave the facility no proposal before
            this one; ``weight_multiplier`` the need weight's multiplier for it.
        role: for a team mission, the role (specialty code) this doctor fills.
        team: for a team mission, every role and the doctors who fill it.
    """

    signals: dict[str, SignalScore]
    rules_passed: tuple[str, ...]
    shared_skills: tuple[str, ...]
    details: dict[str, float]
    runners_up: tuple[Candidate, ...]
    continuity: tuple[str, int] | None = None
    waited_runs: int = 0
    weight_multiplier: float = 1.0
    role: str = ""
    team: tuple[TeamSeat, ...] = ()

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
            "runners_up": [c.as_dict() for c in self.runners_up],
            **(
                {"continuity": {"kind": self.continuity[0], "year": self.continuity[1]}}
                if self.continuity is not None
                else {}
            ),
            **(
                {
                    "fairness": {
                        "waited_runs": self.waited_runs,
                        "multiplier": self.weight_multiplier,
                    }
                }
                if self.waited_runs
                else {}
            ),
            **(
                {"role": self.role, "team": [seat.as_dict() for seat in self.team]}
                if self.role
                else {}
            ),
        }


@dataclass(frozen=True, slots=True)
class RankedPair:
    """One doctor proposed for one need: the engine's result (the stored row is
    :class:`matching.pairings.tables.Proposal`)."""

    need_id: int
    doctor_id: int
    score: float
    rank: int
    explanation: Explanation


@dataclass(frozen=True, slots=True)
class Unfillable:
    """A need with places no doctor can take: fewer doctors pass every hard rule
    than it has places left (none at all, or fewer than it asked for).

    Attributes:
        need_id: the need.
        doctors: doctors considered.
        eliminated: per hard rule, doctors failing it (each rule on its own).
        reasons: the rules that keep places open: each rule that alone leaves
            fewer doctors than the places left (for a one-place need: that alone
            eliminates everybody), and each rule without which enough doctors
            would pass all the others. ``("decided",)`` when no rule does but
            doctors a person already refused or holds for this need would; empty
            when only a combination of rules does (then ``eliminated`` shows
            which bite most).
        places_left: places the need still had.
        eligible: doctors passing every hard rule (and not already decided).
        decided: (need, doctor) pairs left out because a person decided them.
        role: for a team mission, the role (specialty code) that cannot be
            filled: the whole team then gets nobody.
        language_gaps: when ``language_level`` keeps places open, per language the
            need asks a minimum level of: ``(code, level asked, best level any
            doctor speaks it at)``, the best ``""`` when nobody speaks it.
    """

    need_id: int
    doctors: int
    eliminated: dict[str, int]
    reasons: tuple[str, ...]
    places_left: int = 1
    eligible: int = 0
    decided: int = 0
    role: str = ""
    language_gaps: tuple[tuple[str, str, str], ...] = ()


@dataclass(slots=True)
class RankingResult:
    """Outcome of a ranking run.

    Attributes:
        proposals: the assignment's pairings, by need id then rank.
        unfillable: needs with places no doctor can take (fewer pass every hard
            rule than places left), with the reason (see :class:`Unfillable`).
        need_ids: int64 (N,) need ids, row order of the arrays below.
        candidate_ids: int64 (N, K) top-K doctor ids per need, best first, -1 padded.
        candidate_scores: float64 (N, K), -inf padded.
        n_eligible: int64 (N,) doctors passing every hard rule, per need.
        total_score: sum of the proposals' scores (the assignment's optimum).
    """

    proposals: list[RankedPair]
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


def pool_of_rows(na: NeedArrays, rows: np.ndarray) -> np.ndarray:
    """Capacity pool (travel, mentorship, remote training) of need ``rows``: int64."""
    return np.where(
        na.travels[rows],
        POOL_TRAVEL,
        np.where(na.kind[rows] == MENTORSHIP, POOL_MENTORSHIP, POOL_REMOTE_TRAINING),
    ).astype(np.int64)


_pool = pool_of_rows  # the name the benchmarks import


def doctor_capacity(da: DoctorArrays) -> np.ndarray:
    """Capacity per doctor and pool: int64 (D, 3) (travel 1, mentees left, remote training 1)."""
    cap = np.ones((da.n, len(POOLS)), dtype=np.int64)
    cap[:, POOL_MENTORSHIP] = da.mentee_room
    return cap


def short_rows(na: NeedArrays, n_eligible: np.ndarray) -> np.ndarray:
    """Need rows with places no doctor can take (fewer eligible doctors than places)."""
    return np.flatnonzero(n_eligible < na.places)


def _unfillable(
    da: DoctorArrays, na: NeedArrays, rows: np.ndarray, n_eligible: np.ndarray
) -> list[Unfillable]:
    """The "needs no doctor can fill" report of need ``rows`` (``n_eligible`` per row)."""
    out = []
    decided = np.diff(na.excluded.indptr)
    counts = rule_counts(da, na, rows)
    for i, r in enumerate(rows):
        places = int(na.places[r])
        elim = {rule: int(da.n - counts.alone[i, j]) for j, rule in enumerate(HARD_RULES)}
        reasons = tuple(
            rule
            for j, rule in enumerate(HARD_RULES)
            if counts.alone[i, j] < places or counts.all_but[i, j] >= places
        )
        if not reasons and decided[r]:
            reasons = ("decided",)
        gaps = language_gaps(da, na, int(r)) if "language_level" in reasons else ()
        out.append(
            Unfillable(
                int(na.ids[r]),
                da.n,
                elim,
                reasons,
                places,
                int(n_eligible[r]),
                int(decided[r]),
                na.role[r] if na.role else "",
                gaps,
            )
        )
    return out


def _continuity_labels(
    na: NeedArrays, need_rows: np.ndarray, doctor_rows: np.ndarray
) -> list[tuple[str, int] | None]:
    """``(kind, year)`` of each pair's earlier work together, None for strangers."""
    if not na.continuity_label.nnz or not need_rows.size:
        return [None] * need_rows.size
    at = np.asarray(na.continuity_label[need_rows, doctor_rows]).ravel()
    return [na.continuity_labels[int(a) - 1] if a > 0 else None for a in at]


def language_gaps(da: DoctorArrays, na: NeedArrays, row: int) -> tuple[tuple[str, str, str], ...]:
    """Per language need ``row`` asks a minimum level of (above basic): ``(code, level
    asked, best level any doctor speaks it at or "")``, codes sorted."""
    code_of = {bit: code for code, bit in da.languages.bits.items()}
    spoken = np.bitwise_or.reduce(da.lang_level_bits, axis=0) if da.n else None
    out = []
    for t in range(1, len(LANGUAGE_LEVELS)):
        bits = int(na.lang_level_bits[row, t])
        for bit, code in sorted(code_of.items()):
            if not bits >> bit & 1:
                continue
            best = ""
            if spoken is not None:
                for level in range(len(LANGUAGE_LEVELS)):
                    if int(spoken[level]) >> bit & 1:
                        best = LANGUAGE_LEVELS[level]
            out.append((code, LANGUAGE_LEVELS[t], best))
    return tuple(sorted(out))


def _explain(
    da: DoctorArrays,
    na: NeedArrays,
    need_rows: np.ndarray,
    doctor_rows: np.ndarray,
    ranks: np.ndarray,
    runners: list[tuple[Candidate, ...]],
    runner_rows: list[np.ndarray],
    learned: LearnedModel | None = None,
) -> list[RankedPair]:
    """Proposals for P chosen pairs, each with its runners-up explained too.

    ``runner_rows[p]`` holds the doctor rows of ``runners[p]`` (same order); all
    pairs, chosen and runners-up, go through one vectorised :func:`pair_signals`.
    With ``learned``, its signal is listed last and the others' weights are
    scaled by ``1 - learned.weight`` (see :mod:`matching.ranking.learned`).
    """
    counts = np.fromiter((len(r) for r in runner_rows), dtype=np.int64, count=len(runner_rows))
    all_needs = np.concatenate([need_rows, np.repeat(need_rows, counts)]).astype(np.int64)
    all_doctors = np.concatenate(
        [doctor_rows, *[np.asarray(r, dtype=np.int64) for r in runner_rows]]
    ).astype(np.int64)
    sig = pair_signals(da, na, all_needs, all_doctors, learned)
    history = _continuity_labels(na, all_needs, all_doctors)
    codes = da.skill_vectorizer.codes_
    both = na.skill[all_needs].multiply(da.skill[all_doctors]).tocsr()
    weights = {s: WEIGHTS[s] for s in SIGNALS}
    if learned is not None:
        weights = {s: w * (1.0 - learned.weight) for s, w in weights.items()}
        weights[LEARNED_SIGNAL] = learned.weight

    def parts(q: int) -> tuple[dict[str, SignalScore], tuple[str, ...], dict[str, float]]:
        lo, hi = both.indptr[q], both.indptr[q + 1]
        order = np.argsort(-both.data[lo:hi], kind="stable")
        shared = tuple(codes[both.indices[lo + i]] for i in order)
        signals = {
            s: SignalScore(float(sig[s][q]), w, float(w * sig[s][q])) for s, w in weights.items()
        }
        details = {k: float(sig[k][q]) for k in ("coverage", "weekly_overlap_hours") if k in sig}
        return signals, shared, {k: v for k, v in details.items() if not np.isnan(v)}

    out = []
    q = need_rows.size
    for p in range(need_rows.size):
        signals, shared, details = parts(p)
        explained = []
        for c in runners[p]:
            r_signals, r_shared, r_details = parts(q)
            # The score of the pair's own signals (their contributions sum to it), not
            # the scoring block's: that one may differ in the last bit with the block's
            # shape, and a split run's blocks are shaped differently.
            score = float(sig["score"][q])
            explained.append(
                Candidate(c.doctor_id, score, c.rank, r_signals, r_shared, r_details, history[q])
            )
            q += 1
        out.append(
            RankedPair(
                int(na.ids[need_rows[p]]),
                int(da.ids[doctor_rows[p]]),
                float(sig["score"][p]),
                int(ranks[p]),
                Explanation(
                    signals,
                    HARD_RULES,
                    shared,
                    details,
                    tuple(explained),
                    history[p],
                    int(na.waited_runs[need_rows[p]]),
                    float(na.weight_multiplier[need_rows[p]]),
                ),
            )
        )
    return out


def _with_team_seats(
    proposals: list[RankedPair], na: NeedArrays, need_rows: np.ndarray, doctor_ids: np.ndarray
) -> list[RankedPair]:
    """Proposals of team missions carry their role and the whole team (each role, who)."""
    seats = team_seats(need_rows, doctor_ids, na.team, na.role, na.places)
    out = []
    for p, r in zip(proposals, need_rows.tolist(), strict=True):
        t = int(na.team[r])
        if t >= 0:
            p = replace(p, explanation=replace(p.explanation, role=na.role[r], team=seats[t]))
        out.append(p)
    return out


def assign_by_pool(
    need: np.ndarray,
    doctor: np.ndarray,
    pool: np.ndarray,
    score: np.ndarray,
    places: np.ndarray,
    capacity: np.ndarray,
    team: np.ndarray,
    pools: Iterable[int] = range(len(POOLS)),
) -> np.ndarray:
    """The exact assignment, solved apart per capacity pool: chosen bool (E,).

    Travel (missions, team missions included), mentorship and remote training share
    no capacity and a need belongs to one pool, so the pools' optima together are
    the optimum of the whole (same total). ``pools``: solve only these (a split run's
    assignment job solves one; the other edges stay unchosen). Args as
    :func:`~matching.ranking.teams.solve_with_teams`, edges in need-row order.
    """
    chosen = np.zeros(need.size, dtype=bool)
    for p in pools:
        edges = np.flatnonzero(pool == p)
        if edges.size:
            chosen[edges] = solve_with_teams(
                need[edges], doctor[edges], pool[edges], score[edges], places, capacity, team
            ).chosen
    return chosen


def chosen_proposals(
    da: DoctorArrays,
    na: NeedArrays,
    top_rows: np.ndarray,
    top_scores: np.ndarray,
    n_idx: np.ndarray,
    d_idx: np.ndarray,
    k_idx: np.ndarray,
    chosen: np.ndarray,
    learned: LearnedModel | None = None,
) -> list[RankedPair]:
    """The chosen candidate edges as explained proposals, by need id then rank.

    ``top_rows``/``top_scores``: (N, K) top-K doctor rows and scores per need row
    of ``na`` (runners-up come from them); ``n_idx``, ``d_idx``, ``k_idx``: need
    row, doctor row and list position of each edge; ``chosen``: bool per edge.
    """
    need_ids = na.ids
    ch = np.flatnonzero(chosen)
    ch = ch[np.lexsort((k_idx[ch], need_ids[n_idx[ch]]))]
    runners: list[tuple[Candidate, ...]] = []
    runner_rows: list[np.ndarray] = []
    chosen_set = {(int(n_idx[e]), int(d_idx[e])) for e in ch}
    for e in ch:
        n = int(n_idx[e])
        picked = [
            (int(d), float(s), r + 1)
            for r, (d, s) in enumerate(zip(top_rows[n], top_scores[n], strict=True))
            if d >= 0 and (n, int(d)) not in chosen_set
        ][:RUNNERS_UP]
        runners.append(tuple(Candidate(int(da.ids[d]), s, r) for d, s, r in picked))
        runner_rows.append(np.array([d for d, _, _ in picked], dtype=np.int64))
    proposals = _explain(da, na, n_idx[ch], d_idx[ch], k_idx[ch] + 1, runners, runner_rows, learned)
    if has_teams(na.team):
        proposals = _with_team_seats(proposals, na, n_idx[ch], da.ids[d_idx[ch]])
    return proposals


def unfillable_rows(da: DoctorArrays, na: NeedArrays, n_eligible: np.ndarray) -> list[Unfillable]:
    """The "needs no doctor can fill" report of every short row of ``na``."""
    return _unfillable(da, na, short_rows(na, n_eligible), n_eligible)


def rank_arrays(
    da: DoctorArrays,
    na: NeedArrays,
    top_k: int = DEFAULT_TOP_K,
    threads: int | None = None,
    learned: LearnedModel | None = None,
) -> RankingResult:
    """:func:`rank` on arrays already built (see :func:`build_arrays`)."""
    top = top_candidates(da, na, top_k, threads, learned)
    need_ids = na.ids
    cand_ids = np.where(top.doctor_rows >= 0, da.ids[np.maximum(top.doctor_rows, 0)], -1)
    # Candidate graph: every (need, top-K doctor) edge.
    n_idx, k_idx = np.nonzero(top.doctor_rows >= 0)
    d_idx = top.doctor_rows[n_idx, k_idx]
    scores = top.scores[n_idx, k_idx]
    chosen = assign_by_pool(
        n_idx, d_idx, pool_of_rows(na, n_idx), scores, na.places, doctor_capacity(da), na.team
    )
    proposals = chosen_proposals(
        da, na, top.doctor_rows, top.scores, n_idx, d_idx, k_idx, chosen, learned
    )
    return RankingResult(
        proposals=proposals,
        unfillable=unfillable_rows(da, na, top.n_eligible),
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
    top_k: int = DEFAULT_TOP_K,
    threads: int | None = None,
    learned: LearnedModel | None = None,
    exclude: Iterable[tuple[int, int]] = (),
) -> RankingResult:
    """Rank every open need against every doctor and choose the pairings.

    Args:
        doctors, needs: the plain inputs (see :mod:`matching.ranking.data`).
        taxonomy: a :class:`matching.taxonomy.Taxonomy`; the packaged one by default.
        today: the run's date (licence expiry, default mentorship span); today by default.
        top_k: candidates kept per need (the assignment's graph and the runners-up).
        threads: block-scoring threads; the number of cores by default.
        learned: a model learned from coordinators' decisions
            (:func:`matching.ranking.learned.fit_model`) joining the score; None
            (the default) leaves the score exactly the weighted sum of the signals.
        exclude: (need id, doctor id) pairs a person already decided (refused,
            declined, holding a place): left out of the candidate graph before the
            assignment, so such a need gets its next feasible doctor instead.
    """
    if taxonomy is None:
        taxonomy = load_taxonomy()
    today = today or date.today()
    da = build_doctor_arrays(doctors, taxonomy)
    na = build_need_arrays(needs, da, today, exclude)
    return rank_arrays(da, na, top_k, threads, learned)


@dataclass(slots=True)
class NeedRanking:
    """One need ranked on its own: its candidates as proposals, best first.

    ``unfillable`` is set when fewer doctors pass the hard rules than the need has
    places left (``proposals`` is then empty only when nobody passes).
    """

    need_id: int
    proposals: list[RankedPair]
    n_eligible: int
    unfillable: Unfillable | None


def rank_one_need(
    need: NeedInput,
    doctors: DoctorArrays,
    today: date | None = None,
    top_k: int = DEFAULT_TOP_K,
    learned: LearnedModel | None = None,
    exclude: Iterable[tuple[int, int]] = (),
) -> NeedRanking:
    """Rank one newly posted need against prepared doctor arrays (built once, reused).

    No assignment: every top-``k`` candidate is returned as a proposal with its
    explanation; each proposal's runners-up are the next candidates on the list.
    ``exclude``: (need id, doctor id) pairs left out (see :func:`rank`).
    """
    today = today or date.today()
    na = build_need_arrays([need], doctors, today, exclude)
    if has_teams(na.team):
        # A team is filled all together or not at all: the exact assignment of its roles.
        result = rank_arrays(doctors, na, top_k, threads=1, learned=learned)
        return NeedRanking(
            need.id,
            result.proposals,
            int(result.n_eligible.min()),
            result.unfillable[0] if result.unfillable else None,
        )
    top = top_candidates(doctors, na, top_k, threads=1, learned=learned)
    ok = top.doctor_rows[0] >= 0
    d_rows = top.doctor_rows[0][ok]
    short = short_rows(na, top.n_eligible)
    unfillable = _unfillable(doctors, na, short, top.n_eligible)[0] if short.size else None
    if d_rows.size == 0:
        return NeedRanking(need.id, [], 0, unfillable)
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
    runner_rows = [d_rows[i + 1 : i + 1 + RUNNERS_UP] for i in range(d_rows.size)]
    props = _explain(
        doctors,
        na,
        np.zeros(d_rows.size, dtype=np.int64),
        d_rows,
        ranks,
        runners,
        runner_rows,
        learned,
    )
    return NeedRanking(need.id, props, int(top.n_eligible[0]), unfillable)
