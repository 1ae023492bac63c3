"""Who is asking: the account behind the session, the language, and guards.

Guards decide by role; ownership (a head's own facility, a doctor's own
profile) is decided by the services, which raise ``Forbidden``.
"""

from __future__ import annotations

from collections.abc import Callable

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from matching.accounts.services import Account, account_for_session
from matching.accounts.tables import Role
from matching.i18n import SUPPORTED_LANGUAGES, negotiate_language
from web.context import current_account, current_language
from web.sessions import ensure_session_store, mark_session_ended, rotate_session

SESSION_USER_KEY = "user_id"
SESSION_STAMP_KEY = "stamp"  # services.session_stamp of the password hash at sign-in
LANGUAGE_COOKIE = "lang"

Guard = Callable[[ASGIConnection, BaseRouteHandler], None]


class AccountMiddleware(ASGIMiddleware):
    """Loads the session's account into ``scope["user"]`` and picks the language."""

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        connection: ASGIConnection = ASGIConnection(scope)
        account: Account | None = None
        session = scope.get("session") or {}
        if isinstance(session, dict) and (user_id := session.get(SESSION_USER_KEY)):
            account = await account_for_session(int(user_id), session.get(SESSION_STAMP_KEY))
            if account is None:  # password set since sign-in, or account gone
                scope["session"] = {}  # the backend deletes it from the store
                mark_session_ended(connection)
        scope["user"] = account
        language = connection.cookies.get(LANGUAGE_COOKIE)
        if account is not None:
            language = account.language
        if language not in SUPPORTED_LANGUAGES:
            language = negotiate_language(connection.headers.get("accept-language"))
        scope.setdefault("state", {})["language"] = language
        account_token = current_account.set(account)
        language_token = current_language.set(language)
        try:
            await next_app(scope, receive, send)
        finally:
            current_account.reset(account_token)
            current_language.reset(language_token)


async def sign_in(connection: ASGIConnection, account: Account) -> None:
    """Start a session for ``account`` under a new id (never the one the client sent);
    a 503 (:class:`web.sessions.SessionNotSaved`) when the session cannot be stored."""
    await ensure_session_store(connection)
    rotate_session(connection)
    connection.set_session({SESSION_USER_KEY: account.id, SESSION_STAMP_KEY: account.stamp})


def account_of(connection: ASGIConnection) -> Account | None:
    return connection.scope.get("user")


def require_account(connection: ASGIConnection) -> Account:
    account = account_of(connection)
    if account is None:
        raise NotAuthorizedException("sign in first")
    return account


def requires_login(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    require_account(connection)


def requires_role(*roles: Role) -> Guard:
    """A guard letting through only signed-in users with one of ``roles``."""
    allowed = frozenset(roles)

    def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        account = require_account(connection)
        if account.role not in allowed:
            raise PermissionDeniedException("your role cannot open this page")

    guard.__name__ = "requires_" + "_or_".join(sorted(r.value for r in allowed))
    return guard


requires_doctor = requires_role(Role.DOCTOR)
requires_facility_head = requires_role(Role.FACILITY_HEAD)
requires_coordinator = requires_role(Role.COORDINATOR, Role.ADMIN)
requires_admin = requires_role(Role.ADMIN)
