"""Executing a ranking run: load -> learn -> plan -> write, safely under faults.

:func:`execute_run` is what the worker's jobs call. Loading is per kind: a full,
scheduled or stable run loads every doctor and need; a one-need run ranks its need
against the worker's :class:`~matching.pairings.prepared_doctors.PreparedDoctors`
(kept between jobs, refreshed from the change log). The engine always runs in a
worker thread, never on the event loop. Writing: :mod:`matching.pairings.run_writes`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from datetime import date
from typing import Any

from matching.db import is_transient_error
from matching.errors import NotFound
from matching.facilities.tables import Need
from matching.pairings.decisions import load_decisions
from matching.pairings.loader import load_decided_pairs, load_inputs, load_needs
from matching.pairings.prepared_doctors import PreparedDoctors
from matching.pairings.run_plans import RunPlan, plan_full, plan_one_need, plan_stable
from matching.pairings.run_records import (
    FINISHED,
    MAX_TEST_PAUSE_S,
    PROGRESS_LOADING,
    PROGRESS_SCORING,
    PROGRESS_WRITING,
    ProgressCallback,
    create_run,
    fail_run,
    finish,
    get_run,
    has_proposals,
    mark_retrying,
    mark_running,
    mark_succeeded,
    set_progress,
)
from matching.pairings.run_writes import Stopwatch, mark_overtaken, overtaking_runs, write_plan
from matching.pairings.tables import NeedInterest, RunKind
from matching.ranking import NeedInput
from matching.ranking.api import DEFAULT_TOP_K
from matching.ranking.learned import Decisions, LearnedModel, learn, summary

logger = logging.getLogger("matching.runs")


def learn_from_decisions(decisions: Decisions) -> tuple[LearnedModel | None, dict[str, Any]]:
    """The model a run uses (None below the minimum) and its record for the outcome."""
    model, held = learn(decisions)
    return model, summary(decisions, model, held)


class TryAgain(Exception):
    """A run failed for a transient reason and is queued again: try it later.

    ``reason`` is what the coordinator sees; the run is back to ``queued``.
    """

    def __init__(self, reason: str, attempt: int, attempts: int) -> None:
        super().__init__(reason)
        self.reason, self.attempt, self.attempts = reason, attempt, attempts


def failure_reason(exc: BaseException, attempt: int = 1) -> str:
    """The reason stored on a failed run: the exception, and the tries when retried."""
    if isinstance(exc, asyncio.CancelledError):
        return "interrupted (job timeout or worker shutdown)"
    reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if attempt > 1 and is_transient_error(exc):
        reason = f"gave up after {attempt} tries: {reason}"
    return reason


async def _best_effort(write: Awaitable[None], run_id: int) -> None:
    """Record a run's state even while the task is cancelled; the database itself may
    be what failed, so a failure here is logged, not raised."""
    try:
        await asyncio.shield(write)
    except Exception as exc:
        logger.warning("could not record the state of run %s: %r", run_id, exc)


async def execute_run(
    run_id: int,
    progress_callback: ProgressCallback | None = None,
    *,
    attempt: int = 1,
    attempts: int = 1,
    doctors: PreparedDoctors | None = None,
) -> dict[str, Any]:
    """Execute run ``run_id`` and return it (as :func:`get_run` does).

    Idempotent: a ``succeeded`` run is returned untouched; a run left ``running``
    or ``queued`` (or ``failed``, if delivered again) starts cleanly. Progress is
    stored (and passed to ``progress_callback``): 10 loading, 60 scored, 90
    writing, 100 done. ``doctors``: the process's prepared doctor arrays, used by
    a one-need run (without them it loads every doctor).

    This is try ``attempt`` of ``attempts``. A transient failure
    (:func:`matching.db.is_transient_error`: database unreachable, connection
    dropped, ...) before the last try puts the run back to ``queued`` with the
    reason and raises :class:`TryAgain`. Any other error, or any error on the
    last try, marks the run ``failed`` with :func:`failure_reason` and re-raises.
    Both marks are best effort: with the database down they cannot be written
    (the worker's ``reconcile_runs`` job records the outcome once it is back).
    """
    try:
        return await _execute_run(run_id, progress_callback, doctors)
    except NotFound:
        raise
    except BaseException as exc:
        cancelled = isinstance(exc, asyncio.CancelledError)
        if not cancelled and attempt < attempts and is_transient_error(exc):
            reason = failure_reason(exc)
            logger.warning("run %s: try %s of %s failed: %s", run_id, attempt, attempts, reason)
            await _best_effort(mark_retrying(run_id, reason, attempt, attempts), run_id)
            raise TryAgain(reason, attempt, attempts) from exc
        await _best_effort(fail_run(run_id, failure_reason(exc, attempt)), run_id)
        raise


async def _plan(
    kind: RunKind,
    need_id: int | None,
    top_k: int,
    doctors: PreparedDoctors | None,
    stages: Stopwatch,
) -> tuple[RunPlan, dict[str, Any]]:
    """Load what the run ranks, learn from decisions, plan (engine in a thread)."""
    today = date.today()
    if kind == RunKind.ONE_NEED and need_id is not None:
        needs = await load_needs([need_id])
        decided = await load_decided_pairs([need_id])
        decisions = await load_decisions()
        prepared = doctors or PreparedDoctors()
        async with prepared.use(today) as arrays:
            stages.lap("load")
            model, learned = await asyncio.to_thread(learn_from_decisions, decisions)
            stages.lap("learn")
            need = needs[0] if needs else None
            plan = await asyncio.to_thread(
                plan_one_need, need, arrays, decided, top_k, today, model
            )
        if prepared.last is not None:  # how the arrays were had: cold, changed, same
            plan.outcome["prepared_doctors"] = {
                "how": prepared.last.how,
                "doctors": prepared.last.doctors,
                "changed": prepared.last.changed,
            }
        return plan, learned
    inputs = await load_inputs(None, today)
    decisions = await load_decisions()
    interests: list[dict[str, Any]] = []
    if kind == RunKind.STABLE:
        interests = (
            await NeedInterest.select(NeedInterest.doctor, NeedInterest.need)
            .order_by(NeedInterest.doctor)
            .order_by(NeedInterest.position)
            .run()
        )
    stages.lap("load")
    model, learned = await asyncio.to_thread(learn_from_decisions, decisions)
    stages.lap("learn")
    if kind == RunKind.STABLE:
        plan = await asyncio.to_thread(plan_stable, inputs, interests, top_k, today, model)
    else:
        plan = await asyncio.to_thread(plan_full, inputs, top_k, today, model)
    return plan, learned


async def _execute_run(
    run_id: int, progress_callback: ProgressCallback | None, doctors: PreparedDoctors | None
) -> dict[str, Any]:
    run = await get_run(run_id)
    if run["status"] in FINISHED:
        return run
    if await has_proposals(run_id):
        await mark_succeeded(run_id)
        return await get_run(run_id)
    await mark_running(run_id)
    params = run["parameters"]
    top_k = int(params.get("top_k", DEFAULT_TOP_K))
    kind = RunKind(run["kind"])
    need_id = None if run["need"] is None else int(run["need"])
    if kind == RunKind.ONE_NEED and need_id is None:
        raise ValueError("the need of this run was deleted")
    # A re-delivered run that a newer one has overtaken stops here, before ranking
    # (the write checks again, inside its transaction).
    whole, _ = await overtaking_runs(run_id, kind, need_id)
    if whole is not None:
        await mark_overtaken(run_id, whole, kind)
        logger.info("run %s: overtaken by run %s before ranking; nothing written", run_id, whole)
        return await finish(run_id, progress_callback)
    await set_progress(run_id, PROGRESS_LOADING, progress_callback)
    stages = Stopwatch()
    plan, learned = await _plan(kind, need_id, top_k, doctors, stages)
    stages.lap("rank")
    plan.outcome["kind"] = kind.value
    plan.outcome["learned"] = learned
    plan.outcome["seconds"], plan.outcome["cpu_seconds"] = stages.wall, stages.cpu
    await set_progress(run_id, PROGRESS_SCORING, progress_callback)
    pause = float(params.get("pause_after_scoring_s", 0) or 0)
    if pause > 0:
        await asyncio.sleep(min(pause, MAX_TEST_PAUSE_S))
    await set_progress(run_id, PROGRESS_WRITING, progress_callback)
    result = await write_plan(run_id, kind, need_id, plan)
    if result == "written":
        logger.info(
            "run %s (%s): %s proposals planned, %s unfillable needs",
            run_id,
            kind.value,
            len(plan.proposals),
            len(plan.outcome["unfillable"]),
        )
    return await finish(run_id, progress_callback)


async def need_snapshot(need_id: int) -> list[NeedInput] | None:
    """What a one-need run ranks of the need (empty: not open, or no place left;
    None: no such need). A different snapshot after a run means the need changed
    while it ran."""
    needs = await load_needs([need_id])
    if not needs and not await Need.exists().where(Need.id == need_id).run():
        return None
    return needs


async def rank_single_need(need_id: int, requested_by: int | None = None) -> int:
    """Quick path: create a ``one_need`` run for ``need_id`` and execute it now.

    Supersedes only that need's undecided proposals. Returns the run id.
    """
    run_id = await create_run(RunKind.ONE_NEED, requested_by, {}, need_id=need_id)
    await execute_run(run_id)
    return run_id
