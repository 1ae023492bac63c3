"""Where reminder items come from. Each source is ``async (now) -> list[ReminderItem]``;
the digest (:mod:`matching.reminders.digest`) asks every source in :data:`SOURCES`.

Offers a doctor has left unanswered for three days, licences that expire within 30
days, mentorship sessions tomorrow (in each reader's zone), workshop post-tests not
taken, and missions' readiness items past their due date.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from matching.accounts.tables import User
from matching.availability import zone_or_utc
from matching.doctors.tables import Licence, LicenceState
from matching.facilities.membership import heads_of
from matching.i18n import N_
from matching.labels import english_label, label
from matching.mentorship.tables import MentorshipSession
from matching.missions.checklist import late_items
from matching.pairings.tables import Proposal, ProposalState
from matching.reminders.schemas import ReminderItem
from matching.workshops.tables import WorkshopAttendee, WorkshopScore, WorkshopTest

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


# --------------------------------------------------- the work after the match


async def sessions_tomorrow(now: datetime) -> list[ReminderItem]:
    """A planned mentorship session that falls tomorrow in the reader's own zone: to
    the mentor, and to the mentee's account (or, without one, the facility's heads)."""
    rows = (
        await MentorshipSession.select(
            MentorshipSession.id,
            MentorshipSession.starts_at,
            MentorshipSession.mentorship.pairing.id.as_alias("pairing_id"),
            MentorshipSession.mentorship.pairing.doctor.user.as_alias("doctor_user"),
            MentorshipSession.mentorship.mentee.user.as_alias("mentee_user"),
            MentorshipSession.mentorship.pairing.need.facility.as_alias("facility"),
            MentorshipSession.mentorship.pairing.need.title.as_alias("title"),
        )
        .where(
            MentorshipSession.status == "planned",
            MentorshipSession.starts_at > now,
            MentorshipSession.starts_at < now + timedelta(hours=50),
        )
        .run()
    )
    if not rows:
        return []
    heads: dict[int, list[int]] = {}
    for facility in {row["facility"] for row in rows}:
        heads[facility] = [h.id for h in await heads_of(facility)]
    readers = {
        row["id"]: [row["doctor_user"]]
        + ([row["mentee_user"]] if row["mentee_user"] else heads[row["facility"]])
        for row in rows
    }
    zones = {
        user["id"]: user["timezone"]
        for user in await User.select(User.id, User.timezone)
        .where(User.id.is_in(sorted({u for us in readers.values() for u in us if u})))
        .run()
    }
    items = []
    for row in rows:
        for user_id in readers[row["id"]]:
            if not user_id:
                continue
            zone = zone_or_utc(zones.get(user_id, "UTC"))
            local_start = row["starts_at"].astimezone(zone)
            if local_start.date() != now.astimezone(zone).date() + timedelta(days=1):
                continue
            items.append(
                ReminderItem(
                    user_id=user_id,
                    key=f"session:{row['id']}",
                    message=N_("A mentorship session tomorrow at %(time)s, your time: %(title)s"),
                    params={
                        "time": local_start.strftime("%H:%M"),
                        "title": row["title"],
                    },
                    link=f"/mentorships/{row['pairing_id']}",
                    at=row["starts_at"],
                )
            )
    return items


async def post_tests_not_taken(now: datetime) -> list[ReminderItem]:
    """A workshop's post-test that an attendee with an account has not taken, once the
    workshop's last day has come."""
    tests = (
        await WorkshopTest.select(
            WorkshopTest.workshop,
            WorkshopTest.workshop.days.as_alias("days"),
            WorkshopTest.workshop.pairing.id.as_alias("pairing_id"),
            WorkshopTest.workshop.pairing.need.title.as_alias("title"),
        )
        .where(WorkshopTest.phase == "post")
        .run()
    )
    today = now.date()
    due = {
        row["workshop"]: row
        for row in tests
        if (days := [d for d in (row["days"] or "").split(",") if d])
        and datetime.fromisoformat(days[-1]).date() <= today
    }
    if not due:
        return []
    attendees = (
        await WorkshopAttendee.select(
            WorkshopAttendee.id,
            WorkshopAttendee.workshop,
            WorkshopAttendee.person.user.as_alias("user_id"),
        )
        .where(
            WorkshopAttendee.workshop.is_in(sorted(due)),
            WorkshopAttendee.person.user.is_not_null(),
        )
        .run()
    )
    taken = {
        row["attendee"]
        for row in await WorkshopScore.select(WorkshopScore.attendee)
        .where(WorkshopScore.phase == "post")
        .run()
    }
    return [
        ReminderItem(
            user_id=row["user_id"],
            key=f"post-test:{row['id']}",
            message=N_("The post-test of the workshop %(title)s waits for you"),
            params={"title": due[row["workshop"]]["title"]},
            link=f"/workshops/{due[row['workshop']]['pairing_id']}/tests/post",
        )
        for row in attendees
        if row["id"] not in taken
    ]


async def late_mission_items(now: datetime) -> list[ReminderItem]:
    """A mission's readiness item past its due date, to its owners (the doctor, the
    facility's heads or the coordinators); once per item and due date."""
    return [
        ReminderItem(
            user_id=user_id,
            key=f"mission-item:{item.item_id}:{item.due_on.isoformat()}",
            message=N_("A readiness item of the mission %(title)s was due on %(date)s: %(item)s"),
            params={
                "title": item.need_title,
                "date": item.due_on.isoformat(),
                "item": english_label(item.kind, "mission_item"),
                "item_ar": label(item.kind, "mission_item", "ar"),
            },
            link=f"/missions/{item.pairing_id}",
        )
        for item in await late_items(now.date())
        for user_id in item.user_ids
    ]


SOURCES.extend([sessions_tomorrow, post_tests_not_taken, late_mission_items])
