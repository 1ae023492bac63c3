"""The one writer of ``case_discussion`` and ``case_image``.

Who may do what (every access through :func:`matching.mentorship.parties.check_parties`;
anyone who is not a party gets 404 and learns nothing):

* submit: the mentee's own account, or a head of the facility acting for the mentee
  (the case records who submitted it and for whom), while the mentorship is active;
* answer (the mentor's recommendations): the mentorship's doctor;
* close: any party but coordinators' reading is all they do here;
* read: the parties (mentor, heads, mentee) and coordinators.

A case's status moves by :data:`CASE_TRANSITIONS` only, each move one conditional
``UPDATE ... WHERE status = <the status read>`` whose row count is checked (409 to
the loser), with its audit event, notification rows and mails in the same
transaction. No clinical text goes into the audit trail.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from matching.accounts.services import Account
from matching.accounts.tables import User
from matching.audit.services import record_event
from matching.cases.deidentify import MESSAGES, check_texts
from matching.cases.images import ImageRejected, clean_image, remove_image, store_image
from matching.cases.schemas import (
    CaseDraft,
    CaseImageView,
    CaseSummary,
    CaseView,
)
from matching.cases.tables import AgeBand, CaseDiscussion, CaseImage, CaseStatus, Sex
from matching.db import write_transaction
from matching.errors import Conflict, Forbidden, NotFound, ValidationFailed
from matching.facilities.tables import FacilityHead
from matching.i18n import N_
from matching.mail.outbox import queue_template
from matching.mail.tables import Notification
from matching.mentorship.parties import MentorshipParties, Viewer, check_parties

TEXT_FIELDS = ("presenting_problem", "history", "findings", "question")
REQUIRED_TEXT = ("presenting_problem", "question")
TEXT_MAX = 4000
RECOMMENDATIONS_MAX = 8000
MAX_IMAGES = 4

#: The statement the submitter ticks; stored with the case as they saw it.
CONSENT_STATEMENT = N_(
    "The patient (or their guardian) agreed that this case is discussed with the mentor "
    "for their care and for teaching, and I have removed the name, phone numbers, "
    "addresses, file numbers and dates that could identify them."
)


class Action(StrEnum):
    ANSWER = "answer"
    CLOSE = "close"


CASE_TRANSITIONS: dict[tuple[CaseStatus, Action], CaseStatus] = {
    (CaseStatus.SUBMITTED, Action.ANSWER): CaseStatus.ANSWERED,
    (CaseStatus.SUBMITTED, Action.CLOSE): CaseStatus.CLOSED,
    (CaseStatus.ANSWERED, Action.CLOSE): CaseStatus.CLOSED,
}

_ILLEGAL = {
    Action.ANSWER: N_(
        "Case #%(id)s cannot be answered: it is %(status)s. "
        "Only a case waiting for the mentor can be answered."
    ),
    Action.CLOSE: N_("Case #%(id)s cannot be closed: it is already %(status)s."),
}


def allowed_actions(status: str, viewer: Viewer) -> list[str]:
    """What this viewer may do to a case in ``status``."""
    actions = []
    for (source, action), _target in CASE_TRANSITIONS.items():
        if source.value != status:
            continue
        if action == Action.ANSWER and viewer.is_doctor:
            actions.append(action.value)
        if action == Action.CLOSE and (viewer.is_doctor or viewer.is_head or viewer.is_mentee):
            actions.append(action.value)
    return actions


# ------------------------------------------------------------------ validation


def validate_case(draft: CaseDraft) -> dict[str, str]:
    """Every field's problem (``ValidationFailed``), or the tidied texts."""
    errors: dict[str, str] = dict(draft.unreadable)
    params: dict[str, dict[str, Any]] = {}
    if draft.age_band not in AgeBand.__members__.values():
        errors["age_band"] = N_("choose an age band from the list")
    if draft.sex not in Sex.__members__.values():
        errors["sex"] = N_("choose one of the listed options")
    texts = {name: getattr(draft, name).strip() for name in TEXT_FIELDS}
    for name, value in texts.items():
        if name in errors:
            continue
        if name in REQUIRED_TEXT and not value:
            errors[name] = N_("is required")
        elif len(value) > TEXT_MAX:
            errors[name] = N_("must be at most %(max)s characters")
            params[name] = {"max": TEXT_MAX}
    for name, kind in check_texts({k: v for k, v in texts.items() if k not in errors}).items():
        errors[name] = MESSAGES[kind]
    if not draft.consent:
        errors["consent"] = N_("tick the consent statement: a case is shared only with it")
    if len(draft.images) > MAX_IMAGES:
        errors["images"] = N_("at most %(max)s images")
        params["images"] = {"max": MAX_IMAGES}
    if errors:
        raise ValidationFailed(errors, params=params)
    return texts


