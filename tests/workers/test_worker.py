"""A real arq worker (subprocess) against the real Redis and the test database.

The fault test kills the worker (SIGKILL) while a run is ``running`` and checks
that a new worker finishes that run once, with no duplicate proposals.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from matching.pairings import runs
from matching.pairings.tables import Proposal, RankingRun, RunStatus
from tests.workers.conftest import JOB_TIMEOUT_S, Workers
from tests.workers.data import make_doctor, make_need
from workers.queue import (
    ArqQueue,
    InProcessQueue,
    enqueue_need_ranking,
    enqueue_ranking_run,
)

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


async def _run(run_id: int) -> dict:
    return await RankingRun.select().where(RankingRun.id == run_id).first().run()


async def test_same_run_queued_twice_runs_once(
    db: str, arq_queue: ArqQueue, workers: Workers
) -> None:
    await make_doctor()
    await make_need()
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
        await make_doctor()
    for _ in range(2):
        await make_need(places=2)
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


async def test_need_edits_are_debounced_into_one_run(
    db: str, arq_queue: ArqQueue, workers: Workers
) -> None:
    await make_doctor()
    need = await make_need()
    results = [await enqueue_need_ranking(arq_queue, need) for _ in range(10)]
    assert results == [True] + [False] * 9

    output = await workers.wait(workers.start(burst=True), timeout=60)
    rows = await RankingRun.select().where(RankingRun.kind == "one_need").run()
    assert len(rows) == 1, output
    assert rows[0]["status"] == RunStatus.SUCCEEDED
    assert rows[0]["job_id"] == f"rank-need:{need}"
    assert await Proposal.count().where(Proposal.need == need).run() == 1
    # keep_result=0: a later edit queues a new quick ranking.
    assert await enqueue_need_ranking(arq_queue, need) is True


async def test_failed_run_is_marked_with_the_reason(
    db: str, arq_queue: ArqQueue, workers: Workers
) -> None:
    need = await make_need()
    run_id = await runs.create_run("one_need", None, {}, need_id=need)
    await RankingRun.update({RankingRun.need: None}).where(RankingRun.id == run_id).run()
    assert await enqueue_ranking_run(arq_queue, run_id)
    await workers.wait(workers.start(burst=True), timeout=60)
    run = await _run(run_id)
    assert run["status"] == RunStatus.FAILED
    assert "need of this run was deleted" in run["error"]


async def test_in_process_queue_runs_the_same_job(db: str) -> None:
    await make_doctor()
    await make_need()
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


async def test_in_process_schedule_delivers_the_outbox_and_stops(db: str, settings) -> None:
    from dataclasses import replace

    from aiosmtpd.controller import Controller

    from matching.mail.outbox import queue_mail
    from matching.mail.tables import MailStatus, OutboxMail
    from tests.workers.test_mail_delivery import Recorder, _free_port

    recorder = Recorder()
    port = _free_port()
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
