"""Two symmetric "worlds" of people and objects, and one app client per role.

World A: ``doctor``, ``head`` (of facility A), need A, proposal A (doctor x need A),
``clinician`` (a local clinician of facility A: person A, with an account).
World B: ``other_doctor``, ``other_head`` (of facility B), need B, proposal B,
``other_clinician`` (person B).
Each world also has a workshop: a confirmed training pairing of its doctor on a
training need of its facility (``training_pairing_id``), its clinician registered,
present both days and certified (``certificate_id``, ``certificate_code``), a pre-test
written, and one material (``workshop_material_id``).
Coordinator and admin belong to no world. A role's *own* objects are those of
its world; the other world's objects are somebody else's. The fixtures that build
them are in ``conftest.py``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import httpx
from litestar.testing import AsyncTestClient

from matching.accounts.services import Account
from matching.accounts.tables import Role
from matching.audit.tables import AuditEvent
from matching.cases.tables import CaseDiscussion, CaseImage
from matching.doctors.tables import DoctorProfile, Licence, TravelWindow, WeeklySlot
from matching.facilities.tables import Invitation, LocalSlot, Need
from matching.mail.tables import Notification, OutboxMail
from matching.mentorship.tables import Mentorship, MentorshipSession
from matching.missions.tables import MissionItem
from matching.pairings.tables import Proposal, RankingRun
from matching.people.tables import FacilityPerson
from matching.workshops.tables import (
    Workshop,
    WorkshopAttendance,
    WorkshopAttendee,
    WorkshopCertificate,
    WorkshopMaterial,
    WorkshopTest,
)
from tests.factories import PASSWORD, login, make_account, make_facility, make_head

ANONYMOUS = "anonymous"
DOCTOR = "doctor"
OTHER_DOCTOR = "other_doctor"
HEAD = "head"
OTHER_HEAD = "other_head"
COORDINATOR = "coordinator"
ADMIN = "admin"
CLINICIAN = "clinician"
OTHER_CLINICIAN = "other_clinician"
ROLES = (
    ANONYMOUS,
    DOCTOR,
    OTHER_DOCTOR,
    HEAD,
    OTHER_HEAD,
    CLINICIAN,
    OTHER_CLINICIAN,
    COORDINATOR,
    ADMIN,
)
WORLD_OF = {
    DOCTOR: "A",
    OTHER_DOCTOR: "B",
    HEAD: "A",
    OTHER_HEAD: "B",
    CLINICIAN: "A",
    OTHER_CLINICIAN: "B",
}
BASE_URL = "http://127.0.0.1:8000"


@dataclass
class World:
    """The ids of one world's objects (A or B)."""

    name: str
    doctor: Account
    head: Account
    doctor_profile_id: int
    licence_id: int
    facility_id: int
    need_id: int
    proposal_id: int
    notification_id: int
    invitation_id: int
    mail_id: int
    slot_id: int
    window_id: int
    clinician: Account
    person_id: int
    training_pairing_id: int = 0
    workshop_material_id: int = 0
    certificate_id: int = 0
    certificate_code: str = ""
    # A confirmed mentorship of the world's doctor (mentor) and clinician (mentee), apart
    # from the mission above, with one case discussion and its image (web/cases).
    mentorship_need_id: int = 0
    mentorship_proposal_id: int = 0
    mentorship_id: int = 0
    case_id: int = 0
    case_image_id: int = 0
    #: the confirmed mission's travel documents, done, with a document
    mission_item_id: int = 0
    #: A confirmed mentorship (doctor's, facility's; the mentee is the clinician's
    #: person) and one of its sessions, begun a week ago.
    mentorship_pairing_id: int = 0
    session_id: int = 0


@dataclass
class Worlds:
    a: World
    b: World
    coordinator: Account
    admin: Account
    run_id: int
    audit_event_id: int
    accounts: dict[str, Account] = field(default_factory=dict)

    def __getitem__(self, name: str) -> World:
        return self.a if name == "A" else self.b


async def _insert(table: type, **values: object) -> int:
    rows = await table.insert(table(**values)).returning(table.id).run()
    return int(rows[0]["id"])


