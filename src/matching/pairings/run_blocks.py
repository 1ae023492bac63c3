"""A full ranking run split into several jobs: scoring blocks, one assignment per pool, write.

The single-job path (:mod:`matching.pairings.run_execution`) loads everything and ranks
in one process. A large full or scheduled run is split instead (the worker decides,
``workers.split_runs``; the job plumbing and where results are kept live there):

1. :func:`prepare_split` (the run's own job): the run's checks as today (finished,
   overtaken), then ONE snapshot of the open needs, decided pairs and the model learned
   from decisions, cut into blocks of needs (:class:`SplitPlan`, :class:`BlockInput`);
2. :func:`score_block` (one job per block, any worker): the block's needs against every
   doctor (the worker's :class:`~matching.pairings.prepared_doctors.PreparedDoctors`),
   each need's top-K candidates by doctor id, and its "no doctor can fill" report
   (:class:`BlockResult`);
3. :func:`assign_pool` (one job per capacity pool: travel, team missions included;
   mentorship; remote training): the exact assignment over every block's candidates of
   that pool, then the chosen pairs explained (:class:`PoolResult`);
4. :func:`split_run_plan` + :func:`~matching.pairings.run_writes.write_plan` (one
   job): the write exactly as the single-job path (one transaction, a newer run
   overtakes, a second delivery is skipped).

Every step is a pure function of what the earlier steps stored, so a step delivered
twice stores the same result. Proposals are identical to the single-job run's on the
same data: the blocks' rows are the single run's rows in the same order (need
arrays are built row by row), the doctors are the same arrays in id order, and the
single run also solves the assignment pool by pool
(:func:`~matching.ranking.api.assign_by_pool`) on the same edges in the same order.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from matching.doctors.tables import DoctorProfile
from matching.pairings.decisions import load_decisions
from matching.pairings.loader import load_decided_pairs, load_needs
from matching.pairings.run_execution import learn_from_decisions
from matching.pairings.run_plans import PlannedProposal, RunPlan, _short, _unfillable_dict
from matching.pairings.run_records import FINISHED, PROGRESS_LOADING, get_run, mark_running
from matching.pairings.run_writes import mark_overtaken, overtaking_runs
from matching.pairings.tables import RankingRun, RunKind, RunStatus
from matching.ranking import DoctorArrays, NeedInput
from matching.ranking.api import (
    DEFAULT_TOP_K,
    assign_by_pool,
    chosen_proposals,
    pool_of_rows,
    unfillable_rows,
)
from matching.ranking.arrays import build_need_arrays
from matching.ranking.assignment import POOLS
from matching.ranking.engine import top_candidates
from matching.ranking.learned import LearnedModel

logger = logging.getLogger("matching.runs")

#: Kinds of run that may be split (a stable run and a one-need run never are).
SPLIT_KINDS = (RunKind.FULL, RunKind.SCHEDULED)
#: Progress while blocks are scored: from PROGRESS_LOADING up to this, then assigning.
PROGRESS_BLOCKS_DONE = 60
PROGRESS_ASSIGNED = 80


@dataclass(frozen=True, slots=True)
class BlockInput:
    """One block of the run's need snapshot: its needs (load order) and decided pairs."""

    index: int
    needs: list[NeedInput]
    decided: frozenset[tuple[int, int]]


@dataclass(frozen=True, slots=True)
class SplitPlan:
    """What every later step of a split run shares (stored once, read by each job)."""

    run_id: int
    kind: str
    today: date
    top_k: int
    model: LearnedModel | None
    learned: dict[str, Any]
    blocks: int
    needs: int
    pause_s: float = 0.0


