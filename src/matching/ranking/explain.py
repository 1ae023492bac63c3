"""Signals of chosen (need, doctor) pairs, vectorised over the pairs.

Used for explanations (a few thousand pairs) and to cross-check the block path.
Same formulas, same float64 operation order as :func:`matching.ranking.engine.score_block`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.special import expit

from matching.ranking.arrays import DoctorArrays, NeedArrays
from matching.ranking.engine import MENTORSHIP, joint_patterns
from matching.ranking.weekmask import transfer
from matching.ranking.weights import LEARNED_SIGNAL, MENTORSHIP_HEADROOM, WEIGHTS

if TYPE_CHECKING:
    from matching.ranking.learned import LearnedModel


def pair_overlap_bins(
    da: DoctorArrays, na: NeedArrays, need_rows: np.ndarray, doctor_rows: np.ndarray
) -> np.ndarray:
    """Smallest weekly overlap, in bins, of each (mentorship need, doctor) pair: float64 (P,)."""
    out = np.full(need_rows.size, np.inf)
    keys = np.array(
        [
            f"{na.local_tz[n]}\0{da.tz_names[da.tz_index[d]]}"
            for n, d in zip(need_rows, doctor_rows, strict=False)
        ]
    )
    for key in np.unique(keys):
        sel = np.flatnonzero(keys == key)
        need_tz, doctor_tz = str(key).split("\0")
        n, d = need_rows[sel], doctor_rows[sel]
        for kn, kd, present in joint_patterns(
            need_tz, doctor_tz, na.week_first[n], na.week_last[n]
        ):
            p = sel[present]
            v = na.local[need_rows[p]] @ transfer(kn, kd)
            counts = np.asarray(v.multiply(da.slots[doctor_rows[p]]).sum(axis=1)).ravel()
            out[p] = np.minimum(out[p], counts)
        del d
    out[np.isinf(out)] = 0.0
    return out


def pair_signals(
    da: DoctorArrays,
    na: NeedArrays,
    need_rows: np.ndarray,
    doctor_rows: np.ndarray,
    learned: LearnedModel | None = None,
) -> dict[str, np.ndarray]:
    """Signals of P pairs (assumed to pass the hard rules).

    Args:
        need_rows, doctor_rows: int64 (P,).
        learned: a model from coordinators' decisions joining the score, or None.

    Returns:
        float64 (P,) arrays: ``specialty``, ``skills``, ``availability``,
        ``experience``, ``need_weight``, ``continuity``, ``score``, and the availability figures
        ``coverage`` (travel needs, NaN elsewhere) and ``weekly_overlap_hours``
        (mentorships, NaN elsewhere). With ``learned``, also ``past_decisions``
        (:data:`~matching.ranking.weights.LEARNED_SIGNAL`), its approval
        probability, and ``score`` includes it.
    """
    p = need_rows.size
    spec = na.spec[need_rows]
    fit = da.fit_t[spec, doctor_rows]
    exp = da.experience_t[spec, doctor_rows]
    skills = np.asarray(na.skill[need_rows].multiply(da.skill[doctor_rows]).sum(axis=1)).ravel()
    avail = np.ones(p)
    coverage = np.full(p, np.nan)
    hours = np.full(p, np.nan)
    trav = np.flatnonzero(na.travels[need_rows])
    if trav.size:
        n, d = need_rows[trav], doctor_rows[trav]
        w = da.windows[d]  # (t, W, 2)
        lo = np.maximum(w[:, :, 0], na.start[n][:, None])
        hi = np.minimum(w[:, :, 1], na.end[n][:, None])
        days = np.clip(hi - lo + 1, 0, None).sum(axis=1)
        coverage[trav] = days / (na.end[n] - na.start[n] + 1)
        avail[trav] = coverage[trav]
    ment = np.flatnonzero(na.kind[need_rows] == MENTORSHIP)
    if ment.size:
        h = pair_overlap_bins(da, na, need_rows[ment], doctor_rows[ment]) / 4.0
        hours[ment] = h
        avail[ment] = np.minimum(1.0, h / (MENTORSHIP_HEADROOM * na.weekly_hours[need_rows[ment]]))
    nw = na.need_weight[need_rows]
    cont = (
        np.asarray(na.continuity[need_rows, doctor_rows], dtype=np.float64).ravel()
        if p
        else np.zeros(0)
    )
    score = da.base_t[spec, doctor_rows]
    score = score + WEIGHTS["skills"] * skills
    score = score + WEIGHTS["availability"] * avail
    score = score + WEIGHTS["need_weight"] * nw
    score = score + WEIGHTS["continuity"] * cont
    out = {
        "specialty": fit,
        "skills": skills,
        "availability": avail,
        "experience": exp,
        "need_weight": nw,
        "continuity": cont,
        "score": score,
        "coverage": coverage,
        "weekly_overlap_hours": hours,
    }
    if learned is not None:
        c = learned.coefficient
        logit = c("specialty") * fit + c("experience") * exp
        logit += learned.intercept + c("need_weight") * nw
        logit += c("availability") * avail
        logit += c("skills") * skills
        logit += c("continuity") * cont
        prob = expit(logit)
        out[LEARNED_SIGNAL] = prob
        out["score"] = (1.0 - learned.weight) * score + learned.weight * prob
    return out
