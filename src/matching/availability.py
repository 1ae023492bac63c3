"""Availability arithmetic: weekly slots in a person's own IANA time zone, on real dates.

A doctor in Chicago and a facility in Homs both give weekly slots in their own local time.
Whether they overlap depends on the real dates: a US or European daylight-saving switch moves
one side by an hour while Asia/Damascus (fixed UTC+3 since late 2022) does not move. So slots
are expanded into real occurrences, converted to UTC, and compared there.

Local wall times that do not map to exactly one instant:

* ambiguous (the repeated hour when clocks go back): ``fold=0``, the *first* (earlier)
  instant, so 01:30 on 2026-11-01 in America/Chicago is 01:30 CDT = 06:30 UTC;
* nonexistent (the skipped hour when clocks go forward): the instant of the switch, i.e. the
  moment the wall clock first reaches or passes that time. 02:30 on 2026-03-08 in
  America/Chicago is 03:00 CDT = 08:00 UTC. (Plain ``fold=0`` would give 08:30 UTC, i.e.
  03:30 CDT, which can put a slot's start after its end.) This keeps local -> UTC monotonic,
  so an occurrence never has negative length and its length is the real time its wall-clock
  window covers (02:30-03:30 that day is 30 minutes; 02:15-02:45 does not happen at all and
  is dropped).

Two representations:

* exact: lists of ``(start, end)`` aware UTC datetimes (:func:`slot_occurrences_utc`,
  :func:`weekly_overlap_minutes`);
* vectorised for the ranking engine: boolean masks of 15-minute bins over a UTC week,
  shape ``(BINS_PER_WEEK,)`` = (672,) (:func:`utc_week_mask`, :func:`utc_week_masks`,
  :func:`local_week_mask`); overlap of two people is ``(a & b).sum() * BIN_MINUTES``.
  A bin is set only when the person is available for the whole bin, so with slots on
  15-minute boundaries (enforced) the masks reproduce the exact minutes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import numpy as np

__all__ = [
    "BINS_PER_DAY",
    "BINS_PER_WEEK",
    "BIN_MINUTES",
    "DateRange",
    "WeeklyWindow",
    "common_timezones",
    "is_valid_timezone",
    "local_week_mask",
    "min_weekly_overlap_hours",
    "slot_occurrences_utc",
    "utc_offset_bins",
    "utc_week_mask",
    "utc_week_masks",
    "week_starts",
    "weekly_overlap_minutes",
]

BIN_MINUTES = 15
BINS_PER_DAY = 24 * 60 // BIN_MINUTES  # 96
BINS_PER_WEEK = 7 * BINS_PER_DAY  # 672
_BIN_SECONDS = BIN_MINUTES * 60
_WEEK_SECONDS = 7 * 24 * 3600
_DAY = timedelta(days=1)
_WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class WeeklyWindow:
    """A weekly window in the owner's local time.

    ``weekday`` 0=Monday .. 6=Sunday; ``start``/``end`` naive :class:`datetime.time` on a
    15-minute boundary. ``end <= start`` means the slot runs past midnight into the next day
    (22:00-01:00); ``end == start`` is a full 24 hours from ``start``.
    """

    weekday: int
    start: time
    end: time

    def __post_init__(self) -> None:
        if isinstance(self.weekday, bool) or not isinstance(self.weekday, int):
            raise ValueError(f"weekday must be an int 0..6, got {self.weekday!r}")
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) .. 6 (Sunday), got {self.weekday}")
        for name in ("start", "end"):
            value = getattr(self, name)
            if not isinstance(value, time):
                raise ValueError(f"{name} must be a datetime.time, got {value!r}")
            if value.tzinfo is not None:
                raise ValueError(f"{name} must be a local (naive) time, got {value!r}")
            if value.second or value.microsecond:
                raise ValueError(f"{name} must have 0 seconds, got {value.isoformat()}")
            if value.minute % BIN_MINUTES:
                raise ValueError(
                    f"{name} minutes must be a multiple of {BIN_MINUTES}, got {value.isoformat()}"
                )

    @property
    def crosses_midnight(self) -> bool:
        """True when the slot ends on the next local day."""
        return self.end <= self.start

    @property
    def duration_minutes(self) -> int:
        """Length in local wall-clock minutes (a DST switch can make the real length differ)."""
        minutes = _minutes(self.end) - _minutes(self.start)
        return minutes if minutes > 0 else minutes + 24 * 60

    def __str__(self) -> str:
        return f"{_WEEKDAY_NAMES[self.weekday]} {self.start:%H:%M}-{self.end:%H:%M}"


@dataclass(frozen=True)
class DateRange:
    """Calendar dates ``start`` .. ``end``, both inclusive."""

    start: date
    end: date

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            if isinstance(value, datetime) or not isinstance(value, date):
                raise ValueError(f"{name} must be a datetime.date, got {value!r}")
        if self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start})")

    @property
    def days(self) -> int:
        """Number of dates in the range (>= 1)."""
        return (self.end - self.start).days + 1

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


# ---------------------------------------------------------------------- time zones
@cache
def _zone_names() -> frozenset[str]:
    names = available_timezones()
    return frozenset(
        n for n in names if not n.startswith(("posix/", "right/")) and n not in _NOT_ZONES
    )


_NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})


def is_valid_timezone(name: str) -> bool:
    """True when ``name`` is an IANA zone known to zoneinfo (e.g. ``"Asia/Damascus"``)."""
    return isinstance(name, str) and name in _zone_names()


def common_timezones() -> list[str]:
    """Sorted IANA zone names for select lists (``zoneinfo.available_timezones()``)."""
    return sorted(_zone_names())


def zone_or_utc(name: str | None) -> ZoneInfo:
    """The time zone named ``name``, or UTC when it is empty or unknown (for showing
    times to a reader whose stored zone may predate the zone list)."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _zone(tz: str) -> ZoneInfo:
    if not is_valid_timezone(tz):
        raise ValueError(f"unknown time zone {tz!r}")
    try:
        return ZoneInfo(tz)
    except ZoneInfoNotFoundError as exc:  # pragma: no cover - listed but unreadable
        raise ValueError(f"unknown time zone {tz!r}") from exc


