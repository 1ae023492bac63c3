"""Every failure becomes a clear answer: a page for people, JSON for the API.

Domain errors map to their 4xx status; an unreachable database is a 503; an
unexpected error is a 500 page that says what happened, never a traceback.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Redirect, Template
from litestar.status_codes import (
    HTTP_401_UNAUTHORIZED,
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_503_SERVICE_UNAVAILABLE,
)

from matching.errors import DomainError, ValidationFailed
from matching.i18n import N_, translate
from web.context import current_language
from web.sessions import session_was_ended
from web.templating import use_request_language

logger = logging.getLogger("web.errors")

DATABASE_DOWN_ERRORS: tuple[type[BaseException], ...] = (ConnectionError, OSError, TimeoutError)
try:  # asyncpg's connection failures do not all derive from OSError
    import asyncpg

    DATABASE_DOWN_ERRORS += (
        # Class 57 (operator intervention): the server shutting down (57P01), crashed
        # (57P02), not accepting connections yet (57P03).
        asyncpg.exceptions.AdminShutdownError,
        asyncpg.exceptions.CrashShutdownError,
        asyncpg.exceptions.CannotConnectNowError,
        # Class 08 (connection exception), the connection gone, the pool closing.
        asyncpg.exceptions.PostgresConnectionError,
        asyncpg.exceptions.InterfaceError,
        asyncpg.exceptions.TooManyConnectionsError,
    )
except ImportError:  # pragma: no cover
    pass


def _is_out_of_range(exc: Exception) -> bool:
    try:
        import asyncpg
    except ImportError:  # pragma: no cover
        return False
    return (
        isinstance(exc, asyncpg.exceptions.DataError)
        and "out of" in str(exc)
        and "range" in str(exc)
    )


def wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith(("/api/", "/health", "/schema")) or (
        "application/json" in request.headers.get("accept", "")
        and "text/html" not in request.headers.get("accept", "")
    )


def _page(status: int, title: str, message: str) -> Template:
    return Template(
        template_name="errors/error.html",
        context={"status": status, "title": title, "message": message},
        status_code=status,
        media_type=MediaType.HTML,
    )


_TITLES = {
    400: N_("The request could not be understood"),
    403: N_("You do not have access to this page"),
    404: N_("This page does not exist"),
    405: N_("This action is not allowed here"),
    409: N_("This change is not possible in the current state"),
    413: N_("The upload is too large"),
    422: N_("Some fields need attention"),
    429: N_("Too many attempts"),
    500: N_("Something went wrong on our side"),
    503: N_("The service is temporarily unavailable"),
}


def _json_answer(status: int, message: str, extra: dict[str, Any]) -> Response:
    """The API's error body, its messages in the reader's language (plain strings).

    ``errors`` by field are translated; Litestar's own validation details (a list)
    are technical and kept as they are.
    """
    language = current_language.get()
    body: dict[str, Any] = {"status_code": status, "detail": translate(language, message)}
    body.update(extra)
    if isinstance(extra.get("errors"), dict):
        body["errors"] = {k: translate(language, v) for k, v in extra["errors"].items()}
    return Response(body, status_code=status)


def _respond(request: Request, status: int, message: str, extra: dict[str, Any] | None = None):
    if wants_json(request):
        use_request_language(request)
        return _json_answer(status, message, extra or {})
    use_request_language(request)  # 404/405 from the router skip the middleware
    return _page(status, _TITLES.get(status, N_("Error")), message)


def domain_error_handler(request: Request, exc: DomainError) -> Response:
    """The refusal in the reader's language, on the page and in the API's ``detail``."""
    use_request_language(request)
    language = current_language.get()
    extra: dict[str, Any] = {}
    if exc.field:
        extra["field"] = exc.field
    if isinstance(exc, ValidationFailed):
        extra["errors"] = exc.translated_errors(language)
    return _respond(request, exc.status_code, exc.translated(language), extra)


def http_exception_handler(request: Request, exc: HTTPException) -> Response:
    if exc.status_code == HTTP_401_UNAUTHORIZED and not wants_json(request):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        ended = "&ended=1" if session_was_ended(request) else ""
        return Redirect(f"/login?next={quote(target)}{ended}")
    detail = exc.detail
    if exc.status_code == 404 and detail == "Not Found":
        detail = N_("The address may be mistyped, or what it pointed to was removed.")
    extra: dict[str, Any] = {}
    if isinstance(exc, ValidationException) and exc.extra:
        extra["errors"] = exc.extra
    response = _respond(request, exc.status_code, detail, extra)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def out_of_range_handler(request: Request, exc: Exception) -> Response:
    return _respond(request, 404, "No such record (id out of range).")


def unexpected_error_handler(request: Request, exc: Exception) -> Response:
    if _is_out_of_range(exc):
        return out_of_range_handler(request, exc)
    if isinstance(exc, DATABASE_DOWN_ERRORS) or (
        isinstance(exc, sqlite3.OperationalError) and "unable to open" in str(exc)
    ):
        logger.error("database unreachable: %s", type(exc).__name__)
        return _respond(
            request,
            HTTP_503_SERVICE_UNAVAILABLE,
            N_("The database cannot be reached right now. Please try again in a few minutes."),
        )
    logger.exception("unexpected error on %s %s", request.method, request.url.path)
    return _respond(
        request,
        HTTP_500_INTERNAL_SERVER_ERROR,
        N_(
            "An unexpected error stopped this request. Nothing was half-saved; "
            "the team has been told. Please try again."
        ),
    )


EXCEPTION_HANDLERS = {
    DomainError: domain_error_handler,
    HTTPException: http_exception_handler,
    # An id beyond the integer range cannot name a record: SQLite raises
    # OverflowError, asyncpg a DataError ("value out of int32 range").
    OverflowError: out_of_range_handler,
    Exception: unexpected_error_handler,
}
