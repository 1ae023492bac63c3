"""``GET /health``: the state of the database and the job queue, as JSON."""

from __future__ import annotations

import asyncio

from litestar import Request, get
from litestar.response import Response

from matching.db import ping


async def database_state() -> str:
    try:
        await asyncio.wait_for(ping(), timeout=3)
    except Exception:
        return "unreachable"
    return "ok"


@get("/health", tags=["health"], summary="Database and queue state")
async def health(request: Request) -> Response[dict[str, str]]:
    database, queue = await asyncio.gather(database_state(), request.app.state.queue.health())
    healthy = database == "ok" and queue in ("ok", "in-process")
    body = {"status": "ok" if healthy else "degraded", "database": database, "queue": queue}
    return Response(body, status_code=200 if database == "ok" else 503)
