"""Job functions: thin ``async def job(ctx, ...)`` wrappers over matching services.

``JOBS`` is the registry both runners use: arq's ``WorkerSettings.functions``
and the in-process queue.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from arq import Retry

logger = logging.getLogger("workers.jobs")

JobFunction = Callable[..., Awaitable[Any]]

JOBS: dict[str, JobFunction] = {}


def job(function: JobFunction) -> JobFunction:
    """Register a job function under its own name."""
    JOBS[function.__name__] = function
    return function


# ---------------------------------------------------------------------- the jobs

#: Database errors worth another try (the run is re-executed from scratch).
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (OSError, ConnectionError, TimeoutError)
MAX_TRANSIENT_TRIES = 3


def _settings(ctx: dict[str, Any]) -> Any:
    settings = ctx.get("settings")
    if settings is None:
        from matching.settings import load_settings

        settings = ctx["settings"] = load_settings()
    return settings


async def _execute(ctx: dict[str, Any], run_id: int) -> dict[str, Any]:
    """Execute a run; transient database trouble asks arq for a retry.

    ``execute_run`` has already marked the run failed with the reason; only
    :class:`arq.Retry` re-queues, anything else fails the job for good.
    """
    from matching.pairings.runs import execute_run

    try:
        run = await execute_run(run_id)
    except TRANSIENT_ERRORS as exc:
        tries = int(ctx.get("job_try") or 1)
        if "redis" in ctx and tries < MAX_TRANSIENT_TRIES:
            logger.warning("run %s: %s; retrying (try %s)", run_id, exc, tries)
            raise Retry(defer=5 * tries) from exc
        raise
    return {
        "run_id": run_id,
        "status": str(run["status"]),
        "proposals": int(run["proposals_made"]),
    }


async def _run_for_job(ctx: dict[str, Any], kind: str, need_id: int | None) -> int:
    """The run this job delivery works on: the one made by an earlier delivery of
    the same job id that did not finish (a killed worker), else a new one."""
    from matching.pairings.runs import create_run, set_job_id
    from matching.pairings.tables import RankingRun, RunStatus

    job_id = str(ctx.get("job_id") or "")
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


@job
async def run_ranking(ctx: dict[str, Any], run_id: int) -> dict[str, Any]:
    """A full (or stable) ranking run created by ``create_run``; job id ``ranking-run:{id}``."""
    return await _execute(ctx, int(run_id))


@job
async def rank_need(ctx: dict[str, Any], need_id: int) -> dict[str, Any] | None:
    """Quick ranking of one need (enqueued with job id ``rank-need:{id}``, deferred 5 s)."""
    from matching.facilities.tables import Need

    if not await Need.exists().where(Need.id == int(need_id)).run():
        return None
    run_id = await _run_for_job(ctx, "one_need", int(need_id))
    return await _execute(ctx, run_id)


@job
async def nightly_ranking(ctx: dict[str, Any]) -> dict[str, Any]:
    """The scheduled full run (arq cron, 02:00 Asia/Damascus)."""
    run_id = await _run_for_job(ctx, "scheduled", None)
    return await _execute(ctx, run_id)


@job
async def deliver_outbox(ctx: dict[str, Any]) -> dict[str, int]:
    """Send due outbox mail through SMTP_URL (nothing without it)."""
    from matching.mail.delivery import deliver_outbox as deliver

    settings = _settings(ctx)
    report = await deliver(settings.smtp_url, settings.mail_from)
    return {"sent": report.sent, "retrying": report.retrying, "failed": report.failed}
