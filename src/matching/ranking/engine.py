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
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp
from scipy.linalg.blas import dgemm
from scipy.special import expit
from threadpoolctl import threadpool_limits

from matching.ranking import weekmask
from matching.ranking.arrays import (
    KIND_CODE,
    MODE_BIT,
    DoctorArrays,
    NeedArrays,
    bits_meet,
    levels_meet,
)
from matching.ranking.weights import HARD_RULES, MENTORSHIP_HEADROOM, WEIGHTS

if TYPE_CHECKING:
    from matching.ranking.learned import LearnedModel

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


def _unique_rows(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of a float64 (r, m) array and the row -> distinct index map.

    Hashes each row with a fixed random projection, then checks the grouping is
    exact (falling back to ``np.unique(axis=0)`` if two rows ever shared a hash).
    """
    proj = np.random.default_rng(12345).random((v.shape[1], 2))
    h = v @ proj
    _, first, inv = np.unique(h[:, 0] + 1e3 * h[:, 1], return_index=True, return_inverse=True)
    inv = inv.ravel()
    uniq = v[first]
    if not np.array_equal(uniq[inv], v):  # pragma: no cover - a hash collision
        uniq, inv = np.unique(v, axis=0, return_inverse=True)
        inv = inv.ravel()
    return uniq, inv


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
            uniq, inv = _unique_rows(v)
            counts = np.asarray(doctor_slots @ uniq.T)  # (n, u)
            out[rows] = np.minimum(out[rows], counts.T[inv])
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
class CandidateSet:
    """The doctors worth scoring for one kind of need, sliced once and reused.

    Attributes:
        rows: int64 (Dc,) doctor rows; for mentorship, the time-zone groups one
            after the other (``group_bounds`` gives their column ranges).
        base_t: float64 (S, Dc) ``DoctorArrays.base_t`` columns of these doctors.
        skill: float64 (Dc, K) Fortran-ordered dense skill vectors (for BLAS).
        lang_bits, licence_until, mentee_room: their (Dc,) slices.
        spec_bits: uint64 (Dc, W) their specialty bitsets.
        windows, committed: int64 (Dc, W, 2) slices.
        group_bounds: for mentorship, (start, stop) columns of each time-zone group.
        column: int64 (D,) column of each doctor row in this set, -1 when absent.
        lang_level_bits: uint64 (Dc, T), syria_until: int64 (Dc,): their slices.
    """

    rows: np.ndarray
    base_t: np.ndarray
    skill: np.ndarray
    lang_bits: np.ndarray
    licence_until: np.ndarray
    spec_bits: np.ndarray
    windows: np.ndarray
    committed: np.ndarray
    group_bounds: list[tuple[int, int]]
    column: np.ndarray
    lang_level_bits: np.ndarray
    syria_until: np.ndarray


def candidate_set(da: DoctorArrays, kind: int, travels: bool) -> CandidateSet:
    """The (cached) :class:`CandidateSet` of needs of one kind and travel flag."""
    key = (kind, travels and kind != MENTORSHIP)
    cached = da.cache.get(key)
    if cached is not None:
        return cached
    rows = candidate_rows(da, kind, travels)
    bounds: list[tuple[int, int]] = []
    if kind == MENTORSHIP:
        at = 0
        for g in da.mentor_groups:
            bounds.append((at, at + g.rows.size))
            at += g.rows.size
    column = np.full(da.n, -1, dtype=np.int64)
    column[rows] = np.arange(rows.size)
    cs = CandidateSet(
        rows=rows,
        base_t=np.ascontiguousarray(da.base_t[:, rows]),
        skill=np.asfortranarray(da.skill[rows].toarray()),
        lang_bits=da.lang_bits[rows],
        licence_until=da.licence_until[rows],
        spec_bits=da.spec_bits[rows],
        windows=da.windows[rows],
        committed=da.committed[rows],
        group_bounds=bounds,
        column=column,
        lang_level_bits=da.lang_level_bits[rows],
        syria_until=da.syria_until[rows],
    )
    da.cache[key] = cs
    return cs


def candidate_rows(da: DoctorArrays, kind: int, travels: bool) -> np.ndarray:
    """Doctor rows worth scoring for needs of one kind: int64 (Dc,).

    Everybody else fails a hard rule for sure: not offering the mode; for a
    mentorship, no mentee place left or no weekly slot; for travel, no window.
    """
    if kind == MENTORSHIP:
        if not da.mentor_groups:
            return np.zeros(0, dtype=np.int64)
        return np.concatenate([g.rows for g in da.mentor_groups])
    if kind == MISSION:
        return da.travellers
    return da.trainers_travelling if travels else da.trainers


def _static_ok(na: NeedArrays, rows: np.ndarray, lang: np.ndarray, lic: np.ndarray) -> np.ndarray:
    """Language and licence rules of needs ``rows`` x doctors: bool (C, Dc).

    Needs share few (languages, licence date) combinations: each distinct one is
    evaluated once over the doctors, then gathered.
    """
    req = na.lang_required[rows]
    keys = np.stack(
        [na.lang_bits[rows].astype(np.int64), na.licence_by[rows], req.astype(np.int64)], axis=1
    )
    uniq, inv = np.unique(keys, axis=0, return_inverse=True)
    table = np.empty((uniq.shape[0], lang.size), dtype=bool)
    for u, (bits, by, required) in enumerate(uniq):
        ok = (lang & np.uint64(bits)) != 0 if required else np.ones(lang.size, dtype=bool)
        if by >= 0:
            ok &= lic >= by
        table[u] = ok
    return table[inv.ravel()]


def level_permission_ok(
    na: NeedArrays, rows: np.ndarray, level_bits: np.ndarray, syria_until: np.ndarray
) -> np.ndarray:
    """Language level and Syrian permission rules of needs ``rows`` x doctors: bool (C, Dc).

    ``level_bits`` uint64 (Dc, T) and ``syria_until`` int64 (Dc,) of the doctors.
    Each distinct (levels asked, permission date) of the needs is evaluated once.
    """
    required = na.lang_required[rows].astype(np.int64)[:, None]
    keys = np.concatenate(
        [na.lang_level_bits[rows].view(np.int64), na.syria_by[rows][:, None], required], axis=1
    )
    uniq, inv = np.unique(keys, axis=0, return_inverse=True)
    table = np.empty((uniq.shape[0], syria_until.size), dtype=bool)
    for u in range(uniq.shape[0]):
        bits, by, req = uniq[u, :-2].view(np.uint64), uniq[u, -2], uniq[u, -1]
        ok = levels_meet(level_bits, bits) if req else np.ones(syria_until.size, dtype=bool)
        if by >= 0:
            ok &= syria_until >= by
        table[u] = ok
    return table[inv.ravel()]


def level_rule(doctor_bits: np.ndarray, need_bits: np.ndarray, required: bool) -> np.ndarray:
    """The ``language_level`` rule on its own for one need: bool (Dc,).

    A doctor fails it when they speak one of the need's languages, but none at the
    level asked; one who speaks none of them fails ``language`` instead, not this.
    ``doctor_bits`` uint64 (Dc, T), ``need_bits`` uint64 (T,).
    """
    if not required:
        return np.ones(doctor_bits.shape[0], dtype=bool)
    speaks_any = (doctor_bits[:, 0] & np.bitwise_or.reduce(need_bits)) != 0
    return levels_meet(doctor_bits, need_bits) | ~speaks_any


def permission_rule(syria_until: np.ndarray, licence_until: np.ndarray, by: int) -> np.ndarray:
    """The ``syria_permission`` rule on its own for one need: bool (Dc,).

    A doctor fails it when they hold a verified licence valid through ``by`` but no
    verified permission valid in Syria through it; one without any such licence fails
    ``licence`` instead. ``by`` -1: the need asks for none (everybody passes).
    """
    if by < 0:
        return np.ones(syria_until.size, dtype=bool)
    return (syria_until >= by) | (licence_until < by)


def need_closed(na: NeedArrays, rows: np.ndarray) -> np.ndarray:
    """The ``district_open`` rule's failures of needs ``rows``: bool (C,), True for
    in-person work in a closed district (nobody passes it there)."""
    if na.closed.size == 0:  # arrays built before the rule existed
        return np.zeros(rows.size, dtype=bool)
    return na.closed[rows]


def _specialty_ok(na: NeedArrays, rows: np.ndarray, spec_bits: np.ndarray) -> np.ndarray:
    """The specialty floor of needs ``rows`` x doctors: bool (C, Dc).

    Needs share few floors (one per specialty and kind of work, unless a head
    chose): each distinct floor is evaluated once over the doctors, then gathered.
    """
    uniq, inv = np.unique(na.accept_bits[rows], axis=0, return_inverse=True)
    table = np.empty((uniq.shape[0], spec_bits.shape[0]), dtype=bool)
    for u in range(uniq.shape[0]):
        table[u] = bits_meet(spec_bits, uniq[u][None, :])
    return table[inv.ravel()]


def _leave_out_excluded(ok: np.ndarray, na: NeedArrays, rows: np.ndarray, cs: CandidateSet) -> None:
    """Clear ``ok`` (C, Dc) in place at the (need, doctor) pairs a person already decided."""
    if not na.excluded.nnz:
        return
    sub = na.excluded[rows].tocoo()
    if not sub.nnz:
        return
    col = cs.column[sub.col]
    keep = col >= 0
    ok[sub.row[keep], col[keep]] = False


def _add_continuity(
    score: np.ndarray,
    logit: np.ndarray | None,
    na: NeedArrays,
    rows: np.ndarray,
    cs: CandidateSet,
    coefficient: float,
) -> None:
    """Add the ``continuity`` signal of needs ``rows`` x ``cs`` to ``score`` (C, Dc) in
    place, weighted; to ``logit`` with the learned model's ``coefficient`` (sparse: only
    the facilities' former doctors)."""
    if not na.continuity.nnz:
        return
    sub = na.continuity[rows].tocoo()
    if not sub.nnz:
        return
    col = cs.column[sub.col]
    keep = col >= 0
    r, c, v = sub.row[keep], col[keep], sub.data[keep]
    score[r, c] += WEIGHTS["continuity"] * v
    if logit is not None:
        logit[r, c] += coefficient * v


@dataclass(slots=True)
class Block:
    """Scores of C needs against a candidate set of Dc doctors.

    Attributes:
        rows: int64 (C,) need rows. cand: int64 (Dc,) doctor rows.
        score: float64 (C, Dc), -inf where a hard rule fails.
        n_ok: int64 (C,) doctors passing every hard rule.
    """

    rows: np.ndarray
    cand: np.ndarray
    score: np.ndarray
    n_ok: np.ndarray


def score_block(
    da: DoctorArrays,
    na: NeedArrays,
    rows: np.ndarray,
    cs: CandidateSet,
    learned: LearnedModel | None = None,
) -> Block:
    """Hard rules and score of needs ``rows`` (one kind and travel flag) x ``cs``.

    With a ``learned`` model its approval probability joins the score (see
    :mod:`matching.ranking.learned`); its logit is summed from the same signal
    arrays, with the model's coefficients. Without one nothing else changes.
    """
    kind = int(na.kind[rows[0]])
    travels = bool(na.travels[rows[0]])
    c, dc = rows.size, cs.rows.size
    ok = _static_ok(na, rows, cs.lang_bits, cs.licence_until)
    ok &= _specialty_ok(na, rows, cs.spec_bits)
    ok &= level_permission_ok(na, rows, cs.lang_level_bits, cs.syria_until)
    ok &= ~need_closed(na, rows)[:, None]
    _leave_out_excluded(ok, na, rows, cs)
    start, end = na.start[rows], na.end[rows]
    # Base (specialty and experience) and the need's own weight.
    score = cs.base_t[na.spec[rows]]
    constant = WEIGHTS["need_weight"] * na.need_weight[rows]
    logit = None
    if learned is not None:
        at = np.ix_(na.spec[rows], cs.rows)
        logit = learned.coefficient("specialty") * da.fit_t[at]
        logit += learned.coefficient("experience") * da.experience_t[at]
        logit += (learned.intercept + learned.coefficient("need_weight") * na.need_weight[rows])[
            :, None
        ]
    if travels:
        avail = coverage_block(start, end, cs.windows)
        ok &= avail >= na.min_coverage[rows][:, None] - EPS
        ok &= ~clash_block(start, end, cs.committed)
        if logit is not None:
            logit += learned.coefficient("availability") * avail
        avail *= WEIGHTS["availability"]
        score += avail
        del avail
    elif kind == MENTORSHIP:
        bins = np.empty((c, dc))
        need_local = na.local[rows]
        need_tz = tuple(na.local_tz[i] for i in rows)
        for g, (lo, hi) in zip(da.mentor_groups, cs.group_bounds, strict=True):
            bins[:, lo:hi] = mentorship_overlap_block(
                need_local, need_tz, na.week_first[rows], na.week_last[rows], g.slots, g.tz
            )
        wh = na.weekly_hours[rows][:, None]
        ok &= bins / 4.0 >= wh - EPS
        bins /= 4.0 * MENTORSHIP_HEADROOM * wh
        np.minimum(bins, 1.0, out=bins)
        if logit is not None:
            logit += learned.coefficient("availability") * bins
        bins *= WEIGHTS["availability"]
        score += bins
        del bins
    else:
        constant = constant + WEIGHTS["availability"] * 1.0
        if logit is not None:
            logit += learned.coefficient("availability") * 1.0
    score += constant[:, None]
    _add_continuity(
        score, logit, na, rows, cs, learned.coefficient("continuity") if learned else 0.0
    )
    # Skills: score.T += w * doctor_skill @ need_skill.T, in place through BLAS.
    need_skill = na.skill[rows].toarray()  # (C, K)
    dgemm(
        alpha=WEIGHTS["skills"],
        a=cs.skill,
        b=need_skill,
        trans_b=True,
        beta=1.0,
        c=score.T,
        overwrite_c=True,
    )
    if logit is not None:
        dgemm(
            alpha=learned.coefficient("skills"),
            a=cs.skill,
            b=need_skill,
            trans_b=True,
            beta=1.0,
            c=logit.T,
            overwrite_c=True,
        )
        score *= 1.0 - learned.weight
        score += learned.weight * expit(logit)
        del logit
    np.logical_not(ok, out=ok)
    np.copyto(score, -np.inf, where=ok)
    n_ok = dc - ok.sum(axis=1)
    return Block(rows, cs.rows, score, n_ok.astype(np.int64))


def rule_masks(
    da: DoctorArrays, na: NeedArrays, row: int, cand: np.ndarray
) -> dict[str, np.ndarray]:
    """Each hard rule of one need against doctors ``cand`` on its own: bool (Dc,) per rule."""
    kind = int(na.kind[row])
    r = np.array([row])
    rules: dict[str, np.ndarray] = {}
    rules["mode"] = (da.mode_bits[cand] & np.uint8(MODE_BIT[list(KIND_CODE)[kind]])) > 0
    rules["language"] = (
        (da.lang_bits[cand] & na.lang_bits[row]) != 0
        if na.lang_required[row]
        else np.ones(cand.size, dtype=bool)
    )
    rules["specialty"] = bits_meet(da.spec_bits[cand], na.accept_bits[row][None, :])
    by = na.licence_by[row]
    rules["licence"] = da.licence_until[cand] >= by if by >= 0 else np.ones(cand.size, bool)
    rules["language_level"] = level_rule(
        da.lang_level_bits[cand], na.lang_level_bits[row], bool(na.lang_required[row])
    )
    rules["syria_permission"] = permission_rule(
        da.syria_until[cand], da.licence_until[cand], int(na.syria_by[row])
    )
    rules["district_open"] = np.full(cand.size, not need_closed(na, r)[0])
    if na.travels[row]:
        cov = coverage_block(na.start[r], na.end[r], da.windows[cand])[0]
        rules["availability"] = cov >= na.min_coverage[row] - EPS
        rules["capacity"] = ~clash_block(na.start[r], na.end[r], da.committed[cand])[0]
    elif kind == MENTORSHIP:
        bins = np.zeros(cand.size)
        for t in np.unique(da.tz_index[cand]):
            cols = np.flatnonzero(da.tz_index[cand] == t)
            bins[cols] = mentorship_overlap_block(
                na.local[r],
                (na.local_tz[row],),
                na.week_first[r],
                na.week_last[r],
                da.slots[cand[cols]],
                da.tz_names[t],
            )[0]
        rules["availability"] = bins / 4.0 >= na.weekly_hours[row] - EPS
        rules["capacity"] = da.mentee_room[cand] > 0
    else:
        rules["availability"] = np.ones(cand.size, dtype=bool)
        rules["capacity"] = np.ones(cand.size, dtype=bool)
    return rules


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


def _top_k(block: Block, k: int) -> tuple[np.ndarray, np.ndarray]:
    c, dc = block.score.shape
    kk = min(k, dc)
    rows_out = np.full((c, k), -1, dtype=np.int64)
    scores_out = np.full((c, k), -np.inf)
    if kk == 0:
        return rows_out, scores_out
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
    return rows_out, scores_out


def _blocks(da: DoctorArrays, na: NeedArrays) -> Iterator[tuple[np.ndarray, CandidateSet]]:
    """(need rows, candidate set) blocks: needs grouped by kind and travel flag."""
    group = na.kind.astype(np.int64) * 2 + na.travels
    for g in np.unique(group):
        rows = np.flatnonzero(group == g)
        cs = candidate_set(da, int(g) // 2, bool(g % 2))
        size = max(8, min(1024, BLOCK_CELLS // max(1, cs.rows.size)))
        for i in range(0, rows.size, size):
            yield rows[i : i + size], cs


def workers() -> int:
    """Threads for block scoring: the machine's cores, at most 4."""
    return max(1, min(4, os.cpu_count() or 1))


def top_candidates(
    da: DoctorArrays,
    na: NeedArrays,
    k: int = 20,
    threads: int | None = None,
    learned: LearnedModel | None = None,
) -> TopCandidates:
    """Top-``k`` doctors of every need (see :class:`TopCandidates`).

    ``learned``: a model from coordinators' decisions joining the score, or None.
    With ``threads`` > 1 the blocks run on a thread pool and BLAS is limited to
    one thread per block, so the two kinds of parallelism do not fight.
    """
    rows_out = np.full((na.n, k), -1, dtype=np.int64)
    scores_out = np.full((na.n, k), -np.inf)
    n_ok = np.zeros(na.n, dtype=np.int64)

    def run(item: tuple[np.ndarray, CandidateSet]) -> None:
        rows, cs = item
        if cs.rows.size == 0:
            return
        block = score_block(da, na, rows, cs, learned)
        r, s = _top_k(block, k)
        rows_out[rows], scores_out[rows], n_ok[rows] = r, s, block.n_ok

    items = list(_blocks(da, na))
    threads = threads or workers()
    if threads == 1 or len(items) == 1:
        for it in items:
            run(it)
    else:
        with threadpool_limits(1), ThreadPoolExecutor(threads) as pool:
            list(pool.map(run, items))
    return TopCandidates(rows_out, scores_out, n_ok)


def _rule_masks_chunk(da: DoctorArrays, na: NeedArrays, rows: np.ndarray) -> np.ndarray:
    """Each hard rule of needs ``rows`` (one kind and travel flag) against all D doctors:
    bool (len(HARD_RULES), C, D), whole arrays (distinct keys evaluated once)."""
    kind = int(na.kind[rows[0]])
    c, d = rows.size, da.n
    col = {rule: i for i, rule in enumerate(HARD_RULES)}
    out = np.ones((len(HARD_RULES), c, d), dtype=bool)
    out[col["mode"]] = ((da.mode_bits & np.uint8(MODE_BIT[list(KIND_CODE)[kind]])) > 0)[None, :]
    keys = np.stack([na.lang_bits[rows].astype(np.int64), na.lang_required[rows]], axis=1)
    uniq, inv = np.unique(keys, axis=0, return_inverse=True)
    table = np.array(
        [(da.lang_bits & np.uint64(b)) != 0 if req else np.ones(d, bool) for b, req in uniq]
    )
    out[col["language"]] = table[inv.ravel()]
    uniq, inv = np.unique(na.accept_bits[rows], axis=0, return_inverse=True)
    table = np.array([bits_meet(da.spec_bits, u[None, :]) for u in uniq])
    out[col["specialty"]] = table[inv.ravel()]
    uniq, inv = np.unique(na.licence_by[rows], return_inverse=True)
    table = np.array([da.licence_until >= u if u >= 0 else np.ones(d, bool) for u in uniq])
    out[col["licence"]] = table[inv.ravel()]
    keys = np.concatenate(
        [na.lang_level_bits[rows].view(np.int64), na.lang_required[rows][:, None]], axis=1
    )
    uniq, inv = np.unique(keys, axis=0, return_inverse=True)
    table = np.array(
        [level_rule(da.lang_level_bits, u[:-1].view(np.uint64), bool(u[-1])) for u in uniq]
    )
    out[col["language_level"]] = table[inv.ravel()]
    uniq, inv = np.unique(na.syria_by[rows], return_inverse=True)
    table = np.array([permission_rule(da.syria_until, da.licence_until, int(u)) for u in uniq])
    out[col["syria_permission"]] = table[inv.ravel()]
    out[col["district_open"]] = ~need_closed(na, rows)[:, None]
    start, end = na.start[rows], na.end[rows]
    if na.travels[rows[0]]:
        cov = coverage_block(start, end, da.windows)
        out[col["availability"]] = cov >= na.min_coverage[rows][:, None] - EPS
        out[col["capacity"]] = ~clash_block(start, end, da.committed)
    elif kind == MENTORSHIP:
        need_tz = tuple(na.local_tz[i] for i in rows)
        for t, name in enumerate(da.tz_names):
            cols = np.flatnonzero(da.tz_index == t)
            bins = mentorship_overlap_block(
                na.local[rows], need_tz, na.week_first[rows], na.week_last[rows],
                da.slots[cols], name,
            )  # fmt: skip
            out[col["availability"]][:, cols] = bins / 4.0 >= na.weekly_hours[rows][:, None] - EPS
        out[col["capacity"]] = (da.mentee_room > 0)[None, :]
    return out


@dataclass(slots=True)
class RuleCounts:
    """Per need and hard rule (columns in :data:`HARD_RULES` order), over all D doctors.

    Attributes:
        alone: int64 (N, R) doctors passing that rule on its own.
        all_but: int64 (N, R) doctors passing every other rule (that rule waived),
            pairs a person already decided left out.
    """

    alone: np.ndarray
    all_but: np.ndarray


RULE_CHUNK_CELLS = 2_000_000


def rule_counts(da: DoctorArrays, na: NeedArrays, rows: np.ndarray) -> RuleCounts:
    """:class:`RuleCounts` of need ``rows``, in chunks of one kind, whole arrays at a time
    (a run may report many needs short of doctors)."""
    rows = np.asarray(rows, dtype=np.int64)
    r = len(HARD_RULES)
    alone = np.zeros((rows.size, r), dtype=np.int64)
    all_but = np.zeros((rows.size, r), dtype=np.int64)
    group = na.kind[rows].astype(np.int64) * 2 + na.travels[rows]
    size = max(1, RULE_CHUNK_CELLS // max(1, da.n))
    for g in np.unique(group):
        at = np.flatnonzero(group == g)
        for i in range(0, at.size, size):
            part = at[i : i + size]
            masks = _rule_masks_chunk(da, na, rows[part])
            alone[part] = masks.sum(axis=2).T
            undecided = ~na.excluded[rows[part]].toarray()
            for j in range(r):
                others = undecided.copy()
                for k in range(r):
                    if k != j:
                        others &= masks[k]
                all_but[part, j] = others.sum(axis=1)
    return RuleCounts(alone, all_but)


def rule_failures(da: DoctorArrays, na: NeedArrays, rows: np.ndarray) -> list[dict[str, int]]:
    """Per need, how many doctors each hard rule eliminates (each rule on its own).

    Every count is over all D doctors, so a count equal to D means that rule
    alone leaves nobody.
    """
    alone = rule_counts(da, na, rows).alone
    return [
        {rule: int(da.n - alone[i, j]) for j, rule in enumerate(HARD_RULES)}
        for i in range(alone.shape[0])
    ]


def today_default() -> date:
    """Today's date (the engine takes ``today`` explicitly; this is for callers)."""
    return date.today()


__all__ = [
    "Block",
    "CandidateSet",
    "RuleCounts",
    "TopCandidates",
    "candidate_rows",
    "candidate_set",
    "clash_block",
    "coverage_block",
    "joint_patterns",
    "level_permission_ok",
    "level_rule",
    "mentorship_overlap_block",
    "need_closed",
    "permission_rule",
    "rule_counts",
    "rule_failures",
    "rule_masks",
    "score_block",
    "top_candidates",
]
