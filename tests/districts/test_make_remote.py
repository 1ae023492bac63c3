"""A mission turned remote: the need's kind changes with its history, each held pairing
is offered the change, the doctor accepts or declines (the pairing then ends)."""

from __future__ import annotations

from datetime import time

import pytest

from matching.audit.tables import AuditEvent
from matching.db import json_object
from matching.errors import Conflict, Forbidden, ValidationFailed
from matching.facilities.schemas import RemoteChange, SlotDraft
from matching.facilities.tables import LocalSlot, Need
from matching.mail.tables import Notification, OutboxMail
from matching.pairings import remote_offers
from matching.pairings.remote_offers import ACCEPTED_MESSAGE, DECLINED_MESSAGE, OFFERED_MESSAGE
from matching.pairings.tables import Proposal, RemoteOffer
from tests.districts.helpers import held_mission

MENTORSHIP = RemoteChange(
    kind="mentorship",
    mentee_name="Dr. Ahmad Shami",
    weekly_hours=2,
    months=3,
    slots=[SlotDraft(weekday=1, start=time(18), end=time(20), field="slot_0")],
    note="The road to Al-Rastan is cut.",
)


async def _need(need_id: int) -> dict:
    return await Need.select().where(Need.id == need_id).first()


async def test_make_remote_then_the_doctor_accepts(db: str) -> None:
    s = await held_mission("confirmed")
    made = await remote_offers.make_remote(s["need"], MENTORSHIP, actor=s["coordinator"])
    assert made.kind == "mentorship" and len(made.offers) == 1 and made.ranking_due
    need = await _need(s["need"])
    assert (need["kind"], need["mentee_name"], need["weekly_hours"]) == (
        "mentorship",
        "Dr. Ahmad Shami",
        2,
    )
    assert await LocalSlot.count().where(LocalSlot.need == s["need"]) == 1
    (event,) = await AuditEvent.select().where(AuditEvent.action == "need.kind_changed")
    assert json_object(event["before"])["kind"] == "mission"
    assert json_object(event["after"])["kind"] == "mentorship"
    # The doctor is told (notification and mail, in English); the pairing holds on.
    assert [
        n["message"] for n in await Notification.select().where(Notification.user == s["doctor"].id)
    ] == [OFFERED_MESSAGE]
    (mail,) = await OutboxMail.select().where(OutboxMail.recipient == s["doctor"].email)
    assert "remote mentorship" in mail["subject"] and mail["language"] == "en"

    offer = await remote_offers.accept_change(s["proposal"], s["doctor"])
    assert offer.state == "accepted"
    assert (await Proposal.select(Proposal.state).where(Proposal.id == s["proposal"]).first())[
        "state"
    ] == "confirmed"
    told = {
        int(n["user"])
        for n in await Notification.select().where(Notification.message == ACCEPTED_MESSAGE)
    }
    assert told == {s["head"].id, s["coordinator"].id, s["coordinator_ar"].id}
    # A second answer changes nothing.
    with pytest.raises(Conflict):
        await remote_offers.decline_change(s["proposal"], s["doctor"])
    assert (await Proposal.select(Proposal.state).where(Proposal.id == s["proposal"]).first())[
        "state"
    ] == "confirmed"


@pytest.mark.parametrize(("state", "ended"), [("confirmed", "cancelled"), ("approved", "declined")])
async def test_the_doctor_declines_and_the_pairing_ends(db: str, state: str, ended: str) -> None:
    s = await held_mission(state)
    await remote_offers.make_remote(
        s["need"],
        RemoteChange(kind="training", topic="Trauma triage online", audience_size=25),
        actor=s["coordinator"],
    )
    need = await _need(s["need"])
    assert (need["kind"], need["remote"], need["topic"]) == (
        "training",
        True,
        "Trauma triage online",
    )
    offer = await remote_offers.decline_change(
        s["proposal"], s["doctor"], note="I cannot teach online"
    )
    assert offer.state == "declined"
    row = await Proposal.select().where(Proposal.id == s["proposal"]).first()
    assert row["state"] == ended
    assert row["decision_reason"] == "declined the change to remote work: I cannot teach online"
    assert (await _need(s["need"]))["status"] == "open"  # the place is free again
    told = {
        int(n["user"])
        for n in await Notification.select().where(Notification.message == DECLINED_MESSAGE)
    }
    assert told == {s["head"].id, s["coordinator"].id, s["coordinator_ar"].id}


async def test_refusals_change_nothing(db: str) -> None:
    s = await held_mission("confirmed")
    # Only a coordinator; bad input names the field; a need already remote is a 409.
    with pytest.raises(Forbidden):
        await remote_offers.make_remote(s["need"], MENTORSHIP, actor=s["head"])
    with pytest.raises(ValidationFailed) as caught:
        await remote_offers.make_remote(
            s["need"], RemoteChange(kind="mission"), actor=s["coordinator"]
        )
    assert "kind" in caught.value.errors
    with pytest.raises(ValidationFailed) as caught:
        await remote_offers.make_remote(
            s["need"],
            RemoteChange(kind="mentorship", weekly_hours=2, months=3),
            actor=s["coordinator"],
        )
    assert {"mentee_name"} <= set(caught.value.errors)
    assert (await _need(s["need"]))["kind"] == "mission"
    assert await RemoteOffer.count() == 0 and await Notification.count() == 0
    # Nobody else answers for the doctor; no offer, no answer.
    with pytest.raises(Conflict):
        await remote_offers.accept_change(s["proposal"], s["doctor"])
    await remote_offers.make_remote(s["need"], MENTORSHIP, actor=s["coordinator"])
    with pytest.raises(Forbidden):
        await remote_offers.accept_change(s["proposal"], s["head"])
    with pytest.raises(Conflict):
        await remote_offers.make_remote(s["need"], MENTORSHIP, actor=s["coordinator"])
    assert await RemoteOffer.count() == 1
