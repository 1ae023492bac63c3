"""A mission turned remote: the one writer of ``remote_offer``.

Transitions (one table, :data:`OFFER_MOVES`)::

    offered -> accepted     the doctor: the pairing goes on, as remote work
    offered -> declined     the doctor: the pairing ends with the reason
                            (approved -> declined, confirmed -> cancelled)

:func:`make_remote` (a coordinator, one action) turns an in-person need into a
remote mentorship or a remote workshop through the facilities owner
(:func:`matching.facilities.need_commands.prepare_remote` and ``write_remote``:
the kind change with its audit event, before and after), offers the change to
every held pairing of the need (the doctor is told, in their language: mail and
notification) and says the need is due for ranking again. Each move is a
conditional ``UPDATE ... WHERE state = 'offered'`` whose row count is checked: a
second answer is a 409 and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from matching.accounts.services import Account
from matching.accounts.tables import Role
from matching.audit.services import record_event
from matching.db import write_transaction
from matching.doctors.tables import DoctorProfile
from matching.errors import Conflict, Forbidden, NotFound, ValidationFailed
from matching.facilities.need_commands import is_in_person, prepare_remote, write_remote
from matching.facilities.need_rules import ranking_due
from matching.facilities.need_transitions import lock_need
from matching.facilities.schemas import RemoteChange
from matching.facilities.tables import Facility, FacilityHead, NeedStatus
from matching.i18n import N_
from matching.labels import label
from matching.mail.notifications import notify
from matching.mail.outbox import queue_template
from matching.pairings.tables import OfferState, Proposal, RemoteOffer
from matching.pairings.transitions import HOLDING_STATES, coordinator_ids, end_for_declined_change


class OfferAction(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"


OFFER_MOVES: dict[tuple[OfferState, OfferAction], OfferState] = {
    (OfferState.OFFERED, OfferAction.ACCEPT): OfferState.ACCEPTED,
    (OfferState.OFFERED, OfferAction.DECLINE): OfferState.DECLINED,
}
DECLINED_REASON = N_("declined the change to remote work")
MAX_NOTE = 1000

OFFERED_MESSAGE = N_(
    "%(title)s at %(facility)s becomes %(kind)s: please accept or decline the change."
)
ACCEPTED_MESSAGE = N_("%(doctor)s accepted the change of %(title)s to %(kind)s.")
DECLINED_MESSAGE = N_("%(doctor)s declined the change of %(title)s to %(kind)s: the pairing ended.")


@dataclass(frozen=True, slots=True)
class MadeRemote:
    need_id: int
    kind: str
    offers: tuple[int, ...]
    ranking_due: bool


@dataclass(frozen=True, slots=True)
class OfferView:
    id: int
    proposal_id: int
    need_id: int
    kind: str
    state: str
    note: str
    created_at: datetime


def _require_coordinator(actor: Account) -> None:
    if actor.role not in (Role.COORDINATOR, Role.ADMIN):
        raise Forbidden(N_("Only a coordinator can turn a mission into remote work."))


def _kind_params(kind: str) -> dict[str, str]:
    return {"kind": label(kind, "remote_kind", "en"), "kind_ar": label(kind, "remote_kind", "ar")}


async def make_remote(
    need_id: int, change: RemoteChange, *, actor: Account, base_url: str = ""
) -> MadeRemote:
    """Turn an in-person need into remote work and offer the change to its held
    pairings, in one transaction (see the module docstring)."""
    _require_coordinator(actor)
    before, fields = await prepare_remote(need_id, change, actor=actor)
    async with write_transaction(Proposal._meta.db):
        locked = await lock_need(need_id)
        if not is_in_person(locked) or locked["kind"] != before["kind"]:
            raise Conflict(N_("This need was changed meanwhile; open it again."))
        await write_remote(locked, fields, actor=actor, note=change.note)
        held = (
            await Proposal.select(
                Proposal.id, Proposal.state, Proposal.doctor.user.id,
                Proposal.doctor.user.email, Proposal.doctor.user.full_name,
                Proposal.doctor.user.language,
            )
            .where(Proposal.need == need_id, Proposal.state.is_in(list(HOLDING_STATES)))
            .order_by(Proposal.id)
            .run()
        )  # fmt: skip
        facility = (
            await Facility.select(Facility.name_en, Facility.name_ar)
            .where(Facility.id == locked["facility"])
            .first()
        )
        kind = str(fields.row["kind"])
        offers = []
        for p in held:
            rows = (
                await RemoteOffer.insert(
                    RemoteOffer(
                        proposal=p["id"],
                        need=need_id,
                        kind=kind,
                        state=OfferState.OFFERED.value,
                        offered_by=actor.id,
                        note=change.note.strip(),
                    )
                )
                .on_conflict(action="DO NOTHING")
                .returning(RemoteOffer.id)
                .run()
            )
            if not rows:
                continue
            offer_id = int(rows[0]["id"])
            offers.append(offer_id)
            await record_event(
                actor_id=actor.id,
                actor_label=actor.email,
                action="remote_offer.offered",
                subject_type="remote_offer",
                subject_id=offer_id,
                after={"proposal": int(p["id"]), "need": need_id, "kind": kind},
            )
            if p["doctor.user.id"] is None:
                continue
            link = f"/pairings/{p['id']}"
            language = p["doctor.user.language"] or "en"
            await queue_template(
                p["doctor.user.email"],
                "remote_offer",
                language,
                name=p["doctor.user.full_name"],
                link=base_url + link,
                title=locked["title"],
                facility=facility,
                kind=label(kind, "remote_kind", language),
                note=change.note.strip(),
            )
            await notify(
                int(p["doctor.user.id"]),
                OFFERED_MESSAGE,
                {
                    "title": locked["title"],
                    "facility": facility["name_en"],
                    "facility_ar": facility["name_ar"],
                    **_kind_params(kind),
                },
                link,
            )
    return MadeRemote(
        need_id=need_id,
        kind=kind,
        offers=tuple(offers),
        ranking_due=ranking_due(NeedStatus(locked["status"])),
    )


def _view(row: dict[str, Any]) -> OfferView:
    return OfferView(
        id=int(row["id"]),
        proposal_id=int(row["proposal"]),
        need_id=int(row["need"]),
        kind=row["kind"],
        state=row["state"],
        note=row["note"] or "",
        created_at=row["created_at"],
    )


async def offers_of(proposal_id: int) -> list[OfferView]:
    """The pairing's offers, newest first (no access check: call after the pairing's)."""
    rows = (
        await RemoteOffer.select()
        .where(RemoteOffer.proposal == proposal_id)
        .order_by(RemoteOffer.id, ascending=False)
        .run()
    )
    return [_view(r) for r in rows]


async def _own_waiting(proposal_id: int, actor: Account, action: OfferAction) -> dict[str, Any]:
    proposal = (
        await Proposal.select(Proposal.id, Proposal.need, Proposal.doctor)
        .where(Proposal.id == proposal_id)
        .first()
        .run()
    )
    if proposal is None:
        raise NotFound(N_("Proposal #%(id)s does not exist."), params={"id": proposal_id})
    owner = None
    if proposal["doctor"] is not None:
        owner = (
            await DoctorProfile.select(DoctorProfile.user)
            .where(DoctorProfile.id == proposal["doctor"])
            .first()
        )
    if actor.role != Role.DOCTOR or owner is None or int(owner["user"]) != actor.id:
        raise Forbidden(N_("This pairing is offered to another doctor."))
    offer = (
        await RemoteOffer.select()
        .where(RemoteOffer.proposal == proposal_id)
        .order_by(RemoteOffer.id, ascending=False)
        .first()
        .run()
    )
    if offer is None or OFFER_MOVES.get((OfferState(offer["state"]), action)) is None:
        raise Conflict(N_("No change to remote work waits for your answer on this pairing."))
    return offer


async def _move_offer(offer: dict[str, Any], action: OfferAction, actor: Account) -> str:
    target = OFFER_MOVES[(OfferState(offer["state"]), action)]
    moved = (
        await RemoteOffer.update(
            {RemoteOffer.state: target.value, RemoteOffer.answered_at: datetime.now(UTC)}
        )
        .where(RemoteOffer.id == offer["id"], RemoteOffer.state == offer["state"])
        .returning(RemoteOffer.id)
        .run()
    )
    if not moved:
        raise Conflict(N_("No change to remote work waits for your answer on this pairing."))
    await record_event(
        actor_id=actor.id,
        actor_label=actor.email,
        action=f"remote_offer.{target.value}",
        subject_type="remote_offer",
        subject_id=int(offer["id"]),
        before={"state": offer["state"]},
        after={"state": target.value, "proposal": int(offer["proposal"])},
    )
    return target.value


async def _tell_staff(offer: dict[str, Any], actor: Account, message: str) -> None:
    """Notify the need's facility heads and the coordinators (their language at display)."""
    need = await lock_need(int(offer["need"]))
    facility = (
        await Facility.select(Facility.name_en, Facility.name_ar)
        .where(Facility.id == need["facility"])
        .first()
    )
    params = {
        "doctor": actor.full_name,
        "title": need["title"],
        "facility": facility["name_en"],
        "facility_ar": facility["name_ar"],
        **_kind_params(offer["kind"]),
    }
    heads = await FacilityHead.select(FacilityHead.user).where(
        FacilityHead.facility == need["facility"], FacilityHead.user.is_active.eq(True)
    )
    link = f"/pairings/{offer['proposal']}"
    for user_id in [*[int(h["user"]) for h in heads], *await coordinator_ids(active=True)]:
        await notify(user_id, message, params, link)


async def accept_change(proposal_id: int, actor: Account) -> OfferView:
    """The doctor accepts the change to remote work: the pairing goes on."""
    offer = await _own_waiting(proposal_id, actor, OfferAction.ACCEPT)
    async with write_transaction(Proposal._meta.db):
        state = await _move_offer(offer, OfferAction.ACCEPT, actor)
        await _tell_staff(offer, actor, ACCEPTED_MESSAGE)
    return _view({**offer, "state": state})


async def decline_change(proposal_id: int, actor: Account, *, note: str = "") -> OfferView:
    """The doctor declines the change: the pairing ends with the reason, the place is
    free again (the caller queues the need's ranking)."""
    if len(note.strip()) > MAX_NOTE:
        raise ValidationFailed({"note": N_("must be at most 1000 characters")})
    offer = await _own_waiting(proposal_id, actor, OfferAction.DECLINE)
    reason = DECLINED_REASON + (f": {note.strip()}" if note.strip() else "")
    async with write_transaction(Proposal._meta.db):
        state = await _move_offer(offer, OfferAction.DECLINE, actor)
        await end_for_declined_change(proposal_id, actor, reason=reason)
        await _tell_staff(offer, actor, DECLINED_MESSAGE)
    return _view({**offer, "state": state})
