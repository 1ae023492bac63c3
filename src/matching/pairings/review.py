"""Read side of pairings: the coordinator's review queue and the pairing pages.

Only public profile data leaves here (specialty, level, languages, country);
contact details are added by :func:`pairing_detail` only when the viewer may
see them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from piccolo.query import OrderByRaw

from matching.accounts.services import Account
from matching.accounts.tables import Role
from matching.db import json_object
from matching.doctors.tables import DoctorLanguage, DoctorProfile, DoctorSpecialty, Licence
from matching.errors import Forbidden, NotFound
from matching.facilities import language_levels
from matching.facilities.names import arabic_names
from matching.facilities.tables import Facility, FacilityHead, LocalSlot, Need
from matching.i18n import Message
from matching.mail.notices import with_facility_names
from matching.mail.tables import Notification
from matching.paging import Page, clamp_page
from matching.pairings.contact import can_see_contact
from matching.pairings.tables import Proposal, ProposalState
from matching.pairings.transitions import allowed_actions

URGENCY_ORDER = {"critical": 0, "urgent": 1, "routine": 2}


@dataclass
class DoctorPublic:
    id: int
    name: str
    country: str
    timezone: str
    specialties: list[tuple[str, str]] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)


@dataclass
class Signal:
    name: str
    value: float
    weight: float
    contribution: float

    @property
    def value_percent(self) -> int:
        return max(0, min(100, round(self.value * 100)))


@dataclass
class ProposalView:
    id: int
    state: str
    score: float
    rank: int
    need_id: int
    doctor: DoctorPublic | None
    signals: list[Signal]
    runners_up: list[dict[str, Any]]
    shared_skills: list[str]
    rules_passed: list[str]
    decision_reason: str
    decided_at: Any
    responded_at: Any
    actions: list[str]
    #: ``{"kind", "year"}`` of the doctor's earlier work with this facility, or None.
    continuity: dict[str, Any] | None = None
    #: ``{"waited_runs", "multiplier"}`` when the facility had waited for this run.
    fairness: dict[str, Any] | None = None
    #: a team mission: the role this doctor fills, and every role with who fills it
    role: str = ""
    team: list[dict[str, Any]] = field(default_factory=list)

    @property
    def max_contribution(self) -> float:
        return max([abs(s.contribution) for s in self.signals] + [1e-9])


@dataclass
class NeedGroup:
    need: dict[str, Any]
    facility: dict[str, Any]
    proposals: list[ProposalView]


async def doctors_public(ids: set[int]) -> dict[int, DoctorPublic]:
    """Public profiles of these doctors (never phone or contact email)."""
    if not ids:
        return {}
    rows = await DoctorProfile.select(
        DoctorProfile.id,
        DoctorProfile.country,
        DoctorProfile.timezone,
        DoctorProfile.user.full_name.as_alias("name"),
    ).where(DoctorProfile.id.is_in(list(ids)))
    out = {r["id"]: DoctorPublic(r["id"], r["name"], r["country"], r["timezone"]) for r in rows}
    for r in await DoctorSpecialty.select().where(DoctorSpecialty.doctor.is_in(list(ids))):
        out[r["doctor"]].specialties.append((r["code"], r["level"]))
    for r in await DoctorLanguage.select().where(DoctorLanguage.doctor.is_in(list(ids))):
        out[r["doctor"]].languages.append(r["code"])
    return out


def _view(row: dict[str, Any], doctors: dict[int, DoctorPublic]) -> ProposalView:
    explanation = json_object(row["explanation"])
    signals = [
        Signal(
            name=str(name),
            value=float(s.get("value", 0.0)),
            weight=float(s.get("weight", 0.0)),
            contribution=float(s.get("contribution", 0.0)),
        )
        for name, s in (explanation.get("signals") or {}).items()
        if isinstance(s, dict)
    ]
    runners = []
    for r in explanation.get("runners_up") or []:
        doctor = doctors.get(int(r.get("doctor_id", -1)))
        runners.append(
            {
                "doctor_id": int(r.get("doctor_id", -1)),
                "score": float(r.get("score", 0.0)),
                "rank": int(r.get("rank", 0)),
                "doctor": doctor,
            }
        )
    return ProposalView(
        id=row["id"],
        state=row["state"],
        score=float(row["score"]),
        rank=int(row["rank"]),
        need_id=row["need"],
        doctor=doctors.get(row["doctor"]) if row["doctor"] is not None else None,
        signals=signals,
        runners_up=runners,
        shared_skills=list(explanation.get("shared_skills") or []),
        rules_passed=list(explanation.get("rules_passed") or []),
        decision_reason=row["decision_reason"],
        decided_at=row["decided_at"],
        responded_at=row["responded_at"],
        actions=[a.value for a in allowed_actions(row["state"])],
        continuity=_fact(explanation, "continuity", ("kind", "year")),
        fairness=_fact(explanation, "fairness", ("waited_runs", "multiplier")),
        role=str(explanation.get("role") or ""),
        team=[
            {
                "role": str(seat.get("role", "")),
                "count": int(seat.get("count", 0)),
                "doctors": [
                    doctors.get(int(d)) or DoctorPublic(int(d), f"#{int(d)}", "", "")
                    for d in seat.get("doctor_ids") or []
                ],
            }
            for seat in explanation.get("team") or []
            if isinstance(seat, dict)
        ],
    )


def _fact(explanation: dict[str, Any], key: str, fields: tuple[str, ...]) -> dict[str, Any] | None:
    """An explanation's ``key`` object when it holds every one of ``fields``, else None."""
    value = explanation.get(key)
    if not isinstance(value, dict) or any(f not in value for f in fields):
        return None
    return {f: value[f] for f in fields}


