"""Ranking runs over the real database: proposals, outcome, idempotence, superseding."""

from __future__ import annotations

import json

import pytest

from matching.errors import ValidationFailed
from matching.pairings import runs
from matching.pairings.tables import Proposal, ProposalState, RankingRun, RunStatus
from tests.factories import make_rankable_doctor, make_rankable_need


async def _proposals(run_id: int | None = None) -> list[dict]:
    query = Proposal.select().order_by(Proposal.id)
    if run_id is not None:
        query = query.where(Proposal.run == run_id)
    return await query.run()


async def test_full_run_writes_proposals_and_unfillable_needs(db: str) -> None:
    d1 = await make_rankable_doctor()
    d2 = await make_rankable_doctor(languages=("en",))
    fillable = await make_rankable_need(places=1)
    nobody_speaks = await make_rankable_need(languages="fr")
    seen: list[int] = []

    run_id = await runs.create_run("full", None, {})
    run = await runs.execute_run(run_id, seen.append)

    assert run["status"] == RunStatus.SUCCEEDED
    assert run["progress"] == 100
    assert seen == [10, 60, 90, 100]
    assert run["doctors_considered"] == 2 and run["needs_considered"] == 2
    rows = await _proposals(run_id)
    assert [(r["need"], r["doctor"]) for r in rows] == [(fillable, d1)]
    assert run["proposals_made"] == 1
    explanation = json.loads(rows[0]["explanation"])
    assert set(explanation) >= {"signals", "rules_passed", "runners_up", "shared_skills"}
    assert rows[0]["state"] == ProposalState.PROPOSED
    (unfillable,) = run["outcome"]["unfillable"]
    assert unfillable["need_id"] == nobody_speaks
    assert unfillable["reasons"] == ["language"]
    assert unfillable["eliminated"]["language"] == 2
    assert d2  # present but not chosen: speaks no Arabic


async def test_executing_twice_writes_once(db: str) -> None:
    await make_rankable_doctor()
    await make_rankable_need()
    run_id = await runs.create_run("full")
    await runs.execute_run(run_id)
    again = await runs.execute_run(run_id)
    assert again["status"] == RunStatus.SUCCEEDED
    assert len(await _proposals(run_id)) == 1


async def test_run_left_running_restarts_cleanly(db: str) -> None:
    await make_rankable_doctor()
    await make_rankable_need()
    run_id = await runs.create_run("full")
    await (
        RankingRun.update({RankingRun.status: RunStatus.RUNNING, RankingRun.progress: 60})
        .where(RankingRun.id == run_id)
        .run()
    )
    run = await runs.execute_run(run_id)
    assert run["status"] == RunStatus.SUCCEEDED
    assert len(await _proposals(run_id)) == 1


async def test_later_run_supersedes_only_undecided(db: str) -> None:
    d1 = await make_rankable_doctor()
    d2 = await make_rankable_doctor()
    n1 = await make_rankable_need(places=2)
    first = await runs.create_run("full")
    await runs.execute_run(first)
    rows = await _proposals(first)
    assert {r["doctor"] for r in rows} == {d1, d2}
    # A coordinator decides one of them.
    approved = next(r for r in rows if r["doctor"] == d1)
    await (
        Proposal.update({Proposal.state: ProposalState.REJECTED})
        .where(Proposal.id == approved["id"])
        .run()
    )

    second = await runs.create_run("full")
    await runs.execute_run(second)
    states = {r["id"]: r["state"] for r in await _proposals(first)}
    assert states[approved["id"]] == ProposalState.REJECTED
    assert [s for i, s in states.items() if i != approved["id"]] == [ProposalState.SUPERSEDED]
    # The rejected pair is never proposed again; d2 is proposed anew.
    assert [(r["need"], r["doctor"]) for r in await _proposals(second)] == [(n1, d2)]


async def test_places_held_by_decided_proposals_are_not_offered_again(db: str) -> None:
    d1 = await make_rankable_doctor()
    await make_rankable_doctor()
    need = await make_rankable_need(places=1)
    run_id = await runs.create_run("full")
    await runs.execute_run(run_id)
    await (
        Proposal.update({Proposal.state: ProposalState.APPROVED})
        .where((Proposal.run == run_id) & (Proposal.doctor == d1))
        .run()
    )
    again = await runs.execute_run(await runs.create_run("full"))
    assert again["needs_considered"] == 0 and again["proposals_made"] == 0
    assert need


async def test_rank_single_need_supersedes_only_that_need(db: str) -> None:
    await make_rankable_doctor()
    await make_rankable_doctor()
    n1 = await make_rankable_need()
    n2 = await make_rankable_need()
    full = await runs.create_run("full")
    await runs.execute_run(full)
    before = {r["need"]: r["state"] for r in await _proposals(full)}
    assert before == {n1: "proposed", n2: "proposed"}

    quick = await runs.rank_single_need(n1)
    after = {r["need"]: r["state"] for r in await _proposals(full)}
    assert after == {n1: "superseded", n2: "proposed"}
    run = await runs.get_run(quick)
    assert run["kind"] == "one_need" and run["proposals_made"] == 1
    (p,) = await _proposals(quick)
    assert p["need"] == n1 and json.loads(p["explanation"])["runners_up"]


