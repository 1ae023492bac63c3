"""Team missions through the web: the form's role rows, the JSON API, a CSV row, and the
review queue and run page naming each role, in English and Arabic."""

from __future__ import annotations

import asyncio
import re
from datetime import date, timedelta

from litestar.testing import AsyncTestClient

from matching.accounts.tables import Role
from matching.facilities.csv_io import import_needs_csv
from matching.facilities.tables import Need, NeedRole
from matching.pairings import runs
from matching.pairings.tables import RankingRun
from tests.factories import (
    api_headers,
    login,
    make_account,
    make_facility,
    make_head,
    make_rankable_doctor,
    post_form,
)

ARABIC_LETTERS = re.compile(r"[\u0621-\u064A]")
START = date.today() + timedelta(days=20)
TEAM = {
    "kind": "mission",
    "title": "Reopen the operating theatre",
    "specialty": "",
    "languages": ["ar"],
    "urgency": "urgent",
    "starts_on": START.isoformat(),
    "ends_on": (START + timedelta(days=9)).isoformat(),
    "roles": [
        {"specialty": "orthopaedics_trauma", "count": 1},
        {"specialty": "anaesthesia", "count": 1},
        {"specialty": "nursing_education", "count": 2},
    ],
}


async def _roles(need_id: int) -> list[tuple[str, int]]:
    rows = await NeedRole.select().where(NeedRole.need == need_id).order_by(NeedRole.id).run()
    return [(r["specialty"], r["count"]) for r in rows]


async def test_the_api_takes_roles_and_refuses_bad_ones_naming_the_role(
    client: AsyncTestClient,
) -> None:
    facility = await make_facility()
    await login(client, await make_head(facility))
    headers = await api_headers(client)
    created = await client.post(
        "/api/needs", json={**TEAM, "facility_id": facility}, headers=headers
    )
    assert created.status_code == 201, created.text
    shown = (await client.get(f"/api/needs/{created.json()['id']}")).json()
    assert shown["places"] == 4 and shown["specialty"] == "orthopaedics_trauma"
    assert shown["roles"] == [
        {"specialty": "orthopaedics_trauma", "count": 1},
        {"specialty": "anaesthesia", "count": 1},
        {"specialty": "nursing_education", "count": 2},
    ]
    bad_role = {**TEAM, "roles": [TEAM["roles"][0], {"specialty": "juggling", "count": 1}]}
    refused = await client.post(
        "/api/needs", json={**bad_role, "facility_id": facility}, headers=headers
    )
    assert refused.status_code == 422
    assert refused.json()["errors"] == {"roles.1": "choose a specialty from the list"}
    workshop = {**TEAM, "kind": "training", "topic": "Triage", "audience_size": 10}
    refused = await client.post(
        "/api/needs", json={**workshop, "facility_id": facility}, headers=headers
    )
    assert refused.json()["errors"]["roles"] == "only a mission can ask for a team of several roles"


async def test_the_form_adds_role_rows_and_shows_them_again_on_edit(
    client: AsyncTestClient,
) -> None:
    facility = await make_facility()
    await login(client, await make_head(facility, language="ar"))
    form = {k: v for k, v in TEAM.items() if k not in ("roles", "languages")}
    form |= {"facility": facility, "languages": "ar", "places": "1"}
    form |= {"role_0_specialty": "orthopaedics_trauma", "role_0_count": "1"}
    form |= {"role_1_specialty": "anaesthesia", "role_1_count": ""}  # empty count: one
    page = await client.get("/needs/new")
    assert "فريق (مهمة تحتاج إلى عدة أدوار)" in page.text and 'name="role_2_specialty"' in page.text
    saved = await post_form(client, "/needs/new", form)
    assert saved.status_code == 200, saved.text
    need = await Need.select(Need.id, Need.places).first()
    assert await _roles(need["id"]) == [("orthopaedics_trauma", 1), ("anaesthesia", 1)]
    assert need["places"] == 2
    shown = await client.get(f"/needs/{need['id']}")
    assert "الفريق (كاملًا أو لا أحد)" in shown.text and "× 1" in shown.text
    edit = await client.get(f"/needs/{need['id']}/edit")
    assert '<option value="anaesthesia" selected>' in edit.text
    assert 'name="role_2_specialty"' in edit.text  # a new empty row after the filled ones
    twice = await post_form(
        client, f"/needs/{need['id']}/edit", {**form, "role_1_specialty": "orthopaedics_trauma"}
    )
    assert twice.status_code == 422 and ARABIC_LETTERS.search(twice.text)


