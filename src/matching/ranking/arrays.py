"""Doctors and needs as arrays: all the per-object Python work happens here, once.

``build_doctor_arrays`` runs once per doctor population (and is reused for every
newly posted need); ``build_need_arrays`` once per batch of needs. The scoring in
:mod:`matching.ranking.engine` then works on these arrays only.

Dates are stored as proleptic ordinals (``date.toordinal()``) in int64.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import scipy.sparse as sp

from matching.ranking import weekmask
from matching.ranking.data import MODES, DoctorInput, NeedInput
from matching.ranking.skills import SkillVectorizer
from matching.ranking.teams import expand_team_roles
from matching.ranking.weights import (
    DEFAULT_LANGUAGE_LEVEL,
    LANGUAGE_LEVELS,
    LEVEL_VALUE,
    WEIGHTS,
    continuity,
    experience,
    fairness_multiplier,
    need_weight,
)

MODE_BIT: dict[str, int] = {m: 1 << i for i, m in enumerate(MODES)}
KIND_CODE: dict[str, int] = {m: i for i, m in enumerate(MODES)}
MENTORSHIP_DEFAULT_WEEKS = 12
#: Row of :attr:`DoctorArrays.acceptable_bits` per kind of need (0 practice, 1 teaching).
WORK_ROW: dict[str, int] = {"mission": 0, "mentorship": 1, "training": 1}


def specialty_words(s_count: int) -> int:
    """uint64 words of a specialty bitset over ``s_count`` specialties."""
    return max(1, -(-s_count // 64))


def specialty_bits(codes: Sequence[str], index: dict[str, int], words: int) -> np.ndarray:
    """Bitset of specialty ``codes`` (positions from ``index``): uint64 (words,)."""
    out = np.zeros(words, dtype=np.uint64)
    for c in codes:
        i = index[c]
        out[i // 64] |= np.uint64(1) << np.uint64(i % 64)
    return out


def bits_meet(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Do two specialty bitsets share a bit, word by word: bool of the broadcast shape.

    ``a`` (..., W) and ``b`` (..., W) uint64; the last axis is reduced.
    """
    return np.bitwise_and(a, b).any(axis=-1)


def _ranges(ranges_per_row: Sequence[Sequence[Any]], merge: bool) -> np.ndarray:
    """Date ranges as int64 (n, width, 2) ordinals, padded with the empty range (1, 0)."""
    rows: list[list[tuple[int, int]]] = []
    for ranges in ranges_per_row:
        spans = sorted((r.start.toordinal(), r.end.toordinal()) for r in ranges)
        if merge:
            merged: list[tuple[int, int]] = []
            for s, e in spans:
                if merged and s <= merged[-1][1] + 1:
                    merged[-1] = (merged[-1][0], max(merged[-1][1], e))
                else:
                    merged.append((s, e))
            spans = merged
        rows.append(spans)
    width = max((len(r) for r in rows), default=0) or 1
    out = np.empty((len(rows), width, 2), dtype=np.int64)
    out[:, :, 0] = 1
    out[:, :, 1] = 0
    for i, spans in enumerate(rows):
        if spans:
            out[i, : len(spans)] = spans
    return out


@dataclass(slots=True)
class LanguageIndex:
    """Language code -> bit of a uint64 bitset (at most 64 languages)."""

    bits: dict[str, int] = field(default_factory=dict)

    def add(self, codes: Sequence[str] | frozenset[str]) -> None:
        for c in sorted(codes):
            if c not in self.bits:
                if len(self.bits) == 64:
                    raise ValueError("more than 64 languages")
                self.bits[c] = len(self.bits)

    def mask(self, codes: frozenset[str]) -> int:
        """Bitset of the known codes among ``codes`` (unknown ones match nobody)."""
        m = 0
        for c in codes:
            b = self.bits.get(c)
            if b is not None:
                m |= 1 << b
        return m


@dataclass(slots=True)
class TimezoneGroup:
    """Doctors of one time zone who could mentor (mode, room, slots).

    Attributes:
        tz: IANA name.
        rows: int64 (n,) doctor rows (into :class:`DoctorArrays`).
        slots: CSR (n, 672) float64 0/1 local week masks of those doctors.
    """

    tz: str
    rows: np.ndarray
    slots: sp.csr_matrix


