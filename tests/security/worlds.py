"""Two symmetric "worlds" of people and objects, and one app client per role.

World A: ``doctor``, ``head`` (of facility A), need A, proposal A (doctor x need A),
``clinician`` (a local clinician of facility A: person A, with an account).
World B: ``other_doctor``, ``other_head`` (of facility B), need B, proposal B,
``other_clinician`` (person B).
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
from matching.doctors.tables import DoctorProfile, Licence, TravelWindow, WeeklySlot
from matching.facilities.tables import Invitation, LocalSlot, Need
from matching.mail.tables import Notification, OutboxMail
from matching.mentorship.tables import Mentorship, MentorshipSession
from matching.pairings.tables import Proposal, RankingRun
from matching.people.tables import FacilityPerson
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
        mentorship_pairing_id=mentorship_pairing_id,
        session_id=session_id,
    )


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
