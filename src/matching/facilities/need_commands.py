"""Posting and editing a need: the one writer of ``need`` (but its status),
``need_skill`` and ``local_slot``.

Every write is in one transaction with its audit event. An edit that has to
count the pairings a need holds (its places) runs through
``pairings.need_lifecycle.change_need``, which calls :func:`prepare_change` and
:func:`write_change` around the pairings' own check under the need's lock.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import msgspec
from msgspec import UNSET

from matching.accounts.services import Account
from matching.audit.services import record_event
from matching.errors import Conflict, NotFound, ValidationFailed
from matching.facilities import language_levels
from matching.facilities.membership import check_facility_access
from matching.facilities.need_rules import NeedFields, ranking_due, today_utc, validate_need
from matching.facilities.need_transitions import ENDED_STATUSES
from matching.facilities.profiles import get_facility
from matching.facilities.schemas import (
    NeedChange,
    NeedDraft,
    NeedSaved,
    RemoteChange,
    RoleDraft,
    SlotDraft,
    apply_change,
)
from matching.facilities.tables import LocalSlot, Need, NeedKind, NeedRole, NeedSkill, NeedStatus
from matching.i18n import N_


async def need_row(need_id: int) -> dict[str, Any]:
    row = await Need.select().where(Need.id == need_id).first().run()
    if row is None:
        raise NotFound(N_("This need does not exist."))
    return row


async def check_need_access(account: Account, need: Mapping[str, Any]) -> None:
    await check_facility_access(account, int(need["facility"]))


async def write_need_children(need_id: int, fields: NeedFields) -> None:
    """Replace the need's wanted skills and the local doctor's weekly slots."""
    await NeedSkill.delete().where(NeedSkill.need == need_id).run()
    await LocalSlot.delete().where(LocalSlot.need == need_id).run()
    await NeedRole.delete().where(NeedRole.need == need_id).run()
    if fields.roles:
        await NeedRole.insert(
            *[NeedRole(need=need_id, specialty=code, count=count) for code, count in fields.roles]
        ).run()
    if fields.skills:
        await NeedSkill.insert(*[NeedSkill(need=need_id, code=c) for c in fields.skills]).run()
    if fields.slots:
        await LocalSlot.insert(
            *[
                LocalSlot(need=need_id, weekday=s.weekday, starts_at=s.start, ends_at=s.end)
                for s in fields.slots
            ]
        ).run()


async def insert_need(
    fields: NeedFields,
    *,
    facility_id: int,
    status: NeedStatus,
    actor: Account,
    audit_extra: Mapping[str, Any],
) -> int:
    """Write one validated need with its children and audit event (caller's transaction)."""
    rows = (
        await Need.insert(
            Need(**fields.row, facility=facility_id, status=status.value, created_by=actor.id)
        )
        .returning(Need.id)
        .run()
    )
    need_id = int(rows[0]["id"])
    await write_need_children(need_id, fields)
    await record_event(
        actor_id=actor.id,
        actor_label=actor.email,
        action="need.created",
        subject_type="need",
        subject_id=need_id,
        after={**fields.row, "status": status.value, **audit_extra},
    )
    return need_id


async def create_need(draft: NeedDraft, *, actor: Account) -> NeedSaved:
    """A head (or coordinator) posts a need, as a draft or (``publish``) straight away open."""
    await get_facility(draft.facility_id)
    await check_facility_access(actor, draft.facility_id)
    fields = validate_need(draft, today=today_utc())
    status = NeedStatus.OPEN if draft.publish else NeedStatus.DRAFT
    async with Need._meta.db.transaction():
        need_id = await insert_need(
            fields,
            facility_id=draft.facility_id,
            status=status,
            actor=actor,
            audit_extra={"skills": fields.skills},
        )
    return NeedSaved(id=need_id, status=status.value, ranking_due=ranking_due(status))


async def stored_draft(row: Mapping[str, Any]) -> NeedDraft:
    """The stored need ``row`` as a command (what an edit changes)."""
    need_id = int(row["id"])
    skills = await (
        NeedSkill.select(NeedSkill.code).where(NeedSkill.need == need_id).order_by(NeedSkill.id)
    )
    slots = await (
        LocalSlot.select(LocalSlot.weekday, LocalSlot.starts_at, LocalSlot.ends_at)
        .where(LocalSlot.need == need_id)
        .order_by(LocalSlot.id)
    )
    roles = await (
        NeedRole.select(NeedRole.specialty, NeedRole.count)
        .where(NeedRole.need == need_id)
        .order_by(NeedRole.id)
    )
    chosen = [code for code in (row["acceptable_specialties"] or "").split(",") if code]
    return NeedDraft(
        facility_id=int(row["facility"]),
        kind=row["kind"],
        title=row["title"],
        specialty=row["specialty"],
        skills=[s["code"] for s in skills],
        languages=[code for code in row["languages"].split(",") if code],
        language_levels=language_levels.parse(row.get("language_levels") or ""),
        requires_licence=row["requires_licence"],
        urgency=row["urgency"],
        description=row["description"],
        places=row["places"],
        starts_on=row["starts_on"],
        ends_on=row["ends_on"],
        mentee_name=row["mentee_name"],
        weekly_hours=row["weekly_hours"] or None,
        months=row["months"],
        slots=[
            SlotDraft(
                weekday=s["weekday"], start=s["starts_at"], end=s["ends_at"], field=f"slot_{i}"
            )
            for i, s in enumerate(slots)
        ],
        topic=row["topic"],
        audience_size=row["audience_size"],
        remote=row["remote"],
        specialty_scope="any" if row["any_specialty"] else ("chosen" if chosen else "usual"),
        acceptable_specialties=chosen,
        any_specialty=row["any_specialty"],
        roles=[
            RoleDraft(specialty=r["specialty"], count=r["count"], field=f"role_{i}")
            for i, r in enumerate(roles)
        ],
    )


async def prepare_change(
    need_id: int, change: NeedChange, *, actor: Account
) -> tuple[dict[str, Any], NeedFields]:
    """Check access and validate an edit (before any lock): (the row read, the fields)."""
    before = await need_row(need_id)
    await check_need_access(actor, before)
    if any(getattr(change, name) is UNSET for name in change.__struct_fields__):
        base = await stored_draft(before)
    else:  # every field given (the form, the JSON body): nothing to read
        base = NeedDraft(facility_id=int(before["facility"]), kind="", title="", specialty="")
    draft = apply_change(base, change)
    fields = validate_need(draft, today=today_utc(), kept=before)
    if fields.row["kind"] != before["kind"] and before["status"] != NeedStatus.DRAFT:
        raise ValidationFailed({"kind": N_("the kind of a published need cannot change")})
    return before, fields


def require_editable(locked: Mapping[str, Any]) -> None:
    if locked["status"] in ENDED_STATUSES:
        raise Conflict(N_("A closed or cancelled need cannot be edited."))


async def write_change(locked: Mapping[str, Any], fields: NeedFields, *, actor: Account) -> None:
    """Store an edit of the locked need, with its audit event (caller's transaction)."""
    need_id = int(locked["id"])
    await (
        Need.update({**fields.row, Need.updated_at: datetime.now(UTC)})
        .where(Need.id == need_id)
        .run()
    )
    await write_need_children(need_id, fields)
    await record_event(
        actor_id=actor.id,
        actor_label=actor.email,
        action="need.updated",
        subject_type="need",
        subject_id=need_id,
        before={key: locked[key] for key in fields.row},
        after={**fields.row, "skills": fields.skills}
        | ({"roles": [list(r) for r in fields.roles]} if fields.roles else {}),
    )


#: The kinds an in-person need can be turned into.
REMOTE_KINDS = (NeedKind.MENTORSHIP.value, NeedKind.TRAINING.value)


def is_in_person(row: Mapping[str, Any]) -> bool:
    """A need the doctor travels for: a mission or an in-person workshop."""
    return row["kind"] == NeedKind.MISSION.value or (
        row["kind"] == NeedKind.TRAINING.value and not row["remote"]
    )


async def prepare_remote(
    need_id: int, change: RemoteChange, *, actor: Account
) -> tuple[dict[str, Any], NeedFields]:
    """Check access and validate turning an in-person need into remote work (before
    any lock): (the row read, the fields to store). ``ValidationFailed`` names every
    bad field; a need already remote is a 409."""
    before = await need_row(need_id)
    await check_need_access(actor, before)
    if not is_in_person(before):
        raise Conflict(
            N_("Only an in-person need (a mission or an in-person workshop) can be made remote.")
        )
    require_editable(before)
    if change.kind not in REMOTE_KINDS:
        raise ValidationFailed(
            {**change.unreadable, "kind": N_("choose a remote mentorship or a remote workshop")}
        )
    base = await stored_draft(before)
    if len(change.note.strip()) > 1000:
        change.unreadable.setdefault("note", N_("must be at most 1000 characters"))
    common = {"kind": change.kind, "roles": [], "unreadable": change.unreadable}
    if change.kind == NeedKind.MENTORSHIP.value:
        draft = msgspec.structs.replace(
            base,
            **common,
            remote=False,
            mentee_name=change.mentee_name,
            weekly_hours=change.weekly_hours,
            months=change.months,
            slots=change.slots,
            ends_on=None,
            duration_days=0,
        )
    else:
        draft = msgspec.structs.replace(
            base,
            **common,
            remote=True,
            topic=change.topic.strip() or base.title,
            audience_size=change.audience_size or max(1, min(1000, base.places * 10)),
        )
    fields = validate_need(draft, today=today_utc(), kept=before)
    return before, fields


async def write_remote(
    locked: Mapping[str, Any], fields: NeedFields, *, actor: Account, note: str = ""
) -> None:
    """Store the locked in-person need as remote work, with its audit event (before
    and after: kind, remote, the fields of the new kind; caller's transaction).
    The need must still be the kind read: a 409 otherwise."""
    need_id = int(locked["id"])
    changed = (
        await Need.update({**fields.row, Need.updated_at: datetime.now(UTC)})
        .where(Need.id == need_id, Need.kind == locked["kind"], Need.remote == locked["remote"])
        .returning(Need.id)
        .run()
    )
    if not changed:
        raise Conflict(N_("This need was changed meanwhile; open it again."))
    await write_need_children(need_id, fields)
    await record_event(
        actor_id=actor.id,
        actor_label=actor.email,
        action="need.kind_changed",
        subject_type="need",
        subject_id=need_id,
        before={key: _plain(locked[key]) for key in fields.row},
        after={**{k: _plain(v) for k, v in fields.row.items()}, "note": note.strip()},
    )


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value
