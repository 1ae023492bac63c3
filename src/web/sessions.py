"""Server-side sessions that never adopt a session id the server did not issue.

Litestar's server-side backend keeps whatever id the client's cookie carries
(``get_session_id``), even one never issued, and has no switch to issue a new
id at login: session fixation stays open. This backend:

* issues a fresh id whenever the cookie's id has no data in the store
  (a planted or expired id is never written to), and
* issues a fresh id and deletes the old data when a handler calls
  :func:`rotate_session` (done at login and logout).

It also writes less than Litestar's backend, which stores the session (and
renews its expiry) on every response, and stores an empty session with a new
id for every anonymous page view:

* an anonymous visitor with nothing in the session gets no store entry and no
  session cookie;
* an unchanged session is written back at most once per touch interval
  (a quarter of the idle timeout, at most ``TOUCH_EVERY`` seconds), which is
  how the idle expiry slides: a session in use never expires, and an idle one
  ends between 3/4 of the idle timeout and the idle timeout after its last
  request.

Lifetime, checked on every request with the backend's clock: a session ends
when it has been idle longer than the idle timeout (``SESSION_IDLE_MINUTES``,
also the store's expiry) or is older than its absolute lifetime
(``SESSION_ABSOLUTE_HOURS``, counted from sign-in, in use or not). A request
that arrives with an ended session is marked (:func:`session_was_ended`) so
the sign-in page can say why.

Checked against Litestar 2.25; the tests plant a cookie, log in, and count
the store's writes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.types import Empty, Message, ScopeSession
from litestar.utils.scope.state import ScopeState

from matching.errors import DomainError
from matching.i18n import N_

logger = logging.getLogger("web.sessions")

TOUCH_EVERY = 60  # at most this many seconds between write-backs of an unchanged session
TOUCHED_KEY = "_touched"  # when the session was last written (epoch seconds)
CREATED_KEY = "_created"  # when the session id was issued, at sign-in (epoch seconds)
ABSOLUTE_HOURS = 12  # default absolute lifetime (ASVS 7.3.2)

_KNOWN_ID = "_session_id_known"
_LOADED = "_session_loaded"
_ROTATE = "_session_rotate"
_NEW_ID = "_session_new_id"
_STORE_DOWN = "_session_store_down"
_ENDED = "_session_ended"
_NOT_SAVED = "_session_not_saved"


class SessionNotSaved(DomainError):
    """A sign-in whose new session cannot be stored (Redis down): say so, never a
    redirect that leaves the user signed out without a word."""

    status_code = 503

    def __init__(self) -> None:
        super().__init__(
            N_(
                "You could not be signed in: the session store cannot be reached right now. "
                "Your password was right; please try again in a few minutes."
            )
        )


def _signing_in(scope_session: ScopeSession, state: dict[str, Any]) -> bool:
    """A new session id with data to keep: what a sign-in writes."""
    return bool(state.get(_ROTATE)) and scope_session is not Empty and bool(scope_session)


def _refuse_sign_in(connection: ASGIConnection) -> SessionNotSaved:
    """The error to raise from the send wrapper, before any byte is sent.

    Litestar's exception middleware marks the response started as soon as the
    handler's start message passes it; nothing has reached the client yet, so
    the mark is taken back and the 503 answer is sent instead. The answer's own
    start message then passes here without writing anything.
    """
    connection.scope.setdefault("state", {})[_NOT_SAVED] = True
    ScopeState.from_scope(connection.scope).response_started = False
    return SessionNotSaved()


def rotate_session(connection: ASGIConnection) -> None:
    """Ask for a new session id on this response (the old one is dropped)."""
    connection.scope.setdefault("state", {})[_ROTATE] = True


def mark_session_ended(connection: ASGIConnection) -> None:
    """The client's session ended (expired, or its password was set since sign-in)."""
    connection.scope.setdefault("state", {})[_ENDED] = True


async def ensure_session_store(connection: ASGIConnection) -> None:
    """Raise :class:`SessionNotSaved` (503) when the session store cannot be reached.

    A sign-in asks first, inside its handler, so the refusal is an ordinary error
    answer; the send wrapper's refusal (``_refuse_sign_in``) stays for a store that
    fails between this probe and the save.
    """
    store = connection.app.state.session_config.get_store_from_app(connection.app)
    try:
        await store.exists("sign-in-probe")
    except Exception as exc:
        logger.warning("session store unreachable at sign-in: %s", type(exc).__name__)
        raise SessionNotSaved() from exc


def session_was_ended(connection: ASGIConnection) -> bool:
    return bool(connection.scope.get("state", {}).get(_ENDED))


