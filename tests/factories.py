"""Builders for test data, through the real services and tables.

The one place tests make accounts, facilities, doctors, needs and proposals. Two
shapes of doctor and need, because two kinds of test need them:

* :func:`make_doctor` / :func:`make_need` / :func:`make_proposal` / :func:`scene`: a
  named doctor with contact details (neonatology, Arabic) and a need on fixed dates,
  for the tests of a pairing's life (review, transitions, pages, calendar, coverage);
* :func:`make_rankable_doctor` / :func:`make_rankable_need` / :func:`make_population`:
  a doctor the ranking can propose (languages, travel window, verified licence) and an
  open mission dated from today, for ranking-run, loader and worker tests;
* :func:`make_decisions`: proposals coordinators have decided, for the learned model.
"""

from __future__ import annotations

import itertools
import json
import re
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
from litestar.testing import AsyncTestClient

from matching.accounts.services import Account, create_account
from matching.accounts.tables import Role, User
from matching.consent.services import ASKED_ROLES, record_consent
from matching.doctors.tables import (
    DoctorLanguage,
    DoctorProfile,
    DoctorSpecialty,
    Licence,
    LicenceState,
    TravelWindow,
)
from matching.facilities.need_commands import create_need
from matching.facilities.tables import Facility, FacilityHead, LocalSlot, Need
from matching.mail.tables import OutboxMail
from matching.pairings.tables import Proposal, ProposalState
from matching.ranking.weights import SIGNALS, WEIGHTS
from web.facilities.forms import need_from_form

PASSWORD = "correct-horse-battery"
TODAY = date.today()
_counter = itertools.count(1)


async def make_account(
    role: Role,
    *,
    email: str | None = None,
    name: str | None = None,
    language: str = "en",
    consented: bool = True,
) -> Account:
    """An account; doctors and facility heads have accepted the current privacy notice
    (as sign-up and invitations record it) unless ``consented=False``."""
    n = next(_counter)
    account = await create_account(
        email=email or f"{role.value}{n}@example.org",
        full_name=name or f"{role.value.replace('_', ' ').title()} {n}",
        password=PASSWORD,
        role=role,
        language=language,
    )
    if consented and role in ASKED_ROLES:
        await record_consent(account.id, actor_label=account.email, via="signup", language=language)
    return account


async def make_facility(
    *, name: str = "Al-Rastan National Hospital", district: str = "al_rastan", rural: bool = True
) -> int:
    rows = (
        await Facility.insert(
            Facility(
                name_en=name,
                name_ar="مشفى الرستن الوطني",
                kind="hospital",
                district=district,
                rural=rural,
                functional_state="partial",
            )
        )
        .returning(Facility.id)
        .run()
    )
    return int(rows[0]["id"])


async def make_head(facility_id: int, **kwargs: object) -> Account:
    account = await make_account(Role.FACILITY_HEAD, **kwargs)  # type: ignore[arg-type]
    await FacilityHead.insert(FacilityHead(user=account.id, facility=facility_id)).run()
    return account


async def post_need(
    facility_id: int, data: dict[str, object], actor: Account, *, publish: bool = False
) -> int:
    """A need posted through the form's decoder, as the need form posts it; its id."""
    form = {**data, "facility": facility_id, "action": "publish" if publish else "draft"}
    return (await create_need(need_from_form(form), actor=actor)).id


# --- a pairing's life: a named doctor, a need on fixed dates, a proposal ---------------


async def make_doctor(
    *, name: str = "Dr. Lina Haddad", language: str = "en", tz: str = "Europe/Berlin"
) -> tuple[Account, int]:
    """A neonatologist speaking Arabic, with a phone and a private contact email.

    Returns (her account, her doctor profile id).
    """
    account = await make_account(Role.DOCTOR, name=name, language=language)
    rows = (
        await DoctorProfile.insert(
            DoctorProfile(
                user=account.id,
                country="DE",
                timezone=tz,
                phone="+49 30 1234 5678",
                contact_email="lina.private@example.org",
                offers_mission=True,
                offers_mentorship=True,
            )
        )
        .returning(DoctorProfile.id)
        .run()
    )
    doctor_id = int(rows[0]["id"])
    await DoctorSpecialty.insert(
        DoctorSpecialty(doctor=doctor_id, code="neonatology", level="consultant")
    ).run()
    await DoctorLanguage.insert(DoctorLanguage(doctor=doctor_id, code="ar")).run()
    return account, doctor_id


