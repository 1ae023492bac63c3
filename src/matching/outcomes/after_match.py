"""Outcome facts of the work after the match: mentorship sessions, missions' confirmed
completion reports, workshops, case discussions and service areas restored.

Read-only: each table here is written by its own domain (``mentorship``, ``missions``,
``workshops``, ``cases``, ``services``); this module only counts what they recorded.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date

from matching.cases.tables import CaseDiscussion, CaseStatus
from matching.mentorship.tables import MentorshipSession
from matching.missions.tables import MissionReport
from matching.outcomes.schemas import Fact, OutcomeFilters
from matching.services.areas import AREAS_BY_CODE, ServiceStatus
from matching.services.tables import FacilityService
from matching.workshops.tables import (
    Workshop,
    WorkshopAttendance,
    WorkshopAttendee,
    WorkshopScore,
)


async def mentorship_facts(filters: OutcomeFilters) -> list[Fact]:
    """Mentorship sessions held (with their hours) and missed, on the session's day."""
    rows = (
        await MentorshipSession.select(
            MentorshipSession.status,
            MentorshipSession.minutes,
            MentorshipSession.starts_at,
            MentorshipSession.mentorship.pairing.need.facility.as_alias("facility"),
            MentorshipSession.mentorship.pairing.need.specialty.as_alias("specialty"),
        )
        .where(MentorshipSession.status.is_in(["held", "missed"]))
        .run()
    )
    facts: list[Fact] = []
    for row in rows:
        common = {
            "facility_id": row["facility"],
            "on": row["starts_at"].date(),
            "specialty": row["specialty"],
        }
        if row["status"] == "held":
            facts.append(Fact(metric="sessions_held", **common))
            facts.append(
                Fact(metric="mentorship_hours", value=(row["minutes"] or 0) / 60, **common)
            )
        else:
            facts.append(Fact(metric="sessions_missed", **common))
    return facts


async def mission_facts(filters: OutcomeFilters) -> list[Fact]:
    """Days on site, patients seen and local staff trained, from the completion reports
    the facility's head confirmed, on the mission's first day."""
    rows = (
        await MissionReport.select(
            MissionReport.days_on_site,
            MissionReport.patients,
            MissionReport.staff_trained,
            MissionReport.pairing.need.facility.as_alias("facility"),
            MissionReport.pairing.need.specialty.as_alias("specialty"),
            MissionReport.pairing.need.starts_on.as_alias("starts_on"),
            MissionReport.submitted_at,
        )
        .where(MissionReport.state == "confirmed")
        .run()
    )
    facts: list[Fact] = []
    for row in rows:
        common = {
            "facility_id": row["facility"],
            "on": row["starts_on"] or row["submitted_at"].date(),
            "specialty": row["specialty"],
        }
        facts.append(Fact(metric="mission_days", value=float(row["days_on_site"]), **common))
        patients = json.loads(row["patients"] or "{}")
        facts.append(Fact(metric="patients_seen", value=float(sum(patients.values())), **common))
        for person in json.loads(row["staff_trained"] or "[]"):
            facts.append(Fact(metric="staff_trained", subject=f"person:{person}", **common))
    return facts


async def workshop_facts(filters: OutcomeFilters) -> list[Fact]:
    """Workshops held (at least one attendee present), people trained (present at least
    once) and each attendee's change from pre- to post-test, on the first day."""
    workshops = {
        row["id"]: row
        for row in await Workshop.select(
            Workshop.id,
            Workshop.days,
            Workshop.pairing.need.facility.as_alias("facility"),
            Workshop.pairing.need.specialty.as_alias("specialty"),
            Workshop.created_at,
        ).run()
    }
    attendees = {
        row["id"]: row
        for row in await WorkshopAttendee.select(
            WorkshopAttendee.id, WorkshopAttendee.workshop, WorkshopAttendee.person
        ).run()
    }
    present = {
        row["attendee"]
        for row in await WorkshopAttendance.select(WorkshopAttendance.attendee)
        .where(WorkshopAttendance.present.eq(True))
        .run()
    }
    scores: dict[int, dict[str, int]] = defaultdict(dict)
    for row in await WorkshopScore.select(
        WorkshopScore.attendee, WorkshopScore.phase, WorkshopScore.score
    ).run():
        scores[row["attendee"]][row["phase"]] = row["score"]

    def first_day(workshop: dict) -> date:
        days = [d for d in (workshop["days"] or "").split(",") if d]
        return date.fromisoformat(days[0]) if days else workshop["created_at"].date()

    facts: list[Fact] = []
    held: set[int] = set()
    for attendee_id, attendee in attendees.items():
        workshop = workshops.get(attendee["workshop"])
        if workshop is None:
            continue
        common = {
            "facility_id": workshop["facility"],
            "on": first_day(workshop),
            "specialty": workshop["specialty"],
        }
        if attendee_id in present:
            held.add(workshop["id"])
            facts.append(
                Fact(metric="people_trained", subject=f"person:{attendee['person']}", **common)
            )
        both = scores.get(attendee_id, {})
        if "pre" in both and "post" in both:
            facts.append(
                Fact(metric="score_change", value=float(both["post"] - both["pre"]), **common)
            )
    for workshop_id in held:
        workshop = workshops[workshop_id]
        facts.append(
            Fact(
                metric="workshops_held",
                facility_id=workshop["facility"],
                on=first_day(workshop),
                specialty=workshop["specialty"],
            )
        )
    return facts


async def case_facts(filters: OutcomeFilters) -> list[Fact]:
    """Cases discussed: each case the mentor answered, on the day it was submitted."""
    rows = (
        await CaseDiscussion.select(
            CaseDiscussion.created_at,
            CaseDiscussion.pairing.need.facility.as_alias("facility"),
            CaseDiscussion.pairing.need.specialty.as_alias("specialty"),
        )
        .where(CaseDiscussion.answered_at.is_not_null())
        .where(CaseDiscussion.status.is_in([CaseStatus.ANSWERED, CaseStatus.CLOSED]))
        .run()
    )
    return [
        Fact(
            metric="cases_discussed",
            facility_id=row["facility"],
            on=row["created_at"].date(),
            specialty=row["specialty"],
        )
        for row in rows
    ]


async def service_facts(filters: OutcomeFilters) -> list[Fact]:
    """Service areas restored: an area that becomes available after being partly or not
    available, on the day it was recorded (counted in the area's main specialty)."""
    rows = (
        await FacilityService.select(
            FacilityService.facility,
            FacilityService.area,
            FacilityService.status,
            FacilityService.recorded_at,
        )
        .order_by(FacilityService.id)
        .run()
    )
    last: dict[tuple[int, str], str] = {}
    facts: list[Fact] = []
    for row in rows:
        key = (row["facility"], row["area"])
        before = last.get(key)
        if (
            row["status"] == ServiceStatus.AVAILABLE
            and before is not None
            and before != ServiceStatus.AVAILABLE
        ):
            area = AREAS_BY_CODE.get(row["area"])
            facts.append(
                Fact(
                    metric="services_restored",
                    facility_id=row["facility"],
                    on=row["recorded_at"].date(),
                    specialty=area.specialty if area else "",
                )
            )
        last[key] = row["status"]
    return facts
