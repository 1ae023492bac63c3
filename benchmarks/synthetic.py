"""Realistic synthetic doctors and needs, deterministic from a seed.

* Specialty popularity is Zipf-skewed (a few specialties hold most doctors);
  needs follow a flatter popularity, so rare specialties are in short supply.
* Most doctors give 1-4 remote hours a week in one to three slots, in the
  evening or at the weekend of their own time zone; a minority travels.
* Languages: almost everybody Arabic, most English, some German, French,
  Swedish, Turkish depending on the country.
* Rural needs are harder to fill: more often in rare specialties, with stricter
  dates and more Arabic-only requirements.
* Two more populations for the assignment's benchmarks: a *tight* one
  (:func:`tight_population`, needs in the doctors' own popular specialties with
  1-4 places, so they compete for the same doctors) and a *short-supply* one
  (:func:`short_supply_population`, supply covering about 60 % of the places).
* The rules of issue 16 are in every population: language levels on every doctor's
  languages and a minimum level on 30 % of the needs' languages; a permission to
  practise in Syria for 60 % of the doctors with a verified licence (in-person needs
  asking for a licence require it); and, in the two assignment populations, 5 % of
  the needs turned into team missions (:func:`with_team_missions`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta
from typing import Any

import numpy as np

from matching.availability import DateRange, WeeklyWindow
from matching.ranking.data import DoctorInput, NeedInput, TeamRole

# country, time zone, share of doctors, extra language
COUNTRIES: tuple[tuple[str, str, float, str | None], ...] = (
    ("DE", "Europe/Berlin", 0.30, "de"),
    ("SE", "Europe/Stockholm", 0.08, "sv"),
    ("FR", "Europe/Paris", 0.07, "fr"),
    ("GB", "Europe/London", 0.08, None),
    ("TR", "Europe/Istanbul", 0.10, "tr"),
    ("US", "America/New_York", 0.08, None),
    ("US", "America/Chicago", 0.04, None),
    ("CA", "America/Toronto", 0.04, "fr"),
    ("AE", "Asia/Dubai", 0.07, None),
    ("SA", "Asia/Riyadh", 0.05, None),
    ("LB", "Asia/Beirut", 0.03, "fr"),
    ("AU", "Australia/Sydney", 0.02, None),
    ("SY", "Asia/Damascus", 0.04, None),
)
LEVELS = ("resident", "specialist", "consultant")


def _zipf_weights(n: int, s: float) -> np.ndarray:
    w = 1.0 / np.arange(1, n + 1) ** s
    return w / w.sum()


def _slot(rng: np.random.Generator, evening: bool) -> WeeklyWindow:
    if evening:
        day = int(rng.integers(0, 5))
        start = int(rng.integers(17, 22))
    else:
        day = int(rng.integers(5, 7))
        start = int(rng.integers(9, 18))
    minutes = int(rng.choice([60, 90, 120, 120, 180, 240]))
    end_min = (start * 60 + minutes) % (24 * 60)
    return WeeklyWindow(day, time(start), time(end_min // 60, end_min % 60))


def make_doctors(n: int, taxonomy: Any, today: date, seed: int = 0) -> list[DoctorInput]:
    """``n`` synthetic doctors (ids 1..n)."""
    rng = np.random.default_rng(seed)
    specs = taxonomy.specialty_codes
    order = rng.permutation(len(specs))
    spec_p = _zipf_weights(len(specs), 1.1)
    skills_by_spec: dict[str, list[str]] = {s: [] for s in specs}
    for code, sk in taxonomy.skills.items():
        for s in sk.specialties:
            skills_by_spec.setdefault(s, []).append(code)
    all_skills = sorted(taxonomy.skills)
    c_p = np.array([c[2] for c in COUNTRIES])
    c_p /= c_p.sum()
    countries = rng.choice(len(COUNTRIES), size=n, p=c_p)
    spec_draw = rng.choice(len(specs), size=(n, 2), p=spec_p)
    out: list[DoctorInput] = []
    for i in range(n):
        country, tz, _, extra = COUNTRIES[countries[i]]
        main = specs[order[spec_draw[i, 0]]]
        level = LEVELS[int(rng.choice(3, p=[0.25, 0.45, 0.30]))]
        specialties = [(main, level)]
        if rng.random() < 0.15:
            second = specs[order[spec_draw[i, 1]]]
            if second != main:
                specialties.append((second, LEVELS[int(rng.integers(0, 2))]))
        pool = skills_by_spec.get(main) or all_skills
        k = int(rng.integers(1, 6))
        skills = tuple(sorted({pool[int(j)] for j in rng.integers(0, len(pool), size=k)}))
        if rng.random() < 0.2:
            skills += (all_skills[int(rng.integers(0, len(all_skills)))],)
        free = ""
        if rng.random() < 0.3:
            sk = taxonomy.skills[pool[int(rng.integers(0, len(pool)))]]
            free = sk.ar if rng.random() < 0.4 else sk.en
        langs = {"ar"}
        if rng.random() < 0.85:
            langs.add("en")
        if extra and rng.random() < 0.7:
            langs.add(extra)
        if rng.random() < 0.03:
            langs.discard("ar")
            langs.add("en")
        travels = rng.random() < 0.15
        mentors = rng.random() < 0.7
        trains = rng.random() < 0.35
        modes = {m for m, on in (("mission", travels), ("mentorship", mentors)) if on}
        if trains or not modes:
            modes.add("training")
        windows: tuple[DateRange, ...] = ()
        if travels:
            wins = []
            for _ in range(int(rng.integers(1, 4))):
                s = today + timedelta(days=int(rng.integers(0, 300)))
                wins.append(DateRange(s, s + timedelta(days=int(rng.integers(7, 45)))))
            windows = tuple(wins)
        slots: tuple[WeeklyWindow, ...] = ()
        if mentors or trains:
            slots = tuple(_slot(rng, rng.random() < 0.6) for _ in range(int(rng.integers(1, 4))))
        committed: tuple[DateRange, ...] = ()
        if travels and rng.random() < 0.2:
            s = today + timedelta(days=int(rng.integers(0, 200)))
            committed = (DateRange(s, s + timedelta(days=10)),)
        lic = None
        if rng.random() < 0.6:
            lic = today + timedelta(days=int(rng.integers(-90, 900)))
        max_m = int(rng.integers(1, 4)) if mentors else 0
        out.append(
            DoctorInput(
                id=i + 1,
                modes=frozenset(modes),
                languages=frozenset(langs),
                specialties=tuple(specialties),
                skills=skills,
                free_text_skills=free,
                years_experience=int(rng.integers(1, 35)),
                country=country,
                timezone=tz,
                travel_windows=windows,
                weekly_slots=slots,
                max_mentees=max_m,
                current_mentees=int(rng.integers(0, max_m + 1)) if max_m else 0,
                hours_per_month=int(rng.integers(4, 17)),
                committed_missions=committed,
                licence_verified_until=lic,
            )
        )
    return _with_levels_and_permits(out, seed)


#: Share of doctors with a verified licence who also hold a permission valid in Syria.
SYRIA_PERMIT_SHARE = 0.6


def _with_levels_and_permits(doctors: list[DoctorInput], seed: int) -> list[DoctorInput]:
    """Language levels and Syrian permissions, drawn from their own stream (the draws
    above, and so every population built before them, stay the same)."""
    rng = np.random.default_rng(seed + 7_919)
    out = []
    for x in doctors:
        levels = tuple(
            (
                code,
                "native"
                if code == "ar" and rng.random() < 0.8
                else str(
                    rng.choice(["basic", "working", "fluent", "native"], p=[0.15, 0.25, 0.4, 0.2])
                ),
            )
            for code in sorted(x.languages)
        )
        permit = None
        if x.licence_verified_until is not None and rng.random() < SYRIA_PERMIT_SHARE:
            permit = x.licence_verified_until
        out.append(replace(x, language_levels=levels, syria_permission_until=permit))
    return out


LOCAL_SLOT_PATTERNS: tuple[tuple[WeeklyWindow, ...], ...] = tuple(
    tuple(WeeklyWindow(d, time(h0), time(h1)) for d in days)
    for days, h0, h1 in (
        ((6, 0, 1, 2, 3), 14, 17),  # Sunday-Thursday afternoons, Syrian working week
        ((6, 1, 3), 18, 21),
        ((5,), 10, 16),  # Saturday
        ((0, 2), 19, 22),
        ((1, 2, 3), 15, 19),
        ((6, 3), 20, 23),
    )
)


def make_needs(n: int, taxonomy: Any, today: date, seed: int = 1) -> list[NeedInput]:
    """``n`` synthetic open needs (ids 1..n) in Homs governorate."""
    rng = np.random.default_rng(seed)
    specs = taxonomy.specialty_codes
    order = np.random.default_rng(0).permutation(len(specs))  # same ranking as doctors
    common = _zipf_weights(len(specs), 0.6)
    rare = _zipf_weights(len(specs), 0.6)[::-1].copy()
    skills_by_spec: dict[str, list[str]] = {}
    for code, sk in taxonomy.skills.items():
        for s in sk.specialties:
            skills_by_spec.setdefault(s, []).append(code)
    all_skills = sorted(taxonomy.skills)
    out: list[NeedInput] = []
    for i in range(n):
        rural = rng.random() < 0.45
        spec = specs[order[int(rng.choice(len(specs), p=rare if rural else common))]]
        kind = str(rng.choice(["mission", "mentorship", "training"], p=[0.3, 0.45, 0.25]))
        pool = skills_by_spec.get(spec) or all_skills
        wanted = tuple(
            sorted({pool[int(j)] for j in rng.integers(0, len(pool), size=rng.integers(1, 4))})
        )
        desc = ""
        if rng.random() < 0.5:
            sk = taxonomy.skills[pool[int(rng.integers(0, len(pool)))]]
            desc = f"نحتاج {sk.ar}" if rng.random() < 0.6 else f"We need {sk.en}"
        langs = frozenset({"ar"}) if rural and rng.random() < 0.5 else frozenset({"ar", "en"})
        start = today + timedelta(days=int(rng.integers(14, 240)))
        period: DateRange | None
        remote = False
        weekly = 0.0
        local: tuple[WeeklyWindow, ...] = ()
        min_cov = 1.0
        if kind == "mission":
            period = DateRange(start, start + timedelta(days=int(rng.integers(5, 21))))
            min_cov = 1.0 if rural else float(rng.choice([1.0, 0.8, 0.6]))
        elif kind == "mentorship":
            period = DateRange(start, start + timedelta(weeks=int(rng.integers(8, 27))))
            weekly = float(rng.choice([1.0, 1.5, 2.0, 3.0]))
            local = LOCAL_SLOT_PATTERNS[int(rng.integers(0, len(LOCAL_SLOT_PATTERNS)))]
        else:
            remote = rng.random() < 0.6
            period = DateRange(start, start + timedelta(days=int(rng.integers(1, 5))))
        out.append(
            NeedInput(
                id=i + 1,
                facility_id=int(rng.integers(1, 400)),
                kind=kind,
                specialty=spec,
                skills=wanted,
                description=desc,
                required_languages=langs,
                requires_licence=kind != "mentorship" and rng.random() < 0.4,
                urgency=str(rng.choice(["routine", "urgent", "critical"], p=[0.6, 0.3, 0.1])),
                rural=rural,
                facility_state=str(
                    rng.choice(["full", "partial", "none"], p=[0.3, 0.5, 0.2] if rural else None)
                ),
                places_left=int(rng.choice([1, 1, 1, 2, 3])),
                period=period,
                min_coverage=min_cov,
                weekly_hours=weekly,
                local_slots=local,
                remote=remote,
            )
        )
    return _with_minimum_levels(out, seed)


def _with_minimum_levels(needs: list[NeedInput], seed: int) -> list[NeedInput]:
    """A minimum level on some needs' languages, from its own stream (see above)."""
    rng = np.random.default_rng(seed + 7_919)
    out = []
    for x in needs:
        levels: tuple[tuple[str, str], ...] = ()
        if x.required_languages and rng.random() < 0.3:
            code = sorted(x.required_languages)[int(rng.integers(0, len(x.required_languages)))]
            levels = ((code, str(rng.choice(["working", "fluent", "native"]))),)
        out.append(replace(x, language_levels=levels))
    return out


