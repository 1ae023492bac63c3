"""Doctor use cases on a real database: validation, licences, availability, privacy,
export and deletion."""

from __future__ import annotations

import json
from datetime import date, time, timedelta
from pathlib import Path

import msgspec
import pytest

from matching.account_deletion.doctor_account import delete_doctor_account
from matching.account_deletion.export import export_doctor_data
from matching.accounts.tables import Role
from matching.audit.tables import AuditEvent
from matching.doctors.availability_slots import (
    add_travel_window,
    add_weekly_slot,
    coming_week_in_damascus,
)
from matching.doctors.licences import (
    add_licence,
    licences_awaiting_verification,
    review_licence,
)
from matching.doctors.profile import my_profile, update_profile
from matching.doctors.schemas import (
    DoctorProfileData,
    LicenceDraft,
    ProfileChange,
    TravelWindowDraft,
    WeeklySlotDraft,
)
from matching.doctors.tables import DoctorProfile, Licence
from matching.errors import Conflict, Forbidden, ValidationFailed
from matching.facilities.tables import Need
from matching.mail.outbox import queue_mail
from matching.mail.tables import Notification
from matching.pairings.contact import can_see_contact, view_doctor
from matching.pairings.loader import load_doctors
from matching.pairings.tables import Proposal, ProposalState
from matching.piccolo_app import all_tables
from tests.factories import make_account, make_facility, make_head

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

FULL_PROFILE = ProfileChange(
    full_name="Zaynab Qudsi-Haddad",
    country="US",
    city="Chicago",
    timezone="America/Chicago",
    phone="+1 312 555 0199",
    contact_email="zaynab.private@example.net",
    years_experience=12,
    bio="Paediatric emergency physician.",
    languages={"ar": "native", "en": "fluent"},
    modes=("mentorship", "training"),
    max_mentees=2,
    hours_per_month=10,
    can_travel=True,
    specialties={"pediatrics": "consultant"},
    skills=("neonatal_resuscitation",),
    free_text_skills="paediatric triage",
)


async def _doctor_with_profile(**overrides: object) -> tuple[object, DoctorProfileData]:
    account = await make_account(Role.DOCTOR)
    profile = await update_profile(account, msgspec.structs.replace(FULL_PROFILE, **overrides))
    return account, profile


def _slot(weekday: int, starts_at: time, ends_at: time) -> WeeklySlotDraft:
    return WeeklySlotDraft(weekday=weekday, starts_at=starts_at, ends_at=ends_at)


async def test_first_visit_creates_an_empty_profile(db: str) -> None:
    account = await make_account(Role.DOCTOR)
    profile = await my_profile(account)
    again = await my_profile(account)
    assert profile.id == again.id and profile.specialties == {} and profile.country == ""
    assert await DoctorProfile.count().where(DoctorProfile.user == account.id) == 1


async def test_profile_round_trip(db: str) -> None:
    _, profile = await _doctor_with_profile()
    assert profile.full_name == "Zaynab Qudsi-Haddad"
    assert profile.timezone == "America/Chicago"
    assert profile.languages == {"ar": "native", "en": "fluent"}
    assert profile.modes == ("mentorship", "training")
    assert profile.specialties == {"pediatrics": "consultant"}
    assert profile.skills == ("neonatal_resuscitation",)
    assert profile.years_experience == 12 and profile.can_travel


async def test_profile_errors_name_each_field(db: str) -> None:
    account = await make_account(Role.DOCTOR)
    with pytest.raises(ValidationFailed) as caught:
        await update_profile(
            account,
            ProfileChange(
                full_name="",
                timezone="Mars/Olympus",
                country="XX",
                contact_email="nope",
                years_experience=71,
                specialties={"astrology": "consultant", "pediatrics": "wizard"},
                skills=("juggling",),
                modes=("teleportation",),
            ),
        )
    errors = caught.value.errors
    assert set(errors) == {
        "full_name",
        "timezone",
        "country",
        "contact_email",
        "years_experience",
        "specialties",
        "skills",
        "modes",
    }
    assert "time zone" in errors["timezone"]
    assert errors["years_experience"] == "must be between 0 and 70"


