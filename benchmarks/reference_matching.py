"""Load the PyPI ``matching`` package (daffidwilde, 1.4.x) despite our own ``matching``.

Our application package is also called ``matching`` (``src/matching``) and pytest puts
``src`` on ``sys.path``, so ``import matching`` finds ours and the PyPI package is
shadowed. The PyPI package imports itself absolutely (``from matching import ...``),
so it cannot simply be loaded under another name either. :func:`load_reference`
therefore, under a lock:

1. locates the PyPI package in its own folder, ``.venv-reference/`` (``make reference``
   installs it there, apart from the project's environment, so that ``import matching``
   in the venv always means ours), or else through its distribution metadata, or by
   scanning ``sys.path`` for ``matching/games/hospital_resident.py``;
2. moves every ``matching`` / ``matching.*`` entry out of ``sys.modules``;
3. imports the PyPI package from its own directory and its ``games`` subpackage
   (all of its imports are module-level, so they bind to the PyPI modules now);
4. re-registers those modules as ``_pypi_matching`` / ``_pypi_matching.*`` and puts
   our modules back, so ``import matching`` keeps meaning our package afterwards.

The package's import-time ``warnings.simplefilter("always")`` is undone as well.
Used by ``benchmarks/stable.py`` and ``tests/matching/test_stable.py``.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.metadata
import importlib.util
import sys
import threading
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

ALIAS = "_pypi_matching"
#: Where ``make reference`` installs the PyPI package (``pip install --target``).
REFERENCE_DIR = Path(__file__).resolve().parents[1] / ".venv-reference"
T = TypeVar("T")
_lock = threading.Lock()
_cache: dict[str, ModuleType] = {}


def _package_parent() -> Path:
    """Return the directory holding the PyPI ``matching`` package."""
    if (REFERENCE_DIR / "matching" / "games" / "hospital_resident.py").is_file():
        return REFERENCE_DIR
    try:
        dist = importlib.metadata.distribution("matching")
        init = Path(str(dist.locate_file("matching/__init__.py")))
        if (init.parent / "games" / "hospital_resident.py").is_file():
            return init.parent.parent
    except importlib.metadata.PackageNotFoundError:
        pass
    for entry in sys.path:
        candidate = Path(entry or ".") / "matching" / "games" / "hospital_resident.py"
        if candidate.is_file():
            return candidate.parent.parent.parent
    raise ModuleNotFoundError(
        f"the PyPI 'matching' package (the parity test's reference) is not in {REFERENCE_DIR}:"
        " run `make reference`"
    )


def load_reference() -> ModuleType:
    """Return the PyPI package's ``matching.games`` module (has ``HospitalResident``)."""
    with _lock:
        if "games" in _cache:
            return _cache["games"]
        parent = _package_parent()
        ours = {k: sys.modules.pop(k) for k in list(sys.modules) if k.split(".")[0] == "matching"}
        try:
            spec = importlib.machinery.PathFinder.find_spec("matching", [str(parent)])
            if spec is None or spec.loader is None:
                raise ModuleNotFoundError(f"no 'matching' package in {parent}")
            with warnings.catch_warnings():
                root = importlib.util.module_from_spec(spec)
                sys.modules["matching"] = root
                spec.loader.exec_module(root)
                games = importlib.import_module("matching.games")
        finally:
            theirs = {
                k: sys.modules.pop(k) for k in list(sys.modules) if k.split(".")[0] == "matching"
            }
            sys.modules.update(ours)
        for name, module in theirs.items():
            sys.modules[ALIAS + name[len("matching") :]] = module
        _cache["games"] = games
        return games


def reference_version() -> str:
    """Version string of the loaded PyPI ``matching`` package."""
    load_reference()
    return str(sys.modules[ALIAS].__version__)