@dataclass(slots=True)
class DoctorArrays:
    """The doctor population as arrays. D doctors, S specialties, K skill codes.

    Attributes:
        ids: int64 (D,) doctor ids.
        mode_bits: uint8 (D,) bit 0 mission, 1 mentorship, 2 training.
        lang_bits: uint64 (D,) language bitsets (see ``languages``).
        languages: the language index shared with needs.
        specialty_codes: taxonomy specialty codes, column order of the S axis.
        spec_bits: uint64 (D, W) bitset of each doctor's specialties (W words of
            64 specialties, see :func:`specialty_words`).
        acceptable_bits: uint64 (2, S, W) the taxonomy's acceptable specialties
            of a need of specialty s, for practice (row 0: missions) and for
            teaching (row 1: mentorship and workshops); see :data:`WORK_ROW`.
        fit_t: float64 (S, D) specialty fit of each doctor for a need of specialty s.
        experience_t: float64 (S, D) experience signal for a need of specialty s.
        base_t: float64 (S, D) ``w_specialty * fit_t + w_experience * experience_t``.
        licence_until: int64 (D,) ordinal of verified licence expiry, -1 for none.
        mentee_room: int64 (D,) ``max(0, max_mentees - current_mentees)``.
        windows: int64 (D, W, 2) merged travel windows, padded with (1, 0).
        committed: int64 (D, C, 2) committed missions, padded with (1, 0).
        tz_names: tuple of the doctors' time zones; ``tz_index`` int32 (D,) into it.
        slots: CSR (D, 672) float64 0/1 local weekly masks.
        skill: CSR (D, K) float64 l2-normalised skill vectors.
        skill_vectorizer: the fitted vectoriser (needs are transformed with it).
        mentor_groups: per time zone, doctors who could mentor at all.
        travellers: int64 rows of doctors offering missions with a travel window.
        trainers: int64 rows of doctors offering training.
        trainers_travelling: int64 rows of trainers with a travel window.
        cache: per kind of need, the sliced candidate arrays (filled on first use).
        lang_level_bits: uint64 (D, T) per language level t of
            :data:`~matching.ranking.weights.LANGUAGE_LEVELS`, the bitset of the
            languages each doctor speaks at level t or above (see :func:`doctor_level_bits`).
        syria_until: int64 (D,) ordinal of the expiry of a verified permission to
            practise in Syria, -1 for none.
    """

    ids: np.ndarray
    mode_bits: np.ndarray
    lang_bits: np.ndarray
    languages: LanguageIndex
    specialty_codes: tuple[str, ...]
    spec_bits: np.ndarray
    acceptable_bits: np.ndarray
    fit_t: np.ndarray
    experience_t: np.ndarray
    base_t: np.ndarray
    licence_until: np.ndarray
    mentee_room: np.ndarray
    windows: np.ndarray
    committed: np.ndarray
    tz_names: tuple[str, ...]
    tz_index: np.ndarray
    slots: sp.csr_matrix
    skill: sp.csr_matrix
    skill_vectorizer: SkillVectorizer
    mentor_groups: list[TimezoneGroup]
    travellers: np.ndarray
    trainers: np.ndarray
    trainers_travelling: np.ndarray
    cache: dict[Any, Any] = field(default_factory=dict, repr=False)
    lang_level_bits: np.ndarray = field(
        default_factory=lambda: np.zeros((0, len(LANGUAGE_LEVELS)), dtype=np.uint64)
    )
    syria_until: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def n(self) -> int:
        return int(self.ids.size)


