"""In-app notifications: one line for one person, with a link (writes ``Notification``)."""

from __future__ import annotations

import json
from typing import Any

from matching.mail.tables import Notification


async def notify(user_id: int, message: str, params: dict[str, Any], link: str) -> None:
    """Queue a notice for ``user_id``: ``message`` is a msgid with ``params``, shown in
    the reader's language. Call inside the transaction that makes the change."""
    await Notification.insert(
        Notification(user=user_id, message=message, params=json.dumps(params), link=link)
    ).run()
