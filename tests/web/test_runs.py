"""Ranking runs and outbox pages through the real app (in-process job queue)."""

from __future__ import annotations

import asyncio

from matching.accounts.tables import Role
from matching.audit.tables import AuditEvent
from matching.mail.outbox import queue_mail
from matching.pairings.tables import Proposal, RankingRun
from tests.factories import (
    api_headers,
    login,
    make_account,
    make_rankable_doctor,
    make_rankable_need,
    post_form,
)
from workers.queue import ranking_run_job_id


async def _wait_finished(client, run_id: int) -> dict:
    for _ in range(200):
        response = await client.get(f"/api/runs/{run_id}")
        body = response.json()
        if body["status"] in ("succeeded", "failed"):
            return body
        await asyncio.sleep(0.05)
    raise AssertionError(f"run {run_id} never finished: {body}")


async def test_api_starts_a_run_and_reports_progress(client) -> None:
    coordinator = await make_account(Role.COORDINATOR)
    await make_rankable_doctor()
    await make_rankable_need()
    unfillable = await make_rankable_need(languages="fr")
    await login(client, coordinator)

    response = await client.post("/api/runs", json={}, headers=await api_headers(client))
    assert response.status_code == 202, response.text
    run_id = response.json()["id"]
    body = await _wait_finished(client, run_id)
    assert body["status"] == "succeeded" and body["progress"] == 100
    assert body["proposals_made"] == 1 and body["needs_considered"] == 2
    assert body["unfillable"][0]["need_id"] == unfillable
    assert body["unfillable"][0]["reasons"] == ["language"]
    assert body["error"] == ""
    row = await RankingRun.select(RankingRun.job_id).where(RankingRun.id == run_id).first()
    assert row["job_id"] == ranking_run_job_id(run_id)
    events = await AuditEvent.select().where(AuditEvent.action == "ranking_run.requested").run()
    assert [e["subject_id"] for e in events] == [run_id]


async def test_api_names_bad_fields_and_unknown_runs(client) -> None:
    await login(client, await make_account(Role.COORDINATOR))
    headers = await api_headers(client)
    response = await client.post("/api/runs", json={"kind": "sideways"}, headers=headers)
    assert response.status_code == 422 and "kind" in response.text
    response = await client.post(
        "/api/runs", json={"parameters": {"top_k": "lots"}}, headers=headers
    )
    assert response.status_code == 422 and "top_k" in response.text
    response = await client.post("/api/runs", json={"colour": 1}, headers=headers)
    assert response.status_code == 422 and response.json()["field"] == "colour"
    response = await client.post(
        "/api/runs", json={"parameters": {"colour": "blue"}}, headers=headers
    )
    assert response.status_code == 422 and "colour" in response.text
    response = await client.post(
        "/api/runs", json={"parameters": {"pause_after_scoring_s": 5}}, headers=headers
    )
    assert response.status_code == 422 and "pause_after_scoring_s" in response.text
    assert (await client.get("/api/runs/999999")).status_code == 404
    assert (await client.get(f"/api/runs/{2**40}")).status_code == 404


async def test_runs_are_for_coordinators_only(client) -> None:
    assert (await client.get("/api/runs/1")).status_code in (401, 403)
    await login(client, await make_account(Role.DOCTOR))
    assert (await client.get("/api/runs/1")).status_code == 403
    response = await client.post("/api/runs", json={}, headers=await api_headers(client))
    assert response.status_code == 403
    assert (await client.get("/coordinator/runs")).status_code == 403
    assert (await client.get("/coordinator/outbox")).status_code == 403


async def test_run_now_button_and_run_page(client) -> None:
    await make_rankable_doctor()
    need = await make_rankable_need(languages="fr")
    await login(client, await make_account(Role.COORDINATOR))
    page = await client.get("/coordinator/runs")
    assert page.status_code == 200
    assert "Run ranking now" in page.text and "No run yet." in page.text

    response = await post_form(client, "/coordinator/runs", {"kind": "full"})
    assert response.status_code == 200  # followed the redirect to the run's page
    run_id = int(str(response.url).rstrip("/").rsplit("/", 1)[1])
    await _wait_finished(client, run_id)
    page = await client.get(f"/coordinator/runs/{run_id}")
    assert "Needs that no doctor can fill" in page.text
    assert "No doctor speaks a language this need asks for." in page.text
    assert f'href="/needs/{need}"' in page.text
    listing = await client.get("/coordinator/runs")
    assert f'data-run-id="{run_id}"' in listing.text and "<progress" in listing.text
    assert '<script src="/static/js/runs.' in listing.text
    assert (await client.get("/static/js/runs.js")).status_code == 200


async def test_bad_kind_rerenders_with_the_problem_at_the_field(client) -> None:
    await login(client, await make_account(Role.COORDINATOR))
    response = await post_form(client, "/coordinator/runs", {"kind": "sideways"})
    assert response.status_code == 422
    assert "Choose a full run or the stable mode." in response.text
    assert await Proposal.count().run() == 0


async def test_outbox_lists_and_shows_mail(client) -> None:
    mail_id = await queue_mail(
        recipient="head@example.org",
        subject="دعوة للانضمام",
        body_text="مرحبا بكم في المنصة",
        body_html="<p>مرحبا</p>",
        language="ar",
    )
    await login(client, await make_account(Role.COORDINATOR))
    page = await client.get("/coordinator/outbox")
    assert page.status_code == 200
    assert "head@example.org" in page.text and "دعوة للانضمام" in page.text
    assert "queued" in page.text
    detail = await client.get(f"/coordinator/outbox/{mail_id}")
    assert "مرحبا بكم في المنصة" in detail.text and 'dir="rtl"' in detail.text
    assert (await client.get("/coordinator/outbox/999999")).status_code == 404
    assert (await client.get(f"/coordinator/outbox/{2**40}")).status_code == 404


async def test_overtaken_run_says_why_on_its_pages_and_in_the_api(client) -> None:
    from matching.i18n import gettext
    from matching.pairings import runs

    await make_rankable_doctor()
    await make_rankable_need()
    older = await runs.create_run("full")
    await RankingRun.update({RankingRun.status: "running"}).where(RankingRun.id == older).run()
    newer = (await runs.execute_run(await runs.create_run("full")))["id"]
    assert (await runs.execute_run(older))["status"] == "overtaken"

    await login(client, await make_account(Role.COORDINATOR))
    body = (await client.get(f"/api/runs/{older}")).json()
    assert body["status"] == "overtaken" and body["overtaken_by"] == newer
    assert (await client.get(f"/api/runs/{newer}")).json()["overtaken_by"] is None
    page = (await client.get(f"/coordinator/runs/{older}")).text
    assert "so this run proposed nothing" in page
    assert f'<a href="/coordinator/runs/{newer}">See ranking run {newer}</a>' in page
    listing = (await client.get("/coordinator/runs")).text
    assert "A newer run ranked the same needs first; this one proposed nothing." in listing
    assert "Replaced by a newer run" in listing

    await login(client, await make_account(Role.COORDINATOR, language="ar"))
    arabic = (await client.get("/coordinator/runs")).text
    said = "A newer run ranked the same needs first; this one proposed nothing."
    assert gettext("ar", said) in arabic and said not in arabic
    assert gettext("ar", "See ranking run %(id)s", id=newer) in arabic
