"""A district's access status changes, and the missions held there are flagged.

:func:`set_district_access` is what coordinators call: in one write transaction,
:func:`matching.districts.services.record_access` appends the district's next
status row, and when the district becomes closed every held mission there
(proposals approved, accepted or confirmed on in-person needs of its facilities)
is flagged at once to the doctor, the facility's heads and the coordinators, each
in their own language (a notification row and a queued mail each). What is rolled
back sends nothing.

Two coordinators closing the same district at once: both rows are kept (the
history says who did what), the flags go out once. The unique
``(district, seq)`` makes the second writer's insert fail when the first wrote the
same next row; it then starts again, reads "closed" and flags nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from matching.accounts.services import Account
from matching.accounts.tables import Role, User
from matching.db import write_transaction
from matching.districts.schemas import AccessCommand, AccessView
from matching.districts.services import record_access
from matching.errors import Conflict, Forbidden
from matching.facilities.tables import FacilityHead, NeedKind
from matching.i18n import N_
from matching.labels import label
from matching.mail.notifications import notify
from matching.mail.outbox import queue_template
from matching.pairings.tables import Proposal
from matching.pairings.transitions import HOLDING_STATES

#: Tries when another coordinator keeps writing the same district's next row.
TRIES = 8

FLAG_MESSAGE = N_(
    "%(district)s is closed from %(date)s: the in-person mission %(title)s at %(facility)s"
    " is on hold. Do not travel; a coordinator will say how it goes on."
)


@dataclass(frozen=True, slots=True)
class AccessSet:
    """The row written and the held missions flagged (their proposal ids)."""

    row: AccessView
    before: str
    flagged: tuple[int, ...]


class _Raced(Exception):
    """Another transaction wrote the district's next row first."""


def _require_coordinator(actor: Account) -> None:
    if actor.role not in (Role.COORDINATOR, Role.ADMIN):
        raise Forbidden(N_("Only a coordinator can set a district's access."))


async def held_missions(district: str) -> list[dict[str, Any]]:
    """Held pairings (approved, accepted, confirmed) on in-person needs of the
    district's facilities, by proposal id."""
    rows = (
        await Proposal.select(
            Proposal.id,
            Proposal.state,
            Proposal.doctor,
            Proposal.doctor.user.id,
            Proposal.doctor.user.email,
            Proposal.doctor.user.full_name,
            Proposal.doctor.user.language,
            Proposal.need.id,
            Proposal.need.kind,
            Proposal.need.remote,
            Proposal.need.title,
            Proposal.need.facility.id,
            Proposal.need.facility.name_en,
            Proposal.need.facility.name_ar,
        )
        .where(
            Proposal.state.is_in(list(HOLDING_STATES)),
            Proposal.need.facility.district == district,
        )
        .order_by(Proposal.id)
        .run()
    )
    return [
        r
        for r in rows
        if r["need.kind"] == NeedKind.MISSION.value
        or (r["need.kind"] == NeedKind.TRAINING.value and not r["need.remote"])
    ]


async def _flag(held: list[dict[str, Any]], row: AccessView, base_url: str) -> None:
    """Notification and mail to each doctor, head and coordinator of each held mission."""
    if not held:
        return
    coordinators = (
        await User.select(User.id, User.email, User.full_name, User.language)
        .where(User.role == Role.COORDINATOR.value, User.is_active.eq(True))
        .order_by(User.id)
        .run()
    )
    facility_ids = sorted({int(r["need.facility.id"]) for r in held})
    heads: dict[int, list[dict[str, Any]]] = {}
    for h in (
        await FacilityHead.select(
            FacilityHead.facility,
            FacilityHead.user.id,
            FacilityHead.user.email,
            FacilityHead.user.full_name,
            FacilityHead.user.language,
        )
        .where(FacilityHead.facility.is_in(facility_ids), FacilityHead.user.is_active.eq(True))
        .order_by(FacilityHead.id)
        .run()
    ):
        heads.setdefault(int(h["facility"]), []).append(
            {k.removeprefix("user."): v for k, v in h.items()}
        )
    effective = row.effective_on.isoformat() if row.effective_on else ""
    for mission in held:
        link = f"/pairings/{mission['id']}"
        facility = {
            "name_en": mission["need.facility.name_en"],
            "name_ar": mission["need.facility.name_ar"],
        }
        params = {
            "district": label(row.district, "district", "en"),
            "district_ar": label(row.district, "district", "ar"),
            "date": effective,
            "title": mission["need.title"],
            "facility": facility["name_en"],
            "facility_ar": facility["name_ar"],
        }
        people: list[dict[str, Any]] = []
        if mission["doctor.user.id"] is not None:
            people.append(
                {
                    "id": mission["doctor.user.id"],
                    "email": mission["doctor.user.email"],
                    "full_name": mission["doctor.user.full_name"],
                    "language": mission["doctor.user.language"],
                }
            )
        people += heads.get(int(mission["need.facility.id"]), [])
        people += coordinators
        seen: set[int] = set()
        for person in people:
            if person["id"] in seen:
                continue
            seen.add(person["id"])
            language = person["language"] or "en"
            await queue_template(
                person["email"],
                "district_closed",
                language,
                name=person["full_name"],
                link=base_url + link,
                district=label(row.district, "district", language),
                date=effective,
                title=mission["need.title"],
                facility=facility,
                note=row.note,
            )
            await notify(int(person["id"]), FLAG_MESSAGE, params, link)


async def set_district_access(
    command: AccessCommand, *, actor: Account, today: date, base_url: str = ""
) -> AccessSet:
    """Set a district's status (a new history row with its audit event); when it
    becomes closed, flag every mission held there. One transaction."""
    _require_coordinator(actor)
    for _ in range(TRIES):
        try:
            async with write_transaction(Proposal._meta.db):
                recorded = await record_access(command, actor=actor, today=today)
                if recorded is None:
                    raise _Raced
                held = await held_missions(recorded.row.district) if recorded.closes else []
                await _flag(held, recorded.row, base_url)
                return AccessSet(
                    row=recorded.row,
                    before=recorded.before,
                    flagged=tuple(int(m["id"]) for m in held),
                )
        except _Raced:
            continue
    raise Conflict(N_("Other coordinators keep changing this district; try again."))
