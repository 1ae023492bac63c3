"""A reminder item, as every source produces it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from msgspec import Struct


class ReminderItem(Struct, kw_only=True, frozen=True):
    """One thing a person should be reminded of.

    ``key`` names the item for good (``"offer:12"``, ``"session:40"``): an item is sent
    once, in the first digest after it became due. ``message`` is a catalog msgid with
    ``params``, shown in the reader's language, in the mail and in the app.
    """

    user_id: int
    key: str
    message: str
    params: dict[str, Any] = {}
    link: str = ""
    #: Orders the items of one digest (soonest first).
    at: datetime | None = None


class DigestReport(Struct, kw_only=True):
    digests: int = 0
    items: int = 0
    #: People whose digest for their local day was already sent (by this or another worker).
    already_sent: int = 0
    #: People with nothing new today.
    nothing_new: int = 0
