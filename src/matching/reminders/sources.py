"""Where reminder items come from. Each source is ``async (now) -> list[ReminderItem]``;
the digest (:mod:`matching.reminders.digest`) asks every source in :data:`SOURCES`.

Built in here: offers a doctor has left unanswered for three days, and licences that
expire within 30 days. The after-match domains (sessions tomorrow, post-tests not
taken, late readiness items) add theirs to :data:`SOURCES`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from matching.doctors.tables import Licence, LicenceState
from matching.i18n import N_
from matching.pairings.tables import Proposal, ProposalState
from matching.reminders.schemas import ReminderItem

Source = Callable[[datetime], Awaitable[list[ReminderItem]]]

OFFER_NUDGE_AFTER = timedelta(days=3)
LICENCE_WARNING_DAYS = 30


async def offers_unanswered(now: datetime) -> list[ReminderItem]:
    """Approved offers the doctor has not accepted or declined for three days."""
    rows = (
        await Proposal.select(
            Proposal.id,
            Proposal.decided_at,
            Proposal.need.title.as_alias("title"),
            Proposal.doctor.user.as_alias("user_id"),
        )
        .where(
            Proposal.state == ProposalState.APPROVED,
            Proposal.decided_at <= now - OFFER_NUDGE_AFTER,
            Proposal.doctor.user.is_not_null(),
        )
        .run()
    )
    return [
        ReminderItem(
            user_id=row["user_id"],
            key=f"offer:{row['id']}",
            message=N_("An offer waits for your answer since %(days)s days: %(title)s"),
            params={"days": (now - row["decided_at"]).days, "title": row["title"]},
            link=f"/pairings/{row['id']}",
            at=row["decided_at"],
        )
        for row in rows
    ]


async def licences_expiring(now: datetime) -> list[ReminderItem]:
    """Licences (not rejected) that expire within 30 days and have not expired yet."""
    today = now.date()
    rows = (
        await Licence.select(
            Licence.id,
            Licence.expires_on,
            Licence.authority,
            Licence.doctor.user.as_alias("user_id"),
        )
        .where(
            Licence.expires_on >= today,
            Licence.expires_on <= today + timedelta(days=LICENCE_WARNING_DAYS),
            Licence.state != LicenceState.REJECTED,
        )
        .run()
    )
    return [
        ReminderItem(
            user_id=row["user_id"],
            # Warned once per expiry date: a renewed licence is warned again.
            key=f"licence:{row['id']}:{row['expires_on'].isoformat()}",
            message=N_("Your licence from %(authority)s expires on %(date)s: upload the new one"),
            params={"authority": row["authority"], "date": row["expires_on"].isoformat()},
            link="/doctors/me/licences",
        )
        for row in rows
    ]


SOURCES: list[Source] = [offers_unanswered, licences_expiring]
