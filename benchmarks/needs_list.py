"""The coordinators' needs list on PostgreSQL with 10,000 needs: one page's latency.

Creates a throw-away database (``BENCH_POSTGRES_URL``, default the test server),
migrates it, inserts facilities across the six districts and 10,000 needs, then
times ``list_needs`` (count + one page, as the page does) for typical filter
and sort combinations, and prints the query plan's index use. The database is
dropped at the end.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

BASE_URL = os.environ.get(
    "BENCH_POSTGRES_URL",
    os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"),
)
DISTRICTS = ("homs", "al_rastan", "talkalakh", "al_qusayr", "al_mukharram", "tadmur")
SPECIALTIES = (
    "neonatology",
    "pediatrics",
    "emergency_medicine",
    "internal_medicine",
    "psychiatry",
    "obstetrics_gynaecology",
    "orthopaedics_trauma",
    "anaesthesia",
)
STATUSES = ("open",) * 5 + ("partly_filled", "filled", "closed", "draft", "cancelled")


async def _seed(n_needs: int, n_facilities: int) -> None:
    from matching.facilities.tables import Facility, Need

    rng = random.Random(7)
    facilities = [
        Facility(
            name_en=f"Facility {i}",
            name_ar=f"منشأة {i}",
            kind=rng.choice(("hospital", "primary_care", "clinic", "mobile_unit")),
            district=DISTRICTS[i % len(DISTRICTS)],
            rural=rng.random() < 0.6,
            functional_state="partial",
        )
        for i in range(n_facilities)
    ]
    rows = await Facility.insert(*facilities).returning(Facility.id).run()
    facility_ids = [r["id"] for r in rows]
    now = datetime.now(UTC)
    batch: list = []
    for i in range(n_needs):
        kind = rng.choice(("mission", "mentorship", "training"))
        starts = date.today() + timedelta(days=rng.randint(7, 200))
        batch.append(
            Need(
                facility=rng.choice(facility_ids),
                kind=kind,
                title=f"Need {i}",
                specialty=rng.choice(SPECIALTIES),
                urgency=rng.choice(("routine", "routine", "urgent", "critical")),
                status=rng.choice(STATUSES),
                places=rng.randint(1, 3),
                starts_on=starts,
                ends_on=starts + timedelta(days=rng.randint(1, 30)),
                weekly_hours=2.0 if kind == "mentorship" else 0.0,
                months=6 if kind == "mentorship" else 0,
                created_at=now - timedelta(minutes=i),
            )
        )
        if len(batch) == 1000:
            await Need.insert(*batch).run()
            batch = []
    if batch:
        await Need.insert(*batch).run()


async def _time(call, repeats: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


async def _run(n_needs: int, repeats: int) -> list[str]:
    import asyncpg

    from matching.db import make_engine, use_engine
    from matching.facilities import need_queries
    from matching.migrate import apply_migrations

    name = f"homs_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(BASE_URL, timeout=5)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = urlunsplit(urlsplit(BASE_URL)._replace(path=f"/{name}"))
    lines: list[str] = []
    engine = make_engine(url)
    try:
        use_engine(engine)
        await apply_migrations()
        await _seed(n_needs, n_facilities=max(20, n_needs // 50))
        await engine.run_ddl("ANALYZE", in_pool=False)
        # As in production: the app runs with a connection pool (see web.app).
        await engine.start_connection_pool(min_size=1, max_size=4)
        cases = {
            "open needs, most urgent first, page 1": (need_queries.NeedFilters(), "urgency", 1),
            "open needs, newest first, page 40": (need_queries.NeedFilters(), "newest", 40),
            "district + rural + kind + specialty + urgency": (
                need_queries.NeedFilters(
                    district="al_rastan",
                    rural=True,
                    kind="mentorship",
                    specialty="neonatology",
                    urgency="critical",
                ),
                "urgency",
                1,
            ),
            "all statuses, start date, page 10": (
                need_queries.NeedFilters(status="all"),
                "starts_on",
                10,
            ),
        }
        for label, (filters, sort, page) in cases.items():

            async def call(filters=filters, sort=sort, page=page) -> None:
                await need_queries.list_needs(filters, sort=sort, page=page, per_page=25)

            await call()  # warm the connection and the plan cache
            median, p95 = await _time(call, repeats)
            lines.append(
                f"needs list (PostgreSQL, {n_needs} needs) {label}: "
                f"median {median:.1f} ms, p95 {p95:.1f} ms per page (count + 25 rows)"
            )
        plans = {
            "open, most urgent first": need_queries.NeedFilters(),
            "mentorship + neonatology + critical": need_queries.NeedFilters(
                kind="mentorship", specialty="neonatology", urgency="critical"
            ),
            "one facility, all statuses": need_queries.NeedFilters(status="all", facility_id=1),
        }
        for label, filters in plans.items():
            _, query = need_queries.page_queries(filters, None, sort="urgency", page=1, per_page=25)
            plan = await engine.run_ddl(f"EXPLAIN ANALYZE {query}", in_pool=False)
            text = [row["QUERY PLAN"] for row in plan]
            scans = sorted(
                {
                    " ".join(line.split("(")[0].split()[-4:]).replace('"', "")
                    for line in text
                    if " on need" in line.split("(")[0]
                }
            )
            execution = next((line for line in text if line.startswith("Execution Time")), "")
            lines.append(f"needs list plan ({label}): {'; '.join(scans)}; SQL {execution.lower()}")
    finally:
        await engine.close_connection_pool()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    return lines


def bench_needs_list(quick: bool = False) -> list[str]:
    """Median and p95 latency of one needs-list page over 10,000 needs on PostgreSQL."""
    try:
        lines = asyncio.run(_run(2_000 if quick else 10_000, 5 if quick else 30))
    except OSError as exc:
        lines = [f"needs list benchmark skipped: PostgreSQL unreachable at {BASE_URL} ({exc})"]
    return lines


if __name__ == "__main__":  # python -m benchmarks.needs_list [--quick]
    import sys

    for line in bench_needs_list("--quick" in sys.argv):
        print(line, flush=True)