def make_tight_needs(
    n: int, taxonomy: Any, today: date, seed: int = 1, doctor_seed: int = 0
) -> list[NeedInput]:
    """``n`` needs competing for the same doctors: a tight population.

    The needs of :func:`make_needs` (kinds, dates, languages, urgency, rural share,
    facility state), but each asks for a specialty drawn with the popularity the
    doctors of :func:`make_doctors` ``(seed=doctor_seed)`` have (the same Zipf
    skew, the same order), and for 1-4 places. Many needs then share the same
    best doctors and together ask for more places than those doctors can take:
    keeping only a few candidates per need loses places that a wider graph fills.
    """
    specs = taxonomy.specialty_codes
    order = np.random.default_rng(doctor_seed).permutation(len(specs))  # the doctors' order
    rng = np.random.default_rng(seed + 1_000)
    draw = rng.choice(len(specs), size=n, p=_zipf_weights(len(specs), 1.1))
    skills_by_spec: dict[str, list[str]] = {}
    for code, sk in taxonomy.skills.items():
        for s in sk.specialties:
            skills_by_spec.setdefault(s, []).append(code)
    all_skills = sorted(taxonomy.skills)
    out: list[NeedInput] = []
    for need, j in zip(make_needs(n, taxonomy, today, seed), draw, strict=True):
        spec = specs[order[int(j)]]
        pool = skills_by_spec.get(spec) or all_skills
        size = int(rng.integers(1, 4))
        wanted = tuple(sorted({pool[int(i)] for i in rng.integers(0, len(pool), size=size)}))
        places = int(rng.integers(1, 5))
        out.append(replace(need, specialty=spec, skills=wanted, description="", places_left=places))
    return out