@dataclass(slots=True)
class NeedArrays:
    """A batch of needs as arrays. N needs.

    Attributes:
        ids, facility_ids: int64 (N,).
        kind: int8 (N,) 0 mission, 1 mentorship, 2 training.
        travels: bool (N,) the doctor must come in person.
        spec: int64 (N,) row of the need's specialty in the S axis.
        lang_bits: uint64 (N,); ``lang_required`` bool (N,) (False: any language).
        licence_by: int64 (N,) ordinal the licence must be valid through, -1 if
            no licence is required.
        start, end: int64 (N,) ordinals of the need's dates (mentorship: its span).
        week_first, week_last: int64 (N,) ordinals of the first and last Monday of
            the UTC weeks a mentorship is checked over: the full weeks inside its
            span, or, when there is none, the weeks it touches (unlike
            ``availability.min_weekly_overlap_hours``, those partial weeks are then
            counted whole).
        min_coverage, weekly_hours, need_weight: float64 (N,).
        places: int64 (N,) places left.
        local: CSR (N, 672) float64 0/1 local masks of the local doctor.
        local_tz: tuple of N time zone names of ``local``.
        skill: CSR (N, K) float64 l2-normalised skill vectors.
        accept_bits: uint64 (N, W) specialties acceptable for each need (the
            specialty floor); every bit set when any specialty is welcome.
        excluded: CSR (N, D) bool, the (need, doctor) pairs left out of the
            candidate graph: a person already decided them (refused, declined,
            or holding a place), so they are never candidates again.
        continuity: CSR (N, D) float64, the ``continuity`` signal of each need's
            facility's former mentors and mission doctors (absent: 0).
        continuity_label: CSR (N, D) int32, 1 + the index into
            ``continuity_labels`` of the same pairs (what they did, when).
        continuity_labels: distinct ``(kind, year)`` of that earlier work.
        waited_runs: int64 (N,) full runs in a row that left the facility unserved.
        weight_multiplier: float64 (N,) :func:`fairness_multiplier` of
            ``waited_runs``; ``need_weight`` above already includes it (capped at 1).
        team: int64 (N,) for a team mission's role row, the team's index; -1 for a
            need without roles (see :mod:`matching.ranking.teams`: a team need has
            one row per role, same id, the role's specialty, places = its count).
        role: N role specialty codes ("" for a need without roles).
        lang_level_bits: uint64 (N, T) per language level t, the bitset of the
            need's languages whose minimum level is t (column 0: any level).
        syria_by: int64 (N,) ordinal a permission to practise in Syria must be
            valid through (in-person needs asking for a licence), -1 otherwise.
        closed: bool (N,) in-person needs in a closed district (no doctor passes
            the ``district_open`` rule).
    """

    ids: np.ndarray
    facility_ids: np.ndarray
    kind: np.ndarray
    travels: np.ndarray
    spec: np.ndarray
    lang_bits: np.ndarray
    lang_required: np.ndarray
    licence_by: np.ndarray
    start: np.ndarray
    end: np.ndarray
    week_first: np.ndarray
    week_last: np.ndarray
    min_coverage: np.ndarray
    weekly_hours: np.ndarray
    need_weight: np.ndarray
    places: np.ndarray
    local: sp.csr_matrix
    local_tz: tuple[str, ...]
    skill: sp.csr_matrix
    accept_bits: np.ndarray
    excluded: sp.csr_matrix
    continuity: sp.csr_matrix
    continuity_label: sp.csr_matrix
    continuity_labels: tuple[tuple[str, int], ...]
    waited_runs: np.ndarray
    weight_multiplier: np.ndarray
    team: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    role: tuple[str, ...] = ()
    lang_level_bits: np.ndarray = field(
        default_factory=lambda: np.zeros((0, len(LANGUAGE_LEVELS)), dtype=np.uint64)
    )
    syria_by: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    closed: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    @property
    def n(self) -> int:
        return int(self.ids.size)


LEVEL_RANK: dict[str, int] = {level: i for i, level in enumerate(LANGUAGE_LEVELS)}


def doctor_level_bits(
    levels_per_doctor: Sequence[Iterable[tuple[str, str]]], languages: LanguageIndex
) -> np.ndarray:
    """uint64 (D, T): column t holds the languages spoken at level t or above.

    ``levels_per_doctor``: per doctor, ``(code, level)`` of every language they speak.
    """
    out = np.zeros((len(levels_per_doctor), len(LANGUAGE_LEVELS)), dtype=np.uint64)
    for i, pairs in enumerate(levels_per_doctor):
        for code, level in pairs:
            bit = languages.bits.get(code)
            if bit is None:
                continue
            top = LEVEL_RANK.get(level, LEVEL_RANK[DEFAULT_LANGUAGE_LEVEL])
            out[i, : top + 1] |= np.uint64(1 << bit)
    return out


def doctor_language_levels(x: DoctorInput) -> list[tuple[str, str]]:
    """Every language of a doctor with its level (``fluent`` when none is given)."""
    given = dict(x.language_levels)
    return [(code, given.get(code, DEFAULT_LANGUAGE_LEVEL)) for code in sorted(x.languages)]


