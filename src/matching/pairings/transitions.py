"""A pairing's life: the one module that writes proposal states and pairing rows.

Transitions (one table, :data:`PROPOSAL_TRANSITIONS`)::

    proposed  -> approved | rejected        a coordinator (reject and swap with a reason)
    approved  -> accepted -> confirmed      the doctor (one transaction) | declined
    proposed, approved -> withdrawn         the need is closed or cancelled
    confirmed -> cancelled                  a coordinator, the doctor or a head of the
                                            facility, with a reason
    confirmed -> completed                  a mission's completion report confirmed by
                                            the facility (``matching.missions``)

Ranking runs (``pairings.runs``) insert ``proposed`` rows and supersede their own
undecided ones; everything else that changes a proposal calls this module
(``pairings.need_lifecycle`` included: closing a need, lowering its places).

Invariants, and what keeps each:

1. **A need never holds more live pairings (approved, accepted, confirmed) than its
   places.** Every transaction that can add one (approve, bulk approve, swap,
   accept) or lower the places (:func:`check_places`) first locks the need's row
   (:func:`matching.facilities.need_transitions.lock_need`: ``SELECT ... FOR UPDATE`` on
   PostgreSQL; the transaction is IMMEDIATE on SQLite, :func:`~matching.db.write_transaction`)
   and counts under that lock, so two server processes take turns. Lock order is
   always need rows (by id) first, then proposals.
2. **At most one live proposal (proposed, approved, accepted, confirmed) per
   (need, doctor)**: the partial unique index ``proposal_live_need_doctor``
   (migration 2026-11-27T10:00); inserts here use ``ON CONFLICT DO NOTHING`` and
   answer 409 when refused.
3. **A decided pairing changes only by a transition from the state it is in**: a
   conditional ``UPDATE ... WHERE state = <the state read>`` whose row count is
   checked; the loser gets a 409 and nothing changes. The audit event records the
   state actually left.
4. **A confirmed pairing ends only by :func:`cancel`**, with a reason, which tells
   the doctor and the heads in their language and brings a runner-up forward.
   Closing a need withdraws only proposed and approved proposals, under the need's
   lock (so it serialises with a doctor's accept); cancelling a need that holds
   accepted or confirmed pairings is refused.
5. Each transition is one transaction with its audit event and its mail and
   notification rows: what is rolled back sends nothing.

Every refusal is a catalog message with placeholders (shown in the reader's
language by the web layer); an illegal transition is a 409, never a silent no-op.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from matching.accounts.services import Account
from matching.accounts.tables import Role, User
from matching.audit.services import record_event
from matching.db import json_object, write_transaction
from matching.doctors.tables import DoctorProfile
from matching.errors import Conflict, Forbidden, NotFound, ValidationFailed
from matching.facilities.need_transitions import LIVE_STATUSES, Mover, lock_need, move_need
from matching.facilities.tables import Facility, FacilityHead, Need, NeedStatus
from matching.i18n import N_
from matching.labels import label
from matching.mail.outbox import queue_template
from matching.mail.tables import Notification
from matching.pairings.need_fill import refresh
from matching.pairings.tables import Proposal, ProposalState


class Action(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    SWAP = "swap"
    ACCEPT = "accept"
    DECLINE = "decline"
    CONFIRM = "confirm"
    WITHDRAW = "withdraw"
    CANCEL = "cancel"
    COMPLETE = "complete"


# The single source of truth: (from_state, action) -> to_state.
PROPOSAL_TRANSITIONS: dict[tuple[ProposalState, Action], ProposalState] = {
    (ProposalState.PROPOSED, Action.APPROVE): ProposalState.APPROVED,
    (ProposalState.PROPOSED, Action.REJECT): ProposalState.REJECTED,
    (ProposalState.PROPOSED, Action.SWAP): ProposalState.REJECTED,
    (ProposalState.APPROVED, Action.ACCEPT): ProposalState.ACCEPTED,
    (ProposalState.APPROVED, Action.DECLINE): ProposalState.DECLINED,
    (ProposalState.ACCEPTED, Action.CONFIRM): ProposalState.CONFIRMED,
    (ProposalState.PROPOSED, Action.WITHDRAW): ProposalState.WITHDRAWN,
    (ProposalState.APPROVED, Action.WITHDRAW): ProposalState.WITHDRAWN,
    (ProposalState.CONFIRMED, Action.CANCEL): ProposalState.CANCELLED,
    (ProposalState.CONFIRMED, Action.COMPLETE): ProposalState.COMPLETED,
}
# Done by the system (closing a need, a confirmed report), never offered to a person.
_SYSTEM_ACTIONS = frozenset({Action.WITHDRAW, Action.CONFIRM, Action.COMPLETE})

# Proposals holding (or about to hold) one of a need's places.
HOLDING_STATES = (
    ProposalState.APPROVED.value,
    ProposalState.ACCEPTED.value,
    ProposalState.CONFIRMED.value,
)
# A need's places that are taken: held, or served by a completed mission.
PLACE_STATES = (*HOLDING_STATES, ProposalState.COMPLETED.value)
# Held by a doctor's own yes.
COMMITTED_STATES = (ProposalState.ACCEPTED.value, ProposalState.CONFIRMED.value)
# At most one of these per (need, doctor): the partial unique index.
LIVE_STATES = (ProposalState.PROPOSED.value, *HOLDING_STATES)
# Still waiting for a person: closing or cancelling the need withdraws them.
PENDING_STATES = (ProposalState.PROPOSED.value, ProposalState.APPROVED.value)
# A doctor refused for, or gone from, this need: never brought forward again.
_REFUSED_STATES = (
    ProposalState.REJECTED.value,
    ProposalState.DECLINED.value,
    ProposalState.CANCELLED.value,
)

REJECT_REASONS: dict[str, str] = {
    "specialty": N_("specialty does not fit"),
    "availability": N_("availability does not fit"),
    "licence": N_("licence concerns"),
    "committed": N_("doctor already committed"),
    "other": N_("other"),
}
SWAPPED_REASON = "swapped"
MAX_REASON = 1000

_VERB = {
    Action.APPROVE: N_("approve"),
    Action.REJECT: N_("reject"),
    Action.SWAP: N_("swap"),
    Action.ACCEPT: N_("accept"),
    Action.DECLINE: N_("decline"),
    Action.CONFIRM: N_("confirm"),
    Action.CANCEL: N_("cancel"),
    Action.COMPLETE: N_("complete"),
}

_PAST = {
    Action.APPROVE: "approved",
    Action.REJECT: "rejected",
    Action.SWAP: "swapped",
    Action.ACCEPT: "accepted",
    Action.DECLINE: "declined",
    Action.CONFIRM: "confirmed",
    Action.WITHDRAW: "withdrawn",
    Action.CANCEL: "cancelled",
    Action.COMPLETE: "completed",
}

# One refusal per action (the state it is in is a placeholder, shown as its label).
_ILLEGAL = {
    Action.APPROVE: N_(
        "Proposal #%(id)s cannot be approved: it is %(state)s. "
        "Only a proposal waiting for review can be approved."
    ),
    Action.REJECT: N_(
        "Proposal #%(id)s cannot be rejected: it is %(state)s. "
        "Only a proposal waiting for review can be rejected."
    ),
    Action.SWAP: N_(
        "Proposal #%(id)s cannot be swapped: it is %(state)s. "
        "Only a proposal waiting for review can be swapped."
    ),
    Action.ACCEPT: N_(
        "Pairing #%(id)s cannot be accepted: it is %(state)s. "
        "Only a pairing a coordinator approved can be accepted."
    ),
    Action.DECLINE: N_(
        "Pairing #%(id)s cannot be declined: it is %(state)s. "
        "Only a pairing a coordinator approved can be declined."
    ),
    Action.CONFIRM: N_(
        "Pairing #%(id)s cannot be confirmed: it is %(state)s. "
        "Only an accepted pairing can be confirmed."
    ),
    Action.WITHDRAW: N_(
        "Proposal #%(id)s cannot be withdrawn: it is %(state)s. "
        "Only a proposal waiting for review or for the doctor's answer can be withdrawn."
    ),
    Action.CANCEL: N_(
        "Pairing #%(id)s cannot be cancelled: it is %(state)s. "
        "Only a confirmed pairing can be cancelled."
    ),
    Action.COMPLETE: N_(
        "Pairing #%(id)s cannot be completed: it is %(state)s. "
        "Only a confirmed pairing can be completed."
    ),
}


def next_state(state: str, action: Action) -> ProposalState | None:
    """The state ``action`` leads to from ``state``, or None when it is not allowed."""
    try:
        return PROPOSAL_TRANSITIONS.get((ProposalState(state), action))
    except ValueError:
        return None


def allowed_actions(state: str) -> list[Action]:
    """What a person may do to a proposal in ``state``."""
    return [
        action
        for (source, action) in PROPOSAL_TRANSITIONS
        if source.value == state and action not in _SYSTEM_ACTIONS
    ]


def _illegal(proposal_id: int, state: str, action: Action) -> Conflict:
    return Conflict(
        _ILLEGAL[action],
        params={"id": proposal_id, "state": state},
        labels={"state": "proposal_state"},
    )


@dataclass(frozen=True, slots=True)
class Moved:
    proposal_id: int
    need_id: int
    doctor_id: int | None
    before: str
    after: str


async def _load(proposal_id: int) -> dict[str, Any]:
    row = await Proposal.select().where(Proposal.id == proposal_id).first().run()
    if row is None:
        raise NotFound(N_("Proposal #%(id)s does not exist."), params={"id": proposal_id})
    return row


async def _move(
    proposal_id: int,
    action: Action,
    actor: Account | None,
    *,
    extra: dict[Any, Any] | None = None,
    details: dict[str, Any] | None = None,
    expected: str | None = None,
) -> Moved:
    """Apply one transition with its audit event; call inside a transaction.

    ``expected``: the state the caller read (and decided on); the row moves only
    if it is still in it.
    """
    row = await _load(proposal_id)
    before = row["state"]
    if expected is not None and before != expected:
        raise _illegal(proposal_id, before, action)
    target = next_state(before, action)
    if target is None:
        raise _illegal(proposal_id, before, action)
    now = datetime.now(UTC)
    values: dict[Any, Any] = {Proposal.state: target.value}
    if action in (Action.APPROVE, Action.REJECT, Action.SWAP, Action.WITHDRAW, Action.CANCEL):
        values.update({Proposal.decided_by: actor.id if actor else None, Proposal.decided_at: now})
    if action in (Action.ACCEPT, Action.DECLINE):
        values[Proposal.responded_at] = now
    values.update(extra or {})
    updated = (
        await Proposal.update(values)
        .where(Proposal.id == proposal_id, Proposal.state == before)
        .returning(Proposal.id)
        .run()
    )
    if not updated:  # someone else moved it between our read and our write
        current = (await _load(proposal_id))["state"]
        raise _illegal(proposal_id, current, action)
    await record_event(
        actor_id=actor.id if actor else None,
        actor_label=actor.email if actor else "system",
        action=f"proposal.{_PAST[action]}",
        subject_type="proposal",
        subject_id=proposal_id,
        before={"state": before},
        after={"state": target.value, **(details or {})},
    )
    return Moved(proposal_id, row["need"], row["doctor"], before, target.value)


def _transaction():  # type: ignore[no-untyped-def]
    """One write transaction (IMMEDIATE on SQLite): see :func:`matching.db.write_transaction`."""
    return write_transaction(Proposal._meta.db)


def _require_coordinator(actor: Account) -> None:
    if actor.role not in (Role.COORDINATOR, Role.ADMIN):
        raise Forbidden(N_("Only a coordinator can review proposals."))


async def held_count(need_id: int, *, states: tuple[str, ...] = PLACE_STATES) -> int:
    """The need's places taken (approved, accepted, confirmed, completed) or the
    proposals in ``states``."""
    return await Proposal.count().where(
        Proposal.need == need_id, Proposal.state.is_in(list(states))
    )


_CLOSED_NEED = (NeedStatus.CLOSED.value, NeedStatus.CANCELLED.value, NeedStatus.DRAFT.value)


async def _check_room(need: dict[str, Any], proposal_id: int, action: Action) -> None:
    """Refuse ``action`` (approve, swap) unless the locked ``need`` has a place left."""
    verb = "swapped" if action == Action.SWAP else "approved"
    if need["status"] in _CLOSED_NEED:
        raise Conflict(
            N_("Proposal #%(id)s cannot be swapped: its need is %(status)s.")
            if verb == "swapped"
            else N_("Proposal #%(id)s cannot be approved: its need is %(status)s."),
            params={"id": proposal_id, "status": need["status"]},
            labels={"status": "need_status"},
        )
    held = await held_count(int(need["id"]))
    if held >= int(need["places"]):
        raise Conflict(
            N_(
                "Proposal #%(id)s cannot be swapped: its need has %(places)s place(s) "
                "and all are taken."
            )
            if verb == "swapped"
            else N_(
                "Proposal #%(id)s cannot be approved: its need has %(places)s place(s) "
                "and all are taken."
            ),
            params={"id": proposal_id, "places": need["places"]},
        )


async def check_places(need_id: int, places: int) -> None:
    """Refuse ``places`` below the pairings the need holds (call with the need locked)."""
    held = await held_count(need_id)
    if places < held:
        raise ValidationFailed(
            {
                "places": N_(
                    "cannot be fewer than the %(held)s doctors this need already holds "
                    "(approved, accepted or confirmed); cancel a pairing first"
                )
            },
            params={"places": {"held": held}},
        )


# --- coordinator -----------------------------------------------------------------


async def _approve_locked(
    proposal_id: int, actor: Account, base_url: str, details: dict[str, Any] | None = None
) -> Moved:
    """Approve with the need locked by the caller's transaction."""
    row = await _load(proposal_id)
    if next_state(row["state"], Action.APPROVE) is None:
        raise _illegal(proposal_id, row["state"], Action.APPROVE)
    need = await lock_need(int(row["need"]))
    await _check_room(need, proposal_id, Action.APPROVE)
    moved = await _move(proposal_id, Action.APPROVE, actor, details=details)
    await _notify_approved(moved, base_url)
    return moved


