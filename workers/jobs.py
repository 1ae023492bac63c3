"""Job functions: thin ``async def job(ctx, ...)`` wrappers over matching services.

``JOBS`` is the registry both runners use: arq's ``WorkerSettings.functions``
and the in-process queue.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

JobFunction = Callable[..., Awaitable[Any]]

JOBS: dict[str, JobFunction] = {}


def job(function: JobFunction) -> JobFunction:
    """Register a job function under its own name."""
    JOBS[function.__name__] = function
    return function