async def _world(name: str, run_id: int, district: str, uploads: Path) -> World:
    doctor = await make_account(Role.DOCTOR, name=f"Dr. World {name}")
    facility_id = await make_facility(name=f"Facility {name}", district=district)
    head = await make_head(facility_id, name=f"Head World {name}")
    profile_id = await _insert(
        DoctorProfile,
        user=doctor.id,
        country="DE",
        city=f"City {name}",
        timezone="Europe/Berlin",
        phone=f"+49 30 555 000{ord(name)}",
        contact_email=f"private-{name.lower()}@example.org",
        offers_mission=True,
        offers_mentorship=True,
    )
    licence_id = await _insert(
        Licence,
        doctor=profile_id,
        issuer_country="DE",
        authority="Ärztekammer",
        number=f"LIC-{name}-1",
        expires_on=date.today() + timedelta(days=365),
        document_name=f"licence-{name}.pdf",
        document_path=f"licences/world{name.lower()}.pdf",
        document_mime="application/pdf",
    )
    (uploads / "licences").mkdir(parents=True, exist_ok=True)
    (uploads / f"licences/world{name.lower()}.pdf").write_bytes(b"%PDF-1.4\n% world\n%%EOF\n")
    slot_id = await _insert(
        WeeklySlot, doctor=profile_id, weekday=2, starts_at=time(18), ends_at=time(20)
    )
    window_id = await _insert(
        TravelWindow,
        doctor=profile_id,
        starts_on=date.today() + timedelta(days=20),
        ends_on=date.today() + timedelta(days=60),
    )
    need_id = await _insert(
        Need,
        facility=facility_id,
        kind="mission",
        title=f"Need {name}",
        specialty="emergency_medicine",
        status="open",
        starts_on=date.today() + timedelta(days=30),
        ends_on=date.today() + timedelta(days=44),
        created_by=head.id,
    )
    proposal_id = await _insert(
        Proposal,
        run=run_id,
        need=need_id,
        doctor=profile_id,
        score=0.8,
        explanation=json.dumps({"signals": {}}),
        state="confirmed",
    )
    notification_id = await _insert(
        Notification, user=doctor.id, message="A pairing was proposed", link="/"
    )
    invitation_id = await _insert(
        Invitation,
        facility=facility_id,
        email=f"invitee-{name.lower()}@example.org",
        token_hash=f"{name}" * 64,
        invited_by=None,
        expires_at=datetime.now(UTC) + timedelta(days=3),
    )
    mail_id = await _insert(
        OutboxMail, recipient=doctor.email, subject="Hello", body_text="t", body_html="<p>t</p>"
    )
    clinician = await make_account(Role.LOCAL_CLINICIAN, name=f"Clinician World {name}")
    person_id = await _insert(
        FacilityPerson,
        facility=facility_id,
        name_en=f"Clinician World {name}",
        name_ar="ممرضة",
        clinical_role="nurse",
        user=clinician.id,
        entered_by=head.id,
    )
    workshop = await _workshop(name, run_id, facility_id, profile_id, person_id, head, uploads)
    mentorship = await _mentorship(name, run_id, facility_id, profile_id, person_id, head, uploads)
    (uploads / f"licences/mission{name.lower()}.pdf").write_bytes(b"%PDF-1.4\n% visa\n%%EOF\n")
    mission_item_id = await _insert(
        MissionItem,
        pairing=proposal_id,
        kind="travel_documents",
        owner="doctor",
        due_on=date.today() + timedelta(days=16),
        state="done",
        done_on=date.today(),
        done_by=doctor.id,
        document_name=f"visa-{name}.pdf",
        document_path=f"licences/mission{name.lower()}.pdf",
        document_mime="application/pdf",
    )
    mentorship_need_id = await _insert(
        Need,
        facility=facility_id,
        kind="mentorship",
        title=f"Mentorship {name}",
        specialty="emergency_medicine",
        status="filled",
        starts_on=date.today() - timedelta(days=7),
        ends_on=date.today() + timedelta(days=60),
        created_by=head.id,
    )
    await _insert(
        LocalSlot, need=mentorship_need_id, weekday=2, starts_at=time(18), ends_at=time(20)
    )
    mentorship_pairing_id = await _insert(
        Proposal,
        run=run_id,
        need=mentorship_need_id,
        doctor=profile_id,
        score=0.8,
        explanation=json.dumps({"signals": {}}),
        state="confirmed",
    )
    mentorship_id = await _insert(
        Mentorship,
        pairing=mentorship_pairing_id,
        mentee=person_id,
        starts_on=date.today() - timedelta(days=7),
        ends_on=date.today() + timedelta(days=60),
    )
    session_start = datetime.now(UTC) - timedelta(days=2)
    session_id = await _insert(
        MentorshipSession,
        mentorship=mentorship_id,
        starts_at=session_start,
        ends_at=session_start + timedelta(hours=1),
    )
    return World(
        **workshop,
        **mentorship,
        name=name,
        doctor=doctor,
        head=head,
        doctor_profile_id=profile_id,
        licence_id=licence_id,
        facility_id=facility_id,
        need_id=need_id,
        proposal_id=proposal_id,
        notification_id=notification_id,
        invitation_id=invitation_id,
        mail_id=mail_id,
        slot_id=slot_id,
        window_id=window_id,
        clinician=clinician,
        person_id=person_id,
        mission_item_id=mission_item_id,
        mentorship_pairing_id=mentorship_pairing_id,
        session_id=session_id,
    )