@dataclass(frozen=True, slots=True)
class BlockResult:
    """A scored block: per need row (team needs have one row per role), its pool,
    places, team (block-local index, -1 none) and top-K candidates by doctor id.

    ``doctor_ids`` (sorted) and ``mentee_room`` give the mentorship capacity of every
    candidate doctor; ``unfillable`` the block's report, as stored in the outcome.
    """

    index: int
    need_ids: np.ndarray
    pool: np.ndarray
    places: np.ndarray
    team: np.ndarray
    teams: int
    candidate_ids: np.ndarray
    candidate_scores: np.ndarray
    doctor_ids: np.ndarray
    mentee_room: np.ndarray
    unfillable: list[dict[str, Any]]
    doctors: int


@dataclass(frozen=True, slots=True)
class PoolResult:
    """One pool's assignment: its proposals, explained, by need id then rank."""

    pool: int
    proposals: list[PlannedProposal] = field(default_factory=list)
    total_score: float = 0.0
    edges: int = 0


def blocks_of(needs: list[NeedInput], block_needs: int) -> list[list[NeedInput]]:
    """Consecutive blocks of at most ``block_needs`` needs, in load order."""
    size = max(1, int(block_needs))
    return [needs[i : i + size] for i in range(0, len(needs), size)]


async def prepare_split(
    run_id: int, block_needs: int, min_needs: int
) -> tuple[SplitPlan, list[BlockInput]] | str:
    """Start split run ``run_id``: ``"single"`` when it should take the single-job path
    (not a full or scheduled run, fewer than ``min_needs`` open needs, no doctor at
    all, or already finished), ``"finished"`` when a newer run overtook it before ranking; otherwise
    the plan and its blocks (the run is then ``running`` at the loading progress).
    """
    run = await get_run(run_id)
    kind = RunKind(run["kind"])
    if kind not in SPLIT_KINDS or run["status"] in FINISHED:
        return "single"
    needs = await load_needs(None)
    if len(needs) < max(1, min_needs) or not await DoctorProfile.count().run():
        return "single"  # (without doctors: the single path's "no doctors" report)
    await mark_running(run_id)
    whole, _ = await overtaking_runs(run_id, kind, None)
    if whole is not None:
        await mark_overtaken(run_id, whole, kind)
        logger.info("run %s: overtaken by run %s before ranking; nothing written", run_id, whole)
        return "finished"
    await (
        RankingRun.update({RankingRun.progress: PROGRESS_LOADING})
        .where(RankingRun.id == run_id)
        .run()
    )
    decided = await load_decided_pairs([n.id for n in needs])
    model, learned = await asyncio.to_thread(learn_from_decisions, await load_decisions())
    params = run["parameters"]
    parts = blocks_of(needs, block_needs)
    plan = SplitPlan(
        run_id=run_id,
        kind=kind.value,
        today=date.today(),
        top_k=int(params.get("top_k", DEFAULT_TOP_K)),
        model=model,
        learned=learned,
        blocks=len(parts),
        needs=len(needs),
        pause_s=float(params.get("pause_after_scoring_s", 0) or 0),
    )
    blocks = []
    for i, part in enumerate(parts):
        ids = {n.id for n in part}
        blocks.append(BlockInput(i, part, frozenset(p for p in decided if p[0] in ids)))
    return plan, blocks


def score_block(plan: SplitPlan, block: BlockInput, doctors: DoctorArrays) -> BlockResult:
    """Score one block against every doctor: top-K candidates per need row (pure)."""
    na = build_need_arrays(block.needs, doctors, plan.today, block.decided)
    top = top_candidates(doctors, na, plan.top_k, None, plan.model)
    ok = top.doctor_rows >= 0
    candidate_ids = np.where(ok, doctors.ids[np.maximum(top.doctor_rows, 0)], -1)
    rows = np.unique(top.doctor_rows[ok])
    return BlockResult(
        index=block.index,
        need_ids=na.ids,
        pool=pool_of_rows(na, np.arange(na.n)),
        places=na.places,
        team=na.team,
        teams=int(na.team.max()) + 1 if na.team.size and (na.team >= 0).any() else 0,
        candidate_ids=candidate_ids,
        candidate_scores=top.scores,
        doctor_ids=doctors.ids[rows],
        mentee_room=np.asarray(doctors.mentee_room)[rows].astype(np.int64),
        unfillable=[_unfillable_dict(u) for u in unfillable_rows(doctors, na, top.n_eligible)],
        doctors=doctors.n,
    )


