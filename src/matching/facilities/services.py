"""Facility and need use-cases: validation, ownership, status rules, lists.

Every change is one transaction with its audit event. Ownership is decided
here: a facility head sees and edits only the facilities they head (and their
needs); coordinators and admins see everything.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from piccolo.query import OrderByRaw

from matching.accounts.services import Account
from matching.accounts.tables import Role
from matching.audit.services import record_event
from matching.availability import WeeklyWindow
from matching.db import write_transaction
from matching.errors import Conflict, Forbidden, NotFound, ValidationFailed
from matching.facilities.status import (
    confirmed_doctors,
    lock_need,
    refresh,
    refresh_need_status,
)
from matching.facilities.tables import (
    District,
    Facility,
    FacilityHead,
    FacilityKind,
    FunctionalState,
    LocalSlot,
    Need,
    NeedKind,
    NeedSkill,
    NeedStatus,
    Urgency,
)
from matching.i18n import N_, Message
from matching.paging import Page, clamp_page
from matching.pairings import transitions
from matching.taxonomy import load_taxonomy

STAFF_ROLES = (Role.COORDINATOR, Role.ADMIN)
MAX_SLOTS = 6
SORTS = ("urgency", "newest", "oldest", "starts_on")
PER_PAGE_DEFAULT = 25
PER_PAGE_MAX = 200
# Allowed manual transitions (refresh_need_status moves between the live ones).
TRANSITIONS: dict[NeedStatus, tuple[NeedStatus, ...]] = {
    NeedStatus.DRAFT: (NeedStatus.OPEN, NeedStatus.CANCELLED),
    NeedStatus.OPEN: (NeedStatus.CLOSED, NeedStatus.CANCELLED),
    NeedStatus.PARTLY_FILLED: (NeedStatus.CLOSED, NeedStatus.CANCELLED),
    NeedStatus.FILLED: (NeedStatus.CLOSED,),
    NeedStatus.CLOSED: (NeedStatus.OPEN,),
    NeedStatus.CANCELLED: (),
}


def is_staff(account: Account) -> bool:
    return account.role in STAFF_ROLES


# ---------------------------------------------------------------- parsing helpers


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value).strip()


def _list(data: Mapping[str, Any], key: str) -> list[str]:
    value = data.get(key)
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = value.replace(";", ",").split(",")
    return [str(v).strip() for v in value if str(v).strip()]


def parse_bool(data: Mapping[str, Any], key: str) -> bool:
    value = data.get(key)
    if isinstance(value, bool):
        return value
    return _text(data, key).lower() in ("1", "true", "on", "yes", "y")


def _int(data: Mapping[str, Any], key: str, errors: dict[str, str], *, default: int = 0) -> int:
    raw = _text(data, key)
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        errors[key] = N_("must be a whole number")
        return default


def _float(data: Mapping[str, Any], key: str, errors: dict[str, str]) -> float | None:
    raw = _text(data, key).replace(",", ".")
    if raw == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        errors[key] = N_("must be a number")
        return None
    if not math.isfinite(value):
        errors[key] = N_("must be a number")
        return None
    return value


def _date(data: Mapping[str, Any], key: str, errors: dict[str, str]) -> date | None:
    value = data.get(key)
    if isinstance(value, date):
        return value
    raw = _text(data, key)
    if raw == "":
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[key] = N_("must be a date (YYYY-MM-DD)")
        return None


def _time(raw: str) -> time:
    return time.fromisoformat(raw)


# ---------------------------------------------------------------- facilities


@dataclass(frozen=True, slots=True)
class FacilityFields:
    name_en: str
    name_ar: str
    kind: str
    district: str
    sub_district: str
    rural: bool
    latitude: float | None
    longitude: float | None
    functional_state: str
    beds: int
    staff: int
    accommodation: str = ""
    transport: str = ""
    security: str = ""
    receiver_role: str = ""

    def as_row(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__}


#: What a facility provides a visiting doctor and who receives them (free text, optional).
ON_SITE_FIELDS = ("accommodation", "transport", "security", "receiver_role")
ON_SITE_MAX = 1000


def parse_facility(data: Mapping[str, Any]) -> FacilityFields:
    """Validate a facility form / JSON body / CSV row; raise ``ValidationFailed``."""
    errors: dict[str, str] = {}
    name_en, name_ar = _text(data, "name_en"), _text(data, "name_ar")
    for key, value in (("name_en", name_en), ("name_ar", name_ar)):
        if not value:
            errors[key] = N_("is required")
        elif len(value) > 200:
            errors[key] = N_("must be at most 200 characters")
    kind = _text(data, "kind")
    if kind not in {k.value for k in FacilityKind}:
        errors["kind"] = N_("choose hospital, primary care centre, clinic or mobile unit")
    district = _text(data, "district")
    if district not in {d.value for d in District}:
        errors["district"] = N_("choose a district of Homs governorate")
    sub_district = _text(data, "sub_district")
    if len(sub_district) > 100:
        errors["sub_district"] = N_("must be at most 100 characters")
    state = _text(data, "functional_state") or FunctionalState.PARTIAL.value
    if state not in {s.value for s in FunctionalState}:
        errors["functional_state"] = N_("choose fully, partially or not functioning")
    latitude = _float(data, "latitude", errors)
    longitude = _float(data, "longitude", errors)
    # Homs governorate lies roughly within 33.5-35.5 N, 36-39.5 E.
    if latitude is not None and not 33.0 <= latitude <= 36.0:
        errors["latitude"] = N_("must be within Homs governorate (33 to 36 degrees north)")
    if longitude is not None and not 35.5 <= longitude <= 40.0:
        errors["longitude"] = N_("must be within Homs governorate (35.5 to 40 degrees east)")
    if (latitude is None) != (longitude is None) and not errors.get("latitude"):
        errors["latitude" if latitude is None else "longitude"] = N_(
            "give both latitude and longitude, or neither"
        )
    beds = _int(data, "beds", errors)
    staff = _int(data, "staff", errors)
    for key, value in (("beds", beds), ("staff", staff)):
        if value < 0 and key not in errors:
            errors[key] = N_("cannot be negative")
        elif value > 100_000 and key not in errors:
            errors[key] = N_("is too large")
    on_site = {key: _text(data, key) for key in ON_SITE_FIELDS}
    for key, value in on_site.items():
        if len(value) > ON_SITE_MAX:
            errors[key] = Message("must be at most %(n)s characters", n=ON_SITE_MAX)
    if errors:
        raise ValidationFailed(errors)
    return FacilityFields(
        **on_site,
        name_en=name_en,
        name_ar=name_ar,
        kind=kind,
        district=district,
        sub_district=sub_district,
        rural=parse_bool(data, "rural"),
        latitude=latitude,
        longitude=longitude,
        functional_state=state,
        beds=beds,
        staff=staff,
    )


async def create_facility(data: Mapping[str, Any], *, actor: Account) -> int:
    """A coordinator registers a facility; returns its id."""
    if not is_staff(actor):
        raise Forbidden(N_("Only coordinators can create facilities."))
    fields = parse_facility(data)
    async with Facility._meta.db.transaction():
        rows = await Facility.insert(Facility(**fields.as_row())).returning(Facility.id).run()
        facility_id = int(rows[0]["id"])
        await record_event(
            actor_id=actor.id,
            actor_label=actor.email,
            action="facility.created",
            subject_type="facility",
            subject_id=facility_id,
            after=fields.as_row(),
        )
    return facility_id


async def is_head_of(user_id: int, facility_id: int) -> bool:
    return bool(
        await FacilityHead.exists()
        .where(FacilityHead.user == user_id, FacilityHead.facility == facility_id)
        .run()
    )


async def check_facility_access(account: Account, facility_id: int) -> None:
    """Raise ``Forbidden`` unless ``account`` is staff or heads this facility."""
    if is_staff(account):
        return
    if account.role == Role.FACILITY_HEAD and await is_head_of(account.id, facility_id):
        return
    raise Forbidden(N_("You can only manage the facilities you head."))


async def get_facility(facility_id: int, *, viewer: Account | None = None) -> dict[str, Any]:
    row = await Facility.select().where(Facility.id == facility_id).first().run()
    if row is None:
        raise NotFound(N_("This facility does not exist."))
    if viewer is not None and viewer.role == Role.FACILITY_HEAD:
        await check_facility_access(viewer, facility_id)
    return row


async def update_facility(facility_id: int, data: Mapping[str, Any], *, actor: Account) -> None:
    """A head edits their own facility (coordinators edit any)."""
    before = await get_facility(facility_id)
    await check_facility_access(actor, facility_id)
    fields = parse_facility(data)
    async with Facility._meta.db.transaction():
        await Facility.update(fields.as_row()).where(Facility.id == facility_id).run()
        await record_event(
            actor_id=actor.id,
            actor_label=actor.email,
            action="facility.updated",
            subject_type="facility",
            subject_id=facility_id,
            before={k: before[k] for k in fields.as_row()},
            after=fields.as_row(),
        )


async def list_facilities(*, viewer: Account) -> list[dict[str, Any]]:
    """Every facility for staff; a head's own facilities for a head."""
    query = Facility.select().order_by(Facility.district).order_by(Facility.name_en)
    if not is_staff(viewer):
        ids = await facility_ids_of(viewer.id)
        if not ids:
            return []
        query = query.where(Facility.id.is_in(ids))
    return await query.run()


