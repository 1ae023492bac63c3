"""Cases are deleted a number of months after their mentorship ends.

The mentorship's end: the date it was completed (``mentorship.completed_at``), else
its planned ``ends_on``, else the need's ``ends_on``; for a pairing cancelled before
that, the day it was cancelled. A case whose mentorship has no known end is kept
(and counted, so an operator sees it). A case is deleted on the first run on or
after ``end + CASE_RETENTION_MONTHS`` (``matching.settings``, default 12).

Each case goes on its own: its image files are removed first (nothing clinical is
left behind if the process dies half-way), then its rows, with one audit event
(``case.deleted``: the pairing, the end date and the months kept; no clinical text),
in one transaction. The delete is conditional (``RETURNING``): a second run, or two
workers at once, delete and record each case exactly once.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from matching.audit.services import record_event
from matching.cases.images import remove_image
from matching.cases.tables import CaseDiscussion, CaseImage
from matching.db import write_transaction
from matching.mentorship.tables import Mentorship
from matching.pairings.tables import Proposal, ProposalState


@dataclass(frozen=True, slots=True)
class RetentionReport:
    deleted: int
    kept_without_end: int
    images_removed: int


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months (the 31st becomes the month's last day)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _as_date(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


async def mentorship_ends(pairing_ids: list[int]) -> dict[int, date | None]:
    """Each pairing's mentorship end (see the module), None when unknown."""
    if not pairing_ids:
        return {}
    proposals = (
        await Proposal.select(
            Proposal.id,
            Proposal.state,
            Proposal.decided_at,
            Proposal.need.ends_on.as_alias("need_ends_on"),
        )
        .where(Proposal.id.is_in(pairing_ids))
        .run()
    )
    mentorships = {
        row["pairing"]: row
        for row in await Mentorship.select(
            Mentorship.pairing, Mentorship.ends_on, Mentorship.completed_at
        ).where(Mentorship.pairing.is_in(pairing_ids))
    }
    ends: dict[int, date | None] = {}
    for row in proposals:
        mentorship = mentorships.get(row["id"]) or {}
        planned = (
            _as_date(mentorship.get("completed_at"))
            or _as_date(mentorship.get("ends_on"))
            or _as_date(row["need_ends_on"])
        )
        if row["state"] == ProposalState.CANCELLED.value and row["decided_at"] is not None:
            cancelled = _as_date(row["decided_at"])
            planned = min(planned, cancelled) if planned else cancelled
        ends[row["id"]] = planned
    return ends


async def delete_expired_cases(
    *, uploads_dir: Path, months: int, today: date | None = None
) -> RetentionReport:
    """Delete every case whose mentorship ended ``months`` months ago or more."""
    today = today or datetime.now(UTC).date()
    cases = await CaseDiscussion.select(CaseDiscussion.id, CaseDiscussion.pairing).order_by(
        CaseDiscussion.id
    )
    ends = await mentorship_ends(sorted({row["pairing"] for row in cases}))
    deleted = kept = removed = 0
    for case in cases:
        end = ends.get(case["pairing"])
        if end is None:
            kept += 1
            continue
        if add_months(end, months) > today:
            continue
        images = await CaseImage.select(CaseImage.path).where(CaseImage.case == case["id"])
        for image in images:
            remove_image(uploads_dir, image["path"])
        async with write_transaction():
            await CaseImage.delete().where(CaseImage.case == case["id"]).run()
            gone = (
                await CaseDiscussion.delete()
                .where(CaseDiscussion.id == case["id"])
                .returning(CaseDiscussion.id)
                .run()
            )
            if not gone:  # deleted by another run meanwhile: recorded there
                continue
            await record_event(
                actor_id=None,
                actor_label="system",
                action="case.deleted",
                subject_type="case_discussion",
                subject_id=case["id"],
                before={"pairing": case["pairing"], "images": len(images)},
                after={
                    "reason": "retention",
                    "mentorship_ended_on": end.isoformat(),
                    "retention_months": months,
                },
            )
        deleted += 1
        removed += len(images)
    return RetentionReport(deleted=deleted, kept_without_end=kept, images_removed=removed)
