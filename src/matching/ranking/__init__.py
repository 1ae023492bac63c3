"""The ranking engine: hard rules, explainable scores, exact capacity-aware assignment.

Plain inputs (:class:`DoctorInput`, :class:`NeedInput`) -> arrays
(:func:`build_arrays`) -> :func:`rank` / :func:`rank_arrays` for a whole run, or
:func:`rank_one_need` for one newly posted need against prepared doctor arrays.
Weights and signal definitions: :mod:`matching.ranking.weights`.
"""

from matching.ranking.api import (
    Candidate,
    Explanation,
    NeedRanking,
    RankedPair,
    RankingResult,
    SignalScore,
    Unfillable,
    rank,
    rank_arrays,
    rank_one_need,
)
from matching.ranking.arrays import (
    DoctorArrays,
    NeedArrays,
    build_arrays,
    build_doctor_arrays,
    build_need_arrays,
)
from matching.ranking.assignment import Assignment, solve_assignment
from matching.ranking.data import DoctorInput, NeedInput, PastWork
from matching.ranking.weights import HARD_RULES, SIGNALS, WEIGHTS

__all__ = [
    "HARD_RULES",
    "SIGNALS",
    "WEIGHTS",
    "Assignment",
    "Candidate",
    "DoctorArrays",
    "DoctorInput",
    "Explanation",
    "NeedArrays",
    "NeedInput",
    "NeedRanking",
    "PastWork",
    "RankedPair",
    "RankingResult",
    "SignalScore",
    "Unfillable",
    "build_arrays",
    "build_doctor_arrays",
    "build_need_arrays",
    "rank",
    "rank_arrays",
    "rank_one_need",
    "solve_assignment",
]