FACILITIES_PER_PAGE = 25


async def facilities_page(
    *,
    viewer: Account,
    district: str | None = None,
    search: str | None = None,
    page: int = 1,
    per_page: int = FACILITIES_PER_PAGE,
) -> Page[dict[str, Any]]:
    """One page of :func:`list_facilities`, by district and a name (English or Arabic).

    An unknown district is a ``ValidationFailed`` naming the field; a page past
    the end is the last page.
    """
    clauses: list = []
    if district:
        if district not in {d.value for d in District}:
            raise ValidationFailed(
                {
                    "district": Message(
                        "must be one of: %(choices)s",
                        choices=", ".join(d.value for d in District),
                    )
                }
            )
        clauses.append(Facility.district == district)
    if search and search.strip():
        pattern = f"%{search.strip()}%"
        clauses.append(Facility.name_en.ilike(pattern) | Facility.name_ar.ilike(pattern))
    if not is_staff(viewer):
        clauses.append(Facility.id.is_in(await facility_ids_of(viewer.id) or [-1]))
    count = Facility.count()
    query = Facility.select().order_by(Facility.district).order_by(Facility.name_en)
    if clauses:
        count, query = count.where(*clauses), query.where(*clauses)
    total = await count.run()
    page = clamp_page(page, total, per_page)
    items = await query.order_by(Facility.id).limit(per_page).offset((page - 1) * per_page).run()
    return Page(items=items, total=total, page=page, per_page=per_page)


