"""The doctors' prepared arrays, kept in the worker between jobs and refreshed as they change.

Loading 100,000 doctors from the database and building their arrays takes seconds;
ranking one new need against the arrays takes milliseconds. So a worker process
keeps one :class:`PreparedDoctors` and, for each one-need run:

1. reads the doctors changed since its last look from ``doctor_change``, a log
   kept by database triggers on every doctor table (migration
   ``2026-11-27T20:00:00``): any edit of a profile, language, specialty, skill,
   licence (a coordinator's verification too), travel window or weekly slot,
   and account deletion, whoever made it;
2. reloads only those doctors and splices their rows into the arrays
   (:mod:`matching.pairings.doctor_arrays`: a new doctor is inserted in id
   order, a deleted one removed; the skill IDF, which depends on every doctor,
   is refitted on the kept unweighted vectors);
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
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import scipy.sparse as sp

from matching.pairings.doctor_arrays import SPLICEABLE, build, holds_key, splice, with_holds
from matching.pairings.loader import load_doctor_profiles, load_holds
from matching.pairings.tables import RankingRun
from matching.ranking import DoctorArrays

logger = logging.getLogger("matching.prepared_doctors")


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


__all__ = ["PreparedDoctors", "Refresh"]
