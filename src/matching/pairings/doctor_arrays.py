"""Splicing doctors' arrays: a few doctors' rows replaced, the rest kept, exactly.

Pure array work for :mod:`matching.pairings.prepared_doctors`: :func:`splice`
puts freshly built rows of changed doctors into arrays built earlier (new doctors
in id order, deleted ones removed), refitting the skill IDF, which depends on
every doctor; :func:`with_holds` applies the held pairings. The result equals
what :func:`matching.ranking.build_doctor_arrays` builds from all doctors at once.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterable, Sequence
from types import SimpleNamespace
from typing import Any

import numpy as np
import scipy.sparse as sp

from matching.pairings.loader import Holds
from matching.ranking import DoctorArrays, DoctorInput, build_doctor_arrays
from matching.ranking.arrays import MODE_BIT, TimezoneGroup
from matching.ranking.skills import fit_idf, weigh
from matching.taxonomy import load_taxonomy

#: The :class:`DoctorArrays` fields :func:`splice` knows. Another field (the engine
#: grew) makes every refresh a full rebuild, slower but still correct.
KNOWN_FIELDS = frozenset(
    {
        "ids",
        "mode_bits",
        "lang_bits",
        "languages",
        "specialty_codes",
        "spec_bits",
        "acceptable_bits",
        "fit_t",
        "experience_t",
        "base_t",
        "licence_until",
        "mentee_room",
        "windows",
        "committed",
        "tz_names",
        "tz_index",
        "slots",
        "skill",
        "skill_vectorizer",
        "mentor_groups",
        "travellers",
        "trainers",
        "trainers_travelling",
        "cache",
        "lang_level_bits",
        "syria_until",
    }
)
SPLICEABLE = {f.name for f in dataclasses.fields(DoctorArrays)} == KNOWN_FIELDS


def _skill_raw(arrays: DoctorArrays, doctors: Sequence[DoctorInput]) -> sp.csr_matrix:
    return sp.csr_matrix(
        arrays.skill_vectorizer.raw(
            [x.skills for x in doctors], [x.free_text_skills for x in doctors]
        ),
        dtype=np.float64,
    )


def build(doctors: Sequence[DoctorInput]) -> tuple[DoctorArrays, sp.csr_matrix]:
    """Arrays of ``doctors`` (loaded without held pairings) and their raw skill vectors."""
    arrays = build_doctor_arrays(doctors, load_taxonomy())
    return arrays, _skill_raw(arrays, doctors)


def _pad(ranges: np.ndarray, width: int) -> np.ndarray:
    """(n, w, 2) padded date ranges widened to ``width`` with the empty range (1, 0)."""
    if ranges.shape[1] >= width:
        return ranges
    pad = np.empty((ranges.shape[0], width - ranges.shape[1], 2), dtype=np.int64)
    pad[:, :, 0], pad[:, :, 1] = 1, 0
    return np.concatenate([ranges, pad], axis=1)


def _trim(ranges: np.ndarray) -> np.ndarray:
    """To the width a cold build would give: the most ranges of any row, at least 1."""
    used = int((ranges[:, :, 1] >= ranges[:, :, 0]).sum(axis=1).max(initial=0))
    width = max(used, 1)
    return ranges if width == ranges.shape[1] else np.ascontiguousarray(ranges[:, :width])


def _ranges(parts: Sequence[np.ndarray]) -> np.ndarray:
    """Stack (n, w, 2) padded date ranges, to the width a cold build would give."""
    width = max(p.shape[1] for p in parts)
    return _trim(np.concatenate([_pad(p, width) for p in parts], axis=0))


def _derived(arrays: DoctorArrays) -> DoctorArrays:
    has_window = arrays.windows[:, 0, 1] >= arrays.windows[:, 0, 0]
    trains = (arrays.mode_bits & MODE_BIT["training"]) > 0
    travels = (arrays.mode_bits & MODE_BIT["mission"]) > 0
    arrays.travellers = np.flatnonzero(travels & has_window)
    arrays.trainers = np.flatnonzero(trains)
    arrays.trainers_travelling = np.flatnonzero(trains & has_window)
    return arrays


def _none(base: DoctorArrays) -> Any:
    """The rows of no doctor, shaped like ``base``'s (a splice that only deletes)."""
    return SimpleNamespace(
        ids=base.ids[:0],
        mode_bits=base.mode_bits[:0],
        lang_bits=base.lang_bits[:0],
        spec_bits=base.spec_bits[:0],
        fit_t=base.fit_t[:, :0],
        experience_t=base.experience_t[:, :0],
        base_t=base.base_t[:, :0],
        licence_until=base.licence_until[:0],
        mentee_room=base.mentee_room[:0],
        windows=base.windows[:0],
        committed=base.committed[:0],
        tz_names=(),
        tz_index=base.tz_index[:0],
        slots=base.slots[:0],
        lang_level_bits=base.lang_level_bits[:0],
        syria_until=base.syria_until[:0],
    )