async def facility_ids_of(user_id: int) -> list[int]:
    """Ids of the facilities ``user_id`` heads."""
    rows = (
        await FacilityHead.select(FacilityHead.facility).where(FacilityHead.user == user_id).run()
    )
    return [int(r["facility"]) for r in rows]


async def heads_of(facility_id: int) -> list[dict[str, Any]]:
    """The heads of a facility: ``[{"id", "email", "full_name", "language"}]``."""
    return (
        await FacilityHead.select(
            FacilityHead.user.id.as_alias("id"),
            FacilityHead.user.email.as_alias("email"),
            FacilityHead.user.full_name.as_alias("full_name"),
            FacilityHead.user.language.as_alias("language"),
        )
        .where(FacilityHead.facility == facility_id, FacilityHead.user.is_active.eq(True))
        .order_by(FacilityHead.user.full_name)
        .run()
    )


# ---------------------------------------------------------------- needs: validation


@dataclass(slots=True)
class NeedFields:
    """A validated need, ready to store (``row``) with its skills and local slots."""

    row: dict[str, Any]
    skills: list[str] = field(default_factory=list)
    slots: list[WeeklyWindow] = field(default_factory=list)


def _slots_from(data: Mapping[str, Any], errors: dict[str, str]) -> list[WeeklyWindow]:
    """Slots as ``slots=[{"weekday","start","end"}]`` (JSON) or ``slot_N_*`` fields (form)."""
    raw: list[tuple[str, Any, Any, Any]] = []
    given = data.get("slots")
    if isinstance(given, list):
        for i, s in enumerate(given):
            s = s if isinstance(s, Mapping) else {}
            raw.append((f"slots.{i}", s.get("weekday"), s.get("start"), s.get("end")))
    elif isinstance(given, str) and given.strip():
        # CSV form: "1 19:00-21:00; 3 19:00-21:00"
        for i, part in enumerate(p for p in given.split(";") if p.strip()):
            weekday, _, span = part.strip().partition(" ")
            start, _, end = span.partition("-")
            raw.append((f"slots.{i}", weekday, start.strip(), end.strip()))
    else:
        for i in range(MAX_SLOTS):
            weekday = _text(data, f"slot_{i}_weekday")
            start, end = _text(data, f"slot_{i}_start"), _text(data, f"slot_{i}_end")
            if weekday or start or end:
                raw.append((f"slot_{i}", weekday, start, end))
    slots: list[WeeklyWindow] = []
    for key, weekday, start, end in raw:
        try:
            slot = WeeklyWindow(int(str(weekday)), _time(str(start)), _time(str(end)))
        except (TypeError, ValueError):
            errors[key] = N_("give a weekday and start and end times on a quarter hour")
            continue
        if slot.crosses_midnight and slot.end == slot.start:
            errors[key] = N_("the end time must differ from the start time")
            continue
        slots.append(slot)
    return slots


#: How a need's specialty floor is set: the taxonomy's usual list, the ticked ones, or any.
SPECIALTY_SCOPES = ("usual", "chosen", "any")


