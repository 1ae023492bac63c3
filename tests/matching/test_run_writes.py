"""A run's write on both engines: any size, never over a newer run, invariants re-checked.

Every test goes through the real path: rows in the tables -> ``execute_run`` ->
proposal rows. What happens "while the run works" happens in the run's own
progress callback at 90 (after scoring, before the write transaction).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable

import pytest

from matching.facilities.tables import Need
from matching.pairings import runs
from matching.pairings.run_writes import INSERT_BATCH_ROWS, LIVE_STATES
from matching.pairings.tables import Proposal, ProposalState, RankingRun, RunStatus
from tests.factories import make_population, make_rankable_doctor

NOTHING_LEFT_OUT = {"overtaken": 0, "closed": 0, "decided": 0, "live": 0, "places": 0}


async def _live() -> list[tuple[int, int]]:
    rows = await Proposal.select(Proposal.need, Proposal.doctor).where(
        Proposal.state.is_in(list(LIVE_STATES))
    )
    return [(r["need"], r["doctor"]) for r in rows]


async def _assert_invariants() -> None:
    """No live (need, doctor) pair twice; no need with more live proposals than places."""
    live = await _live()
    assert len(live) == len(set(live)), Counter(live).most_common(3)
    places = {r["id"]: r["places"] for r in await Need.select(Need.id, Need.places)}
    per_need = Counter(need for need, _ in live)
    assert not [n for n, count in per_need.items() if count > places[n]]


def _at_writing(action: Callable[[], Awaitable[None]]) -> Callable[[int], Awaitable[None]]:
    async def callback(progress: int) -> None:
        if progress == runs.PROGRESS_WRITING:
            await action()

    return callback


@pytest.mark.slow
async def test_a_run_of_6000_proposals_writes_every_one(db: str) -> None:
    """PostgreSQL refuses a statement of more than 32,767 parameters (2,730 proposals)."""
    doctors, needs = await make_population(2000, 3)
    run = await runs.execute_run(await runs.create_run("full"))

    assert run["status"] == RunStatus.SUCCEEDED, run["error"]
    rows = await Proposal.select(Proposal.need, Proposal.doctor).where(Proposal.run == run["id"])
    assert len(rows) == run["proposals_made"] == run["outcome"]["planned"] == 6000
    assert len(rows) > 2 * INSERT_BATCH_ROWS
    assert {r["doctor"] for r in rows} == set(doctors)
    assert Counter(r["need"] for r in rows) == dict.fromkeys(needs, 3)
    assert run["outcome"]["not_written"] == {**NOTHING_LEFT_OUT, "conflict": 0}
    assert set(run["outcome"]["seconds"]) == {"load", "learn", "rank", "write"}
    await _assert_invariants()


async def test_run_overtaken_while_it_works_writes_nothing(db: str) -> None:
    await make_population(4, 2)
    older = await runs.create_run("full")
    newer = await runs.create_run("full")

    async def newer_completes() -> None:
        assert (await runs.execute_run(newer))["status"] == RunStatus.SUCCEEDED

    run = await runs.execute_run(older, _at_writing(newer_completes))

    assert run["status"] == RunStatus.OVERTAKEN
    assert run["outcome"]["overtaken_by"] == newer
    assert run["proposals_made"] == 0
    assert await Proposal.count().where(Proposal.run == older).run() == 0
    assert await Proposal.count().where(Proposal.run == newer).run() == 8
    await _assert_invariants()
    # Done: executing it again (a later delivery) changes nothing.
    assert (await runs.execute_run(older))["status"] == RunStatus.OVERTAKEN


async def test_redelivered_run_after_a_newer_one_stops_before_ranking(db: str) -> None:
    await make_population(2, 2)
    older = await runs.create_run("full")
    await (
        RankingRun.update({RankingRun.status: RunStatus.RUNNING})
        .where(RankingRun.id == older)
        .run()
    )  # as a killed worker leaves it
    newer = await runs.execute_run(await runs.create_run("full"))
    seen: list[int] = []

    run = await runs.execute_run(older, seen.append)

    assert run["status"] == RunStatus.OVERTAKEN
    assert run["outcome"] == {"kind": "full", "overtaken_by": newer["id"]}
    assert seen == [100]
    await _assert_invariants()


async def test_one_need_run_overtakes_only_its_need(db: str) -> None:
    _, needs = await make_population(3, 2)
    older_one = await runs.create_run("one_need", need_id=needs[2])
    full = await runs.create_run("full")
    one = await runs.create_run("one_need", need_id=needs[1])

    async def quick_ranking_completes() -> None:
        assert (await runs.execute_run(one))["status"] == RunStatus.SUCCEEDED

    run = await runs.execute_run(full, _at_writing(quick_ranking_completes))

    assert run["status"] == RunStatus.SUCCEEDED
    assert run["outcome"]["needs_overtaken"] == {str(needs[1]): one}
    assert run["outcome"]["not_written"]["overtaken"] == 2
    written = await Proposal.select(Proposal.need).where(Proposal.run == full)
    assert sorted(r["need"] for r in written) == [needs[0], needs[0], needs[2], needs[2]]
    # A one-need run older than a completed full run is overtaken as a whole.
    late = await runs.execute_run(older_one)
    assert late["status"] == RunStatus.OVERTAKEN
    assert late["outcome"]["overtaken_by"] == full
    await _assert_invariants()


async def test_write_rechecks_live_pairs_places_and_open_needs(db: str) -> None:
    """While the run worked: a live proposal of one of its pairs appeared (its run
    deleted), a coordinator approved another doctor, and one need was closed."""
    doctors, needs = await make_population(2, 3)
    outsider = await make_rankable_doctor(travel=False)  # never planned: it cannot travel
    run_id = await runs.create_run("full")

    async def meanwhile() -> None:
        await Proposal.insert(
            Proposal(run=None, need=needs[0], doctor=doctors[0], state=ProposalState.PROPOSED),
            Proposal(run=None, need=needs[0], doctor=outsider, state=ProposalState.APPROVED),
        ).run()
        await Need.update({Need.status: "closed"}).where(Need.id == needs[1]).run()

    run = await runs.execute_run(run_id, _at_writing(meanwhile))

    assert run["status"] == RunStatus.SUCCEEDED
    assert run["outcome"]["planned"] == 6
    assert run["outcome"]["not_written"] == {
        **NOTHING_LEFT_OUT,
        "live": 1,  # doctors[0] already has a live proposal for need 0
        "places": 1,  # 3 places - 2 live: one of doctors[1], doctors[2]
        "closed": 3,
        "conflict": 0,
    }
    written = await Proposal.select(Proposal.need, Proposal.doctor).where(Proposal.run == run_id)
    assert len(written) == run["proposals_made"] == 1
    assert written[0]["need"] == needs[0] and written[0]["doctor"] in doctors[1:3]
    await _assert_invariants()


@pytest.mark.slow
async def test_two_runs_writing_at_once_never_duplicate(db: str) -> None:
    """Two runs reach their write at the same moment (two connections on PostgreSQL,
    one IMMEDIATE writer at a time on SQLite), 20 times: whichever writes second,
    the live proposals are one run's, never both."""
    await make_population(5, 2)
    for _ in range(20):
        barrier = asyncio.Barrier(2)

        async def together(progress: int, barrier: asyncio.Barrier = barrier) -> None:
            if progress == runs.PROGRESS_WRITING:
                await barrier.wait()

        older, newer = await runs.create_run("full"), await runs.create_run("full")
        done = await asyncio.gather(
            runs.execute_run(older, together), runs.execute_run(newer, together)
        )
        statuses = sorted(str(r["status"]) for r in done)
        assert statuses in (["succeeded", "succeeded"], ["overtaken", "succeeded"])
        live = await _live()
        assert len(live) == len(set(live)) == 10
        assert {
            r["run"]
            for r in await Proposal.select(Proposal.run).where(
                Proposal.state == ProposalState.PROPOSED
            )
        } == {newer}
        await _assert_invariants()
