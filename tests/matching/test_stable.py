"""Tests for stable mode (``matching.stable``): hand examples, the PyPI reference, CLI."""

from __future__ import annotations

import copy
import io
import json
import os
import random
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from benchmarks.reference_matching import (
    load_reference,
    mutually_acceptable,
    reference_solve,
)
from matching.stable import deferred_acceptance, main

ROOT = Path(__file__).resolve().parents[2]

Instance = tuple[dict[str, list[str]], dict[str, list[str]], dict[str, int]]


def random_instance(rng: random.Random, max_doctors: int = 60) -> Instance:
    """A random instance with non-mutual entries both ways, empty lists, zero capacities."""
    n_doctors = rng.randint(1, max_doctors)
    n_needs = rng.randint(1, max(1, n_doctors // 2))
    doctors = [f"d{i}" for i in range(n_doctors)]
    needs = [f"n{j}" for j in range(n_needs)]
    doctor_prefs = {d: rng.sample(needs, rng.randint(0, min(n_needs, 6))) for d in doctors}
    need_prefs: dict[str, list[str]] = {}
    for n in needs:
        applicants = [d for d in doctors if n in doctor_prefs[d]]
        # Usually the need ranks its applicants (but forgets some) plus a few others.
        ranked = [d for d in applicants if rng.random() < 0.9]
        ranked += rng.sample(doctors, rng.randint(0, min(3, n_doctors)))
        ranked = list(dict.fromkeys(ranked))
        rng.shuffle(ranked)
        need_prefs[n] = ranked
    capacities = {n: rng.choice([0, 1, 1, 2, 2, 3, 4]) for n in needs}
    return doctor_prefs, need_prefs, capacities


def assert_stable(
    doctor_prefs: Mapping[str, Sequence[str]],
    need_prefs: Mapping[str, Sequence[str]],
    capacities: Mapping[str, int],
    result: Mapping[str, Sequence[str]],
) -> None:
    """Independent check: a valid matching with no blocking (doctor, need) pair."""
    assert set(result) == set(need_prefs)
    assigned: dict[str, str] = {}
    for need, held in result.items():
        assert len(held) <= capacities[need]
        rank = {d: i for i, d in enumerate(need_prefs[need])}
        assert list(held) == sorted(held, key=rank.__getitem__), "not in the need's order"
        for doctor in held:
            assert doctor not in assigned, f"{doctor} matched twice"
            assert need in doctor_prefs[doctor], f"{doctor} did not rank {need}"
            assigned[doctor] = need
    for doctor, prefs in doctor_prefs.items():
        current = assigned.get(doctor)
        better = prefs if current is None else prefs[: list(prefs).index(current)]
        for need in better:
            if doctor not in need_prefs[need]:
                continue
            held = result[need]
            if len(held) < capacities[need]:
                raise AssertionError(f"blocking pair: {doctor} and under-full {need}")
            rank = {d: i for i, d in enumerate(need_prefs[need])}
            if any(rank[doctor] < rank[h] for h in held):
                raise AssertionError(f"blocking pair: {doctor} and {need}")


def test_hand_example() -> None:
    doctors = {
        "amal": ["surgery", "icu"],
        "bassel": ["surgery"],
        "carim": ["surgery", "icu"],
        "dima": ["icu", "surgery"],
        "elias": ["icu"],
        "farah": ["paeds"],
    }
    needs = {
        "surgery": ["carim", "amal", "dima", "bassel"],
        "icu": ["elias", "amal", "dima", "carim"],
        "paeds": ["bassel"],  # ranks a doctor who did not apply; farah is not acceptable
        "lab": [],
    }
    capacities = {"surgery": 2, "icu": 1, "paeds": 3, "lab": 0}
    # dima is displaced from icu by elias, then loses to carim and amal at surgery.
    expected = {"surgery": ["carim", "amal"], "icu": ["elias"], "paeds": [], "lab": []}
    assert deferred_acceptance(doctors, needs, capacities) == expected
    assert reference_solve(doctors, needs, capacities) == expected


def test_doctor_optimal_not_need_optimal() -> None:
    doctors = {"d1": ["x", "y"], "d2": ["y", "x"]}
    needs = {"x": ["d2", "d1"], "y": ["d1", "d2"]}
    capacities = {"x": 1, "y": 1}
    # Both matchings are stable; doctors get their first choices in the doctor-optimal one.
    assert deferred_acceptance(doctors, needs, capacities) == {"x": ["d1"], "y": ["d2"]}


def test_empty_instance() -> None:
    assert deferred_acceptance({}, {}, {}) == {}
    assert deferred_acceptance({"d": []}, {"n": []}, {"n": 1}) == {"n": []}


def test_huge_capacity() -> None:
    assert deferred_acceptance({"d": ["n"]}, {"n": ["d"]}, {"n": 10**30}) == {"n": ["d"]}


def test_inputs_not_mutated_and_sequences_accepted() -> None:
    doctors = {"d1": ("x", "y"), "d2": ["y"]}
    needs = {"x": ("d1",), "y": ["d2", "d1"]}
    capacities = {"x": 1, "y": 1}
    before = copy.deepcopy((doctors, needs, capacities))
    assert deferred_acceptance(doctors, needs, capacities) == {"x": ["d1"], "y": ["d2"]}
    assert (doctors, needs, capacities) == before


@pytest.mark.parametrize("seed", range(200))
def test_random_instances_match_reference_package(seed: int) -> None:
    rng = random.Random(seed)
    doctors, needs, capacities = random_instance(rng)
    ours = deferred_acceptance(doctors, needs, capacities)
    assert ours == reference_solve(doctors, needs, capacities)
    assert_stable(doctors, needs, capacities, ours)


def test_larger_instance_matches_reference_package() -> None:
    rng = random.Random(2024)
    n_doctors, n_needs = 600, 80
    needs = [f"n{j}" for j in range(n_needs)]
    doctors = {f"d{i}": rng.sample(needs, rng.randint(1, 8)) for i in range(n_doctors)}
    need_prefs = {n: [d for d in doctors if n in doctors[d]] for n in needs}
    for ranked in need_prefs.values():
        rng.shuffle(ranked)
    capacities = {n: rng.randint(1, 6) for n in needs}
    ours = deferred_acceptance(doctors, need_prefs, capacities)
    assert ours == reference_solve(doctors, need_prefs, capacities)
    assert_stable(doctors, need_prefs, capacities, ours)


def test_mutually_acceptable_cleaning() -> None:
    doctors = {"a": ["x", "y"], "b": [], "c": ["y"]}
    needs = {"x": ["c", "a"], "y": ["a"], "z": ["a"]}
    capacities = {"x": 1, "y": 0, "z": 1}
    assert mutually_acceptable(doctors, needs, capacities) == (
        {"a": ["x"]},
        {"x": ["a"]},
        {"x": 1},
    )


def test_reference_loader_keeps_our_package() -> None:
    games = load_reference()
    assert hasattr(games, "HospitalResident")
    assert games.__file__ != __import__("matching").__file__
    import matching

    assert Path(matching.__file__).parent == ROOT / "src" / "matching"
    assert sys.modules["_pypi_matching.games"] is games


@pytest.mark.parametrize(
    ("doctors", "needs", "capacities", "message"),
    [
        ({"d": ["zz"]}, {"n": ["d"]}, {"n": 1}, "unknown need 'zz' in the list of doctor 'd'"),
        ({"d": ["n"]}, {"n": ["d", "q"]}, {"n": 1}, "unknown doctor 'q' in the list of need"),
        ({"d": ["n"]}, {"n": ["d"]}, {"n": -1}, "negative capacity -1 for need 'n'"),
        ({"d": ["n"]}, {"n": ["d"]}, {}, "missing capacity for need 'n'"),
        ({"d": ["n"]}, {"n": ["d"]}, {"n": 1, "m": 2}, "capacity given for unknown need 'm'"),
        ({"d": ["n"]}, {"n": ["d"]}, {"n": 1.5}, "must be an integer"),
        ({"d": ["n"]}, {"n": ["d"]}, {"n": True}, "must be an integer"),
        ({"d": ["n", "n"]}, {"n": ["d"]}, {"n": 1}, "duplicate 'n' in the list of doctor 'd'"),
        ({"d": ["n"]}, {"n": ["d", "d"]}, {"n": 1}, "duplicate 'd' in the list of need 'n'"),
    ],
)
def test_invalid_instances(
    doctors: dict[str, list[str]],
    needs: dict[str, list[str]],
    capacities: dict[str, int],
    message: str,
) -> None:
    with pytest.raises(ValueError, match=message):
        deferred_acceptance(doctors, needs, capacities)


def run_cli(stdin: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run(
        [sys.executable, "-m", "matching.stable"],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def test_cli_success() -> None:
    doctors, needs, capacities = random_instance(random.Random(7))
    doctors["د. سلمى"] = ["n0"]  # non-ASCII names survive the round trip
    needs["n0"].insert(0, "د. سلمى")
    instance = {"doctors": doctors, "needs": needs, "capacities": capacities}
    proc = run_cli(json.dumps(instance, ensure_ascii=False))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    result = json.loads(proc.stdout)
    assert result == deferred_acceptance(doctors, needs, capacities)
    assert result["n0"][0] == "د. سلمى" or capacities["n0"] == 0


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        ("{not json", "error: invalid JSON on stdin"),
        ("[]", "error: instance must be a JSON object"),
        ('{"doctors": {}, "needs": {}}', "error: instance lacks key(s) capacities"),
        (
            '{"doctors": {"d": ["x"]}, "needs": {"n": ["d"]}, "capacities": {"n": 1}}',
            "error: unknown need 'x' in the list of doctor 'd'",
        ),
        (
            '{"doctors": {"d": ["n"]}, "needs": {"n": ["d"]}, "capacities": {"n": -2}}',
            "error: negative capacity -2 for need 'n'",
        ),
        (
            '{"doctors": {"d": "n"}, "needs": {"n": ["d"]}, "capacities": {"n": 1}}',
            "error: \"doctors\"['d'] must be a list of strings",
        ),
    ],
)
def test_cli_bad_input(stdin: str, message: str) -> None:
    proc = run_cli(stdin)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith(message), proc.stderr


def test_main_in_process() -> None:
    instance = {"doctors": {"d": ["n"]}, "needs": {"n": ["d"]}, "capacities": {"n": 1}}
    out = io.StringIO()
    assert main([], io.StringIO(json.dumps(instance)), out) == 0
    assert json.loads(out.getvalue()) == {"n": ["d"]}
