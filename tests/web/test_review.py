"""Coordinator pages: review queue, bulk approve, dashboard, audit trail, API."""

from __future__ import annotations

import csv
import io
import json

import pytest
from babel.numbers import format_decimal
from litestar.testing import AsyncTestClient

from matching.accounts.tables import Role
from matching.audit.tables import AuditEvent
from matching.doctors.tables import Licence
from matching.labels import label
from matching.pairings import runs
from matching.pairings.tables import Proposal
from tests.factories import (
    api_headers,
    login,
    make_account,
    make_doctor,
    make_facility,
    make_need,
    make_proposal,
    make_rankable_doctor,
    make_rankable_need,
    post_form,
    scene,
)


async def _state(proposal_id: int) -> str:
    row = await Proposal.select(Proposal.state).where(Proposal.id == proposal_id).first()
    return row["state"]


async def test_queue_groups_by_need_urgent_and_rural_first_without_contact(
    client: AsyncTestClient,
) -> None:
    s = await scene()
    urban = await make_facility(name="Homs National Hospital", district="homs", rural=False)
    routine = await make_need(urban, urgency="routine", title="Routine urban need")
    critical_urban = await make_need(urban, urgency="critical", title="Critical urban need")
    await make_proposal(routine, s["doctor_id"])
    await make_proposal(critical_urban, s["doctor_id"])
    await Licence.insert(
        Licence(
            doctor=s["doctor_id"],
            issuer_country="DE",
            authority="Ärztekammer",
            number="1",
            expires_on=__import__("datetime").date(2030, 1, 1),
            state="pending",
        )
    ).run()
    await login(client, s["coordinator"])
    page = await client.get("/coordinator/review")
    assert page.status_code == 200
    text = page.text
    order = [
        text.index(t) for t in ("Critical urban need", "Neonatal mission", "Routine urban need")
    ]
    assert order == sorted(order), "critical first, then urgent rural, then routine"
    assert "Dr. Lina Haddad" in text and "Neonatology" in text
    assert "lina.private@example.org" not in text and "+49 30 1234 5678" not in text
    assert "specialty fit" in text and "contributes 0.40 of 0.40" in text
    assert 'href="/coordinator/licences"' in text
    assert '<strong class="pending-licences">1</strong>' in text


async def test_approve_then_approve_again_is_409_page(client: AsyncTestClient) -> None:
    s = await scene()
    await login(client, s["coordinator"])
    response = await post_form(client, f"/coordinator/review/{s['proposal']}/approve", {})
    assert response.status_code == 200
    assert "Pairing approved. The doctor is asked to accept or decline it" in response.text
    again = await post_form(client, f"/coordinator/review/{s['proposal']}/approve", {})
    assert again.status_code == 409
    assert "cannot be approved: it is approved" in again.text


async def test_reject_form_names_the_note_field(client: AsyncTestClient) -> None:
    s = await scene()
    await login(client, s["coordinator"])
    response = await post_form(
        client, f"/coordinator/review/{s['proposal']}/reject", {"reason": "other", "note": ""}
    )
    assert response.status_code == 422
    assert 'id="note-error"' in response.text
    ok = await post_form(
        client,
        f"/coordinator/review/{s['proposal']}/reject",
        {"reason": "committed", "note": "mission elsewhere"},
    )
    assert ok.status_code == 200
    assert await _state(s["proposal"]) == "rejected"


async def test_bulk_approve_all_or_nothing(client: AsyncTestClient) -> None:
    s = await scene()
    facility = await make_facility(name="Talkalakh Health Centre")
    other = await make_proposal(await make_need(facility), s["doctor_id"])
    declined = await make_proposal(
        await make_need(facility, title="X"), s["doctor_id"], state="declined"
    )
    await login(client, s["coordinator"])
    failed = await post_form(
        client,
        "/coordinator/review/bulk-approve",
        {"proposal_id": [str(s["proposal"]), str(other), str(declined)]},
    )
    assert failed.status_code == 409
    assert f"Proposal #{declined} cannot be approved" in failed.text
    assert await _state(s["proposal"]) == "proposed" and await _state(other) == "proposed"
    ok = await post_form(
        client,
        "/coordinator/review/bulk-approve",
        {"proposal_id": [str(s["proposal"]), str(other)]},
    )
    assert ok.status_code == 200
    assert await _state(other) == "approved"


