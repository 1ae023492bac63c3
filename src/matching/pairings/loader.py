"""Tables -> the ranking engine's plain inputs (:class:`DoctorInput`, :class:`NeedInput`).

Each child table is read once with one query and grouped in Python, so a run
costs a fixed number of queries whatever the number of doctors and needs.
Rows the engine cannot use (a slot off the 15-minute grid, a travel window
ending before it starts) are skipped rather than failing the whole run.

A doctor's held pairings (approved, accepted, confirmed: :data:`HOLDING_STATES`)
take their capacity before the assignment: a held mentorship takes a mentee
place, and the dates of a held mission or in-person workshop block any other
travel that overlaps them (``committed_missions``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from piccolo.query.methods.select import Max

from matching.availability import DateRange, WeeklyWindow
from matching.db import json_object
from matching.districts.services import closed_districts
from matching.doctors.tables import (
    SYRIA_SCOPES,
    DoctorLanguage,
    DoctorProfile,
    DoctorSkill,
    DoctorSpecialty,
    Licence,
    LicenceState,
    TravelWindow,
    WeeklySlot,
)
from matching.facilities import language_levels
from matching.facilities.tables import LocalSlot, Need, NeedKind, NeedRole, NeedSkill, NeedStatus
from matching.pairings.tables import Proposal, ProposalState, RankingRun, RunKind, RunStatus
from matching.ranking import DoctorInput, NeedInput, PastWork
from matching.ranking.data import TeamRole
from matching.ranking.weights import FAIRNESS_MAX_RUNS

#: Needs a run considers.
OPEN_STATUSES = (NeedStatus.OPEN, NeedStatus.PARTLY_FILLED)
#: Proposals that hold one of a need's places.
HOLDING_STATES = (ProposalState.APPROVED, ProposalState.ACCEPTED, ProposalState.CONFIRMED)
#: Proposals a person has decided; a run never proposes the same pair again.
DECIDED_STATES = (
    ProposalState.APPROVED,
    ProposalState.REJECTED,
    ProposalState.ACCEPTED,
    ProposalState.DECLINED,
    ProposalState.CONFIRMED,
    ProposalState.WITHDRAWN,
    ProposalState.COMPLETED,
)


@dataclass(slots=True)
class LoadedInputs:
    """What a run ranks, plus the pairs it must not propose again."""

    doctors: list[DoctorInput]
    needs: list[NeedInput]
    decided_pairs: set[tuple[int, int]]


def _slot(weekday: int, start: Any, end: Any) -> WeeklyWindow | None:
    try:
        return WeeklyWindow(int(weekday), start, end)
    except (ValueError, TypeError):
        return None


def _range(start: date | None, end: date | None) -> DateRange | None:
    if start is None or end is None or end < start:
        return None
    return DateRange(start, end)


def _grouped(rows: Iterable[dict[str, Any]], key: str) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        out[int(row[key])].append(row)
    return out


@dataclass(slots=True)
class Holds:
    """What doctors' held pairings (:data:`HOLDING_STATES`) take of their capacity.

    ``mentees``: doctor id -> mentees held; ``missions``: doctor id -> the dates of
    held missions and in-person workshops (they block overlapping travel).
    """

    mentees: dict[int, int]
    missions: dict[int, list[DateRange]]


async def load_holds() -> Holds:
    """Every doctor's held pairings, in one query."""
    commitments = await Proposal.select(
        Proposal.doctor,
        Proposal.need.kind,
        Proposal.need.remote,
        Proposal.need.starts_on,
        Proposal.need.ends_on,
    ).where(Proposal.state.is_in(list(HOLDING_STATES)) & Proposal.doctor.is_not_null())
    mentees: dict[int, int] = defaultdict(int)
    missions: dict[int, list[DateRange]] = defaultdict(list)
    for row in commitments:
        doctor = int(row["doctor"])
        kind = row["need.kind"]
        if kind == NeedKind.MENTORSHIP:
            mentees[doctor] += 1
        elif kind == NeedKind.MISSION or (kind == NeedKind.TRAINING and not row["need.remote"]):
            span = _range(row["need.starts_on"], row["need.ends_on"])
            if span is not None:
                missions[doctor].append(span)
    return Holds(dict(mentees), dict(missions))


