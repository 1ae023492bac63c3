"""A plain pair-by-pair implementation of the hard rules and the score.

Slow on purpose and written from the definitions in :mod:`matching.ranking.weights`,
with the exact interval arithmetic of :mod:`matching.availability` for weekly
overlap. The tests and the benchmark check the vectorised engine against it.
The only shared piece is the skill vectoriser (text features are data, not
arithmetic): its vectors are turned into plain dicts first.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from matching.availability import (
    DateRange,
    min_weekly_overlap_hours,
    slot_occurrences_utc,
    week_starts,
)
from matching.ranking.data import DoctorInput, NeedInput
from matching.ranking.skills import SkillVectorizer
from matching.ranking.weights import (
    DEFAULT_LANGUAGE_LEVEL,
    LANGUAGE_LEVELS,
    LEVEL_VALUE,
    MENTORSHIP_HEADROOM,
    WEIGHTS,
    continuity,
    experience,
    fairness_multiplier,
    need_weight,
)

EPS = 1e-9


def _span(need: NeedInput, today: date) -> tuple[date, date]:
    if need.period is not None:
        return need.period.start, need.period.end
    if need.kind == "mentorship":
        return today, today + timedelta(weeks=12) - timedelta(days=1)
    return today, today


def _coverage(windows: Sequence[Any], start: date, end: date) -> float:
    covered = 0
    day = start
    while day <= end:
        if any(w.start <= day <= w.end for w in windows):
            covered += 1
        day += timedelta(days=1)
    return covered / ((end - start).days + 1)


def _epoch(day: date) -> int:
    return (day.toordinal() - date(1970, 1, 1).toordinal()) * 86400


def utc_intervals(slots: Sequence[Any], tz: str, first: date, last: date) -> list[tuple[int, int]]:
    """Merged real occurrences of weekly slots between two dates, epoch seconds, sorted."""
    occ = slot_occurrences_utc(
        slots, tz, DateRange(first - timedelta(days=2), last + timedelta(days=1))
    )
    merged: list[list[int]] = []
    for a, b in occ:
        s, e = int(a.timestamp()), int(b.timestamp())
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [(s, e) for s, e in merged]


def min_weekly_hours(
    a: Sequence[tuple[int, int]], b: Sequence[tuple[int, int]], start: date, end: date
) -> float:
    """Smallest weekly overlap in hours of two interval lists over a span's full UTC weeks.

    Same definition as :func:`matching.availability.min_weekly_overlap_hours` (full
    weeks; the touched weeks, clipped to the span, when there is none), from
    intervals computed once per person (see :func:`utc_intervals`).
    """
    lo, hi = _epoch(start), _epoch(end + timedelta(days=1))
    weeks = week_starts(DateRange(start, end))
    seconds = [0] * len(weeks)
    w0 = _epoch(weeks[0])
    i = j = 0
    while i < len(a) and j < len(b):
        s, e = max(a[i][0], b[j][0], lo), min(a[i][1], b[j][1], hi)
        while s < e:
            k = (s - w0) // (7 * 86400)
            cut = min(e, w0 + (k + 1) * 7 * 86400)
            seconds[k] += cut - s
            s = cut
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    full = [
        sec
        for w, sec in zip(weeks, seconds, strict=True)
        if w >= start and w + timedelta(days=6) <= end
    ]
    return min(full or seconds) // 60 / 60.0


def skill_dicts(
    vectorizer: SkillVectorizer, code_lists: Sequence[Sequence[str]], texts: Sequence[str]
) -> list[dict[str, float]]:
    """Skill vectors as {code: weight} dicts (``vectorizer`` already fitted)."""
    m = vectorizer.transform(code_lists, texts)
    out = []
    for i in range(m.shape[0]):
        lo, hi = m.indptr[i], m.indptr[i + 1]
        out.append(
            {
                vectorizer.codes_[j]: float(v)
                for j, v in zip(m.indices[lo:hi], m.data[lo:hi], strict=False)
            }
        )
    return out


def reference_pair(
    doctor: DoctorInput,
    need: NeedInput,
    taxonomy: Any,
    doctor_skills: dict[str, float],
    need_skills: dict[str, float],
    today: date,
    intervals: tuple[list[tuple[int, int]], list[tuple[int, int]]] | None = None,
) -> tuple[dict[str, bool], dict[str, float] | None]:
    """Hard rules and signals of one pair.

    ``intervals``: optional (doctor, local doctor) :func:`utc_intervals` covering the
    need's span, to spare recomputing them per pair; without them the weekly
    overlap comes from :func:`matching.availability.min_weekly_overlap_hours`.

    Returns:
        ``(rules, signals)``: each hard rule's pass/fail, and, when all pass, the
        signals plus ``score``; ``None`` otherwise.
    """
    start, end = _span(need, today)
    rules: dict[str, bool] = {}
    rules["mode"] = need.kind in doctor.modes
    rules["language"] = not need.required_languages or bool(
        need.required_languages & doctor.languages
    )
    if need.any_specialty:
        rules["specialty"] = True
    else:
        acceptable = (
            taxonomy.acceptable_specialties(need.specialty, need.kind)
            if need.acceptable_specialties is None
            else (need.specialty, *need.acceptable_specialties)
        )
        rules["specialty"] = any(code in acceptable for code, _ in doctor.specialties)
    if need.requires_licence:
        until = need.period.end if need.period is not None else today
        lic = doctor.licence_verified_until
        rules["licence"] = lic is not None and lic >= until
    else:
        rules["licence"] = True
    given = dict(doctor.language_levels)
    rank = {level: i for i, level in enumerate(LANGUAGE_LEVELS)}
    asked = dict(need.language_levels)
    spoken = need.required_languages & doctor.languages
    # Speaking none of them fails "language", not this rule.
    rules["language_level"] = not spoken or any(
        rank[given.get(code, DEFAULT_LANGUAGE_LEVEL)] >= rank[asked.get(code, "basic")]
        for code in spoken
    )
    if need.requires_licence and need.travels:
        until = need.period.end if need.period is not None else today
        permit = doctor.syria_permission_until
        lic = doctor.licence_verified_until
        # Holding no licence valid through the need fails "licence", not this rule.
        rules["syria_permission"] = (permit is not None and permit >= until) or not (
            lic is not None and lic >= until
        )
    else:
        rules["syria_permission"] = True
    # In-person work in a closed district is not proposed; remote work there is.
    rules["district_open"] = not (need.travels and need.district_closed)
    if need.travels:
        availability = _coverage(doctor.travel_windows, start, end)
        rules["availability"] = availability >= need.min_coverage - EPS
        rules["capacity"] = not any(
            c.start <= end and c.end >= start for c in doctor.committed_missions
        )
        details = availability
    elif need.kind == "mentorship":
        if intervals is not None:
            hours = min_weekly_hours(intervals[0], intervals[1], start, end)
        else:
            hours = min_weekly_overlap_hours(
                doctor.weekly_slots,
                doctor.timezone,
                need.local_slots,
                need.local_timezone,
                DateRange(start, end),
            )
        rules["availability"] = hours >= need.weekly_hours - EPS
        availability = min(1.0, hours / (MENTORSHIP_HEADROOM * need.weekly_hours))
        rules["capacity"] = doctor.current_mentees < doctor.max_mentees
        details = hours
    else:
        availability = 1.0
        rules["availability"] = True
        rules["capacity"] = True
        details = 1.0
    if not all(rules.values()):
        return rules, None
    best_fit, best_level = 0.0, -1.0
    for code, level in doctor.specialties:
        f = taxonomy.specialty_fit(need.specialty, code)
        lv = LEVEL_VALUE[level]
        if f > best_fit or (f == best_fit and lv > best_level):
            best_fit, best_level = f, lv
    exp = experience(max(best_level, 0.0), doctor.years_experience)
    skills = sum(w * doctor_skills.get(c, 0.0) for c, w in need_skills.items())
    nw = min(
        1.0,
        need_weight(need.urgency, need.rural, need.facility_state)
        * fairness_multiplier(need.waited_runs),
    )
    cont = max(
        (continuity(w.quality) for w in need.past_work if w.doctor_id == doctor.id), default=0.0
    )
    score = (
        WEIGHTS["specialty"] * best_fit
        + WEIGHTS["experience"] * exp
        + WEIGHTS["skills"] * skills
        + WEIGHTS["availability"] * availability
        + WEIGHTS["need_weight"] * nw
        + WEIGHTS["continuity"] * cont
    )
    return rules, {
        "specialty": best_fit,
        "skills": skills,
        "availability": availability,
        "experience": exp,
        "need_weight": nw,
        "continuity": cont,
        "score": score,
        "detail": details,
    }


def reference_scores(
    doctors: Sequence[DoctorInput],
    needs: Sequence[NeedInput],
    taxonomy: Any,
    today: date,
    vectorizer: SkillVectorizer | None = None,
) -> dict[tuple[int, int], float]:
    """Score of every (need id, doctor id) pair passing the hard rules, pair by pair.

    ``vectorizer`` defaults to a fresh one fitted on ``doctors`` (as the engine does).
    """
    if vectorizer is None:
        codes = tuple(sorted(taxonomy.skills))
        vectorizer = SkillVectorizer(codes, [taxonomy.skill_text(c) for c in codes])
        vectorizer.fit_transform([d.skills for d in doctors], [d.free_text_skills for d in doctors])
    dsk = skill_dicts(
        vectorizer, [d.skills for d in doctors], [d.free_text_skills for d in doctors]
    )
    nsk = skill_dicts(vectorizer, [n.skills for n in needs], [n.description for n in needs])
    spans = [_span(n, today) for n in needs]
    first = min((s for s, _ in spans), default=today)
    last = max((e for _, e in spans), default=today)
    d_iv = [utc_intervals(d.weekly_slots, d.timezone, first, last) for d in doctors]
    out: dict[tuple[int, int], float] = {}
    for need, ns in zip(needs, nsk, strict=True):
        n_iv = utc_intervals(need.local_slots, need.local_timezone, first, last)
        for doctor, ds, div in zip(doctors, dsk, d_iv, strict=True):
            _, sig = reference_pair(doctor, need, taxonomy, ds, ns, today, (div, n_iv))
            if sig is not None:
                out[(need.id, doctor.id)] = sig["score"]
    return out