class RotatingSessionBackend(ServerSideSessionBackend):
    async def load_from_connection(self, connection: ASGIConnection) -> dict[str, Any]:
        state = connection.scope.setdefault("state", {})
        state[_KNOWN_ID] = False
        if session_id := connection.cookies.get(self.config.key):
            store = self.config.get_store_from_app(connection.scope["app"])
            try:
                # No renewal on read: ``store_in_message`` slides the expiry.
                data = await store.get(session_id)
            except Exception as exc:  # the store (Redis) is down: serve as signed out
                logger.warning("session store unreachable on load: %s", type(exc).__name__)
                state[_STORE_DOWN] = True
                return {}
            if data is not None:
                session = self.deserialize_data(data)
                if self._expired(session):
                    await self._drop(session_id, store)
                    mark_session_ended(connection)
                    return {}
                state[_KNOWN_ID] = True
                state[_LOADED] = data
                return session
            if session_id != "null":
                mark_session_ended(connection)  # issued once, since expired (or never issued)
        return {}

    def _expired(self, session: dict[str, Any]) -> bool:
        now = self.config.clock()
        touched = session.get(TOUCHED_KEY, now)
        created = session.get(CREATED_KEY, touched)
        return now - touched > self.config.max_age or now - created > self.config.absolute_max_age

    async def _drop(self, session_id: str, store: Any) -> None:
        try:
            await self.delete(session_id, store=store)
        except Exception as exc:  # the store (Redis) is down: it expires on its own
            logger.warning("session store unreachable on delete: %s", type(exc).__name__)

    def get_session_id(self, connection: ASGIConnection) -> str:
        state = connection.scope.setdefault("state", {})
        if new_id := state.get(_NEW_ID):
            return new_id
        cookie_id = connection.cookies.get(self.config.key)
        if cookie_id and cookie_id != "null" and state.get(_KNOWN_ID) and not state.get(_ROTATE):
            return cookie_id
        state[_NEW_ID] = self.generate_session_id()
        return state[_NEW_ID]

    def _needs_write(self, scope_session: ScopeSession, connection: ASGIConnection) -> bool:
        state = connection.scope.setdefault("state", {})
        known, rotating = state.get(_KNOWN_ID), state.get(_ROTATE)
        if scope_session is Empty:
            return bool(known)  # signing out: delete what is stored
        if not scope_session:
            # Nothing to keep. A stored session that was emptied is deleted
            # (as if cleared); an anonymous visitor gets no entry at all.
            return bool(known)
        if rotating or not known:
            return True
        touched = scope_session.get(TOUCHED_KEY, 0)  # type: ignore[union-attr]
        fresh = self.config.clock() - touched < self.config.touch_every
        return not (fresh and self.serialize_data(scope_session) == state.get(_LOADED))

    async def store_in_message(
        self, scope_session: ScopeSession, message: Message, connection: ASGIConnection
    ) -> None:
        state = connection.scope.setdefault("state", {})
        if state.get(_NOT_SAVED):
            return  # the 503 that replaced a sign-in whose session could not be stored
        if state.get(_STORE_DOWN):
            if _signing_in(scope_session, state):
                raise _refuse_sign_in(connection)
            return  # keep the client's cookie; nothing can be written now
        if not self._needs_write(scope_session, connection):
            return
        if scope_session is not Empty and not scope_session:
            scope_session = Empty  # an emptied session is deleted, cookie cleared
        elif scope_session is not Empty:
            now = self.config.clock()
            scope_session[TOUCHED_KEY] = now  # type: ignore[index]
            if state.get(_ROTATE) or not state.get(_KNOWN_ID):
                scope_session[CREATED_KEY] = now  # type: ignore[index]  # a new id: sign-in
            else:
                scope_session.setdefault(CREATED_KEY, now)  # type: ignore[union-attr]
        old_id = connection.cookies.get(self.config.key)
        try:
            if state.get(_ROTATE) and old_id and state.get(_KNOWN_ID):
                store = self.config.get_store_from_app(connection.scope["app"])
                await self.delete(old_id, store=store)
            await super().store_in_message(scope_session, message, connection)
        except Exception as exc:  # the store (Redis) is down: the page still serves
            logger.warning("session store unreachable on save: %s", type(exc).__name__)
            if _signing_in(scope_session, state):
                raise _refuse_sign_in(connection) from exc  # a sign-in says it failed


@dataclass
class SessionConfig(ServerSideSessionConfig):
    """``max_age`` is the idle timeout; ``absolute_max_age`` the lifetime from sign-in."""

    _backend_class = RotatingSessionBackend  # type: ignore[assignment]
    absolute_max_age: int = ABSOLUTE_HOURS * 3600
    clock: Callable[[], float] = time.time

    @property
    def touch_every(self) -> float:
        """Seconds between write-backs of an unchanged session (which slide its expiry)."""
        return min(TOUCH_EVERY, self.max_age / 4)
