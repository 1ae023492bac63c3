"""Consent to the privacy notice (issue 13 item 10): shown at sign-up and on invitations,
recorded with its version and time, asked again for a new version before anything else,
part of the doctor's export."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from litestar.testing import AsyncTestClient

from matching.accounts.tables import Role, User
from matching.consent.notice import NOTICE_VERSION, SECTIONS
from matching.consent.services import (
    NOTICE_NOT_ACCEPTED,
    create_invited_account,
    record_consent,
)
from matching.consent.tables import ConsentRecord
from matching.errors import ValidationFailed
from matching.i18n import gettext
from matching.mail.tables import OutboxMail
from tests.factories import api_headers, login, make_account, make_facility, post_form

OLD_VERSION = "2025-01-01"
ARABIC = re.compile(r"[\u0621-\u064A]")


def _asked(response: object) -> bool:
    """True when ``response`` sends the browser to the consent page."""
    return response.status_code == 303 and response.headers["location"].startswith("/consent")


async def _with_old_consent(role: Role) -> object:
    """An account that accepted an earlier notice (the current one is new to it)."""
    account = await make_account(role, consented=False)
    await record_consent(
        account.id,
        actor_label=account.email,
        via="signup",
        language="en",
        notice_version=OLD_VERSION,
        accepted_at=datetime(2025, 1, 1, tzinfo=UTC),
    )
    return account


async def test_signup_page_shows_the_notice_in_the_readers_language(
    client: AsyncTestClient,
) -> None:
    english = await client.get("/signup", headers={"accept-language": "en"})
    for section in SECTIONS:
        assert section.heading in english.text
    assert f'name="privacy_notice" value="{NOTICE_VERSION}"' in english.text
    arabic = await client.get("/signup", headers={"accept-language": "ar"})
    for section in SECTIONS:
        translated = gettext("ar", section.text)
        assert translated != section.text and ARABIC.search(translated)
        assert translated in arabic.text
    assert gettext("ar", "Privacy notice") in arabic.text
    public = await client.get("/privacy", headers={"accept-language": "ar"})
    assert public.status_code == 200 and gettext("ar", SECTIONS[1].heading) in public.text


async def test_new_notice_version_asks_again_before_anything_else(
    client: AsyncTestClient,
) -> None:
    doctor = await _with_old_consent(Role.DOCTOR)
    await login(client, doctor)
    for path in ("/", "/doctors/me", "/doctors/me/availability"):
        response = await client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/consent?next="), path
    page = await client.get("/", follow_redirects=True)
    assert str(page.url).endswith("/consent?next=/")
    assert "Before you go on" in page.text and SECTIONS[0].heading in page.text
    # What stays open: the notice, the account itself, the data export, signing out.
    assert (await client.get("/api/session")).status_code == 200
    assert (await client.get("/privacy")).status_code == 200
    assert (await client.get("/doctors/me/export")).status_code == 200
    # A form posted elsewhere is not carried out.
    refused = await post_form(
        client, "/doctors/me/profile", {"country": "DE"}, follow_redirects=False
    )
    assert refused.status_code == 303 and refused.headers["location"] == "/consent?next=/"
    # Not ticking the box is refused, saying why.
    unticked = await post_form(client, "/consent", {"next": "/doctors/me"})
    assert unticked.status_code == 422 and 'id="privacy_notice-error"' in unticked.text
    accepted = await post_form(
        client,
        "/consent",
        {"next": "/doctors/me", "privacy_notice": NOTICE_VERSION},
        follow_redirects=False,
    )
    assert accepted.status_code == 303 and accepted.headers["location"] == "/doctors/me"
    assert not _asked(await client.get("/", follow_redirects=False))
    rows = (
        await ConsentRecord.select(ConsentRecord.notice_version, ConsentRecord.via)
        .where(ConsentRecord.user == doctor.id)
        .order_by(ConsentRecord.id)
        .run()
    )
    assert rows == [
        {"notice_version": OLD_VERSION, "via": "signup"},
        {"notice_version": NOTICE_VERSION, "via": "reconsent"},
    ]


async def test_api_says_consent_is_needed_and_takes_it(client: AsyncTestClient) -> None:
    head = await _with_old_consent(Role.FACILITY_HEAD)
    await login(client, head)
    headers = await api_headers(client)
    refused = await client.get("/api/facilities")
    assert refused.status_code == 403, refused.text
    body = refused.json()
    assert body["field"] == "consent" and "/api/privacy-notice" in body["detail"]
    notice = await client.get("/api/privacy-notice", headers={"accept-language": "ar"})
    assert notice.status_code == 200
    assert notice.json()["version"] == NOTICE_VERSION
    assert len(notice.json()["sections"]) == len(SECTIONS)
    wrong = await client.post(
        "/api/privacy-notice/accept", json={"version": OLD_VERSION}, headers=headers
    )
    # the body's own field, refused at decoding as the schema says
    assert wrong.status_code == 422 and wrong.json()["field"] == "version"
    ok = await client.post(
        "/api/privacy-notice/accept", json={"version": NOTICE_VERSION}, headers=headers
    )
    assert ok.status_code == 201 and ok.json()["notice_version"] == NOTICE_VERSION
    assert (await client.get("/api/facilities")).status_code == 200


async def test_openapi_documents_the_consent_answer(client: AsyncTestClient) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    forbidden = document["paths"]["/api/doctors/me"]["get"]["responses"]["403"]["description"]
    assert "consent" in forbidden and "/api/privacy-notice/accept" in forbidden
    assert "/api/privacy-notice" in document["paths"]


async def test_staff_are_not_asked(client: AsyncTestClient) -> None:
    coordinator = await make_account(Role.COORDINATOR, consented=False)
    await login(client, coordinator)
    assert not _asked(await client.get("/", follow_redirects=False))


async def test_account_without_any_consent_is_asked(client: AsyncTestClient) -> None:
    doctor = await make_account(Role.DOCTOR, consented=False)
    await login(client, doctor)
    response = await client.get("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/consent")


async def test_export_includes_the_consent_record(client: AsyncTestClient) -> None:
    doctor = await _with_old_consent(Role.DOCTOR)
    await record_consent(doctor.id, actor_label=doctor.email, via="reconsent", language="ar")
    await login(client, doctor)
    export = await client.get("/api/doctors/me/export")
    assert export.status_code == 200, export.text
    consent = export.json()["consent"]
    assert [c["notice_version"] for c in consent] == [OLD_VERSION, NOTICE_VERSION]
    assert consent[0]["accepted_at"].startswith("2025-01-01")
    assert consent[1]["language"] == "ar" and consent[1]["via"] == "reconsent"


async def test_head_joining_by_invitation_accepts_the_notice(client: AsyncTestClient) -> None:
    facility = await make_facility()
    coordinator = await make_account(Role.COORDINATOR)
    await login(client, coordinator)
    await post_form(client, f"/facilities/{facility}/invitations", {"email": "head@example.org"})
    mail = await OutboxMail.select().where(OutboxMail.recipient == "head@example.org").first()
    token = re.search(r"/invitations/([A-Za-z0-9_-]+)", mail["body_text"]).group(1)
    await post_form(client, "/logout", {})
    page = await client.get(f"/invitations/{token}", headers={"accept-language": "ar"})
    assert gettext("ar", SECTIONS[0].text) in page.text
    form = {"full_name": "Dr. Head", "password": "a-long-enough-password", "language": "ar"}
    unticked = await post_form(client, f"/invitations/{token}", form)
    assert unticked.status_code == 422 and 'id="privacy_notice-error"' in unticked.text
    assert await User.count().where(User.email == "head@example.org") == 0
    done = await post_form(
        client, f"/invitations/{token}", {**form, "privacy_notice": NOTICE_VERSION}
    )
    assert done.status_code == 200
    user = await User.select(User.id).where(User.email == "head@example.org").first()
    record = await ConsentRecord.select().where(ConsentRecord.user == user["id"]).first()
    assert record["notice_version"] == NOTICE_VERSION
    assert record["via"] == "invitation" and record["language"] == "ar"
    assert not _asked(await client.get("/facilities", follow_redirects=False))


async def test_every_page_links_to_the_notice(client: AsyncTestClient) -> None:
    for path in ("/", "/login", "/signup"):
        page = await client.get(path, headers={"accept-language": "ar"})
        assert f'<a href="/privacy">{gettext("ar", "Privacy notice")}</a>' in page.text, path


async def test_an_invitation_refused_names_the_notice_beside_the_other_fields_in_arabic(
    db: str,
) -> None:
    """Heads and clinicians accept their invitations through one function: a short password
    and no tick on the notice are named together, in the reader's language, and no account
    or consent is stored."""
    with pytest.raises(ValidationFailed) as refused:
        await create_invited_account(
            email="invited@example.org",
            full_name="Rana",
            password="short",
            privacy_notice=None,
            role=Role.FACILITY_HEAD,
            language="ar",
        )
    errors = refused.value.translated_errors("ar")
    assert set(errors) == {"password", "privacy_notice"}
    assert errors["privacy_notice"] == gettext("ar", NOTICE_NOT_ACCEPTED) != NOTICE_NOT_ACCEPTED
    assert await User.count().where(User.email == "invited@example.org") == 0
    assert await ConsentRecord.count() == 0
