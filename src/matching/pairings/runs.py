"""Ranking runs: create one, execute it (load -> rank -> write), safely under faults.

The public face of four modules, one reason to change each:
:mod:`~matching.pairings.run_records` (the run's row and its states),
:mod:`~matching.pairings.run_execution` (load -> learn -> plan -> write, retries),
:mod:`~matching.pairings.run_plans` (the planners, pure),
:mod:`~matching.pairings.run_writes` (the one transaction that writes proposals);
the doctors of a one-need run come from :mod:`~matching.pairings.prepared_doctors`.

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
      "prepared_doctors": {"how": "changed", "doctors": 100000, "changed": 1},
                                         # one-need runs: the worker's kept arrays were
                                         # loaded ("cold"), refreshed ("changed": doctors
                                         # reloaded) or reused as they were ("same")
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

from matching.pairings.prepared_doctors import PreparedDoctors
from matching.pairings.run_execution import (
    TryAgain,
    execute_run,
    failure_reason,
    learn_from_decisions,
    need_snapshot,
    rank_single_need,
)
from matching.pairings.run_plans import (
    PlannedProposal,
    RunPlan,
    plan_full,
    plan_one_need,
    plan_stable,
)
from matching.pairings.run_records import (
    FINISHED,
    PROGRESS_DONE,
    PROGRESS_LOADING,
    PROGRESS_SCORING,
    PROGRESS_WRITING,
    create_run,
    fail_run,
    get_run,
    list_runs,
    mark_retrying,
    request_run,
    run_detail,
    run_for_job,
    set_job_id,
    unfinished_runs,
)
from matching.pairings.why_unfilled import REASONS
from matching.ranking.api import DEFAULT_TOP_K

#: Why nobody can fill a need, per reason code (one table: :mod:`matching.pairings.why_unfilled`).
UNFILLABLE_REASONS = REASONS

__all__ = [
    "DEFAULT_TOP_K",
    "FINISHED",
    "PROGRESS_DONE",
    "PROGRESS_LOADING",
    "PROGRESS_SCORING",
    "PROGRESS_WRITING",
    "UNFILLABLE_REASONS",
    "PlannedProposal",
    "PreparedDoctors",
    "RunPlan",
    "TryAgain",
    "create_run",
    "execute_run",
    "fail_run",
    "failure_reason",
    "get_run",
    "learn_from_decisions",
    "list_runs",
    "mark_retrying",
    "need_snapshot",
    "plan_full",
    "plan_one_need",
    "plan_stable",
    "rank_single_need",
    "request_run",
    "run_detail",
    "run_for_job",
    "set_job_id",
    "unfinished_runs",
]
