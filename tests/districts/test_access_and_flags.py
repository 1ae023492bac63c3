"""District access: validation, history, the flags sent when a district closes (exact
recipients and languages), on both database engines."""

from __future__ import annotations

import json
from datetime import date

import pytest

from matching.accounts.tables import Role
from matching.audit.tables import AuditEvent
from matching.districts.schemas import AccessCommand
from matching.districts.services import closed_districts, current_access, history
from matching.districts.tables import DistrictAccess
from matching.errors import Forbidden, ValidationFailed
from matching.mail.tables import Notification, OutboxMail
from matching.pairings.district_flags import FLAG_MESSAGE, set_district_access
from tests.districts.helpers import TODAY, close, held_mission
from tests.factories import make_account, make_need, make_proposal


async def _notified() -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for n in await Notification.select().order_by(Notification.id):
        out.setdefault(int(n["user"]), []).append(n["message"])
    return out


@pytest.mark.parametrize(
    ("command", "field"),
    [
        (AccessCommand(district="aleppo", status="closed", effective_on=TODAY), "district"),
        (AccessCommand(district="homs", status="shut", effective_on=TODAY), "status"),
        (AccessCommand(district="homs", status="closed", effective_on=None), "effective_on"),
        (
            AccessCommand(
                district="homs",
                status="closed",
                unreadable={"effective_on": "must be a date (YYYY-MM-DD)"},
            ),
            "effective_on",
        ),
        (
            AccessCommand(district="homs", status="closed", effective_on=date(1990, 1, 1)),
            "effective_on",
        ),
        (
            AccessCommand(district="homs", status="closed", effective_on=TODAY, note="x" * 1001),
            "note",
        ),
    ],
)
async def test_bad_input_names_the_field_and_stores_nothing(db: str, command, field) -> None:
    coordinator = await make_account(Role.COORDINATOR)
    with pytest.raises(ValidationFailed) as caught:
        await set_district_access(command, actor=coordinator, today=TODAY)
    assert field in caught.value.errors
    assert await DistrictAccess.count() == 0
    assert await AuditEvent.count().where(AuditEvent.action == "district.access_set") == 0


async def test_only_coordinators_set_access(db: str) -> None:
    doctor = await make_account(Role.DOCTOR)
    with pytest.raises(Forbidden):
        await close(doctor)
    assert await DistrictAccess.count() == 0


async def test_history_is_kept_and_the_latest_row_is_the_status(db: str) -> None:
    coordinator = await make_account(Role.COORDINATOR)
    assert {v.status for v in (await current_access()).values()} == {"open"}
    await close(coordinator, note="road cut at the bridge")
    await set_district_access(
        AccessCommand(district="al_rastan", status="restricted", effective_on=TODAY),
        actor=coordinator,
        today=TODAY,
    )
    await close(coordinator, district="tadmur")
    current = await current_access()
    assert current["al_rastan"].status == "restricted"
    assert current["tadmur"].status == "closed"
    assert current["homs"].status == "open" and current["homs"].seq == 0
    assert await closed_districts() == frozenset({"tadmur"})
    rows = await history("al_rastan")
    assert [(r.status, r.seq) for r in rows] == [("restricted", 2), ("closed", 1)]
    assert rows[1].note == "road cut at the bridge"
    events = (
        await AuditEvent.select()
        .where(AuditEvent.action == "district.access_set")
        .order_by(AuditEvent.id)
    )
    assert len(events) == 3
    second = events[1]
    before = json.loads(second["before"]) if isinstance(second["before"], str) else second["before"]
    assert before == {"district": "al_rastan", "status": "closed"}


async def test_closing_flags_every_held_mission_once_in_each_language(db: str) -> None:
    s = await held_mission("confirmed")
    # An approved one too, and a proposal still waiting (not held: not flagged).
    other_doctor = await make_account(Role.DOCTOR, language="ar")
    from matching.doctors.tables import DoctorProfile

    rows = await DoctorProfile.insert(DoctorProfile(user=other_doctor.id, country="TR")).returning(
        DoctorProfile.id
    )
    second_need = await make_need(s["facility"], kind="mission", title="Surgical mission")
    approved = await make_proposal(second_need, int(rows[0]["id"]), state="approved")
    await make_proposal(second_need, s["doctor_id"], state="proposed")
    # A remote mentorship in the same district is not flagged.
    mentorship = await make_need(s["facility"], kind="mentorship", title="Remote mentoring")
    await make_proposal(mentorship, s["doctor_id"], state="confirmed")

    result = await close(s["coordinator"], note="shelling near the hospital")
    assert set(result.flagged) == {s["proposal"], approved}
    notified = await _notified()
    # Each held mission: its doctor, the head, both coordinators; one notification each.
    assert notified == {
        s["doctor"].id: [FLAG_MESSAGE],
        other_doctor.id: [FLAG_MESSAGE],
        s["head"].id: [FLAG_MESSAGE, FLAG_MESSAGE],
        s["coordinator"].id: [FLAG_MESSAGE, FLAG_MESSAGE],
        s["coordinator_ar"].id: [FLAG_MESSAGE, FLAG_MESSAGE],
    }
    mails = await OutboxMail.select(
        OutboxMail.recipient, OutboxMail.language, OutboxMail.subject, OutboxMail.body_text
    )
    by_recipient: dict[str, list[dict]] = {}
    for m in mails:
        by_recipient.setdefault(m["recipient"], []).append(m)
    assert {r: len(v) for r, v in by_recipient.items()} == {
        s["doctor"].email: 1,
        other_doctor.email: 1,
        s["head"].email: 2,
        s["coordinator"].email: 2,
        s["coordinator_ar"].email: 2,
    }
    assert {m["language"] for m in by_recipient[s["head"].email]} == {"ar"}
    assert {m["language"] for m in by_recipient[s["doctor"].email]} == {"en"}
    english = by_recipient[s["doctor"].email][0]
    assert (
        "Al-Rastan" in english["subject"] and "shelling near the hospital" in english["body_text"]
    )
    arabic = by_recipient[s["head"].email][0]
    assert "الرستن" in arabic["subject"] and "Al-Rastan" not in arabic["body_text"]

    # Closing it again (already closed) keeps the row but flags nothing more.
    again = await close(s["coordinator_ar"])
    assert again.flagged == () and again.before == "closed"
    assert await Notification.count() == 8
    assert await DistrictAccess.count() == 2


async def test_a_refused_change_sends_nothing(db: str) -> None:
    s = await held_mission()
    with pytest.raises(ValidationFailed):
        await set_district_access(
            AccessCommand(district="al_rastan", status="closed", effective_on=None),
            actor=s["coordinator"],
            today=TODAY,
        )
    assert await Notification.count() == 0
    assert await OutboxMail.count() == 0