# ---------------------------------------------------------------------- occurrences
def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _local_to_utc(local: datetime) -> datetime:
    """Aware local datetime (fold=0) -> aware UTC datetime; see the module docstring."""
    utc0 = local.astimezone(UTC)
    back = utc0.astimezone(local.tzinfo)
    if back.replace(tzinfo=None) == local.replace(tzinfo=None):
        return utc0  # exists; if ambiguous, fold=0 gave the earlier instant
    # Nonexistent: utc0 used the pre-switch offset and lies at/after the switch; fold=1 uses
    # the post-switch offset and lies before it. Bisect to the switch instant (1 s precision;
    # tzdata switches are on whole seconds).
    lo = local.replace(fold=1).astimezone(UTC)
    hi = utc0
    lo_offset = lo.astimezone(local.tzinfo).utcoffset()
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        mid = mid.replace(microsecond=0)
        if mid.astimezone(local.tzinfo).utcoffset() == lo_offset:
            lo = mid
        else:
            hi = mid
    return hi


def _occurrences(
    slots: Iterable[WeeklyWindow], zone: ZoneInfo, first: date, last: date
) -> list[tuple[datetime, datetime]]:
    """Occurrences whose local start date is in ``first`` .. ``last``, sorted, UTC."""
    by_weekday: dict[int, list[WeeklyWindow]] = {}
    for slot in slots:
        if not isinstance(slot, WeeklyWindow):
            raise ValueError(f"slots must be WeeklyWindow instances, got {slot!r}")
        by_weekday.setdefault(slot.weekday, []).append(slot)
    out: list[tuple[datetime, datetime]] = []
    day = first
    while day <= last:
        for slot in by_weekday.get(day.weekday(), ()):
            end_day = day + _DAY if slot.crosses_midnight else day
            start = _local_to_utc(datetime.combine(day, slot.start, tzinfo=zone))
            end = _local_to_utc(datetime.combine(end_day, slot.end, tzinfo=zone))
            if end > start:
                out.append((start, end))
        day += _DAY
    out.sort()
    return out