NO_HOLDS = Holds({}, {})


async def load_doctor_profiles(
    today: date | None = None,
    doctor_ids: Iterable[int] | None = None,
    holds: Holds = NO_HOLDS,
) -> list[DoctorInput]:
    """Doctor profiles (all, or those of ``doctor_ids``) as :class:`DoctorInput`, by id.

    Their held pairings come from ``holds`` (none by default: the worker's cache
    keeps doctors without them and applies :func:`load_holds` per job).
    """
    today = today or date.today()
    ids = None if doctor_ids is None else sorted({int(i) for i in doctor_ids})
    if ids is not None and not ids:
        return []

    def of(table: type[Any], column: Any) -> Any:
        # Ordered by row id: a doctor's rows come in the same order whether all
        # doctors are loaded or a few (the worker's cache compares both).
        query = table.select().order_by(table.id)
        return query if ids is None else query.where(column.is_in(ids))

    profiles = await of(DoctorProfile, DoctorProfile.id).run()
    languages = _grouped(await of(DoctorLanguage, DoctorLanguage.doctor).run(), "doctor")
    specialties = _grouped(await of(DoctorSpecialty, DoctorSpecialty.doctor).run(), "doctor")
    skills = _grouped(await of(DoctorSkill, DoctorSkill.doctor).run(), "doctor")
    windows = _grouped(await of(TravelWindow, TravelWindow.doctor).run(), "doctor")
    slots = _grouped(await of(WeeklySlot, WeeklySlot.doctor).run(), "doctor")
    licences = _grouped(
        await of(Licence, Licence.doctor)
        .where((Licence.state == LicenceState.VERIFIED) & (Licence.expires_on >= today))
        .run(),
        "doctor",
    )
    mentees, missions = holds.mentees, holds.missions

    doctors = []
    for p in profiles:
        pid = int(p["id"])
        modes = frozenset(
            m
            for m, offered in (
                ("mission", p["offers_mission"]),
                ("mentorship", p["offers_mentorship"]),
                ("training", p["offers_training"]),
            )
            if offered
        )
        expiries = [row["expires_on"] for row in licences.get(pid, [])]
        permits = [r["expires_on"] for r in licences.get(pid, []) if r["scope"] in SYRIA_SCOPES]
        doctors.append(
            DoctorInput(
                id=pid,
                modes=modes,
                languages=frozenset(r["code"] for r in languages.get(pid, [])),
                specialties=tuple((r["code"], r["level"]) for r in specialties.get(pid, [])),
                skills=tuple(r["code"] for r in skills.get(pid, [])),
                free_text_skills=p["free_text_skills"] or "",
                years_experience=int(p["years_experience"] or 0),
                country=p["country"] or "",
                timezone=p["timezone"] or "UTC",
                travel_windows=tuple(
                    w
                    for r in windows.get(pid, [])
                    if (w := _range(r["starts_on"], r["ends_on"])) is not None
                ),
                weekly_slots=tuple(
                    s
                    for r in slots.get(pid, [])
                    if (s := _slot(r["weekday"], r["starts_at"], r["ends_at"])) is not None
                ),
                max_mentees=int(p["max_mentees"] or 0),
                current_mentees=mentees.get(pid, 0),
                hours_per_month=int(p["hours_per_month"] or 0),
                committed_missions=tuple(missions.get(pid, ())),
                licence_verified_until=max(expiries) if expiries else None,
                language_levels=tuple(
                    (r["code"], r["level"] or "fluent") for r in languages.get(pid, [])
                ),
                syria_permission_until=max(permits) if permits else None,
            )
        )
    return doctors


async def load_doctors(today: date | None = None) -> list[DoctorInput]:
    """Every doctor profile as a :class:`DoctorInput` with its held pairings, ordered by id."""
    return await load_doctor_profiles(today, holds=await load_holds())


