"""Weekly slots as 15-minute bins, moved to UTC over real weeks, in bulk.

A week has 672 bins of 15 minutes, bin 0 being Monday 00:00-00:15. A *local*
mask holds a person's weekly slots in their own time zone. For one UTC week
(starting Monday 00:00 UTC) and one time zone, a *column map* ``cmap`` of shape
(672,) int16 gives for each UTC bin the local bin it falls in, so the UTC mask of
anybody in that zone is ``local_mask[cmap]``. Everybody in a zone shares the
column map of a week, and a zone has only a handful of distinct maps (winter,
summer, the two switch weeks), so the per-person work happens once, in local
time, and the per-week work once per zone.

The overlap, in bins, of a local mask ``a`` (zone A) and ``b`` (zone B) in one
week is ``sum_u a[cmapA[u]] * b[cmapB[u]]``, which is ``a @ T @ b`` with the
672 x 672 *transfer* matrix ``T[i, j] = #{u : cmapA[u] = i, cmapB[u] = j}``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np
import scipy.sparse as sp

BIN_MINUTES = 15
BINS_PER_DAY = 24 * 60 // BIN_MINUTES
BINS_PER_WEEK = 7 * BINS_PER_DAY


def monday_of(day: date) -> date:
    """The Monday on or before ``day``."""
    return day - timedelta(days=day.weekday())


def weeks_of(start: date, end: date) -> list[date]:
    """Mondays of the UTC weeks that meet ``[start, end]`` (both ends included)."""
    first = monday_of(start)
    n = (monday_of(end) - first).days // 7 + 1
    return [first + timedelta(weeks=i) for i in range(n)]


def slot_bins(weekday: int, start_minute: int, end_minute: int) -> np.ndarray:
    """Local bins (int64 array) covered by one weekly slot.

    A bin counts when its 15 minutes lie wholly inside the slot: the start is
    rounded up, the end down, to a bin edge. ``end_minute <= start_minute``
    means the slot crosses midnight into the next day (Sunday wraps to Monday).
    """
    first = weekday * BINS_PER_DAY + -(-start_minute // BIN_MINUTES)
    end = end_minute if end_minute > start_minute else end_minute + 24 * 60
    last = weekday * BINS_PER_DAY + end // BIN_MINUTES
    return np.arange(first, max(first, last)) % BINS_PER_WEEK


def local_mask(slots: Iterable[object]) -> np.ndarray:
    """Local week mask of weekly slots: bool (672,) (as ``availability.local_week_mask``)."""
    mask = np.zeros(BINS_PER_WEEK, dtype=bool)
    for s in slots:
        mask[
            slot_bins(
                s.weekday,  # type: ignore[attr-defined]
                s.start.hour * 60 + s.start.minute,  # type: ignore[attr-defined]
                s.end.hour * 60 + s.end.minute,  # type: ignore[attr-defined]
            )
        ] = True
    return mask


def local_masks_csr(slot_lists: Sequence[Sequence[object]]) -> sp.csr_matrix:
    """Local week masks of many people: CSR (n, 672) float64 of 0/1."""
    indptr = np.zeros(len(slot_lists) + 1, dtype=np.int64)
    cols: list[np.ndarray] = []
    for i, slots in enumerate(slot_lists):
        if slots:
            idx = np.flatnonzero(local_mask(slots))
            cols.append(idx)
            indptr[i + 1] = idx.size
    np.cumsum(indptr, out=indptr)
    indices = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    data = np.ones(indices.size, dtype=np.float64)
    return sp.csr_matrix((data, indices, indptr), shape=(len(slot_lists), BINS_PER_WEEK))


def _offset_minutes(zone: ZoneInfo, instant: datetime) -> int:
    off = instant.astimezone(zone).utcoffset()
    assert off is not None
    return int(off.total_seconds() // 60)


@lru_cache(maxsize=65536)
def column_map(tz: str, week_start: date) -> bytes:
    """Column map of one zone and one UTC week, as bytes of int16 (672,).

    Checks the UTC offset at the eight day edges of the week; when they agree the
    map is a roll of the local week. Otherwise (a daylight-saving switch inside
    the week) every bin is converted on its own, following the rules of
    :mod:`matching.availability`: a skipped local hour simply never occurs; when
    clocks go back, a wall time in the repeated hour means its *first* instant,
    so the second pass of the repeated hour is covered exactly when the slot runs
    through the switch, i.e. covers the last bin before it. Those UTC bins are
    mapped to that local bin.
    """
    zone = ZoneInfo(tz)
    t0 = datetime(week_start.year, week_start.month, week_start.day, tzinfo=UTC)
    offsets = {_offset_minutes(zone, t0 + timedelta(days=d)) for d in range(8)}
    utc_bins = np.arange(BINS_PER_WEEK, dtype=np.int64)
    if len(offsets) == 1:
        shift = offsets.pop() // BIN_MINUTES
        cmap = (utc_bins + shift) % BINS_PER_WEEK
    else:
        step = timedelta(minutes=BIN_MINUTES)
        # Local wall time of each bin start, in bins since the local Monday 00:00 of the
        # UTC week's Monday (may run below 0 or past 672); one bin of history first.
        wall = np.array(
            [
                u + _offset_minutes(zone, t0 + u * step) // BIN_MINUTES
                for u in range(-1, BINS_PER_WEEK)
            ],
            dtype=np.int64,
        )
        reached = np.maximum.accumulate(wall)
        second_pass = wall[1:] <= reached[:-1]
        local = np.where(second_pass, reached[:-1], wall[1:])
        cmap = local % BINS_PER_WEEK
    return cmap.astype(np.int16).tobytes()


def cmap_array(key: bytes) -> np.ndarray:
    """A column map from its bytes: int64 (672,)."""
    return np.frombuffer(key, dtype=np.int16).astype(np.int64)


@lru_cache(maxsize=4096)
def transfer(key_a: bytes, key_b: bytes) -> sp.csr_matrix:
    """Transfer matrix between two column maps: CSR (672, 672) float64 (see module doc)."""
    a, b = cmap_array(key_a), cmap_array(key_b)
    ones = np.ones(BINS_PER_WEEK, dtype=np.float64)
    t = sp.csr_matrix((ones, (a, b)), shape=(BINS_PER_WEEK, BINS_PER_WEEK))
    t.sum_duplicates()
    return t


def utc_mask(local: np.ndarray, tz: str, week_start: date) -> np.ndarray:
    """UTC mask of one week from a local mask: bool (672,)."""
    return local[cmap_array(column_map(tz, week_start))]
