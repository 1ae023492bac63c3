"""Writing a ranking run's proposals: one transaction, any size, never over a newer run.

:func:`write_plan` is the only code that inserts a run's proposals. Inside ONE
transaction it keeps these invariants, checked against the rows as they are at
that moment (not as they were when the run loaded its inputs):

* **one writer at a time**: on PostgreSQL every run write takes the same
  transaction-scoped advisory lock (released at commit or rollback), on SQLite
  the transaction is IMMEDIATE; so two runs finishing together cannot both miss
  each other's proposals;
* **written once**: a run that is no longer ``running``, or already has
  proposals, writes nothing (a second delivery of the same job);
* **never over a newer run**: a run overtaken by a newer completed run that
  ranked the same needs (a full, scheduled or stable run covers every need, a
  ``one_need`` run its need) writes nothing; it ends ``overtaken`` with
  ``outcome["overtaken_by"]`` (the newest such run). A full run some of whose
  needs a newer ``one_need`` run has ranked writes nothing for those needs
  (``outcome["needs_overtaken"]``: need id -> run id);
* **decisions stay**: a (need, doctor) pair a person has decided is not
  proposed again; earlier runs' undecided (``proposed``) proposals of the needs
  this run ranked are superseded (all of them for a full run);
* **one live proposal per pair**: no pair gets a proposal while another run's
  proposal of that pair is live (proposed, approved, accepted, confirmed);
  the insert also says ``ON CONFLICT DO NOTHING`` for the unique indexes;
* **places**: a need gets at most its places minus its live proposals (the
  best-scored first), and a need no longer open or partly filled gets none;
  on PostgreSQL the need rows are locked (``FOR SHARE``) before the
  proposals, the order an approval takes them in, so an approval waits for the
  write and then counts it;
* **any size**: rows go in batches of :data:`INSERT_BATCH_ROWS`, each one
  statement whose parameters are whole columns (PostgreSQL arrays through
  ``unnest``) or one JSON document (SQLite ``json_each``): PostgreSQL takes at
  most 32,767 parameters per statement, which one parameter per value (12 per
  proposal) exceeds past 2,730 rows; per-row ORM objects were also most of the
  write's time.

What was left out, and why, is counted in ``outcome["not_written"]``.
"""

from __future__ import annotations

import json
import logging
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from matching.facilities.tables import Need
from matching.pairings.loader import DECIDED_STATES, HOLDING_STATES, OPEN_STATUSES
from matching.pairings.tables import Proposal, ProposalState, RankingRun, RunKind, RunStatus

logger = logging.getLogger("matching.runs")

#: Rows per INSERT. A statement with one parameter per value would stop at 2,730
#: rows of 12 columns on PostgreSQL (32,767 parameters); these take a few parameters
#: per batch (arrays, or one JSON document), so the batch only bounds statement size.
INSERT_BATCH_ROWS = 2000
#: Proposals that count against a need's places and block a second proposal of the pair.
LIVE_STATES = (ProposalState.PROPOSED, *HOLDING_STATES)
#: Run kinds that rank every open need.
COVERS_ALL = (RunKind.FULL, RunKind.SCHEDULED, RunKind.STABLE)
#: Key of the PostgreSQL advisory lock every run write takes ("runs" in ASCII).
WRITE_LOCK_KEY = 0x72756E73
PROGRESS_DONE = 100


class Planned(Protocol):
    """One planned proposal (``matching.pairings.runs.PlannedProposal``)."""

    need_id: int
    doctor_id: int
    score: float
    rank: int
    explanation: dict[str, Any]


class Plan(Protocol):
    """What a run will write (``matching.pairings.runs.RunPlan``)."""

    proposals: list[Any]
    outcome: dict[str, Any]
    doctors: int
    needs: list[int]


