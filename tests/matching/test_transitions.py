"""A pairing's life: allowed transitions, 409 on illegal ones, audit, notifications."""

from __future__ import annotations

import asyncio
import json

import pytest

from matching.accounts.tables import Role, User
from matching.audit.tables import AuditEvent
from matching.errors import Conflict, Forbidden, ValidationFailed
from matching.facilities.tables import Need
from matching.mail.tables import Notification, OutboxMail
from matching.pairings import transitions
from matching.pairings.tables import Proposal
from tests.factories import (
    make_account,
    make_doctor,
    make_facility,
    make_head,
    make_need,
    make_proposal,
    scene,
)


async def state_of(proposal_id: int) -> str:
    row = await Proposal.select(Proposal.state).where(Proposal.id == proposal_id).first()
    return row["state"]


# --- tests ----------------------------------------------------------------------------


def test_transition_table_is_the_documented_life() -> None:
    assert transitions.next_state("proposed", transitions.Action.APPROVE) == "approved"
    assert transitions.next_state("approved", transitions.Action.ACCEPT) == "accepted"
    assert transitions.next_state("accepted", transitions.Action.CONFIRM) == "confirmed"
    assert transitions.next_state("rejected", transitions.Action.ACCEPT) is None
    assert transitions.next_state("approved", transitions.Action.APPROVE) is None


async def test_full_life_with_audit_mail_and_need_status(db: str) -> None:
    s = await scene()
    await transitions.approve(s["proposal"], s["coordinator"], base_url="http://x")
    assert await state_of(s["proposal"]) == "approved"
    mails = await OutboxMail.select(OutboxMail.recipient, OutboxMail.language)
    assert {m["recipient"] for m in mails} == {s["doctor"].email, s["head"].email}
    assert {m["recipient"]: m["language"] for m in mails}[s["head"].email] == "ar"
    assert await Notification.count().where(Notification.user == s["doctor"].id) == 1

    await transitions.accept(s["proposal"], s["doctor"])
    assert await state_of(s["proposal"]) == "confirmed"
    need = await Need.select(Need.status).where(Need.id == s["need"]).first()
    assert need["status"] == "filled"
    actions = [
        e["action"]
        for e in await AuditEvent.select(AuditEvent.action)
        .where(AuditEvent.subject_type == "proposal")
        .order_by(AuditEvent.id)
    ]
    assert actions == ["proposal.approved", "proposal.accepted", "proposal.confirmed"]
    event = await AuditEvent.select().where(AuditEvent.action == "proposal.approved").first()
    before = event["before"] if isinstance(event["before"], dict) else json.loads(event["before"])
    assert before == {"state": "proposed"}
    assert event["actor_label"] == s["coordinator"].email


async def test_approving_twice_is_a_conflict_and_changes_nothing(db: str) -> None:
    s = await scene()
    await transitions.approve(s["proposal"], s["coordinator"])
    events = await AuditEvent.count()
    with pytest.raises(Conflict, match="cannot be approved: it is approved"):
        await transitions.approve(s["proposal"], s["coordinator"])
    assert await AuditEvent.count() == events


async def test_accepting_a_rejected_pairing_is_a_conflict(db: str) -> None:
    s = await scene()
    await transitions.reject(s["proposal"], s["coordinator"], reason="licence")
    row = await Proposal.select().where(Proposal.id == s["proposal"]).first()
    assert row["state"] == "rejected" and row["decision_reason"] == "licence concerns"
    with pytest.raises(Conflict, match="cannot be accepted: it is rejected"):
        await transitions.accept(s["proposal"], s["doctor"])
    assert await state_of(s["proposal"]) == "rejected"


async def test_reject_needs_a_listed_reason_and_a_note_for_other(db: str) -> None:
    s = await scene()
    with pytest.raises(ValidationFailed) as exc:
        await transitions.reject(s["proposal"], s["coordinator"], reason="because")
    assert "reason" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        await transitions.reject(s["proposal"], s["coordinator"], reason="other", note=" ")
    assert "note" in exc.value.errors
    assert await state_of(s["proposal"]) == "proposed"