def parse_acceptable_specialties(
    data: Mapping[str, Any], specialty: str, errors: dict[str, str]
) -> tuple[str, bool]:
    """The specialty floor fields: (``acceptable_specialties`` to store, ``any_specialty``).

    ``specialty_scope`` is ``usual`` (stored as ""), ``chosen`` (the ticked
    ``acceptable_specialties``, the need's own always among them) or ``any``. Without a
    scope (JSON, CSV): ``any`` when ``any_specialty`` is true, ``chosen`` when a list is
    given, else ``usual``.
    """
    taxonomy = load_taxonomy()
    chosen = list(dict.fromkeys(_list(data, "acceptable_specialties")))
    unknown = [c for c in chosen if c not in taxonomy.specialties]
    if unknown:
        errors["acceptable_specialties"] = N_("unknown specialty: %(code)s") % {"code": unknown[0]}
    scope = _text(data, "specialty_scope")
    if not scope:
        scope = "any" if parse_bool(data, "any_specialty") else ("chosen" if chosen else "usual")
    if scope not in SPECIALTY_SCOPES:
        errors["specialty_scope"] = N_(
            "choose the usual specialties, the ones ticked, or any specialty"
        )
    if scope != "chosen" or unknown or not specialty:
        return "", scope == "any"
    return ",".join(dict.fromkeys([specialty, *chosen])), False


def today_utc() -> date:
    """Today's date in UTC: on or before the date in Homs, so never stricter than a head's."""
    return datetime.now(UTC).date()


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


