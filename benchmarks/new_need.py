"""One new need through the product path on PostgreSQL: job start -> proposals written.

A throw-away PostgreSQL database is filled with the synthetic population of
:mod:`benchmarks.synthetic` (100,000 doctors by default; ``--quick``: 2,000) by
``COPY``, as :mod:`benchmarks.product_run` does. A child process then does what
an arq worker does: binds the tables with a connection pool, keeps one
:class:`~matching.pairings.prepared_doctors.PreparedDoctors` in its context (as
``workers.main.startup``), and awaits ``workers.jobs.rank_need(ctx, need_id)``,
the function arq calls, for needs never ranked before:

* ``cold``: the process's first job (every doctor loaded, arrays built);
* ``warm_after_edit``: after two doctor edits (a profile and a language), the
  next job (the edited doctors reloaded, the arrays refreshed);
* ``warm``: the next job with nothing changed.

Each is measured ``--repeat`` times (default 3; cold by dropping the arrays first)
and printed as the median with every figure; wall time from the job's start to
its return (the proposals written and committed), with the run's own stages.

``python -m benchmarks.new_need [--doctors N] [--quick] [--repeat R]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from benchmarks.product_run import BASE_URL, _admin, _migrate, populate
from workers.queue import rank_need_job_id

ROOT = Path(__file__).resolve().parents[1]
DOCTORS = 100_000
QUICK_DOCTORS = 2_000
NEEDS = 200  # posted needs waiting for their first ranking
TARGET_S = 0.5


async def _job(ctx: dict[str, Any], need_id: int) -> tuple[float, dict[str, Any]]:
    from matching.db import json_object
    from matching.pairings.runs import get_run
    from workers.jobs import rank_need

    ctx = {**ctx, "job_id": rank_need_job_id(need_id), "job_try": 1}
    started = time.perf_counter()
    result = await rank_need(ctx, need_id)
    wall = time.perf_counter() - started
    assert result is not None and result["status"] == "succeeded", result
    run = await get_run(int(result["run_id"]))
    return wall, {**json_object(run["outcome"]), "proposals": run["proposals_made"]}


async def _edit(round_no: int) -> None:
    """Two doctor edits, as a doctor's form saves them."""
    from matching.doctors.tables import DoctorLanguage, DoctorProfile

    doctor = 1 + round_no * 7
    await (
        DoctorProfile.update({DoctorProfile.years_experience: 30 + round_no})
        .where(DoctorProfile.id == doctor)
        .run()
    )
    await DoctorLanguage.delete().where(DoctorLanguage.doctor == doctor + 1).run()


async def run_child(url: str, repeat: int) -> list[str]:
    from matching.db import make_engine, start_pool, use_engine
    from matching.pairings.prepared_doctors import PreparedDoctors

    engine = make_engine(url)
    use_engine(engine)
    await start_pool(engine, min_size=1, max_size=4)
    ctx: dict[str, Any] = {"doctors": PreparedDoctors()}
    figures: dict[str, list[tuple[float, dict[str, Any]]]] = {
        "cold": [],
        "warm_after_edit": [],
        "warm": [],
    }
    need = 0
    try:
        for round_no in range(repeat):
            ctx["doctors"].forget()
            need += 1
            figures["cold"].append(await _job(ctx, need))
            await _edit(round_no)
            need += 1
            figures["warm_after_edit"].append(await _job(ctx, need))
            need += 1
            figures["warm"].append(await _job(ctx, need))
    finally:
        await engine.close_connection_pool()
    lines = []
    for label, runs in figures.items():
        walls = [w for w, _ in runs]
        median = statistics.median(walls)
        _, outcome = runs[walls.index(sorted(walls)[len(walls) // 2])]
        stages = " ".join(f"{k}_s={v:.3f}" for k, v in outcome.get("seconds", {}).items())
        how = outcome.get("prepared_doctors", {})
        lines.append(
            f"{label}: median_s={median:.3f} all_s=[{', '.join(f'{w:.3f}' for w in walls)}] "
            f"{stages} doctors={how.get('doctors')} arrays={how.get('how')} "
            f"reloaded={how.get('changed')} proposals={outcome['proposals']}"
        )
    return lines


def one_size(n_doctors: int, repeat: int) -> list[str]:
    name = f"homs_bench_need_{uuid.uuid4().hex[:8]}"
    url = urlunsplit(urlsplit(BASE_URL)._replace(path=f"/{name}"))

    async def prepare() -> None:
        await _admin(f'CREATE DATABASE "{name}"')
        await _migrate(url)
        await populate(url, n_doctors, NEEDS, date.today())

    label = f"product.new_need (worker job rank_need, PostgreSQL) doctors={n_doctors}"
    try:
        asyncio.run(prepare())
        env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}"}
        out = subprocess.run(
            [sys.executable, "-m", "benchmarks.new_need", "child", url, "--repeat", str(repeat)],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    if out.returncode != 0:
        return [f"{label} FAILED rc={out.returncode} {out.stderr.strip()[-800:]}"]
    lines = [line for line in out.stdout.splitlines() if line.strip()]
    return [f"{label} {line} (target <= {TARGET_S} s warm)" for line in lines]


def bench_new_need(quick: bool = False) -> list[str]:
    try:
        return one_size(QUICK_DOCTORS if quick else DOCTORS, 1 if quick else 3)
    except OSError as exc:
        return [f"product.new_need skipped: PostgreSQL unreachable at {BASE_URL} ({exc})"]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.new_need")
    parser.add_argument("what", nargs="?", default="bench", choices=["bench", "child"])
    parser.add_argument("url", nargs="?")
    parser.add_argument("--doctors", type=int, default=DOCTORS)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.what == "child":
        for line in asyncio.run(run_child(args.url, args.repeat)):
            print(line, flush=True)
        return
    doctors = QUICK_DOCTORS if args.quick else args.doctors
    for line in one_size(doctors, 1 if args.quick else args.repeat):
        print(line, flush=True)


if __name__ == "__main__":
    main()
