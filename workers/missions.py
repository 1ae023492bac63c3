"""Missions' job: late readiness items reminded to their owners (an arq cron job)."""

from __future__ import annotations

from datetime import date
from typing import Any


async def remind_late_mission_items(ctx: dict[str, Any]) -> dict[str, int]:
    """One notification per late checklist item's owner, once a day at most per item
    (``matching.missions.checklist.remind_late``: a second run the same day, or two
    workers at once, write nothing more)."""
    from matching.missions.checklist import remind_late

    settings = ctx.get("settings")
    if settings is None:
        from matching.settings import load_settings

        settings = ctx["settings"] = load_settings()
    written = await remind_late(date.today(), settings.mission_ready_days)
    return {"notifications": written}