async def test_no_doctors_makes_every_need_unfillable(db: str) -> None:
    need = await make_rankable_need()
    run = await runs.execute_run(await runs.create_run("full"))
    assert run["outcome"]["unfillable"][0]["need_id"] == need
    assert run["outcome"]["unfillable"][0]["reasons"] == ["no_doctors"]


async def test_a_need_posted_before_any_doctor_registers_is_ranked_as_unfillable(
    db: str,
) -> None:
    """A new platform: the first need's quick ranking finds nobody, and says so (the
    kept doctor arrays start empty; scikit-learn refuses to fit on no rows)."""
    need = await make_rankable_need()
    run = await runs.get_run(await runs.rank_single_need(need))
    assert run["status"] == "succeeded"
    assert run["outcome"]["unfillable"][0]["need_id"] == need
    assert run["outcome"]["unfillable"][0]["reasons"] == ["no_doctors"]


async def test_failed_run_stores_the_reason(db: str) -> None:
    await make_rankable_doctor()
    need = await make_rankable_need()
    run_id = await runs.create_run("one_need", None, {}, need_id=need)
    await RankingRun.update({RankingRun.need: None}).where(RankingRun.id == run_id).run()
    with pytest.raises(ValueError):
        await runs.execute_run(run_id)
    run = await runs.get_run(run_id)
    assert run["status"] == RunStatus.FAILED
    assert "need of this run was deleted" in run["error"]


async def test_bad_parameters_name_the_field(db: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        await runs.create_run("full", None, {"top_k": "many"})
    assert "top_k" in info.value.errors
    with pytest.raises(ValidationFailed) as info:
        await runs.create_run("sideways")
    assert "kind" in info.value.errors


async def test_stable_run_follows_doctors_interests(db: str) -> None:
    from matching.pairings.tables import NeedInterest

    d1 = await make_rankable_doctor()
    d2 = await make_rankable_doctor()
    n1 = await make_rankable_need()
    n2 = await make_rankable_need()
    # Both doctors pass every rule for both needs; each prefers a different need.
    await NeedInterest.insert(
        NeedInterest(doctor=d1, need=n2, position=1),
        NeedInterest(doctor=d1, need=n1, position=2),
        NeedInterest(doctor=d2, need=n1, position=1),
    ).run()
    run = await runs.execute_run(await runs.create_run("stable"))
    assert run["status"] == RunStatus.SUCCEEDED and run["outcome"]["kind"] == "stable"
    rows = await _proposals(run["id"])
    assert sorted((r["need"], r["doctor"]) for r in rows) == sorted([(n2, d1), (n1, d2)])
    explanation = json.loads(rows[0]["explanation"])
    assert explanation["mode"] == "stable" and explanation["doctor_interest_position"] == 1


async def test_nightly_job_delivered_twice_reuses_its_run(db: str) -> None:
    from workers.jobs import nightly_ranking

    await make_rankable_doctor()
    await make_rankable_need()
    ctx = {"job_id": "cron:nightly-ranking:1700000000000", "job_try": 1}
    first = await nightly_ranking(ctx)
    # A second delivery of the same cron job (after success): a new run only if
    # the first is finished, and the first is never re-executed.
    assert first["status"] == "succeeded"
    (row,) = await RankingRun.select().where(RankingRun.job_id == ctx["job_id"]).run()
    assert row["kind"] == "scheduled"

    # A delivery that died mid-run left its run 'running': the next one reuses it.
    await (
        RankingRun.update({RankingRun.status: RunStatus.RUNNING})
        .where(RankingRun.id == row["id"])
        .run()
    )
    await Proposal.delete().where(Proposal.run == row["id"]).run()
    again = await nightly_ranking(ctx)
    assert again["run_id"] == row["id"] and again["status"] == "succeeded"
    assert await RankingRun.count().run() == 1


async def test_approved_mission_blocks_an_overlapping_mission_for_that_doctor(db: str) -> None:
    """Issue 12 item 6: an approved (not yet accepted) mission holds the doctor's dates."""
    doctor = await make_rankable_doctor()
    held = await make_rankable_need(starts_in=30, days=10)
    overlapping = await make_rankable_need(starts_in=35, days=10)
    later = await make_rankable_need(starts_in=60, days=5)
    await Proposal.insert(Proposal(need=held, doctor=doctor, state="approved")).run()
    run = await runs.execute_run(await runs.create_run("full"))
    proposed = {
        (r["need"], r["doctor"])
        for r in await Proposal.select(Proposal.need, Proposal.doctor)
        .where(Proposal.run == run["id"])
        .run()
    }
    assert proposed == {(later, doctor)}
    (unfillable,) = run["outcome"]["unfillable"]
    assert unfillable["need_id"] == overlapping and unfillable["reasons"] == ["capacity"]