async def _views(rows: list[dict[str, Any]]) -> list[ProposalView]:
    ids: set[int] = set()
    for row in rows:
        if row["doctor"] is not None:
            ids.add(row["doctor"])
        explanation = json_object(row["explanation"])
        for r in explanation.get("runners_up") or []:
            ids.add(int(r.get("doctor_id", -1)))
        for seat in explanation.get("team") or []:
            ids.update(int(d) for d in seat.get("doctor_ids") or [])
    doctors = await doctors_public(ids)
    return [_view(row, doctors) for row in rows]


async def _needs(ids: set[int]) -> tuple[dict[int, dict], dict[int, dict]]:
    if not ids:
        return {}, {}
    needs = {n["id"]: n for n in await Need.select().where(Need.id.is_in(list(ids)))}
    fids = {n["facility"] for n in needs.values()}
    facilities = {f["id"]: f for f in await Facility.select().where(Facility.id.is_in(list(fids)))}
    return needs, facilities


_URGENCY_RANK = (
    'CASE "need"."urgency" '
    + " ".join(f"WHEN '{u}' THEN {r}" for u, r in URGENCY_ORDER.items())
    + f" ELSE {len(URGENCY_ORDER)} END"
)
QUEUE_PER_PAGE = 25


async def waiting_count(state: str = ProposalState.PROPOSED.value) -> int:
    """Proposals waiting for review."""
    return await Proposal.count().where(Proposal.state == state)