async def test_another_doctor_cannot_accept(db: str) -> None:
    s = await scene()
    await transitions.approve(s["proposal"], s["coordinator"])
    other, _ = await make_doctor(name="Dr. Other")
    with pytest.raises(Forbidden):
        await transitions.accept(s["proposal"], other)
    assert await state_of(s["proposal"]) == "approved"


async def test_concurrent_approvals_only_one_wins(db: str) -> None:
    s = await scene()
    other = await make_account(Role.COORDINATOR)
    results = await asyncio.gather(
        transitions.approve(s["proposal"], s["coordinator"]),
        transitions.approve(s["proposal"], other),
        return_exceptions=True,
    )
    assert sum(1 for r in results if isinstance(r, Conflict)) == 1, results
    assert sum(1 for r in results if not isinstance(r, BaseException)) == 1
    assert await AuditEvent.count().where(AuditEvent.action == "proposal.approved") == 1


async def test_bulk_approve_is_all_or_nothing_and_names_the_culprit(db: str) -> None:
    s = await scene()
    facility = await make_facility(name="Talbiseh Health Centre")
    need2 = await make_need(facility)
    need3 = await make_need(facility, title="Another")
    second = await make_proposal(need2, s["doctor_id"])
    rejected = await make_proposal(need3, s["doctor_id"], state="rejected")
    with pytest.raises(Conflict, match=f"Proposal #{rejected}"):
        await transitions.bulk_approve([s["proposal"], second, rejected], s["coordinator"])
    assert await state_of(s["proposal"]) == "proposed"
    assert await state_of(second) == "proposed"
    assert await OutboxMail.count() == 0
    assert await transitions.bulk_approve([s["proposal"], second], s["coordinator"]) == 2
    assert await state_of(second) == "approved"


async def test_approval_respects_the_needs_places(db: str) -> None:
    s = await scene()
    _, other_doctor = await make_doctor(name="Dr. Two")
    second = await make_proposal(s["need"], other_doctor)
    await transitions.approve(s["proposal"], s["coordinator"])
    with pytest.raises(Conflict, match="place"):
        await transitions.approve(second, s["coordinator"])


async def test_swap_rejects_current_and_approves_runner_up_in_one_go(db: str) -> None:
    facility = await make_facility()
    await make_head(facility)
    _, first = await make_doctor()
    runner_account, runner = await make_doctor(name="Dr. Runner")
    need = await make_need(facility)
    coordinator = await make_account(Role.COORDINATOR)
    proposal = await make_proposal(
        need, first, runners_up=[{"doctor_id": runner, "score": 0.6, "rank": 2}]
    )
    with pytest.raises(ValidationFailed):
        await transitions.swap(proposal, 999_999, coordinator)
    new_id = await transitions.swap(proposal, runner, coordinator)
    old = await Proposal.select().where(Proposal.id == proposal).first()
    assert old["state"] == "rejected" and old["decision_reason"] == "swapped"
    new = await Proposal.select().where(Proposal.id == new_id).first()
    assert new["state"] == "approved" and new["doctor"] == runner and new["rank"] == 2
    assert await Notification.count().where(Notification.user == runner_account.id) == 1


async def test_swap_carries_the_runner_ups_own_explanation(db: str) -> None:
    facility = await make_facility()
    _, first = await make_doctor()
    _, runner = await make_doctor(name="Dr. Runner")
    signals = {"specialty": {"value": 0.5, "weight": 0.3, "contribution": 0.15}}
    proposal = await make_proposal(
        await make_need(facility),
        first,
        runners_up=[
            {
                "doctor_id": runner,
                "score": 0.15,
                "rank": 2,
                "signals": signals,
                "shared_skills": ["kangaroo_care"],
                "details": {"coverage": 0.5},
            }
        ],
    )
    new_id = await transitions.swap(proposal, runner, await make_account(Role.COORDINATOR))
    row = await Proposal.select().where(Proposal.id == new_id).first()
    explanation = json.loads(row["explanation"])
    assert explanation["signals"] == signals and explanation["swapped_from"] == proposal
    assert explanation["shared_skills"] == ["kangaroo_care"]
    assert explanation["details"] == {"coverage": 0.5}
    assert explanation["rules_passed"] == ["mode", "language", "availability"]
    assert explanation["runners_up"] == []


