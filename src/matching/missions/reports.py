"""After a mission: the completion report (the one writer of ``mission_report``) and
each side's feedback.

Moves (one table, :data:`REPORT_MOVES`)::

    (none)    -> submitted   the doctor, on or after the mission's last day
    submitted -> confirmed   a head of the facility; the pairing completes
                             (``pairings.transitions.complete``: the need closes when
                             every place is completed, or reopens for what remains)
    submitted -> disputed    a head of the facility, saying what differs
    disputed  -> submitted   the doctor amends and submits again

Each move is a conditional ``UPDATE ... WHERE state = <the state read>`` (the first
submission an insert the unique index refuses twice), one transaction with its audit
event and notifications. Feedback (``feedback.leave_feedback``) opens once the report
is confirmed.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from matching.accounts.services import Account
from matching.audit.services import record_event
from matching.db import lock_rows, write_transaction
from matching.errors import Conflict, Forbidden, ValidationFailed
from matching.facilities.tables import FacilityHead
from matching.feedback.schemas import FeedbackDraft, FeedbackView
from matching.feedback.services import feedback_of, leave_feedback
from matching.i18n import N_
from matching.mail.tables import Notification
from matching.missions.access import Mission, mission_for
from matching.missions.checklist import DEFAULT_READY_DAYS, is_ready, item_views
from matching.missions.schemas import (
    PATIENT_CATEGORIES,
    MissionView,
    PersonChoice,
    ReportDraft,
    ReportView,
)
from matching.missions.tables import MissionReport, ReportState
from matching.pairings import transitions
from matching.pairings.tables import ProposalState
from matching.people.services import check_people_in_facility, people_by_id, people_of_facility

MAX_DAYS = 366
MAX_COUNT = 1_000_000
TEXT_MAX = 4000


class ReportAction(StrEnum):
    SUBMIT = "submit"
    CONFIRM = "confirm"
    DISPUTE = "dispute"
    AMEND = "amend"


#: The single source of truth: (from, action) -> to (``None``: no report yet).
REPORT_MOVES: dict[tuple[ReportState | None, ReportAction], ReportState] = {
    (None, ReportAction.SUBMIT): ReportState.SUBMITTED,
    (ReportState.SUBMITTED, ReportAction.CONFIRM): ReportState.CONFIRMED,
    (ReportState.SUBMITTED, ReportAction.DISPUTE): ReportState.DISPUTED,
    (ReportState.DISPUTED, ReportAction.AMEND): ReportState.SUBMITTED,
}

_ILLEGAL = {
    ReportAction.SUBMIT: N_(
        "The completion report is already %(state)s: it can be changed only after the "
        "facility says what differs."
    ),
    ReportAction.AMEND: N_(
        "The completion report is already %(state)s: it can be changed only after the "
        "facility says what differs."
    ),
    ReportAction.CONFIRM: N_(
        "The completion report cannot be confirmed: it is %(state)s. Only a submitted "
        "report can be confirmed."
    ),
    ReportAction.DISPUTE: N_(
        "The completion report cannot be disputed: it is %(state)s. Only a submitted "
        "report can be disputed."
    ),
}


def _illegal(action: ReportAction, state: str | None) -> Conflict:
    if state is None:
        return Conflict(N_("No completion report has been submitted yet."))
    return Conflict(_ILLEGAL[action], params={"state": state}, labels={"state": "report_state"})


async def validate_report(mission: Mission, draft: ReportDraft, today: date) -> ReportDraft:
    """The report cleaned, or ``ValidationFailed`` naming every bad field."""
    errors: dict[str, str] = dict(draft.unreadable)
    params: dict[str, dict[str, Any]] = {}
    if today < mission.ends_on:
        errors["report"] = N_(
            "the mission has not ended: a completion report can be filed from %(date)s"
        )
        params["report"] = {"date": mission.ends_on.isoformat()}
    if "days_on_site" not in errors:
        if draft.days_on_site is None:
            errors["days_on_site"] = N_("say how many days you were on site")
        elif not 0 <= draft.days_on_site <= MAX_DAYS:
            errors["days_on_site"] = N_("must be a whole number from 0 to 366")
    patients: dict[str, int] = {}
    for category in PATIENT_CATEGORIES:
        name = f"patients_{category}"
        if name in errors:
            continue
        count = draft.patients.get(category, 0)
        if count < 0:
            errors[name] = N_("cannot be negative")
        elif count > MAX_COUNT:
            errors[name] = N_("must be at most 1,000,000")
        else:
            patients[category] = count
    unknown = set(draft.patients) - set(PATIENT_CATEGORIES)
    if unknown:
        errors["patients"] = N_("choose one of the listed categories")
    procedures, gaps = draft.procedures.strip(), draft.gaps.strip()
    if len(procedures) > TEXT_MAX:
        errors["procedures"] = N_("must be at most 4000 characters")
    if len(gaps) > TEXT_MAX:
        errors["gaps"] = N_("must be at most 4000 characters")
    staff = sorted(set(draft.staff_trained))
    if "staff_trained" not in errors:
        try:
            await check_people_in_facility(mission.facility_id, staff)
        except ValidationFailed:
            errors["staff_trained"] = N_("choose people of this facility")
    if errors:
        raise ValidationFailed(errors, params=params)
    return ReportDraft(
        days_on_site=draft.days_on_site,
        patients=patients,
        procedures=procedures,
        staff_trained=staff,
        gaps=gaps,
    )


async def _report_row(pairing_id: int, *, lock: bool = False) -> dict[str, Any] | None:
    query = MissionReport.select().where(MissionReport.pairing == pairing_id)
    if lock:
        query = lock_rows(query)
    return await query.first().run()


async def submit_report(
    account: Account, proposal_id: int, draft: ReportDraft, *, today: date | None = None
) -> ReportView:
    """The doctor files (or, once disputed, amends) the completion report."""
    today = today or date.today()
    mission, part = await mission_for(account, proposal_id)
    if part != "doctor":
        raise Forbidden(N_("Only the doctor of this mission files its completion report."))
    if mission.state != ProposalState.CONFIRMED.value:
        raise Conflict(
            N_("The mission is %(state)s: its completion report no longer changes."),
            params={"state": mission.state},
            labels={"state": "proposal_state"},
        )
    clean = await validate_report(mission, draft, today)
    values = {
        MissionReport.days_on_site: clean.days_on_site,
        MissionReport.patients: json.dumps(clean.patients),
        MissionReport.procedures: clean.procedures,
        MissionReport.staff_trained: json.dumps(clean.staff_trained),
        MissionReport.gaps: clean.gaps,
        MissionReport.submitted_by: account.id,
        MissionReport.submitted_at: datetime.now(UTC),
    }
    async with write_transaction(MissionReport._meta.db):
        row = await _report_row(mission.pairing_id, lock=True)
        if row is None:
            inserted = (
                await MissionReport.insert(
                    MissionReport(
                        pairing=mission.pairing_id,
                        state=ReportState.SUBMITTED.value,
                        **{column._meta.name: value for column, value in values.items()},
                    )
                )
                .on_conflict(action="DO NOTHING")
                .returning(MissionReport.id)
                .run()
            )
            if not inserted:
                raise _illegal(ReportAction.SUBMIT, ReportState.SUBMITTED.value)
            before = None
        else:
            before = row["state"]
            await _move(mission.pairing_id, before, ReportAction.AMEND, values)
        await record_event(
            actor_id=account.id,
            actor_label=account.email,
            action="mission_report.submitted",
            subject_type="proposal",
            subject_id=mission.pairing_id,
            before={"state": before} if before else {},
            after={
                "state": ReportState.SUBMITTED.value,
                "days_on_site": clean.days_on_site,
                "patients": clean.patients,
                "staff_trained": clean.staff_trained,
            },
        )
        await _tell_heads(
            mission,
            N_("%(doctor)s filed the completion report of %(title)s: please confirm it."),
        )
    return await report_view(mission)  # type: ignore[return-value]


async def _move(
    pairing_id: int, before: str | None, action: ReportAction, values: dict[Any, Any]
) -> ReportState:
    target = REPORT_MOVES.get((ReportState(before) if before else None, action))
    if target is None:
        raise _illegal(action, before)
    updated = (
        await MissionReport.update({**values, MissionReport.state: target.value})
        .where(MissionReport.pairing == pairing_id, MissionReport.state == before)
        .returning(MissionReport.id)
        .run()
    )
    if not updated:
        now = await _report_row(pairing_id)
        raise _illegal(action, now["state"] if now else None)
    return target


async def _require_head(account: Account, proposal_id: int) -> Mission:
    mission, part = await mission_for(account, proposal_id)
    if part != "head":
        raise Forbidden(N_("Only a head of the facility confirms or disputes the report."))
    return mission


async def confirm_report(account: Account, proposal_id: int) -> ReportView:
    """A head confirms the report: submitted -> confirmed, and the pairing completes."""
    mission = await _require_head(account, proposal_id)
    async with write_transaction(MissionReport._meta.db):
        row = await _report_row(mission.pairing_id, lock=True)
        await _move(
            mission.pairing_id,
            row["state"] if row else None,
            ReportAction.CONFIRM,
            {MissionReport.decided_by: account.id, MissionReport.decided_at: datetime.now(UTC)},
        )
        await transitions.complete(mission.pairing_id, account)
        await record_event(
            actor_id=account.id,
            actor_label=account.email,
            action="mission_report.confirmed",
            subject_type="proposal",
            subject_id=mission.pairing_id,
            before={"state": ReportState.SUBMITTED.value},
            after={"state": ReportState.CONFIRMED.value},
        )
        await _tell_doctor(
            mission,
            N_(
                "The facility confirmed your completion report of %(title)s: the mission "
                "is completed. Please leave your feedback."
            ),
        )
    return await report_view(mission)  # type: ignore[return-value]


async def dispute_report(account: Account, proposal_id: int, note: str) -> ReportView:
    """A head says what differs: submitted -> disputed; the doctor may amend."""
    mission = await _require_head(account, proposal_id)
    text = note.strip()
    if not text:
        raise ValidationFailed({"head_note": N_("say what differs in the report")})
    if len(text) > TEXT_MAX:
        raise ValidationFailed({"head_note": N_("must be at most 4000 characters")})
    async with write_transaction(MissionReport._meta.db):
        row = await _report_row(mission.pairing_id, lock=True)
        await _move(
            mission.pairing_id,
            row["state"] if row else None,
            ReportAction.DISPUTE,
            {
                MissionReport.head_note: text,
                MissionReport.decided_by: account.id,
                MissionReport.decided_at: datetime.now(UTC),
            },
        )
        await record_event(
            actor_id=account.id,
            actor_label=account.email,
            action="mission_report.disputed",
            subject_type="proposal",
            subject_id=mission.pairing_id,
            before={"state": ReportState.SUBMITTED.value},
            after={"state": ReportState.DISPUTED.value, "note": text},
        )
        await _tell_doctor(
            mission,
            N_(
                "The facility says your completion report of %(title)s differs: please "
                "read its note, amend and submit again."
            ),
        )
    return await report_view(mission)  # type: ignore[return-value]


async def _notify(user_id: int, message: str, mission: Mission) -> None:
    await Notification.insert(
        Notification(
            user=user_id,
            message=message,
            params=json.dumps({"title": mission.need_title, "doctor": mission.doctor_name}),
            link=f"/missions/{mission.pairing_id}",
        )
    ).run()


async def _tell_doctor(mission: Mission, message: str) -> None:
    if mission.doctor_user is not None:
        await _notify(int(mission.doctor_user), message, mission)


async def _tell_heads(mission: Mission, message: str) -> None:
    for head in (
        await FacilityHead.select(FacilityHead.user)
        .where(FacilityHead.facility == mission.facility_id, FacilityHead.user.is_active.eq(True))
        .order_by(FacilityHead.user)
        .run()
    ):
        await _notify(int(head["user"]), message, mission)


async def report_view(mission: Mission) -> ReportView | None:
    row = await _report_row(mission.pairing_id)
    if row is None:
        return None
    staff = [int(i) for i in json.loads(row["staff_trained"] or "[]")]
    people = await people_by_id(staff)
    return ReportView(
        state=row["state"],
        days_on_site=int(row["days_on_site"]),
        patients={k: int(v) for k, v in json.loads(row["patients"] or "{}").items()},
        procedures=row["procedures"],
        staff_trained=staff,
        staff=[
            PersonChoice(id=i, name_en=people[i].name_en, name_ar=people[i].name_ar)
            for i in staff
            if i in people
        ],
        gaps=row["gaps"],
        head_note=row["head_note"],
    )


# --- feedback --------------------------------------------------------------------


async def leave_mission_feedback(
    account: Account, proposal_id: int, draft: FeedbackDraft
) -> FeedbackView:
    """Each side's rating, once the report is confirmed (the mission completed)."""
    mission, part = await mission_for(account, proposal_id)
    if part == "coordinator":
        raise Forbidden(
            N_("Only the doctor and the facility of this pairing leave feedback on it.")
        )
    if mission.state != ProposalState.COMPLETED.value:
        raise Conflict(N_("Feedback opens once the facility has confirmed the completion report."))
    return await leave_feedback(account, mission.pairing_id, draft)


