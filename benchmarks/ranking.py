"""Ranking engine benchmarks (targets, not timed tests).

* ``ranking.full_run``: build arrays, hard rules, scores, top-K, assignment and
  explanations for 100,000 doctors x 10,000 needs, in a subprocess so its peak
  memory (``ru_maxrss``) is its own. Generating the synthetic input dataclasses
  is outside the timed run (reported as ``gen_s``) but inside the peak.
* ``ranking.one_need``: one newly posted need against prepared doctor arrays.
* ``ranking.vs_reference``: engine vs the pair-by-pair Python reference.
* ``ranking.eval``: precision@1 and @3 on the hand-labelled evaluation set.

``python -m benchmarks.ranking full --doctors N --needs M`` runs the child.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from datetime import date

import numpy as np

from benchmarks.ranking_reference import reference_scores
from benchmarks.synthetic import make_doctors, make_needs
from matching.ranking import build_arrays, build_doctor_arrays, rank_arrays, rank_one_need
from matching.ranking.api import DEFAULT_TOP_K
from matching.taxonomy import load_taxonomy

TODAY = date(2026, 1, 5)


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def full_run_child(n_doctors: int, n_needs: int) -> str:
    """One full run in this process; returns the benchmark line."""
    tax = load_taxonomy()
    t = time.perf_counter()
    doctors = make_doctors(n_doctors, tax, TODAY, seed=11)
    needs = make_needs(n_needs, tax, TODAY, seed=12)
    gen_s = time.perf_counter() - t
    t0 = time.perf_counter()
    da, na = build_arrays(doctors, needs, tax, TODAY)
    t1 = time.perf_counter()
    res = rank_arrays(da, na)  # the default top_k
    t2 = time.perf_counter()
    filled = len({p.need_id for p in res.proposals})
    return (
        f"ranking.full_run doctors={n_doctors} needs={n_needs} top_k={DEFAULT_TOP_K} "
        f"wall_s={t2 - t0:.2f} "
        f"build_arrays_s={t1 - t0:.2f} rank_s={t2 - t1:.2f} peak_mib={_peak_mib():.0f} "
        f"proposals={len(res.proposals)} needs_filled={filled} "
        f"unfillable={len(res.unfillable)} total_score={res.total_score:.3f} "
        f"(inputs generated outside the timed run: gen_s={gen_s:.1f}; peak includes them)"
    )


def bench_full_run(quick: bool = False) -> list[str]:
    """Full run in a subprocess (its own peak memory)."""
    n_d, n_n = (10_000, 1_000) if quick else (100_000, 10_000)
    cmd = [sys.executable, "-m", "benchmarks.ranking", "full", "--doctors", str(n_d)]
    cmd += ["--needs", str(n_n)]
    out = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        return [f"ranking.full_run FAILED rc={out.returncode} {out.stderr.strip()[-500:]}"]
    return [out.stdout.strip().splitlines()[-1]]


def bench_one_need(quick: bool = False) -> list[str]:
    """One newly posted need against prepared arrays of all doctors."""
    n_d = 10_000 if quick else 100_000
    tax = load_taxonomy()
    doctors = make_doctors(n_d, tax, TODAY, seed=11)
    t = time.perf_counter()
    da = build_doctor_arrays(doctors, tax)
    prep = time.perf_counter() - t
    needs = make_needs(30, tax, TODAY, seed=99)
    rank_one_need(needs[0], da, TODAY)  # warm caches (time-zone maps)
    times: dict[str, list[float]] = {}
    for need in needs:
        t = time.perf_counter()
        rank_one_need(need, da, TODAY)
        times.setdefault(need.kind, []).append((time.perf_counter() - t) * 1000)
    every = [x for v in times.values() for x in v]
    per_kind = " ".join(f"{k}_max_ms={max(v):.0f}" for k, v in sorted(times.items()))
    return [
        f"ranking.one_need doctors={n_d} ms={statistics.median(every):.0f} (median of "
        f"{len(every)}) max_ms={max(every):.0f} {per_kind} "
        f"(doctor arrays prepared once: {prep:.1f} s)"
    ]


def bench_vs_reference(quick: bool = False) -> list[str]:
    """Engine vs plain pair-by-pair Python, same scores, speed ratio."""
    n_d, n_n = (400, 100) if quick else (2_000, 500)
    tax = load_taxonomy()
    doctors = make_doctors(n_d, tax, TODAY, seed=21)
    needs = make_needs(n_n, tax, TODAY, seed=22)
    t = time.perf_counter()
    da, na = build_arrays(doctors, needs, tax, TODAY)
    res = rank_arrays(da, na, top_k=n_d, threads=1)
    engine_s = time.perf_counter() - t
    t = time.perf_counter()
    ref = reference_scores(doctors, needs, tax, TODAY, da.skill_vectorizer)
    ref_s = time.perf_counter() - t
    eng: dict[tuple[int, int], float] = {}
    ok = res.candidate_ids >= 0
    for i, j in zip(*np.nonzero(ok), strict=True):
        eng[(int(res.need_ids[i]), int(res.candidate_ids[i, j]))] = float(
            res.candidate_scores[i, j]
        )
    same_pairs = set(eng) == set(ref)
    diff = max((abs(eng[k] - ref[k]) for k in ref if k in eng), default=0.0)
    return [
        f"ranking.vs_reference pairs={n_d * n_n} eligible={len(ref)} same_eligible={same_pairs} "
        f"max_abs_diff={diff:.2e} engine_s={engine_s:.2f} reference_s={ref_s:.1f} "
        f"speedup={ref_s / engine_s:.0f}x (engine includes build_arrays and assignment)"
    ]


def bench_eval(quick: bool = False) -> list[str]:
    """Precision@1 and @3 on the hand-labelled evaluation set."""
    from benchmarks.eval_set import evaluate

    p1, p3, n = evaluate()
    return [f"ranking.eval needs={n} precision@1={p1:.2f} precision@3={p3:.2f}"]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ranking")
    parser.add_argument("what", choices=["full", "one", "reference", "eval"])
    parser.add_argument("--doctors", type=int, default=100_000)
    parser.add_argument("--needs", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.what == "full":
        print(full_run_child(args.doctors, args.needs), flush=True)
        return
    fn = {"one": bench_one_need, "reference": bench_vs_reference, "eval": bench_eval}[args.what]
    for line in fn(args.quick):
        print(line, flush=True)


if __name__ == "__main__":
    main()