class Stopwatch:
    """Wall and CPU seconds (this process, all threads) per stage of a run."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self._start = (time.perf_counter(), time.process_time())

    def lap(self, stage: str) -> None:
        """Record the time since the last lap (or the start) as ``stage``."""
        now = (time.perf_counter(), time.process_time())
        self.wall[stage] = round(now[0] - self._start[0], 3)
        self.cpu[stage] = round(now[1] - self._start[1], 3)
        self._start = now


def transaction() -> Any:
    """One transaction; IMMEDIATE on SQLite so concurrent writers wait their turn
    instead of failing with "database is locked" when upgrading a read."""
    engine = RankingRun._meta.db
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


def _postgres() -> bool:
    return not isinstance(RankingRun._meta.db, SQLiteEngine)


def _now() -> datetime:
    return datetime.now(UTC)


async def overtaking_runs(
    run_id: int, kind: RunKind, need_id: int | None
) -> tuple[int | None, dict[int, int]]:
    """Newer completed runs that ranked this run's needs.

    Returns the newest run that covers all of them (None if none), and, for a
    run covering every need, the needs a newer ``one_need`` run ranked
    (need id -> the newest such run id).
    """
    rows = await (
        RankingRun.select(RankingRun.id, RankingRun.kind, RankingRun.need)
        .where((RankingRun.id > run_id) & (RankingRun.status == RunStatus.SUCCEEDED))
        .order_by(RankingRun.id)
        .run()
    )
    whole: int | None = None
    needs: dict[int, int] = {}
    for row in rows:
        if row["kind"] in COVERS_ALL:
            whole = int(row["id"])
        elif row["kind"] == RunKind.ONE_NEED and row["need"] is not None:
            if kind == RunKind.ONE_NEED and row["need"] == need_id:
                whole = int(row["id"])
            elif kind in COVERS_ALL:
                needs[int(row["need"])] = int(row["id"])
    return whole, needs


async def mark_overtaken(run_id: int, by: int, kind: RunKind, doctors: int = 0) -> None:
    """End a run that a newer completed run overtook: nothing written, the reason kept."""
    await (
        RankingRun.update(
            {
                RankingRun.status: RunStatus.OVERTAKEN,
                RankingRun.progress: PROGRESS_DONE,
                RankingRun.doctors_considered: doctors,
                RankingRun.proposals_made: 0,
                RankingRun.outcome: json.dumps({"kind": kind.value, "overtaken_by": by}),
                RankingRun.error: "",
                RankingRun.finished_at: _now(),
            }
        )
        .where((RankingRun.id == run_id) & (RankingRun.status == RunStatus.RUNNING))
        .run()
    )


def batches(rows: Sequence[Any], size: int = INSERT_BATCH_ROWS) -> Iterator[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


async def _open_places(full: bool, need_ids: Iterable[int]) -> dict[int, int]:
    """Places of the needs still open (need id -> places); rows locked FOR SHARE on PostgreSQL."""
    query = Need.select(Need.id, Need.places).where(Need.status.is_in(list(OPEN_STATUSES)))
    if not full:
        query = query.where(Need.id.is_in(list(need_ids) or [-1]))
    if _postgres():
        query = query.order_by(Need.id).lock_rows("SHARE")
    return {int(r["id"]): int(r["places"] or 0) for r in await query.run()}


async def _other_proposals(full: bool, need_ids: Iterable[int]) -> list[dict[str, Any]]:
    """Every proposal that is live or decided (of the run's needs; all for a full run)."""
    states = sorted(set(LIVE_STATES) | set(DECIDED_STATES))
    query = Proposal.select(Proposal.need, Proposal.doctor, Proposal.state).where(
        Proposal.state.is_in(states)
    )
    if not full:
        query = query.where(Proposal.need.is_in(list(need_ids) or [-1]))
    return await query.run()


def _choose(
    planned: Sequence[Planned],
    places: dict[int, int],
    others: list[dict[str, Any]],
    needs_overtaken: dict[int, int],
) -> tuple[list[Planned], dict[str, int]]:
    """The planned proposals that keep every invariant, and what was left out, by reason."""
    decided: set[tuple[int, int]] = set()
    live_pairs: set[tuple[int, int]] = set()
    live: dict[int, int] = defaultdict(int)
    for row in others:
        need, doctor = int(row["need"]), row["doctor"]
        if row["state"] in LIVE_STATES:
            live[need] += 1
            if doctor is not None:
                live_pairs.add((need, int(doctor)))
        if row["state"] in DECIDED_STATES and doctor is not None:
            decided.add((need, int(doctor)))
    left_out = dict.fromkeys(("overtaken", "closed", "decided", "live", "places"), 0)
    by_need: dict[int, list[Planned]] = defaultdict(list)
    for p in planned:
        pair = (p.need_id, p.doctor_id)
        if p.need_id in needs_overtaken:
            left_out["overtaken"] += 1
        elif p.need_id not in places:
            left_out["closed"] += 1
        elif pair in decided:
            left_out["decided"] += 1
        elif pair in live_pairs:
            left_out["live"] += 1
        else:
            by_need[p.need_id].append(p)
    chosen: list[Planned] = []
    for need, group in by_need.items():
        room = max(places[need] - live[need], 0)
        if len(group) > room:
            group = sorted(group, key=lambda p: (-p.score, p.rank, p.doctor_id))
            left_out["places"] += len(group) - room
            group = group[:room]
        chosen.extend(group)
    return chosen, left_out


#: One batch as arrays (PostgreSQL): a handful of parameters whatever the batch size.
_INSERT_POSTGRES = """
WITH written AS (
    INSERT INTO proposal (run, need, doctor, score, rank, explanation, state, decision_reason,
                          created_at)
    SELECT {}, p.need, p.doctor, p.score, p.rank, p.explanation::json, {}, '', {}::timestamptz
    FROM unnest({}::integer[], {}::integer[], {}::double precision[], {}::smallint[],
                {}::text[]) AS p(need, doctor, score, rank, explanation)
    ON CONFLICT DO NOTHING
    RETURNING 1
)
SELECT count(*) AS n FROM written
"""
#: One batch as one JSON array (SQLite); ``WHERE true`` lets SQLite parse ON CONFLICT.
_INSERT_SQLITE = """
INSERT INTO proposal (run, need, doctor, score, rank, explanation, state, decision_reason,
                      created_at)
SELECT {}, json_extract(value, '$[0]'), json_extract(value, '$[1]'),
       json_extract(value, '$[2]'), json_extract(value, '$[3]'), json_extract(value, '$[4]'),
       {}, '', {}
FROM json_each({}) WHERE true
ON CONFLICT DO NOTHING
"""


async def _insert(run_id: int, proposals: Sequence[Planned]) -> int:
    """Insert in batches, inside the caller's transaction; the rows actually inserted.

    One statement per batch whose parameters are arrays (PostgreSQL) or one JSON
    document (SQLite): no per-row parameters, no per-row ORM objects.
    """
    inserted, now, state = 0, _now(), ProposalState.PROPOSED.value
    for batch in batches(proposals):
        explanations = [json.dumps(p.explanation, separators=(",", ":")) for p in batch]
        if _postgres():
            columns = (
                [p.need_id for p in batch],
                [p.doctor_id for p in batch],
                [float(p.score) for p in batch],
                [p.rank for p in batch],
                explanations,
            )
            rows = await Proposal.raw(_INSERT_POSTGRES, run_id, state, now, *columns).run()
            inserted += int(rows[0]["n"])
        else:
            document = json.dumps(
                [
                    [p.need_id, p.doctor_id, float(p.score), p.rank, text]
                    for p, text in zip(batch, explanations, strict=True)
                ]
            )
            await Proposal.raw(_INSERT_SQLITE, run_id, state, now, document).run()
            inserted += int((await Proposal.raw("SELECT changes() AS n").run())[0]["n"])
    return inserted


async def write_plan(run_id: int, kind: RunKind, need_id: int | None, plan: Plan) -> str:
    """Write ``plan`` for run ``run_id`` in one transaction (see the module docstring).

    Returns what happened: ``"written"``, ``"overtaken"`` or ``"skipped"`` (the run
    was not ``running`` or already had proposals). ``plan.outcome`` gains
    ``not_written``, ``needs_overtaken`` (when any), ``planned``, and ``write`` in
    ``seconds`` and ``cpu_seconds``.
    """
    stopwatch = Stopwatch()
    full = kind in COVERS_ALL
    async with transaction():
        if _postgres():
            await RankingRun.raw("SELECT pg_advisory_xact_lock({})", WRITE_LOCK_KEY).run()
        query = RankingRun.select(RankingRun.status).where(RankingRun.id == run_id)
        if _postgres():
            query = query.lock_rows()
        row = await query.first().run()
        written = await Proposal.count().where(Proposal.run == run_id).run()
        if row is None or row["status"] != RunStatus.RUNNING or written:
            return "skipped"
        whole, needs_overtaken = await overtaking_runs(run_id, kind, need_id)
        if whole is not None:
            await mark_overtaken(run_id, whole, kind, plan.doctors)
            logger.info("run %s: overtaken by run %s; nothing written", run_id, whole)
            return "overtaken"
        planned_needs = {p.need_id for p in plan.proposals} | set(plan.needs)
        places = await _open_places(full, planned_needs)
        supersede = (Proposal.state == ProposalState.PROPOSED) & (Proposal.run < run_id)
        if not full:
            supersede &= Proposal.need.is_in(plan.needs or [-1])
        await Proposal.update({Proposal.state: ProposalState.SUPERSEDED}).where(supersede).run()
        others = await _other_proposals(full, planned_needs)
        chosen, left_out = _choose(plan.proposals, places, others, needs_overtaken)
        inserted = await _insert(run_id, chosen)
        left_out["conflict"] = len(chosen) - inserted
        if any(left_out.values()):
            logger.info("run %s: planned proposals not written: %s", run_id, left_out)
        outcome = plan.outcome
        outcome["not_written"] = left_out
        if needs_overtaken:
            outcome["needs_overtaken"] = {str(k): v for k, v in sorted(needs_overtaken.items())}
        outcome["planned"] = len(plan.proposals)
        outcome["total_score"] = float(sum(p.score for p in chosen))
        stopwatch.lap("write")  # all but the run row update and the commit
        outcome.setdefault("seconds", {}).update(stopwatch.wall)
        outcome.setdefault("cpu_seconds", {}).update(stopwatch.cpu)
        await (
            RankingRun.update(
                {
                    RankingRun.status: RunStatus.SUCCEEDED,
                    RankingRun.progress: PROGRESS_DONE,
                    RankingRun.doctors_considered: plan.doctors,
                    RankingRun.needs_considered: len(plan.needs),
                    RankingRun.proposals_made: inserted,
                    RankingRun.outcome: json.dumps(outcome),
                    RankingRun.error: "",
                    RankingRun.finished_at: _now(),
                }
            )
            .where(RankingRun.id == run_id)
            .run()
        )
    return "written"


__all__ = [
    "INSERT_BATCH_ROWS",
    "LIVE_STATES",
    "Stopwatch",
    "mark_overtaken",
    "overtaking_runs",
    "transaction",
    "write_plan",
]