async def _workshop(
    name: str,
    run_id: int,
    facility_id: int,
    profile_id: int,
    person_id: int,
    head: Account,
    uploads: Path,
) -> dict[str, Any]:
    """World ``name``'s workshop: a confirmed training pairing, the world's clinician
    registered and certified, a pre-test, a material on disk."""
    first = date.today() + timedelta(days=10)
    days = [first, first + timedelta(days=1)]
    need_id = await _insert(
        Need,
        facility=facility_id,
        kind="training",
        title=f"Workshop {name}",
        specialty="emergency_medicine",
        status="filled",
        starts_on=days[0],
        ends_on=days[1],
        created_by=head.id,
    )
    pairing_id = await _insert(
        Proposal,
        run=run_id,
        need=need_id,
        doctor=profile_id,
        score=0.7,
        explanation=json.dumps({"signals": {}}),
        state="confirmed",
    )
    workshop_id = await _insert(
        Workshop, pairing=pairing_id, days=",".join(d.isoformat() for d in days), agenda="Day 1"
    )
    attendee_id = await _insert(
        WorkshopAttendee, workshop=workshop_id, person=person_id, registered_by=head.id
    )
    for day in days:
        await _insert(
            WorkshopAttendance, attendee=attendee_id, day=day, present=True, entered_by=head.id
        )
    questions = [{"question": "Q?", "options": ["a", "b"], "answer": 0}]
    await _insert(WorkshopTest, workshop=workshop_id, phase="pre", questions=json.dumps(questions))
    (uploads / "workshops").mkdir(parents=True, exist_ok=True)
    path = f"workshops/world{name.lower()}.pdf"
    (uploads / path).write_bytes(b"%PDF-1.4\n% workshop\n%%EOF\n")
    material_id = await _insert(
        WorkshopMaterial, workshop=workshop_id, name="slides.pdf", path=path, mime="application/pdf"
    )
    code = f"world-{name}-certificate-code-0123456789"
    certificate_id = await _insert(
        WorkshopCertificate, attendee=attendee_id, code=code, days_present=2, issued_by=head.id
    )
    return {
        "training_pairing_id": pairing_id,
        "workshop_material_id": material_id,
        "certificate_id": certificate_id,
        "certificate_code": code,
    }


# The smallest valid JPEG a browser shows (1 x 1 pixel, no metadata).
TINY_JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c"
    "140d0c0b0b0c1912130f141d1a1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27"
    "393d38323c2e333432ffc0000b080001000101011100ffc4001f0000010501010101010100000000"
    "000000000102030405060708090a0bffc400b5100002010303020403050504040000017d01020300"
    "041105122131410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a"
    "25262728292a3435363738393a434445464748494a535455565758595a636465666768696a737475"
    "767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9ba"
    "c2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9faffda"
    "0008010100003f00fbd3ffd9"
)