def _refit_skill(base: DoctorArrays, raw: sp.csr_matrix) -> tuple[sp.csr_matrix, Any]:
    """Skill vectors of ``raw`` with the IDF refitted on them (it depends on every
    doctor), by a copy of ``base``'s vectoriser (``base``'s own is left fitted)."""
    vectorizer = copy.copy(base.skill_vectorizer)
    vectorizer.idf_ = fit_idf(raw)
    return weigh(vectorizer.idf_, raw), vectorizer


def _time_zones(names: Sequence[str], index: np.ndarray) -> tuple[tuple[str, ...], np.ndarray]:
    """Positions ``index`` into ``names`` -> (the names used, sorted; positions into them)."""
    used = tuple(sorted({names[i] for i in np.unique(index)}))
    position = {name: i for i, name in enumerate(used)}
    remap = np.array([position.get(name, -1) for name in names], dtype=np.int32)
    return used, remap[index]


def _replace_csr_rows(matrix: sp.csr_matrix, at: np.ndarray, rows: sp.csr_matrix) -> sp.csr_matrix:
    """``matrix`` with rows ``at`` (sorted) replaced by ``rows``, by contiguous blocks."""
    pieces, previous = [], 0
    for i, row in enumerate(at):
        pieces += [matrix[previous:row], rows[i : i + 1]]
        previous = int(row) + 1
    pieces.append(matrix[previous:])
    return sp.vstack(pieces, format="csr")


def _edit_rows(
    base: DoctorArrays,
    raw_skill: sp.csr_matrix,
    part: DoctorArrays,
    part_raw: sp.csr_matrix,
    at: np.ndarray,
) -> tuple[DoctorArrays, sp.csr_matrix]:
    """The same doctors, some edited: their rows overwritten IN PLACE (the large (S, D)
    tables would take longer to copy than everything else); :class:`PreparedDoctors`
    holds its lock and drops ``base`` if this fails half-way."""
    for name in (
        "mode_bits",
        "lang_bits",
        "spec_bits",
        "licence_until",
        "mentee_room",
        "lang_level_bits",
        "syria_until",
    ):
        getattr(base, name)[at] = getattr(part, name)
    for name in ("fit_t", "experience_t", "base_t"):
        getattr(base, name)[:, at] = getattr(part, name)
    width = max(base.windows.shape[1], part.windows.shape[1])
    windows = _pad(base.windows, width)
    windows[at] = _pad(part.windows, width)
    base.windows = _trim(windows)
    names = (*base.tz_names, *part.tz_names)
    tz_all = base.tz_index.astype(np.int64)
    tz_all[at] = part.tz_index.astype(np.int64) + len(base.tz_names)
    base.tz_names, base.tz_index = _time_zones(names, tz_all)
    base.slots = _replace_csr_rows(base.slots, at, part.slots)
    raw = _replace_csr_rows(raw_skill, at, part_raw)
    base.skill, base.skill_vectorizer = _refit_skill(base, raw)
    base.cache = {}
    return _derived(base), raw


