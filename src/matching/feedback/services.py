"""The one writer of ``pairing_feedback``.

Each side of a pairing leaves one rating (1-5) with an optional comment: the doctor
for the doctor's side; a head of the facility (acting for a local clinician too) or the
mentee's own account for the facility's side. A second rating from the same side is
refused (409), also when two arrive at once (unique index ``pairing_feedback_side``).
*When* feedback is due (a mentorship completed, a mission's report filed) is the
caller's rule: the mentorship and missions domains check it before calling
:func:`leave_feedback`.
"""

from __future__ import annotations

from typing import Any

from matching.accounts.services import Account
from matching.audit.services import record_event
from matching.db import write_transaction
from matching.errors import Conflict, Forbidden, ValidationFailed
from matching.facilities.membership import is_head_of, is_staff
from matching.feedback.schemas import FeedbackDraft, FeedbackView
from matching.feedback.tables import PairingFeedback, Side
from matching.i18n import N_
from matching.pairings.tables import Proposal
from matching.people.services import person_of_user

COMMENT_MAX = 2000


def validate_feedback(draft: FeedbackDraft) -> FeedbackDraft:
    errors: dict[str, str] = dict(draft.unreadable)
    if "rating" not in errors and not 1 <= draft.rating <= 5:
        errors["rating"] = N_("choose a rating from 1 to 5")
    comment = draft.comment.strip()
    if len(comment) > COMMENT_MAX:
        errors["comment"] = N_("must be at most %(max)s characters")
    if errors:
        raise ValidationFailed(
            errors, params={"comment": {"max": COMMENT_MAX}} if "comment" in errors else None
        )
    return FeedbackDraft(rating=draft.rating, comment=comment)


async def side_of(account: Account, pairing_id: int, mentee_person_id: int | None = None) -> Side:
    """The side ``account`` speaks for on this pairing; ``Forbidden`` when none.

    ``mentee_person_id`` (a mentorship's mentee) lets that clinician's own account
    speak for the facility.
    """
    row = (
        await Proposal.select(
            Proposal.doctor.user.as_alias("doctor_user"),
            Proposal.need.facility.as_alias("facility"),
        )
        .where(Proposal.id == pairing_id)
        .first()
        .run()
    )
    if row is not None:
        if row["doctor_user"] == account.id:
            return Side.DOCTOR
        if await is_head_of(account.id, row["facility"]):
            return Side.FACILITY
        if mentee_person_id is not None:
            person = await person_of_user(account.id)
            if person is not None and person.id == mentee_person_id:
                return Side.FACILITY
    raise Forbidden(N_("Only the doctor and the facility of this pairing leave feedback on it."))


async def leave_feedback(
    account: Account,
    pairing_id: int,
    draft: FeedbackDraft,
    *,
    mentee_person_id: int | None = None,
) -> FeedbackView:
    """Record the account's side's rating; 409 when that side already left one."""
    side = await side_of(account, pairing_id, mentee_person_id)
    clean = validate_feedback(draft)
    async with write_transaction():
        rows = (
            await PairingFeedback.insert(
                PairingFeedback(
                    pairing=pairing_id,
                    side=side,
                    rating=clean.rating,
                    comment=clean.comment,
                    author=account.id,
                )
            )
            .on_conflict(action="DO NOTHING")
            .returning(PairingFeedback.id)
            .run()
        )
        if not rows:
            raise Conflict(N_("Feedback from this side was already left."))
        await record_event(
            actor_id=account.id,
            actor_label=account.email,
            action="feedback.leave",
            subject_type="proposal",
            subject_id=pairing_id,
            after={"side": side.value, "rating": clean.rating},
        )
    return (await feedback_of(pairing_id))[side.value]


async def feedback_of(pairing_id: int) -> dict[str, FeedbackView]:
    """The feedback left on a pairing, by side (no access check: callers show it to the
    pairing's parties and to coordinators)."""
    rows = (
        await PairingFeedback.select(
            PairingFeedback.all_columns(),
            PairingFeedback.author.full_name.as_alias("author_name"),
        )
        .where(PairingFeedback.pairing == pairing_id)
        .run()
    )
    return {row["side"]: _view(row) for row in rows}


def _view(row: dict[str, Any]) -> FeedbackView:
    return FeedbackView(
        pairing_id=row["pairing"],
        side=row["side"],
        rating=row["rating"],
        comment=row["comment"],
        author_id=row["author"],
        author_name=row["author_name"] or "",
        created_at=row["created_at"],
    )


async def ratings_for_staff(account: Account, pairing_ids: list[int]) -> dict[int, dict[str, int]]:
    """Ratings by pairing and side, for coordinators' lists."""
    if not is_staff(account):
        raise Forbidden(N_("Only coordinators see every pairing's feedback."))
    if not pairing_ids:
        return {}
    rows = (
        await PairingFeedback.select(
            PairingFeedback.pairing, PairingFeedback.side, PairingFeedback.rating
        )
        .where(PairingFeedback.pairing.is_in(sorted(set(pairing_ids))))
        .run()
    )
    out: dict[int, dict[str, int]] = {}
    for row in rows:
        out.setdefault(row["pairing"], {})[row["side"]] = row["rating"]
    return out
