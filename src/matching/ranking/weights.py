"""Every weight and every signal definition of the ranking score, in one place.

The score of a (doctor, need) pair that passes the hard rules is

    score = sum(WEIGHTS[s] * value[s] for s in SIGNALS)

where every ``value[s]`` lies in [0, 1] and the weights sum to 1, so the score lies
in [0, 1] too. The signals, in the order the explanation lists them:

``specialty``
    Fit between the need's specialty and the doctor's best specialty, read from
    the taxonomy's fit matrix: 1.0 exact, 0.6 related (parent/child or declared
    related), 0.3 siblings, 0.0 otherwise.
``skills``
    Cosine similarity of TF-IDF vectors over the taxonomy's skill codes. Codes
    the person ticked weigh 1; codes recognised in their free text (English or
    Arabic, matched against the taxonomy's names and aliases with scikit-learn
    text features) weigh their text similarity. See :mod:`matching.ranking.skills`.
``availability``
    Mission, in-person workshop: the fraction of the need's days covered by the
    doctor's travel windows. Mentorship: ``min(1, overlap / (2 * weekly_hours))``
    where ``overlap`` is the smallest weekly overlap, in hours, over the real
    weeks of the mentorship: twice the asked hours earns full marks (room to
    reschedule). Remote workshop: 1.0.
``experience``
    ``LEVEL_SHARE * level + (1 - LEVEL_SHARE) * min(years, YEARS_CAP) / YEARS_CAP``
    where ``level`` is the :data:`LEVEL_VALUE` of the doctor's specialty that fits
    the need best (ties: the higher level).
``need_weight``
    How much the need matters, the same for every doctor of that need:
    ``URGENCY_SHARE * urgency + RURAL_SHARE * rural + STATE_SHARE * state``.
    Within one need it does not reorder doctors; in the assignment it makes a
    contested doctor go to the critical, rural, not-functioning facility: the
    gap between city and countryside is what this platform exists for.
    Fairness over time: a facility whose open needs got no proposal in the last
    ``k`` full runs has this value multiplied by :func:`fairness_multiplier` (``k``)
    (+10 % per run, at most x1.5), capped at 1; its first proposal resets ``k``.
    A need whose weight is 0 (routine, urban, fully working) gains nothing from it.
``continuity``
    The doctor worked with this facility before: a pairing of theirs reached
    *confirmed* for another need of the same facility (mentorship, mission or
    workshop; a cancelled one does not count). The value is
    ``min(1, CONTINUITY_BASE * quality)``: ``quality`` is a per-(facility, doctor)
    factor from the facility's 1-5 rating of that pairing (``pairing_feedback``; 1
    without one): good feedback raises it (5 gives ``1 / CONTINUITY_BASE``, full marks),
    poor feedback lowers it (1 gives 0, which removes the signal). 0 for a stranger.
``past_decisions`` (:data:`LEARNED_SIGNAL`, only once coordinators have decided enough pairings)
    The approval probability a model fitted on coordinators' past approvals and
    rejections gives this pair (see :mod:`matching.ranking.learned`). It weighs
    :data:`LEARNED_WEIGHT` and the weights above are then scaled by
    ``1 - LEARNED_WEIGHT``, so the score stays in [0, 1]. Without a model the
    score is exactly the sum above.
"""

from __future__ import annotations

from typing import Final

SIGNALS: Final[tuple[str, ...]] = (
    "specialty",
    "skills",
    "availability",
    "experience",
    "need_weight",
    "continuity",
)

WEIGHTS: Final[dict[str, float]] = {
    "specialty": 0.38,
    "skills": 0.24,
    "availability": 0.14,
    "experience": 0.09,
    "need_weight": 0.10,
    "continuity": 0.05,
}

#: Signals added after proposals were first stored, with the value an explanation
#: stored before them stands for (nobody had worked with the facility before).
ADDED_SIGNALS: Final[dict[str, float]] = {"continuity": 0.0}

#: The signal a model learned from coordinators' decisions adds, when there is one.
LEARNED_SIGNAL: Final[str] = "past_decisions"
#: Its weight; the weights of :data:`SIGNALS` are then scaled by ``1 - LEARNED_WEIGHT``.
LEARNED_WEIGHT: Final[float] = 0.3

#: Level value of a doctor's specialty; consultant > specialist > resident.
LEVEL_VALUE: Final[dict[str, float]] = {"resident": 0.3, "specialist": 0.7, "consultant": 1.0}
#: Share of the level in the experience signal; the rest is years of practice.
LEVEL_SHARE: Final[float] = 0.6
#: Years of experience beyond this count as this many.
YEARS_CAP: Final[int] = 20