def _check_recommendations(text: str) -> str:
    clean = text.strip()
    if not clean:
        raise ValidationFailed({"recommendations": N_("write your recommendations")})
    if len(clean) > RECOMMENDATIONS_MAX:
        raise ValidationFailed(
            {"recommendations": N_("must be at most %(max)s characters")},
            params={"recommendations": {"max": RECOMMENDATIONS_MAX}},
        )
    found = check_texts({"recommendations": clean})
    if found:
        raise ValidationFailed({"recommendations": MESSAGES[found["recommendations"]]})
    return clean


# ---------------------------------------------------------------------- reading


def _image_view(row: dict[str, Any]) -> CaseImageView:
    return CaseImageView(
        id=row["id"],
        case_id=row["case"],
        mime=row["mime"],
        width=row["width"],
        height=row["height"],
    )


async def _row(case_id: int) -> dict[str, Any]:
    row = (
        await CaseDiscussion.select(
            CaseDiscussion.all_columns(),
            CaseDiscussion.submitted_by.full_name.as_alias("submitted_by_name"),
            CaseDiscussion.answered_by.full_name.as_alias("answered_by_name"),
        )
        .where(CaseDiscussion.id == case_id)
        .first()
        .run()
    )
    if row is None:
        raise NotFound(N_("No such case"))
    return row


def _view(row: dict[str, Any], images: list[dict[str, Any]]) -> CaseView:
    return CaseView(
        id=row["id"],
        pairing_id=row["pairing"],
        submitted_by_id=row["submitted_by"],
        submitted_by_name=row["submitted_by_name"] or "",
        entered_for_id=row["entered_for"],
        age_band=row["age_band"],
        sex=row["sex"],
        presenting_problem=row["presenting_problem"],
        history=row["history"],
        findings=row["findings"],
        question=row["question"],
        consent_text=row["consent_text"],
        status=row["status"],
        recommendations=row["recommendations"],
        answered_at=row["answered_at"],
        answered_by_name=row["answered_by_name"] or "",
        closed_at=row["closed_at"],
        created_at=row["created_at"],
        images=[_image_view(image) for image in images],
    )


async def _images(case_id: int) -> list[dict[str, Any]]:
    return await CaseImage.select().where(CaseImage.case == case_id).order_by(CaseImage.id).run()


async def get_case(account: Account, case_id: int) -> tuple[CaseView, MentorshipParties, Viewer]:
    """A case, its mentorship's parties and what the account is to it (404 otherwise)."""
    row = (
        await CaseDiscussion.select(CaseDiscussion.pairing)
        .where(CaseDiscussion.id == case_id)
        .first()
        .run()
    )
    if row is None:
        raise NotFound(N_("No such case"))
    try:
        parties, viewer = await check_parties(account, row["pairing"])
    except NotFound:
        raise NotFound(N_("No such case")) from None
    full = await _row(case_id)
    return _view(full, await _images(case_id)), parties, viewer


async def list_cases(
    account: Account, pairing_id: int
) -> tuple[list[CaseSummary], MentorshipParties, Viewer]:
    """A mentorship's cases, newest first, for its parties and coordinators."""
    parties, viewer = await check_parties(account, pairing_id)
    rows = (
        await CaseDiscussion.select(
            CaseDiscussion.id,
            CaseDiscussion.age_band,
            CaseDiscussion.sex,
            CaseDiscussion.question,
            CaseDiscussion.status,
            CaseDiscussion.created_at,
        )
        .where(CaseDiscussion.pairing == pairing_id)
        .order_by(CaseDiscussion.id, ascending=False)
        .run()
    )
    counts: dict[int, int] = {}
    if rows:
        for image in await CaseImage.select(CaseImage.case).where(
            CaseImage.case.is_in([row["id"] for row in rows])
        ):
            counts[image["case"]] = counts.get(image["case"], 0) + 1
    summaries = [
        CaseSummary(
            id=row["id"],
            age_band=row["age_band"],
            sex=row["sex"],
            question=row["question"],
            status=row["status"],
            created_at=row["created_at"],
            images=counts.get(row["id"], 0),
        )
        for row in rows
    ]
    return summaries, parties, viewer