async def test_csv_import_reads_the_roles_cell(db: str) -> None:
    facility = await make_facility()
    coordinator = await make_account(Role.COORDINATOR)
    text = (
        "facility_id,kind,title,specialty,starts_on,ends_on,roles\n"
        f"{facility},mission,Theatre,,{TEAM['starts_on']},{TEAM['ends_on']},"
        '"orthopaedics_trauma 1; anaesthesia; nursing_education 2"\n'
    )
    report = await import_needs_csv(text, actor=coordinator, dry_run=False)
    assert report.problems == [] and report.imported == 1
    need = await Need.select(Need.id, Need.places).first()
    assert await _roles(need["id"]) == [
        ("orthopaedics_trauma", 1),
        ("anaesthesia", 1),
        ("nursing_education", 2),
    ]
    assert need["places"] == 4
    bad = text.replace("anaesthesia;", "anaesthesia x;")
    report = await import_needs_csv(bad, actor=coordinator, dry_run=True)
    assert [(p.field, str(p.message)) for p in report.problems] == [
        ("roles.1", "must be a whole number")
    ]


async def _one_need_runs_finished(need_id: int, timeout_s: float = 30.0) -> None:
    """Wait (bounded) until the need's own ranking, queued by publishing, has ended."""
    finished = ["succeeded", "failed", "overtaken"]
    for _ in range(int(timeout_s / 0.1)):
        ended = await RankingRun.count().where(
            RankingRun.need == need_id, RankingRun.status.is_in(finished)
        )
        if ended:
            return
        await asyncio.sleep(0.1)


async def test_review_queue_and_run_page_name_each_role_in_both_languages(
    client: AsyncTestClient,
) -> None:
    facility = await make_facility()
    head = await make_head(facility)
    await login(client, head)
    for specialty in (
        "orthopaedics_trauma",
        "anaesthesia",
        "nursing_education",
        "nursing_education",
    ):
        await make_rankable_doctor(specialty=specialty)
    created = await client.post(
        "/api/needs", json={**TEAM, "facility_id": facility, "publish": True},
        headers=await api_headers(client),
    )  # fmt: skip
    assert created.status_code == 201, created.text
    # Publishing queued the need's own ranking in-process: let it finish before writing
    # more (the doctors above come first, so no write meets it on SQLite's one writer
    # lock) and before the full run below, which it could otherwise overtake.
    await _one_need_runs_finished(created.json()["id"])
    await runs.execute_run(await runs.create_run("full"))

    await login(client, await make_account(Role.COORDINATOR))
    queue = (await client.get("/coordinator/review")).text
    assert "Role in the team" in queue and "Anaesthesiology × 1: <bdi>" in queue
    assert "The team is proposed all together or not at all:" in queue
    await login(client, await make_account(Role.COORDINATOR, language="ar"))
    queue = (await client.get("/coordinator/review")).text
    assert "الدور في الفريق" in queue and "يُقترح الفريق كاملًا أو لا يُقترح أحد منه:" in queue

    # A second team asks for a neurosurgeon nobody is: the run page names that role.
    second = await client.post(
        "/api/needs", json={**TEAM, "facility_id": facility, "publish": True,
        "roles": [{"specialty": "neurosurgery", "count": 1}, {"specialty": "anaesthesia"}]},
        headers=await api_headers(client),
    )  # fmt: skip
    await _one_need_runs_finished(second.json()["id"])
    run = await runs.execute_run(await runs.create_run("full"))
    page = (await client.get(f"/coordinator/runs/{run['id']}")).text
    assert "دور في الفريق لم يُشغل" in page