async def approve(proposal_id: int, actor: Account, *, base_url: str = "") -> Moved:
    """Approve one proposal (a place must be left) and notify the doctor and the heads."""
    _require_coordinator(actor)
    async with _transaction():
        return await _approve_locked(proposal_id, actor, base_url)


async def bulk_approve(proposal_ids: list[int], actor: Account, *, base_url: str = "") -> int:
    """Approve all of ``proposal_ids`` or none (one transaction; 409 names the culprit)."""
    _require_coordinator(actor)
    ids = list(dict.fromkeys(proposal_ids))
    if not ids:
        raise ValidationFailed({"proposal_ids": "select at least one proposal"})
    async with _transaction():
        rows = await Proposal.select(Proposal.id, Proposal.need).where(Proposal.id.is_in(ids))
        for need_id in sorted({int(r["need"]) for r in rows}):  # lock order: need ids
            await lock_need(need_id)
        for proposal_id in ids:
            await _approve_locked(proposal_id, actor, base_url, details={"bulk": True})
    return len(ids)


def _reason_text(reason: str, note: str) -> str:
    if reason not in REJECT_REASONS:
        raise ValidationFailed({"reason": "choose one of the listed reasons"})
    note = note.strip()
    if reason == "other" and not note:
        raise ValidationFailed({"note": "say why when the reason is 'other'"})
    if len(note) > MAX_REASON:
        raise ValidationFailed({"note": "must be at most 1000 characters"})
    text = REJECT_REASONS[reason]
    return f"{text}: {note}" if note else text


