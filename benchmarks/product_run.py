"""The product path of a full ranking run on PostgreSQL, through the worker's job function.

For each size (20,000 doctors x 2,000 needs and 100,000 x 10,000; ``--quick``:
2,000 x 200) a throw-away PostgreSQL database (``BENCH_POSTGRES_URL``, default
the test server) is created and migrated, then filled with the synthetic
population of :mod:`benchmarks.synthetic` (the one the engine benchmark ranks)
by ``COPY`` (asyncpg ``copy_records_to_table``). A child process then does what
an arq worker does: binds the tables to the database with a connection pool,
and awaits ``workers.jobs.run_ranking(ctx, run_id)``, the function arq calls,
for a queued full run: load from the database, learn from decisions, rank and
assign, write the proposals in one transaction. It prints wall time per stage
(``outcome["seconds"]``, measured inside the job) with the job process's CPU
seconds in that stage (``outcome["cpu_seconds"]``, all its threads; PostgreSQL's
own work shows in the wall time only), the job's wall time, the child's peak
memory (``ru_maxrss``: its own, the population is the parent's; ``job_cpu_s`` is
the child's whole CPU time, start-up and imports included), and proposals
written (rows in the table) against planned. On a shared machine the wall times
stretch with the other load; the CPU seconds much less.

``python -m benchmarks.product_run [--doctors N --needs M] [--quick]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import os
import random
import resource
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
BASE_URL = os.environ.get(
    "BENCH_POSTGRES_URL",
    os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"),
)
SIZES = ((20_000, 2_000), (100_000, 10_000))
QUICK_SIZES = ((2_000, 200),)
FACILITIES = 400
#: (label, key in the run's outcome "seconds"/"cpu_seconds")
STAGES = (("load", "load"), ("learn", "learn"), ("rank_assign", "rank"), ("write", "write"))
DISTRICTS = ("homs", "al_rastan", "talkalakh", "al_qusayr", "al_mukharram", "tadmur")


# ------------------------------------------------------------------ population
async def populate(url: str, n_doctors: int, n_needs: int, today: date) -> None:
    """Fill an empty, migrated database with the synthetic population by COPY."""
    import asyncpg

    from benchmarks.synthetic import make_doctors, make_needs
    from matching.taxonomy import load_taxonomy

    taxonomy = load_taxonomy()
    doctors = make_doctors(n_doctors, taxonomy, today, seed=11)
    needs = make_needs(n_needs, taxonomy, today, seed=12)
    rng = random.Random(5)
    rows: dict[str, tuple[tuple[str, ...], list[tuple]]] = {
        "app_user": (("id", "email", "password_hash", "full_name", "role"), []),
        "doctor_profile": (
            (
                "id",
                "user",
                "country",
                "timezone",
                "years_experience",
                "offers_mission",
                "offers_mentorship",
                "offers_training",
                "max_mentees",
                "hours_per_month",
                "can_travel",
                "free_text_skills",
            ),
            [],
        ),
        "doctor_language": (("doctor", "code"), []),
        "doctor_specialty": (("doctor", "code", "level"), []),
        "doctor_skill": (("doctor", "code"), []),
        "travel_window": (("doctor", "starts_on", "ends_on"), []),
        "weekly_slot": (("doctor", "weekday", "starts_at", "ends_at"), []),
        "licence": (
            ("doctor", "issuer_country", "authority", "number", "expires_on", "state"),
            [],
        ),
        "facility": (
            ("id", "name_en", "name_ar", "kind", "district", "rural", "functional_state"),
            [],
        ),
        "need": (
            (
                "id",
                "facility",
                "kind",
                "title",
                "specialty",
                "description",
                "languages",
                "requires_licence",
                "urgency",
                "status",
                "places",
                "starts_on",
                "ends_on",
                "min_coverage",
                "weekly_hours",
                "remote",
            ),
            [],
        ),
        "need_skill": (("need", "code"), []),
        "local_slot": (("need", "weekday", "starts_at", "ends_at"), []),
    }

    def add(table: str, *values: object) -> None:
        rows[table][1].append(values)

    for d in doctors:
        add("app_user", d.id, f"bench{d.id}@load.homs-health.org", "x", f"Dr. {d.id}", "doctor")
        add(
            "doctor_profile",
            d.id,
            d.id,
            d.country,
            d.timezone,
            d.years_experience,
            "mission" in d.modes,
            "mentorship" in d.modes,
            "training" in d.modes,
            d.max_mentees,
            d.hours_per_month,
            bool(d.travel_windows),
            d.free_text_skills,
        )
        for code in sorted(d.languages):
            add("doctor_language", d.id, code)
        for code, level in dict(reversed(d.specialties)).items():
            add("doctor_specialty", d.id, code, level)
        for code in dict.fromkeys(d.skills):
            add("doctor_skill", d.id, code)
        for w in d.travel_windows:
            add("travel_window", d.id, w.start, w.end)
        for s in d.weekly_slots:
            add("weekly_slot", d.id, s.weekday, s.start, s.end)
        if d.licence_verified_until is not None:
            add(
                "licence",
                d.id,
                d.country[:2],
                "Board",
                f"L{d.id}",
                d.licence_verified_until,
                "verified",
            )
    facility_of: dict[tuple[bool, str], list[int]] = {}
    for f in range(1, FACILITIES + 1):
        rural, state = rng.random() < 0.45, rng.choice(["full", "partial", "none"])
        facility_of.setdefault((rural, state), []).append(f)
        add(
            "facility", f, f"Facility {f}", f"منشأة {f}", "hospital", DISTRICTS[f % 6], rural, state
        )
    for n in needs:
        choices = facility_of.get((n.rural, n.facility_state)) or [1]
        period = n.period
        add(
            "need",
            n.id,
            choices[n.id % len(choices)],
            n.kind,
            f"Need {n.id}",
            n.specialty,
            n.description,
            ",".join(sorted(n.required_languages)),
            n.requires_licence,
            n.urgency,
            "open",
            n.places_left,
            period.start if period else None,
            period.end if period else None,
            n.min_coverage,
            n.weekly_hours,
            n.remote,
        )
        for code in dict.fromkeys(n.skills):
            add("need_skill", n.id, code)
        for s in n.local_slots:
            add("local_slot", n.id, s.weekday, s.start, s.end)
    del doctors, needs
    connection = await asyncpg.connect(url)
    try:
        async with connection.transaction():
            for table, (columns, records) in rows.items():
                await connection.copy_records_to_table(table, records=records, columns=columns)
        for table in ("app_user", "doctor_profile", "facility", "need"):
            await connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


# ------------------------------------------------------------------ the job (child)
async def run_job(url: str) -> str:
    """Queue a full run and await the worker's job function on it; the benchmark line."""
    from matching.db import json_object, make_engine, start_pool, use_engine
    from matching.pairings.runs import create_run, get_run
    from matching.pairings.tables import Proposal
    from workers.jobs import run_ranking

    engine = make_engine(url)
    use_engine(engine)
    await start_pool(engine, min_size=1, max_size=4)  # as workers.main.startup
    try:
        run_id = await create_run("full")
        started = time.perf_counter()
        result = await run_ranking({}, run_id)
        wall = time.perf_counter() - started
        run = await get_run(run_id)
        rows = await Proposal.count().where(Proposal.run == run_id).run()
        filled = await Proposal.count(distinct=[Proposal.need]).where(Proposal.run == run_id)
    finally:
        await engine.close_connection_pool()
    outcome = json_object(run["outcome"])
    wall_s, cpu_s = outcome.get("seconds", {}), outcome.get("cpu_seconds", {})
    usage = resource.getrusage(resource.RUSAGE_SELF)
    stages = " ".join(
        f"{label}_s={wall_s.get(stage, 0):.1f}(cpu {cpu_s.get(stage, 0):.1f})"
        for label, stage in STAGES
    )
    return (
        f"wall_s={wall:.1f} {stages} peak_rss_mib={usage.ru_maxrss / 1024:.0f} "
        f"job_cpu_s={usage.ru_utime + usage.ru_stime:.1f} status={result['status']} "
        f"planned={outcome.get('planned', 0)} written={run['proposals_made']} rows={rows} "
        f"needs_filled={filled}"
    )


