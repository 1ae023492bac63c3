"""A confirmed mission's readiness checklist: the one writer of ``mission_item``.

Items (one per kind, :data:`ITEM_OWNERS`) are created the first time the mission is
looked at (or the reminders look for late items): an idempotent insert, the unique
index ``mission_item_pairing_kind`` refusing a second row. Each is due
``due_days`` before the mission starts (``MISSION_READY_DAYS``).

Moves (one table, :data:`ITEM_MOVES`)::

    open -> done     its owner (or a coordinator), with a date, a note, maybe a document
    done -> open     a coordinator (undo)

Each move is a conditional ``UPDATE ... WHERE state = <the state read>`` with its row
count checked, in one transaction with its audit event: of two people marking the
same item at once one wins, the other gets a 409 and nothing changes. The
permission to practise is checked against the doctor's licences: a verified one
issued in Syria (registration or temporary permit) valid until the mission ends.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from matching.accounts.services import Account
from matching.accounts.tables import Role, User
from matching.audit.services import record_event
from matching.db import write_transaction
from matching.doctors.documents import (
    DocumentRejected,
    StoredDocument,
    check_document,
    document_file,
    remove_document,
    store_document,
)
from matching.doctors.tables import SYRIA_SCOPES, Licence, LicenceState
from matching.errors import Conflict, Forbidden, NotFound, ValidationFailed
from matching.facilities.tables import FacilityHead, NeedKind
from matching.i18n import N_
from matching.mail.tables import Notification
from matching.missions.access import Mission, load_mission, mission_for
from matching.missions.schemas import ItemDone, ItemView, LateItem
from matching.missions.tables import ItemKind, ItemOwner, ItemState, MissionItem
from matching.pairings.tables import Proposal, ProposalState

#: Days before the mission starts that every item is due (MISSION_READY_DAYS).
DEFAULT_READY_DAYS = 14
NOTE_MAX = 1000

#: Each item and who settles it, in the checklist's order.
ITEM_OWNERS: dict[ItemKind, ItemOwner] = {
    ItemKind.PERMISSION: ItemOwner.COORDINATOR,
    ItemKind.TRAVEL_DOCUMENTS: ItemOwner.DOCTOR,
    ItemKind.INSURANCE: ItemOwner.DOCTOR,
    ItemKind.EMERGENCY_CONTACT: ItemOwner.DOCTOR,
    ItemKind.ACCOMMODATION: ItemOwner.HEAD,
    ItemKind.BRIEFING: ItemOwner.COORDINATOR,
}
#: Items that may carry a document (a visa, an insurance certificate).
DOCUMENT_ITEMS = frozenset({ItemKind.TRAVEL_DOCUMENTS, ItemKind.INSURANCE})


class ItemAction(StrEnum):
    DONE = "done"
    UNDO = "undo"


#: The single source of truth: (from, action) -> (to, who may).
ITEM_MOVES: dict[tuple[ItemState, ItemAction], ItemState] = {
    (ItemState.OPEN, ItemAction.DONE): ItemState.DONE,
    (ItemState.DONE, ItemAction.UNDO): ItemState.OPEN,
}

_ILLEGAL = {
    ItemAction.DONE: N_(
        "This item is already marked done (on %(date)s). A coordinator can undo it if "
        "it must be settled again."
    ),
    ItemAction.UNDO: N_("This item is not marked done: there is nothing to undo."),
}


def _kind(value: str) -> ItemKind:
    try:
        return ItemKind(value)
    except ValueError:
        raise NotFound(N_("This checklist item does not exist.")) from None


def due_on(mission: Mission, due_days: int) -> date:
    return mission.starts_on - timedelta(days=due_days)


async def ensure_checklist(mission: Mission, due_days: int = DEFAULT_READY_DAYS) -> None:
    """Create the mission's items if missing (idempotent: a second call adds nothing)."""
    if await MissionItem.count().where(MissionItem.pairing == mission.pairing_id).run() == len(
        ITEM_OWNERS
    ):
        return
    due = due_on(mission, due_days)
    await (
        MissionItem.insert(
            *[
                MissionItem(pairing=mission.pairing_id, kind=kind, owner=owner, due_on=due)
                for kind, owner in ITEM_OWNERS.items()
            ]
        )
        .on_conflict(action="DO NOTHING")
        .run()
    )


