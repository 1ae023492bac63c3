"""The rules of a need: what a valid one is, when it may be published, when to rank it.

Pure functions over the typed command (:class:`~matching.facilities.schemas.NeedDraft`);
no database. Every refusal names its field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from matching.availability import WeeklyWindow
from matching.errors import Conflict, ValidationFailed
from matching.facilities import language_levels
from matching.facilities.reading import SLOT_PROBLEM
from matching.facilities.schemas import NeedDraft
from matching.facilities.tables import NeedKind, NeedStatus, Urgency
from matching.i18n import N_, Message
from matching.taxonomy import load_taxonomy

MAX_SLOTS = 6
#: How a need's specialty floor is set: the taxonomy's usual list, the ticked ones, or any.
SPECIALTY_SCOPES = ("usual", "chosen", "any")
#: A need in one of these is offered to doctors by the ranking.
RANKED_STATUSES = (NeedStatus.OPEN, NeedStatus.PARTLY_FILLED)


def ranking_due(status: str) -> bool:
    """Whether a save that leaves the need in ``status`` asks for a ranking.

    The one rule for every door: publishing, reopening, and editing a need that is
    open (or partly filled) each leave it open for proposals, so it is ranked again;
    a draft, a filled, closed or cancelled need is not.
    """
    return status in RANKED_STATUSES


@dataclass(slots=True)
class NeedFields:
    """A validated need, ready to store (``row``) with its skills and local slots."""

    row: dict[str, Any]
    skills: list[str] = field(default_factory=list)
    slots: list[WeeklyWindow] = field(default_factory=list)
    roles: list[tuple[str, int]] = field(default_factory=list)


def today_utc() -> date:
    """Today's date in UTC: on or before the date in Homs, so never stricter than a head's."""
    return datetime.now(UTC).date()


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v.strip() for v in values if v.strip()))


def specialty_floor(draft: NeedDraft, specialty: str, errors: dict[str, str]) -> tuple[str, bool]:
    """The specialty floor fields: (``acceptable_specialties`` to store, ``any_specialty``).

    ``specialty_scope`` is ``usual`` (stored as ""), ``chosen`` (the ticked
    ``acceptable_specialties``, the need's own always among them) or ``any``. Without a
    scope (JSON, CSV): ``any`` when ``any_specialty`` is true, ``chosen`` when a list is
    given, else ``usual``.
    """
    taxonomy = load_taxonomy()
    chosen = _unique(draft.acceptable_specialties)
    unknown = [code for code in chosen if code not in taxonomy.specialties]
    if unknown:
        errors["acceptable_specialties"] = N_("unknown specialty: %(code)s") % {"code": unknown[0]}
    scope = draft.specialty_scope.strip()
    if not scope:
        scope = "any" if draft.any_specialty else ("chosen" if chosen else "usual")
    if scope not in SPECIALTY_SCOPES:
        errors["specialty_scope"] = N_(
            "choose the usual specialties, the ones ticked, or any specialty"
        )
    if scope != "chosen" or unknown or not specialty:
        return "", scope == "any"
    return ",".join(dict.fromkeys([specialty, *chosen])), False


def _past_dates(
    errors: dict[str, str],
    dates: Mapping[str, date | None],
    today: date,
    kept: Mapping[str, Any] | None,
) -> None:
    """Refuse a date before ``today``, unless it is the date the need already had
    (``kept``, the stored row of an edited need: its dates stay valid as they were)."""
    for key, value in dates.items():
        if value is None or key in errors or value >= today:
            continue
        if kept is not None and kept.get(key) == value:
            continue
        errors[key] = Message(
            "must be today (%(today)s) or later: a need dated in the past cannot be filled",
            today=today.isoformat(),
        )


def _weekly_slots(draft: NeedDraft, errors: dict[str, str]) -> list[WeeklyWindow]:
    slots: list[WeeklyWindow] = []
    for given in draft.slots:
        try:
            weekly = WeeklyWindow(given.weekday, given.start, given.end)
        except (TypeError, ValueError):
            errors[given.field] = SLOT_PROBLEM
            continue
        if weekly.crosses_midnight and weekly.end == weekly.start:
            errors[given.field] = N_("the end time must differ from the start time")
            continue
        slots.append(weekly)
    return slots


def validate_need(
    draft: NeedDraft,
    *,
    today: date | None = None,
    kept: Mapping[str, Any] | None = None,
) -> NeedFields:
    """Validate a need; impossible states raise ``ValidationFailed`` naming each field.

    The fields the channel could not read (``draft.unreadable``) are named too. With
    ``today``, dates before it are refused (a new need dated in the past could never be
    filled); ``kept`` is the stored row of an edited need, whose own dates stay valid
    as they were.
    """
    taxonomy = load_taxonomy()
    errors: dict[str, str] = dict(draft.unreadable)
    kind = draft.kind.strip()
    if kind not in {k.value for k in NeedKind}:
        errors["kind"] = N_("choose a mission, a mentorship or a training workshop")
    title = draft.title.strip()
    if not title:
        errors["title"] = N_("is required")
    elif len(title) > 200:
        errors["title"] = N_("must be at most 200 characters")
    specialty = draft.specialty.strip()
    if specialty not in taxonomy.specialties:
        errors["specialty"] = N_("choose a specialty from the list")
    acceptable, any_specialty = specialty_floor(draft, specialty, errors)
    skills = _unique(draft.skills)
    unknown = [code for code in skills if code not in taxonomy.skills]
    if unknown:
        errors["skills"] = Message("unknown skill: %(code)s", code=unknown[0])
    languages = _unique(draft.languages) or ["ar"]
    bad_language = [code for code in languages if code not in taxonomy.languages]
    if bad_language:
        errors["languages"] = Message("unknown language: %(code)s", code=bad_language[0])
    levels = language_levels.check(draft.language_levels, languages, errors)
    urgency = draft.urgency.strip() or Urgency.ROUTINE.value
    if urgency not in {u.value for u in Urgency}:
        errors["urgency"] = N_("choose routine, urgent or critical")
    description = draft.description.strip()
    if len(description) > 5000:
        errors["description"] = N_("must be at most 5000 characters")
    places = draft.places
    if "places" not in errors and not 1 <= places <= 50:
        errors["places"] = N_("must be between 1 and 50")
    starts_on, ends_on, duration = draft.starts_on, draft.ends_on, draft.duration_days
    row: dict[str, Any] = {
        "kind": kind,
        "title": title,
        "specialty": specialty,
        "description": description,
        "languages": ",".join(languages),
        "requires_licence": draft.requires_licence,
        "urgency": urgency,
        "places": places,
        "mentee_name": "",
        "weekly_hours": 0.0,
        "months": 0,
        "topic": "",
        "audience_size": 0,
        "remote": False,
        "local_timezone": "Asia/Damascus",
        "acceptable_specialties": acceptable,
        "any_specialty": any_specialty,
        "language_levels": levels,
    }
    slots: list[WeeklyWindow] = []
    if kind == NeedKind.MISSION:
        if starts_on and not ends_on and duration > 0:
            ends_on = date.fromordinal(starts_on.toordinal() + duration - 1)
        if starts_on is None and "starts_on" not in errors:
            errors["starts_on"] = N_("a mission needs a start date")
        if ends_on is None and "ends_on" not in errors:
            errors["ends_on"] = N_("give an end date or a duration in days")
    elif kind == NeedKind.MENTORSHIP:
        row["mentee_name"] = draft.mentee_name.strip()
        if not row["mentee_name"]:
            errors["mentee_name"] = N_("name the local doctor who will be mentored")
        hours = draft.weekly_hours
        if hours is None or hours <= 0:
            errors.setdefault("weekly_hours", N_("a mentorship needs weekly hours above zero"))
        elif hours > 40:
            errors["weekly_hours"] = N_("must be at most 40 hours a week")
        row["weekly_hours"] = hours or 0.0
        months = draft.months
        if "months" not in errors and not 1 <= months <= 36:
            errors["months"] = N_("must be between 1 and 36 months")
        row["months"] = months
        slots = _weekly_slots(draft, errors)
        if not slots and not any(key.startswith("slot") for key in errors):
            errors["slot_0"] = N_("give at least one weekly slot of the local doctor")
        if slots and hours and "weekly_hours" not in errors:
            offered = sum(s.duration_minutes for s in slots) / 60
            if offered < hours:
                errors["weekly_hours"] = N_(
                    "the local doctor's weekly slots add up to fewer hours than asked"
                )
        if starts_on is None and "starts_on" not in errors:
            starts_on = datetime.now(UTC).date()
        if months and starts_on and not ends_on:
            ends_on = date.fromordinal(starts_on.toordinal() + 30 * months)
    elif kind == NeedKind.TRAINING:
        row["topic"] = draft.topic.strip()
        if not row["topic"]:
            errors["topic"] = N_("give the workshop's topic")
        row["remote"] = draft.remote
        audience = draft.audience_size
        if "audience_size" not in errors and not 1 <= audience <= 1000:
            errors["audience_size"] = N_("must be between 1 and 1000 people")
        row["audience_size"] = audience
        if not row["remote"] and starts_on is None and "starts_on" not in errors:
            errors["starts_on"] = N_("an in-person workshop needs dates (or tick remote)")
        if starts_on and not ends_on:
            ends_on = starts_on
    roles = team_roles(draft, kind, errors)
    if roles:
        row["specialty"] = roles[0][0]
        row["places"] = sum(count for _, count in roles)
        errors.pop("specialty", None)
        errors.pop("places", None)
        if row["places"] > 50:
            errors["roles"] = N_("a team asks for at most 50 doctors in all")
    if starts_on and ends_on and ends_on < starts_on and "ends_on" not in errors:
        errors["ends_on"] = N_("cannot be before the start date")
    if today is not None:
        _past_dates(errors, {"starts_on": starts_on, "ends_on": ends_on}, today, kept)
    if errors:
        raise ValidationFailed(errors)
    row["starts_on"], row["ends_on"] = starts_on, ends_on
    return NeedFields(row=row, skills=skills, slots=slots, roles=roles)


#: Most doctors a role of a team mission asks for, and most roles in one team.
MAX_ROLE_COUNT = 10
MAX_ROLES = 8


def team_roles(draft: NeedDraft, kind: str, errors: dict[str, str]) -> list[tuple[str, int]]:
    """A team mission's roles as (specialty, count), problems named per role in ``errors``.

    Only a mission can ask for a team; each role names a specialty of the taxonomy
    once, for 1 to :data:`MAX_ROLE_COUNT` doctors.
    """
    given = [r for r in draft.roles if r.specialty.strip()]
    if not given:
        return []
    if kind != NeedKind.MISSION:
        errors["roles"] = N_("only a mission can ask for a team of several roles")
        return []
    if len(given) > MAX_ROLES:
        errors["roles"] = Message("at most %(n)s roles", n=MAX_ROLES)
        return []
    taxonomy = load_taxonomy()
    out: list[tuple[str, int]] = []
    for index, r in enumerate(given):
        name = r.field or f"roles.{index}"
        code = r.specialty.strip()
        if code not in taxonomy.specialties:
            errors[name] = N_("choose a specialty from the list")
        elif code in {c for c, _ in out}:
            errors[name] = N_("each role's specialty once (raise its count instead)")
        elif not 1 <= r.count <= MAX_ROLE_COUNT:
            errors[name] = Message("a role asks for 1 to %(n)s doctors", n=MAX_ROLE_COUNT)
        else:
            out.append((code, int(r.count)))
    return out


def check_publishable(need: Mapping[str, Any], current: NeedStatus) -> None:
    """A need is not published (or reopened) once its dates are past: nobody could fill it."""
    today = today_utc()
    ends_on, starts_on = need.get("ends_on"), need.get("starts_on")
    if ends_on is not None and ends_on < today:
        raise Conflict(
            N_("This need ended on %(date)s: change its dates before publishing it."),
            field="ends_on",
            params={"date": ends_on.isoformat()},
        )
    started = starts_on is not None and starts_on < today
    # a mentorship's start defaults to the day it was written: only dated work counts here
    if current == NeedStatus.DRAFT and need.get("kind") != NeedKind.MENTORSHIP and started:
        raise Conflict(
            N_("This need starts on %(date)s, in the past: change its dates before publishing it."),
            field="starts_on",
            params={"date": starts_on.isoformat()},
        )


def acceptable_list(need: Mapping[str, Any]) -> list[str] | None:
    """The specialties a need accepts (its floor), ``None`` when any specialty is welcome."""
    if need.get("any_specialty"):
        return None
    chosen = [code for code in (need.get("acceptable_specialties") or "").split(",") if code]
    if chosen:
        return chosen
    try:
        return list(load_taxonomy().acceptable_specialties(need["specialty"], need["kind"]))
    except KeyError:
        return [need["specialty"]]