#: Share of the needs of the assignment populations turned into team missions.
TEAM_SHARE = 0.05
#: Team templates: a theatre's roles (specialty and count each).
TEAM_TEMPLATES: tuple[tuple[TeamRole, ...], ...] = (
    (TeamRole("orthopaedics_trauma"), TeamRole("anaesthesia"), TeamRole("nursing_education")),
    (TeamRole("general_surgery"), TeamRole("anaesthesia"), TeamRole("nursing_education", 2)),
    (TeamRole("obstetrics_gynaecology"), TeamRole("anaesthesia"), TeamRole("midwifery")),
    (TeamRole("pediatric_surgery"), TeamRole("anaesthesia"), TeamRole("pediatrics")),
)


def with_team_missions(
    needs: list[NeedInput], share: float = TEAM_SHARE, seed: int = 3
) -> list[NeedInput]:
    """``needs`` with ``share`` of them (drawn among the missions) turned into team
    missions of :data:`TEAM_TEMPLATES` (roles filled all together or not at all)."""
    if share <= 0:
        return needs
    rng = np.random.default_rng(seed)
    missions = [i for i, x in enumerate(needs) if x.kind == "mission"]
    pick = rng.choice(missions, size=min(len(missions), round(share * len(needs))), replace=False)
    out = list(needs)
    for j, i in enumerate(sorted(int(p) for p in pick)):
        roles = TEAM_TEMPLATES[j % len(TEAM_TEMPLATES)]
        out[i] = replace(
            needs[i],
            specialty=roles[0].specialty,
            roles=roles,
            places_left=sum(r.count for r in roles),
            acceptable_specialties=None,
        )
    return out