def is_ready(items: list[ItemView]) -> bool:
    """Ready only when every item is done."""
    return len(items) == len(ITEM_OWNERS) and all(i.state == ItemState.DONE for i in items)


def _may_mark(part: str, owner: str) -> bool:
    return part == "coordinator" or part == owner


async def item_views(
    mission: Mission, part: str, today: date, due_days: int = DEFAULT_READY_DAYS
) -> list[ItemView]:
    """The mission's checklist (created if missing), in its order."""
    await ensure_checklist(mission, due_days)
    rows = (
        await MissionItem.select(
            MissionItem.all_columns(), MissionItem.done_by.full_name.as_alias("done_by_name")
        )
        .where(MissionItem.pairing == mission.pairing_id)
        .run()
    )
    order = list(ITEM_OWNERS)
    rows.sort(key=lambda r: order.index(ItemKind(r["kind"])))
    live = mission.state == ProposalState.CONFIRMED.value
    return [
        ItemView(
            id=int(r["id"]),
            kind=r["kind"],
            owner=r["owner"],
            due_on=r["due_on"],
            state=r["state"],
            done_on=r["done_on"],
            done_by_name=r["done_by_name"] or "",
            note=r["note"],
            has_document=bool(r["document_path"]),
            document_name=r["document_name"],
            late=r["state"] == ItemState.OPEN and r["due_on"] < today,
            can_mark=live and r["state"] == ItemState.OPEN and _may_mark(part, r["owner"]),
            can_undo=live and r["state"] == ItemState.DONE and part == "coordinator",
        )
        for r in rows
    ]


async def checklist(
    account: Account, proposal_id: int, today: date, due_days: int = DEFAULT_READY_DAYS
) -> tuple[list[ItemView], bool]:
    """The checklist as ``account`` sees it, and whether the mission is ready."""
    mission, part = await mission_for(account, proposal_id)
    items = await item_views(mission, part, today, due_days)
    return items, is_ready(items)


async def permission_licence(mission: Mission) -> int | None:
    """The doctor's verified licence issued in Syria valid until the mission ends."""
    if mission.doctor_id is None:
        return None
    row = (
        await Licence.select(Licence.id)
        .where(
            Licence.doctor == mission.doctor_id,
            Licence.state == LicenceState.VERIFIED.value,
            Licence.scope.is_in([s.value for s in SYRIA_SCOPES]),
            Licence.expires_on >= mission.ends_on,
        )
        .order_by(Licence.expires_on, ascending=False)
        .first()
        .run()
    )
    return None if row is None else int(row["id"])


def _checked(kind: ItemKind, command: ItemDone, today: date) -> tuple[date, str, dict[str, str]]:
    errors: dict[str, str] = dict(command.unreadable)
    done_on = command.done_on or today
    if "done_on" not in errors and done_on > today:
        errors["done_on"] = N_("cannot be in the future")
    note = command.note.strip()
    if len(note) > NOTE_MAX:
        errors["note"] = N_("must be at most 1000 characters")
    if command.document:
        if kind not in DOCUMENT_ITEMS:
            errors["document"] = N_("this item takes no document")
        else:
            try:
                check_document(command.document)
            except DocumentRejected as exc:
                errors["document"] = str(exc)
    return done_on, note, errors


async def mark_done(
    account: Account,
    proposal_id: int,
    kind_value: str,
    command: ItemDone,
    *,
    uploads_dir: Path,
    today: date | None = None,
    due_days: int = DEFAULT_READY_DAYS,
) -> ItemView:
    """Mark an item done (its owner or a coordinator): open -> done, once."""
    today = today or date.today()
    kind = _kind(kind_value)
    mission, part = await mission_for(account, proposal_id)
    _require_live(mission)
    await ensure_checklist(mission, due_days)
    owner = ITEM_OWNERS[kind]
    if not _may_mark(part, owner.value):
        raise Forbidden(N_("Only the owner of this item or a coordinator can mark it done."))
    done_on, note, errors = _checked(kind, command, today)
    licence_id = None
    if kind == ItemKind.PERMISSION and not errors:
        licence_id = await permission_licence(mission)
        if licence_id is None:
            errors["permission"] = N_(
                "the doctor holds no verified permission to practise in Syria (a Syrian "
                "registration or temporary permit) valid until %(date)s"
            )
    if errors:
        raise ValidationFailed(errors, params={"permission": {"date": mission.ends_on.isoformat()}})
    stored: StoredDocument | None = None
    if command.document:
        stored = store_document(uploads_dir, command.document, command.filename)
    try:
        async with write_transaction(MissionItem._meta.db):
            await _move(
                mission,
                kind,
                ItemAction.DONE,
                account,
                {
                    MissionItem.done_on: done_on,
                    MissionItem.done_by: account.id,
                    MissionItem.note: note,
                    MissionItem.licence: licence_id,
                    MissionItem.document_name: stored.name if stored else "",
                    MissionItem.document_path: stored.path if stored else "",
                    MissionItem.document_mime: stored.mime if stored else "",
                },
                {"done_on": done_on.isoformat(), "licence": licence_id},
            )
    except BaseException:
        if stored is not None:
            remove_document(uploads_dir, stored.path)
        raise
    return await _view(mission, kind, part, today)


