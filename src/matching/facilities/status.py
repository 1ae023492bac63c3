"""A need's fill status, recomputed from its confirmed pairings.

open -> partly_filled -> filled follows the confirmed doctors against the
places; drafts, closed and cancelled needs keep their status. This module sits
below both ``facilities.services`` and ``pairings.transitions`` (each calls it
inside its own transaction), so neither has to import the other to keep a
need's status true.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from matching.accounts.services import Account
from matching.audit.services import record_event
from matching.db import lock_rows, write_transaction
from matching.errors import NotFound
from matching.facilities.tables import Need, NeedStatus
from matching.i18n import N_
from matching.pairings.tables import Proposal, ProposalState

LIVE_STATUSES = (NeedStatus.OPEN, NeedStatus.PARTLY_FILLED, NeedStatus.FILLED)


async def lock_need(need_id: int) -> dict[str, Any]:
    """The need's row, locked until the end of the caller's transaction.

    ``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite the caller's IMMEDIATE
    transaction (:func:`matching.db.write_transaction`) already serialises
    writers. Every check of a need's places runs after this, so two processes
    deciding about the same need take turns.
    """
    row = await lock_rows(Need.select().where(Need.id == need_id)).first().run()
    if row is None:
        raise NotFound(N_("This need does not exist."))
    return row


async def confirmed_count(need_id: int) -> int:
    return await Proposal.count().where(
        Proposal.need == need_id, Proposal.state == ProposalState.CONFIRMED.value
    )


@dataclass(frozen=True, slots=True)
class ConfirmedDoctor:
    """A doctor confirmed for a need, and the pairing that says so."""

    proposal_id: int
    doctor_name: str


async def confirmed_doctors(need_id: int) -> list[ConfirmedDoctor]:
    """The need's confirmed pairings with their doctors' names, oldest first."""
    rows = await (
        Proposal.select(Proposal.id, Proposal.doctor.user.full_name.as_alias("doctor_name"))
        .where(Proposal.need == need_id, Proposal.state == ProposalState.CONFIRMED.value)
        .order_by(Proposal.id)
        .run()
    )
    return [ConfirmedDoctor(int(r["id"]), r["doctor_name"] or "") for r in rows]


def status_for(places: int, confirmed: int) -> NeedStatus:
    if confirmed <= 0:
        return NeedStatus.OPEN
    return NeedStatus.FILLED if confirmed >= places else NeedStatus.PARTLY_FILLED


async def refresh(need_id: int, actor: Account | None) -> str:
    """Recompute the status inside the caller's transaction; returns it."""
    row = await lock_need(need_id)
    if row["status"] not in LIVE_STATUSES:
        return str(row["status"])
    new = status_for(int(row["places"]), await confirmed_count(need_id)).value
    if new != row["status"]:
        await (
            Need.update({Need.status: new, Need.updated_at: datetime.now(UTC)})
            .where(Need.id == need_id)
            .run()
        )
        await record_event(
            actor_id=actor.id if actor else None,
            actor_label=actor.email if actor else "system",
            action="need.status_changed",
            subject_type="need",
            subject_id=need_id,
            before={"status": row["status"]},
            after={"status": new},
        )
    return new


async def refresh_need_status(need_id: int, *, actor: Account | None = None) -> str:
    """Recompute open / partly_filled / filled from the CONFIRMED proposals vs places.

    Drafts, closed and cancelled needs keep their status. Safe to call inside the
    caller's transaction (it joins it); returns the status now stored.
    """
    async with write_transaction():
        return await refresh(need_id, actor)