async def case_image(
    account: Account, case_id: int, image_id: int, uploads_dir: Path
) -> tuple[Path, str]:
    """The stored file of one of a case's images, for the parties only (404 otherwise)."""
    from matching.cases.images import image_file

    await get_case(account, case_id)
    row = (
        await CaseImage.select()
        .where(CaseImage.id == image_id, CaseImage.case == case_id)
        .first()
        .run()
    )
    path = image_file(uploads_dir, row["path"]) if row else None
    if row is None or path is None:
        raise NotFound(N_("No such image"))
    return path, row["mime"]


# ---------------------------------------------------------------------- writing


def may_submit(parties: MentorshipParties, viewer: Viewer) -> bool:
    return (viewer.is_mentee or viewer.is_head) and parties.status == "active"


async def submit_case(
    account: Account,
    pairing_id: int,
    draft: CaseDraft,
    *,
    uploads_dir: Path,
    base_url: str = "",
    consent_text: str = CONSENT_STATEMENT,
) -> CaseView:
    """Record a de-identified case for the mentor; tell the mentor (mail, notification).

    ``consent_text``: the statement as the submitter saw it (in their language).
    Nothing is stored (no row, no file) when anything is refused.
    """
    parties, viewer = await check_parties(account, pairing_id)
    if not (viewer.is_mentee or viewer.is_head):
        raise Forbidden(N_("Only the mentee or a head of the facility submits cases."))
    if parties.status != "active":
        raise Conflict(N_("This mentorship has ended: no new cases can be submitted."))
    texts = validate_case(draft)
    cleaned = []
    for upload in draft.images:
        try:
            cleaned.append(clean_image(upload.content))
        except ImageRejected as exc:
            raise ValidationFailed({"images": str(exc)}) from None
    stored: list[str] = []
    try:
        for image in cleaned:
            stored.append(store_image(uploads_dir, image))
        async with write_transaction():
            rows = (
                await CaseDiscussion.insert(
                    CaseDiscussion(
                        pairing=pairing_id,
                        submitted_by=account.id,
                        entered_for=parties.mentee_person_id,
                        age_band=draft.age_band,
                        sex=draft.sex,
                        consent_text=consent_text,
                        status=CaseStatus.SUBMITTED.value,
                        **texts,
                    )
                )
                .returning(CaseDiscussion.id)
                .run()
            )
            case_id = int(rows[0]["id"])
            for image, path in zip(cleaned, stored, strict=True):
                await CaseImage.insert(
                    CaseImage(
                        case=case_id,
                        path=path,
                        mime=image.mime,
                        width=image.width,
                        height=image.height,
                    )
                ).run()
            await record_event(
                actor_id=account.id,
                actor_label=account.email,
                action="case.submitted",
                subject_type="case_discussion",
                subject_id=case_id,
                after={
                    "pairing": pairing_id,
                    "status": CaseStatus.SUBMITTED.value,
                    "images": len(stored),
                    "for_mentee": parties.mentee_person_id,
                    "by_head": viewer.is_head and not viewer.is_mentee,
                },
            )
            await _notify_mentor(parties, case_id, base_url)
    except BaseException:
        for path in stored:
            remove_image(uploads_dir, path)
        raise
    view, _, _ = await get_case(account, case_id)
    return view