async def undo(
    account: Account, proposal_id: int, kind_value: str, *, uploads_dir: Path
) -> ItemView:
    """A coordinator reopens a done item: done -> open (its document is dropped)."""
    kind = _kind(kind_value)
    mission, part = await mission_for(account, proposal_id)
    if part != "coordinator":
        raise Forbidden(N_("Only a coordinator can undo a checklist item."))
    _require_live(mission)
    async with write_transaction(MissionItem._meta.db):
        before = await _move(
            mission,
            kind,
            ItemAction.UNDO,
            account,
            {
                MissionItem.done_on: None,
                MissionItem.done_by: None,
                MissionItem.licence: None,
                MissionItem.document_name: "",
                MissionItem.document_path: "",
                MissionItem.document_mime: "",
            },
            {},
        )
    if before.get("document_path"):
        remove_document(uploads_dir, before["document_path"])
    return await _view(mission, kind, part, date.today())


def _require_live(mission: Mission) -> None:
    if mission.state != ProposalState.CONFIRMED.value:
        raise Conflict(
            N_("The mission is %(state)s: its checklist no longer changes."),
            params={"state": mission.state},
            labels={"state": "proposal_state"},
        )


async def _move(
    mission: Mission,
    kind: ItemKind,
    action: ItemAction,
    actor: Account,
    values: dict[Any, Any],
    details: dict[str, Any],
) -> dict[str, Any]:
    """One move from the state read, with its audit event; returns the row as read."""
    row = (
        await MissionItem.select()
        .where(MissionItem.pairing == mission.pairing_id, MissionItem.kind == kind.value)
        .first()
        .run()
    )
    if row is None:
        raise NotFound(N_("This checklist item does not exist."))
    target = ITEM_MOVES.get((ItemState(row["state"]), action))
    if target is None:
        raise _illegal(action, row)
    updated = (
        await MissionItem.update(
            {**values, MissionItem.state: target.value, MissionItem.updated_at: datetime.now(UTC)}
        )
        .where(MissionItem.id == row["id"], MissionItem.state == row["state"])
        .returning(MissionItem.id)
        .run()
    )
    if not updated:  # someone else moved it between our read and our write
        now = await MissionItem.select().where(MissionItem.id == row["id"]).first().run()
        raise _illegal(action, now)
    await record_event(
        actor_id=actor.id,
        actor_label=actor.email,
        action=f"mission_item.{action.value}",
        subject_type="proposal",
        subject_id=mission.pairing_id,
        before={"item": kind.value, "state": row["state"]},
        after={"item": kind.value, "state": target.value, **details},
    )
    return row


def _illegal(action: ItemAction, row: dict[str, Any]) -> Conflict:
    done_on = row.get("done_on")
    return Conflict(_ILLEGAL[action], params={"date": done_on.isoformat() if done_on else "-"})


async def _view(mission: Mission, kind: ItemKind, part: str, today: date) -> ItemView:
    fresh = await load_mission(mission.pairing_id)
    views = await item_views(fresh, part, today)
    return next(v for v in views if v.kind == kind.value)


async def item_document(
    account: Account, proposal_id: int, kind_value: str, *, uploads_dir: Path
) -> tuple[Path, str, str]:
    """(path, mime, name) of an item's document, for the mission's parties only."""
    kind = _kind(kind_value)
    mission, _ = await mission_for(account, proposal_id)
    row = (
        await MissionItem.select(
            MissionItem.document_path, MissionItem.document_mime, MissionItem.document_name
        )
        .where(MissionItem.pairing == mission.pairing_id, MissionItem.kind == kind.value)
        .first()
        .run()
    )
    path = document_file(uploads_dir, row["document_path"]) if row else None
    if row is None or path is None:
        raise NotFound(N_("This item has no document."))
    return path, row["document_mime"], row["document_name"]


