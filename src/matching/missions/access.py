"""Which mission a pairing is, and the viewer's part in it (404 for strangers)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from matching.accounts.services import Account
from matching.accounts.tables import Role
from matching.errors import NotFound
from matching.facilities.membership import is_head_of
from matching.facilities.tables import NeedKind
from matching.i18n import N_
from matching.pairings.tables import Proposal, ProposalState

#: A pairing has a mission page once confirmed, and keeps it once completed.
MISSION_STATES = (ProposalState.CONFIRMED.value, ProposalState.COMPLETED.value)


@dataclass(frozen=True, slots=True)
class Mission:
    pairing_id: int
    state: str
    need_id: int
    need_title: str
    places: int
    facility_id: int
    facility_en: str
    facility_ar: str
    doctor_id: int | None
    doctor_user: int | None
    doctor_name: str
    starts_on: date
    ends_on: date


def _missing(proposal_id: int) -> NotFound:
    return NotFound(N_("Pairing #%(id)s is not a confirmed mission."), params={"id": proposal_id})


async def load_mission(proposal_id: int) -> Mission:
    """The confirmed (or completed) mission pairing ``proposal_id``; 404 otherwise."""
    row = (
        await Proposal.select(
            Proposal.id,
            Proposal.state,
            Proposal.need.id.as_alias("need_id"),
            Proposal.need.title.as_alias("need_title"),
            Proposal.need.kind.as_alias("kind"),
            Proposal.need.places.as_alias("places"),
            Proposal.need.starts_on.as_alias("starts_on"),
            Proposal.need.ends_on.as_alias("ends_on"),
            Proposal.need.facility.id.as_alias("facility_id"),
            Proposal.need.facility.name_en.as_alias("facility_en"),
            Proposal.need.facility.name_ar.as_alias("facility_ar"),
            Proposal.doctor.id.as_alias("doctor_id"),
            Proposal.doctor.user.id.as_alias("doctor_user"),
            Proposal.doctor.user.full_name.as_alias("doctor_name"),
        )
        .where(Proposal.id == proposal_id)
        .first()
        .run()
    )
    if (
        row is None
        or row["kind"] != NeedKind.MISSION.value
        or row["state"] not in MISSION_STATES
        or row["starts_on"] is None
        or row["ends_on"] is None
    ):
        raise _missing(proposal_id)
    return Mission(
        pairing_id=int(row["id"]),
        state=row["state"],
        need_id=int(row["need_id"]),
        need_title=row["need_title"],
        places=int(row["places"]),
        facility_id=int(row["facility_id"]),
        facility_en=row["facility_en"],
        facility_ar=row["facility_ar"],
        doctor_id=row["doctor_id"],
        doctor_user=row["doctor_user"],
        doctor_name=row["doctor_name"] or "",
        starts_on=row["starts_on"],
        ends_on=row["ends_on"],
    )


async def part_of(account: Account, mission: Mission) -> str:
    """``doctor``, ``head`` or ``coordinator``: the viewer's part; 404 for anyone else
    (a stranger learns nothing, not even that the mission exists)."""
    if account.role in (Role.COORDINATOR, Role.ADMIN):
        return "coordinator"
    if account.role == Role.DOCTOR and mission.doctor_user == account.id:
        return "doctor"
    if account.role == Role.FACILITY_HEAD and await is_head_of(account.id, mission.facility_id):
        return "head"
    raise _missing(mission.pairing_id)


async def mission_for(account: Account, proposal_id: int) -> tuple[Mission, str]:
    mission = await load_mission(proposal_id)
    return mission, await part_of(account, mission)