async def test_swap_from_the_queue(client: AsyncTestClient) -> None:
    facility = await make_facility()
    _, first = await make_doctor()
    _, runner = await make_doctor(name="Dr. Runner Up")
    need = await make_need(facility)
    proposal = await make_proposal(
        need, first, runners_up=[{"doctor_id": runner, "score": 0.5, "rank": 2}]
    )
    await login(client, await make_account(Role.COORDINATOR))
    page = await client.get("/coordinator/review")
    assert "Dr. Runner Up" in page.text
    response = await post_form(
        client, f"/coordinator/review/{proposal}/swap", {"doctor_id": str(runner)}
    )
    assert response.status_code == 200
    assert await _state(proposal) == "rejected"
    assert (
        await Proposal.count().where(Proposal.doctor == runner, Proposal.state == "approved") == 1
    )


async def test_dashboard_draws_svg_charts_and_is_the_coordinator_home(
    client: AsyncTestClient,
) -> None:
    s = await scene()
    await login(client, s["coordinator"])
    home = await client.get("/")
    assert str(home.url).endswith("/coordinator")
    assert home.status_code == 200
    assert "<svg" in home.text and "Needs by district" in home.text
    assert "Al-Rastan" in home.text and "Rural" in home.text and "Neonatology" in home.text
    assert "Needs that no doctor can fill" in home.text


async def test_audit_filter_and_csv_export(client: AsyncTestClient) -> None:
    s = await scene()
    await login(client, s["coordinator"])
    await post_form(client, f"/coordinator/review/{s['proposal']}/approve", {})
    page = await client.get("/coordinator/audit", params={"action": "proposal.approved"})
    assert page.status_code == 200 and "proposal.approved" in page.text
    listed = page.text.split('<ol class="audit-list">')[1]
    assert " approved Proposal #" in listed and " created Account #" not in listed
    bad = await client.get("/coordinator/audit", params={"since": "yesterday"})
    assert bad.status_code == 422 and 'id="since-error"' in bad.text
    exported = await client.get(
        "/coordinator/audit.csv", params={"subject_type": "proposal", "actor": "coordinator"}
    )
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.content.startswith(b"\xef\xbb\xbf")  # a BOM, for Excel
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["id", "when", "actor", "action"]
    assert [r[3] for r in rows[1:]] == ["proposal.approved"]
    assert await AuditEvent.count().where(AuditEvent.action == "proposal.approved") == 1


async def test_doctor_cannot_open_review_or_approve(client: AsyncTestClient) -> None:
    s = await scene()
    await login(client, s["doctor"])
    assert (await client.get("/coordinator/review")).status_code == 403
    response = await client.post(
        f"/api/proposals/{s['proposal']}/approve", headers=await api_headers(client)
    )
    assert response.status_code == 403
    assert await _state(s["proposal"]) == "proposed"


async def test_api_list_approve_reject_and_409(client: AsyncTestClient) -> None:
    s = await scene()
    await login(client, s["coordinator"])
    headers = await api_headers(client)
    listing = await client.get("/api/proposals", params={"state": "proposed"})
    assert listing.status_code == 200
    body = listing.json()
    assert body[0]["id"] == s["proposal"] and body[0]["signals"][0]["name"] == "specialty_fit"
    assert "phone" not in listing.text
    approved = await client.post(f"/api/proposals/{s['proposal']}/approve", headers=headers)
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    again = await client.post(f"/api/proposals/{s['proposal']}/approve", headers=headers)
    assert again.status_code == 409 and "cannot be approved" in again.json()["detail"]
    _, second_doctor = await make_doctor(name="Dr. Omar Saleh")  # one live proposal per doctor
    other = await make_proposal(s["need"], second_doctor)
    bad = await client.post(
        f"/api/proposals/{other}/reject", json={"reason": "nope"}, headers=headers
    )
    assert bad.status_code == 422 and bad.json()["field"] == "reason"
    missing = await client.post(f"/api/proposals/{other}/reject", json={}, headers=headers)
    assert missing.status_code == 422 and missing.json()["field"] == "reason"
    ok = await client.post(
        f"/api/proposals/{other}/reject", json={"reason": "availability"}, headers=headers
    )
    assert ok.status_code == 200 and ok.json()["decision_reason"] == "availability does not fit"


