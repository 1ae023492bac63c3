"""The vectorised ranking engine: hard rules, signals, top-K candidates.

Needs are processed in blocks of the same kind against the doctors who could
take that kind at all (offering the mode; for mentorship with room and slots;
for travel with a travel window). A block is C needs x Dc doctors of float64
arrays, C chosen so that one array stays near 8 million cells; all hard rules
and signals of a block are whole-array numpy/scipy operations. Blocks run on
a small thread pool (numpy and scipy sparse release the GIL).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date

import numpy as np
import scipy.sparse as sp

from matching.ranking import weekmask
from matching.ranking.arrays import KIND_CODE, MODE_BIT, DoctorArrays, NeedArrays
from matching.ranking.weights import HARD_RULES, MENTORSHIP_HEADROOM, WEIGHTS

EPS = 1e-9
BLOCK_CELLS = 8_000_000
MISSION, MENTORSHIP, TRAINING = KIND_CODE["mission"], KIND_CODE["mentorship"], KIND_CODE["training"]


def _ordinal_monday(ordinal: int) -> int:
    return ordinal - (ordinal - 1) % 7


def joint_patterns(
    need_tz: str, doctor_tz: str, start: np.ndarray, end: np.ndarray
) -> list[tuple[bytes, bytes, np.ndarray]]:
    """Distinct (need column map, doctor column map) pairs met by each span.

    Args:
        need_tz, doctor_tz: the two time zones.
        start, end: int64 (P,) ordinals of P spans (both ends included).

    Returns:
        ``(need_key, doctor_key, present)`` per distinct pair of week column maps,
        ``present`` bool (P,) telling which spans meet a week with that pair.
    """
    first = _ordinal_monday(int(start.min()))
    last = _ordinal_monday(int(end.max()))
    n_weeks = (last - first) // 7 + 1
    keys: dict[tuple[bytes, bytes], int] = {}
    week_joint = np.empty(n_weeks, dtype=np.int64)
    for w in range(n_weeks):
        monday = date.fromordinal(first + 7 * w)
        pair = (weekmask.column_map(need_tz, monday), weekmask.column_map(doctor_tz, monday))
        week_joint[w] = keys.setdefault(pair, len(keys))
    a = (_mondays(start) - first) // 7
    b = (_mondays(end) - first) // 7
    out = []
    for pair, j in keys.items():
        cum = np.concatenate(([0], np.cumsum(week_joint == j)))
        out.append((pair[0], pair[1], (cum[b + 1] - cum[a]) > 0))
    return out


def _mondays(ordinals: np.ndarray) -> np.ndarray:
    """Ordinal of the Monday on or before each ordinal: int64, same shape."""
    # date.fromordinal(1) is a Monday, so the weekday of ordinal o is (o - 1) % 7.
    return ordinals - (ordinals - 1) % 7


def mentorship_overlap_block(
    need_local: sp.csr_matrix,
    need_tz: tuple[str, ...],
    start: np.ndarray,
    end: np.ndarray,
    doctor_slots: sp.csr_matrix,
    doctor_tz: str,
) -> np.ndarray:
    """Smallest weekly overlap, in bins, of C needs and the n doctors of one zone.

    Args:
        need_local: CSR (C, 672) local masks of the local doctors.
        need_tz: C time zones of ``need_local``.
        start, end: int64 (C,) ordinals of the mentorships' spans.
        doctor_slots: CSR (n, 672) local masks of doctors all in ``doctor_tz``.

    Returns:
        float64 (C, n) overlap in bins (divide by 4 for hours), the minimum over
        the real UTC weeks each span meets.
    """
    c, n = need_local.shape[0], doctor_slots.shape[0]
    out = np.full((c, n), np.inf)
    tz_arr = np.asarray(need_tz, dtype=object)
    for t in dict.fromkeys(need_tz):
        rows_t = np.flatnonzero(tz_arr == t)
        for kn, kd, present in joint_patterns(t, doctor_tz, start[rows_t], end[rows_t]):
            rows = rows_t[present]
            if not rows.size:
                continue
            v = (need_local[rows] @ weekmask.transfer(kn, kd)).toarray()
            uniq, inv = np.unique(v, axis=0, return_inverse=True)
            counts = np.asarray(doctor_slots @ uniq.T)  # (n, u)
            out[rows] = np.minimum(out[rows], counts[:, inv.ravel()].T)
    out[np.isinf(out)] = 0.0
    return out


def coverage_block(start: np.ndarray, end: np.ndarray, windows: np.ndarray) -> np.ndarray:
    """Fraction of each need's days covered by each doctor's merged windows.

    Args:
        start, end: int64 (C,) need ordinals. windows: int64 (n, W, 2).

    Returns:
        float64 (C, n) in [0, 1].
    """
    days = np.zeros((start.size, windows.shape[0]), dtype=np.int64)
    for w in range(windows.shape[1]):
        lo = np.maximum(windows[None, :, w, 0], start[:, None])
        hi = np.minimum(windows[None, :, w, 1], end[:, None])
        days += np.clip(hi - lo + 1, 0, None)
    return days / (end - start + 1)[:, None]


def clash_block(start: np.ndarray, end: np.ndarray, committed: np.ndarray) -> np.ndarray:
    """Does a committed mission overlap the need's dates: bool (C, n)."""
    out = np.zeros((start.size, committed.shape[0]), dtype=bool)
    for w in range(committed.shape[1]):
        out |= (committed[None, :, w, 0] <= end[:, None]) & (
            committed[None, :, w, 1] >= start[:, None]
        )
    return out


