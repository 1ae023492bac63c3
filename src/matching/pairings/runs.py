"""Ranking runs: create one, execute it (load -> rank -> write), safely under faults.

A run is one :class:`RankingRun` row. Delivery by the job queue is at least
once, so the database makes a second execution harmless:

* every proposal of a run is written in ONE transaction at the very end, in
  batches, by :func:`matching.pairings.run_writes.write_plan`, which states and
  re-checks the invariants inside that transaction: the run is still
  ``running`` and has written nothing yet; no newer completed run ranked the
  same needs (else the run ends ``overtaken``, writing nothing); no decided
  pair is proposed again; no (need, doctor) pair is live twice; no need gets
  more live proposals than its places; only open needs get proposals;
* a worker killed mid-run has written no proposals, so re-entering a run left
  ``running`` starts it again, unless a newer run has completed meanwhile (then
  it ends ``overtaken`` before ranking); a ``succeeded`` or ``overtaken`` run is
  never executed twice;
* the same transaction supersedes the undecided (``proposed``) proposals of
  EARLIER runs (lower run id) for the needs this run ranked; what a person has
  decided (approved, rejected, accepted, declined, confirmed, withdrawn) is never
  touched;
* a transient failure (database unreachable, connection dropped) before the last
  try puts the run back to ``queued`` with the reason and ``outcome['retrying']``
  (:func:`execute_run`, :class:`TryAgain`); the job queue tries it again later.

Parameters (``RankingRun.parameters``, JSON, all optional):

* ``top_k`` (int, default :data:`matching.ranking.api.DEFAULT_TOP_K`, 50): candidates
  kept per need (assignment graph, runners-up);
* ``pause_after_scoring_s`` (float, TEST ONLY, capped at 60): sleep between
  scoring and writing, so fault tests can kill a worker while the run is ``running``.

Outcome (``RankingRun.outcome``, JSON)::

    {"retrying": {"failed_try": 1, "tries": 3}}   # while queued again after a failed try

    {"kind": "full", "overtaken_by": 12}          # status overtaken: run 12 ranked first

    {
      "unfillable": [            # needs with places no doctor can take
        {"need_id": 7, "doctors": 120,
         "eliminated": {"mode": 80, "language": 10, "specialty": 90,
                        "availability": 115, "capacity": 0, "licence": 0},
         "reasons": ["availability"],   # rules keeping places open (alone too few,
                                        # or waived enough); ["decided"]: the
                                        # doctors left were refused or chosen;
                                        # [] when only their combination does
         "places_left": 2, "eligible": 1,   # 1 of 2 places stays open
         "decided": 0}                      # pairs left out, already decided
      ],
      "short": [{"need_id": 9, "places_left": 2, "proposed": 1}],
      "total_score": 12.34,              # of the proposals written
      "kind": "full",
      "planned": 120,                    # proposals the ranking chose
      "not_written": {"overtaken": 0, "closed": 0, "decided": 0, "live": 0,
                      "places": 0, "conflict": 0},   # see run_writes, by reason
      "needs_overtaken": {"7": 13},      # need -> newer one_need run (full runs)
      "seconds": {"load": 1.2, "learn": 0.1, "rank": 3.4, "write": 0.5},
      "cpu_seconds": {...},              # the same stages, CPU of this process
      "learned": {               # the model learned from coordinators' decisions
        "used": true,            # false below the minimum (then only the next
        "decisions": 240,        #   three keys), or when the fitted model ranked
        "approvals": 130,        #   the held-out decisions worse ("held_out_worse":
        "minimum": 50,           #   true, with "heldout"): the score is then unchanged
        "weight": 0.3,
        "coefficients": {"specialty": 1.2, ...},   # per signal, on raw values
        "heldout": {"train": 192, "test": 48,      # older 80 % / newest 20 %
                    "auc_base": 0.61, "auc_learned": 0.74,   # null: one label only
                    "needs": 9, "p1_base": 0.44, "p1_learned": 0.67}
      }
    }

The model is fitted at the start of every run from the decisions so far
(:mod:`matching.pairings.decisions`, :mod:`matching.ranking.learned`).

With no doctor at all, each need is unfillable with ``reasons == ["no_doctors"]``.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from matching.db import is_transient_error, json_object
from matching.errors import NotFound, ValidationFailed
from matching.i18n import N_
from matching.pairings.decisions import load_decisions
from matching.pairings.loader import LoadedInputs, load_inputs
from matching.pairings.run_writes import (
    Stopwatch,
    mark_overtaken,
    overtaking_runs,
    transaction,
    write_plan,
)
from matching.pairings.tables import Proposal, RankingRun, RunKind, RunStatus
from matching.pairings.why_unfilled import REASONS
from matching.ranking import HARD_RULES, NeedInput, build_doctor_arrays, rank, rank_one_need
from matching.ranking.api import DEFAULT_TOP_K
from matching.ranking.learned import Decisions, LearnedModel, learn, summary

logger = logging.getLogger("matching.runs")

ProgressCallback = Callable[[int], Awaitable[None] | None]

PROGRESS_LOADING = 10
PROGRESS_SCORING = 60
PROGRESS_WRITING = 90
PROGRESS_DONE = 100
MAX_TEST_PAUSE_S = 60.0
KNOWN_PARAMETERS = ("top_k", "pause_after_scoring_s")
MAX_ID = 2**31 - 1


@dataclass(frozen=True, slots=True)
class PlannedProposal:
    need_id: int
    doctor_id: int
    score: float
    rank: int
    explanation: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RunPlan:
    """What a run will write: proposals and its outcome JSON."""

    proposals: list[PlannedProposal]
    outcome: dict[str, Any]
    doctors: int
    needs: list[int]


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


async def _progress(run_id: int, value: int, callback: ProgressCallback | None) -> None:
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


def _unfillable_dict(u: Any) -> dict[str, Any]:
    return {
        "need_id": int(u.need_id),
        "doctors": int(u.doctors),
        "eliminated": {k: int(v) for k, v in u.eliminated.items()},
        "reasons": list(u.reasons),
        "places_left": int(u.places_left),
        "eligible": int(u.eligible),
        "decided": int(u.decided),
    }


def _no_doctors(needs: list[NeedInput]) -> list[dict[str, Any]]:
    return [
        {
            "need_id": n.id,
            "doctors": 0,
            "eliminated": dict.fromkeys(HARD_RULES, 0),
            "reasons": ["no_doctors"],
        }
        for n in needs
    ]


def _short(needs: list[NeedInput], proposals: list[PlannedProposal]) -> list[dict[str, Any]]:
    count: dict[int, int] = {}
    for p in proposals:
        count[p.need_id] = count.get(p.need_id, 0) + 1
    return [
        {"need_id": n.id, "places_left": n.places_left, "proposed": count.get(n.id, 0)}
        for n in needs
        if 0 < count.get(n.id, 0) < n.places_left
    ]


def plan_full(
    inputs: LoadedInputs,
    top_k: int,
    today: date | None = None,
    learned: LearnedModel | None = None,
) -> RunPlan:
    """Rank every need at once (exact assignment); pure computation, no database.

    ``learned``: the model learned from coordinators' decisions, joining the score.
    Decided pairs are left out of the candidate graph before the assignment, so a
    need whose best doctor was refused gets its next feasible doctor.
    """
    needs, doctors = inputs.needs, inputs.doctors
    if not needs or not doctors:
        unfillable = _no_doctors(needs) if needs else []
        return RunPlan([], {"unfillable": unfillable, "short": [], "total_score": 0.0}, 0, [])
    result = rank(
        doctors, needs, today=today, top_k=top_k, learned=learned, exclude=inputs.decided_pairs
    )
    planned = [
        PlannedProposal(p.need_id, p.doctor_id, p.score, p.rank, p.explanation.as_dict())
        for p in result.proposals
        if (p.need_id, p.doctor_id) not in inputs.decided_pairs
    ]
    outcome = {
        "unfillable": [_unfillable_dict(u) for u in result.unfillable],
        "short": _short(needs, planned),
        "total_score": float(sum(p.score for p in planned)),
    }
    return RunPlan(planned, outcome, len(doctors), [n.id for n in needs])


def plan_one_need(
    inputs: LoadedInputs,
    top_k: int,
    today: date | None = None,
    learned: LearnedModel | None = None,
) -> RunPlan:
    """Rank one need on its own: its best ``places_left`` candidates become proposals."""
    if not inputs.needs:
        return RunPlan([], {"unfillable": [], "short": [], "total_score": 0.0}, 0, [])
    (need,) = inputs.needs
    if not inputs.doctors:
        outcome = {"unfillable": _no_doctors([need]), "short": [], "total_score": 0.0}
        return RunPlan([], outcome, 0, [need.id])
    from matching.taxonomy import load_taxonomy

    arrays = build_doctor_arrays(inputs.doctors, load_taxonomy())
    ranking = rank_one_need(
        need,
        arrays,
        today=today,
        top_k=max(top_k, need.places_left),
        learned=learned,
        exclude=inputs.decided_pairs,
    )
    fresh = [p for p in ranking.proposals if (need.id, p.doctor_id) not in inputs.decided_pairs]
    planned = [
        PlannedProposal(p.need_id, p.doctor_id, p.score, p.rank, p.explanation.as_dict())
        for p in fresh[: need.places_left]
    ]
    unfillable = [_unfillable_dict(ranking.unfillable)] if ranking.unfillable else []
    outcome = {
        "unfillable": unfillable,
        "short": _short([need], planned),
        "total_score": float(sum(p.score for p in planned)),
    }
    return RunPlan(planned, outcome, len(inputs.doctors), [need.id])


async def plan_stable(
    inputs: LoadedInputs,
    top_k: int,
    today: date | None = None,
    learned: LearnedModel | None = None,
) -> RunPlan:
    """Stable mode: doctors' ranked interests x needs' score order -> deferred acceptance.

    A need ranks the doctors who pass every hard rule for it by score (its top
    ``top_k``); a doctor's list is their :class:`NeedInterest` rows by position.
    The doctor-optimal stable matching becomes the proposals.
    """
    from matching.pairings.tables import NeedInterest
    from matching.stable import deferred_acceptance

    needs, doctors = inputs.needs, inputs.doctors
    if not needs or not doctors:
        unfillable = _no_doctors(needs) if needs else []
        return RunPlan([], {"unfillable": unfillable, "short": [], "total_score": 0.0}, 0, [])
    result = rank(
        doctors, needs, today=today, top_k=top_k, learned=learned, exclude=inputs.decided_pairs
    )
    open_ids = {n.id for n in needs}
    candidates = {n.id: result.candidates(n.id) for n in needs}
    interests = (
        await NeedInterest.select(NeedInterest.doctor, NeedInterest.need)
        .order_by(NeedInterest.doctor)
        .order_by(NeedInterest.position)
        .run()
    )
    doctor_prefs: dict[str, list[str]] = {}
    for row in interests:
        if int(row["need"]) in open_ids:
            doctor_prefs.setdefault(str(row["doctor"]), []).append(str(row["need"]))
    need_prefs = {
        str(nid): [
            str(c.doctor_id) for c in cands if (nid, c.doctor_id) not in inputs.decided_pairs
        ]
        for nid, cands in candidates.items()
    }
    capacities = {str(n.id): n.places_left for n in needs}
    matching = deferred_acceptance(doctor_prefs, need_prefs, capacities)
    planned = []
    for need_key, doctor_keys in sorted(matching.items(), key=lambda kv: int(kv[0])):
        nid = int(need_key)
        by_doctor = {c.doctor_id: c for c in candidates[nid]}
        for d in doctor_keys:
            c = by_doctor[int(d)]
            position = doctor_prefs[d].index(need_key) + 1
            runners = [
                {"doctor_id": x.doctor_id, "score": x.score, "rank": x.rank}
                for x in candidates[nid]
                if x.doctor_id != c.doctor_id
            ][:3]
            planned.append(
                PlannedProposal(
                    nid,
                    c.doctor_id,
                    c.score,
                    c.rank,
                    {
                        "mode": "stable",
                        "doctor_interest_position": position,
                        "need_rank": c.rank,
                        "rules_passed": list(HARD_RULES),
                        "runners_up": runners,
                    },
                )
            )
    outcome = {
        "unfillable": [_unfillable_dict(u) for u in result.unfillable],
        "short": _short(needs, planned),
        "total_score": float(sum(p.score for p in planned)),
    }
    return RunPlan(planned, outcome, len(doctors), [n.id for n in needs])


def learn_from_decisions(decisions: Decisions) -> tuple[LearnedModel | None, dict[str, Any]]:
    """The model a run uses (None below the minimum) and its record for the outcome."""
    model, held = learn(decisions)
    return model, summary(decisions, model, held)


#: One transaction, IMMEDIATE on SQLite (see :mod:`matching.pairings.run_writes`).
_transaction = transaction
#: A run in one of these states is done: executing it again returns it untouched.
FINISHED = (RunStatus.SUCCEEDED, RunStatus.OVERTAKEN)


async def _write(run_id: int, kind: RunKind, need_id: int | None, plan: RunPlan) -> str:
    """Write the plan in one transaction: ``"written"``, ``"overtaken"`` or ``"skipped"``."""
    return await write_plan(run_id, kind, need_id, plan)


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
) -> dict[str, Any]:
    """Execute run ``run_id`` and return it (as :func:`get_run` does).

    Idempotent: a ``succeeded`` run is returned untouched; a run left ``running``
    or ``queued`` (or ``failed``, if delivered again) starts cleanly. Progress is
    stored (and passed to ``progress_callback``): 10 loading, 60 scored, 90
    writing, 100 done.

    This is try ``attempt`` of ``attempts``. A transient failure
    (:func:`matching.db.is_transient_error`: database unreachable, connection
    dropped, ...) before the last try puts the run back to ``queued`` with the
    reason and raises :class:`TryAgain`. Any other error, or any error on the
    last try, marks the run ``failed`` with :func:`failure_reason` and re-raises.
    Both marks are best effort: with the database down they cannot be written
    (the worker's ``reconcile_runs`` job records the outcome once it is back).
    """
    try:
        return await _execute_run(run_id, progress_callback)
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


async def _execute_run(run_id: int, progress_callback: ProgressCallback | None) -> dict[str, Any]:
    run = await get_run(run_id)
    if run["status"] in FINISHED:
        return run
    if await Proposal.count().where(Proposal.run == run_id).run():
        # Guard only: writing proposals and marking succeeded share one transaction.
        await (
            RankingRun.update({RankingRun.status: RunStatus.SUCCEEDED})
            .where(RankingRun.id == run_id)
            .run()
        )
        return await get_run(run_id)
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
        return await _finish(run_id, progress_callback)
    await _progress(run_id, PROGRESS_LOADING, progress_callback)
    one_need = [need_id] if kind == RunKind.ONE_NEED and need_id is not None else None
    stages = Stopwatch()
    inputs = await load_inputs(one_need)
    decisions = await load_decisions()
    stages.lap("load")
    model, learned = await asyncio.to_thread(learn_from_decisions, decisions)
    stages.lap("learn")
    if kind == RunKind.ONE_NEED:
        plan = await asyncio.to_thread(plan_one_need, inputs, top_k, None, model)
    elif kind == RunKind.STABLE:
        plan = await plan_stable(inputs, top_k, learned=model)
    else:
        plan = await asyncio.to_thread(plan_full, inputs, top_k, None, model)
    stages.lap("rank")
    del inputs, decisions
    plan.outcome["kind"] = kind.value
    plan.outcome["learned"] = learned
    plan.outcome["seconds"], plan.outcome["cpu_seconds"] = stages.wall, stages.cpu
    await _progress(run_id, PROGRESS_SCORING, progress_callback)
    pause = float(params.get("pause_after_scoring_s", 0) or 0)
    if pause > 0:
        await asyncio.sleep(min(pause, MAX_TEST_PAUSE_S))
    await _progress(run_id, PROGRESS_WRITING, progress_callback)
    result = await _write(run_id, kind, need_id, plan)
    if result == "written":
        logger.info(
            "run %s (%s): %s proposals planned, %s unfillable needs",
            run_id,
            kind.value,
            len(plan.proposals),
            len(plan.outcome["unfillable"]),
        )
    return await _finish(run_id, progress_callback)


async def _finish(run_id: int, progress_callback: ProgressCallback | None) -> dict[str, Any]:
    if progress_callback is not None:
        result = progress_callback(PROGRESS_DONE)
        if inspect.isawaitable(result):
            await result
    return await get_run(run_id)


#: Why nobody can fill a need, per reason code (one table: :mod:`matching.pairings.why_unfilled`).
UNFILLABLE_REASONS = REASONS


async def request_run(
    kind: str, *, actor_id: int | None, actor_label: str, parameters: dict[str, Any] | None = None
) -> int:
    """A coordinator asks for a run: create it queued, with its audit event."""
    from matching.audit.services import record_event

    if kind not in (RunKind.FULL, RunKind.STABLE):
        raise ValidationFailed({"kind": N_("Choose a full run or the stable mode.")})
    if parameters and "pause_after_scoring_s" in parameters:
        raise ValidationFailed({"pause_after_scoring_s": N_("This parameter is for tests only.")})
    async with _transaction():
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
    from matching.facilities.tables import Need

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


async def rank_single_need(need_id: int, requested_by: int | None = None) -> int:
    """Quick path: create a ``one_need`` run for ``need_id`` and execute it now.

    Supersedes only that need's undecided proposals. Returns the run id.
    """
    run_id = await create_run(RunKind.ONE_NEED, requested_by, {}, need_id=need_id)
    await execute_run(run_id)
    return run_id


__all__ = [
    "DEFAULT_TOP_K",
    "UNFILLABLE_REASONS",
    "TryAgain",
    "create_run",
    "execute_run",
    "fail_run",
    "failure_reason",
    "get_run",
    "learn_from_decisions",
    "list_runs",
    "mark_retrying",
    "plan_full",
    "plan_one_need",
    "plan_stable",
    "rank_single_need",
    "request_run",
    "run_detail",
    "set_job_id",
    "unfinished_runs",
]
