"""A pairing's life: the one table of allowed transitions and the use-cases on it.

proposed -> approved | rejected (coordinator, with a reason)
approved -> accepted | declined (the doctor) ; accepted -> confirmed (same transaction)

Every change is one transaction with its audit event, applied by a conditional
``UPDATE ... WHERE state = <expected>`` so two concurrent approvals cannot both
win; the loser gets a ``Conflict`` (409) and nothing changes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from matching.accounts.services import Account
from matching.accounts.tables import Role, User
from matching.audit.services import record_event
from matching.db import json_object
from matching.doctors.tables import DoctorProfile
from matching.errors import Conflict, Forbidden, NotFound, ValidationFailed
from matching.facilities.services import refresh_need_status
from matching.facilities.tables import Facility, FacilityHead, Need, NeedStatus
from matching.i18n import N_
from matching.mail.outbox import queue_mail
from matching.mail.render import render_mail
from matching.mail.tables import Notification
from matching.pairings.tables import Proposal, ProposalState

S = ProposalState


class Action(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    SWAP = "swap"
    ACCEPT = "accept"
    DECLINE = "decline"
    CONFIRM = "confirm"


# The single source of truth: (from_state, action) -> to_state.
TRANSITIONS: dict[tuple[ProposalState, Action], ProposalState] = {
    (S.PROPOSED, Action.APPROVE): S.APPROVED,
    (S.PROPOSED, Action.REJECT): S.REJECTED,
    (S.PROPOSED, Action.SWAP): S.REJECTED,
    (S.APPROVED, Action.ACCEPT): S.ACCEPTED,
    (S.APPROVED, Action.DECLINE): S.DECLINED,
    (S.ACCEPTED, Action.CONFIRM): S.CONFIRMED,
}

# Proposals holding (or about to hold) one of a need's places.
HOLDING_STATES = (S.APPROVED.value, S.ACCEPTED.value, S.CONFIRMED.value)

REJECT_REASONS: dict[str, str] = {
    "specialty": N_("specialty does not fit"),
    "availability": N_("availability does not fit"),
    "licence": N_("licence concerns"),
    "committed": N_("doctor already committed"),
    "other": N_("other"),
}
SWAPPED_REASON = "swapped"

_VERB = {
    Action.APPROVE: N_("approve"),
    Action.REJECT: N_("reject"),
    Action.SWAP: N_("swap"),
    Action.ACCEPT: N_("accept"),
    Action.DECLINE: N_("decline"),
    Action.CONFIRM: N_("confirm"),
}


def next_state(state: str, action: Action) -> ProposalState | None:
    """The state ``action`` leads to from ``state``, or None when it is not allowed."""
    try:
        return TRANSITIONS.get((ProposalState(state), action))
    except ValueError:
        return None


def allowed_actions(state: str) -> list[Action]:
    return [action for (source, action) in TRANSITIONS if source.value == state]


def _illegal(proposal_id: int, state: str, action: Action) -> Conflict:
    return Conflict(
        f"Proposal #{proposal_id} cannot be {_past(action)}: it is {state}. "
        f"Only a proposal that is {_sources(action)} can be {_past(action)}."
    )


def _past(action: Action) -> str:
    return {
        Action.APPROVE: "approved",
        Action.REJECT: "rejected",
        Action.SWAP: "swapped",
        Action.ACCEPT: "accepted",
        Action.DECLINE: "declined",
        Action.CONFIRM: "confirmed",
    }[action]


def _sources(action: Action) -> str:
    return " or ".join(source.value for (source, a) in TRANSITIONS if a == action)


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
        raise NotFound(f"Proposal #{proposal_id} does not exist.")
    return row


async def _move(
    proposal_id: int,
    action: Action,
    actor: Account,
    *,
    extra: dict[Any, Any] | None = None,
    details: dict[str, Any] | None = None,
) -> Moved:
    """Apply one transition with its audit event; call inside a transaction."""
    row = await _load(proposal_id)
    before = row["state"]
    target = next_state(before, action)
    if target is None:
        raise _illegal(proposal_id, before, action)
    now = datetime.now(UTC)
    values: dict[Any, Any] = {Proposal.state: target.value}
    if action in (Action.APPROVE, Action.REJECT, Action.SWAP):
        values.update({Proposal.decided_by: actor.id, Proposal.decided_at: now})
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
        actor_id=actor.id,
        actor_label=actor.email,
        action=f"proposal.{_past(action)}",
        subject_type="proposal",
        subject_id=proposal_id,
        before={"state": before},
        after={"state": target.value, **(details or {})},
    )
    return Moved(proposal_id, row["need"], row["doctor"], before, target.value)


def _transaction():
    """One transaction; on SQLite an IMMEDIATE one, so two writers queue instead of
    failing with "database is locked" when both read before writing."""
    engine = Proposal._meta.db
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


def _require_coordinator(actor: Account) -> None:
    if actor.role not in (Role.COORDINATOR, Role.ADMIN):
        raise Forbidden("Only a coordinator can review proposals.")


async def _check_places(need_id: int, proposal_id: int) -> None:
    need = await Need.select(Need.places, Need.status, Need.title).where(Need.id == need_id).first()
    if need is None:
        raise NotFound(f"Need #{need_id} does not exist.")
    if need["status"] in (NeedStatus.CLOSED, NeedStatus.CANCELLED, NeedStatus.DRAFT):
        raise Conflict(f"Proposal #{proposal_id} cannot be approved: its need is {need['status']}.")
    holding = await Proposal.count().where(
        Proposal.need == need_id, Proposal.state.is_in(list(HOLDING_STATES))
    )
    if holding >= need["places"]:
        raise Conflict(
            f"Proposal #{proposal_id} cannot be approved: its need "
            f"has {need['places']} place(s) and all are taken."
        )


# --- coordinator -----------------------------------------------------------------


async def approve(proposal_id: int, actor: Account, *, base_url: str = "") -> Moved:
    """Approve one proposal and notify the doctor and the facility heads."""
    _require_coordinator(actor)
    async with _transaction():
        row = await _load(proposal_id)
        if next_state(row["state"], Action.APPROVE) is not None:
            await _check_places(row["need"], proposal_id)
        moved = await _move(proposal_id, Action.APPROVE, actor)
        await _notify_approved(moved, base_url)
    return moved


async def bulk_approve(proposal_ids: list[int], actor: Account, *, base_url: str = "") -> int:
    """Approve all of ``proposal_ids`` or none (one transaction; 409 names the culprit)."""
    _require_coordinator(actor)
    ids = list(dict.fromkeys(proposal_ids))
    if not ids:
        raise ValidationFailed({"proposal_ids": "select at least one proposal"})
    async with _transaction():
        for proposal_id in ids:
            row = await _load(proposal_id)
            if next_state(row["state"], Action.APPROVE) is not None:
                await _check_places(row["need"], proposal_id)
            moved = await _move(proposal_id, Action.APPROVE, actor, details={"bulk": True})
            await _notify_approved(moved, base_url)
    return len(ids)


def _reason_text(reason: str, note: str) -> str:
    if reason not in REJECT_REASONS:
        raise ValidationFailed({"reason": "choose one of the listed reasons"})
    note = note.strip()
    if reason == "other" and not note:
        raise ValidationFailed({"note": "say why when the reason is 'other'"})
    if len(note) > 1000:
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


async def swap(
    proposal_id: int, runner_up_doctor_id: int, actor: Account, *, base_url: str = ""
) -> int:
    """Reject ``proposal_id`` ('swapped') and approve its runner-up; return the new id."""
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
        taken = await Proposal.exists().where(
            Proposal.need == row["need"],
            Proposal.doctor == runner_up_doctor_id,
            Proposal.state.is_in([S.PROPOSED.value, *HOLDING_STATES]),
        )
        if taken:
            raise Conflict(
                f"Doctor #{runner_up_doctor_id} already has a live proposal for this need."
            )
        await _move(
            proposal_id,
            Action.SWAP,
            actor,
            extra={Proposal.decision_reason: SWAPPED_REASON},
            details={"reason": SWAPPED_REASON, "runner_up_doctor_id": runner_up_doctor_id},
        )
        now = datetime.now(UTC)
        inserted = (
            await Proposal.insert(
                Proposal(
                    run=row["run"],
                    need=row["need"],
                    doctor=runner_up_doctor_id,
                    score=float(runner.get("score", 0.0)),
                    rank=int(runner.get("rank", 2)),
                    explanation=json.dumps(_runner_explanation(proposal_id, explanation, runner)),
                    state=S.APPROVED.value,
                    decided_by=actor.id,
                    decided_at=now,
                )
            )
            .returning(Proposal.id)
            .run()
        )
        new_id = int(inserted[0]["id"])
        await record_event(
            actor_id=actor.id,
            actor_label=actor.email,
            action="proposal.approved",
            subject_type="proposal",
            subject_id=new_id,
            before={},
            after={"state": S.APPROVED.value, "swapped_from": proposal_id},
        )
        moved = Moved(new_id, row["need"], runner_up_doctor_id, "", S.APPROVED.value)
        await _notify_approved(moved, base_url)
    return new_id


def _runner_explanation(
    proposal_id: int, explanation: dict[str, Any], runner: dict[str, Any]
) -> dict[str, Any]:
    """The swapped-in proposal's explanation: the runner-up's own signals, shared skills
    and details as the ranking recorded them (absent for proposals ranked before it
    recorded them), and the hard rules the original list passed."""
    out: dict[str, Any] = {"swapped_from": proposal_id, "runners_up": []}
    for key in ("signals", "shared_skills", "details"):
        if runner.get(key):
            out[key] = runner[key]
    if explanation.get("rules_passed"):
        out["rules_passed"] = explanation["rules_passed"]
    return out


# --- doctor ------------------------------------------------------------------------


async def _require_own(proposal_id: int, actor: Account) -> None:
    row = await _load(proposal_id)
    owner = None
    if row["doctor"] is not None:
        owner = (
            await DoctorProfile.select(DoctorProfile.user)
            .where(DoctorProfile.id == row["doctor"])
            .first()
        )
    if owner is None or owner["user"] != actor.id:
        raise Forbidden("This pairing is offered to another doctor.")


async def accept(proposal_id: int, actor: Account, *, base_url: str = "") -> Moved:
    """The doctor accepts: approved -> accepted -> confirmed, in one transaction."""
    await _require_own(proposal_id, actor)
    async with _transaction():
        await _move(proposal_id, Action.ACCEPT, actor)
        moved = await _move(proposal_id, Action.CONFIRM, actor)
        await refresh_need(moved.need_id, actor)
        await _notify_confirmed(moved, base_url)
    return moved


async def decline(proposal_id: int, actor: Account, *, note: str = "", base_url: str = "") -> Moved:
    """The doctor declines (with an optional reason); the coordinators are told."""
    await _require_own(proposal_id, actor)
    if len(note) > 1000:
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


# --- needs -------------------------------------------------------------------------


async def refresh_need(need_id: int, actor: Account) -> None:
    """Update the need's status (open -> partly_filled -> filled) from its confirmed count."""
    await refresh_need_status(need_id, actor=actor)


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
    mail = render_mail(template, language, name=user[f"{key}full_name"], link=link, **ctx)
    await queue_mail(
        recipient=user[f"{key}email"],
        subject=mail.subject,
        body_text=mail.body_text,
        body_html=mail.body_html,
        language=language,
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
    ctx = await _context(moved)
    need, facility = ctx["need"], ctx["facility"]
    link = f"/pairings/{moved.proposal_id}"
    doctor_name = ctx["doctor"]["user.full_name"] if ctx["doctor"] else ""
    params = {"title": need["title"], "doctor": doctor_name}
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


async def coordinator_ids() -> list[int]:
    rows = await User.select(User.id).where(User.role == Role.COORDINATOR.value).run()
    return [r["id"] for r in rows]