@dataclass(slots=True)
class Block:
    """Scores of C needs against Dc doctors.

    Attributes:
        rows: int64 (C,) need rows. cand: int64 (Dc,) doctor rows.
        ok: bool (C, Dc) all hard rules pass.
        score: float64 (C, Dc), -inf where a rule fails.
        availability: float64 (C, Dc) availability signal (0 where it fails).
        rules: per hard rule, bool (C, Dc) pass (only when asked for).
    """

    rows: np.ndarray
    cand: np.ndarray
    ok: np.ndarray
    score: np.ndarray
    rules: dict[str, np.ndarray] | None = None


def candidate_rows(da: DoctorArrays, kind: int, travels: bool) -> np.ndarray:
    """Doctor rows worth scoring for needs of one kind: int64 (Dc,)."""
    if kind == MENTORSHIP:
        if not da.mentor_groups:
            return np.zeros(0, dtype=np.int64)
        return np.concatenate([g.rows for g in da.mentor_groups])
    if kind == MISSION:
        return da.travellers
    return da.trainers_travelling if travels else da.trainers


def score_block(
    da: DoctorArrays,
    na: NeedArrays,
    rows: np.ndarray,
    cand: np.ndarray,
    skill_cand: sp.csr_matrix | None = None,
    keep_rules: bool = False,
) -> Block:
    """Hard rules and score of needs ``rows`` (all one kind and travel flag) x doctors ``cand``.

    ``cand`` must be :func:`candidate_rows` of that kind (mentorship needs rely
    on the order of the time-zone groups) unless ``keep_rules`` asks for the
    per-rule masks, which works on any doctor rows.
    """
    kind = int(na.kind[rows[0]])
    travels = bool(na.travels[rows[0]])
    lb = na.lang_bits[rows][:, None]
    rules: dict[str, np.ndarray] = {}
    rules["mode"] = np.broadcast_to(
        (da.mode_bits[cand] & np.uint8(MODE_BIT[list(KIND_CODE)[kind]])) > 0,
        (rows.size, cand.size),
    )
    rules["language"] = ((lb & da.lang_bits[cand][None, :]) != 0) | ~na.lang_required[rows][:, None]
    lic = na.licence_by[rows][:, None]
    rules["licence"] = (lic < 0) | (da.licence_until[cand][None, :] >= lic)
    start, end = na.start[rows], na.end[rows]
    wk_first, wk_last = na.week_first[rows], na.week_last[rows]
    if travels:
        avail = coverage_block(start, end, da.windows[cand])
        rules["availability"] = avail >= na.min_coverage[rows][:, None] - EPS
        rules["capacity"] = ~clash_block(start, end, da.committed[cand])
    elif kind == MENTORSHIP:
        if keep_rules:
            bins = np.zeros((rows.size, cand.size))
            for t in np.unique(da.tz_index[cand]):
                cols = np.flatnonzero(da.tz_index[cand] == t)
                bins[:, cols] = mentorship_overlap_block(
                    na.local[rows],
                    tuple(na.local_tz[i] for i in rows),
                    wk_first,
                    wk_last,
                    da.slots[cand[cols]],
                    da.tz_names[t],
                )
        else:
            parts = [
                mentorship_overlap_block(
                    na.local[rows],
                    tuple(na.local_tz[i] for i in rows),
                    wk_first,
                    wk_last,
                    g.slots,
                    g.tz,
                )
                for g in da.mentor_groups
            ]
            bins = np.hstack(parts) if parts else np.zeros((rows.size, 0))
        hours = bins / 4.0
        wh = na.weekly_hours[rows][:, None]
        rules["availability"] = hours >= wh - EPS
        avail = np.minimum(1.0, hours / (MENTORSHIP_HEADROOM * wh))
        rules["capacity"] = np.broadcast_to(da.mentee_room[cand] > 0, (rows.size, cand.size))
    else:
        avail = np.ones((rows.size, cand.size))
        rules["availability"] = np.ones((rows.size, cand.size), dtype=bool)
        rules["capacity"] = rules["availability"]
    ok = rules["language"] & rules["licence"] & rules["availability"] & rules["capacity"]
    if keep_rules:
        ok &= rules["mode"]
    if skill_cand is None:
        skill_cand = da.skill[cand]
    need_skill = na.skill[rows].T.toarray()  # (K, C)
    skills = np.asarray(skill_cand @ need_skill).T  # (C, Dc)
    score = da.base_t[na.spec[rows]][:, cand]
    score += WEIGHTS["skills"] * skills
    score += WEIGHTS["availability"] * avail
    score += (WEIGHTS["need_weight"] * na.need_weight[rows])[:, None]
    score[~ok] = -np.inf
    return Block(rows, cand, ok, score, rules if keep_rules else None)


