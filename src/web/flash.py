"""What just happened, said once on the next page: "Licence added: a coordinator
will check it."

An action that redirects (post, redirect, get) puts a :class:`~matching.i18n.Message`
in the session with :func:`flash`; ``base.html`` shows and removes the waiting
ones through the ``flashes()`` global, in the reader's language (the message's
msgid and parameters are kept, never the English text), so switching language
between the action and the page still reads right. A ``facility_ar`` parameter
replaces ``facility`` for an Arabic reader.
"""

from __future__ import annotations

from typing import Any

from jinja2 import pass_context
from litestar.connection import ASGIConnection
from markupsafe import Markup

from matching.i18n import Message
from web.context import current_language

FLASH_KEY = "_flash"
MAX_WAITING = 5  # a user who never opens a page again does not grow the session
LEVELS = ("success", "info", "warning")


def _session(connection: ASGIConnection) -> dict[str, Any] | None:
    session = connection.scope.get("session")
    return session if isinstance(session, dict) else None


def flash(connection: ASGIConnection, message: Message, *, level: str = "success") -> None:
    """Keep ``message`` for the next page this user opens."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, got {level!r}")
    session = _session(connection)
    params = {k: v if isinstance(v, int | float) else str(v) for k, v in message.params.items()}
    item = {"msgid": message.msgid, "params": params, "level": level}
    if session is None:
        connection.set_session({FLASH_KEY: [item]})
        return
    waiting = list(session.get(FLASH_KEY) or [])[-(MAX_WAITING - 1) :]
    session[FLASH_KEY] = [*waiting, item]


def take(connection: ASGIConnection) -> list[dict[str, Any]]:
    """The waiting messages, removed from the session."""
    session = _session(connection)
    if not session or FLASH_KEY not in session:
        return []
    return list(session.pop(FLASH_KEY) or [])


def render(item: dict[str, Any]) -> Markup:
    """One waiting message in the reader's language, its names isolated in ``<bdi>``."""
    from web.templating import tr  # templating imports this module for its globals

    params = dict(item.get("params") or {})
    if current_language.get() == "ar" and params.get("facility_ar"):
        params["facility"] = params["facility_ar"]
    return Markup(tr(Message(str(item.get("msgid", "")), **params)))


@pass_context
def flashes(context: Any) -> list[tuple[str, Markup]]:
    """(level, text) of each waiting message, for ``base.html``; each is shown once."""
    request = context.get("request")
    if request is None:
        return []
    return [(str(item.get("level", "success")), render(item)) for item in take(request)]
