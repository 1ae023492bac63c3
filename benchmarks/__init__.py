"""Benchmarks, run by ``make bench`` (``python -m benchmarks [--quick]``).

The PyPI package ``matching`` (a dev dependency, used as a reference by the
stable-mode tests) has the same name as our ``src/matching`` and sits before
``src`` on ``sys.path`` in the venv (the editable install's ``.pth`` comes
last); put ``src`` first so ``import matching`` is ours, as under pytest.
"""

import sys
from pathlib import Path

_SRC = str(Path(__file__).resolve().parent.parent / "src")
if sys.path[:1] != [_SRC]:
    sys.path.insert(0, _SRC)
    if "matching" in sys.modules and _SRC not in str(
        getattr(sys.modules["matching"], "__file__", "")
    ):
        del sys.modules["matching"]
