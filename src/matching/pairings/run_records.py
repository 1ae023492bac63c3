"""A ranking run's row (:class:`RankingRun`): create, find, read, mark its state.

The run's lifecycle: ``queued`` (:func:`create_run`, :func:`request_run`) ->
``running`` (:func:`mark_running`) -> ``succeeded`` or ``overtaken``
(:mod:`matching.pairings.run_writes`, with its proposals) or ``failed``
(:func:`fail_run`), or back to ``queued`` after a transient failure
(:func:`mark_retrying`). The run's ``outcome`` JSON is described in
:mod:`matching.pairings.runs`.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from matching.audit.services import record_event
from matching.db import json_object
from matching.errors import NotFound, ValidationFailed
from matching.facilities.tables import Need
from matching.i18n import N_
from matching.pairings.run_writes import transaction
from matching.pairings.tables import Proposal, RankingRun, RunKind, RunStatus

ProgressCallback = Callable[[int], Awaitable[None] | None]

PROGRESS_LOADING = 10
PROGRESS_SCORING = 60
PROGRESS_WRITING = 90
PROGRESS_DONE = 100
MAX_TEST_PAUSE_S = 60.0
KNOWN_PARAMETERS = ("top_k", "pause_after_scoring_s")
MAX_ID = 2**31 - 1
#: A run in one of these states is done: executing it again returns it untouched.
FINISHED = (RunStatus.SUCCEEDED, RunStatus.OVERTAKEN)


def _now() -> datetime:
    return datetime.now(UTC)


def _clean_parameters(parameters: dict[str, Any] | None) -> dict[str, Any]:
    params = dict(parameters or {})
    errors: dict[str, str] = {
        key: N_("Unknown parameter.") for key in params if key not in KNOWN_PARAMETERS
    }
    if "top_k" in params:
        top_k = params["top_k"]
        if isinstance(top_k, bool) or not isinstance(top_k, int) or not 1 <= top_k <= 200:
            errors["top_k"] = N_("Enter a whole number from 1 to 200.")
    if "pause_after_scoring_s" in params:
        pause = params["pause_after_scoring_s"]
        if isinstance(pause, bool) or not isinstance(pause, int | float) or pause < 0:
            errors["pause_after_scoring_s"] = N_("Enter a number of seconds, 0 or more.")
    if errors:
        raise ValidationFailed(errors)
    return params


async def create_run(
    kind: str | RunKind = RunKind.FULL,
    requested_by: int | None = None,
    parameters: dict[str, Any] | None = None,
    *,
    need_id: int | None = None,
) -> int:
    """Insert a queued run; return its id.

    ``kind`` is one of :class:`RunKind`; ``one_need`` needs ``need_id``.
    Raises :class:`ValidationFailed` naming ``kind``, ``need_id`` or a parameter.
    """
    try:
        run_kind = RunKind(kind)
    except ValueError:
        message = N_("Choose full, one_need, scheduled or stable.")
        raise ValidationFailed({"kind": message}) from None
    if run_kind == RunKind.ONE_NEED and need_id is None:
        raise ValidationFailed({"need_id": N_("A one-need run needs a need.")})
    params = _clean_parameters(parameters)
    rows = (
        await RankingRun.insert(
            RankingRun(
                kind=run_kind,
                need=need_id,
                parameters=json.dumps(params),
                outcome="{}",
                status=RunStatus.QUEUED,
                requested_by=requested_by,
            )
        )
        .returning(RankingRun.id)
        .run()
    )
    return int(rows[0]["id"])


async def set_job_id(run_id: int, job_id: str) -> None:
    await RankingRun.update({RankingRun.job_id: job_id}).where(RankingRun.id == run_id).run()


async def unfinished_runs() -> list[dict[str, Any]]:
    """Runs still ``queued`` or ``running`` with a job id: ``id``, ``job_id``, ``created_at``."""
    return (
        await RankingRun.select(RankingRun.id, RankingRun.job_id, RankingRun.created_at)
        .where(
            RankingRun.status.is_in([RunStatus.QUEUED, RunStatus.RUNNING])
            & (RankingRun.job_id != "")
        )
        .order_by(RankingRun.id)
        .run()
    )


async def get_run(run_id: int) -> dict[str, Any]:
    """The run as a dict (``parameters``/``outcome`` decoded); :class:`NotFound` if missing."""
    row = None
    if 0 < run_id <= MAX_ID:
        row = await RankingRun.select().where(RankingRun.id == run_id).first().run()
    if row is None:
        raise NotFound(N_("No such ranking run."))
    row["parameters"] = json_object(row["parameters"])
    row["outcome"] = json_object(row["outcome"])
    return row


async def list_runs(limit: int = 50) -> list[dict[str, Any]]:
    """Latest runs first."""
    rows = await RankingRun.select().order_by(RankingRun.id, ascending=False).limit(limit).run()
    for row in rows:
        row["parameters"] = json_object(row["parameters"])
        row["outcome"] = json_object(row["outcome"])
    return rows


async def set_progress(run_id: int, value: int, callback: ProgressCallback | None) -> None:
    await RankingRun.update({RankingRun.progress: value}).where(RankingRun.id == run_id).run()
    if callback is not None:
        result = callback(value)
        if inspect.isawaitable(result):
            await result


async def fail_run(run_id: int, reason: str) -> None:
    """Mark a run failed with the reason (never a succeeded or overtaken one)."""
    await (
        RankingRun.update(
            {
                RankingRun.status: RunStatus.FAILED,
                RankingRun.error: reason[:2000],
                RankingRun.finished_at: _now(),
            }
        )
        .where((RankingRun.id == run_id) & RankingRun.status.not_in(list(FINISHED)))
        .run()
    )


async def run_for_job(job_id: str, kind: RunKind | str, need_id: int | None) -> int:
    """The run a job delivery works on: the unfinished one an earlier delivery of the
    same job id made (a killed worker), else a new one carrying ``job_id``."""
    if job_id:
        row = (
            await RankingRun.select(RankingRun.id)
            .where(
                (RankingRun.job_id == job_id)
                & RankingRun.status.is_in([RunStatus.QUEUED, RunStatus.RUNNING])
            )
            .order_by(RankingRun.id, ascending=False)
            .first()
            .run()
        )
        if row is not None:
            return int(row["id"])
    run_id = await create_run(kind, None, {}, need_id=need_id)
    if job_id:
        await set_job_id(run_id, job_id)
    return run_id


async def has_proposals(run_id: int) -> bool:
    return bool(await Proposal.count().where(Proposal.run == run_id).run())


async def mark_succeeded(run_id: int) -> None:
    """Guard only: writing proposals and marking succeeded share one transaction."""
    await (
        RankingRun.update({RankingRun.status: RunStatus.SUCCEEDED})
        .where(RankingRun.id == run_id)
        .run()
    )


async def mark_running(run_id: int) -> None:
    await (
        RankingRun.update(
            {
                RankingRun.status: RunStatus.RUNNING,
                RankingRun.progress: 0,
                RankingRun.error: "",
                RankingRun.started_at: _now(),
                RankingRun.finished_at: None,
            }
        )
        .where(RankingRun.id == run_id)
        .run()
    )


async def finish(run_id: int, progress_callback: ProgressCallback | None) -> dict[str, Any]:
    """Tell ``progress_callback`` the run is done; return the run."""
    if progress_callback is not None:
        result = progress_callback(PROGRESS_DONE)
        if inspect.isawaitable(result):
            await result
    return await get_run(run_id)


async def mark_retrying(run_id: int, reason: str, attempt: int, attempts: int) -> None:
    """Put a run whose try failed back to ``queued``, with the reason and the tries
    (``outcome['retrying']``), so coordinators see it will be tried again."""
    await (
        RankingRun.update(
            {
                RankingRun.status: RunStatus.QUEUED,
                RankingRun.progress: 0,
                RankingRun.error: reason[:2000],
                RankingRun.outcome: json.dumps(
                    {"retrying": {"failed_try": attempt, "tries": attempts}}
                ),
                RankingRun.finished_at: None,
            }
        )
        .where((RankingRun.id == run_id) & RankingRun.status.not_in(list(FINISHED)))
        .run()
    )


async def request_run(
    kind: str, *, actor_id: int | None, actor_label: str, parameters: dict[str, Any] | None = None
) -> int:
    """A coordinator asks for a run: create it queued, with its audit event."""
    if kind not in (RunKind.FULL, RunKind.STABLE):
        raise ValidationFailed({"kind": N_("Choose a full run or the stable mode.")})
    if parameters and "pause_after_scoring_s" in parameters:
        raise ValidationFailed({"pause_after_scoring_s": N_("This parameter is for tests only.")})
    async with transaction():
        run_id = await create_run(kind, actor_id, parameters)
        await record_event(
            actor_id=actor_id,
            actor_label=actor_label,
            action="ranking_run.requested",
            subject_type="ranking_run",
            subject_id=run_id,
            after={"kind": kind, "parameters": parameters or {}},
        )
    return run_id


async def run_detail(run_id: int) -> dict[str, Any]:
    """The run, with its unfillable needs named (title, facility) and their reasons."""
    run = await get_run(run_id)
    unfillable = run["outcome"].get("unfillable", [])
    ids = [int(u["need_id"]) for u in unfillable]
    needs = {
        int(r["id"]): r
        for r in (
            await Need.select(
                Need.id, Need.title, Need.kind, Need.facility.name_en, Need.facility.name_ar
            )
            .where(Need.id.is_in(ids or [-1]))
            .run()
        )
    }
    run["unfillable"] = [
        {
            **u,
            "need": needs.get(int(u["need_id"])),
            "reason_codes": list(u.get("reasons") or ["combination"]),
        }
        for u in unfillable
    ]
    return run