def mutually_acceptable(
    doctor_prefs: Mapping[str, Sequence[str]],
    need_prefs: Mapping[str, Sequence[str]],
    capacities: Mapping[str, int],
) -> tuple[dict[str, list[str]], dict[str, list[str]], dict[str, int]]:
    """Clean an instance into the form ``HospitalResident`` requires.

    The package wants each hospital to rank exactly the residents that rank it, every
    list non-empty and every capacity at least 1 (it only warns otherwise, then fails
    or misbehaves). Keeping only mutually acceptable pairs, then dropping empty lists
    and zero-capacity needs, leaves the set of stable matchings unchanged.
    """
    doctor_sets = {d: set(prefs) for d, prefs in doctor_prefs.items()}
    needs = {
        n: [d for d in prefs if n in doctor_sets[d]]
        for n, prefs in need_prefs.items()
        if capacities[n] > 0
    }
    need_sets = {n: set(prefs) for n, prefs in needs.items()}
    doctors = {
        d: [n for n in prefs if n in need_sets and d in need_sets[n]]
        for d, prefs in doctor_prefs.items()
    }
    doctors = {d: prefs for d, prefs in doctors.items() if prefs}
    needs = {n: prefs for n, prefs in needs.items() if prefs}
    return doctors, needs, {n: capacities[n] for n in needs}


def needed_recursion_limit(n_doctors: int, n_needs: int) -> int:
    """Recursion limit ``HospitalResident`` needs for an instance of this size.

    Its constructor ``copy.deepcopy``-s the players, which reference each other through
    their preference lists, so the recursion can go as deep as the number of players
    times the ~7 frames deepcopy spends per object. Python's default of 1,000 was
    exceeded at 1,000 doctors of the benchmark's instances and already at 600 doctors
    of denser test instances.
    """
    return 10 * (n_doctors + n_needs) + 1_000


def run_deep(fn: Callable[[], T], recursion_limit: int) -> tuple[T, float]:
    """Run ``fn()`` with at least ``recursion_limit``; return (result, wall seconds).

    When the limit has to be raised, ``fn`` runs in a thread with a large C stack
    (``threading.stack_size``) so deep recursion does not overflow it; the process-wide
    recursion limit and the default thread stack size are restored afterwards.
    """
    if recursion_limit <= sys.getrecursionlimit():
        start = time.perf_counter()
        return fn(), time.perf_counter() - start
    box: dict[str, Any] = {}

    def target() -> None:
        start = time.perf_counter()
        try:
            box["result"] = fn()
        except BaseException as exc:
            box["error"] = exc
        box["seconds"] = time.perf_counter() - start

    old_limit = sys.getrecursionlimit()
    # ~1 KiB of C stack per Python frame is ample; at least 64 MiB, at most 4 GiB.
    stack = min(max(64 << 20, recursion_limit * 1024), 4 << 30)
    old_stack = threading.stack_size(stack)
    try:
        thread = threading.Thread(target=target, name="matching-package-reference")
        sys.setrecursionlimit(recursion_limit)
        thread.start()
        thread.join()
    finally:
        sys.setrecursionlimit(old_limit)
        threading.stack_size(old_stack)
    if "error" in box:
        raise box["error"]
    return box["result"], box["seconds"]


def run_package(
    doctors: Mapping[str, Sequence[str]],
    needs: Mapping[str, Sequence[str]],
    capacities: Mapping[str, int],
) -> dict[str, list[str]]:
    """``HospitalResident.create_from_dictionaries(...).solve(optimal="resident")``.

    Expects an instance already cleaned by :func:`mutually_acceptable`; returns names,
    each need's doctors in the need's preference order (the package keeps them so).
    """
    games = load_reference()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        game: Any = games.HospitalResident.create_from_dictionaries(doctors, needs, capacities)
        solved = game.solve(optimal="resident")
    return {hospital.name: [r.name for r in residents] for hospital, residents in solved.items()}


def reference_solve(
    doctor_prefs: Mapping[str, Sequence[str]],
    need_prefs: Mapping[str, Sequence[str]],
    capacities: Mapping[str, int],
) -> dict[str, list[str]]:
    """Solve any valid instance with the PyPI package, in our output format.

    The instance is cleaned with :func:`mutually_acceptable` first and the recursion
    limit raised as needed; needs the cleaning drops get an empty list, and each need's
    doctors are listed in the need's preference order, as
    :func:`matching.stable.deferred_acceptance` does.
    """
    doctors, needs, caps = mutually_acceptable(doctor_prefs, need_prefs, capacities)
    result: dict[str, list[str]] = {n: [] for n in need_prefs}
    if doctors:
        limit = needed_recursion_limit(len(doctors), len(needs))
        solved, _ = run_deep(lambda: run_package(doctors, needs, caps), limit)
        for need, held in solved.items():
            rank = {d: i for i, d in enumerate(need_prefs[need])}
            result[need] = sorted(held, key=rank.__getitem__)
    return result