async def reject(proposal_id: int, actor: Account, *, reason: str, note: str = "") -> Moved:
    _require_coordinator(actor)
    text = _reason_text(reason, note)
    async with _transaction():
        return await _move(
            proposal_id,
            Action.REJECT,
            actor,
            extra={Proposal.decision_reason: text},
            details={"reason": text},
        )


async def _insert_live(proposal: Proposal) -> int | None:
    """Insert a live proposal; None when the (need, doctor) already has one (the
    partial unique index refused it)."""
    rows = (
        await Proposal.insert(proposal)
        .on_conflict(action="DO NOTHING")
        .returning(Proposal.id)
        .run()
    )
    return int(rows[0]["id"]) if rows else None


async def swap(
    proposal_id: int, runner_up_doctor_id: int, actor: Account, *, base_url: str = ""
) -> int:
    """Reject ``proposal_id`` ('swapped') and approve its runner-up; return the new id.

    The runner-up takes a place: refused when the need has none left.
    """
    _require_coordinator(actor)
    async with _transaction():
        row = await _load(proposal_id)
        explanation = _explanation(row)
        runner = next(
            (
                r
                for r in explanation.get("runners_up", [])
                if int(r.get("doctor_id", -1)) == runner_up_doctor_id
            ),
            None,
        )
        if runner is None:
            raise ValidationFailed({"doctor_id": "is not a runner-up of this proposal"})
        if next_state(row["state"], Action.SWAP) is None:
            raise _illegal(proposal_id, row["state"], Action.SWAP)
        need = await lock_need(int(row["need"]))
        await _check_room(need, proposal_id, Action.SWAP)
        await _move(
            proposal_id,
            Action.SWAP,
            actor,
            extra={Proposal.decision_reason: SWAPPED_REASON},
            details={"reason": SWAPPED_REASON, "runner_up_doctor_id": runner_up_doctor_id},
        )
        new_id = await _insert_live(
            Proposal(
                run=row["run"],
                need=row["need"],
                doctor=runner_up_doctor_id,
                score=float(runner.get("score", 0.0)),
                rank=int(runner.get("rank", 2)),
                explanation=json.dumps(_runner_explanation(proposal_id, explanation, runner)),
                state=ProposalState.APPROVED.value,
                decided_by=actor.id,
                decided_at=datetime.now(UTC),
            )
        )
        if new_id is None:
            raise Conflict(
                N_("Doctor #%(doctor)s already has a live proposal for this need."),
                params={"doctor": runner_up_doctor_id},
            )
        await record_event(
            actor_id=actor.id,
            actor_label=actor.email,
            action="proposal.approved",
            subject_type="proposal",
            subject_id=new_id,
            before={},
            after={"state": ProposalState.APPROVED.value, "swapped_from": proposal_id},
        )
        moved = Moved(new_id, row["need"], runner_up_doctor_id, "", ProposalState.APPROVED.value)
        await _notify_approved(moved, base_url)
    return new_id


