"""Availability arithmetic across IANA zones and DST switches.

Expected numbers are derived by hand in the comments, from these offsets (tzdata):
America/Chicago CST UTC-6, CDT UTC-5 from Sun 2026-03-08 02:00 local until Sun 2026-11-01
02:00 local; Europe/Berlin CET UTC+1, CEST UTC+2 from Sun 2026-03-29 02:00 local until
Sun 2026-10-25 03:00 local; Europe/London GMT UTC+0, BST UTC+1 over the same instants;
Asia/Damascus fixed UTC+3 since late 2022 (UTC+2 in winter before).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import numpy as np
import pytest

from matching.availability import (
    BIN_MINUTES,
    BINS_PER_WEEK,
    DateRange,
    WeeklyWindow,
    common_timezones,
    is_valid_timezone,
    local_week_mask,
    min_weekly_overlap_hours,
    slot_occurrences_utc,
    utc_offset_bins,
    utc_week_mask,
    utc_week_masks,
    week_starts,
    weekly_overlap_minutes,
)

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
CHI, BER, LON, NYC, DAM = (
    "America/Chicago",
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "Asia/Damascus",
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def slot(weekday: int, start: str, end: str) -> WeeklyWindow:
    return WeeklyWindow(weekday, time.fromisoformat(start), time.fromisoformat(end))


def day(d: str) -> DateRange:
    return DateRange(date.fromisoformat(d), date.fromisoformat(d))


def span(a: str, b: str) -> DateRange:
    return DateRange(date.fromisoformat(a), date.fromisoformat(b))


# ---------------------------------------------------------------------- US spring-forward
# Chicago mentor: Tuesday 18:00-20:00 local.
#   Tue 2026-02-24 and Tue 2026-03-03 are CST: 18:00-20:00 -6h -> Wed 00:00-02:00 UTC.
#   Tue 2026-03-10 is CDT: 18:00-20:00 -5h -> Tue 23:00 - Wed 01:00 UTC.
# Damascus facility: Wednesday 02:00-04:00 local (+3) -> Tue 23:00 - Wed 01:00 UTC.
# Overlap: CST weeks [00:00, 01:00] = 60 min; CDT week: the whole 120 min.
CHI_TUE = [slot(TUE, "18:00", "20:00")]
DAM_WED_NIGHT = [slot(WED, "02:00", "04:00")]


def test_us_spring_forward_moves_occurrence_by_one_hour() -> None:
    occ = slot_occurrences_utc(CHI_TUE, CHI, span("2026-03-02", "2026-03-15"))
    assert occ == [
        (utc(2026, 3, 4, 0, 0), utc(2026, 3, 4, 2, 0)),
        (utc(2026, 3, 10, 23, 0), utc(2026, 3, 11, 1, 0)),
    ]


def test_us_spring_forward_weekly_overlap() -> None:
    period = span("2026-02-23", "2026-03-15")  # three full weeks: 02-23, 03-02, 03-09
    assert week_starts(period) == [date(2026, 2, 23), date(2026, 3, 2), date(2026, 3, 9)]
    assert weekly_overlap_minutes(CHI_TUE, CHI, DAM_WED_NIGHT, DAM, period) == [60, 60, 120]
    assert min_weekly_overlap_hours(CHI_TUE, CHI, DAM_WED_NIGHT, DAM, period) == 1.0
    masks_a = utc_week_masks(CHI_TUE, CHI, period)
    masks_b = utc_week_masks(DAM_WED_NIGHT, DAM, period)
    assert masks_a.shape == (3, BINS_PER_WEEK) and masks_a.dtype == bool
    assert ((masks_a & masks_b).sum(axis=1) * BIN_MINUTES).tolist() == [60, 60, 120]


def test_nonexistent_and_ambiguous_local_times_chicago() -> None:
    # 2026-03-08: clocks jump 02:00 CST (08:00 UTC) -> 03:00 CDT.
    #   01:00-04:00: 01:00 CST = 07:00 UTC, 04:00 CDT = 09:00 UTC (2 real hours).
    #   02:30-03:30: 02:30 does not exist -> the switch instant 08:00 UTC; 03:30 CDT = 08:30.
    #   02:15-02:45: entirely inside the gap -> dropped.
    sunday = [slot(SUN, "01:00", "04:00"), slot(SUN, "02:30", "03:30"), slot(SUN, "02:15", "02:45")]
    assert slot_occurrences_utc(sunday, CHI, day("2026-03-08")) == [
        (utc(2026, 3, 8, 7, 0), utc(2026, 3, 8, 9, 0)),
        (utc(2026, 3, 8, 8, 0), utc(2026, 3, 8, 8, 30)),
    ]
    # 2026-11-01: clocks go back 02:00 CDT (07:00 UTC) -> 01:00 CST. 01:30 happens twice;
    # fold=0 takes the first, 01:30 CDT = 06:30 UTC; 02:30 CST = 08:30 UTC.
    assert slot_occurrences_utc([slot(SUN, "01:30", "02:30")], CHI, day("2026-11-01")) == [
        (utc(2026, 11, 1, 6, 30), utc(2026, 11, 1, 8, 30))
    ]


# ---------------------------------------------------------------------- European switches
# Berlin mentor Thursday 19:00-21:00; Damascus facility Thursday 20:00-22:00 = 17:00-19:00 UTC.
#   CET (+1): 18:00-20:00 UTC -> overlap 18:00-19:00 = 60.  CEST (+2): 17:00-19:00 -> 120.
# London mentor Thursday 18:00-20:00: GMT 18:00-20:00 UTC -> 60; BST 17:00-19:00 -> 120.
BER_THU = [slot(THU, "19:00", "21:00")]
LON_THU = [slot(THU, "18:00", "20:00")]
DAM_THU = [slot(THU, "20:00", "22:00")]


@pytest.mark.parametrize(("mentor", "tz"), [(BER_THU, BER), (LON_THU, LON)])
def test_european_spring_switch_2026_03_29(mentor: list[WeeklyWindow], tz: str) -> None:
    # weeks from Mon 03-16, 03-23 (Thu 03-26 winter), 03-30 (Thu 04-02 summer), 04-06
    period = span("2026-03-16", "2026-04-12")
    assert weekly_overlap_minutes(mentor, tz, DAM_THU, DAM, period) == [60, 60, 120, 120]
    assert min_weekly_overlap_hours(mentor, tz, DAM_THU, DAM, period) == 1.0


@pytest.mark.parametrize(("mentor", "tz"), [(BER_THU, BER), (LON_THU, LON)])
def test_european_autumn_switch_2026_10_25(mentor: list[WeeklyWindow], tz: str) -> None:
    # weeks from Mon 10-19 (Thu 10-22 summer: 120) and 10-26 (Thu 10-29 winter: 60)
    period = span("2026-10-19", "2026-11-01")
    assert weekly_overlap_minutes(mentor, tz, DAM_THU, DAM, period) == [120, 60]
    # the DST week where the overlap drops decides
    assert min_weekly_overlap_hours(mentor, tz, DAM_THU, DAM, period) == 1.0


def test_berlin_spring_gap() -> None:
    # 2026-03-29: 02:00 CET (01:00 UTC) -> 03:00 CEST. 01:00 CET = 00:00 UTC; 04:00 CEST = 02:00.
    # 02:00-03:00 local does not exist at all -> dropped.
    sunday = [slot(SUN, "01:00", "04:00"), slot(SUN, "02:00", "03:00")]
    assert slot_occurrences_utc(sunday, BER, day("2026-03-29")) == [
        (utc(2026, 3, 29, 0, 0), utc(2026, 3, 29, 2, 0))
    ]


def test_min_weekly_overlap_ignores_partial_weeks() -> None:
    # Fri 03-20 .. Sun 04-12: week 03-16 is partial and holds no Thursday (0 minutes);
    # full weeks 03-23, 03-30, 04-06 give 60, 120, 120 -> minimum 1 hour.
    period = span("2026-03-20", "2026-04-12")
    assert weekly_overlap_minutes(BER_THU, BER, DAM_THU, DAM, period) == [0, 60, 120, 120]
    assert min_weekly_overlap_hours(BER_THU, BER, DAM_THU, DAM, period) == 1.0
    # no full week: minimum over the partial weeks touched
    assert (
        min_weekly_overlap_hours(BER_THU, BER, DAM_THU, DAM, span("2026-03-26", "2026-03-27"))
        == 1.0
    )


def test_damascus_is_fixed_utc_plus_3_since_2022() -> None:
    # Thursday 20:00 Damascus: winter 2026 and summer 2026 both 17:00 UTC (+3 all year);
    # January 2022, before the change, Syria was on winter time +2 -> 18:00 UTC.
    for d, hour in (("2026-01-08", 17), ("2026-07-09", 17), ("2022-01-06", 18)):
        (start, _), *_ = slot_occurrences_utc(DAM_THU, DAM, day(d))
        assert start.hour == hour, d


# ---------------------------------------------------------------------- midnight crossing
# London in January is UTC+0. Sunday 22:00-01:00 -> Sun 22:00 - Mon 01:00 UTC.
# Damascus Monday 00:00-05:00 (+3) -> Sun 21:00 - Mon 02:00 UTC.
LON_SUN_NIGHT = [slot(SUN, "22:00", "01:00")]
DAM_MON_EARLY = [slot(MON, "00:00", "05:00")]


def test_slot_crossing_midnight_and_week_boundary() -> None:
    assert LON_SUN_NIGHT[0].crosses_midnight and LON_SUN_NIGHT[0].duration_minutes == 180
    assert slot_occurrences_utc(LON_SUN_NIGHT, LON, day("2026-01-11")) == [
        (utc(2026, 1, 11, 22, 0), utc(2026, 1, 12, 1, 0))
    ]
    # Period Mon 01-05 .. Sun 01-18 (UTC dates), weeks 01-05 and 01-12.
    # Week 01-05: Mon 00:00-01:00 (the 01-04 occurrences clipped to the period start) = 60,
    #             Sun 01-11 22:00-24:00 = 120  -> 180.
    # Week 01-12: Mon 01-12 00:00-01:00 = 60 (spill-over from Sunday 01-11),
    #             Sun 01-18 22:00-24:00 = 120 (01-19 is after the period) -> 180.
    period = span("2026-01-05", "2026-01-18")
    assert weekly_overlap_minutes(LON_SUN_NIGHT, LON, DAM_MON_EARLY, DAM, period) == [180, 180]


def test_week_mask_includes_previous_sunday_spill_over() -> None:
    # London week from Mon 2026-01-12: bins 0-3 (Mon 00:00-01:00 from Sun 01-11) and
    # Sun 01-18 22:00-24:00 = bins 6*96+88 .. 671.
    mask = utc_week_mask(LON_SUN_NIGHT, LON, date(2026, 1, 12))
    assert set(np.flatnonzero(mask).tolist()) == set(range(4)) | set(range(664, 672))
    # Chicago (CST, -6): Sun 01-11 22:00-01:00 local = Mon 01-12 04:00-07:00 UTC, bins 16-27;
    # Sun 01-18's occurrence lands in the next UTC week.
    mask = utc_week_mask([slot(SUN, "22:00", "01:00")], CHI, date(2026, 1, 12))
    assert np.flatnonzero(mask).tolist() == list(range(16, 28))


def test_local_week_mask_wraps_sunday_to_monday() -> None:
    mask = local_week_mask([*LON_SUN_NIGHT, slot(TUE, "09:00", "09:30")])
    expected = set(range(664, 672)) | set(range(4)) | {96 + 36, 96 + 37}
    assert set(np.flatnonzero(mask).tolist()) == expected


# ---------------------------------------------------------------------- masks vs exact
ZONES = [CHI, BER, LON, NYC, DAM, "Asia/Kathmandu", "Australia/Sydney", "Pacific/Auckland"]
WEEKS = [
    date(2026, 1, 12),  # no switch anywhere
    date(2026, 3, 2),  # US spring-forward Sun 03-08
    date(2026, 3, 9),
    date(2026, 3, 23),  # EU spring-forward Sun 03-29
    date(2026, 3, 30),  # Sydney/Auckland fall back Sun 04-05
    date(2026, 10, 19),  # EU fall back Sun 10-25
    date(2026, 10, 26),  # US fall back Sun 11-01
]


def _random_slots(rng: np.random.Generator) -> list[WeeklyWindow]:
    slots = []
    for _ in range(int(rng.integers(1, 5))):
        start = int(rng.integers(0, 96)) * 15
        end = int(rng.integers(0, 96)) * 15  # end <= start crosses midnight
        slots.append(
            WeeklyWindow(
                int(rng.integers(0, 7)),
                time(start // 60, start % 60),
                time(end // 60, end % 60),
            )
        )
    return slots


def test_masks_match_exact_overlap_on_random_slots() -> None:
    rng = np.random.default_rng(20260308)
    for trial in range(150):
        week = WEEKS[trial % len(WEEKS)]
        tz_a, tz_b = (str(z) for z in rng.choice(ZONES, size=2))
        a, b = _random_slots(rng), _random_slots(rng)
        if trial % 3 == 0:  # the Chicago/New York vs Damascus pairs the engine sees most
            tz_a, tz_b = (CHI if trial % 2 else NYC), DAM
        mask_a = utc_week_mask(a, tz_a, week)
        mask_b = utc_week_mask(b, tz_b, week)
        exact = weekly_overlap_minutes(a, tz_a, b, tz_b, DateRange(week, week + timedelta(6)))
        assert [int(np.count_nonzero(mask_a & mask_b)) * BIN_MINUTES] == exact, (
            trial,
            tz_a,
            a,
            tz_b,
            b,
            week,
        )


def test_multi_week_masks_equal_single_week_masks() -> None:
    rng = np.random.default_rng(7)
    period = span("2026-03-02", "2026-04-05")  # five full weeks across both spring switches
    for tz in (CHI, BER, DAM, LON):
        slots = _random_slots(rng)
        masks = utc_week_masks(slots, tz, period)
        assert masks.shape == (5, BINS_PER_WEEK)
        for row, week in zip(masks, week_starts(period), strict=True):
            assert np.array_equal(row, utc_week_mask(slots, tz, week))
    # partial weeks: bins outside the period's (UTC) dates are cleared on both paths
    for period in (span("2026-01-07", "2026-01-20"), span("2026-03-04", "2026-03-31")):
        for _ in range(20):
            a, b = _random_slots(rng), _random_slots(rng)
            got = utc_week_masks(a, CHI, period) & utc_week_masks(b, BER, period)
            exact = weekly_overlap_minutes(a, CHI, b, BER, period)
            assert (got.sum(axis=1) * BIN_MINUTES).tolist() == exact


def test_utc_offset_bins_and_vectorised_shift() -> None:
    off = utc_offset_bins(CHI, date(2026, 3, 2))
    assert off.shape == (BINS_PER_WEEK,)
    # switch at Sun 03-08 08:00 UTC = bin 6*96 + 32 = 608: CST -6 h = -24 bins, CDT -20 bins
    assert off[607] == -24 and off[608] == -20 and off[0] == -24 and off[-1] == -20
    assert set(utc_offset_bins(DAM, date(2026, 3, 2)).tolist()) == {12}
    # in a week without a switch, shifting local masks of many people at once gives the
    # same as the occurrence-based masks
    rng = np.random.default_rng(3)
    people = [_random_slots(rng) for _ in range(20)]
    for tz in (CHI, DAM, "Asia/Kathmandu"):
        week = date(2026, 1, 12)
        shift = utc_offset_bins(tz, week)
        local = np.stack([local_week_mask(p) for p in people])  # (20, 672)
        shifted = local[:, (np.arange(BINS_PER_WEEK) + shift) % BINS_PER_WEEK]
        expected = np.stack([utc_week_mask(p, tz, week) for p in people])
        assert np.array_equal(shifted, expected)


# ---------------------------------------------------------------------- validation
@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"weekday": 7}, "weekday"),
        ({"weekday": -1}, "weekday"),
        ({"weekday": True}, "weekday"),
        ({"start": time(18, 10)}, "start"),
        ({"start": time(18, 0, 30)}, "start"),
        ({"end": time(20, 0, 0, 5)}, "end"),
        ({"end": time(20, 0, tzinfo=UTC)}, "end"),
        ({"end": "20:00"}, "end"),
    ],
)
def test_weekly_slot_validation(kwargs: dict[str, object], field: str) -> None:
    args: dict[str, object] = {"weekday": TUE, "start": time(18), "end": time(20)} | kwargs
    with pytest.raises(ValueError, match=field):
        WeeklyWindow(**args)  # type: ignore[arg-type]


def test_weekly_slot_lengths() -> None:
    assert slot(TUE, "18:00", "20:00").duration_minutes == 120
    assert not slot(TUE, "18:00", "20:00").crosses_midnight
    assert slot(MON, "09:00", "09:00").duration_minutes == 24 * 60  # end == start: 24 hours
    assert slot(SAT, "23:45", "00:00").duration_minutes == 15


def test_date_range_validation() -> None:
    with pytest.raises(ValueError, match="end"):
        DateRange(date(2026, 3, 9), date(2026, 3, 8))
    with pytest.raises(ValueError, match="start"):
        DateRange(datetime(2026, 3, 8, 12), date(2026, 3, 9))  # type: ignore[arg-type]
    r = DateRange(date(2026, 3, 8), date(2026, 3, 8))
    assert r.days == 1 and date(2026, 3, 8) in r and date(2026, 3, 9) not in r


def test_time_zone_helpers() -> None:
    assert is_valid_timezone(DAM) and is_valid_timezone(CHI) and is_valid_timezone("UTC")
    for bad in ("Mars/Olympus", "", "../etc/passwd", "asia/damascus", "posixrules"):
        assert not is_valid_timezone(bad)
    zones = common_timezones()
    assert zones == sorted(zones) and DAM in zones and BER in zones
    assert not any(z.startswith(("posix/", "right/")) for z in zones)
    with pytest.raises(ValueError, match="Mars/Olympus"):
        slot_occurrences_utc(CHI_TUE, "Mars/Olympus", day("2026-03-03"))
    with pytest.raises(ValueError, match="Monday"):
        utc_week_mask(CHI_TUE, CHI, date(2026, 3, 3))
