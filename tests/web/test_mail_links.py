"""Every mailed link is built from BASE_URL, never from the request's Host header."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from matching.accounts.tables import Role
from matching.consent.notice import NOTICE_VERSION
from matching.mail.tables import OutboxMail
from matching.settings import Settings
from tests.factories import make_account, make_facility, post_form

BASE_URL = "https://bridge.example.org"
EVIL = {"host": "evil.test", "x-forwarded-host": "evil.test"}
SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.fixture
async def evil_client(settings: Settings) -> AsyncIterator[AsyncTestClient]:
    from web.app import create_app

    app = create_app(replace(settings, base_url=BASE_URL))
    async with AsyncTestClient(app=app, base_url="http://evil.test") as client:
        yield client


def _links(body: str) -> list[str]:
    return re.findall(r"https?://[^\s\"'<>]+", body)


async def _mail_to(recipient: str) -> dict:
    mail = await OutboxMail.select().where(OutboxMail.recipient == recipient).first()
    assert mail is not None, f"no mail to {recipient}"
    return mail


async def test_invitation_link_ignores_the_host_header(evil_client: AsyncTestClient) -> None:
    coordinator = await make_account(Role.COORDINATOR)
    facility_id = await make_facility()
    await post_form(
        evil_client, "/login", {"email": coordinator.email, "password": "correct-horse-battery"}
    )
    response = await post_form(
        evil_client,
        f"/facilities/{facility_id}/invitations",
        {"email": "new.head@example.org", "language": "en"},
        headers=EVIL,
    )
    assert response.status_code in (200, 302, 303), response.text
    mail = await _mail_to("new.head@example.org")
    for body in (mail["body_text"], mail["body_html"]):
        links = _links(body)
        assert any("/invitations/" in link for link in links), body
        assert all(link.startswith(BASE_URL + "/") for link in links), links
        assert "evil.test" not in body


async def test_reset_link_ignores_the_host_header(evil_client: AsyncTestClient) -> None:
    account = await make_account(Role.DOCTOR)
    await post_form(evil_client, "/password/forgot", {"email": account.email}, headers=EVIL)
    mail = await _mail_to(account.email)
    for body in (mail["body_text"], mail["body_html"]):
        links = _links(body)
        assert any("/password/reset/" in link for link in links), body
        assert all(link.startswith(BASE_URL + "/") for link in links), links
        assert "evil.test" not in body


async def test_signup_links_ignore_the_host_header(evil_client: AsyncTestClient) -> None:
    """Both sign-up mails: the confirmation link and the owner's warning."""
    owner = await make_account(Role.DOCTOR)
    for email in ("fresh@example.org", owner.email):
        await evil_client.get("/signup", headers=EVIL)
        await post_form(
            evil_client,
            "/signup",
            {
                "full_name": "Dr. Host Test",
                "email": email,
                "password": "a-long-enough-password",
                "privacy_notice": NOTICE_VERSION,
            },
            headers=EVIL,
        )
        mail = await _mail_to(email)
        for body in (mail["body_text"], mail["body_html"]):
            links = _links(body)
            assert links and all(link.startswith(BASE_URL + "/") for link in links), links
            assert "evil.test" not in body


def test_no_mailed_link_is_built_from_the_request() -> None:
    """The request's own address never reaches a service (which builds mailed links)."""
    offenders = [
        f"{path.relative_to(SRC)}:{number}"
        for path in SRC.rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"request\.(base_url|url\b)[^.]|url_for\(", line) and "url.path" not in line
    ]
    assert not offenders, offenders