async def _mentorship(
    name: str,
    run_id: int,
    facility_id: int,
    profile_id: int,
    person_id: int,
    head: Account,
    uploads: Path,
) -> dict[str, int]:
    """A confirmed mentorship (its own need and proposal), one case and its image."""
    need_id = await _insert(
        Need,
        facility=facility_id,
        kind="mentorship",
        title=f"Mentorship {name}",
        specialty="emergency_medicine",
        status="filled",
        starts_on=date.today() - timedelta(days=10),
        ends_on=date.today() + timedelta(days=170),
        months=6,
        created_by=head.id,
    )
    proposal_id = await _insert(
        Proposal,
        run=run_id,
        need=need_id,
        doctor=profile_id,
        score=0.7,
        explanation=json.dumps({"signals": {}}),
        state="confirmed",
    )
    mentorship_id = await _insert(
        Mentorship,
        pairing=proposal_id,
        mentee=person_id,
        ends_on=date.today() + timedelta(days=170),
    )
    case_id = await _insert(
        CaseDiscussion,
        pairing=proposal_id,
        submitted_by=head.id,
        entered_for=person_id,
        age_band="years_25_44",
        sex="female",
        presenting_problem=f"Case of world {name}",
        question="What next?",
        consent_text="Consent given.",
    )
    (uploads / "cases").mkdir(parents=True, exist_ok=True)
    (uploads / f"cases/world{name.lower()}.jpg").write_bytes(TINY_JPEG)
    image_id = await _insert(
        CaseImage,
        case=case_id,
        path=f"cases/world{name.lower()}.jpg",
        mime="image/jpeg",
        width=1,
        height=1,
    )
    return {
        "mentorship_need_id": need_id,
        "mentorship_proposal_id": proposal_id,
        "mentorship_id": mentorship_id,
        "case_id": case_id,
        "case_image_id": image_id,
    }


async def make_worlds(uploads: Path) -> Worlds:
    """Worlds A and B, a coordinator, an admin, a ranking run and an audit event."""
    coordinator = await make_account(Role.COORDINATOR, name="Coordinator Rima")
    admin = await make_account(Role.ADMIN, name="Admin Omar")
    run_id = await _insert(RankingRun, kind="full", status="succeeded", requested_by=coordinator.id)
    a = await _world("A", run_id, "al_rastan", uploads)
    b = await _world("B", run_id, "talkalakh", uploads)
    audit_event_id = await _insert(
        AuditEvent, actor=coordinator.id, action="test.event", subject_type="need", subject_id=1
    )
    accounts = {
        DOCTOR: a.doctor,
        OTHER_DOCTOR: b.doctor,
        HEAD: a.head,
        OTHER_HEAD: b.head,
        CLINICIAN: a.clinician,
        OTHER_CLINICIAN: b.clinician,
        COORDINATOR: coordinator,
        ADMIN: admin,
    }
    return Worlds(a, b, coordinator, admin, run_id, audit_event_id, accounts)


class RoleClients:
    """One app client whose cookie jar is swapped per role (one lifespan, many people)."""

    def __init__(self, client: AsyncTestClient) -> None:
        self.client = client
        self.jars: dict[str, httpx.Cookies] = {}

    async def request(self, role: str, method: str, url: str, **kwargs: Any) -> httpx.Response:
        async with self.as_role(role) as client:
            return await client.request(method, url, **kwargs)

    @asynccontextmanager
    async def as_role(self, role: str) -> AsyncIterator[AsyncTestClient]:
        self.client.cookies = self.jars.get(role, httpx.Cookies())
        try:
            yield self.client
        finally:
            self.jars[role] = httpx.Cookies(self.client.cookies)

    async def sign_in(self, role: str, account: Account) -> None:
        async with self.as_role(role) as client:
            client.cookies = httpx.Cookies()
            await login(client, account, PASSWORD)

    def csrf(self, role: str) -> str:
        return self.jars[role].get("csrftoken", "")