def parse_need(
    data: Mapping[str, Any],
    *,
    today: date | None = None,
    kept: Mapping[str, Any] | None = None,
) -> NeedFields:
    """Validate a need (form, JSON or CSV row); impossible states raise ``ValidationFailed``.

    With ``today``, dates before it are refused (a new need dated in the past could
    never be filled); ``kept`` is the stored row of an edited need, whose own dates
    stay valid as they were.
    """
    taxonomy = load_taxonomy()
    errors: dict[str, str] = {}
    kind = _text(data, "kind")
    if kind not in {k.value for k in NeedKind}:
        errors["kind"] = N_("choose a mission, a mentorship or a training workshop")
    title = _text(data, "title")
    if not title:
        errors["title"] = N_("is required")
    elif len(title) > 200:
        errors["title"] = N_("must be at most 200 characters")
    specialty = _text(data, "specialty")
    if specialty not in taxonomy.specialties:
        errors["specialty"] = N_("choose a specialty from the list")
    acceptable, any_specialty = parse_acceptable_specialties(data, specialty, errors)
    skills = list(dict.fromkeys(_list(data, "skills")))
    unknown = [s for s in skills if s not in taxonomy.skills]
    if unknown:
        errors["skills"] = Message("unknown skill: %(code)s", code=unknown[0])
    languages = list(dict.fromkeys(_list(data, "languages"))) or ["ar"]
    bad_lang = [c for c in languages if c not in taxonomy.languages]
    if bad_lang:
        errors["languages"] = Message("unknown language: %(code)s", code=bad_lang[0])
    urgency = _text(data, "urgency") or Urgency.ROUTINE.value
    if urgency not in {u.value for u in Urgency}:
        errors["urgency"] = N_("choose routine, urgent or critical")
    description = _text(data, "description")
    if len(description) > 5000:
        errors["description"] = N_("must be at most 5000 characters")
    places = _int(data, "places", errors, default=1)
    if "places" not in errors and not 1 <= places <= 50:
        errors["places"] = N_("must be between 1 and 50")
    starts_on = _date(data, "starts_on", errors)
    ends_on = _date(data, "ends_on", errors)
    duration = _int(data, "duration_days", errors, default=0)
    row: dict[str, Any] = {
        "kind": kind,
        "title": title,
        "specialty": specialty,
        "description": description,
        "languages": ",".join(languages),
        "requires_licence": parse_bool(data, "requires_licence"),
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
        row["mentee_name"] = _text(data, "mentee_name")
        if not row["mentee_name"]:
            errors["mentee_name"] = N_("name the local doctor who will be mentored")
        hours = _float(data, "weekly_hours", errors)
        if hours is None or hours <= 0:
            errors.setdefault("weekly_hours", N_("a mentorship needs weekly hours above zero"))
        elif hours > 40:
            errors["weekly_hours"] = N_("must be at most 40 hours a week")
        row["weekly_hours"] = hours or 0.0
        months = _int(data, "months", errors)
        if "months" not in errors and not 1 <= months <= 36:
            errors["months"] = N_("must be between 1 and 36 months")
        row["months"] = months
        slots = _slots_from(data, errors)
        if not slots and not any(k.startswith("slot") for k in errors):
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
        row["topic"] = _text(data, "topic")
        if not row["topic"]:
            errors["topic"] = N_("give the workshop's topic")
        row["remote"] = parse_bool(data, "remote")
        audience = _int(data, "audience_size", errors)
        if "audience_size" not in errors and not 1 <= audience <= 1000:
            errors["audience_size"] = N_("must be between 1 and 1000 people")
        row["audience_size"] = audience
        if not row["remote"] and starts_on is None and "starts_on" not in errors:
            errors["starts_on"] = N_("an in-person workshop needs dates (or tick remote)")
        if starts_on and not ends_on:
            ends_on = starts_on
    if starts_on and ends_on and ends_on < starts_on and "ends_on" not in errors:
        errors["ends_on"] = N_("cannot be before the start date")
    if today is not None:
        _past_dates(errors, {"starts_on": starts_on, "ends_on": ends_on}, today, kept)
    if errors:
        raise ValidationFailed(errors)
    row["starts_on"], row["ends_on"] = starts_on, ends_on
    return NeedFields(row=row, skills=skills, slots=slots)


# ---------------------------------------------------------------- needs: changes


async def _need_row(need_id: int) -> dict[str, Any]:
    row = await Need.select().where(Need.id == need_id).first().run()
    if row is None:
        raise NotFound(N_("This need does not exist."))
    return row


async def check_need_access(account: Account, need: Mapping[str, Any]) -> None:
    await check_facility_access(account, int(need["facility"]))


async def write_need_children(need_id: int, fields: NeedFields) -> None:
    await NeedSkill.delete().where(NeedSkill.need == need_id).run()
    await LocalSlot.delete().where(LocalSlot.need == need_id).run()
    if fields.skills:
        await NeedSkill.insert(*[NeedSkill(need=need_id, code=c) for c in fields.skills]).run()
    if fields.slots:
        await LocalSlot.insert(
            *[
                LocalSlot(need=need_id, weekday=s.weekday, starts_at=s.start, ends_at=s.end)
                for s in fields.slots
            ]
        ).run()


async def create_need(
    facility_id: int, data: Mapping[str, Any], *, actor: Account, publish: bool = False
) -> int:
    """A head (or coordinator) posts a need, as a draft or straight away open."""
    await get_facility(facility_id)
    await check_facility_access(actor, facility_id)
    fields = parse_need(data, today=today_utc())
    status = NeedStatus.OPEN if publish else NeedStatus.DRAFT
    async with Need._meta.db.transaction():
        rows = (
            await Need.insert(
                Need(**fields.row, facility=facility_id, status=status.value, created_by=actor.id)
            )
            .returning(Need.id)
            .run()
        )
        need_id = int(rows[0]["id"])
        await write_need_children(need_id, fields)
        await record_event(
            actor_id=actor.id,
            actor_label=actor.email,
            action="need.created",
            subject_type="need",
            subject_id=need_id,
            after={**fields.row, "status": status.value, "skills": fields.skills},
        )
    return need_id


async def update_need(need_id: int, data: Mapping[str, Any], *, actor: Account) -> None:
    """Edit a need; never into an impossible state (places below the doctors it holds).

    The places are checked under the need's lock (``lock_need``), in the same
    transaction as the write, so an approval in another process cannot slip in
    between the count and the change.
    """
    before = await _need_row(need_id)
    await check_need_access(actor, before)
    fields = parse_need(data, today=today_utc(), kept=before)
    if fields.row["kind"] != before["kind"] and before["status"] != NeedStatus.DRAFT:
        raise ValidationFailed({"kind": N_("the kind of a published need cannot change")})
    async with write_transaction():
        before = await lock_need(need_id)
        if before["status"] in (NeedStatus.CLOSED, NeedStatus.CANCELLED):
            raise Conflict(N_("A closed or cancelled need cannot be edited."))
        await transitions.check_places(need_id, int(fields.row["places"]))
        await (
            Need.update({**fields.row, Need.updated_at: datetime.now(UTC)})
            .where(Need.id == need_id)
            .run()
        )
        await write_need_children(need_id, fields)
        await record_event(
            actor_id=actor.id,
            actor_label=actor.email,
            action="need.updated",
            subject_type="need",
            subject_id=need_id,
            before={k: before[k] for k in fields.row},
            after={**fields.row, "skills": fields.skills},
        )
        await refresh(need_id, actor)


async def pending_proposals(need_id: int) -> int:
    """How many proposals still wait for review (withdrawn if the need is closed)."""
    return await transitions.held_count(need_id, states=transitions.PENDING_STATES)


def _check_publishable(need: Mapping[str, Any], current: NeedStatus) -> None:
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


async def change_need_status(
    need_id: int, target: str, *, actor: Account, reason: str = ""
) -> dict[str, int | str]:
    """Publish, close, reopen or cancel a need.

    Under the need's lock (so it takes turns with a doctor's accept in another
    process), closing or cancelling withdraws the proposals still waiting for a
    person, each from the state it is in (``transitions.withdraw_pending``).
    Accepted and confirmed pairings are never withdrawn: closing keeps them, and
    cancelling a need that holds any is refused (each is cancelled first, with a
    reason that tells the doctor). Returns ``{"status", "withdrawn"}``.
    """
    try:
        wanted = NeedStatus(target)
    except ValueError:
        raise ValidationFailed({"status": N_("unknown status")}) from None
    await check_need_access(actor, await _need_row(need_id))
    async with write_transaction():
        before = await lock_need(need_id)
        current = NeedStatus(before["status"])
        if wanted not in TRANSITIONS[current]:
            raise Conflict(
                N_("A need that is %(current)s cannot become %(wanted)s."),
                params={"current": current.value, "wanted": wanted.value},
                labels={"current": "need_status", "wanted": "need_status"},
            )
        if wanted == NeedStatus.OPEN:
            _check_publishable(before, current)
        withdrawn = 0
        if wanted == NeedStatus.CANCELLED:
            committed = await transitions.held_count(need_id, states=transitions.COMMITTED_STATES)
            if committed:
                raise Conflict(
                    N_(
                        "This need cannot be cancelled: %(n)s doctor(s) accepted it. Cancel "
                        "each of those pairings first, with a reason, or close the need "
                        "to stop new proposals."
                    ),
                    params={"n": committed},
                )
        if wanted in (NeedStatus.CLOSED, NeedStatus.CANCELLED):
            withdrawn = await transitions.withdraw_pending(
                need_id, actor, reason=f"need {wanted.value}"
            )
        await (
            Need.update({Need.status: wanted.value, Need.updated_at: datetime.now(UTC)})
            .where(Need.id == need_id)
            .run()
        )
        await record_event(
            actor_id=actor.id,
            actor_label=actor.email,
            action="need.status_changed",
            subject_type="need",
            subject_id=need_id,
            before={"status": current.value},
            after={"status": wanted.value, "withdrawn_proposals": withdrawn, "reason": reason},
        )
        status = wanted.value
        if wanted == NeedStatus.OPEN:
            status = await refresh(need_id, actor)
    return {"status": status, "withdrawn": withdrawn}


# ---------------------------------------------------------------- needs: reading


async def get_need(need_id: int, *, viewer: Account) -> dict[str, Any]:
    """One need with its facility, skills and slots; heads see only their own."""
    row = await _need_row(need_id)
    if not is_staff(viewer) and (
        viewer.role != Role.FACILITY_HEAD or not await is_head_of(viewer.id, row["facility"])
    ):
        raise NotFound(N_("This need does not exist."))
    row["facility_row"] = await get_facility(int(row["facility"]))
    row["skills"] = [
        r["code"]
        for r in await NeedSkill.select(NeedSkill.code)
        .where(NeedSkill.need == need_id)
        .order_by(NeedSkill.id)
        .run()
    ]
    row["slots"] = await (
        LocalSlot.select(LocalSlot.weekday, LocalSlot.starts_at, LocalSlot.ends_at)
        .where(LocalSlot.need == need_id)
        .order_by(LocalSlot.weekday)
        .order_by(LocalSlot.starts_at)
        .run()
    )
    row["languages_list"] = [c for c in row["languages"].split(",") if c]
    row["acceptable_list"] = acceptable_list(row)
    row["confirmed_doctors"] = await confirmed_doctors(need_id)
    row["confirmed"] = len(row["confirmed_doctors"])
    row["pending"] = await pending_proposals(need_id)
    return row


def acceptable_list(need: Mapping[str, Any]) -> list[str] | None:
    """The specialties a need accepts (its floor), ``None`` when any specialty is welcome."""
    if need.get("any_specialty"):
        return None
    chosen = [c for c in (need.get("acceptable_specialties") or "").split(",") if c]
    if chosen:
        return chosen
    try:
        return list(load_taxonomy().acceptable_specialties(need["specialty"], need["kind"]))
    except KeyError:
        return [need["specialty"]]


def need_form_values(need: Mapping[str, Any]) -> dict[str, Any]:
    """A stored need as the values of its edit form."""
    values: dict[str, Any] = {
        k: need[k]
        for k in (
            "kind",
            "title",
            "specialty",
            "description",
            "urgency",
            "places",
            "mentee_name",
            "months",
            "topic",
            "audience_size",
        )
    }
    values["weekly_hours"] = f"{need['weekly_hours']:g}" if need["weekly_hours"] else ""
    values["starts_on"] = need["starts_on"].isoformat() if need["starts_on"] else ""
    values["ends_on"] = need["ends_on"].isoformat() if need["ends_on"] else ""
    values["requires_licence"] = need["requires_licence"]
    values["remote"] = need["remote"]
    values["skills"] = need.get("skills", [])
    values["languages"] = need.get("languages_list", [])
    chosen = [c for c in (need.get("acceptable_specialties") or "").split(",") if c]
    values["specialty_scope"] = (
        "any" if need.get("any_specialty") else ("chosen" if chosen else "usual")
    )
    values["acceptable_specialties"] = chosen
    for i, slot in enumerate(need.get("slots", [])):
        values[f"slot_{i}_weekday"] = str(slot["weekday"])
        values[f"slot_{i}_start"] = slot["starts_at"].strftime("%H:%M")
        values[f"slot_{i}_end"] = slot["ends_at"].strftime("%H:%M")
    return values


@dataclass(frozen=True, slots=True)
class NeedFilters:
    """Filters of the coordinator's list; ``None`` means any."""

    district: str | None = None
    rural: bool | None = None
    kind: str | None = None
    specialty: str | None = None
    urgency: str | None = None
    status: str | None = None  # None: open and partly filled
    facility_id: int | None = None

    @classmethod
    def from_query(cls, params: Mapping[str, Any]) -> NeedFilters:
        """From query-string values; unknown values raise ``ValidationFailed``."""
        errors: dict[str, str] = {}

        def pick(key: str, allowed: set[str]) -> str | None:
            value = _text(params, key)
            if not value:
                return None
            if value not in allowed:
                errors[key] = Message(
                    "must be one of: %(choices)s", choices=", ".join(sorted(allowed))
                )
            return value

        area = _text(params, "area")
        rural = {"rural": True, "urban": False}.get(area)
        if area and rural is None:
            errors["area"] = N_("choose urban or rural")
        facility = _text(params, "facility")
        filters = cls(
            district=pick("district", {d.value for d in District}),
            rural=rural,
            kind=pick("kind", {k.value for k in NeedKind}),
            specialty=pick("specialty", set(load_taxonomy().specialties)),
            urgency=pick("urgency", {u.value for u in Urgency}),
            status=pick("status", {s.value for s in NeedStatus} | {"all"}),
            facility_id=int(facility) if facility.isdigit() else None,
        )
        if errors:
            raise ValidationFailed(errors)
        return filters


# One page of needs (the shared pagination helper).
NeedPage = Page


_LIST_COLUMNS = (
    Need.id,
    Need.kind,
    Need.title,
    Need.specialty,
    Need.urgency,
    Need.status,
    Need.places,
    Need.starts_on,
    Need.ends_on,
    Need.weekly_hours,
    Need.months,
    Need.languages,
    Need.requires_licence,
    Need.created_at,
    Need.facility.id.as_alias("facility_id"),
    Need.facility.name_en.as_alias("facility_name_en"),
    Need.facility.name_ar.as_alias("facility_name_ar"),
    Need.facility.district.as_alias("district"),
    Need.facility.rural.as_alias("rural"),
)


def _where(filters: NeedFilters, viewer: Account | None, head_ids: list[int] | None) -> list:
    clauses: list = []
    if filters.status == "all":
        pass
    elif filters.status:
        clauses.append(Need.status == filters.status)
    else:
        clauses.append(Need.status.is_in([NeedStatus.OPEN.value, NeedStatus.PARTLY_FILLED.value]))
    if head_ids is not None:
        clauses.append(Need.facility.is_in(head_ids or [-1]))
    if filters.facility_id is not None:
        clauses.append(Need.facility == filters.facility_id)
    if filters.kind:
        clauses.append(Need.kind == filters.kind)
    if filters.specialty:
        clauses.append(Need.specialty == filters.specialty)
    if filters.urgency:
        clauses.append(Need.urgency == filters.urgency)
    if filters.district:
        clauses.append(Need.facility.district == filters.district)
    if filters.rural is not None:
        clauses.append(Need.facility.rural == filters.rural)
    return clauses


_URGENCY_RANK = "CASE \"need\".\"urgency\" WHEN 'critical' THEN 0 WHEN 'urgent' THEN 1 ELSE 2 END"
# (SQL expression, ascending); ties broken by id so pages are stable.
_ORDER: dict[str, list[tuple[str, bool]]] = {
    "urgency": [(_URGENCY_RANK, True), ('"need"."created_at"', False), ('"need"."id"', False)],
    "newest": [('"need"."created_at"', False), ('"need"."id"', False)],
    "oldest": [('"need"."created_at"', True), ('"need"."id"', True)],
    "starts_on": [('"need"."starts_on"', True), ('"need"."id"', True)],
}


async def list_needs(
    filters: NeedFilters | None = None,
    *,
    viewer: Account | None = None,
    sort: str = "urgency",
    page: int = 1,
    per_page: int = PER_PAGE_DEFAULT,
) -> NeedPage:
    """One page of needs matching ``filters``, sorted server side.

    A facility head only ever sees their facilities' needs. ``viewer=None`` is the
    system (benchmarks, exports run by staff).
    """
    filters = filters or NeedFilters()
    if sort not in _ORDER:
        raise ValidationFailed(
            {"sort": Message("must be one of: %(choices)s", choices=", ".join(SORTS))}
        )
    per_page = max(1, min(per_page, PER_PAGE_MAX))
    page = max(1, page)
    head_ids = None
    if viewer is not None and not is_staff(viewer):
        head_ids = await facility_ids_of(viewer.id)
    count_query, query = page_queries(filters, head_ids, sort=sort, page=page, per_page=per_page)
    total = await count_query
    items = await query.run()
    return NeedPage(items=items, total=total, page=page, per_page=per_page)


def page_queries(
    filters: NeedFilters, head_ids: list[int] | None, *, sort: str, page: int, per_page: int
) -> tuple[Any, Any]:
    """The count query and the page query of :func:`list_needs` (also used to EXPLAIN)."""
    clauses = _where(filters, None, head_ids)
    count_query = Need.count()
    query = Need.select(*_LIST_COLUMNS)
    if clauses:
        count_query = count_query.where(*clauses)
        query = query.where(*clauses)
    for expression, ascending in _ORDER[sort]:
        query = query.order_by(OrderByRaw(expression), ascending=ascending)
    return count_query, query.limit(per_page).offset((page - 1) * per_page)


async def iter_needs(
    filters: NeedFilters | None = None, *, viewer: Account | None = None, sort: str = "urgency"
):
    """Every matching need, a page at a time (for the CSV export)."""
    page = 1
    while True:
        result = await list_needs(filters, viewer=viewer, sort=sort, page=page, per_page=500)
        for item in result.items:
            yield item
        if page >= result.pages:
            return
        page += 1


async def open_needs_for_ranking(need_ids: list[int] | None = None) -> list[dict[str, Any]]:
    """Open and partly filled needs with what the ranking loader needs.

    Each dict: the Need columns, ``district``, ``rural``, ``functional_state``,
    ``skills`` (codes), ``languages_list``, ``slots`` ([(weekday, start, end)] in
    ``local_timezone``), ``confirmed`` (confirmed doctors) and ``places_left``.
    """
    from matching.pairings.tables import Proposal

    query = Need.select(
        *Need.all_columns(),
        Need.facility.district.as_alias("district"),
        Need.facility.rural.as_alias("rural"),
        Need.facility.functional_state.as_alias("functional_state"),
    ).where(Need.status.is_in([NeedStatus.OPEN.value, NeedStatus.PARTLY_FILLED.value]))
    if need_ids is not None:
        query = query.where(Need.id.is_in(need_ids or [-1]))
    needs = await query.order_by(Need.id).run()
    if not needs:
        return []
    ids = [n["id"] for n in needs]
    skills: dict[int, list[str]] = {i: [] for i in ids}
    for r in await NeedSkill.select(NeedSkill.need, NeedSkill.code).where(
        NeedSkill.need.is_in(ids)
    ):
        skills[r["need"]].append(r["code"])
    slots: dict[int, list[tuple[int, time, time]]] = {i: [] for i in ids}
    for r in await LocalSlot.select(
        LocalSlot.need, LocalSlot.weekday, LocalSlot.starts_at, LocalSlot.ends_at
    ).where(LocalSlot.need.is_in(ids)):
        slots[r["need"]].append((r["weekday"], r["starts_at"], r["ends_at"]))
    confirmed: dict[int, int] = dict.fromkeys(ids, 0)
    for r in await Proposal.select(Proposal.need).where(
        Proposal.need.is_in(ids), Proposal.state == "confirmed"
    ):
        confirmed[r["need"]] += 1
    for n in needs:
        n["skills"] = skills[n["id"]]
        n["slots"] = slots[n["id"]]
        n["languages_list"] = [c for c in n["languages"].split(",") if c]
        n["confirmed"] = confirmed[n["id"]]
        n["places_left"] = max(0, n["places"] - confirmed[n["id"]])
    return needs


async def needs_of_facility(facility_id: int, *, viewer: Account) -> list[dict[str, Any]]:
    """Every need of one facility, drafts included (heads of it and staff only)."""
    await check_facility_access(viewer, facility_id)
    return await (
        Need.select(
            Need.id,
            Need.kind,
            Need.title,
            Need.status,
            Need.urgency,
            Need.places,
            Need.starts_on,
            Need.created_at,
        )
        .where(Need.facility == facility_id)
        .order_by(Need.created_at, ascending=False)
        .run()
    )


__all__ = [
    "SORTS",
    "NeedFields",
    "NeedFilters",
    "NeedPage",
    "change_need_status",
    "create_facility",
    "create_need",
    "get_facility",
    "get_need",
    "heads_of",
    "is_staff",
    "iter_needs",
    "list_facilities",
    "list_needs",
    "needs_of_facility",
    "open_needs_for_ranking",
    "page_queries",
    "parse_facility",
    "parse_need",
    "refresh_need_status",
    "update_facility",
    "update_need",
]