async def make_need(
    facility_id: int,
    *,
    kind: str = "mission",
    places: int = 1,
    urgency: str = "urgent",
    title: str = "Neonatal mission",
    specialty: str = "neonatology",
) -> int:
    """An open need starting on 2026-03-02 (a mentorship has one weekly local slot)."""
    starts_on = date(2026, 3, 2)
    rows = (
        await Need.insert(
            Need(
                facility=facility_id,
                kind=kind,
                title=title,
                specialty=specialty,
                urgency=urgency,
                status="open",
                places=places,
                starts_on=starts_on,
                ends_on=starts_on
                + (timedelta(days=9) if kind == "mission" else timedelta(days=60)),
                months=2,
                mentee_name="Dr. Ahmad Shami" if kind == "mentorship" else "",
            )
        )
        .returning(Need.id)
        .run()
    )
    need_id = int(rows[0]["id"])
    if kind == "mentorship":
        await LocalSlot.insert(
            LocalSlot(need=need_id, weekday=1, starts_at=time(19), ends_at=time(21))
        ).run()
    return need_id


def _explanation(runners_up: list[dict] | None = None) -> str:
    return json.dumps(
        {
            "signals": {
                "specialty_fit": {"value": 1.0, "weight": 0.4, "contribution": 0.4},
                "skill_similarity": {"value": 0.5, "weight": 0.3, "contribution": 0.15},
                "availability_fit": {"value": 0.8, "weight": 0.2, "contribution": 0.16},
            },
            "rules_passed": ["mode", "language", "availability"],
            "shared_skills": ["neonatal_resuscitation"],
            "details": {},
            "runners_up": runners_up or [],
        }
    )


async def make_proposal(
    need_id: int, doctor_id: int, *, state: str = "proposed", runners_up: list[dict] | None = None
) -> int:
    """A proposal as a ranking run writes it (score 0.71, rank 1, an explanation)."""
    rows = (
        await Proposal.insert(
            Proposal(
                need=need_id,
                doctor=doctor_id,
                score=0.71,
                rank=1,
                explanation=_explanation(runners_up),
                state=state,
            )
        )
        .returning(Proposal.id)
        .run()
    )
    return int(rows[0]["id"])


async def scene(kind: str = "mission") -> dict:
    """A facility with an Arabic-speaking head, a doctor, a need, a coordinator and one
    proposed pairing; keys: facility, head, doctor, doctor_id, need, coordinator, proposal."""
    facility = await make_facility()
    head = await make_head(facility, language="ar")
    doctor, doctor_id = await make_doctor()
    need = await make_need(facility, kind=kind)
    coordinator = await make_account(Role.COORDINATOR)
    proposal = await make_proposal(need, doctor_id)
    return {
        "facility": facility,
        "head": head,
        "doctor": doctor,
        "doctor_id": doctor_id,
        "need": need,
        "coordinator": coordinator,
        "proposal": proposal,
    }


# --- ranking runs: doctors the ranking can propose, needs dated from today -------------