# --- the page --------------------------------------------------------------------


async def mission_view(
    account: Account,
    proposal_id: int,
    *,
    today: date | None = None,
    due_days: int = DEFAULT_READY_DAYS,
) -> MissionView:
    """Everything the mission's page shows, as ``account`` may see it."""
    today = today or date.today()
    mission, part = await mission_for(account, proposal_id)
    items = await item_views(mission, part, today, due_days)
    report = await report_view(mission)
    people = []
    if part == "doctor":
        people = [
            PersonChoice(id=p.id, name_en=p.name_en, name_ar=p.name_ar)
            for p in await people_of_facility(mission.facility_id)
        ]
    feedback = {side: view.rating for side, view in (await feedback_of(proposal_id)).items()}
    side = {"doctor": "doctor", "head": "facility"}.get(part)
    return MissionView(
        pairing_id=mission.pairing_id,
        pairing_state=mission.state,
        need_title=mission.need_title,
        facility_en=mission.facility_en,
        facility_ar=mission.facility_ar,
        doctor_name=mission.doctor_name,
        starts_on=mission.starts_on,
        ends_on=mission.ends_on,
        viewer=part,
        items=items,
        ready=is_ready(items),
        ended=today >= mission.ends_on,
        report=report,
        people=people,
        feedback=feedback,
        can_leave_feedback=(
            side is not None
            and mission.state == ProposalState.COMPLETED.value
            and side not in feedback
        ),
    )
