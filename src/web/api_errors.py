"""The error answers of the JSON API, documented in its OpenAPI document.

Every error under ``/api`` has the same JSON body (``web.errors``): the status,
a message, and, for a refused field, the field and the errors by field.
:func:`document_errors` adds to each operation of an API controller the error
statuses it can answer, by what the operation is:

* every operation: 422 (a parameter or the body does not validate);
* behind a guard: 401 (not signed in) and 403 (role, or somebody else's object);
* with an id in the path: 404;
* changing something: 400 (a body that is not JSON), 403 (no CSRF token), 404
  (an object the body names, e.g. a need's facility) and 409 (illegal in the
  object's current state, e.g. approving a declined proposal);
* signing in and signing up: 429 (too many attempts).

The fuzz test checks every answer's status against this document.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from msgspec import Struct

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

DESCRIPTIONS = {
    400: "The body is not valid JSON.",
    401: "Not signed in.",
    403: (
        "This role or this user may not do it, or the CSRF token (x-csrftoken) is missing; "
        "or, with `field` `consent`, the signed-in doctor or facility head must first accept "
        "the current privacy notice (`GET /api/privacy-notice`, then "
        "`POST /api/privacy-notice/accept` with its version)."
    ),
    404: "No such object, in the path or named in the body (or not one this user may see).",
    409: "Not possible in the object's current state; nothing was changed.",
    422: "A parameter or a field of the body is invalid; `field` and `errors` name it.",
    429: "Too many attempts; try again in a minute.",
}


class ApiError(Struct):
    """The body of every error answer under ``/api``."""

    status_code: int
    detail: str
    field: str | None = None
    errors: dict[str, str] | list[dict[str, Any]] | None = None


def _spec(status: int) -> ResponseSpec:
    return ResponseSpec(data_container=ApiError, description=DESCRIPTIONS[status])


def error_statuses(
    handler: HTTPRouteHandler, *, guarded: bool, rate_limited: bool = False
) -> list[int]:
    """The error statuses ``handler`` can answer (see the module docstring)."""
    statuses = {422}
    if guarded:
        statuses |= {401, 403}
    if any("{" in path for path in handler.paths):
        statuses.add(404)
    if set(handler.http_methods) & UNSAFE:
        statuses |= {400, 403, 404, 409}
        if rate_limited and not guarded:  # the public sign-in and sign-up
            statuses.add(429)
    return sorted(statuses)


def document_errors(*, rate_limited: bool = False):  # type: ignore[no-untyped-def]
    """Class decorator for an API controller: document each operation's error answers."""

    def decorate(controller: type[Controller]) -> type[Controller]:
        for value in vars(controller).values():
            if not isinstance(value, HTTPRouteHandler):
                continue
            # ``Controller.guards`` is a slot: read what the class itself declares.
            guarded = bool(vars(controller).get("guards") or value.guards)
            documented = {
                status: _spec(status)
                for status in error_statuses(value, guarded=guarded, rate_limited=rate_limited)
            }
            value.responses = {**documented, **(value.responses or {})}
        return controller

    return decorate