def tight_population(
    n_doctors: int,
    n_needs: int,
    taxonomy: Any,
    today: date,
    seed: int = 0,
    team_share: float = 0.0,
) -> tuple[list[DoctorInput], list[NeedInput]]:
    """Doctors of :func:`make_doctors` and needs of :func:`make_tight_needs`
    (at 5 doctors a need the all-pairs optimum fills about three places in four),
    ``team_share`` of them team missions."""
    doctors = make_doctors(n_doctors, taxonomy, today, seed=11 + seed)
    needs = make_tight_needs(n_needs, taxonomy, today, seed=12 + seed, doctor_seed=11 + seed)
    return doctors, with_team_missions(needs, team_share)


#: Doctors a need in :func:`short_supply_population`: with :func:`make_doctors` and
#: :func:`make_needs`, the all-pairs optimum then fills about 60 % of the places.
SHORT_SUPPLY_DOCTORS_PER_NEED = 3


def short_supply_population(
    n_needs: int, taxonomy: Any, today: date, seed: int = 0, team_share: float = 0.0
) -> tuple[list[DoctorInput], list[NeedInput]]:
    """The realistic doctors and needs (rural needs harder to fill), with supply
    covering about 60 % of the places: the population that can show equity;
    ``team_share`` of the needs team missions."""
    doctors = make_doctors(SHORT_SUPPLY_DOCTORS_PER_NEED * n_needs, taxonomy, today, seed=11 + seed)
    needs = make_needs(n_needs, taxonomy, today, seed=12 + seed)
    return doctors, with_team_missions(needs, team_share)
