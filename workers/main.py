"""arq worker settings: ``arq workers.main.WorkerSettings`` (or ``make worker``).

Environment (read by ``matching.settings``): ``REDIS_URL`` (default
``redis://127.0.0.1:6379/0``), ``DATABASE_URL``, ``SMTP_URL``,
``JOB_QUEUE_NAME`` (default ``homs:queue``; tests use their own),
``RANKING_JOB_TIMEOUT_S`` (default 300), ``RANKING_TRIES`` (default 3, at most 4),
``RANKING_RETRY_BACKOFF_S`` (default 5), ``SPLIT_RUN_MIN_NEEDS`` (default 2000: a full
or scheduled run with that many open needs is split into jobs, 0 never) and
``RANKING_BLOCK_NEEDS`` (default 1000 needs per scoring block); see
``workers.split_runs``. More workers, on this machine or others, with the same
``REDIS_URL``, ``DATABASE_URL`` and ``JOB_QUEUE_NAME``, share a split run's blocks.

A ranking run that meets a transient failure (database unreachable, connection
dropped) goes back to ``queued`` with the reason and is tried again
(``arq.Retry``) after 5 s, then 10 s; the last failure marks it failed with
"gave up after N tries: ...". If the database is still down at that moment the
failure is kept as the job's result in Redis and ``reconcile_runs`` (every five
minutes and at worker start) writes it to the run once the database answers.

A posted or changed need is ranked at once (``rank_need``, no fixed wait). Each
worker process keeps every doctor's prepared arrays between those jobs
(``matching.pairings.prepared_doctors``: a few hundred MB at 100,000 doctors) and
reloads only the doctors the database's change log names; the first such job of a
process, and of each day, loads every doctor (seconds at 100,000).

A worker killed in the middle of a job leaves it in the queue; arq runs it again
once its in-progress key expires, i.e. after the LARGEST job timeout + 10 s. So
every timeout here is small and honest: a ranking run that needs more than
``RANKING_JOB_TIMEOUT_S`` fails (marked failed, with the reason) instead of
blocking re-delivery for long. Run workers under a supervisor (systemd,
``restart=always``): after a Redis restart arq may stop; ``arq --check
workers.main.WorkerSettings`` is the health probe.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from arq import cron, func
from arq.connections import RedisSettings

from matching.settings import ARQ_MAX_TRIES
from workers.jobs import (
    TUNING,
    complete_mentorships,
    delete_expired_cases,
    deliver_outbox,
    nightly_ranking,
    rank_need,
    reconcile_runs,
    run_ranking,
    send_reminders,
)
from workers.queue import queue_name
from workers.split_runs import assign_ranking_pool, score_ranking_block, write_split_run

RANKING_JOB_TIMEOUT_S = TUNING.ranking_job_timeout_s
MAIL_JOB_TIMEOUT_S = min(120, RANKING_JOB_TIMEOUT_S)


async def startup(ctx: dict[str, Any]) -> None:
    """Bind the tables to DATABASE_URL once per worker process."""
    from piccolo.engine.postgres import PostgresEngine

    from matching.db import make_engine, start_pool, use_engine
    from matching.pairings.prepared_doctors import PreparedDoctors
    from matching.settings import load_settings
    from workers.queue import ArqQueue

    settings = load_settings()
    engine = make_engine(settings.database_url)
    use_engine(engine)
    if isinstance(engine, PostgresEngine) and settings.database_pool:
        await start_pool(engine, min_size=1, max_size=4)
    ctx["settings"] = settings
    ctx["engine"] = engine
    ctx["queue"] = ArqQueue(ctx["redis"])
    # The doctors' prepared arrays, kept between this process's one-need jobs.
    ctx["doctors"] = PreparedDoctors()


async def shutdown(ctx: dict[str, Any]) -> None:
    from piccolo.engine.postgres import PostgresEngine

    engine = ctx.get("engine")
    if isinstance(engine, PostgresEngine) and ctx["settings"].database_pool:
        await engine.close_connection_pool()


class WorkerSettings:
    functions = [
        func(run_ranking, timeout=RANKING_JOB_TIMEOUT_S),
        # keep_result=0: the same need can be re-ranked right after the last run.
        func(rank_need, timeout=RANKING_JOB_TIMEOUT_S, keep_result=0),
        func(nightly_ranking, timeout=RANKING_JOB_TIMEOUT_S),
        func(deliver_outbox, timeout=MAIL_JOB_TIMEOUT_S, keep_result=0),
        func(reconcile_runs, timeout=MAIL_JOB_TIMEOUT_S, keep_result=0),
        func(send_reminders, timeout=MAIL_JOB_TIMEOUT_S, keep_result=0),
        # A large full run's steps (workers.split_runs): blocks, pools, the write.
        func(score_ranking_block, timeout=RANKING_JOB_TIMEOUT_S),
        func(assign_ranking_pool, timeout=RANKING_JOB_TIMEOUT_S),
        func(write_split_run, timeout=RANKING_JOB_TIMEOUT_S),
        func(delete_expired_cases, timeout=MAIL_JOB_TIMEOUT_S, keep_result=0),
        func(complete_mentorships, timeout=MAIL_JOB_TIMEOUT_S, keep_result=0),
    ]
    cron_jobs = [
        cron(
            nightly_ranking, name="nightly-ranking", hour=2, minute=0, timeout=RANKING_JOB_TIMEOUT_S
        ),
        cron(
            deliver_outbox, name="deliver-outbox-every-minute", second=0, timeout=MAIL_JOB_TIMEOUT_S
        ),
        cron(
            reconcile_runs,
            name="reconcile-runs",
            minute=set(range(0, 60, 5)),
            second=30,
            run_at_startup=True,
            timeout=MAIL_JOB_TIMEOUT_S,
            keep_result=0,
        ),
        cron(
            send_reminders,
            name="reminder-digests-every-hour",
            minute=7,
            second=0,
            timeout=MAIL_JOB_TIMEOUT_S,
            keep_result=0,
        ),
        cron(
            delete_expired_cases,
            name="delete-expired-cases",
            hour=3,
            minute=15,
            timeout=MAIL_JOB_TIMEOUT_S,
            keep_result=0,
        ),
        cron(
            complete_mentorships,
            name="complete-mentorships",
            hour=1,
            minute=30,
            timeout=MAIL_JOB_TIMEOUT_S,
            keep_result=0,
        ),
    ]
    timezone = ZoneInfo("Asia/Damascus")
    queue_name = queue_name()
    redis_settings = RedisSettings.from_dsn(TUNING.redis_url)
    on_startup = startup
    on_shutdown = shutdown
    job_timeout = RANKING_JOB_TIMEOUT_S
    max_tries = ARQ_MAX_TRIES
    health_check_interval = 30