#: Runs that rank every open need (fairness over time counts these).
FULL_RUN_KINDS = (RunKind.FULL, RunKind.SCHEDULED)


#: A facility's 1-5 rating of a doctor's pairing -> the continuity quality factor
#: (:func:`matching.ranking.weights.continuity`): 3 keeps the default, 5 earns full
#: marks, 1 removes the signal.
RATING_QUALITY = {1: 0.0, 2: 0.5, 3: 1.0, 4: 1.5, 5: 2.0}
#: Pairings that count as earlier work (a later ``completed`` state included).
WORKED_STATES = [ProposalState.CONFIRMED.value, "completed"]


async def facility_ratings(pairing_ids: Iterable[int]) -> dict[int, int]:
    """The facility side's rating of each pairing that has one.

    Table ``pairing_feedback`` is written by ``matching.feedback``, a layer above this
    one (it builds on pairings): read here by name, never written.
    """
    ids = sorted({int(i) for i in pairing_ids})
    out: dict[int, int] = {}
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        marks = ", ".join("{}" for _ in chunk)
        rows = await Proposal.raw(
            f'SELECT "pairing", "rating" FROM "pairing_feedback" '
            f'WHERE "side" = {{}} AND "pairing" IN ({marks})',
            "facility",
            *chunk,
        ).run()
        out.update({int(r["pairing"]): int(r["rating"]) for r in rows})
    return out


async def load_past_work(facility_ids: Iterable[int]) -> dict[int, dict[int, PastWork]]:
    """Per facility, its earlier mentors and mission doctors (one query): doctor id ->
    :class:`PastWork` of the latest pairing of theirs that reached confirmed for one of
    its needs (a cancelled one does not count), its quality from the facility's rating
    of that pairing (:data:`RATING_QUALITY`; 1 without feedback)."""
    ids = sorted({int(i) for i in facility_ids})
    if not ids:
        return {}
    rows = await Proposal.select(
        Proposal.id,
        Proposal.doctor,
        Proposal.need.facility,
        Proposal.need.kind,
        Proposal.need.starts_on,
        Proposal.responded_at,
        Proposal.created_at,
    ).where(
        Proposal.state.is_in(WORKED_STATES)
        & Proposal.doctor.is_not_null()
        & Proposal.need.facility.is_in(ids)
    )
    latest: dict[tuple[int, int], tuple[int, PastWork]] = {}
    for r in rows:
        when = r["need.starts_on"] or r["responded_at"] or r["created_at"]
        work = PastWork(int(r["doctor"]), str(r["need.kind"]), int(when.year))
        key = (int(r["need.facility"]), work.doctor_id)
        known = latest.get(key)
        if known is None or known[1].year < work.year:
            latest[key] = (int(r["id"]), work)
    ratings = await facility_ratings(pairing for pairing, _ in latest.values())
    out: dict[int, dict[int, PastWork]] = defaultdict(dict)
    for (facility, doctor), (pairing, work) in latest.items():
        if pairing in ratings:
            work = PastWork(work.doctor_id, work.kind, work.year, RATING_QUALITY[ratings[pairing]])
        out[facility][doctor] = work
    return dict(out)