async def test_only_doctors_have_profiles(db: str) -> None:
    head = await make_head(await make_facility())
    with pytest.raises(Forbidden):
        await my_profile(head)


async def test_travel_window_end_before_start(db: str) -> None:
    account = await make_account(Role.DOCTOR)
    with pytest.raises(ValidationFailed) as caught:
        await add_travel_window(
            account, TravelWindowDraft(starts_on=date(2030, 5, 10), ends_on=date(2030, 5, 1))
        )
    assert caught.value.errors == {"ends_on": "must not be before the start date"}
    with pytest.raises(ValidationFailed) as caught:
        await add_travel_window(account, TravelWindowDraft(starts_on=None, ends_on=None))
    assert caught.value.errors == {"starts_on": "is required", "ends_on": "is required"}
    window = await add_travel_window(
        account, TravelWindowDraft(starts_on=date(2030, 5, 1), ends_on=date(2030, 5, 10))
    )
    assert (window.ends_on - window.starts_on).days == 9


async def test_weekly_slot_checks(db: str) -> None:
    account = await make_account(Role.DOCTOR)
    with pytest.raises(ValidationFailed) as caught:
        await add_weekly_slot(
            account, WeeklySlotDraft(weekday=8, starts_at=time(18, 7), ends_at=None)
        )
    assert set(caught.value.errors) == {"weekday", "starts_at", "ends_at"}
    with pytest.raises(ValidationFailed) as caught:
        await add_weekly_slot(account, _slot(1, time(18, 0), time(18, 0)))
    assert set(caught.value.errors) == {"ends_at"}
    late = await add_weekly_slot(account, _slot(4, time(22, 0), time(1, 0)))
    assert late.crosses_midnight


async def test_chicago_slot_in_damascus_time_across_dst(db: str) -> None:
    account, _ = await _doctor_with_profile()
    await add_weekly_slot(account, _slot(1, time(18, 0), time(20, 0)))
    profile = await my_profile(account)
    # Week of 2026-10-27: Chicago still on CDT (UTC-5); Damascus is UTC+3 all year.
    summer = coming_week_in_damascus(profile, today=date(2026, 10, 26))
    assert len(summer) == 1
    assert summer[0].local_start.time() == time(18, 0)
    assert summer[0].damascus_start.date() == date(2026, 10, 28)
    assert summer[0].damascus_start.time() == time(2, 0)
    # After 2026-11-01 Chicago is on CST (UTC-6): one hour later in Damascus.
    winter = coming_week_in_damascus(profile, today=date(2026, 11, 2))
    assert winter[0].damascus_start.time() == time(3, 0)
    assert winter[0].damascus_end.time() == time(5, 0)


async def test_licence_states(db: str, tmp_path: Path) -> None:
    account, _ = await _doctor_with_profile()
    coordinator = await make_account(Role.COORDINATOR)
    past = date.today() - timedelta(days=3)
    expired_licence = LicenceDraft(
        issuer_country="DE", authority="Ärztekammer Berlin", number="A-1", expires_on=past
    )
    with pytest.raises(ValidationFailed) as refused:  # an expired licence needs a yes
        await add_licence(account, expired_licence, uploads_dir=tmp_path)
    assert "expires_on" in refused.value.errors
    expired = await add_licence(
        account,
        msgspec.structs.replace(expired_licence, confirm_expired=True),
        uploads_dir=tmp_path,
    )
    assert expired.stored_state == "unverified" and expired.state == "expired"
    pending = await add_licence(
        account,
        LicenceDraft(
            issuer_country="US",
            authority="Illinois Department of Financial and Professional Regulation",
            number="036-123456",
            expires_on=date.today() + timedelta(days=400),
            document=PDF,
            filename="licence.pdf",
        ),
        uploads_dir=tmp_path,
    )
    assert pending.state == "pending" and pending.document_mime == "application/pdf"
    waiting = await licences_awaiting_verification()
    assert [item.licence.id for item in waiting] == [pending.id]
    with pytest.raises(ValidationFailed) as caught:
        await review_licence(coordinator, pending.id, verified=False, note="")
    assert "note" in caught.value.errors
    with pytest.raises(Forbidden):
        await review_licence(account, pending.id, verified=True)
    verified = await review_licence(coordinator, pending.id, verified=True, note="ok")
    assert verified.state == "verified"
    notices = await Notification.select().where(Notification.user == account.id).run()
    assert [n["message"] for n in notices] == ["Your licence %(number)s was verified."]
    with pytest.raises(Conflict):
        await review_licence(coordinator, pending.id, verified=False, note="again")
    profile = await my_profile(account)
    assert profile.licence_verified_until() == pending.expires_on
    (engine_input,) = [d for d in await load_doctors() if d.id == profile.id]
    assert engine_input.licence_verified_until == pending.expires_on