# --- late items and their reminders ---------------------------------------------------


async def ensure_checklists(due_days: int = DEFAULT_READY_DAYS) -> int:
    """Create the checklists of every confirmed mission that has none yet; how many."""
    pairings = (
        await Proposal.select(Proposal.id)
        .where(
            Proposal.state == ProposalState.CONFIRMED.value,
            Proposal.need.kind == NeedKind.MISSION.value,
        )
        .run()
    )
    have = {
        int(r["pairing"]) for r in await MissionItem.select(MissionItem.pairing).distinct().run()
    }
    created = 0
    for row in pairings:
        if int(row["id"]) in have:
            continue
        try:
            await ensure_checklist(await load_mission(int(row["id"])), due_days)
        except NotFound:
            continue  # a mission without dates has no checklist
        created += 1
    return created


async def late_items(today: date, due_days: int = DEFAULT_READY_DAYS) -> list[LateItem]:
    """Open items past their due date on confirmed missions, with the accounts that own
    them (the reminder digest calls this); checklists not yet created are created."""
    await ensure_checklists(due_days)
    rows = (
        await MissionItem.select(
            MissionItem.id,
            MissionItem.pairing,
            MissionItem.kind,
            MissionItem.owner,
            MissionItem.due_on,
            MissionItem.pairing.need.title.as_alias("need_title"),
            MissionItem.pairing.need.facility.as_alias("facility"),
            MissionItem.pairing.doctor.user.as_alias("doctor_user"),
        )
        .where(
            MissionItem.state == ItemState.OPEN.value,
            MissionItem.due_on < today,
            MissionItem.pairing.state == ProposalState.CONFIRMED.value,
        )
        .order_by(MissionItem.id)
        .run()
    )
    coordinators = [
        int(r["id"])
        for r in await User.select(User.id)
        .where(User.role == Role.COORDINATOR.value, User.is_active.eq(True))
        .order_by(User.id)
        .run()
    ]
    heads: dict[int, list[int]] = {}
    out = []
    for row in rows:
        if row["owner"] == ItemOwner.DOCTOR:
            users = [int(row["doctor_user"])] if row["doctor_user"] else []
        elif row["owner"] == ItemOwner.HEAD:
            facility = int(row["facility"])
            if facility not in heads:
                heads[facility] = [
                    int(h["user"])
                    for h in await FacilityHead.select(FacilityHead.user)
                    .where(
                        FacilityHead.facility == facility,
                        FacilityHead.user.is_active.eq(True),
                    )
                    .order_by(FacilityHead.user)
                    .run()
                ]
            users = heads[facility]
        else:
            users = coordinators
        out.append(
            LateItem(
                item_id=int(row["id"]),
                pairing_id=int(row["pairing"]),
                kind=row["kind"],
                owner=row["owner"],
                due_on=row["due_on"],
                need_title=row["need_title"],
                user_ids=users,
            )
        )
    return out


async def remind_late(today: date, due_days: int = DEFAULT_READY_DAYS) -> int:
    """A notification to each late item's owners, once a day at most per item (the
    item's ``reminded_on`` moves first, conditionally: a second run the same day, or
    two workers at once, send nothing more). Returns the notifications written."""
    written = 0
    for item in await late_items(today, due_days):
        async with write_transaction(MissionItem._meta.db):
            claimed = (
                await MissionItem.update({MissionItem.reminded_on: today})
                .where(
                    MissionItem.id == item.item_id,
                    MissionItem.state == ItemState.OPEN.value,
                    MissionItem.reminded_on.is_null() | (MissionItem.reminded_on < today),
                )
                .returning(MissionItem.id)
                .run()
            )
            if not claimed:
                continue
            for user_id in item.user_ids:
                await Notification.insert(
                    Notification(
                        user=user_id,
                        message=N_(
                            "A readiness item of the mission %(title)s is late (due on "
                            "%(date)s): please settle it."
                        ),
                        params=json.dumps(
                            {"title": item.need_title, "date": item.due_on.isoformat()}
                        ),
                        link=f"/missions/{item.pairing_id}",
                    )
                ).run()
                written += 1
    return written