def _instant(value: Any) -> datetime:
    """A timestamp as an aware datetime (SQLite hands an aggregate back as text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


async def load_waited_runs(oldest_open: dict[int, Any]) -> dict[int, int]:
    """Per facility, the full runs in a row, newest first, that gave it no proposal.

    Args:
        oldest_open: facility id -> when its oldest open need was posted; a run that
            started before that had nothing of the facility's to propose for.

    Two queries: the newest :data:`FAIRNESS_MAX_RUNS` succeeded full runs, and each
    facility's latest proposal (any run, any state: one made by a one-need run, or
    held, serves it too). A run counts when it started after both.
    """
    if not oldest_open:
        return {}
    runs = (
        await RankingRun.select(RankingRun.started_at, RankingRun.created_at)
        .where(
            RankingRun.kind.is_in(list(FULL_RUN_KINDS)) & (RankingRun.status == RunStatus.SUCCEEDED)
        )
        .order_by(RankingRun.id, ascending=False)
        .limit(FAIRNESS_MAX_RUNS)
        .run()
    )
    if not runs:
        return {}
    starts = [_instant(r["started_at"] or r["created_at"]) for r in runs]
    latest = {
        int(r["need.facility"]): _instant(r["latest"])
        for r in await Proposal.select(
            Proposal.need.facility, Max(Proposal.created_at).as_alias("latest")
        )
        .where(Proposal.need.facility.is_in(sorted(oldest_open)))
        .group_by(Proposal.need.facility)
        .run()
    }
    out = {}
    for facility, posted in oldest_open.items():
        served = latest.get(facility)
        since = _instant(posted) if served is None else max(_instant(posted), served)
        out[facility] = sum(1 for s in starts if s > since)
    return out


def _need_period(row: dict[str, Any]) -> DateRange | None:
    start, end = row["starts_on"], row["ends_on"]
    if start is not None and end is None and row["months"]:
        end = start + timedelta(days=30 * int(row["months"]) - 1)
    return _range(start, end)


async def load_needs(need_ids: Iterable[int] | None = None) -> list[NeedInput]:
    """Open and partly filled needs with places left, ordered by id.

    ``places_left`` = places minus proposals holding a place (approved, accepted,
    confirmed); a need with none left is not returned.
    """
    query = Need.select(
        *Need.all_columns(),
        Need.facility.rural,
        Need.facility.functional_state,
        Need.facility.district,
    ).where(Need.status.is_in(list(OPEN_STATUSES)))
    ids = None if need_ids is None else [int(i) for i in need_ids]
    if ids is not None:
        if not ids:
            return []
        query = query.where(Need.id.is_in(ids))
    rows = await query.order_by(Need.id).run()
    if not rows:
        return []
    row_ids = [int(r["id"]) for r in rows]
    skills = _grouped(await NeedSkill.select().where(NeedSkill.need.is_in(row_ids)).run(), "need")
    slots = _grouped(await LocalSlot.select().where(LocalSlot.need.is_in(row_ids)).run(), "need")
    roles = _grouped(
        await NeedRole.select().where(NeedRole.need.is_in(row_ids)).order_by(NeedRole.id).run(),
        "need",
    )
    held: dict[int, int] = defaultdict(int)
    # A completed mission's place stays taken (the need reopens only for what remains).
    for r in await Proposal.select(Proposal.need).where(
        Proposal.state.is_in([*HOLDING_STATES, ProposalState.COMPLETED])
        & Proposal.need.is_in(row_ids)
    ):
        held[int(r["need"])] += 1
    oldest_open: dict[int, Any] = {}
    for r in rows:
        f = int(r["facility"])
        if f not in oldest_open or r["created_at"] < oldest_open[f]:
            oldest_open[f] = r["created_at"]
    past_work = await load_past_work(oldest_open)
    waited = await load_waited_runs(oldest_open)
    held_roles = await _held_roles([nid for nid in roles if held.get(nid)])
    closed = await closed_districts()

    needs = []
    for r in rows:
        nid = int(r["id"])
        left = int(r["places"] or 0) - held.get(nid, 0)
        if left <= 0:
            continue
        langs = frozenset(c.strip() for c in (r["languages"] or "").split(",") if c.strip())
        needs.append(
            NeedInput(
                id=nid,
                facility_id=int(r["facility"]),
                kind=r["kind"],
                specialty=r["specialty"],
                skills=tuple(s["code"] for s in skills.get(nid, [])),
                description=r["description"] or "",
                required_languages=langs,
                requires_licence=bool(r["requires_licence"]),
                urgency=r["urgency"],
                rural=bool(r["facility.rural"]),
                facility_state=r["facility.functional_state"] or "partial",
                places_left=left,
                period=_need_period(r),
                min_coverage=float(r["min_coverage"] if r["min_coverage"] is not None else 1.0),
                weekly_hours=float(r["weekly_hours"] or 0.0),
                local_slots=tuple(
                    s
                    for x in slots.get(nid, [])
                    if (s := _slot(x["weekday"], x["starts_at"], x["ends_at"])) is not None
                ),
                local_timezone=r["local_timezone"] or "Asia/Damascus",
                remote=bool(r["remote"]),
                acceptable_specialties=acceptable_specialties(r),
                any_specialty=bool(r["any_specialty"]),
                past_work=tuple(past_work.get(int(r["facility"]), {}).values()),
                waited_runs=waited.get(int(r["facility"]), 0),
                roles=_roles_left(roles.get(nid, []), held_roles.get(nid, {})),
                language_levels=need_language_levels(r.get("language_levels") or "", langs),
                district_closed=r["facility.district"] in closed,
            )
        )
    return needs


async def _held_roles(need_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per team need, the places its held pairings take in each role (the role is in
    the proposal's explanation); one query, only for team needs holding pairings."""
    if not need_ids:
        return {}
    out: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in await Proposal.select(Proposal.need, Proposal.explanation).where(
        Proposal.state.is_in(list(HOLDING_STATES)) & Proposal.need.is_in(need_ids)
    ):
        out[int(r["need"])][str(json_object(r["explanation"]).get("role") or "")] += 1
    return out


