"""Server-side sessions that never adopt a session id the server did not issue.

Litestar's server-side backend keeps whatever id the client's cookie carries
(``get_session_id``), even one never issued, and has no switch to issue a new
id at login: session fixation stays open. This backend:

* issues a fresh id whenever the cookie's id has no data in the store
  (a planted or expired id is never written to), and
* issues a fresh id and deletes the old data when a handler calls
  :func:`rotate_session` (done at login and logout).

Checked against Litestar 2.25; the tests plant a cookie and log in.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.types import Message, ScopeSession

logger = logging.getLogger("web.sessions")

_KNOWN_ID = "_session_id_known"
_ROTATE = "_session_rotate"
_NEW_ID = "_session_new_id"


def rotate_session(connection: ASGIConnection) -> None:
    """Ask for a new session id on this response (the old one is dropped)."""
    connection.scope.setdefault("state", {})[_ROTATE] = True


class RotatingSessionBackend(ServerSideSessionBackend):
    async def load_from_connection(self, connection: ASGIConnection) -> dict[str, Any]:
        state = connection.scope.setdefault("state", {})
        state[_KNOWN_ID] = False
        if session_id := connection.cookies.get(self.config.key):
            store = self.config.get_store_from_app(connection.scope["app"])
            try:
                data = await self.get(session_id, store=store)
            except Exception as exc:  # the store (Redis) is down: serve as signed out
                logger.warning("session store unreachable on load: %s", type(exc).__name__)
                state["_session_store_down"] = True
                return {}
            if data is not None:
                state[_KNOWN_ID] = True
                return self.deserialize_data(data)
        return {}

    def get_session_id(self, connection: ASGIConnection) -> str:
        state = connection.scope.setdefault("state", {})
        if new_id := state.get(_NEW_ID):
            return new_id
        cookie_id = connection.cookies.get(self.config.key)
        if cookie_id and cookie_id != "null" and state.get(_KNOWN_ID) and not state.get(_ROTATE):
            return cookie_id
        state[_NEW_ID] = self.generate_session_id()
        return state[_NEW_ID]

    async def store_in_message(
        self, scope_session: ScopeSession, message: Message, connection: ASGIConnection
    ) -> None:
        state = connection.scope.setdefault("state", {})
        if state.get("_session_store_down"):
            return  # keep the client's cookie; nothing can be written now
        old_id = connection.cookies.get(self.config.key)
        try:
            if state.get(_ROTATE) and old_id and state.get(_KNOWN_ID):
                store = self.config.get_store_from_app(connection.scope["app"])
                await self.delete(old_id, store=store)
            await super().store_in_message(scope_session, message, connection)
        except Exception as exc:  # the store (Redis) is down: the page still serves
            logger.warning("session store unreachable on save: %s", type(exc).__name__)


@dataclass
class SessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend  # type: ignore[assignment]
