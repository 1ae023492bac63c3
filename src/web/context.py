"""Per-request context read by templates and helpers: the language and the user."""

from __future__ import annotations

from contextvars import ContextVar

from litestar import Request

from matching.accounts.services import Account
from matching.i18n import DEFAULT_LANGUAGE

current_language: ContextVar[str] = ContextVar("current_language", default=DEFAULT_LANGUAGE)
current_account: ContextVar[Account | None] = ContextVar("current_account", default=None)


def base_url(request: Request) -> str:
    """Where every mailed link starts: ``BASE_URL`` from the settings, never the
    request's ``Host`` (which an attacker chooses)."""
    return request.app.state.settings.base_url