def splice(
    base: DoctorArrays,
    raw_skill: sp.csr_matrix,
    fresh: Sequence[DoctorInput],
    changed: Iterable[int],
) -> tuple[DoctorArrays, sp.csr_matrix]:
    """``base`` with the rows of doctors ``changed`` replaced by ``fresh`` (their current
    data; a changed doctor missing from ``fresh`` was deleted), rows in id order.

    When the doctors are the same (edits only), ``base`` is updated in place and
    returned; otherwise a new one is built, sharing nothing that changed.
    """
    changed_ids = np.fromiter({int(i) for i in changed}, dtype=np.int64)
    keep = np.flatnonzero(~np.isin(base.ids, changed_ids))
    part = build_doctor_arrays(fresh, load_taxonomy(), base.languages) if fresh else _none(base)
    part_raw = _skill_raw(base, fresh) if fresh else raw_skill[:0]
    if keep.size + part.ids.size == base.ids.size:
        at = np.searchsorted(base.ids, part.ids)
        if bool(np.array_equal(base.ids[np.minimum(at, base.ids.size - 1)], part.ids)):
            return _edit_rows(base, raw_skill, part, part_raw, at)
    ids = np.concatenate([base.ids[keep], part.ids])
    order = np.argsort(ids, kind="stable")

    def rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.concatenate([a[keep], b], axis=0)[order]

    def columns(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.concatenate([a[:, keep], b], axis=1)[:, order]

    names = (*base.tz_names, *part.tz_names)
    offset = len(base.tz_names)
    tz_names, tz_index = _time_zones(
        names, rows(base.tz_index.astype(np.int64), part.tz_index.astype(np.int64) + offset)
    )
    new_raw = sp.vstack([raw_skill[keep], part_raw], format="csr")[order]
    skill, vectorizer = _refit_skill(base, new_raw)
    arrays = DoctorArrays(
        ids=ids[order],
        mode_bits=rows(base.mode_bits, part.mode_bits),
        lang_bits=rows(base.lang_bits, part.lang_bits),
        languages=base.languages,
        specialty_codes=base.specialty_codes,
        spec_bits=rows(base.spec_bits, part.spec_bits),
        acceptable_bits=base.acceptable_bits,
        fit_t=columns(base.fit_t, part.fit_t),
        experience_t=columns(base.experience_t, part.experience_t),
        base_t=columns(base.base_t, part.base_t),
        licence_until=rows(base.licence_until, part.licence_until),
        mentee_room=rows(base.mentee_room, part.mentee_room),
        windows=_ranges([base.windows[keep], part.windows])[order],
        committed=_ranges([base.committed[keep], part.committed])[order],
        tz_names=tz_names,
        tz_index=tz_index,
        slots=sp.vstack([base.slots[keep], part.slots], format="csr")[order],
        skill=skill,
        skill_vectorizer=vectorizer,
        mentor_groups=[],
        travellers=np.empty(0, dtype=np.int64),
        trainers=np.empty(0, dtype=np.int64),
        trainers_travelling=np.empty(0, dtype=np.int64),
        lang_level_bits=rows(base.lang_level_bits, part.lang_level_bits),
        syria_until=rows(base.syria_until, part.syria_until),
    )
    return _derived(arrays), new_raw


def holds_key(holds: Holds) -> Any:
    """A comparable summary of ``holds`` (equal holds: the arrays can be reused)."""
    return (
        tuple(sorted(holds.mentees.items())),
        tuple(
            sorted(
                (doctor, tuple(sorted((r.start, r.end) for r in spans)))
                for doctor, spans in holds.missions.items()
            )
        ),
    )


def with_holds(base: DoctorArrays, holds: Holds) -> DoctorArrays:
    """``base`` (built without held pairings) with ``holds`` applied, as
    :func:`matching.ranking.build_doctor_arrays` would have built it."""
    row_of = {int(d): i for i, d in enumerate(base.ids)} if holds.mentees or holds.missions else {}
    held = np.zeros(base.n, dtype=np.int64)
    for doctor, count in holds.mentees.items():
        row = row_of.get(doctor)
        if row is not None:
            held[row] = count
    room = np.maximum(0, base.mentee_room - held)
    spans = {
        row: sorted((r.start.toordinal(), r.end.toordinal()) for r in ranges)
        for doctor, ranges in holds.missions.items()
        if (row := row_of.get(doctor)) is not None and ranges
    }
    width = max((len(s) for s in spans.values()), default=0) or 1
    committed = np.empty((base.n, width, 2), dtype=np.int64)
    committed[:, :, 0], committed[:, :, 1] = 1, 0
    for row, s in spans.items():
        committed[row, : len(s)] = s
    has_slots = np.diff(base.slots.indptr) > 0
    can_mentor = ((base.mode_bits & MODE_BIT["mentorship"]) > 0) & (room > 0) & has_slots
    groups = []
    for t, name in enumerate(base.tz_names):
        members = np.flatnonzero(can_mentor & (base.tz_index == t))
        if members.size:
            groups.append(TimezoneGroup(name, members, base.slots[members]))
    return dataclasses.replace(
        base, mentee_room=room, committed=committed, mentor_groups=groups, cache={}
    )


__all__ = ["SPLICEABLE", "build", "holds_key", "splice", "with_holds"]
