"""A real arq worker (subprocess) against the real Redis and the test database.

The fault tests kill the worker (SIGKILL) while a run is ``running`` and check
that a new worker finishes that run once, with no duplicate proposals, and that
no decision a person made (before or during the run) is lost or duplicated.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from matching.accounts.services import Account, get_account
from matching.accounts.tables import Role
from matching.audit.tables import AuditEvent
from matching.doctors.tables import DoctorProfile
from matching.facilities.tables import Need
from matching.pairings import runs, transitions
from matching.pairings.tables import Proposal, RankingRun, RunStatus
from tests.factories import (
    login,
    make_account,
    make_population,
    make_rankable_doctor,
    make_rankable_need,
)
from tests.servers import free_port
from tests.smtp import Recorder
from tests.workers.processes import JOB_TIMEOUT_S, Workers, until
from workers.queue import (
    ArqQueue,
    InProcessQueue,
    enqueue_need_ranking,
    enqueue_ranking_run,
    rank_need_job_id,
    ranking_run_job_id,
)

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


async def _run(run_id: int) -> dict:
    return await RankingRun.select().where(RankingRun.id == run_id).first().run()


async def test_same_run_queued_twice_runs_once(
    db: str, arq_queue: ArqQueue, workers: Workers
) -> None:
    await make_rankable_doctor()
    await make_rankable_need()
    run_id = await runs.create_run("full")
    assert await enqueue_ranking_run(arq_queue, run_id) is True
    assert await enqueue_ranking_run(arq_queue, run_id) is False

    output = await workers.wait(workers.start(burst=True), timeout=60)
    run = await _run(run_id)
    assert run["status"] == RunStatus.SUCCEEDED, output
    assert await Proposal.count().where(Proposal.run == run_id).run() == 1
    # Still de-duplicated afterwards: arq keeps the result under that job id.
    assert await enqueue_ranking_run(arq_queue, run_id) is False


async def test_killed_worker_leaves_nothing_half_written_and_run_completes_once(
    db: str, arq_queue: ArqQueue, workers: Workers
) -> None:
    for _ in range(3):
        await make_rankable_doctor()
    for _ in range(2):
        await make_rankable_need(places=2)
    run_id = await runs.create_run("full", None, {"pause_after_scoring_s": 4})
    assert await enqueue_ranking_run(arq_queue, run_id)

    first = workers.start()
    deadline = time.monotonic() + 40
    while True:
        run = await _run(run_id)
        if run["status"] == RunStatus.RUNNING and run["progress"] >= 60:
            break
        assert time.monotonic() < deadline, f"run never reached scoring: {run}"
        assert first.poll() is None, first.stdout.read().decode() if first.stdout else ""
        await asyncio.sleep(0.2)
    first.send_signal(signal.SIGKILL)
    first.wait()

    run = await _run(run_id)
    assert run["status"] == RunStatus.RUNNING
    assert await Proposal.count().where(Proposal.run == run_id).run() == 0

    # A new worker picks the job up once the in-progress key expires (timeout + 10 s).
    started = time.monotonic()
    output = await workers.wait(workers.start(burst=True), timeout=JOB_TIMEOUT_S + 10 + 40)
    run = await _run(run_id)
    assert run["status"] == RunStatus.SUCCEEDED, output
    assert time.monotonic() - started >= 4  # it waited for the key, then paused 4 s
    rows = await Proposal.select(Proposal.need, Proposal.doctor).where(Proposal.run == run_id)
    pairs = [(r["need"], r["doctor"]) for r in rows]
    assert len(pairs) == len(set(pairs)) == run["proposals_made"] == 3
    assert await RankingRun.count().run() == 1


async def _doctor_account(doctor_id: int) -> Account:
    profile = await DoctorProfile.select(DoctorProfile.user).where(DoctorProfile.id == doctor_id)
    account = await get_account(profile[0]["user"])
    assert account is not None
    return account


async def _proposals(*where: Any) -> list[dict]:
    query = Proposal.select().order_by(Proposal.id)
    return await (query.where(*where) if where else query).run()


async def test_killed_worker_loses_no_decision_and_duplicates_no_proposal(
    db: str, arq_queue: ArqQueue, workers: Workers
) -> None:
    """Security issue item 5: people's decisions survive a worker killed mid-run.

    Need A (Arabic, 2 places) can go to three Arabic-speaking doctors, need B (English,
    1 place) only to the English-speaking one, need C (Arabic, later dates, 1 place) to
    the Arabic speakers. Run 1 proposes; a coordinator approves one A proposal and its
    doctor accepts (confirmed), rejects the other with a reason, leaves B and C
    undecided. Run 2 is killed (SIGKILL) after scoring; while the restarted worker is
    between scoring and writing, the coordinator approves B's proposal, a pair run 2
    has just planned to propose again.
    """
    arabic = [await make_rankable_doctor(languages=("ar",)) for _ in range(3)]
    english = await make_rankable_doctor(languages=("en",))
    need_a = await make_rankable_need(places=2)
    need_b = await make_rankable_need(languages="en")
    need_c = await make_rankable_need(starts_in=60)
    first = await runs.execute_run(await runs.create_run("full"))
    assert first["status"] == RunStatus.SUCCEEDED
    by_need = {n: await _proposals(Proposal.need == n) for n in (need_a, need_b, need_c)}
    assert [len(by_need[n]) for n in (need_a, need_b, need_c)] == [2, 1, 1]
    assert by_need[need_b][0]["doctor"] == english
    assert {p["doctor"] for p in by_need[need_a]} < set(arabic)

    coordinator = await make_account(Role.COORDINATOR)
    confirmed, rejected = (p["id"] for p in by_need[need_a])
    await transitions.approve(confirmed, coordinator)
    doctor = await _doctor_account(by_need[need_a][0]["doctor"])
    await transitions.accept(confirmed, doctor)
    await transitions.reject(rejected, coordinator, reason="availability", note="exams")
    late_decision = by_need[need_b][0]["id"]
    undecided = by_need[need_c][0]["id"]
    decided_before = await _proposals(Proposal.id.is_in([confirmed, rejected]))
    assert [p["state"] for p in decided_before] == ["confirmed", "rejected"]
    audit_before = await AuditEvent.select().order_by(AuditEvent.id).run()
    assert [e["action"] for e in audit_before if e["subject_type"] == "proposal"] == [
        "proposal.approved",
        "proposal.accepted",
        "proposal.confirmed",
        "proposal.rejected",
    ]
    needs_before = await Need.select(Need.id, Need.status).order_by(Need.id).run()

    run_id = await runs.create_run("full", None, {"pause_after_scoring_s": 4})
    await runs.set_job_id(run_id, ranking_run_job_id(run_id))
    assert await enqueue_ranking_run(arq_queue, run_id)
    killed = workers.start()

    async def scored() -> bool:
        run = await _run(run_id)
        return run["status"] == RunStatus.RUNNING and run["progress"] >= runs.PROGRESS_SCORING

    await until(scored, 40, "run 2 to be scored", killed)
    started = (await _run(run_id))["started_at"]
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    assert await Proposal.count().where(Proposal.run == run_id).run() == 0

    restarted = workers.start(burst=True)

    async def rescored() -> bool:
        run = await _run(run_id)
        return run["started_at"] != started and run["progress"] >= runs.PROGRESS_SCORING

    # The in-progress key of the killed job expires after JOB_TIMEOUT_S + 10 s.
    await until(rescored, JOB_TIMEOUT_S + 10 + 40, "run 2 to be scored again", restarted)
    await transitions.approve(late_decision, coordinator)
    output = await workers.wait(restarted, timeout=60)

    run = await _run(run_id)
    assert run["status"] == RunStatus.SUCCEEDED, output
    # Every earlier decision intact: same rows, same audit trail, same need states.
    assert await _proposals(Proposal.id.is_in([confirmed, rejected])) == decided_before
    audit_after = await AuditEvent.select().order_by(AuditEvent.id).run()
    assert audit_after[: len(audit_before)] == audit_before
    assert [(e["action"], e["subject_id"]) for e in audit_after[len(audit_before) :]] == [
        ("proposal.approved", late_decision)
    ]
    assert await Need.select(Need.id, Need.status).order_by(Need.id).run() == needs_before
    # The decision made while run 2 worked holds; only the undecided one is superseded.
    states = {p["id"]: p["state"] for p in await _proposals(Proposal.run == first["id"])}
    assert states == {
        confirmed: "confirmed",
        rejected: "rejected",
        late_decision: "approved",
        undecided: "superseded",
    }
    # Run 2: unique proposals, none for a pair a person has decided, written once.
    new = await _proposals(Proposal.run == run_id)
    pairs = [(p["need"], p["doctor"]) for p in new]
    assert len(pairs) == len(set(pairs)) == run["proposals_made"]
    decided = await _proposals(Proposal.run == first["id"], Proposal.state != "superseded")
    assert not {(p["need"], p["doctor"]) for p in decided} & set(pairs)
    assert {p["need"] for p in new} == {need_a, need_c}, "B's only place is approved"
    assert all(p["state"] == "proposed" for p in new)
    assert await RankingRun.count().run() == 2


async def test_need_edits_are_debounced_into_one_run(
    db: str, arq_queue: ArqQueue, workers: Workers
) -> None:
    await make_rankable_doctor()
    need = await make_rankable_need()
    results = [await enqueue_need_ranking(arq_queue, need) for _ in range(10)]
    assert results == [True] + [False] * 9

    output = await workers.wait(workers.start(burst=True), timeout=60)
    rows = await RankingRun.select().where(RankingRun.kind == "one_need").run()
    assert len(rows) == 1, output
    assert rows[0]["status"] == RunStatus.SUCCEEDED
    assert rows[0]["job_id"] == rank_need_job_id(need)
    assert await Proposal.count().where(Proposal.need == need).run() == 1
    # keep_result=0: a later edit queues a new quick ranking.
    assert await enqueue_need_ranking(arq_queue, need) is True


async def test_failed_run_is_marked_with_the_reason(
    db: str, arq_queue: ArqQueue, workers: Workers
) -> None:
    need = await make_rankable_need()
    run_id = await runs.create_run("one_need", None, {}, need_id=need)
    await RankingRun.update({RankingRun.need: None}).where(RankingRun.id == run_id).run()
    assert await enqueue_ranking_run(arq_queue, run_id)
    await workers.wait(workers.start(burst=True), timeout=60)
    run = await _run(run_id)
    assert run["status"] == RunStatus.FAILED
    assert "need of this run was deleted" in run["error"]


async def test_in_process_queue_runs_the_same_job(db: str) -> None:
    await make_rankable_doctor()
    await make_rankable_need()
    queue = InProcessQueue()
    run_id = await runs.create_run("full")
    assert await enqueue_ranking_run(queue, run_id)
    assert not await enqueue_ranking_run(queue, run_id)
    await queue.drain()
    assert (await _run(run_id))["status"] == RunStatus.SUCCEEDED
    assert await Proposal.count().where(Proposal.run == run_id).run() == 1


def test_worker_settings_read_the_queue_name(monkeypatch: pytest.MonkeyPatch) -> None:
    code = "import workers.main as m; print(m.WorkerSettings.queue_name)"
    env = {**os.environ, "JOB_QUEUE_NAME": "homs:elsewhere", "PYTHONPATH": f"{ROOT}/src:{ROOT}"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "homs:elsewhere"


def test_worker_settings_read_redis_url_through_the_settings() -> None:
    code = (
        "import workers.main as m; s = m.WorkerSettings.redis_settings; "
        "print(s.host, s.port, s.database)"
    )
    env = {**os.environ, "PYTHONPATH": f"{ROOT}/src:{ROOT}"}
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "REDIS_URL": "redis://queue.internal:6380/3"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split() == ["queue.internal", "6380", "3"]
    bad = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "REDIS_URL": "http://queue.internal"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode != 0
    assert "REDIS_URL" in bad.stderr and "Traceback" not in bad.stderr


async def test_in_process_schedule_delivers_the_outbox_and_stops(db: str, settings) -> None:
    from dataclasses import replace

    from aiosmtpd.controller import Controller

    from matching.mail.outbox import queue_mail
    from matching.mail.tables import MailStatus, OutboxMail

    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        queue = InProcessQueue({"settings": replace(settings, smtp_url=f"smtp://127.0.0.1:{port}")})
        await queue_mail(
            recipient="a@example.org", subject="s", body_text="t", body_html="<p>h</p>"
        )
        queue.start_schedule(outbox_every_s=0.1)
        for _ in range(100):
            if recorder.messages:
                break
            await asyncio.sleep(0.05)
        await queue.close()
    finally:
        controller.stop()
    assert len(recorder.messages) == 1
    assert await OutboxMail.select(OutboxMail.status).first() == {"status": MailStatus.SENT}


async def test_killed_run_redelivered_after_a_newer_run_is_overtaken(
    db: str, arq_queue: ArqQueue, workers: Workers, client
) -> None:
    """Issue 12 item 3: run A is killed mid-run, run B is queued and completed by
    another worker, then A is re-delivered and completes: A writes nothing, so no
    (need, doctor) pair is live twice and no need holds more than its places; A's
    page says a newer run overtook it, in English and Arabic."""
    from collections import Counter

    from matching.db import json_object
    from matching.i18n import gettext
    from matching.pairings.run_writes import LIVE_STATES

    if not db.startswith("postgres"):
        pytest.skip("kill and re-delivery are proven on PostgreSQL (the production engine)")
    _, needs = await make_population(30, 2)
    run_a = await runs.create_run("full", None, {"pause_after_scoring_s": 4})
    await runs.set_job_id(run_a, ranking_run_job_id(run_a))
    assert await enqueue_ranking_run(arq_queue, run_a)
    killed = workers.start()

    async def scored() -> bool:
        run = await _run(run_a)
        return run["status"] == RunStatus.RUNNING and run["progress"] >= runs.PROGRESS_SCORING

    await until(scored, 40, "run A to be scored", killed)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    assert await Proposal.count().where(Proposal.run == run_a).run() == 0

    run_b = await runs.create_run("full")
    await runs.set_job_id(run_b, ranking_run_job_id(run_b))
    assert await enqueue_ranking_run(arq_queue, run_b)
    other = workers.start(burst=True)
    # B first; A once its in-progress key expires (JOB_TIMEOUT_S + 10 s); then it exits.
    output = await workers.wait(other, timeout=JOB_TIMEOUT_S + 10 + 40)

    a, b = await _run(run_a), await _run(run_b)
    assert b["status"] == RunStatus.SUCCEEDED and b["proposals_made"] == 60, output
    assert a["status"] == RunStatus.OVERTAKEN, output
    assert json_object(a["outcome"])["overtaken_by"] == run_b
    assert a["finished_at"] > b["finished_at"], "A was re-delivered after B completed"
    assert await Proposal.count().where(Proposal.run == run_a).run() == 0
    live = [
        (r["need"], r["doctor"])
        for r in await Proposal.select(Proposal.need, Proposal.doctor).where(
            Proposal.state.is_in(list(LIVE_STATES))
        )
    ]
    assert len(live) == len(set(live)) == 60
    assert Counter(need for need, _ in live) == dict.fromkeys(needs, 2)

    await login(client, await make_account(Role.COORDINATOR))
    page = (await client.get(f"/coordinator/runs/{run_a}")).text
    said = "A newer run ranked the same needs and finished first, so this run proposed nothing"
    assert said in page and f'href="/coordinator/runs/{run_b}"' in page
    assert "Replaced by a newer run" in page
    api = (await client.get(f"/api/runs/{run_a}")).json()
    assert api["status"] == "overtaken" and api["overtaken_by"] == run_b
    await login(client, await make_account(Role.COORDINATOR, language="ar"))
    arabic = (await client.get(f"/coordinator/runs/{run_a}")).text
    assert gettext("ar", said + ": its pairings would have duplicated that run's.") in arabic
    assert gettext("ar", "Replaced by a newer run") in arabic