async def make_rankable_doctor(
    *,
    languages: tuple[str, ...] = ("ar", "en"),
    specialty: str = "emergency_medicine",
    travel: bool = True,
    licence: LicenceState | None = LicenceState.VERIFIED,
    licence_expires: date | None = None,
    years: int = 10,
    licence_scope: str = "foreign",
) -> int:
    """A doctor offering missions, free from 10 to 100 days from today (when ``travel``),
    with a licence in ``licence`` state (none when None). Returns the doctor profile id."""
    account = await make_account(Role.DOCTOR)
    rows = (
        await DoctorProfile.insert(
            DoctorProfile(
                user=account.id,
                country="DE",
                timezone="Europe/Berlin",
                years_experience=years,
                offers_mission=True,
                can_travel=travel,
            )
        )
        .returning(DoctorProfile.id)
        .run()
    )
    doctor_id = int(rows[0]["id"])
    for code in languages:
        await DoctorLanguage.insert(DoctorLanguage(doctor=doctor_id, code=code)).run()
    await DoctorSpecialty.insert(
        DoctorSpecialty(doctor=doctor_id, code=specialty, level="consultant")
    ).run()
    if travel:
        await TravelWindow.insert(
            TravelWindow(
                doctor=doctor_id,
                starts_on=TODAY + timedelta(days=10),
                ends_on=TODAY + timedelta(days=100),
            )
        ).run()
    if licence is not None:
        await Licence.insert(
            Licence(
                doctor=doctor_id,
                issuer_country="DE",
                authority="Ärztekammer",
                number=f"L-{doctor_id}",
                expires_on=licence_expires or TODAY + timedelta(days=400),
                state=licence,
                scope=licence_scope,
            )
        ).run()
    return doctor_id


async def make_rankable_need(
    facility_id: int | None = None,
    *,
    places: int = 1,
    languages: str = "ar",
    specialty: str = "emergency_medicine",
    status: str = "open",
    starts_in: int = 20,
    days: int = 10,
    requires_licence: bool = False,
) -> int:
    """An urgent mission of ``days`` days starting ``starts_in`` days from today (at a new
    facility unless ``facility_id`` is given)."""
    facility_id = facility_id or await make_facility()
    rows = (
        await Need.insert(
            Need(
                facility=facility_id,
                kind="mission",
                title="Emergency mission",
                specialty=specialty,
                languages=languages,
                status=status,
                places=places,
                urgency="urgent",
                requires_licence=requires_licence,
                starts_on=TODAY + timedelta(days=starts_in),
                ends_on=TODAY + timedelta(days=starts_in + days - 1),
            )
        )
        .returning(Need.id)
        .run()
    )
    return int(rows[0]["id"])


async def _bulk(table: type, rows: list) -> list[int]:
    ids: list[int] = []
    for start in range(0, len(rows), 500):
        result = await table.insert(*rows[start : start + 500]).returning(table.id).run()
        ids.extend(int(r["id"]) for r in result)
    return ids


async def make_population(groups: int, per_group: int = 3) -> tuple[list[int], list[int]]:
    """``groups`` Arabic emergency missions of ``per_group`` places, each with exactly
    ``per_group`` doctors free on its dates only (two-day missions three days apart),
    by bulk inserts: a full run proposes ``groups * per_group`` pairings.

    Returns (doctor ids, need ids), in group order.
    """
    async with Need._meta.db.transaction():  # one commit: fast on SQLite
        return await _population(groups, per_group)