async def review_queue(
    page: int = 1, *, per_page: int = QUEUE_PER_PAGE, state: str = ProposalState.PROPOSED.value
) -> Page[NeedGroup]:
    """One page of needs with proposals in ``state``, each with its proposals by rank.

    Most urgent first, rural before urban, then oldest; the need id breaks ties so
    the pages are stable. The unit is the need (its proposals stay together); a page
    before the first or past the last is the first or the last.
    """
    waiting = Need.id.is_in(Proposal.select(Proposal.need).where(Proposal.state == state))
    total = await Need.count().where(waiting)
    page = clamp_page(page, total, per_page)
    needs = (
        await Need.select(*Need.all_columns())
        .where(waiting)
        .order_by(OrderByRaw(_URGENCY_RANK))
        .order_by(Need.facility.rural, ascending=False)
        .order_by(Need.created_at, Need.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
        .run()
    )
    if not needs:
        return Page([], total, page, per_page)
    ids = [n["id"] for n in needs]
    facilities = {
        f["id"]: f
        for f in await Facility.select().where(
            Facility.id.is_in(list({n["facility"] for n in needs}))
        )
    }
    groups = {n["id"]: NeedGroup(n, facilities[n["facility"]], []) for n in needs}
    rows = (
        await Proposal.select()
        .where(Proposal.state == state, Proposal.need.is_in(ids))
        .order_by(Proposal.rank, Proposal.id)
        .run()
    )
    for view in await _views(rows):
        groups[view.need_id].proposals.append(view)
    return Page([groups[i] for i in ids], total, page, per_page)


async def list_proposals(state: str | None = None) -> list[ProposalView]:
    query = Proposal.select().order_by(Proposal.id)
    if state:
        query = query.where(Proposal.state == state)
    return await _views(await query)


async def pending_licences() -> int:
    return await Licence.count().where(Licence.state == "pending")


# --- people paired ----------------------------------------------------------------

DOCTOR_VISIBLE = [
    ProposalState.APPROVED.value,
    ProposalState.ACCEPTED.value,
    ProposalState.DECLINED.value,
    ProposalState.CONFIRMED.value,
    ProposalState.COMPLETED.value,
    ProposalState.CANCELLED.value,
]


async def doctor_profile_id(account: Account) -> int | None:
    row = (
        await DoctorProfile.select(DoctorProfile.id).where(DoctorProfile.user == account.id).first()
    )
    return row["id"] if row else None


async def head_facility_ids(account: Account) -> list[int]:
    rows = await FacilityHead.select(FacilityHead.facility).where(FacilityHead.user == account.id)
    return [r["facility"] for r in rows]


@dataclass
class PairingRow:
    proposal: ProposalView
    need: dict[str, Any]
    facility: dict[str, Any]


async def _rows(query: Any) -> list[PairingRow]:
    rows = await query.order_by(Proposal.id, ascending=False)
    needs, facilities = await _needs({r["need"] for r in rows})
    views = await _views(rows)
    return [
        PairingRow(v, needs[v.need_id], facilities[needs[v.need_id]["facility"]]) for v in views
    ]


async def pairings_for(account: Account) -> list[PairingRow]:
    """What a doctor or facility head sees: reviewed pairings only, never raw proposals."""
    if account.role == Role.DOCTOR:
        doctor_id = await doctor_profile_id(account)
        if doctor_id is None:
            return []
        return await _rows(
            Proposal.select().where(
                Proposal.doctor == doctor_id, Proposal.state.is_in(DOCTOR_VISIBLE)
            )
        )
    if account.role == Role.FACILITY_HEAD:
        facilities = await head_facility_ids(account)
        if not facilities:
            return []
        return await _rows(
            Proposal.select().where(
                Proposal.need.facility.is_in(facilities), Proposal.state.is_in(DOCTOR_VISIBLE)
            )
        )
    return await _rows(Proposal.select())


@dataclass
class PairingDetail:
    row: PairingRow
    contact: dict[str, str] | None
    local_slots: list[dict[str, Any]]
    is_doctor: bool
    is_head: bool

    @property
    def slot_moments(self) -> list[tuple[Any, Any]]:
        """The weekly slots' first occurrences, aware (shown in the reader's zone)."""
        from matching.pairings.offer import slot_moments

        return slot_moments(self.local_slots, self.row.need.get("starts_on"))

    @property
    def need_languages(self) -> list[tuple[str, str]]:
        """The need's languages with the minimum level it asks ("" for any level)."""
        need = self.row.need
        minimums = language_levels.parse(need.get("language_levels") or "")
        codes = [c for c in (need.get("languages") or "").split(",") if c]
        return [(code, minimums.get(code, "")) for code in codes]


async def pairing_detail(proposal_id: int, viewer: Account) -> PairingDetail:
    """One pairing as ``viewer`` may see it (404 for a stranger, not a leak)."""
    rows = await _rows(Proposal.select().where(Proposal.id == proposal_id))
    if not rows:
        raise NotFound(Message("Pairing #%(id)s does not exist.", id=proposal_id))
    row = rows[0]
    is_doctor = is_head = False
    if viewer.role == Role.DOCTOR:
        is_doctor = (
            row.proposal.doctor is not None
            and await doctor_profile_id(viewer) == row.proposal.doctor.id
            and row.proposal.state in DOCTOR_VISIBLE
        )
        if not is_doctor:
            raise NotFound(Message("Pairing #%(id)s does not exist.", id=proposal_id))
    elif viewer.role == Role.FACILITY_HEAD:
        is_head = row.facility["id"] in await head_facility_ids(viewer)
        if not is_head or row.proposal.state not in DOCTOR_VISIBLE:
            raise NotFound(Message("Pairing #%(id)s does not exist.", id=proposal_id))
    elif viewer.role not in (Role.COORDINATOR, Role.ADMIN):
        raise Forbidden("You cannot see this pairing.")
    contact = None
    doctor = row.proposal.doctor
    # The doctor knows their own details; a head sees them only once confirmed.
    if (
        doctor is not None
        and viewer.role != Role.DOCTOR
        and (viewer.role != Role.FACILITY_HEAD or row.proposal.state == ProposalState.CONFIRMED)
        and await can_see_contact(viewer, doctor.id)
    ):
        contact = (
            await DoctorProfile.select(
                DoctorProfile.phone,
                DoctorProfile.contact_email,
                DoctorProfile.user.email.as_alias("email"),
            )
            .where(DoctorProfile.id == doctor.id)
            .first()
        )
    slots = await LocalSlot.select().where(LocalSlot.need == row.need["id"])
    return PairingDetail(row, contact, slots, is_doctor, is_head)


# --- audit trail -------------------------------------------------------------------


@dataclass
class AuditFilter:
    action: str = ""
    subject_type: str = ""
    actor: str = ""
    since: Any = None  # date
    until: Any = None  # date, inclusive


async def audit_events(flt: AuditFilter, *, limit: int | None = 500) -> list[dict[str, Any]]:
    """Audit events matching ``flt``, newest first."""
    from datetime import UTC, datetime, time, timedelta

    from matching.audit.tables import AuditEvent

    query = AuditEvent.select(
        *AuditEvent.all_columns(), AuditEvent.actor.full_name.as_alias("actor_name")
    ).order_by(AuditEvent.id, ascending=False)
    if flt.action:
        query = query.where(AuditEvent.action == flt.action)
    if flt.subject_type:
        query = query.where(AuditEvent.subject_type == flt.subject_type)
    if flt.actor:
        query = query.where(
            AuditEvent.actor_label.ilike(f"%{flt.actor}%")
            | AuditEvent.actor.full_name.ilike(f"%{flt.actor}%")
        )
    if flt.since:
        query = query.where(AuditEvent.created_at >= datetime.combine(flt.since, time(), UTC))
    if flt.until:
        end = datetime.combine(flt.until + timedelta(days=1), time(), UTC)
        query = query.where(AuditEvent.created_at < end)
    if limit:
        query = query.limit(limit)
    rows = await query
    for row in rows:
        row["before"] = json_object(row["before"])
        row["after"] = json_object(row["after"])
    return rows


async def audit_choices() -> tuple[list[str], list[str]]:
    from matching.audit.tables import AuditEvent

    actions = await AuditEvent.select(AuditEvent.action).distinct().order_by(AuditEvent.action)
    subjects = (
        await AuditEvent.select(AuditEvent.subject_type)
        .distinct()
        .order_by(AuditEvent.subject_type)
    )
    return [r["action"] for r in actions], [r["subject_type"] for r in subjects]


async def notifications_for(account: Account, limit: int = 10) -> list[dict[str, Any]]:
    """The account's latest in-app notifications (message is an English msgid + params)."""
    rows = (
        await Notification.select()
        .where(Notification.user == account.id)
        .order_by(Notification.id, ascending=False)
        .limit(limit)
    )
    return await with_facility_names(rows, arabic_names)