#: Urgency value of a need.
URGENCY_VALUE: Final[dict[str, float]] = {"routine": 0.0, "urgent": 0.5, "critical": 1.0}
#: Facility functional state value: the less it works, the more it weighs.
STATE_VALUE: Final[dict[str, float]] = {"full": 0.0, "partial": 0.5, "none": 1.0}
URGENCY_SHARE: Final[float] = 0.5
RURAL_SHARE: Final[float] = 0.3
STATE_SHARE: Final[float] = 0.2

#: Continuity value of a former mentor or mission doctor at the default quality 1.
CONTINUITY_BASE: Final[float] = 0.5
#: The need weight grows by this share per full run that left the facility unserved ...
FAIRNESS_STEP: Final[float] = 0.1
#: ... up to this multiplier (reached after :data:`FAIRNESS_MAX_RUNS` runs).
FAIRNESS_CAP: Final[float] = 1.5
#: Full runs looked back over when counting the runs a facility waited.
FAIRNESS_MAX_RUNS: Final[int] = 5

#: Mentorship availability reaches 1.0 at this multiple of the asked weekly hours.
MENTORSHIP_HEADROOM: Final[float] = 2.0

#: A free-text passage recognises a taxonomy skill when their TF-IDF cosine is at
#: least this; the recognised code then weighs that cosine.
FREE_TEXT_SKILL_THRESHOLD: Final[float] = 0.3

#: Hard rules, in the order the "why nobody" report lists them. ``specialty`` is the
#: specialty floor: the doctor holds a specialty acceptable for the need (its own, those
#: the taxonomy lists as able to do that work, or what the head chose; any when the need
#: welcomes any specialty).
#: ``language_level``: the doctor speaks one of the need's languages at the minimum
#: level the need asks for it (``language`` alone: speaks one at any level).
#: ``syria_permission``: in-person work in Syria (missions, in-person workshops) that
#: asks for a licence needs a verified permission valid in Syria (registration with
#: the Syrian authorities or a temporary permit) through the need's last day; remote
#: work keeps the ``licence`` rule (any verified licence).
#: ``district_open``: in-person work (missions, in-person workshops) is not proposed in a
#: district a coordinator set closed (``matching.districts``); remote work there is.
HARD_RULES: Final[tuple[str, ...]] = (
    "mode",
    "language",
    "specialty",
    "availability",
    "capacity",
    "licence",
    "language_level",
    "syria_permission",
    "district_open",
)

#: Language levels, lowest first (the order a need's minimum is compared in). A doctor's
#: language without a level counts as ``fluent`` (the stored default); a need's language
#: without a minimum accepts any level (``basic``).
LANGUAGE_LEVELS: Final[tuple[str, ...]] = ("basic", "working", "fluent", "native")
#: The level a doctor's language without a stated level counts as.
DEFAULT_LANGUAGE_LEVEL: Final[str] = "fluent"

assert abs(sum(WEIGHTS.values()) - 1.0) < 1e-12
assert set(WEIGHTS) == set(SIGNALS)


def need_weight(urgency: str, rural: bool, facility_state: str) -> float:
    """The ``need_weight`` signal of one need, in [0, 1]."""
    return (
        URGENCY_SHARE * URGENCY_VALUE[urgency]
        + RURAL_SHARE * (1.0 if rural else 0.0)
        + STATE_SHARE * STATE_VALUE[facility_state]
    )


def experience(level_value: float, years: int) -> float:
    """The ``experience`` signal from a level value and years of practice, in [0, 1]."""
    return LEVEL_SHARE * level_value + (1.0 - LEVEL_SHARE) * min(max(years, 0), YEARS_CAP) / (
        YEARS_CAP
    )


def continuity(quality: float = 1.0) -> float:
    """The ``continuity`` signal of a former mentor or mission doctor, in [0, 1].

    ``quality``: the pair's feedback factor, 1 without feedback (see the module docstring).
    """
    return min(1.0, max(0.0, CONTINUITY_BASE * quality))


def fairness_multiplier(waited_runs: int) -> float:
    """Multiplier of the need weight after ``waited_runs`` full runs without a proposal.

    ``1 + FAIRNESS_STEP * waited_runs``, at most :data:`FAIRNESS_CAP`: 1.0, 1.1, 1.2, ...
    """
    return min(FAIRNESS_CAP, 1.0 + FAIRNESS_STEP * max(0, int(waited_runs)))
