"""What happens to a need's pairings when the need changes: the use cases that
touch both a need (``facilities``) and its proposals (``pairings.transitions``).

* :func:`change_need_status`: publish, close, reopen or cancel. Closing or
  cancelling withdraws the proposals still waiting for a person; cancelling a
  need that doctors have accepted is refused.
* :func:`change_need`: an edit, never below the places the need's pairings hold.
* :func:`describe_need`: one need with the pairings it holds (its page, the API).

Each change is one write transaction under the need's lock
(``facilities.need_transitions.lock_need``), so it takes turns with a doctor's
accept in another process; the need's status moves only through the facilities'
transition table, the proposals only through ``pairings.transitions``.
"""

from __future__ import annotations

import msgspec

from matching.accounts.services import Account
from matching.db import write_transaction
from matching.errors import Conflict, ValidationFailed
from matching.facilities.need_commands import (
    check_need_access,
    need_row,
    prepare_change,
    require_editable,
    write_change,
)
from matching.facilities.need_queries import get_need
from matching.facilities.need_rules import check_publishable, ranking_due
from matching.facilities.need_transitions import Mover, lock_need, move_need, require_move
from matching.facilities.schemas import NeedChange, NeedMoved, NeedSaved, NeedView
from matching.facilities.tables import NeedStatus
from matching.i18n import N_
from matching.pairings import transitions
from matching.pairings.need_fill import confirmed_doctors, refresh

#: Moves that end the search: the proposals still waiting for a person are withdrawn.
_ENDING = (NeedStatus.CLOSED, NeedStatus.CANCELLED)


async def change_need_status(
    need_id: int, target: str, *, actor: Account, reason: str = ""
) -> NeedMoved:
    """Publish, close, reopen or cancel a need (a head of its facility or a coordinator).

    Under the need's lock, closing or cancelling withdraws the proposals still
    waiting for a person, each from the state it is in
    (``transitions.withdraw_pending``). Accepted and confirmed pairings are never
    withdrawn: closing keeps them, and cancelling a need that holds any is refused
    (each is cancelled first, with a reason that tells the doctor).
    """
    try:
        wanted = NeedStatus(target)
    except ValueError:
        raise ValidationFailed({"status": N_("unknown status")}) from None
    await check_need_access(actor, await need_row(need_id))
    async with write_transaction():
        before = await lock_need(need_id)
        current = NeedStatus(before["status"])
        require_move(current, wanted, by=Mover.PERSON)
        if wanted == NeedStatus.OPEN:
            check_publishable(before, current)
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
        withdrawn = 0
        if wanted in _ENDING:
            withdrawn = await transitions.withdraw_pending(
                need_id, actor, reason=f"need {wanted.value}"
            )
        await move_need(
            before,
            wanted,
            by=Mover.PERSON,
            actor=actor,
            details={"withdrawn_proposals": withdrawn, "reason": reason},
        )
        status = wanted.value
        if wanted == NeedStatus.OPEN:
            status = await refresh(need_id, actor)
    return NeedMoved(
        id=need_id, status=status, withdrawn=withdrawn, ranking_due=ranking_due(status)
    )


async def change_need(need_id: int, change: NeedChange, *, actor: Account) -> NeedSaved:
    """Edit a need; never into an impossible state (places below the doctors it holds).

    The places are checked under the need's lock, in the same transaction as the
    write, so an approval in another process cannot slip in between the count and
    the change.
    """
    _, fields = await prepare_change(need_id, change, actor=actor)
    async with write_transaction():
        locked = await lock_need(need_id)
        require_editable(locked)
        await transitions.check_places(need_id, int(fields.row["places"]))
        await write_change(locked, fields, actor=actor)
        status = await refresh(need_id, actor)
    return NeedSaved(id=need_id, status=status, ranking_due=ranking_due(status))


async def pending_proposals(need_id: int) -> int:
    """How many proposals still wait for review (withdrawn if the need is closed)."""
    return await transitions.held_count(need_id, states=transitions.PENDING_STATES)


async def describe_need(need_id: int, *, viewer: Account) -> NeedView:
    """One need as its page and the API show it, with the pairings it holds."""
    need = await get_need(need_id, viewer=viewer)
    doctors = await confirmed_doctors(need_id)
    return msgspec.structs.replace(
        need,
        confirmed_doctors=doctors,
        confirmed=len(doctors),
        pending=await pending_proposals(need_id),
    )