async def test_licence_document_checks(db: str, tmp_path: Path) -> None:
    account = await make_account(Role.DOCTOR)
    base = LicenceDraft(
        issuer_country="FR",
        authority="Ordre des médecins",
        number="75-1",
        expires_on=date(2031, 1, 1),
    )
    for content, message in (
        (b"<html>not a pdf</html>", "must be a PDF, PNG or JPEG file"),
        (PDF + b"0" * (5 * 1024 * 1024), "the file is too large (at most 5 MB)"),
        (b"MZ\x90\x00" + b"\x00" * 100, "must be a PDF, PNG or JPEG file"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            await add_licence(
                account,
                msgspec.structs.replace(base, document=content, filename="x.pdf"),
                uploads_dir=tmp_path,
            )
        assert caught.value.errors == {"document": message}
    assert await Licence.count() == 0
    assert not list(tmp_path.rglob("*.*"))
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    stored = await add_licence(
        account,
        msgspec.structs.replace(base, document=png, filename="../../scan.png"),
        uploads_dir=tmp_path,
    )
    assert stored.document_mime == "image/png" and stored.document_name == "scan.png"


async def _confirmed_pairing(doctor_profile_id: int, facility_id: int, state: str) -> None:
    need = (
        await Need.insert(
            Need(facility=facility_id, kind="mentorship", title="Mentor", specialty="pediatrics")
        )
        .returning(Need.id)
        .run()
    )
    await Proposal.insert(Proposal(need=need[0]["id"], doctor=doctor_profile_id, state=state)).run()


async def test_can_see_contact(db: str) -> None:
    doctor, profile = await _doctor_with_profile()
    other_doctor, _ = await _doctor_with_profile(full_name="Other Doctor")
    coordinator = await make_account(Role.COORDINATOR)
    admin = await make_account(Role.ADMIN)
    paired_facility = await make_facility()
    other_facility = await make_facility(name="Talkalakh Health Centre")
    head = await make_head(paired_facility)
    other_head = await make_head(other_facility)
    assert await can_see_contact(doctor, profile.id)
    assert await can_see_contact(coordinator, profile.id)
    assert await can_see_contact(admin, profile.id)
    assert not await can_see_contact(other_doctor, profile.id)
    assert not await can_see_contact(head, profile.id)
    assert not await can_see_contact(None, profile.id)
    await _confirmed_pairing(profile.id, paired_facility, ProposalState.ACCEPTED.value)
    assert not await can_see_contact(head, profile.id), "accepted is not confirmed"
    await _confirmed_pairing(profile.id, paired_facility, ProposalState.CONFIRMED.value)
    assert await can_see_contact(head, profile.id)
    assert not await can_see_contact(other_head, profile.id)
    with pytest.raises(Forbidden):
        await view_doctor(other_doctor, profile.id)
    assert not (await view_doctor(other_head, profile.id)).show_contact


async def test_the_ranking_loads_what_the_doctor_entered(db: str) -> None:
    account, first = await _doctor_with_profile()
    await add_weekly_slot(account, _slot(1, time(18, 0), time(20, 0)))
    await add_travel_window(
        account, TravelWindowDraft(starts_on=date(2030, 1, 1), ends_on=date(2030, 1, 14))
    )
    _, second = await _doctor_with_profile(
        full_name="Second Doctor", specialties={"general_surgery": "specialist"}
    )
    doctors = await load_doctors()
    assert [d.id for d in doctors] == [first.id, second.id]
    engine_input = doctors[0]
    assert engine_input.modes == frozenset({"mentorship", "training"})
    assert engine_input.specialties == (("pediatrics", "consultant"),)
    assert engine_input.weekly_slots[0].start == time(18, 0)
    assert engine_input.travel_windows[0].days == 14
    assert engine_input.licence_verified_until is None


async def _all_rows_text() -> str:
    chunks = []
    for table in all_tables():
        for row in await table.select().run():
            chunks.append(json.dumps(row, default=str, ensure_ascii=False))
    return "\n".join(chunks)


async def test_export_then_delete_leaves_no_personal_data(db: str, tmp_path: Path) -> None:
    account, profile = await _doctor_with_profile()
    await add_weekly_slot(account, _slot(1, time(18, 0), time(20, 0)))
    licence = await add_licence(
        account,
        LicenceDraft(
            issuer_country="US",
            authority="IDFPR",
            number="036-998877",
            expires_on=date(2031, 1, 1),
            document=PDF,
            filename="Zaynab Qudsi-Haddad licence.pdf",
        ),
        uploads_dir=tmp_path,
    )
    coordinator = await make_account(Role.COORDINATOR)
    await review_licence(coordinator, licence.id, verified=True, note="ok")
    await queue_mail(
        recipient=account.email,
        subject="Hello Zaynab Qudsi-Haddad",
        body_text="x",
        body_html="x",
        language="en",
    )
    facility = await make_facility()
    await _confirmed_pairing(profile.id, facility, ProposalState.CONFIRMED.value)
    # What a confirmed pairing tells the facility head (as the pairings service does).
    head = await make_head(facility)
    proposal_id = (await Proposal.select(Proposal.id).first().run())["id"]
    await Notification.insert(
        Notification(
            user=head.id,
            message="%(doctor)s accepted %(title)s: the pairing is confirmed.",
            params=json.dumps({"doctor": "Zaynab Qudsi-Haddad", "title": "Mentor"}),
            link=f"/pairings/{proposal_id}",
        )
    ).run()
    await queue_mail(
        recipient=head.email,
        subject="Pairing confirmed: Zaynab Qudsi-Haddad",
        body_text="Zaynab Qudsi-Haddad accepted. Write to zaynab.private@example.net",
        body_html="<p>Zaynab Qudsi-Haddad accepted.</p>",
        language="en",
    )

    exported = await export_doctor_data(account)
    text = json.dumps(exported, ensure_ascii=False)
    for secret in ("+1 312 555 0199", "zaynab.private@example.net", account.email, "036-998877"):
        assert secret in text
    assert "password_hash" not in text
    assert exported["profile"]["licences"][0]["state"] == "verified"

    before = await _all_rows_text()
    assert account.email in before and "Zaynab Qudsi-Haddad" in before
    await delete_doctor_account(account, uploads_dir=tmp_path)
    after = await _all_rows_text()
    for secret in (
        account.email,
        "Zaynab",
        "Qudsi",
        "+1 312 555 0199",
        "zaynab.private@example.net",
        "036-998877",
    ):
        assert secret not in after, secret
    assert not list((tmp_path / "licences").iterdir())
    kept = await Proposal.select().run()
    assert len(kept) == 1 and kept[0]["doctor"] is None and kept[0]["state"] == "confirmed"
    assert await Notification.count() == 1, "the head keeps the notice, without the name"
    assert "a doctor who deleted their account" in after
    deleted = await AuditEvent.select().where(AuditEvent.action == "account.deleted").run()
    assert len(deleted) == 1 and deleted[0]["subject_id"] == account.id
