"""Changing what an account shows about its person: name and time zone (writes ``User``)."""

from __future__ import annotations

from typing import Any

from matching.accounts.tables import User


async def set_name_and_zone(
    user_id: int, *, full_name: str | None = None, timezone: str | None = None
) -> None:
    """Change the account's name and/or time zone (``None`` keeps the value).
    Call inside the transaction of the change that asks for it."""
    values: dict[Any, Any] = {}
    if full_name is not None:
        values[User.full_name] = full_name
    if timezone is not None:
        values[User.timezone] = timezone
    if values:
        await User.update(values).where(User.id == user_id).run()