def assign_pool(
    plan: SplitPlan,
    pool: int,
    blocks: list[BlockResult],
    inputs: list[BlockInput],
    doctors: DoctorArrays,
) -> PoolResult:
    """The exact assignment of one capacity pool over every block, explained (pure).

    ``blocks`` and ``inputs`` in block order. The candidate graph is the single-job
    run's edges of that pool in the same order; doctors are numbered in id order,
    as the single run's doctor rows are.
    """
    blocks = sorted(blocks, key=lambda b: b.index)
    inputs = sorted(inputs, key=lambda b: b.index)
    team_offset = np.cumsum([0] + [b.teams for b in blocks])[:-1]
    team = np.concatenate(
        [
            np.where(b.team >= 0, b.team + off, -1)
            for b, off in zip(blocks, team_offset, strict=True)
        ]
    ).astype(np.int64)
    places = np.concatenate([b.places for b in blocks]).astype(np.int64)
    row_pool = np.concatenate([b.pool for b in blocks]).astype(np.int64)
    cand = np.concatenate([b.candidate_ids for b in blocks])
    cand_scores = np.concatenate([b.candidate_scores for b in blocks])
    n_idx, k_idx = np.nonzero(cand >= 0)
    mine = row_pool[n_idx] == pool
    n_idx, k_idx = n_idx[mine], k_idx[mine]
    if not n_idx.size:
        return PoolResult(pool)
    uniq, d_idx = np.unique(cand[n_idx, k_idx], return_inverse=True)
    known = np.concatenate([b.doctor_ids for b in blocks])
    room = np.concatenate([b.mentee_room for b in blocks])
    known, first = np.unique(known, return_index=True)
    capacity = np.ones((uniq.size, len(POOLS)), dtype=np.int64)
    capacity[:, 1] = room[first][np.searchsorted(known, uniq)]
    scores = cand_scores[n_idx, k_idx]
    chosen = assign_by_pool(
        n_idx, d_idx, row_pool[n_idx], scores, places, capacity, team, pools=(pool,)
    )
    proposals = _explained(plan, cand, cand_scores, n_idx, k_idx, chosen, inputs, doctors)
    return PoolResult(pool, proposals, float(scores[chosen].sum()), int(n_idx.size))