async def _move(
    account: Account, case_id: int, action: Action, values: dict[Any, Any]
) -> tuple[str, str]:
    """One transition from the status read; call inside a write transaction."""
    row = (
        await CaseDiscussion.select(CaseDiscussion.status)
        .where(CaseDiscussion.id == case_id)
        .first()
        .run()
    )
    before = row["status"]
    target = CASE_TRANSITIONS.get((CaseStatus(before), action))
    if target is None:
        raise Conflict(
            _ILLEGAL[action],
            params={"id": case_id, "status": before},
            labels={"status": "case_status"},
        )
    updated = (
        await CaseDiscussion.update({CaseDiscussion.status: target.value, **values})
        .where(CaseDiscussion.id == case_id, CaseDiscussion.status == before)
        .returning(CaseDiscussion.id)
        .run()
    )
    if not updated:
        current = (
            await CaseDiscussion.select(CaseDiscussion.status)
            .where(CaseDiscussion.id == case_id)
            .first()
            .run()
        )["status"]
        raise Conflict(
            _ILLEGAL[action],
            params={"id": case_id, "status": current},
            labels={"status": "case_status"},
        )
    await record_event(
        actor_id=account.id,
        actor_label=account.email,
        action=f"case.{target.value}",
        subject_type="case_discussion",
        subject_id=case_id,
        before={"status": before},
        after={"status": target.value},
    )
    return before, target.value


async def answer_case(
    account: Account, case_id: int, recommendations: str, *, base_url: str = ""
) -> CaseView:
    """The mentor's recommendations: submitted -> answered; the submitter's side is told."""
    view, parties, viewer = await get_case(account, case_id)
    if not viewer.is_doctor:
        raise Forbidden(N_("Only the mentor answers a case."))
    text = _check_recommendations(recommendations)
    async with write_transaction():
        await _move(
            account,
            case_id,
            Action.ANSWER,
            {
                CaseDiscussion.recommendations: text,
                CaseDiscussion.answered_at: datetime.now(UTC),
                CaseDiscussion.answered_by: account.id,
            },
        )
        await _notify_answered(parties, view, account, base_url)
    return (await get_case(account, case_id))[0]


async def close_case(account: Account, case_id: int) -> CaseView:
    """Close a case (the discussion is over): submitted or answered -> closed."""
    _, _, viewer = await get_case(account, case_id)
    if not (viewer.is_doctor or viewer.is_head or viewer.is_mentee):
        raise Forbidden(N_("Only the mentor, the mentee or a head of the facility closes a case."))
    async with write_transaction():
        await _move(account, case_id, Action.CLOSE, {CaseDiscussion.closed_at: datetime.now(UTC)})
    return (await get_case(account, case_id))[0]


# ---------------------------------------------------------------- notifications


async def _notify(user_id: int, message: str, params: dict[str, Any], link: str) -> None:
    await Notification.insert(
        Notification(user=user_id, message=message, params=json.dumps(params), link=link)
    ).run()


async def _mail(template: str, user: dict[str, Any], link: str, **context: Any) -> None:
    language = user["language"] or "en"
    await queue_template(
        user["email"],
        template,
        language,
        name=user["full_name"],
        link=link,
        **context,
    )


async def _users(ids: list[int]) -> list[dict[str, Any]]:
    if not ids:
        return []
    return (
        await User.select(User.id, User.email, User.full_name, User.language)
        .where(User.id.is_in(sorted(set(ids))), User.is_active.eq(True))
        .order_by(User.id)
        .run()
    )


async def _notify_mentor(parties: MentorshipParties, case_id: int, base_url: str) -> None:
    link = f"/cases/{case_id}"
    for user in await _users([parties.doctor_user_id] if parties.doctor_user_id else []):
        await _mail("case_submitted", user, base_url + link, case_id=case_id)
        await _notify(
            user["id"],
            N_("A new case (#%(id)s) waits for your recommendations."),
            {"id": case_id},
            link,
        )


async def _notify_answered(
    parties: MentorshipParties, view: CaseView, mentor: Account, base_url: str
) -> None:
    """The submitter, the mentee's own account and the facility's heads are told."""
    heads = [
        row["user"]
        for row in await FacilityHead.select(FacilityHead.user).where(
            FacilityHead.facility == parties.facility_id
        )
    ]
    ids = [
        *([view.submitted_by_id] if view.submitted_by_id else []),
        *([parties.mentee_user_id] if parties.mentee_user_id else []),
        *heads,
    ]
    link = f"/cases/{view.id}"
    for user in await _users(ids):
        await _mail(
            "case_answered", user, base_url + link, case_id=view.id, mentor=mentor.full_name
        )
        await _notify(
            user["id"],
            N_("%(mentor)s answered case #%(id)s with recommendations."),
            {"id": view.id, "mentor": mentor.full_name},
            link,
        )
