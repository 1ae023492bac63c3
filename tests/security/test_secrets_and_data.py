"""Secrets never reach the logs; the audit trail cannot be edited; deletion erases.

Each test attacks the rule: it captures every log record during sign-up,
login and reset and searches it; it reads the source and the route table for
any way to change an audit event; it deletes an account and then searches
every text column of every table for what the person had given us.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import AsyncTestClient

from matching.accounts.services import get_account
from matching.accounts.tables import Role, User
from matching.consent.notice import NOTICE_VERSION
from matching.doctors.tables import DoctorProfile, Licence
from matching.mail.tables import OutboxMail
from matching.pairings import transitions
from matching.piccolo_app import all_tables
from matching.settings import Settings
from tests.factories import (
    make_account,
    make_facility,
    make_head,
    make_need,
    make_proposal,
    post_form,
)

ROOT = Path(__file__).resolve().parents[2]
OWN_LOGGERS = ("web", "matching", "workers")
LOGGERS = ("", "litestar", "uvicorn", "uvicorn.error", "uvicorn.access", *OWN_LOGGERS)


async def test_no_password_or_secret_in_logs(
    client: AsyncTestClient, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    first, wrong, second = "first-Secret-pass-91", "wrong-Secret-pass-92", "second-Secret-pass-93"
    # The app's own loggers at DEBUG, libraries at the configured INFO (aiosqlite's
    # DEBUG records echo every SQL parameter, reset-mail bodies included).
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG if name in OWN_LOGGERS else logging.INFO, logger=name)
    await post_form(
        client,
        "/signup",
        {
            "full_name": "Dr. Log Test",
            "email": "logs@example.org",
            "password": first,
            "privacy_notice": NOTICE_VERSION,
        },
    )
    mail = await OutboxMail.select().where(OutboxMail.recipient == "logs@example.org").first()
    signup_token = re.search(r"/signup/confirm/(\S+)", mail["body_text"]).group(1)
    await post_form(client, f"/signup/confirm/{signup_token}", {})
    await client.post("/logout", data={"_csrf_token": client.cookies.get("csrftoken")})
    await post_form(client, "/login", {"email": "logs@example.org", "password": wrong})
    await post_form(client, "/login", {"email": "logs@example.org", "password": first})
    headers = {"x-csrftoken": client.cookies.get("csrftoken", "")}
    await client.post(
        "/api/session", json={"email": "logs@example.org", "password": wrong}, headers=headers
    )
    await post_form(client, "/password/forgot", {"email": "logs@example.org"})
    mail = (
        await OutboxMail.select()
        .where(
            OutboxMail.recipient == "logs@example.org", OutboxMail.body_text.like("%/password/%")
        )
        .first()
    )
    token = re.search(r"/password/reset/(\S+)", mail["body_text"]).group(1)
    await post_form(client, f"/password/reset/{token}", {"password": second})
    await client.post(
        "/api/doctors/signup",
        headers=headers,
        json={"email": "bad", "full_name": "X", "password": wrong},
    )

    # httpx is the test's own client (it logs the URLs it requests), not the server.
    records = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    text = "\n".join(f"{r.name} {r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in records)
    for secret in (first, wrong, second, settings.secret_key, token, signup_token):
        assert secret not in text, f"a secret reached the logs: {secret[:6]}..."
    for row in await OutboxMail.select(OutboxMail.body_text, OutboxMail.body_html):
        assert first not in row["body_text"] + row["body_html"]
    print(
        f"logs: {len(records)} records searched for 3 passwords, the reset and sign-up "
        "tokens, SECRET_KEY"
    )


def _enclosing_function(source: str, offset: int) -> str:
    names = re.findall(r"^(?:async )?def (\w+)", source[:offset], re.M)
    return names[-1] if names else "<module>"


# The one sanctioned exception: erasing a deleted account's personal data from
# the trail (who/what/when stays; names, emails and before/after are blanked).
ERASURE_FUNCTIONS = {
    ("src/matching/audit/erasure.py", "forget_actor"),
    ("src/matching/audit/erasure.py", "blank_subjects"),
}


def test_audit_events_are_only_ever_inserted(app: Litestar) -> None:
    """No code path updates or deletes an AuditEvent (but erasure); no route offers to."""
    offenders = []
    patterns = [
        r"AuditEvent\s*\.\s*(update|delete|raw|alter)\b",
        r"(?i)(update|delete\s+from|truncate)\s+\"?audit_event",
        r"AuditEvent\b[^\n]*\.\s*(save|remove)\s*\(",
    ]
    for path in [*ROOT.glob("src/**/*.py"), *ROOT.glob("workers/**/*.py")]:
        source = path.read_text(encoding="utf-8")
        relative = str(path.relative_to(ROOT))
        for pattern in patterns:
            for match in re.finditer(pattern, source):
                function = _enclosing_function(source, match.start())
                if (relative, function) in ERASURE_FUNCTIONS and "update" in match.group(0):
                    continue
                offenders.append(f"{relative} ({function}): {match.group(0)}")
    assert not offenders, offenders
    writes = [
        f"{method} {route.path}"
        for route in app.routes
        if isinstance(route, HTTPRoute) and "audit" in route.path
        for method in route.route_handler_map
        if method in ("POST", "PUT", "PATCH", "DELETE")
    ]
    assert not writes, f"routes that could change the audit trail: {writes}"


async def test_deleted_account_leaves_no_personal_data(
    client: AsyncTestClient, settings: Settings, app: Litestar
) -> None:
    routes = {
        (m, r.path) for r in app.routes if isinstance(r, HTTPRoute) for m in r.route_handler_map
    }
    if ("DELETE", "/api/doctors/me") not in routes:
        pytest.fail("DELETE /api/doctors/me (account deletion) does not exist yet")
    markers = {
        "email": "zaynab.qx7@example.org",
        "name": "Zaynab Qx7-Haddad",
        "phone": "+49 30 7777 1234",
        "contact": "zaynab.private.qx7@example.org",
        "city": "Qx7-Stadt",
        "licence": "LIC-QX7-0042",
    }
    headers = {"x-csrftoken": ""}
    await client.get("/login")
    headers["x-csrftoken"] = client.cookies.get("csrftoken", "")
    signup = await client.post(
        "/api/doctors/signup",
        headers=headers,
        json={
            "email": markers["email"],
            "full_name": markers["name"],
            "password": "a-long-enough-password",
            "privacy_notice": NOTICE_VERSION,
        },
    )
    assert signup.status_code == 202, signup.text
    mail = await OutboxMail.select().where(OutboxMail.recipient == markers["email"]).first()
    confirm_token = re.search(r"/signup/confirm/(\S+)", mail["body_text"]).group(1)
    signup = await client.post(
        "/api/doctors/signup/confirm", headers=headers, json={"token": confirm_token}
    )
    assert signup.status_code == 201, signup.text
    user_id = signup.json()["id"]
    profile = (
        await DoctorProfile.select(DoctorProfile.id).where(DoctorProfile.user == user_id).first()
    )
    if profile is None:
        await DoctorProfile.insert(DoctorProfile(user=user_id)).run()
        profile = (
            await DoctorProfile.select(DoctorProfile.id)
            .where(DoctorProfile.user == user_id)
            .first()
        )
    await DoctorProfile.update(
        {
            DoctorProfile.phone: markers["phone"],
            DoctorProfile.contact_email: markers["contact"],
            DoctorProfile.city: markers["city"],
            DoctorProfile.bio: markers["name"],
        }
    ).where(DoctorProfile.id == profile["id"])
    document = settings.uploads_dir / "licences" / "qx7.pdf"
    document.parent.mkdir(parents=True, exist_ok=True)
    document.write_bytes(b"%PDF-1.4\n%%EOF\n")
    await Licence.insert(
        Licence(
            doctor=profile["id"],
            issuer_country="DE",
            authority="Kammer",
            number=markers["licence"],
            expires_on=date(2030, 1, 1),
            document_path="licences/qx7.pdf",
            document_mime="application/pdf",
            document_name="qx7.pdf",
        )
    ).run()
    # Leave traces elsewhere too: a password reset mail, a failed login, and a pairing
    # offered to her and declined with a reason that names her (the coordinators get a
    # mail and an in-app notice with her name).
    await post_form(client, "/password/forgot", {"email": markers["email"]})
    facility = await make_facility()
    await make_head(facility)
    coordinator = await make_account(Role.COORDINATOR)
    proposal = await make_proposal(await make_need(facility), profile["id"])
    await transitions.approve(proposal, coordinator, base_url="http://x")
    doctor = await get_account(user_id)
    assert doctor is not None
    await transitions.decline(
        proposal, doctor, note=f"{markers['name']} is on call that week", base_url="http://x"
    )
    assert await OutboxMail.count().where(OutboxMail.recipient == coordinator.email) == 1

    deleted = await client.delete("/api/doctors/me", headers=headers)
    assert deleted.status_code in (200, 204), deleted.text
    assert await User.count().where(User.id == user_id) == 0

    found = []
    for table in all_tables():
        columns = [
            c
            for c in table._meta.columns
            if c.value_type in (str, dict, list)
            or c.__class__.__name__ in ("Varchar", "Text", "JSON", "JSONB")
        ]
        if not columns:
            continue
        for row in await table.select(*columns):
            blob = " ".join(str(v) for v in row.values()).lower()
            for label, marker in markers.items():
                if marker.lower() in blob:
                    found.append(f"{table._meta.tablename}: {label}")
    assert not document.exists(), "the licence document file is still on disk"
    assert not found, f"personal data left after deletion: {sorted(set(found))}"