def slot_occurrences_utc(
    slots: Iterable[WeeklyWindow], tz: str, period: DateRange
) -> list[tuple[datetime, datetime]]:
    """Every real occurrence of ``slots`` whose local start date is in ``period``.

    Returns ``(start, end)`` pairs of aware UTC datetimes, sorted by start. Overlapping slots
    are not merged. Occurrences that fall entirely in a spring-forward gap are dropped.
    Raises ``ValueError`` for an unknown ``tz``.
    """
    return _occurrences(slots, _zone(tz), period.start, period.end)


def _epoch(d: date) -> int:
    """Seconds since the epoch of ``d`` 00:00 UTC."""
    return int(datetime.combine(d, time(0), tzinfo=UTC).timestamp())


def _utc_seconds(
    slots: Iterable[WeeklyWindow], tz: str, lo: int, hi: int, first: date, last: date
) -> np.ndarray:
    """Merged availability in ``[lo, hi)`` epoch seconds, int64 array of shape (K, 2).

    ``first``/``last`` are the UTC dates ``lo``/``hi`` cover; local start dates from two days
    before to one day after are expanded, which covers every offset (-12 h .. +14 h) and a
    slot spilling over midnight.
    """
    occ = _occurrences(slots, _zone(tz), first - 2 * _DAY, last + _DAY)
    merged: list[list[int]] = []
    for start_dt, end_dt in occ:  # sorted by start: union in one pass
        s = max(int(start_dt.timestamp()), lo)
        e = min(int(end_dt.timestamp()), hi)
        if e <= s:
            continue
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return np.array(merged, dtype=np.int64).reshape(-1, 2)


def week_starts(period: DateRange) -> list[date]:
    """Mondays of the ISO weeks touching ``period``, in order."""
    first = period.start - timedelta(days=period.start.weekday())
    count = (period.end - first).days // 7 + 1
    return [first + timedelta(weeks=i) for i in range(count)]


