"""``OPTIONS`` answers whose ``Allow`` header lists every method the path serves.

Litestar builds a path's ``OPTIONS`` handler when the path is first
registered; handlers added to the same path later (a controller's ``GET /``
and ``POST /`` with different guards or dependencies) were missing from its
``Allow`` header (``/api/needs`` answered ``Allow: OPTIONS, POST``). The answer
is built from the app's final route table instead.
"""

from __future__ import annotations

from litestar import Litestar, Request, Response
from litestar.routes import HTTPRoute
from litestar.status_codes import HTTP_204_NO_CONTENT

_CACHE_KEY = "_allow_by_path"


def _allow_by_path(app: Litestar) -> dict[str, str]:
    cached = app.state.get(_CACHE_KEY)
    if cached is None:
        cached = {
            route.path: ", ".join(sorted(route.methods))
            for route in app.routes
            if isinstance(route, HTTPRoute)
        }
        app.state[_CACHE_KEY] = cached
    return cached


def options_answer(request: Request) -> Response[None] | None:
    """The ``OPTIONS`` answer for the request's path, or None for other methods."""
    if request.method != "OPTIONS":
        return None
    allow = _allow_by_path(request.app)
    for path in request.route_handler.paths:
        if path in allow:
            return Response(None, status_code=HTTP_204_NO_CONTENT, headers={"Allow": allow[path]})
    return None
