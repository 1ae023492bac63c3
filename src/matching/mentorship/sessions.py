"""The one writer of ``mentorship_session``'s states: a session's life.

Transitions (one table, :data:`SESSION_TRANSITIONS`)::

    planned -> held     minutes 1..600, once the session has started
    planned -> missed   by whom (doctor, mentee, both, other), once it has started
    planned -> moved    to a new time in the future: a replacement session (planned)
                        both sides see, and the calendar file follows

Either side marks: the doctor, a head of the facility (acting for the mentee) or the
mentee's own account; the row says who entered it and when, and the audit event in
the same transaction says as whom. Each transition is a conditional
``UPDATE ... WHERE status = 'planned'`` whose row count is checked: of two marks at
once exactly one wins, the other gets a 409 naming the state it found, and nothing
else changes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from matching.accounts.services import Account
from matching.audit.services import record_event
from matching.db import write_transaction
from matching.errors import Conflict, Forbidden, NotFound, ValidationFailed
from matching.i18n import N_
from matching.mentorship.parties import check_parties
from matching.mentorship.schemas import HeldMark, MissedMark, MoveMark
from matching.mentorship.services import side_of_viewer
from matching.mentorship.tables import MentorshipSession, MentorshipStatus, MissedBy, SessionStatus

MIN_MINUTES, MAX_MINUTES = 1, 600


class SessionAction(StrEnum):
    HOLD = "hold"
    MISS = "miss"
    MOVE = "move"


SESSION_TRANSITIONS: dict[tuple[SessionStatus, SessionAction], SessionStatus] = {
    (SessionStatus.PLANNED, SessionAction.HOLD): SessionStatus.HELD,
    (SessionStatus.PLANNED, SessionAction.MISS): SessionStatus.MISSED,
    (SessionStatus.PLANNED, SessionAction.MOVE): SessionStatus.MOVED,
}

_ILLEGAL = {
    SessionAction.HOLD: N_(
        "This session cannot be marked held: it is already %(status)s. Nothing was changed."
    ),
    SessionAction.MISS: N_(
        "This session cannot be marked missed: it is already %(status)s. Nothing was changed."
    ),
    SessionAction.MOVE: N_(
        "This session cannot be moved: it is already %(status)s. Nothing was changed."
    ),
}


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


async def _session(mentorship_id: int, session_id: int) -> dict[str, Any]:
    row = (
        await MentorshipSession.select()
        .where(MentorshipSession.id == session_id, MentorshipSession.mentorship == mentorship_id)
        .first()
        .run()
    )
    if row is None:
        raise NotFound(N_("No such session"))
    return row


async def _prepare(
    account: Account, pairing_id: int, session_id: int, action: SessionAction
) -> tuple[dict[str, Any], str, str]:
    """The session, the side marking it and as whom; refusals before any write."""
    parties, viewer = await check_parties(account, pairing_id)
    if not side_of_viewer(viewer):
        raise Forbidden(N_("Only the doctor, a head of the facility or the mentee can do this."))
    if parties.mentorship_id is None:
        raise NotFound(N_("No such session"))
    row = await _session(parties.mentorship_id, session_id)
    if parties.status != MentorshipStatus.ACTIVE:
        raise Conflict(N_("This mentorship is already completed."))
    if (SessionStatus(row["status"]), action) not in SESSION_TRANSITIONS:
        raise _illegal(row["status"], action)
    as_whom = "doctor" if viewer.is_doctor else "mentee" if viewer.is_mentee else "head"
    return row, side_of_viewer(viewer), as_whom


def _illegal(status: str, action: SessionAction) -> Conflict:
    return Conflict(
        _ILLEGAL[action], params={"status": status}, labels={"status": "session_status"}
    )


async def _move(
    account: Account,
    pairing_id: int,
    row: dict[str, Any],
    action: SessionAction,
    values: dict[Any, Any],
    details: dict[str, Any],
) -> None:
    """Apply one transition with its audit event; call inside a transaction."""
    target = SESSION_TRANSITIONS[(SessionStatus(row["status"]), action)]
    updated = (
        await MentorshipSession.update(
            {
                MentorshipSession.status: target.value,
                MentorshipSession.entered_by: account.id,
                MentorshipSession.entered_at: datetime.now(UTC),
                **values,
            }
        )
        .where(MentorshipSession.id == row["id"], MentorshipSession.status == row["status"])
        .returning(MentorshipSession.id)
        .run()
    )
    if not updated:  # marked by someone else between our read and our write
        current = await MentorshipSession.select(MentorshipSession.status).where(
            MentorshipSession.id == row["id"]
        )
        raise _illegal(current[0]["status"], action)
    await record_event(
        actor_id=account.id,
        actor_label=account.email,
        action=f"session.{target.value}",
        subject_type="mentorship_session",
        subject_id=row["id"],
        before={"status": row["status"]},
        after={"status": target.value, "pairing": pairing_id, **details},
    )


def _started(row: dict[str, Any], now: datetime, field: str) -> None:
    if _aware(row["starts_at"]) > now:
        raise ValidationFailed(
            {field: N_("this session has not started yet: it can be marked once it starts")}
        )


async def mark_held(
    account: Account,
    pairing_id: int,
    session_id: int,
    mark: HeldMark,
    *,
    now: datetime | None = None,
) -> None:
    """planned -> held, with its minutes (1..600)."""
    row, side, as_whom = await _prepare(account, pairing_id, session_id, SessionAction.HOLD)
    errors = dict(mark.unreadable)
    if "minutes" not in errors and not MIN_MINUTES <= mark.minutes <= MAX_MINUTES:
        errors["minutes"] = N_("give the minutes held, from %(min)s to %(max)s")
    if errors:
        raise ValidationFailed(errors, params={"minutes": {"min": MIN_MINUTES, "max": MAX_MINUTES}})
    _started(row, now or datetime.now(UTC), "minutes")
    async with write_transaction():
        await _move(
            account,
            pairing_id,
            row,
            SessionAction.HOLD,
            {MentorshipSession.minutes: mark.minutes},
            {"minutes": mark.minutes, "side": side, "as": as_whom},
        )


async def mark_missed(
    account: Account,
    pairing_id: int,
    session_id: int,
    mark: MissedMark,
    *,
    now: datetime | None = None,
) -> None:
    """planned -> missed, saying by whom."""
    row, side, as_whom = await _prepare(account, pairing_id, session_id, SessionAction.MISS)
    errors = dict(mark.unreadable)
    if "missed_by" not in errors and mark.missed_by not in MissedBy.__members__.values():
        errors["missed_by"] = N_("choose who missed it")
    if errors:
        raise ValidationFailed(errors)
    _started(row, now or datetime.now(UTC), "missed_by")
    async with write_transaction():
        await _move(
            account,
            pairing_id,
            row,
            SessionAction.MISS,
            {MentorshipSession.missed_by: mark.missed_by},
            {"missed_by": mark.missed_by, "side": side, "as": as_whom},
        )


async def move_session(
    account: Account,
    pairing_id: int,
    session_id: int,
    mark: MoveMark,
    *,
    now: datetime | None = None,
) -> int:
    """planned -> moved; a replacement session at the new time (same length); its id."""
    row, side, as_whom = await _prepare(account, pairing_id, session_id, SessionAction.MOVE)
    errors = dict(mark.unreadable)
    now = now or datetime.now(UTC)
    if "starts_at" not in errors:
        if mark.starts_at is None or mark.starts_at.tzinfo is None:
            errors["starts_at"] = N_("give the new date and time")
        elif mark.starts_at <= now:
            errors["starts_at"] = N_("the new time must be in the future")
    if errors:
        raise ValidationFailed(errors)
    assert mark.starts_at is not None
    new_start = mark.starts_at.astimezone(UTC)
    new_end = new_start + (_aware(row["ends_at"]) - _aware(row["starts_at"]))
    async with write_transaction():
        inserted = (
            await MentorshipSession.insert(
                MentorshipSession(
                    mentorship=row["mentorship"],
                    starts_at=new_start,
                    ends_at=new_end,
                    moved_from=row["id"],
                    entered_by=account.id,
                    entered_at=now,
                )
            )
            .returning(MentorshipSession.id)
            .run()
        )
        new_id = int(inserted[0]["id"])
        await _move(
            account,
            pairing_id,
            row,
            SessionAction.MOVE,
            {MentorshipSession.moved_to: new_id},
            {"moved_to": new_id, "starts_at": new_start.isoformat(), "side": side, "as": as_whom},
        )
    return new_id