def _explained(
    plan: SplitPlan,
    cand: np.ndarray,
    cand_scores: np.ndarray,
    n_idx: np.ndarray,
    k_idx: np.ndarray,
    chosen: np.ndarray,
    inputs: list[BlockInput],
    doctors: DoctorArrays,
) -> list[PlannedProposal]:
    """The chosen edges (global need rows) explained on arrays of their needs only."""
    ch = np.flatnonzero(chosen)
    if not ch.size:
        return []
    needs = [n for b in inputs for n in b.needs]
    row_need = np.concatenate(
        [np.full(max(1, len(n.roles)), i, dtype=np.int64) for i, n in enumerate(needs)]
    )
    if row_need.size != cand.shape[0]:
        raise RuntimeError("a block's rows do not match its needs")
    wanted = np.unique(row_need[n_idx[ch]])
    first_row = np.searchsorted(row_need, np.arange(len(needs)))
    subset = [needs[i] for i in wanted.tolist()]
    decided = frozenset(p for b in inputs for p in b.decided)
    na = build_need_arrays(subset, doctors, plan.today, decided)
    sizes = np.array([max(1, len(needs[i].roles)) for i in wanted.tolist()], dtype=np.int64)
    global_rows = np.concatenate(
        [np.arange(first_row[i], first_row[i] + s) for i, s in zip(wanted, sizes, strict=True)]
    )
    to_sub = {int(g): int(r) for r, g in enumerate(global_rows)}
    # Candidate ids -> this worker's doctor rows (the arrays are in id order).
    ids = doctors.ids
    sub_cand = cand[global_rows]
    at = np.clip(np.searchsorted(ids, np.maximum(sub_cand, 0)), 0, max(ids.size - 1, 0))
    found = (sub_cand >= 0) & (ids.size > 0) & (ids[at] == sub_cand)
    top_rows = np.where(found, at, -1)
    top_scores = np.where(found, cand_scores[global_rows], -np.inf)
    sub_n = np.array([to_sub[int(g)] for g in n_idx[ch]], dtype=np.int64)
    sub_k = k_idx[ch]
    sub_d = top_rows[sub_n, sub_k]
    keep = sub_d >= 0  # a doctor deleted since scoring is not proposed
    if not keep.all():
        logger.warning("run %s: %s chosen doctors are gone", plan.run_id, int((~keep).sum()))
    sub_n, sub_k, sub_d = sub_n[keep], sub_k[keep], sub_d[keep]
    ranked = chosen_proposals(
        doctors,
        na,
        top_rows,
        top_scores,
        sub_n,
        sub_d,
        sub_k,
        np.ones(sub_n.size, dtype=bool),
        plan.model,
    )
    return [
        PlannedProposal(p.need_id, p.doctor_id, p.score, p.rank, p.explanation.as_dict())
        for p in ranked
    ]


def split_run_plan(
    plan: SplitPlan, blocks: list[BlockResult], inputs: list[BlockInput], pools: list[PoolResult]
) -> RunPlan:
    """What the write step writes: the pools' proposals in the single run's order."""
    blocks = sorted(blocks, key=lambda b: b.index)
    inputs = sorted(inputs, key=lambda b: b.index)
    needs = [n for b in inputs for n in b.needs]
    merged = [p for r in sorted(pools, key=lambda r: r.pool) for p in r.proposals]
    order = sorted(range(len(merged)), key=lambda i: merged[i].need_id)  # stable: keeps rank
    proposals = [merged[i] for i in order]
    outcome = {
        "unfillable": [u for b in blocks for u in b.unfillable],
        "short": _short(needs, proposals),
        "total_score": float(sum(p.score for p in proposals)),
    }
    doctors = max((b.doctors for b in blocks), default=0)
    return RunPlan(proposals, outcome, doctors, [n.id for n in needs])


async def resume_running(run_id: int) -> bool:
    """A split run put back to ``queued`` by a failed try is ``running`` again; False
    when it is no longer ``queued`` or ``running`` (finished or failed: stop)."""
    await (
        RankingRun.update({RankingRun.status: RunStatus.RUNNING, RankingRun.error: ""})
        .where((RankingRun.id == run_id) & (RankingRun.status == RunStatus.QUEUED))
        .run()
    )
    row = await RankingRun.select(RankingRun.status).where(RankingRun.id == run_id).first().run()
    return row is not None and row["status"] == RunStatus.RUNNING


async def raise_progress(run_id: int, value: int) -> None:
    """Move a running run's progress up to ``value`` (never down: blocks end in any order)."""
    await (
        RankingRun.update({RankingRun.progress: value})
        .where(
            (RankingRun.id == run_id)
            & (RankingRun.status == RunStatus.RUNNING)
            & (RankingRun.progress < value)
        )
        .run()
    )


__all__ = [
    "PROGRESS_ASSIGNED",
    "PROGRESS_BLOCKS_DONE",
    "SPLIT_KINDS",
    "BlockInput",
    "BlockResult",
    "PoolResult",
    "SplitPlan",
    "assign_pool",
    "blocks_of",
    "prepare_split",
    "raise_progress",
    "resume_running",
    "score_block",
    "split_run_plan",
]