async def test_decline_keeps_the_need_open_and_tells_the_coordinators(db: str) -> None:
    s = await scene()
    await transitions.approve(s["proposal"], s["coordinator"])
    await make_account(Role.ADMIN)
    gone = await make_account(Role.COORDINATOR)
    await User.update({User.is_active: False}).where(User.id == gone.id).run()
    await transitions.decline(
        s["proposal"], s["doctor"], note="no time this spring", base_url="http://x"
    )
    notice = await Notification.select().where(Notification.user == s["coordinator"].id).first()
    assert notice["link"] == f"/pairings/{s['proposal']}"
    params = (
        notice["params"] if isinstance(notice["params"], dict) else json.loads(notice["params"])
    )
    assert params["reason"] == "no time this spring" and params["title"] == "Neonatal mission"
    mail = await OutboxMail.select().where(OutboxMail.recipient == s["coordinator"].email).first()
    assert f"http://x/pairings/{s['proposal']}" in mail["body_text"]
    assert await OutboxMail.count().where(OutboxMail.recipient == gone.email) == 0
    assert await Notification.count().where(Notification.user == gone.id) == 0
    assert await state_of(s["proposal"]) == "declined"
    need = await Need.select(Need.status).where(Need.id == s["need"]).first()
    assert need["status"] == "open"


async def test_live_index_migration_resolves_old_duplicates(db: str) -> None:
    """The migration applies on a database that already holds duplicate live pairs:
    per (need, doctor) the most decided one stays (then the newest); the others are
    superseded; then the index refuses a new duplicate."""
    import importlib

    migration = importlib.import_module("migrations.matching_2026_11_27t10_00_00_000000")
    engine = Proposal._meta.db
    await engine.run_ddl('DROP INDEX IF EXISTS "proposal_live_need_doctor"', in_pool=False)
    facility = await make_facility()
    _, doctor = await make_doctor()
    _, other = await make_doctor(name="Dr. Omar Saleh")
    need = await make_need(facility, places=2)
    old_proposed = await make_proposal(need, doctor)
    confirmed = await make_proposal(need, doctor, state="confirmed")
    new_proposed = await make_proposal(need, doctor)
    rejected = await make_proposal(need, doctor, state="rejected")
    first = await make_proposal(need, other)
    newest = await make_proposal(need, other)
    await engine.run_ddl(migration.RESOLVE_DUPLICATES, in_pool=False)
    await engine.run_ddl(migration.CREATE_INDEX, in_pool=False)
    found = {r["id"]: r["state"] for r in await Proposal.select(Proposal.id, Proposal.state)}
    assert found == {
        old_proposed: "superseded",
        confirmed: "confirmed",
        new_proposed: "superseded",
        rejected: "rejected",
        first: "superseded",
        newest: "proposed",
    }
    with pytest.raises(Exception, match=r"(?i)unique"):
        await make_proposal(need, other, state="approved")


async def test_cancel_in_process_tells_both_sides_in_their_language(db: str) -> None:
    """Cancellation's refusals: only confirmed pairings, only the people involved."""
    s = await scene()
    await transitions.approve(s["proposal"], s["coordinator"])
    with pytest.raises(Conflict):
        await transitions.cancel(s["proposal"], s["coordinator"], reason="too early")
    await transitions.accept(s["proposal"], s["doctor"])
    stranger = await make_account(Role.FACILITY_HEAD)
    with pytest.raises(Forbidden):
        await transitions.cancel(s["proposal"], stranger, reason="not mine")
    with pytest.raises(ValidationFailed):
        await transitions.cancel(s["proposal"], s["doctor"], reason="   ")
    result = await transitions.cancel(s["proposal"], s["doctor"], reason="family emergency")
    assert result.runner_up_proposal_id is None  # no runner-up stored
    assert await state_of(s["proposal"]) == "cancelled"
    subjects = {
        m["language"]: m["subject"]
        for m in await OutboxMail.select().where(OutboxMail.subject.like("%ancel%")).run()
    }
    assert set(subjects) == {"en"}  # the English doctor; the Arabic head's is in Arabic
    arabic = await OutboxMail.select().where(OutboxMail.language == "ar").run()
    assert any("أُلغيت المطابقة" in m["subject"] for m in arabic)