def _runner_explanation(
    proposal_id: int,
    explanation: dict[str, Any],
    runner: dict[str, Any],
    *,
    key: str = "swapped_from",
    runners_up: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The explanation of a runner-up's new proposal: the runner-up's own signals,
    shared skills and details as the ranking recorded them (absent for proposals
    ranked before it recorded them), and the hard rules the original list passed;
    ``key`` names where it came from (``swapped_from``, ``brought_forward_from``)."""
    out: dict[str, Any] = {key: proposal_id, "runners_up": runners_up or []}
    for name in ("signals", "shared_skills", "details"):
        if runner.get(name):
            out[name] = runner[name]
    if explanation.get("rules_passed"):
        out["rules_passed"] = explanation["rules_passed"]
    return out


# --- doctor ------------------------------------------------------------------------


async def _doctor_user(doctor_id: int | None) -> int | None:
    if doctor_id is None:
        return None
    owner = (
        await DoctorProfile.select(DoctorProfile.user).where(DoctorProfile.id == doctor_id).first()
    )
    return None if owner is None else int(owner["user"])


async def _require_own(proposal_id: int, actor: Account) -> None:
    row = await _load(proposal_id)
    if await _doctor_user(row["doctor"]) != actor.id:
        raise Forbidden(N_("This pairing is offered to another doctor."))


async def accept(proposal_id: int, actor: Account, *, base_url: str = "") -> Moved:
    """The doctor accepts: approved -> accepted -> confirmed, in one transaction.

    Re-checks the need under its lock: it must still be open and its places not
    all taken by doctors who accepted (places lowered, or an over-filled need
    from before the lock).
    """
    await _require_own(proposal_id, actor)
    async with _transaction():
        row = await _load(proposal_id)
        if next_state(row["state"], Action.ACCEPT) is None:
            raise _illegal(proposal_id, row["state"], Action.ACCEPT)
        need = await lock_need(int(row["need"]))
        if need["status"] in _CLOSED_NEED:
            raise Conflict(
                N_("Pairing #%(id)s cannot be accepted: its need is %(status)s."),
                params={"id": proposal_id, "status": need["status"]},
                labels={"status": "need_status"},
            )
        taken = await held_count(
            int(need["id"]), states=(*COMMITTED_STATES, ProposalState.COMPLETED.value)
        )
        if taken >= int(need["places"]):
            raise Conflict(
                N_(
                    "Pairing #%(id)s cannot be accepted: its need now has %(places)s "
                    "place(s) and %(taken)s are taken by doctors who accepted."
                ),
                params={"id": proposal_id, "places": need["places"], "taken": taken},
            )
        await _move(proposal_id, Action.ACCEPT, actor, expected=row["state"])
        moved = await _move(proposal_id, Action.CONFIRM, actor)
        await refresh(moved.need_id, actor)
        await _notify_confirmed(moved, base_url)
    return moved


async def decline(proposal_id: int, actor: Account, *, note: str = "", base_url: str = "") -> Moved:
    """The doctor declines (with an optional reason); the coordinators are told."""
    await _require_own(proposal_id, actor)
    if len(note) > MAX_REASON:
        raise ValidationFailed({"note": "must be at most 1000 characters"})
    async with _transaction():
        moved = await _move(
            proposal_id,
            Action.DECLINE,
            actor,
            extra={Proposal.decision_reason: note.strip()},
            details={"note": note.strip()},
        )
        await _notify_declined(moved, note.strip(), base_url)
    return moved


# --- a confirmed pairing ends ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cancelled:
    """A cancelled pairing and the runner-up proposal it brought forward (if any)."""

    moved: Moved
    runner_up_proposal_id: int | None


async def _may_cancel(row: dict[str, Any], actor: Account) -> None:
    if actor.role in (Role.COORDINATOR, Role.ADMIN):
        return
    if actor.role == Role.DOCTOR and await _doctor_user(row["doctor"]) == actor.id:
        return
    if actor.role == Role.FACILITY_HEAD:
        need = await Need.select(Need.facility).where(Need.id == row["need"]).first()
        if need and await FacilityHead.exists().where(
            FacilityHead.user == actor.id, FacilityHead.facility == need["facility"]
        ):
            return
    raise Forbidden(
        N_("Only a coordinator, the doctor or a head of the facility can cancel this pairing.")
    )


async def cancel(proposal_id: int, actor: Account, *, reason: str, base_url: str = "") -> Cancelled:
    """End a confirmed pairing, with a reason: confirmed -> cancelled.

    In one transaction, under the need's lock: the need's status is recomputed
    (the place is free again), the doctor and the heads are told in their own
    language (mail and notification), and the first suitable runner-up of the
    pairing comes forward as a new ``proposed`` proposal for a coordinator to
    review (coordinators get a notification).
    """
    row = await _load(proposal_id)
    await _may_cancel(row, actor)
    text = reason.strip()
    if not text:
        raise ValidationFailed({"reason": "say why the pairing is cancelled"})
    if len(text) > MAX_REASON:
        raise ValidationFailed({"reason": "must be at most 1000 characters"})
    async with _transaction():
        await lock_need(int(row["need"]))
        moved = await _move(
            proposal_id,
            Action.CANCEL,
            actor,
            extra={Proposal.decision_reason: text},
            details={"reason": text, "by_role": actor.role.value},
        )
        await refresh(moved.need_id, actor)
        runner_up = await _bring_runner_up_forward(await _load(proposal_id), actor)
        await _notify_cancelled(moved, actor, text, runner_up, base_url)
    return Cancelled(moved, runner_up)


async def _bring_runner_up_forward(row: dict[str, Any], actor: Account) -> int | None:
    """A new ``proposed`` proposal for the first stored runner-up that still exists and
    was never refused for, nor is already live on, this need; its id, or None."""
    explanation = _explanation(row)
    runners = [r for r in explanation.get("runners_up", []) if r.get("doctor_id") is not None]
    if not runners:
        return None
    doctor_ids = [int(r["doctor_id"]) for r in runners]
    existing = {
        int(r["id"])
        for r in await DoctorProfile.select(DoctorProfile.id).where(
            DoctorProfile.id.is_in(doctor_ids)
        )
    }
    excluded = {
        int(r["doctor"])
        for r in await Proposal.select(Proposal.doctor).where(
            Proposal.need == row["need"],
            Proposal.doctor.is_in(doctor_ids),
            Proposal.state.is_in([*LIVE_STATES, *_REFUSED_STATES]),
        )
        if r["doctor"] is not None
    }
    for position, runner in enumerate(runners):
        doctor_id = int(runner["doctor_id"])
        if doctor_id == row["doctor"] or doctor_id not in existing or doctor_id in excluded:
            continue
        new_id = await _insert_live(
            Proposal(
                run=row["run"],
                need=row["need"],
                doctor=doctor_id,
                score=float(runner.get("score", 0.0)),
                rank=int(runner.get("rank", 2)),
                explanation=json.dumps(
                    _runner_explanation(
                        int(row["id"]),
                        explanation,
                        runner,
                        key="brought_forward_from",
                        runners_up=runners[position + 1 :],
                    )
                ),
                state=ProposalState.PROPOSED.value,
            )
        )
        if new_id is None:
            continue
        await record_event(
            actor_id=actor.id,
            actor_label=actor.email,
            action="proposal.proposed",
            subject_type="proposal",
            subject_id=new_id,
            before={},
            after={"state": ProposalState.PROPOSED.value, "brought_forward_from": int(row["id"])},
        )
        return new_id
    return None


async def complete(proposal_id: int, actor: Account) -> Moved:
    """A mission done: confirmed -> completed. Call inside the caller's write
    transaction (``matching.missions`` confirms the completion report in it).

    Under the need's lock: when every place of the need is completed, the need
    closes; otherwise its status is recomputed (a place freed earlier by a
    cancellation stays open for what remains).
    """
    row = await _load(proposal_id)
    need = await lock_need(int(row["need"]))
    moved = await _move(proposal_id, Action.COMPLETE, actor, expected=ProposalState.CONFIRMED.value)
    done = await held_count(moved.need_id, states=(ProposalState.COMPLETED.value,))
    if done >= int(need["places"]) and need["status"] in [s.value for s in LIVE_STATUSES]:
        await move_need(
            await lock_need(moved.need_id),
            NeedStatus.CLOSED,
            by=Mover.PERSON,
            actor=actor,
            details={"reason": "every place completed"},
        )
    else:
        await refresh(moved.need_id, actor)
    return moved


# --- a need closes -----------------------------------------------------------------


async def withdraw_pending(need_id: int, actor: Account, *, reason: str) -> int:
    """Withdraw the need's proposals still waiting for a person (proposed, approved).

    Call inside the caller's write transaction with the need locked
    (:func:`matching.facilities.need_transitions.lock_need`): each proposal moves only from
    the state read (so one a doctor has just accepted stays confirmed), and its
    audit event records that state. Accepted and confirmed pairings are never
    touched here. Returns how many were withdrawn.
    """
    pending = (
        await Proposal.select(Proposal.id, Proposal.state)
        .where(Proposal.need == need_id, Proposal.state.is_in(list(PENDING_STATES)))
        .order_by(Proposal.id)
        .run()
    )
    withdrawn = 0
    for proposal in pending:
        try:
            await _move(
                int(proposal["id"]),
                Action.WITHDRAW,
                actor,
                extra={Proposal.decision_reason: reason},
                details={"reason": reason},
                expected=proposal["state"],
            )
        except Conflict:
            continue  # moved by someone else since our read: not ours to withdraw
        withdrawn += 1
    return withdrawn


# --- needs -------------------------------------------------------------------------


async def refresh_need(need_id: int, actor: Account) -> None:
    """Update the need's status (open -> partly_filled -> filled) from its confirmed count."""
    async with _transaction():
        await refresh(need_id, actor)


# --- notifications -----------------------------------------------------------------


def _explanation(row: dict[str, Any]) -> dict[str, Any]:
    return json_object(row.get("explanation"))


async def _context(moved: Moved) -> dict[str, Any]:
    need = (
        await Need.select(
            Need.id, Need.title, Need.kind, Need.starts_on, Need.ends_on, Need.facility
        )
        .where(Need.id == moved.need_id)
        .first()
    )
    facility = (
        await Facility.select(Facility.name_en, Facility.name_ar)
        .where(Facility.id == need["facility"])
        .first()
    )
    doctor_user = None
    if moved.doctor_id is not None:
        doctor_user = (
            await DoctorProfile.select(
                DoctorProfile.user.id,
                DoctorProfile.user.email,
                DoctorProfile.user.full_name,
                DoctorProfile.user.language,
            )
            .where(DoctorProfile.id == moved.doctor_id)
            .first()
        )
    heads = (
        await FacilityHead.select(
            FacilityHead.user.id,
            FacilityHead.user.email,
            FacilityHead.user.full_name,
            FacilityHead.user.language,
        )
        .where(FacilityHead.facility == need["facility"], FacilityHead.user.is_active.eq(True))
        .run()
    )
    return {"need": need, "facility": facility, "doctor": doctor_user, "heads": heads}


async def _send(template: str, user: dict[str, Any], prefix: str, link: str, **ctx: Any) -> None:
    """Queue ``template`` for ``user`` in their language (columns named ``<prefix>.x``,
    or plain ``x`` when ``prefix`` is empty)."""
    key = f"{prefix}." if prefix else ""
    language = user[f"{key}language"] or "en"
    await queue_template(
        user[f"{key}email"],
        template,
        language,
        name=user[f"{key}full_name"],
        link=link,
        **ctx,
    )


async def _notify(user_id: int, message: str, params: dict[str, Any], link: str) -> None:
    await Notification.insert(
        Notification(user=user_id, message=message, params=json.dumps(params), link=link)
    ).run()


async def _notify_approved(moved: Moved, base_url: str) -> None:
    ctx = await _context(moved)
    need, facility = ctx["need"], ctx["facility"]
    link = f"/pairings/{moved.proposal_id}"
    params = {"title": need["title"], "facility": facility["name_en"]}
    if ctx["doctor"]:
        await _send(
            "pairing_approved",
            ctx["doctor"],
            "user",
            base_url + link,
            title=need["title"],
            facility=facility,
        )
        await _notify(
            ctx["doctor"]["user.id"],
            N_("You are offered a pairing: %(title)s at %(facility)s. Please accept or decline."),
            params,
            link,
        )
    for head in ctx["heads"]:
        await _send(
            "pairing_head_approved",
            head,
            "user",
            base_url + link,
            title=need["title"],
            facility=facility,
        )
        await _notify(
            head["user.id"],
            N_("A doctor was approved for %(title)s and is asked to accept."),
            params,
            link,
        )


async def _notify_confirmed(moved: Moved, base_url: str) -> None:
    """The heads learn who accepted; the doctor gets the confirmation (each in their
    language, mail and notification)."""
    ctx = await _context(moved)
    need, facility = ctx["need"], ctx["facility"]
    link = f"/pairings/{moved.proposal_id}"
    doctor_name = ctx["doctor"]["user.full_name"] if ctx["doctor"] else ""
    params = {"title": need["title"], "doctor": doctor_name, "facility": facility["name_en"]}
    if ctx["doctor"]:
        await _send(
            "pairing_doctor_confirmed",
            ctx["doctor"],
            "user",
            base_url + link,
            title=need["title"],
            facility=facility,
        )
        await _notify(
            ctx["doctor"]["user.id"],
            N_("You accepted %(title)s at %(facility)s: the pairing is confirmed."),
            params,
            link,
        )
    for head in ctx["heads"]:
        await _send(
            "pairing_confirmed",
            head,
            "user",
            base_url + link,
            title=need["title"],
            facility=facility,
            doctor=doctor_name,
        )
        await _notify(
            head["user.id"],
            N_("%(doctor)s accepted %(title)s: the pairing is confirmed."),
            params,
            link,
        )


async def _notify_cancelled(
    moved: Moved, actor: Account, reason: str, runner_up: int | None, base_url: str
) -> None:
    """The doctor and the heads are told (mail and notification, their language);
    the coordinators get a notification, pointing at the runner-up when there is one."""
    ctx = await _context(moved)
    need, facility = ctx["need"], ctx["facility"]
    link = f"/pairings/{moved.proposal_id}"
    doctor_name = ctx["doctor"]["user.full_name"] if ctx["doctor"] else ""
    params = {
        "title": need["title"],
        "doctor": doctor_name,
        "facility": facility["name_en"],
        "reason": reason,
        "by": actor.full_name,
    }
    message = N_(
        "The confirmed pairing of %(doctor)s for %(title)s was cancelled by %(by)s "
        "(reason: %(reason)s)."
    )
    recipients = [*([ctx["doctor"]] if ctx["doctor"] else []), *ctx["heads"]]
    for user in recipients:
        language = user["user.language"] or "en"
        by = f"{actor.full_name} ({label(actor.role.value, 'role', language)})"
        await _send(
            "pairing_cancelled",
            user,
            "user",
            base_url + link,
            title=need["title"],
            facility=facility,
            doctor=doctor_name,
            by=by,
            reason=reason,
        )
        await _notify(user["user.id"], message, params, link)
    coordinator_message = (
        N_(
            "The confirmed pairing of %(doctor)s for %(title)s was cancelled by %(by)s "
            "(reason: %(reason)s). A runner-up waits for your review."
        )
        if runner_up is not None
        else message
    )
    coordinator_link = f"/pairings/{runner_up}" if runner_up is not None else link
    for coordinator in await _coordinators():
        language = coordinator["language"] or "en"
        by = f"{actor.full_name} ({label(actor.role.value, 'role', language)})"
        await _send(
            "pairing_cancelled",
            coordinator,
            "",
            base_url + coordinator_link,
            title=need["title"],
            facility=facility,
            doctor=doctor_name,
            by=by,
            reason=reason,
        )
        await _notify(coordinator["id"], coordinator_message, params, coordinator_link)


async def _coordinators() -> list[dict[str, Any]]:
    """Active coordinators with what a mail to them needs, by id."""
    return (
        await User.select(User.id, User.email, User.full_name, User.language)
        .where(User.role == Role.COORDINATOR.value, User.is_active.eq(True))
        .order_by(User.id)
        .run()
    )


async def _notify_declined(moved: Moved, reason: str, base_url: str) -> None:
    """Tell every active coordinator (mail and in-app) so they can find another doctor."""
    ctx = await _context(moved)
    need, facility = ctx["need"], ctx["facility"]
    link = f"/pairings/{moved.proposal_id}"
    doctor_name = ctx["doctor"]["user.full_name"] if ctx["doctor"] else ""
    params = {
        "doctor": doctor_name,
        "title": need["title"],
        "facility": facility["name_en"],
        "reason": reason,
    }
    message = (
        N_(
            "%(doctor)s declined %(title)s at %(facility)s (reason: %(reason)s). "
            "Please find another doctor."
        )
        if reason
        else N_("%(doctor)s declined %(title)s at %(facility)s. Please find another doctor.")
    )
    coordinators = (
        await User.select(User.id, User.email, User.full_name, User.language)
        .where(User.role == Role.COORDINATOR.value, User.is_active.eq(True))
        .order_by(User.id)
        .run()
    )
    for coordinator in coordinators:
        await _send(
            "pairing_declined",
            coordinator,
            "",
            base_url + link,
            title=need["title"],
            facility=facility,
            doctor=doctor_name,
            reason=reason,
        )
        await _notify(coordinator["id"], message, params, link)


async def coordinator_ids(*, active: bool = False) -> list[int]:
    query = User.select(User.id).where(User.role == Role.COORDINATOR.value)
    if active:
        query = query.where(User.is_active.eq(True))
    return [r["id"] for r in await query.order_by(User.id).run()]


# --- a mission turned remote: the doctor declines the change -----------------------


async def end_for_declined_change(proposal_id: int, actor: Account, *, reason: str) -> Moved:
    """End a held pairing whose doctor declined the change to remote work (caller's
    write transaction): approved -> declined, confirmed -> cancelled, with ``reason``;
    the need's fill is recomputed under its lock."""
    row = await _load(proposal_id)
    await lock_need(int(row["need"]))
    action = Action.CANCEL if row["state"] == ProposalState.CONFIRMED.value else Action.DECLINE
    moved = await _move(
        proposal_id,
        action,
        actor,
        extra={Proposal.decision_reason: reason},
        details={"reason": reason, "remote_change": "declined"},
        expected=row["state"],
    )
    await refresh(moved.need_id, actor)
    return moved