# ------------------------------------------------------------------ driver
async def _admin(sql: str) -> None:
    import asyncpg

    admin = await asyncpg.connect(BASE_URL, timeout=5)
    try:
        await admin.execute(sql)
    finally:
        await admin.close()


async def _migrate(url: str) -> None:
    from matching.db import make_engine, use_engine
    from matching.migrate import apply_migrations

    use_engine(make_engine(url))
    with contextlib.redirect_stdout(io.StringIO()):  # Piccolo prints each migration
        await apply_migrations()


def one_size(n_doctors: int, n_needs: int) -> str:
    """Populate a fresh database, run the job in a child process, drop the database."""
    name = f"homs_bench_run_{uuid.uuid4().hex[:8]}"
    url = urlunsplit(urlsplit(BASE_URL)._replace(path=f"/{name}"))

    async def prepare() -> float:
        await _admin(f'CREATE DATABASE "{name}"')
        await _migrate(url)
        started = time.perf_counter()
        await populate(url, n_doctors, n_needs, date.today())
        return time.perf_counter() - started

    try:
        populate_s = asyncio.run(prepare())
        env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}"}
        out = subprocess.run(
            [sys.executable, "-m", "benchmarks.product_run", "child", url],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    label = f"product.full_run (worker job, PostgreSQL) doctors={n_doctors} needs={n_needs}"
    if out.returncode != 0:
        return f"{label} FAILED rc={out.returncode} {out.stderr.strip()[-800:]}"
    line = out.stdout.strip().splitlines()[-1]
    return f"{label} {line} (populated by COPY in {populate_s:.1f} s, outside the job)"


def bench_product_run(quick: bool = False) -> list[str]:
    """The full run through the worker's job function at each size."""
    try:
        return [one_size(d, n) for d, n in (QUICK_SIZES if quick else SIZES)]
    except OSError as exc:
        return [f"product.full_run skipped: PostgreSQL unreachable at {BASE_URL} ({exc})"]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.product_run")
    parser.add_argument("what", nargs="?", default="bench", choices=["bench", "child"])
    parser.add_argument("url", nargs="?")
    parser.add_argument("--doctors", type=int)
    parser.add_argument("--needs", type=int)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.what == "child":
        print(asyncio.run(run_job(args.url)), flush=True)
        return
    if args.doctors and args.needs:
        print(one_size(args.doctors, args.needs), flush=True)
        return
    for line in bench_product_run(args.quick):
        print(line, flush=True)


if __name__ == "__main__":
    main()
