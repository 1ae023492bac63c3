"""Who a mentorship belongs to, and who may see it.

A mentorship's parties are its doctor (the mentor), the heads of the need's facility,
the mentee (a person of the facility, through their own account when they have one),
and coordinators. Sessions, goals, cases and feedback all ask :func:`check_parties`.
"""

from __future__ import annotations

from datetime import date

from msgspec import Struct

from matching.accounts.services import Account
from matching.accounts.tables import Role
from matching.errors import NotFound
from matching.facilities.membership import is_head_of, is_staff
from matching.facilities.tables import NeedKind
from matching.i18n import N_
from matching.mentorship.tables import Mentorship
from matching.pairings.tables import Proposal, ProposalState


class MentorshipParties(Struct, kw_only=True, frozen=True):
    pairing_id: int
    need_id: int
    facility_id: int
    doctor_user_id: int | None
    mentorship_id: int | None
    mentee_person_id: int | None
    mentee_user_id: int | None
    starts_on: date | None
    ends_on: date | None
    status: str  # the mentorship's status, "active" before its row exists


class Viewer(Struct, kw_only=True, frozen=True):
    """What the account is to this mentorship."""

    is_doctor: bool
    is_head: bool
    is_mentee: bool
    is_staff: bool


async def parties_of(pairing_id: int) -> MentorshipParties:
    """The parties of a confirmed mentorship pairing (``NotFound`` otherwise)."""
    row = (
        await Proposal.select(
            Proposal.id,
            Proposal.need.id.as_alias("need_id"),
            Proposal.need.facility.as_alias("facility_id"),
            Proposal.need.starts_on.as_alias("need_starts_on"),
            Proposal.need.ends_on.as_alias("need_ends_on"),
            Proposal.doctor.user.as_alias("doctor_user_id"),
        )
        .where(
            Proposal.id == pairing_id,
            Proposal.state == ProposalState.CONFIRMED,
            Proposal.need.kind == NeedKind.MENTORSHIP,
        )
        .first()
        .run()
    )
    if row is None:
        raise NotFound(N_("No such mentorship"))
    mentorship = (
        await Mentorship.select(
            Mentorship.id,
            Mentorship.mentee,
            Mentorship.starts_on,
            Mentorship.ends_on,
            Mentorship.status,
            Mentorship.mentee.user.as_alias("mentee_user"),
        )
        .where(Mentorship.pairing == pairing_id)
        .first()
        .run()
    )
    return MentorshipParties(
        pairing_id=pairing_id,
        need_id=row["need_id"],
        facility_id=row["facility_id"],
        doctor_user_id=row["doctor_user_id"],
        mentorship_id=mentorship["id"] if mentorship else None,
        mentee_person_id=mentorship["mentee"] if mentorship else None,
        mentee_user_id=mentorship["mentee_user"] if mentorship else None,
        starts_on=(mentorship and mentorship["starts_on"]) or row["need_starts_on"],
        ends_on=(mentorship and mentorship["ends_on"]) or row["need_ends_on"],
        status=mentorship["status"] if mentorship else "active",
    )


async def viewer_of(account: Account, parties: MentorshipParties) -> Viewer:
    return Viewer(
        is_doctor=parties.doctor_user_id is not None and parties.doctor_user_id == account.id,
        is_head=account.role == Role.FACILITY_HEAD
        and await is_head_of(account.id, parties.facility_id),
        is_mentee=parties.mentee_user_id is not None and parties.mentee_user_id == account.id,
        is_staff=is_staff(account),
    )


async def check_parties(account: Account, pairing_id: int) -> tuple[MentorshipParties, Viewer]:
    """The mentorship and what the account is to it; ``NotFound`` for anyone else (a
    stranger learns nothing, not even that the mentorship exists)."""
    parties = await parties_of(pairing_id)
    viewer = await viewer_of(account, parties)
    if not (viewer.is_doctor or viewer.is_head or viewer.is_mentee or viewer.is_staff):
        raise NotFound(N_("No such mentorship"))
    return parties, viewer


async def mentorships_of_clinician(user_id: int) -> list[int]:
    """Pairing ids of the mentorships whose mentee is this clinician's person."""
    rows = (
        await Mentorship.select(Mentorship.pairing).where(Mentorship.mentee.user == user_id).run()
    )
    return [row["pairing"] for row in rows]