@dataclass(slots=True)
class TopCandidates:
    """Top-K candidates of each need, best first.

    Attributes:
        doctor_rows: int64 (N, K) doctor rows, -1 where fewer than K pass.
        scores: float64 (N, K), -inf where fewer than K pass.
        n_eligible: int64 (N,) doctors passing every hard rule.
    """

    doctor_rows: np.ndarray
    scores: np.ndarray
    n_eligible: np.ndarray


def _top_k(block: Block, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    c, dc = block.score.shape
    kk = min(k, dc)
    rows_out = np.full((c, k), -1, dtype=np.int64)
    scores_out = np.full((c, k), -np.inf)
    n_ok = block.ok.sum(axis=1).astype(np.int64)
    if kk == 0:
        return rows_out, scores_out, n_ok
    if kk < dc:
        part = np.argpartition(-block.score, kk - 1, axis=1)[:, :kk]
    else:
        part = np.broadcast_to(np.arange(dc), (c, dc))
    s = np.take_along_axis(block.score, part, axis=1)
    d = block.cand[part]
    # Best first; ties go to the lower doctor row, so runs are reproducible.
    order = np.lexsort((d, -s), axis=1)
    s = np.take_along_axis(s, order, axis=1)
    d = np.take_along_axis(d, order, axis=1)
    d[~np.isfinite(s)] = -1
    rows_out[:, :kk] = d
    scores_out[:, :kk] = s
    return rows_out, scores_out, n_ok


def _blocks(da: DoctorArrays, na: NeedArrays) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(need rows, doctor rows) blocks: needs grouped by kind and travel flag."""
    group = na.kind.astype(np.int64) * 2 + na.travels
    for g in np.unique(group):
        rows = np.flatnonzero(group == g)
        cand = candidate_rows(da, int(g) // 2, bool(g % 2))
        size = max(8, min(1024, BLOCK_CELLS // max(1, cand.size)))
        for i in range(0, rows.size, size):
            yield rows[i : i + size], cand


def workers() -> int:
    """Threads for block scoring: the machine's cores, at most 4."""
    return max(1, min(4, os.cpu_count() or 1))


def top_candidates(
    da: DoctorArrays, na: NeedArrays, k: int = 20, threads: int | None = None
) -> TopCandidates:
    """Top-``k`` doctors of every need (see :class:`TopCandidates`)."""
    rows_out = np.full((na.n, k), -1, dtype=np.int64)
    scores_out = np.full((na.n, k), -np.inf)
    n_ok = np.zeros(na.n, dtype=np.int64)
    skill_cache: dict[int, sp.csr_matrix] = {}

    def run(item: tuple[np.ndarray, np.ndarray]) -> None:
        rows, cand = item
        key = id(cand)
        sk = skill_cache.get(key)
        if sk is None:
            sk = skill_cache[key] = da.skill[cand]
        if cand.size == 0:
            return
        r, s, n = _top_k(score_block(da, na, rows, cand, sk), k)
        rows_out[rows], scores_out[rows], n_ok[rows] = r, s, n

    items = list(_blocks(da, na))
    for _, cand in items:  # slice the skill matrix once per candidate set
        if id(cand) not in skill_cache and cand.size:
            skill_cache[id(cand)] = da.skill[cand]
    threads = threads or workers()
    if threads == 1 or len(items) == 1:
        for it in items:
            run(it)
    else:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(run, items))
    return TopCandidates(rows_out, scores_out, n_ok)


def rule_failures(da: DoctorArrays, na: NeedArrays, rows: np.ndarray) -> list[dict[str, int]]:
    """Per need, how many doctors each hard rule eliminates (each rule on its own).

    Every count is over all D doctors, so a count equal to D means that rule
    alone leaves nobody.
    """
    all_rows = np.arange(da.n, dtype=np.int64)
    out: list[dict[str, int]] = []
    for r in rows:
        block = score_block(da, na, np.array([r]), all_rows, keep_rules=True)
        assert block.rules is not None
        out.append({rule: int((~block.rules[rule][0]).sum()) for rule in HARD_RULES})
    return out


def today_default() -> date:
    """Today's date (the engine takes ``today`` explicitly; this is for callers)."""
    return date.today()


__all__ = [
    "Block",
    "TopCandidates",
    "candidate_rows",
    "clash_block",
    "coverage_block",
    "joint_patterns",
    "mentorship_overlap_block",
    "rule_failures",
    "score_block",
    "top_candidates",
]
