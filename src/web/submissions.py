"""Exactly-once form posts: a submission sent again gets the first one's answer.

The need form carries a ``submission_id`` that its script (``offline-form.js``)
fills once per need. A need typed without a connection is kept in the browser
and sent when the link is back; a post whose answer was lost on the way is
sent again. Either way the same id comes back: the first answer (where the
new need is) is remembered for a day per account, in the app's
``submissions`` store (Redis when configured), and a repeat is redirected there
instead of creating a second need. Without JavaScript the id stays empty and
the form posts as before.
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Request

FIELD = "submission_id"
STORE = "submissions"
REMEMBER_S = 24 * 3600
_VALID = re.compile(r"[A-Za-z0-9-]{8,64}")


def take_submission_id(data: dict[str, Any]) -> str | None:
    """Remove the id from the form data; ``None`` when absent or malformed."""
    value = data.pop(FIELD, "")
    value = value[-1] if isinstance(value, list) else value
    return value if isinstance(value, str) and _VALID.fullmatch(value) else None


def _key(account_id: int, submission: str) -> str:
    return f"{account_id}:{submission}"


async def earlier_answer(request: Request, account_id: int, submission: str) -> str | None:
    """Where the first post with this id was sent, if it was already handled."""
    stored = await request.app.stores.get(STORE).get(_key(account_id, submission))
    return stored.decode() if stored else None


async def remember_answer(
    request: Request, account_id: int, submission: str, location: str
) -> None:
    await request.app.stores.get(STORE).set(
        _key(account_id, submission), location, expires_in=REMEMBER_S
    )