async def _population(groups: int, per_group: int) -> tuple[list[int], list[int]]:
    facility_id = await make_facility()
    n = groups * per_group
    users = await _bulk(
        User,
        [
            User(
                email=f"crowd{i}-{facility_id}@example.org",
                password_hash="x",
                full_name=f"Dr. Crowd {i}",
                role=Role.DOCTOR,
            )
            for i in range(n)
        ],
    )
    doctors = await _bulk(
        DoctorProfile,
        [
            DoctorProfile(
                user=u,
                country="DE",
                timezone="Europe/Berlin",
                years_experience=1 + i % 30,
                offers_mission=True,
                can_travel=True,
            )
            for i, u in enumerate(users)
        ],
    )
    await _bulk(DoctorLanguage, [DoctorLanguage(doctor=d, code="ar") for d in doctors])
    await _bulk(
        DoctorSpecialty,
        [DoctorSpecialty(doctor=d, code="emergency_medicine", level="consultant") for d in doctors],
    )
    starts = [TODAY + timedelta(days=10 + 3 * g) for g in range(groups)]
    await _bulk(
        TravelWindow,
        [
            TravelWindow(
                doctor=d,
                starts_on=starts[i // per_group],
                ends_on=starts[i // per_group] + timedelta(days=1),
            )
            for i, d in enumerate(doctors)
        ],
    )
    needs = await _bulk(
        Need,
        [
            Need(
                facility=facility_id,
                kind="mission",
                title=f"Emergency mission {g}",
                specialty="emergency_medicine",
                languages="ar",
                status="open",
                places=per_group,
                urgency="urgent",
                starts_on=start,
                ends_on=start + timedelta(days=1),
            )
            for g, start in enumerate(starts)
        ],
    )
    return doctors, needs


# --- coordinators' past decisions, for the learned model ------------------------------


#: When the first of :func:`make_decisions`' decisions was made (one an hour after it).
DECISIONS_START = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)


def signals_explanation(values: dict[str, float]) -> str:
    """A stored explanation as a ranking run writes it (signals with their values)."""
    return json.dumps(
        {
            "signals": {
                s: {"value": v, "weight": WEIGHTS[s], "contribution": WEIGHTS[s] * v}
                for s, v in values.items()
            },
            "rules_passed": [],
            "shared_skills": [],
            "details": {},
            "runners_up": [],
        }
    )


async def make_decisions(n: int, need_id: int, doctor_id: int | None, seed: int = 0) -> int:
    """``n`` decided proposals, one an hour from :data:`DECISIONS_START`, on ``need_id``.

    These coordinators approve when availability is above one half. Returns the
    number approved.
    """
    rng = np.random.default_rng(seed)
    rows = []
    approved = 0
    for i in range(n):
        values = {s: float(rng.random()) for s in SIGNALS}
        ok = values["availability"] > 0.5
        approved += ok
        rows.append(
            Proposal(
                need=need_id,
                doctor=doctor_id,
                score=sum(WEIGHTS[s] * v for s, v in values.items()),
                rank=1,
                explanation=signals_explanation(values),
                state=ProposalState.APPROVED if ok else ProposalState.REJECTED,
                decision_reason="" if ok else "availability does not fit",
                decided_at=DECISIONS_START + timedelta(hours=i),
            )
        )
    if rows:
        await Proposal.insert(*rows).run()
    return approved


# --- web clients: CSRF and sign-in ---------------------------------------------------


def csrf_token(client: AsyncTestClient) -> str:
    return client.cookies.get("csrftoken", "")


async def ensure_csrf(client: AsyncTestClient) -> str:
    """Fetch a page so the CSRF cookie is set; return the token."""
    if not csrf_token(client):
        await client.get("/login")
    return csrf_token(client)


async def post_form(client: AsyncTestClient, url: str, data: dict[str, object], **kwargs: object):
    token = await ensure_csrf(client)
    return await client.post(url, data={**data, "_csrf_token": token}, **kwargs)  # type: ignore[arg-type]


async def login(client: AsyncTestClient, account: Account | str, password: str = PASSWORD) -> None:
    email = account if isinstance(account, str) else account.email
    response = await post_form(client, "/login", {"email": email, "password": password})
    assert response.status_code in (200, 302, 303), response.text
    assert client.cookies.get("session"), "login did not set a session cookie"


async def api_headers(client: AsyncTestClient) -> dict[str, str]:
    return {"x-csrftoken": await ensure_csrf(client)}


async def invite_head(client: AsyncTestClient, facility: int, email: str) -> str:
    """Invite ``email`` to head ``facility`` (as the signed-in coordinator); return the
    invitation token from the mailed link."""
    response = await post_form(
        client, f"/facilities/{facility}/invitations", {"email": email, "language": "en"}
    )
    assert response.status_code == 200, response.text
    mail = await OutboxMail.select().where(OutboxMail.recipient == email).first().run()
    match = re.search(r"/invitations/([A-Za-z0-9_-]+)", mail["body_text"])
    assert match, mail["body_text"]
    return match.group(1)