def _intersect(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Intersection of two sorted, disjoint interval lists (K, 2) -> (M, 2)."""
    out: list[tuple[int, int]] = []
    i = j = 0
    while i < len(a) and j < len(b):
        s = max(a[i, 0], b[j, 0])
        e = min(a[i, 1], b[j, 1])
        if s < e:
            out.append((int(s), int(e)))
        if a[i, 1] < b[j, 1]:
            i += 1
        else:
            j += 1
    return np.array(out, dtype=np.int64).reshape(-1, 2)


def weekly_overlap_minutes(
    slots_a: Iterable[WeeklyWindow],
    tz_a: str,
    slots_b: Iterable[WeeklyWindow],
    tz_b: str,
    period: DateRange,
) -> list[int]:
    """Minutes both parties are available, per UTC ISO week touching ``period``.

    The period's dates are read as UTC dates (``period.start`` 00:00 UTC to the day after
    ``period.end`` 00:00 UTC), like the weeks; every real occurrence of each side's slots is
    counted inside that span, whatever its local start date. Exact interval arithmetic: each
    side's occurrences are merged, then intersected. Returns one int per entry of
    :func:`week_starts` (partial weeks count only the days inside the period); minutes are
    floored only if a zone's offset is not a whole minute.
    """
    weeks = week_starts(period)
    lo, hi = _epoch(period.start), _epoch(period.end + _DAY)
    a = _utc_seconds(slots_a, tz_a, lo, hi, period.start, period.end)
    b = _utc_seconds(slots_b, tz_b, lo, hi, period.start, period.end)
    both = _intersect(a, b)
    week_lo = np.array([_epoch(w) for w in weeks], dtype=np.int64)
    week_hi = week_lo + _WEEK_SECONDS
    # (M, W) overlap of each intersection interval with each week
    seconds = np.clip(
        np.minimum(both[:, 1:2], week_hi[None, :]) - np.maximum(both[:, 0:1], week_lo[None, :]),
        0,
        None,
    ).sum(axis=0)
    return [int(s) // 60 for s in seconds]


def min_weekly_overlap_hours(
    slots_a: Iterable[WeeklyWindow],
    tz_a: str,
    slots_b: Iterable[WeeklyWindow],
    tz_b: str,
    period: DateRange,
) -> float:
    """The smallest weekly overlap, in hours, over the full UTC weeks inside ``period``.

    A week where a DST switch shrinks the overlap therefore decides. If ``period`` contains no
    full Monday-Sunday week, the minimum over the (partial) weeks it touches is returned.
    """
    slots_a, slots_b = tuple(slots_a), tuple(slots_b)
    weeks = week_starts(period)
    minutes = weekly_overlap_minutes(slots_a, tz_a, slots_b, tz_b, period)
    full = [
        m
        for w, m in zip(weeks, minutes, strict=True)
        if w >= period.start and w + 6 * _DAY <= period.end
    ]
    return min(full or minutes) / 60.0


# ---------------------------------------------------------------------- bin masks
def local_week_mask(slots: Iterable[WeeklyWindow]) -> np.ndarray:
    """Bool array (672,): 15-minute bins of the owner's local week (Monday 00:00 = bin 0).

    A slot crossing Sunday midnight wraps to Monday's first bins.
    """
    mask = np.zeros(BINS_PER_WEEK, dtype=bool)
    for slot in slots:
        first = slot.weekday * BINS_PER_DAY + _minutes(slot.start) // BIN_MINUTES
        idx = (first + np.arange(slot.duration_minutes // BIN_MINUTES)) % BINS_PER_WEEK
        mask[idx] = True
    return mask


def _fill_bins(intervals: np.ndarray, lo: int, n_bins: int) -> np.ndarray:
    """Bool (n_bins,) of the bins after ``lo`` (epoch s) fully covered by ``intervals`` (K, 2)."""
    mask = np.zeros(n_bins, dtype=bool)
    if len(intervals):
        first = -((lo - intervals[:, 0]) // _BIN_SECONDS)  # ceil: whole bins only
        last = (intervals[:, 1] - lo) // _BIN_SECONDS
        delta = np.zeros(n_bins + 1, dtype=np.int32)
        keep = last > first
        np.add.at(delta, first[keep], 1)
        np.add.at(delta, last[keep], -1)
        mask = np.cumsum(delta[:-1]) > 0
    return mask


def utc_week_masks(slots: Iterable[WeeklyWindow], tz: str, period: DateRange) -> np.ndarray:
    """Bool array (W, 672), one row per UTC week of :func:`week_starts` (``period``).

    Row ``w`` bin ``k`` is True when the person is available for the whole 15 minutes from
    ``week_starts(period)[w]`` 00:00 UTC + 15 k minutes. Bins outside the period's dates (read
    as UTC dates, as in :func:`weekly_overlap_minutes`) are False, so for 15-minute-aligned
    slots ``(a & b).sum(axis=1) * 15 == weekly_overlap_minutes(...)``. A week where the zone's
    offset does not change nearby is the shifted :func:`local_week_mask` (fast); a week with
    a switch is built from the real occurrences.
    """
    slots = tuple(slots)
    zone = _zone(tz)
    weeks = week_starts(period)
    lo, hi = _epoch(period.start), _epoch(period.end + _DAY)
    grid_lo = _epoch(weeks[0])
    steady = [_steady_offset_bins(zone, w) for w in weeks]
    if all(off is None for off in steady):
        intervals = _utc_seconds(slots, tz, lo, hi, period.start, period.end)
        masks = _fill_bins(intervals, grid_lo, len(weeks) * BINS_PER_WEEK)
    else:
        # Fast path: in a week whose offset is constant over every occurrence that can touch
        # it, real occurrences are the weekly local pattern shifted by that offset.
        local = local_week_mask(slots)
        rows = []
        for week, off in zip(weeks, steady, strict=True):
            if off is None:
                ivs = _utc_seconds(
                    slots, tz, _epoch(week), _epoch(week) + _WEEK_SECONDS, week, week + 6 * _DAY
                )
                rows.append(_fill_bins(ivs, _epoch(week), BINS_PER_WEEK))
            else:
                rows.append(local[(_BIN_RANGE + off) % BINS_PER_WEEK])
        masks = np.concatenate(rows)
        bins = grid_lo + _BIN_SECONDS * np.arange(len(masks), dtype=np.int64)
        masks &= (bins >= lo) & (bins + _BIN_SECONDS <= hi)  # keep only the period's dates
    return masks.reshape(len(weeks), BINS_PER_WEEK)


_BIN_RANGE = np.arange(BINS_PER_WEEK)


@cache
def _steady_offset_bins(zone: ZoneInfo, week_start: date) -> int | None:
    """The zone's offset in bins if constant, hourly, from 3 days before to 9 days after
    ``week_start`` 00:00 UTC (all occurrences that can touch the week) and a whole number of
    bins; else None."""
    base = datetime.combine(week_start - 3 * _DAY, time(0), tzinfo=UTC)
    offsets = {(base + timedelta(hours=h)).astimezone(zone).utcoffset() for h in range(12 * 24 + 1)}
    if len(offsets) != 1:
        return None
    (offset,) = offsets
    assert offset is not None
    seconds = int(offset.total_seconds())
    return None if seconds % _BIN_SECONDS else seconds // _BIN_SECONDS


def utc_week_mask(slots: Iterable[WeeklyWindow], tz: str, week_start: date) -> np.ndarray:
    """Bool array (672,) of the UTC week from Monday ``week_start`` 00:00 UTC.

    Built from the real occurrences in that week, including one that started on the previous
    local Sunday and spills over Monday 00:00 UTC.
    """
    if week_start.weekday() != 0:
        raise ValueError(f"week_start must be a Monday, got {week_start} ({week_start:%A})")
    return utc_week_masks(slots, tz, DateRange(week_start, week_start + 6 * _DAY))[0]


def utc_offset_bins(tz: str, week_start: date) -> np.ndarray:
    """Int16 array (672,): the zone's UTC offset, in 15-minute bins, at the start of each bin.

    Cached per (zone, week) and read-only. Offsets that are not a multiple of 15 minutes
    (none in current tzdata) are floored.

    For a week without a switch all values are equal, and a local weekly mask converts to
    UTC for many people of that zone at once: ``local_masks[:, (np.arange(672) + off) % 672]``
    (shape (N, 672)). In a switch week prefer :func:`utc_week_mask`, which follows the
    documented ambiguous/nonexistent-time rules.
    """
    zone = _zone(tz)
    base = datetime.combine(week_start, time(0), tzinfo=UTC)
    return _offset_bins_cached(zone, base)


@cache
def _offset_bins_cached(zone: ZoneInfo, base: datetime) -> np.ndarray:
    off = np.empty(BINS_PER_WEEK, dtype=np.int16)
    step = timedelta(minutes=BIN_MINUTES)
    for k in range(BINS_PER_WEEK):
        instant = base + k * step
        offset = instant.astimezone(zone).utcoffset()
        assert offset is not None
        off[k] = int(offset.total_seconds()) // _BIN_SECONDS
    off.setflags(write=False)
    return off