def _roles_left(rows: list[dict[str, Any]], held: dict[str, int]) -> tuple[TeamRole, ...]:
    """A team's roles still to fill: each role's count less the pairings holding it.

    The remaining roles are filled together or not at all; a held pairing without a
    known role (the roles were changed since) leaves fewer places than the roles ask
    for, so the engine does not rank that team again (:mod:`matching.ranking.teams`).
    """
    out = []
    for x in rows:
        left = int(x["count"]) - held.get(x["specialty"], 0)
        if left > 0:
            out.append(TeamRole(x["specialty"], left))
    return tuple(out)


def need_language_levels(stored: str, languages: frozenset[str]) -> tuple[tuple[str, str], ...]:
    """A need row's stored ``code:level`` minimums, for its languages only, sorted."""
    minimums = language_levels.parse(stored)
    return tuple(sorted((c, level) for c, level in minimums.items() if c in languages))


def acceptable_specialties(row: dict[str, Any]) -> tuple[str, ...] | None:
    """A need row's chosen acceptable specialties; ``None``: the taxonomy's usual list."""
    chosen = tuple(c.strip() for c in (row.get("acceptable_specialties") or "").split(","))
    chosen = tuple(c for c in chosen if c)
    return chosen or None


async def load_decided_pairs(need_ids: Iterable[int] | None = None) -> set[tuple[int, int]]:
    """(need id, doctor id) pairs a person has already decided on."""
    query = Proposal.select(Proposal.need, Proposal.doctor).where(
        Proposal.state.is_in(list(DECIDED_STATES)) & Proposal.doctor.is_not_null()
    )
    if need_ids is not None:
        query = query.where(Proposal.need.is_in([int(i) for i in need_ids] or [-1]))
    return {(int(r["need"]), int(r["doctor"])) for r in await query.run()}


async def load_inputs(
    need_ids: Iterable[int] | None = None, today: date | None = None
) -> LoadedInputs:
    """Doctors, the open needs (all, or those of ``need_ids``) and the decided pairs."""
    needs = await load_needs(need_ids)
    doctors = await load_doctors(today)
    decided = await load_decided_pairs([n.id for n in needs])
    return LoadedInputs(doctors=doctors, needs=needs, decided_pairs=decided)


__all__ = [
    "DECIDED_STATES",
    "FULL_RUN_KINDS",
    "HOLDING_STATES",
    "NO_HOLDS",
    "OPEN_STATUSES",
    "Holds",
    "LoadedInputs",
    "acceptable_specialties",
    "load_decided_pairs",
    "load_doctor_profiles",
    "load_doctors",
    "load_holds",
    "load_inputs",
    "load_needs",
    "load_past_work",
    "load_waited_runs",
    "need_language_levels",
]
