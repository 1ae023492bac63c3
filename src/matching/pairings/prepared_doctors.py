"""The doctors' prepared arrays, kept in the worker between jobs and refreshed as they change.

Loading 100,000 doctors from the database and building their arrays takes seconds;
ranking one new need against the arrays takes milliseconds. So a worker process
keeps one :class:`PreparedDoctors` and, for each one-need run:

1. reads the doctors changed since its last look from ``doctor_change``, a log
   kept by database triggers on every doctor table (migration
   ``2026-11-27T20:00:00``): any edit of a profile, language, specialty, skill,
   licence (a coordinator's verification too), travel window or weekly slot,
   and account deletion, whoever made it;
2. reloads only those doctors and splices their rows into the arrays (a new
   doctor is inserted in id order, a deleted one removed); the skill IDF, which
   depends on every doctor, is refitted on the kept unweighted vectors;
3. applies the held pairings (:func:`matching.pairings.loader.load_holds`),
   read fresh for every job: they change with every approval, not with doctors.

The arrays are then those a cold load would build (the tests compare the two after
each kind of edit). Everything is rebuilt from scratch on a new day (a licence's
validity depends on today), on another database, when the log went backwards (a
restored database), or when :class:`DoctorArrays` has fields this module does not
know how to splice.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import logging
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone

from matching.pairings.loader import Holds, load_doctor_profiles, load_holds
from matching.pairings.tables import RankingRun
from matching.ranking import DoctorArrays, DoctorInput, build_doctor_arrays
from matching.ranking.arrays import MODE_BIT, TimezoneGroup
from matching.taxonomy import load_taxonomy

logger = logging.getLogger("matching.prepared_doctors")

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
    }
)
SPLICEABLE = {f.name for f in dataclasses.fields(DoctorArrays)} == KNOWN_FIELDS


@dataclass(slots=True)
class _State:
    database: str
    today: date
    seq: int
    base: DoctorArrays  # every doctor, no held pairings
    raw_skill: sp.csr_matrix  # unweighted skill vectors, rows as ``base``
    holds_key: Any = None
    arrays: DoctorArrays | None = None  # ``base`` with ``holds_key``'s holds


@dataclass(frozen=True, slots=True)
class Refresh:
    """What the last :meth:`PreparedDoctors.use` did: ``"cold"``, ``"changed"`` or ``"same"``."""

    how: str
    doctors: int
    changed: int


def database_identity() -> str:
    """Which database the tables are bound to (the cache is per database)."""
    engine = RankingRun._meta.db
    where = getattr(engine, "path", None) or repr(sorted(getattr(engine, "config", {}).items()))
    return f"{type(engine).__name__}:{where}"


async def _version() -> int:
    rows = await RankingRun.raw('SELECT "version" FROM "doctor_data_version" WHERE "id" = 1').run()
    return int(rows[0]["version"]) if rows else 0


async def _changes_since(seq: int) -> list[tuple[int, int]]:
    rows = await RankingRun.raw(
        'SELECT "doctor_id", "seq" FROM "doctor_change" WHERE "seq" > {}', seq
    ).run()
    return [(int(r["doctor_id"]), int(r["seq"])) for r in rows]


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
    )


def _refit_skill(base: DoctorArrays, raw: sp.csr_matrix) -> tuple[sp.csr_matrix, Any]:
    """Skill vectors of ``raw`` with the IDF refitted on them (it depends on every
    doctor), by a copy of ``base``'s vectoriser (``base``'s own is left fitted)."""
    vectorizer = copy.copy(base.skill_vectorizer)
    vectorizer.idf = clone(base.skill_vectorizer.idf)
    return sp.csr_matrix(vectorizer.idf.fit_transform(raw), dtype=np.float64), vectorizer


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
    for name in ("mode_bits", "lang_bits", "spec_bits", "licence_until", "mentee_room"):
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


class PreparedDoctors:
    """One worker process's doctor arrays (see the module). Use :meth:`use`."""

    def __init__(self) -> None:
        self._state: _State | None = None
        self._lock = asyncio.Lock()
        self.last: Refresh | None = None

    def forget(self) -> None:
        """Drop the arrays: the next job loads every doctor again."""
        self._state = None

    @asynccontextmanager
    async def use(self, today: date | None = None) -> AsyncIterator[DoctorArrays]:
        """The current arrays (with today's held pairings), refreshed first.

        Jobs of one process take turns (a lock), so no job sees arrays change
        under it; an error while refreshing drops the arrays.
        """
        today = today or date.today()
        async with self._lock:
            try:
                arrays = await self._refresh(today)
            except BaseException:
                self._state = None
                raise
            yield arrays

    async def _refresh(self, today: date) -> DoctorArrays:
        database = database_identity()
        state = self._state
        version = await _version()
        if (
            state is None
            or state.database != database
            or state.today != today
            or version < state.seq
            or not SPLICEABLE
        ):
            state = await self._cold(database, today, version)
            how, changed = "cold", state.base.n
        else:
            changes = await _changes_since(state.seq)
            how, changed = ("changed" if changes else "same"), len(changes)
            if changes:
                ids = [doctor for doctor, _ in changes]
                fresh = await load_doctor_profiles(today, ids)
                base, raw = await asyncio.to_thread(splice, state.base, state.raw_skill, fresh, ids)
                state = _State(database, today, max(s for _, s in changes), base, raw)
        holds = await load_holds()
        key = holds_key(holds)
        if state.arrays is None or state.holds_key != key:
            state.arrays = await asyncio.to_thread(with_holds, state.base, holds)
            state.holds_key = key
        self._state = state
        self.last = Refresh(how, state.base.n, changed)
        return state.arrays

    async def _cold(self, database: str, today: date, version: int) -> _State:
        # The version is read BEFORE loading: a change committed meanwhile has a
        # higher seq and is loaded again by the next job (harmless).
        doctors = await load_doctor_profiles(today)
        base, raw = await asyncio.to_thread(build, doctors)
        return _State(database, today, version, base, raw)


__all__ = ["PreparedDoctors", "Refresh", "holds_key", "splice", "with_holds"]
