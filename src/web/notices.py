"""Site-wide notices shown in ``base.html``: the job queue (Redis) being unreachable.

Templates render synchronously, the queue's health check is async: the Jinja
global answers from a cache kept fresh (every 5 s at most) by a background
task, so a page never waits on Redis. The first page after Redis dies may
still miss the notice; pages rendered a moment later show it.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from jinja2 import pass_context

HEALTH_TTL_S = 5.0
_cache: dict[int, tuple[float, str]] = {}  # id(queue) -> (checked at, state)
_refreshing: set[int] = set()
_tasks: set[asyncio.Task[None]] = set()


async def _refresh(queue: Any) -> None:
    key = id(queue)
    try:
        state = await queue.health()
    except Exception:  # a health check never breaks a page
        state = "unreachable"
    finally:
        _refreshing.discard(key)
    _cache[key] = (time.monotonic(), state)


def queue_state(queue: Any) -> str:
    """The last known health of ``queue`` ('ok', 'in-process', 'unreachable' or 'unknown')."""
    if queue is None or getattr(queue, "kind", "") != "redis":
        return "in-process"
    key = id(queue)
    checked, state = _cache.get(key, (0.0, "unknown"))
    if time.monotonic() - checked > HEALTH_TTL_S and key not in _refreshing:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return state
        _refreshing.add(key)
        task = loop.create_task(_refresh(queue))
        _tasks.add(task)
        task.add_done_callback(_tasks.discard)
    return state


@pass_context
def queue_notice(context: Any) -> bool:
    """True when proposals are delayed because the job queue cannot be reached."""
    request = context.get("request")
    app = getattr(request, "app", None)
    queue = getattr(getattr(app, "state", None), "queue", None)
    return queue_state(queue) == "unreachable"
