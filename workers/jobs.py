"""Job functions: thin ``async def job(ctx, ...)`` wrappers over matching services.

``JOBS`` is the registry both runners use: arq's ``WorkerSettings.functions``
and the in-process queue.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from arq import Retry

from matching.settings import ConfigError, load_worker_tuning

logger = logging.getLogger("workers.jobs")

JobFunction = Callable[..., Awaitable[Any]]

JOBS: dict[str, JobFunction] = {}


def job(function: JobFunction) -> JobFunction:
    """Register a job function under its own name."""
    JOBS[function.__name__] = function
    return function


# ---------------------------------------------------------------------- the jobs

#: Tries of a ranking job before its run is marked failed (arq's ``job_try``; a
#: re-delivery after a killed worker counts too), and the backoff between them:
#: ``matching.settings.load_worker_tuning`` (checked once, a bad value named).
try:
    TUNING = load_worker_tuning()
except ConfigError as exc:  # one line naming the variable, not a traceback
    raise SystemExit(f"error: {exc}") from None
RANKING_TRIES = TUNING.ranking_tries
#: Wait before try n + 1: RANKING_RETRY_BACKOFF_S * 2 ** (n - 1) seconds (5 s, 10 s).
RANKING_RETRY_BACKOFF_S = TUNING.ranking_retry_backoff_s
#: A run whose job id the queue no longer knows, this long after it was created, is lost.
LOST_RUN_AFTER = timedelta(minutes=10)


class RunFailed(RuntimeError):
    """A ranking job failed for good; the message is the reason stored on its run."""


def retry_delay(job_try: int) -> float:
    """Seconds to wait after failed try ``job_try`` (exponential backoff)."""
    return RANKING_RETRY_BACKOFF_S * 2 ** (max(job_try, 1) - 1)


def _settings(ctx: dict[str, Any]) -> Any:
    settings = ctx.get("settings")
    if settings is None:
        from matching.settings import load_settings

        settings = ctx["settings"] = load_settings()
    return settings


def _retry_if_transient(ctx: dict[str, Any], exc: BaseException) -> None:
    """Raise :class:`arq.Retry` for a transient failure before a run exists (on arq,
    tries left); otherwise return and let the caller re-raise."""
    from matching.db import is_transient_error

    tries = int(ctx.get("job_try") or 1)
    if "redis" in ctx and tries < RANKING_TRIES and is_transient_error(exc):
        delay = retry_delay(tries)
        logger.warning("try %s of %s failed (%s); next in %.1f s", tries, RANKING_TRIES, exc, delay)
        raise Retry(defer=delay) from exc


def _doctors(ctx: dict[str, Any]) -> Any:
    """The process's prepared doctor arrays: the arq worker's (``startup``), or one
    per process for the in-process queue."""
    from matching.pairings.prepared_doctors import PreparedDoctors

    doctors = ctx.get("doctors")
    if doctors is None:
        doctors = _PROCESS_DOCTORS.setdefault("doctors", PreparedDoctors())
    return doctors


_PROCESS_DOCTORS: dict[str, Any] = {}


async def _execute(ctx: dict[str, Any], run_id: int) -> dict[str, Any]:
    """Execute a run; a transient failure asks arq for another try, with backoff.

    On arq (``redis`` in ``ctx``) a run gets :data:`RANKING_TRIES` tries; in-process,
    one. ``execute_run`` records the run's state (queued again, or failed with the
    reason); the last failure is raised as :class:`RunFailed` with that reason, which
    arq keeps as the job's result, for :func:`reconcile_runs` when the database was
    down at the time.
    """
    from matching.pairings.runs import TryAgain, execute_run, failure_reason

    tries = int(ctx.get("job_try") or 1)
    attempts = RANKING_TRIES if "redis" in ctx else 1
    try:
        run = await execute_run(run_id, attempt=tries, attempts=attempts, doctors=_doctors(ctx))
    except TryAgain as exc:
        delay = retry_delay(tries)
        logger.warning(
            "run %s: try %s of %s failed; next in %.1f s", run_id, tries, attempts, delay
        )
        raise Retry(defer=delay) from exc
    except Exception as exc:
        if "redis" not in ctx:
            raise
        raise RunFailed(failure_reason(exc, tries)) from exc
    return {
        "run_id": run_id,
        "status": str(run["status"]),
        "proposals": int(run["proposals_made"]),
    }


async def _execute_or_split(ctx: dict[str, Any], run_id: int) -> dict[str, Any]:
    """A large full or scheduled run on arq is split into jobs (``workers.split_runs``);
    every other run takes the single-job path."""
    from workers.split_runs import start_split

    started = await start_split(ctx, run_id)
    if started is not None:
        return started
    return await _execute(ctx, run_id)


@job
async def run_ranking(ctx: dict[str, Any], run_id: int) -> dict[str, Any]:
    """A full (or stable) ranking run created by ``create_run``; job id ``ranking-run:{id}``."""
    return await _execute_or_split(ctx, int(run_id))


#: Runs one rank_need job makes at most when its need keeps changing while it ranks.
MAX_RANKS_PER_JOB = 3


@job
async def rank_need(ctx: dict[str, Any], need_id: int) -> dict[str, Any] | None:
    """Quick ranking of one need (job id ``rank-need:{id}``, started at once).

    An edit saved while this job runs cannot queue another (same job id), so the
    job compares the need before and after its run and ranks it again if it changed.
    """
    from matching.pairings.runs import need_snapshot, run_for_job

    need_id = int(need_id)
    job_id = str(ctx.get("job_id") or "")
    result = None
    for _ in range(MAX_RANKS_PER_JOB):
        try:
            before = await need_snapshot(need_id)
            if before is None:  # deleted
                return result
            run_id = await run_for_job(job_id, "one_need", need_id)
        except Exception as exc:
            _retry_if_transient(ctx, exc)
            raise
        result = await _execute(ctx, run_id)
        try:
            after = await need_snapshot(need_id)
        except Exception as exc:  # the run is written; the next save queues another
            logger.warning("need %s: could not re-check it after run %s: %r", need_id, run_id, exc)
            break
        if after == before:
            break
        logger.info("need %s changed while run %s ranked it; ranking it again", need_id, run_id)
    return result


@job
async def nightly_ranking(ctx: dict[str, Any]) -> dict[str, Any]:
    """The scheduled full run (arq cron, 02:00 Asia/Damascus)."""
    from matching.pairings.runs import run_for_job

    try:
        run_id = await run_for_job(str(ctx.get("job_id") or ""), "scheduled", None)
    except Exception as exc:
        _retry_if_transient(ctx, exc)
        raise
    return await _execute_or_split(ctx, run_id)


@job
async def deliver_outbox(ctx: dict[str, Any]) -> dict[str, int]:
    """Send due outbox mail through SMTP_URL (nothing without it)."""
    from matching.mail.delivery import deliver_outbox as deliver

    settings = _settings(ctx)
    report = await deliver(settings.smtp_url, settings.mail_from)
    return {"sent": report.sent, "retrying": report.retrying, "failed": report.failed}


@job
async def send_reminders(ctx: dict[str, Any]) -> dict[str, int]:
    """The reminder digests due this hour (arq cron, every hour): at most one mail per
    person per local day, every item also in the app (``matching.reminders.digest``)."""
    from matching.reminders.digest import send_digests

    settings = _settings(ctx)
    report = await send_digests(datetime.now(UTC), settings.base_url)
    return {"digests": report.digests, "items": report.items}


@job
async def reconcile_runs(ctx: dict[str, Any]) -> dict[str, int]:
    """Mark failed the runs whose job ended without the run saying so (arq cron).

    A ranking job whose last try met an unreachable database could not record its
    failure: arq keeps the job's result (:class:`RunFailed`, with the reason) and this
    job writes it to the run once the database answers again. A run whose job id the
    queue does not know at all, :data:`LOST_RUN_AFTER` after it was created, is
    marked failed as lost. Runs whose job is still queued, deferred (waiting for its
    next try) or in progress are left alone.
    """
    from arq.jobs import Job, JobStatus

    from matching.pairings.runs import fail_run, failure_reason, unfinished_runs
    from workers.queue import queue_name

    redis = ctx.get("redis")
    if redis is None:
        return {"failed": 0}
    now = datetime.now(UTC)
    failed = 0
    for run in await unfinished_runs():
        arq_job = Job(str(run["job_id"]), redis, _queue_name=queue_name())
        status = await arq_job.status()
        if status == JobStatus.complete:
            info = await arq_job.result_info()
            split = info is not None and info.success and isinstance(info.result, dict)
            split = split and info.result.get("status") == "split"
            if split and await _split_run_lost(redis, run, now):
                reason = "its split jobs are no longer in Redis (lost); start a new run"
                logger.warning("run %s: marked failed: %s", run["id"], reason)
                await fail_run(int(run["id"]), reason)
                failed += 1
                continue
            if info is None or info.success:
                continue
            result = info.result
            if isinstance(result, RunFailed):
                reason = str(result)
            elif isinstance(result, BaseException):
                reason = failure_reason(result, info.job_try)
            else:
                reason = str(result)
        elif status == JobStatus.not_found and now - _aware(run["created_at"]) > LOST_RUN_AFTER:
            reason = "its job is no longer in the queue (lost); start a new run"
        else:
            continue
        logger.warning("run %s: its job ended for good; marked failed: %s", run["id"], reason)
        await fail_run(int(run["id"]), reason)
        failed += 1
    return {"failed": failed}


async def _split_run_lost(redis: Any, run: dict[str, Any], now: datetime) -> bool:
    """A run whose own job split it (``workers.split_runs``) and ended, still not
    finished :data:`LOST_RUN_AFTER` after it was created, with its stored plan gone
    from Redis (flushed, or expired): nothing will finish it."""
    from workers.split_runs import _key

    if now - _aware(run["created_at"]) <= LOST_RUN_AFTER:
        return False
    return not await redis.exists(_key(int(run["id"]), "plan"))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@job
async def delete_expired_cases(ctx: dict[str, Any]) -> dict[str, int]:
    """Delete the case discussions kept past CASE_RETENTION_MONTHS after their mentorship
    ended, their image files first, one audit event per case (arq cron, daily)."""
    from matching.cases.retention import delete_expired_cases as delete_expired

    settings = _settings(ctx)
    report = await delete_expired(
        uploads_dir=settings.uploads_dir, months=settings.case_retention_months
    )
    return {
        "deleted": report.deleted,
        "kept_without_end": report.kept_without_end,
        "images_removed": report.images_removed,
    }


@job
async def complete_mentorships(ctx: dict[str, Any]) -> dict[str, int]:
    """Complete the mentorships past their end date (arq cron, daily). Harmless when
    delivered twice: each mentorship completes only from ``active``."""
    from matching.mentorship.services import complete_due

    return {"completed": len(await complete_due())}