async def test_queue_is_paginated_by_need_in_a_stable_order(client: AsyncTestClient) -> None:
    _, doctor = await make_doctor()
    facility = await make_facility()
    routine = [
        await make_proposal(
            await make_need(facility, urgency="routine", title=f"Routine {i:02d}"), doctor
        )
        for i in range(25)
    ]
    critical = [
        await make_proposal(
            await make_need(facility, urgency="critical", title=f"Critical {i}"), doctor
        )
        for i in range(2)
    ]
    await login(client, await make_account(Role.COORDINATOR))

    first = await client.get("/coordinator/review")
    assert first.status_code == 200
    assert "27 proposals waiting for review" in first.text and "27 needs" in first.text
    assert "Showing 1–25 of 27" in first.text and "Page 1 of 2" in first.text
    assert 'href="/coordinator/review?page=2" rel="next"' in first.text
    assert 'rel="prev"' not in first.text
    shown = [f"Critical {i}" for i in range(2)] + [f"Routine {i:02d}" for i in range(23)]
    positions = [first.text.index(t) for t in shown]
    assert positions == sorted(positions), "most urgent first, then oldest"
    assert "Routine 23" not in first.text and first.text.count('name="proposal_id"') == 25

    second = await client.get("/coordinator/review", params={"page": 2})
    assert "Showing 26–27 of 27" in second.text and "Page 2 of 2" in second.text
    assert 'href="/coordinator/review?page=1" rel="prev"' in second.text
    assert 'rel="next"' not in second.text
    assert "Routine 23" in second.text and "Routine 24" in second.text
    assert "Routine 22" not in second.text and "Critical 0" not in second.text

    past_end = await client.get("/coordinator/review", params={"page": 99})
    assert past_end.status_code == 200 and "Showing 26–27 of 27" in past_end.text
    for low in ("0", "-3"):
        clamped = await client.get("/coordinator/review", params={"page": low})
        assert clamped.status_code == 200 and "Showing 1–25 of 27" in clamped.text
    bad = await client.get("/coordinator/review", params={"page": "two"})
    assert bad.status_code == 422
    assert "The page number must be a whole number." in bad.text
    assert "Showing 1–25 of 27" in bad.text, "the first page is still shown"

    # Bulk approve what page 2 shows; the form carries the page it came from.
    assert '<input type="hidden" name="page" value="2">' in second.text
    approved = await post_form(
        client,
        "/coordinator/review/bulk-approve",
        {"proposal_id": [str(p) for p in routine[23:]], "page": "2"},
    )
    assert approved.status_code == 200 and "<bdi>2</bdi> pairing(s) approved." in approved.text
    assert [await _state(p) for p in routine[23:]] == ["approved", "approved"]
    assert "Showing 1–25 of 25" in approved.text, "page 2 is gone: the last page is shown"
    assert await _state(critical[0]) == "proposed"


async def test_swapped_in_runner_up_shows_its_own_signal_bars(client: AsyncTestClient) -> None:
    best = await make_rankable_doctor(years=20)
    runner = await make_rankable_doctor(years=3)
    need = await make_rankable_need()
    run_id = await runs.create_run("full")
    await runs.execute_run(run_id)
    original = await Proposal.select().where(Proposal.need == need).first()
    assert original["doctor"] == best
    stored = json.loads(original["explanation"])["runners_up"][0]
    assert stored["doctor_id"] == runner and stored["signals"]

    await login(client, await make_account(Role.COORDINATOR))
    queue = await client.get("/coordinator/review")
    assert f'<option value="{runner}">' in queue.text
    swapped = await post_form(
        client, f"/coordinator/review/{original['id']}/swap", {"doctor_id": str(runner)}
    )
    assert swapped.status_code == 200
    new = await Proposal.select().where(Proposal.doctor == runner).first()
    assert new["state"] == "approved" and new["score"] == pytest.approx(stored["score"])

    page = await client.get(f"/pairings/{new['id']}")
    assert page.status_code == 200
    assert "No signal breakdown was recorded" not in page.text
    assert "need weight" not in page.text and "×" not in page.text, "plain words, no formulas"
    table = page.text.split('<table class="signals">')[1].split("</table>")[0]
    assert table.count('class="bar-contribution"') == len(stored["signals"])
    for name, s in stored["signals"].items():
        assert label(name, "signal", "en") in table
        # Rounded as the page rounds (decimal, half to even: 0.065 -> 0.06), not as
        # Python's binary float formatting does (0.065 -> 0.07).
        got, most = (
            format_decimal(s[k], format="#,##0.00", locale="en") for k in ("contribution", "weight")
        )
        assert f"contributes {got} of {most}" in table
    experience = stored["signals"]["experience"]["value"]
    best_experience = json.loads(original["explanation"])["signals"]["experience"]["value"]
    assert experience < best_experience, "the runner-up's own figures, not the original's"
    listing = await client.get("/api/proposals", params={"state": "approved"})
    (out,) = listing.json()
    assert {s["name"] for s in out["signals"]} == set(stored["signals"])