def need_level_bits(needs: Sequence[NeedInput], languages: LanguageIndex) -> np.ndarray:
    """uint64 (N, T): column t holds the need's languages whose minimum level is t."""
    out = np.zeros((len(needs), len(LANGUAGE_LEVELS)), dtype=np.uint64)
    for i, x in enumerate(needs):
        minimum = dict(x.language_levels)
        for code in x.required_languages:
            bit = languages.bits.get(code)
            if bit is not None:
                t = LEVEL_RANK.get(minimum.get(code, LANGUAGE_LEVELS[0]), 0)
                out[i, t] |= np.uint64(1 << bit)
    return out


def levels_meet(doctor_bits: np.ndarray, need_bits: np.ndarray) -> np.ndarray:
    """Does each doctor speak one of the need's languages at its minimum level.

    ``doctor_bits`` uint64 (Dc, T) (:func:`doctor_level_bits`), ``need_bits``
    uint64 (T,) one need's row of :func:`need_level_bits`: bool (Dc,).
    """
    return (np.bitwise_and(doctor_bits, need_bits[None, :]) != 0).any(axis=1)


def _specialty_tables(
    doctors: Sequence[DoctorInput], spec_index: dict[str, int], fit: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """fit_t, experience_t: float64 (S, D), vectorised over doctors per specialty slot;
    and each doctor's specialty positions, int64 (D, width), -1 padded."""
    s_count = fit.shape[0]
    d = len(doctors)
    width = max((len(x.specialties) for x in doctors), default=0) or 1
    spec = np.full((d, width), -1, dtype=np.int64)
    level = np.zeros((d, width), dtype=np.float64)
    years = np.fromiter((x.years_experience for x in doctors), dtype=np.int64, count=d)
    for i, x in enumerate(doctors):
        for j, (code, lvl) in enumerate(x.specialties):
            if code not in spec_index:
                raise ValueError(f"doctor {x.id}: unknown specialty {code!r}")
            spec[i, j] = spec_index[code]
            level[i, j] = LEVEL_VALUE[lvl]
    fit_t = np.zeros((s_count, d), dtype=np.float64)
    best_level = np.full((s_count, d), -1.0, dtype=np.float64)
    # The taxonomy hands out float32; its levels are short decimals (1.0, 0.6, 0.3),
    # so rounding gives back the exact float64 values the scalar API returns.
    fit64 = np.round(fit.astype(np.float64), 6)
    for j in range(width):
        valid = spec[:, j] >= 0
        f = np.where(valid[None, :], fit64[:, np.maximum(spec[:, j], 0)], -1.0)  # (S, D)
        lv = np.where(valid, level[:, j], -1.0)[None, :]
        better = (f > fit_t) | ((f == fit_t) & (lv > best_level))
        fit_t = np.where(better, np.maximum(f, 0.0), fit_t)
        best_level = np.where(better, lv, best_level)
    best_level = np.maximum(best_level, 0.0)
    exp_t = np.empty_like(best_level)
    for yr in np.unique(years):
        cols = years == yr
        # experience() is affine in the level: evaluate it on the column block.
        e0 = experience(0.0, int(yr))
        e1 = experience(1.0, int(yr))
        exp_t[:, cols] = e0 + (e1 - e0) * best_level[:, cols]
    return fit_t, exp_t, spec


def build_doctor_arrays(
    doctors: Sequence[DoctorInput], taxonomy: Any, languages: LanguageIndex | None = None
) -> DoctorArrays:
    """Doctor inputs to :class:`DoctorArrays` (see there for shapes)."""
    d = len(doctors)
    languages = languages or LanguageIndex()
    for x in doctors:
        languages.add(x.languages)
    ids = np.fromiter((x.id for x in doctors), dtype=np.int64, count=d)
    mode_bits = np.fromiter(
        (sum(MODE_BIT[m] for m in x.modes if m in MODE_BIT) for x in doctors),
        dtype=np.uint8,
        count=d,
    )
    lang_bits = np.fromiter((languages.mask(x.languages) for x in doctors), np.uint64, count=d)
    spec_index: dict[str, int] = dict(taxonomy.specialty_index)
    fit_t, exp_t, spec = _specialty_tables(doctors, spec_index, taxonomy.specialty_fit_matrix())
    words = specialty_words(len(spec_index))
    spec_bits = np.zeros((d, words), dtype=np.uint64)
    for j in range(spec.shape[1]):
        has = np.flatnonzero(spec[:, j] >= 0)
        pos = spec[has, j].astype(np.uint64)
        np.bitwise_or.at(spec_bits, (has, (pos // 64).astype(np.int64)), np.uint64(1) << pos % 64)
    codes_s = tuple(taxonomy.specialty_codes)
    acceptable_bits = np.zeros((2, len(codes_s), words), dtype=np.uint64)
    for kind, work in (("mission", 0), ("training", 1)):
        for j, code in enumerate(codes_s):
            acceptable_bits[work, j] = specialty_bits(
                taxonomy.acceptable_specialties(code, kind), spec_index, words
            )
    base_t = WEIGHTS["specialty"] * fit_t + WEIGHTS["experience"] * exp_t
    licence_until = np.fromiter(
        (x.licence_verified_until.toordinal() if x.licence_verified_until else -1 for x in doctors),
        dtype=np.int64,
        count=d,
    )
    room = np.fromiter(
        (max(0, x.max_mentees - x.current_mentees) for x in doctors), np.int64, count=d
    )
    windows = _ranges([x.travel_windows for x in doctors], merge=True)
    committed = _ranges([x.committed_missions for x in doctors], merge=False)
    tz_names = tuple(sorted({x.timezone for x in doctors}))
    tz_pos = {t: i for i, t in enumerate(tz_names)}
    tz_index = np.fromiter((tz_pos[x.timezone] for x in doctors), np.int32, count=d)
    slots = weekmask.local_masks_csr([x.weekly_slots for x in doctors])
    codes = tuple(sorted(taxonomy.skills))
    vec = SkillVectorizer(codes, [taxonomy.skill_text(c) for c in codes])
    skill = vec.fit_transform([x.skills for x in doctors], [x.free_text_skills for x in doctors])

    has_slots = np.diff(slots.indptr) > 0
    can_mentor = ((mode_bits & MODE_BIT["mentorship"]) > 0) & (room > 0) & has_slots
    groups: list[TimezoneGroup] = []
    for t, name in enumerate(tz_names):
        rows = np.flatnonzero(can_mentor & (tz_index == t))
        if rows.size:
            groups.append(TimezoneGroup(name, rows, slots[rows]))
    has_window = windows[:, 0, 1] >= windows[:, 0, 0]
    trains = (mode_bits & MODE_BIT["training"]) > 0
    syria_until = np.fromiter(
        (x.syria_permission_until.toordinal() if x.syria_permission_until else -1 for x in doctors),
        dtype=np.int64,
        count=d,
    )
    return DoctorArrays(
        ids=ids,
        mode_bits=mode_bits,
        lang_bits=lang_bits,
        languages=languages,
        specialty_codes=codes_s,
        spec_bits=spec_bits,
        acceptable_bits=acceptable_bits,
        fit_t=fit_t,
        experience_t=exp_t,
        base_t=base_t,
        licence_until=licence_until,
        mentee_room=room,
        windows=windows,
        committed=committed,
        tz_names=tz_names,
        tz_index=tz_index,
        slots=slots,
        skill=skill,
        skill_vectorizer=vec,
        mentor_groups=groups,
        travellers=np.flatnonzero(((mode_bits & MODE_BIT["mission"]) > 0) & has_window),
        trainers=np.flatnonzero(trains),
        trainers_travelling=np.flatnonzero(trains & has_window),
        lang_level_bits=doctor_level_bits([doctor_language_levels(x) for x in doctors], languages),
        syria_until=syria_until,
    )


def need_span(need: NeedInput, today: date) -> tuple[date, date]:
    """The dates a need is checked over (a mentorship without a period: 12 weeks from today)."""
    if need.period is not None:
        return need.period.start, need.period.end
    if need.kind == "mentorship":
        return today, today + timedelta(weeks=MENTORSHIP_DEFAULT_WEEKS) - timedelta(days=1)
    if need.kind == "training" and need.remote:
        return today, today
    raise ValueError(f"need {need.id}: a {need.kind} needs dates")


def _accept_bits(needs: Sequence[NeedInput], doctors: DoctorArrays) -> np.ndarray:
    """The specialty floor of each need: uint64 (N, W) (see :attr:`NeedArrays.accept_bits`)."""
    spec_pos = {c: i for i, c in enumerate(doctors.specialty_codes)}
    words = doctors.spec_bits.shape[1]
    every = specialty_bits(doctors.specialty_codes, spec_pos, words)
    out = np.empty((len(needs), words), dtype=np.uint64)
    for i, x in enumerate(needs):
        if x.any_specialty:
            out[i] = every
        elif x.acceptable_specialties is None:
            out[i] = doctors.acceptable_bits[WORK_ROW[x.kind], spec_pos[x.specialty]]
        else:
            unknown = [c for c in x.acceptable_specialties if c not in spec_pos]
            if unknown:
                raise ValueError(f"need {x.id}: unknown acceptable specialty {unknown[0]!r}")
            out[i] = specialty_bits((x.specialty, *x.acceptable_specialties), spec_pos, words)
    return out


def excluded_pairs(
    exclude: Iterable[tuple[int, int]], need_ids: np.ndarray, doctors: DoctorArrays
) -> sp.csr_matrix:
    """(need id, doctor id) pairs to CSR (N, D) bool; pairs naming an unknown id are ignored."""
    need_rows: dict[int, list[int]] = {}  # a team need has one row per role
    for i, v in enumerate(need_ids):
        need_rows.setdefault(int(v), []).append(i)
    doctor_row = {int(v): i for i, v in enumerate(doctors.ids)}
    rows, cols = [], []
    for need_id, doctor_id in exclude:
        c = doctor_row.get(int(doctor_id))
        for r in need_rows.get(int(need_id), ()) if c is not None else ():
            rows.append(r)
            cols.append(c)
    data = np.ones(len(rows), dtype=bool)
    out = sp.csr_matrix((data, (rows, cols)), shape=(need_ids.size, doctors.n), dtype=bool)
    out.sum_duplicates()
    return out


def continuity_pairs(
    needs: Sequence[NeedInput], doctors: DoctorArrays
) -> tuple[sp.csr_matrix, sp.csr_matrix, tuple[tuple[str, int], ...]]:
    """The ``continuity`` signal of each need's former doctors: CSR (N, D) float64, the
    CSR (N, D) int32 label (1-based) of each such pair and the labels ``(kind, year)``.

    Former doctors unknown to ``doctors`` (deleted, not loaded) are ignored.
    """
    n = len(needs)
    rows: list[int] = []
    cols: list[int] = []
    values: list[float] = []
    label_of: list[int] = []
    labels: dict[tuple[str, int], int] = {}
    if any(x.past_work for x in needs):
        doctor_row = {int(v): i for i, v in enumerate(doctors.ids)}
        for i, x in enumerate(needs):
            for w in x.past_work:
                c = doctor_row.get(int(w.doctor_id))
                value = continuity(w.quality)
                if c is None or value <= 0.0:
                    continue
                rows.append(i)
                cols.append(c)
                values.append(value)
                label_of.append(labels.setdefault((w.kind, int(w.year)), len(labels)) + 1)
    shape = (n, doctors.n)
    value_m = sp.csr_matrix((np.asarray(values, np.float64), (rows, cols)), shape=shape)
    label_m = sp.csr_matrix((np.asarray(label_of, np.int32), (rows, cols)), shape=shape)
    # One entry per (need, doctor): the loader lists each former doctor once.
    value_m.sum_duplicates()
    label_m.sum_duplicates()
    if value_m.nnz != len(values):
        raise ValueError("past_work lists a doctor twice for one need")
    return value_m, label_m, tuple(labels)


def build_need_arrays(
    needs: Sequence[NeedInput],
    doctors: DoctorArrays,
    today: date,
    exclude: Iterable[tuple[int, int]] = (),
) -> NeedArrays:
    """Need inputs to :class:`NeedArrays`, using the doctors' language index and vectoriser.

    ``exclude``: (need id, doctor id) pairs left out of the candidate graph.
    A team need becomes one row per role (:func:`matching.ranking.teams.expand_team_roles`).
    """
    needs, team, role = expand_team_roles(needs)
    n = len(needs)
    spec_pos = {c: i for i, c in enumerate(doctors.specialty_codes)}
    for x in needs:
        if x.kind not in KIND_CODE:
            raise ValueError(f"need {x.id}: unknown kind {x.kind!r}")
        if x.specialty not in spec_pos:
            raise ValueError(f"need {x.id}: unknown specialty {x.specialty!r}")
    spans = [need_span(x, today) for x in needs]
    start = np.fromiter((s.toordinal() for s, _ in spans), np.int64, count=n)
    end = np.fromiter((e.toordinal() for _, e in spans), np.int64, count=n)
    licence_by = np.where(
        np.fromiter((x.requires_licence for x in needs), bool, count=n),
        np.fromiter(
            (
                x.period.end.toordinal() if x.period is not None else today.toordinal()
                for x in needs
            ),
            np.int64,
            count=n,
        ),
        -1,
    )
    monday_start = start - (start - 1) % 7  # ordinal 1 is a Monday
    monday_end = end - (end - 1) % 7
    full_first = np.where(monday_start == start, start, monday_start + 7)
    full_last = np.where(end - monday_end == 6, monday_end, monday_end - 7)
    has_full = full_last >= full_first
    for x in needs:
        if x.kind == "mentorship" and not x.weekly_hours > 0:
            raise ValueError(f"need {x.id}: a mentorship needs weekly_hours > 0")
        if x.travels and not 0 < x.min_coverage <= 1:
            raise ValueError(f"need {x.id}: min_coverage must be in (0, 1]")
    skill = doctors.skill_vectorizer.transform(
        [x.skills for x in needs], [x.description for x in needs]
    )
    ids = np.fromiter((x.id for x in needs), np.int64, count=n)
    waited = np.fromiter((max(0, x.waited_runs) for x in needs), np.int64, count=n)
    multiplier = np.fromiter((fairness_multiplier(int(k)) for k in waited), np.float64, count=n)
    cont, cont_label, cont_labels = continuity_pairs(needs, doctors)
    return NeedArrays(
        ids=ids,
        facility_ids=np.fromiter((x.facility_id for x in needs), np.int64, count=n),
        kind=np.fromiter((KIND_CODE[x.kind] for x in needs), np.int8, count=n),
        travels=np.fromiter((x.travels for x in needs), bool, count=n),
        spec=np.fromiter((spec_pos[x.specialty] for x in needs), np.int64, count=n),
        lang_bits=np.fromiter(
            (doctors.languages.mask(x.required_languages) for x in needs), np.uint64, count=n
        ),
        lang_required=np.fromiter((bool(x.required_languages) for x in needs), bool, count=n),
        licence_by=licence_by,
        start=start,
        end=end,
        week_first=np.where(has_full, full_first, monday_start),
        week_last=np.where(has_full, full_last, monday_end),
        min_coverage=np.fromiter((x.min_coverage for x in needs), np.float64, count=n),
        weekly_hours=np.fromiter((x.weekly_hours for x in needs), np.float64, count=n),
        need_weight=np.minimum(
            1.0,
            np.fromiter(
                (need_weight(x.urgency, x.rural, x.facility_state) for x in needs),
                np.float64,
                count=n,
            )
            * multiplier,
        ),
        places=np.fromiter((max(0, x.places_left) for x in needs), np.int64, count=n),
        local=weekmask.local_masks_csr(
            [x.local_slots if x.kind == "mentorship" else () for x in needs]
        ),
        local_tz=tuple(x.local_timezone for x in needs),
        skill=skill,
        accept_bits=_accept_bits(needs, doctors),
        excluded=excluded_pairs(exclude, ids, doctors),
        continuity=cont,
        continuity_label=cont_label,
        continuity_labels=cont_labels,
        waited_runs=waited,
        weight_multiplier=multiplier,
        team=team,
        role=role,
        lang_level_bits=need_level_bits(needs, doctors.languages),
        syria_by=np.where(
            np.fromiter((x.travels for x in needs), bool, count=n), licence_by, -1
        ).astype(np.int64),
        closed=np.fromiter((x.travels and x.district_closed for x in needs), bool, count=n),
    )


def build_arrays(
    doctors: Sequence[DoctorInput],
    needs: Sequence[NeedInput],
    taxonomy: Any,
    today: date,
    exclude: Iterable[tuple[int, int]] = (),
) -> tuple[DoctorArrays, NeedArrays]:
    """Both sides as arrays; languages only the needs ask for match nobody.

    ``exclude``: (need id, doctor id) pairs left out of the candidate graph.
    """
    da = build_doctor_arrays(doctors, taxonomy)
    return da, build_need_arrays(needs, da, today, exclude)
