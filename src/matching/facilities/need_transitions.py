"""A need's status: the one module that writes ``need.status``.

Moves (one table, :data:`NEED_MOVES`), each with who may make it::

    draft         -> open | cancelled        a head of the facility or a coordinator
    open          -> closed | cancelled      (publish, close, cancel)
    partly_filled -> closed | cancelled
    filled        -> closed
    closed        -> open                    (reopen)
    open <-> partly_filled <-> filled        the system, from the confirmed doctors
                                             against the places (:func:`settle_fill`)

Each move is a conditional ``UPDATE ... WHERE status = <the status read>`` whose
row count is checked, with its audit event, inside the caller's transaction; an
illegal move is a 409 naming both statuses. What a move does to the need's
proposals (withdraw those waiting, refuse while doctors are committed) is the
pairings' business: ``pairings.need_lifecycle`` calls this module and
``pairings.transitions`` in one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from matching.accounts.services import Account
from matching.audit.services import record_event
from matching.db import lock_rows
from matching.errors import Conflict, NotFound
from matching.facilities.tables import Need, NeedStatus
from matching.i18n import N_


class Mover(StrEnum):
    """Who may make a move: a person (a head of the facility, a coordinator) or the system."""

    PERSON = "person"
    SYSTEM = "system"


# The single source of truth: (from, to) -> who may make the move. Order is the
# order the need's page offers the moves in.
NEED_MOVES: dict[tuple[NeedStatus, NeedStatus], Mover] = {
    (NeedStatus.DRAFT, NeedStatus.OPEN): Mover.PERSON,
    (NeedStatus.DRAFT, NeedStatus.CANCELLED): Mover.PERSON,
    (NeedStatus.OPEN, NeedStatus.CLOSED): Mover.PERSON,
    (NeedStatus.OPEN, NeedStatus.CANCELLED): Mover.PERSON,
    (NeedStatus.PARTLY_FILLED, NeedStatus.CLOSED): Mover.PERSON,
    (NeedStatus.PARTLY_FILLED, NeedStatus.CANCELLED): Mover.PERSON,
    (NeedStatus.FILLED, NeedStatus.CLOSED): Mover.PERSON,
    (NeedStatus.CLOSED, NeedStatus.OPEN): Mover.PERSON,
    (NeedStatus.OPEN, NeedStatus.PARTLY_FILLED): Mover.SYSTEM,
    (NeedStatus.OPEN, NeedStatus.FILLED): Mover.SYSTEM,
    (NeedStatus.PARTLY_FILLED, NeedStatus.OPEN): Mover.SYSTEM,
    (NeedStatus.PARTLY_FILLED, NeedStatus.FILLED): Mover.SYSTEM,
    (NeedStatus.FILLED, NeedStatus.OPEN): Mover.SYSTEM,
    (NeedStatus.FILLED, NeedStatus.PARTLY_FILLED): Mover.SYSTEM,
}
#: Statuses whose fill (open, partly filled, filled) follows the confirmed doctors.
LIVE_STATUSES = (NeedStatus.OPEN, NeedStatus.PARTLY_FILLED, NeedStatus.FILLED)
#: A need in one of these cannot be edited.
ENDED_STATUSES = (NeedStatus.CLOSED, NeedStatus.CANCELLED)


def person_moves(status: str) -> list[NeedStatus]:
    """The statuses a person may move a need in ``status`` to, in the page's order."""
    current = NeedStatus(status)
    return [
        target
        for (source, target), mover in NEED_MOVES.items()
        if source == current and mover == Mover.PERSON
    ]


def require_move(current: NeedStatus, wanted: NeedStatus, *, by: Mover) -> None:
    """Raise ``Conflict`` unless ``by`` may move a need from ``current`` to ``wanted``."""
    if NEED_MOVES.get((current, wanted)) != by:
        raise Conflict(
            N_("A need that is %(current)s cannot become %(wanted)s."),
            params={"current": current.value, "wanted": wanted.value},
            labels={"current": "need_status", "wanted": "need_status"},
        )


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


async def move_need(
    need: Mapping[str, Any],
    wanted: NeedStatus,
    *,
    by: Mover,
    actor: Account | None,
    details: Mapping[str, Any] | None = None,
) -> None:
    """Move the locked ``need`` (its row as read) to ``wanted``, with its audit event.

    Call inside a write transaction. The row moves only from the status read; a
    need moved by someone else in between is a 409.
    """
    current = NeedStatus(need["status"])
    require_move(current, wanted, by=by)
    moved = (
        await Need.update({Need.status: wanted.value, Need.updated_at: datetime.now(UTC)})
        .where(Need.id == need["id"], Need.status == current.value)
        .returning(Need.id)
        .run()
    )
    if not moved:  # moved by someone else between our read and our write
        now = await lock_need(int(need["id"]))
        raise Conflict(
            N_("A need that is %(current)s cannot become %(wanted)s."),
            params={"current": now["status"], "wanted": wanted.value},
            labels={"current": "need_status", "wanted": "need_status"},
        )
    await record_event(
        actor_id=actor.id if actor else None,
        actor_label=actor.email if actor else "system",
        action="need.status_changed",
        subject_type="need",
        subject_id=int(need["id"]),
        before={"status": current.value},
        after={"status": wanted.value, **(details or {})},
    )


def status_for(places: int, confirmed: int) -> NeedStatus:
    """The fill status of a live need holding ``confirmed`` doctors for ``places``."""
    if confirmed <= 0:
        return NeedStatus.OPEN
    return NeedStatus.FILLED if confirmed >= places else NeedStatus.PARTLY_FILLED


async def settle_fill(need: Mapping[str, Any], confirmed: int, actor: Account | None) -> str:
    """Move the locked, live ``need`` to the fill status ``confirmed`` doctors give it.

    Drafts, closed and cancelled needs keep their status. Returns the status now
    stored. The confirmed doctors are counted by the caller (``pairings.need_fill``).
    """
    if need["status"] not in LIVE_STATUSES:
        return str(need["status"])
    new = status_for(int(need["places"]), confirmed)
    if new != need["status"]:
        await move_need(need, new, by=Mover.SYSTEM, actor=actor)
    return new.value
