"""Team missions through the product path: a need with roles, stored, loaded, ranked, written."""

from __future__ import annotations

import json
from datetime import timedelta

from matching.accounts.tables import Role
from matching.facilities.need_commands import create_need
from matching.facilities.schemas import NeedDraft, RoleDraft
from matching.pairings import runs, transitions
from matching.pairings.tables import Proposal
from tests.factories import TODAY, make_account, make_facility, make_rankable_doctor

THEATRE = [
    RoleDraft(specialty="orthopaedics_trauma", count=1),
    RoleDraft(specialty="anaesthesia", count=1),
    RoleDraft(specialty="nursing_education", count=2),
]


async def _team_need(roles: list[RoleDraft] = THEATRE) -> int:
    coordinator = await make_account(Role.COORDINATOR)
    draft = NeedDraft(
        facility_id=await make_facility(),
        kind="mission",
        title="Reopen the operating theatre",
        specialty="",
        languages=["ar"],
        urgency="urgent",
        starts_on=TODAY + timedelta(days=20),
        ends_on=TODAY + timedelta(days=29),
        roles=roles,
        publish=True,
    )
    return (await create_need(draft, actor=coordinator)).id


async def _proposals(run_id: int) -> list[dict]:
    return await Proposal.select().where(Proposal.run == run_id).order_by(Proposal.id).run()


async def test_a_full_run_proposes_the_whole_team_with_each_role_explained(db: str) -> None:
    surgeon = await make_rankable_doctor(specialty="orthopaedics_trauma")
    anaesthetist = await make_rankable_doctor(specialty="anaesthesia")
    nurses = {await make_rankable_doctor(specialty="nursing_education") for _ in range(2)}
    await make_rankable_doctor(specialty="orthopaedics_trauma")  # a second surgeon, not needed
    need = await _team_need()

    run = await runs.execute_run(await runs.create_run("full"))
    rows = await _proposals(run["id"])
    assert {r["need"] for r in rows} == {need}
    by_role: dict[str, set[int]] = {}
    for r in rows:
        explanation = json.loads(r["explanation"])
        by_role.setdefault(explanation["role"], set()).add(r["doctor"])
    assert by_role["anaesthesia"] == {anaesthetist} and by_role["nursing_education"] == nurses
    assert len(by_role["orthopaedics_trauma"]) == 1
    team = json.loads(rows[0]["explanation"])["team"]
    assert [(s["role"], s["count"], len(s["doctor_ids"])) for s in team] == [
        ("orthopaedics_trauma", 1, 1),
        ("anaesthesia", 1, 1),
        ("nursing_education", 2, 2),
    ]
    assert run["outcome"]["unfillable"] == []
    assert surgeon  # one of the two surgeons fills the role


async def test_a_team_missing_one_role_gets_nobody_and_the_run_names_the_role(db: str) -> None:
    await make_rankable_doctor(specialty="orthopaedics_trauma")
    await make_rankable_doctor(specialty="anaesthesia")
    await make_rankable_doctor(specialty="nursing_education")  # the team asks for two nurses
    need = await _team_need()

    run = await runs.execute_run(await runs.create_run("full"))
    assert await _proposals(run["id"]) == []
    (entry,) = run["outcome"]["unfillable"]
    assert entry["need_id"] == need and entry["role"] == "nursing_education"
    assert entry["places_left"] == 2 and entry["eligible"] == 1

    quick = await runs.get_run(await runs.rank_single_need(need))
    assert quick["proposals_made"] == 0
    assert quick["outcome"]["unfillable"][0]["role"] == "nursing_education"


async def test_ranking_one_team_need_fills_it_whole(db: str) -> None:
    for specialty in ("orthopaedics_trauma", "anaesthesia", "nursing_education"):
        await make_rankable_doctor(specialty=specialty)
    need = await _team_need([RoleDraft(specialty=s, count=1) for s in (
        "orthopaedics_trauma", "anaesthesia", "nursing_education")])  # fmt: skip
    quick = await runs.rank_single_need(need)
    rows = await _proposals(quick)
    assert len(rows) == 3
    assert {json.loads(r["explanation"])["role"] for r in rows} == {
        "orthopaedics_trauma",
        "anaesthesia",
        "nursing_education",
    }


async def test_an_approved_member_keeps_their_role_and_the_next_run_fills_the_others_together(
    db: str,
) -> None:
    coordinator = await make_account(Role.COORDINATOR)
    surgeon = await make_rankable_doctor(specialty="orthopaedics_trauma")
    anaesthetist = await make_rankable_doctor(specialty="anaesthesia")
    nurses = {await make_rankable_doctor(specialty="nursing_education") for _ in range(2)}
    need = await _team_need()
    first = await runs.execute_run(await runs.create_run("full"))
    (held,) = [r for r in await _proposals(first["id"]) if r["doctor"] == surgeon]
    await transitions.approve(held["id"], coordinator)

    again = await runs.execute_run(await runs.create_run("full"))
    rows = await _proposals(again["id"])
    roles = {(json.loads(r["explanation"])["role"], r["doctor"]) for r in rows}
    assert roles == {("anaesthesia", anaesthetist)} | {("nursing_education", n) for n in nurses}
    assert all(r["need"] == need for r in rows)
    # The anaesthetist becomes unavailable: the two nurses are not sent without one.
    await Proposal.update({Proposal.state: "declined"}).where(
        (Proposal.run == again["id"]) & (Proposal.doctor == anaesthetist)
    )
    third = await runs.execute_run(await runs.create_run("full"))
    assert await _proposals(third["id"]) == []
    (entry,) = third["outcome"]["unfillable"]
    assert entry["role"] == "anaesthesia"
