"""The audit trail in words: who did what to what, and what changed.

An event stores a code (``proposal.approved``), a subject and its before/after
values as JSON. :func:`describe` turns one into a :class:`AuditLine`: a sentence
(a :class:`~matching.i18n.Message`, so it is translated where it is shown) and the
changed fields, each named in words with its values as labels (``Proposed`` →
``Approved``), never as JSON. A field without a name here is counted, not shown.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from matching.i18n import N_, Message
from matching.labels import LABELS, english_label

#: One sentence per action code; ``%(who)s`` did it to ``%(subject)s``.
SENTENCES: Mapping[str, str] = {
    "account.created": N_("%(who)s created %(subject)s"),
    "account.password_reset": N_("%(who)s reset the password of %(subject)s"),
    "account.deleted": N_("%(who)s deleted %(subject)s and its data"),
    "doctor.profile_updated": N_("%(who)s updated %(subject)s"),
    "doctor.travel_window_added": N_("%(who)s added travel dates to %(subject)s"),
    "doctor.travel_window_deleted": N_("%(who)s removed travel dates from %(subject)s"),
    "doctor.slot_added": N_("%(who)s added a weekly slot to %(subject)s"),
    "doctor.slot_deleted": N_("%(who)s removed a weekly slot from %(subject)s"),
    "licence.added": N_("%(who)s added %(subject)s"),
    "licence.deleted": N_("%(who)s deleted %(subject)s"),
    "licence.verified": N_("%(who)s verified %(subject)s"),
    "licence.rejected": N_("%(who)s rejected %(subject)s"),
    "facility.created": N_("%(who)s created %(subject)s"),
    "facility.updated": N_("%(who)s updated %(subject)s"),
    "facility.head_invited": N_("%(who)s invited a head to %(subject)s"),
    "facility.head_joined": N_("%(who)s joined %(subject)s as its head"),
    "facility.services_updated": N_("%(who)s updated the services of %(subject)s"),
    "need.created": N_("%(who)s posted %(subject)s"),
    "need.updated": N_("%(who)s edited %(subject)s"),
    "need.status_changed": N_("%(who)s changed the status of %(subject)s"),
    "interest.add": N_("%(who)s marked interest in %(subject)s"),
    "interest.remove": N_("%(who)s withdrew interest in %(subject)s"),
    "interest.up": N_("%(who)s moved %(subject)s up their list"),
    "interest.down": N_("%(who)s moved %(subject)s down their list"),
    "ranking_run.requested": N_("%(who)s asked for %(subject)s"),
    "proposal.approved": N_("%(who)s approved %(subject)s"),
    "proposal.rejected": N_("%(who)s rejected %(subject)s"),
    "proposal.swapped": N_("%(who)s replaced the doctor of %(subject)s with a runner-up"),
    "proposal.accepted": N_("%(who)s accepted %(subject)s"),
    "proposal.declined": N_("%(who)s declined %(subject)s"),
    "proposal.confirmed": N_("%(who)s confirmed %(subject)s"),
    "proposal.withdrawn": N_("%(who)s withdrew %(subject)s"),
    "proposal.cancelled": N_("%(who)s cancelled %(subject)s"),
    "proposal.completed": N_("%(who)s marked %(subject)s as completed"),
}
OTHER_SENTENCE = N_("%(who)s changed %(subject)s")
SUBJECT = N_("%(kind)s #%(id)s")
SYSTEM = N_("The platform")

#: How the filter lists each action.
ACTION_NAMES: Mapping[str, str] = {
    "account.created": N_("Account created"),
    "account.password_reset": N_("Password reset"),
    "account.deleted": N_("Account deleted"),
    "doctor.profile_updated": N_("Doctor profile updated"),
    "doctor.travel_window_added": N_("Travel dates added"),
    "doctor.travel_window_deleted": N_("Travel dates removed"),
    "doctor.slot_added": N_("Weekly slot added"),
    "doctor.slot_deleted": N_("Weekly slot removed"),
    "licence.added": N_("Licence added"),
    "licence.deleted": N_("Licence deleted"),
    "licence.verified": N_("Licence verified"),
    "licence.rejected": N_("Licence rejected"),
    "facility.created": N_("Facility created"),
    "facility.updated": N_("Facility updated"),
    "facility.head_invited": N_("Facility head invited"),
    "facility.head_joined": N_("Facility head joined"),
    "facility.services_updated": N_("Facility services updated"),
    "need.created": N_("Need posted"),
    "need.updated": N_("Need edited"),
    "need.status_changed": N_("Need status changed"),
    "interest.add": N_("Interest marked"),
    "interest.remove": N_("Interest withdrawn"),
    "interest.up": N_("Interest moved up"),
    "interest.down": N_("Interest moved down"),
    "ranking_run.requested": N_("Ranking run requested"),
    "proposal.approved": N_("Pairing approved"),
    "proposal.rejected": N_("Pairing rejected"),
    "proposal.swapped": N_("Pairing given to a runner-up"),
    "proposal.accepted": N_("Pairing accepted"),
    "proposal.declined": N_("Pairing declined"),
    "proposal.confirmed": N_("Pairing confirmed"),
    "proposal.withdrawn": N_("Pairing withdrawn"),
    "proposal.cancelled": N_("Pairing cancelled"),
    "proposal.completed": N_("Pairing completed"),
}
OTHER_ACTION = N_("Other change")

#: Field name -> (its name in words, how its values are shown).
#: Value kinds: a kind of :data:`matching.labels.LABELS`, "taxonomy", "text", "yes_no".
FIELDS: Mapping[str, tuple[str, str]] = {
    "title": (N_("Title"), "text"),
    "kind": (N_("Kind"), "need_kind"),
    "specialty": (N_("Specialty"), "taxonomy"),
    "urgency": (N_("Urgency"), "urgency"),
    "places": (N_("Places"), "text"),
    "starts_on": (N_("Starts on"), "text"),
    "ends_on": (N_("Ends on"), "text"),
    "starts_at": (N_("From"), "text"),
    "ends_at": (N_("Until"), "text"),
    "weekday": (N_("Day"), "weekday"),
    "role": (N_("Role"), "role"),
    "email": (N_("Email"), "text"),
    "note": (N_("Note"), "text"),
    "reason": (N_("Reason"), "reason"),
    "name_en": (N_("Name in English"), "text"),
    "name_ar": (N_("Name in Arabic"), "text"),
    "district": (N_("District"), "district"),
    "functional_state": (N_("Functional state"), "functional_state"),
    "rural": (N_("Rural"), "yes_no"),
    "document": (N_("Document attached"), "yes_no"),
    "withdrawn_proposals": (N_("Pairings withdrawn"), "text"),
    "mentee_name": (N_("Local doctor mentored"), "text"),
    "weekly_hours": (N_("Hours a week"), "text"),
    "months": (N_("Months"), "text"),
    "topic": (N_("Topic"), "text"),
}
#: ``state`` and ``status`` are shown with the labels of the subject's kind.
STATE_KINDS: Mapping[str, str] = {
    "proposal": "proposal_state",
    "licence": "licence_state",
    "need": "need_status",
    "ranking_run": "run_status",
}
STATE_NAME = N_("State")
YES, NO = N_("yes"), N_("no")
NOTHING = N_("nothing")


@dataclass(frozen=True, slots=True)
class Shown:
    """A value as the reader sees it: ``kind`` says how (a label kind, taxonomy, text)."""

    kind: str
    value: str


@dataclass(frozen=True, slots=True)
class Change:
    name: str  # msgid of the field's name
    before: Shown | None
    after: Shown | None


@dataclass(frozen=True, slots=True)
class AuditLine:
    id: int
    created_at: Any
    sentence: Message
    changes: list[Change] = field(default_factory=list)
    hidden: int = 0  # changed fields that have no name in words


def action_name(action: str) -> str:
    return ACTION_NAMES.get(action, OTHER_ACTION)


#: Reasons stored as English text (a listed rejection reason, a need closed ...).
WITHDRAWN_REASONS: Mapping[str, str] = {
    "need closed": N_("the need was closed"),
    "need cancelled": N_("the need was cancelled"),
}


def _reason(value: str, listed: Collection[str]) -> Shown:
    if value in WITHDRAWN_REASONS:
        return Shown("message", WITHDRAWN_REASONS[value])
    if value in listed:
        return Shown("message", value)
    head, _, note = value.partition(": ")
    if head in listed and note:
        return Shown("reason_note", value)  # a listed reason, then the coordinator's note
    return Shown("text", value)


def _shown(kind: str, value: Any, reasons: Collection[str]) -> Shown | None:
    if value is None or value == "" or value == []:
        return None
    if kind == "reason":
        return _reason(str(value), reasons)
    if kind == "yes_no":
        return Shown("message", YES if value else NO)
    if kind == "taxonomy":
        return Shown("taxonomy", str(value))
    if kind in LABELS:
        return Shown("message", english_label(value, kind))
    return Shown("text", str(value))


def _field(key: str, subject_type: str) -> tuple[str, str] | None:
    if key in ("state", "status") and subject_type in STATE_KINDS:
        return STATE_NAME, STATE_KINDS[subject_type]
    if key == "kind" and subject_type == "facility":
        return N_("Kind"), "facility_kind"
    if key == "kind" and subject_type == "ranking_run":
        return N_("Kind"), "run_kind"
    return FIELDS.get(key)


def changes(
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    subject_type: str,
    reasons: Collection[str],
) -> tuple[list[Change], int]:
    """The fields whose value differs, named in words; and how many differ without a name.

    ``reasons``: the listed reasons (English msgids) a ``reason`` may hold, shown
    translated; any other reason is shown as the text it is."""
    shown, hidden = [], 0
    for key in list(before) + [k for k in after if k not in before]:
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        described = _field(key, subject_type)
        if described is None:
            hidden += 1
            continue
        name, kind = described
        shown.append(Change(name, _shown(kind, old, reasons), _shown(kind, new, reasons)))
    return shown, hidden


def describe(event: Mapping[str, Any], reasons: Collection[str]) -> AuditLine:
    """One audit event in words (``event`` as :func:`matching.pairings.review.audit_events`
    returns it, with ``actor_name`` when the account still exists).

    ``reasons``: the listed reasons a decision may give (the caller passes the pairings'
    rejection reasons; this module sits below pairings and does not import them)."""
    subject_type = str(event.get("subject_type") or "")
    kind = english_label(subject_type, "subject_type") if subject_type else ""
    subject = Message(SUBJECT, kind=Message(kind), id=event.get("subject_id") or "")
    actor = event.get("actor_name") or event.get("actor_label") or ""
    who: object = Message(SYSTEM) if actor in ("", "system") else actor
    template = SENTENCES.get(str(event.get("action")), OTHER_SENTENCE)
    found, hidden = changes(
        event.get("before") or {}, event.get("after") or {}, subject_type, reasons
    )
    return AuditLine(
        id=int(event["id"]),
        created_at=event.get("created_at"),
        sentence=Message(template, who=who, subject=subject),
        changes=found,
        hidden=hidden,
    )
