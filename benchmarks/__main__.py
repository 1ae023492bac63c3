"""``make bench``: run every benchmark, one printed line per figure.

Each entry of :data:`BENCHMARKS` takes ``quick`` (smaller sizes) and returns its
lines; adding a benchmark is adding one line to the list.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from benchmarks import (
    account_timing,
    distributed,
    equity,
    learned,
    needs_list,
    new_need,
    product_run,
    pruning,
    ranking,
    stable,
    teams,
)

BENCHMARKS: list[Callable[[bool], list[str]]] = [
    ranking.bench_full_run,
    product_run.bench_product_run,
    new_need.bench_new_need,
    ranking.bench_one_need,
    ranking.bench_vs_reference,
    ranking.bench_eval,
    pruning.bench_pruning,
    equity.bench_equity,
    learned.bench_learned,
    stable.bench_stable,
    teams.bench_teams,
    needs_list.bench_needs_list,
    account_timing.bench_account_timing,
    distributed.bench_distributed,
]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, a few seconds")
    args = parser.parse_args(argv)
    for bench in BENCHMARKS:
        for line in bench(args.quick):
            print(line, flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
