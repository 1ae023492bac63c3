"""Doctor sign-up tells nobody whether an address has an account (issue 13 item 7).

A valid sign-up always answers the same page (HTML) or the same 202 body (API);
a new address gets a link that creates the account, the owner of an existing
one gets a mail saying someone tried. Timing: ``python -m benchmarks`` prints
the medians (``benchmarks/account_timing.py``), not a timed test.
"""

from __future__ import annotations

import re

from litestar.testing import AsyncTestClient

from matching.accounts.tables import Role, User
from matching.consent.notice import NOTICE_VERSION
from matching.consent.tables import ConsentRecord
from matching.mail.tables import OutboxMail
from matching.signup.tables import PendingSignup
from tests.factories import api_headers, make_account, post_form

NEW_PASSWORD = "a-long-enough-password"


def _form(email: str, **extra: str) -> dict[str, str]:
    return {
        "full_name": "Dr. Lina Haddad",
        "email": email,
        "password": NEW_PASSWORD,
        "language": "en",
        "privacy_notice": NOTICE_VERSION,
        **extra,
    }


def _shape(text: str, email: str) -> str:
    """The page with what legitimately differs taken out: the address typed, CSRF tokens."""
    text = text.replace(email, "EMAIL")
    return re.sub(r'name="(_csrf_token|csrf_token)" value="[^"]*"', r'name="\1" value=""', text)


async def _mail_link(recipient: str, path: str) -> str:
    mail = await OutboxMail.select().where(OutboxMail.recipient == recipient).first()
    assert mail is not None, f"no mail to {recipient}"
    match = re.search(rf"https?://\S+?({re.escape(path)}[A-Za-z0-9_-]+)", mail["body_text"])
    assert match, mail["body_text"]
    return match.group(1)


async def test_signup_page_answers_the_same_for_known_and_unknown_addresses(
    client: AsyncTestClient,
) -> None:
    owner = await make_account(Role.DOCTOR, email="owner@example.org")
    known = await post_form(client, "/signup", _form("OWNER@example.org"))
    unknown = await post_form(client, "/signup", _form("nobody.yet@example.org"))
    assert known.status_code == unknown.status_code == 200
    assert _shape(known.text, "owner@example.org") == _shape(unknown.text, "nobody.yet@example.org")
    assert "Check your mail" in known.text
    assert "already exists" not in known.text
    for response in (known, unknown):
        assert not any(c.startswith("session=") for c in response.headers.get_list("set-cookie"))
    # Nothing about the owner's account changed; nobody is signed in.
    assert await User.count() == 1
    row = await User.select(User.password_hash).where(User.id == owner.id).first()
    assert row["password_hash"] != NEW_PASSWORD
    assert (await client.get("/api/session")).status_code == 401


async def test_api_signup_answers_the_same_for_known_and_unknown_addresses(
    client: AsyncTestClient,
) -> None:
    await make_account(Role.DOCTOR, email="owner@example.org")
    headers = await api_headers(client)
    answers = []
    for email in ("owner@example.org", "nobody.yet@example.org"):
        body = {k: v for k, v in _form(email).items() if k != "full_name"}
        response = await client.post(
            "/api/doctors/signup", json={**body, "full_name": "Dr. X"}, headers=headers
        )
        answers.append(response)
    assert [a.status_code for a in answers] == [202, 202]
    known, unknown = (a.json() for a in answers)
    assert known.keys() == unknown.keys() == {"email", "detail"}
    assert known["detail"] == unknown["detail"]
    assert (known["email"], unknown["email"]) == ("owner@example.org", "nobody.yet@example.org")
    assert await User.count() == 1


async def test_owner_of_the_address_gets_a_mail_in_their_language(
    client: AsyncTestClient,
) -> None:
    owner = await make_account(Role.FACILITY_HEAD, email="head@example.org", language="ar")
    await post_form(client, "/signup", _form(owner.email))
    mails = await OutboxMail.select().where(OutboxMail.recipient == owner.email)
    assert len(mails) == 1
    mail = mails[0]
    assert mail["language"] == "ar"
    assert re.search(r"[\u0621-\u064A]", mail["subject"]), mail["subject"]
    assert "/login" in mail["body_text"] and "/password/forgot" in mail["body_text"]
    assert "/signup/confirm/" not in mail["body_text"], "no link that could create an account"
    assert await PendingSignup.count() == 0
    print(f"owner's mail: {mail['subject']}")


async def test_new_address_gets_a_link_that_creates_the_account_once(
    client: AsyncTestClient,
) -> None:
    response = await post_form(client, "/signup", _form("Lina@Example.org"))
    assert response.status_code == 200
    assert await User.count() == 0, "no account before the address is proven"
    pending = await PendingSignup.select().first()
    assert pending["password_hash"].startswith("$argon2id$")
    assert NEW_PASSWORD not in pending["password_hash"]
    path = await _mail_link("lina@example.org", "/signup/confirm/")
    assert path.split("/")[-1] not in pending["token_hash"], "only the token's hash is kept"
    page = await client.get(path)
    assert page.status_code == 200 and "lina@example.org" in page.text
    assert await User.count() == 0, "opening the link (a mail scanner may) creates nothing"
    done = await post_form(client, path, {})
    assert done.status_code == 200 and "Dr. Lina Haddad" in done.text, "signed in, at home"
    row = await User.select().where(User.email == "lina@example.org").first()
    assert row["role"] == "doctor"
    assert row["password_hash"].startswith("$argon2id$")
    consent = await ConsentRecord.select().where(ConsentRecord.user == row["id"]).first()
    assert consent["notice_version"] == NOTICE_VERSION and consent["via"] == "signup"
    again = await post_form(client, path, {})
    assert again.status_code == 409
    assert await User.count() == 1


async def test_link_loses_to_an_account_created_meanwhile(client: AsyncTestClient) -> None:
    await post_form(client, "/signup", _form("race@example.org"))
    path = await _mail_link("race@example.org", "/signup/confirm/")
    await make_account(Role.DOCTOR, email="race@example.org")
    response = await post_form(client, path, {})
    assert response.status_code == 409 and "sign in" in response.text
    assert await User.count() == 1


async def test_api_signup_then_confirm(client: AsyncTestClient) -> None:
    headers = await api_headers(client)
    response = await client.post(
        "/api/doctors/signup", json=_form("api.doctor@example.org"), headers=headers
    )
    assert response.status_code == 202, response.text
    token = (await _mail_link("api.doctor@example.org", "/signup/confirm/")).split("/")[-1]
    confirmed = await client.post(
        "/api/doctors/signup/confirm", json={"token": token}, headers=headers
    )
    assert confirmed.status_code == 201, confirmed.text
    assert confirmed.json()["role"] == "doctor"
    assert (await client.get("/api/session")).json()["email"] == "api.doctor@example.org"
    again = await client.post("/api/doctors/signup/confirm", json={"token": token}, headers=headers)
    assert again.status_code == 409


async def test_signup_rerenders_with_errors_next_to_fields(client: AsyncTestClient) -> None:
    response = await post_form(
        client,
        "/signup",
        {"full_name": "", "email": "not-an-email", "password": "short", "language": "en"},
    )
    assert response.status_code == 422
    assert 'id="email-error"' in response.text and "is not a valid email address" in response.text
    assert 'id="password-error"' in response.text and "at least 10 characters" in response.text
    assert 'id="full_name-error"' in response.text
    assert 'id="privacy_notice-error"' in response.text
    assert 'value="not-an-email"' in response.text, "what the user typed is kept"
    assert await User.count() == 0 and await OutboxMail.count() == 0


async def test_api_signup_names_the_missing_consent(client: AsyncTestClient) -> None:
    headers = await api_headers(client)
    body = {k: v for k, v in _form("x@example.org").items() if k != "privacy_notice"}
    missing = await client.post("/api/doctors/signup", json=body, headers=headers)
    assert missing.status_code in (400, 422) and "privacy_notice" in missing.text
    old = await client.post(
        "/api/doctors/signup", json={**body, "privacy_notice": "1999-01-01"}, headers=headers
    )
    assert old.status_code == 422 and old.json()["field"] == "privacy_notice"
    assert await OutboxMail.count() == 0


async def test_signup_cannot_create_a_coordinator(client: AsyncTestClient) -> None:
    await post_form(client, "/signup", _form("eve@example.org", role="coordinator"))
    path = await _mail_link("eve@example.org", "/signup/confirm/")
    await post_form(client, path, {})
    row = await User.select(User.role).where(User.email == "eve@example.org").first()
    assert row["role"] == "doctor"


async def test_reset_request_answers_the_same_and_mails_only_the_owner(
    client: AsyncTestClient,
) -> None:
    account = await make_account(Role.DOCTOR)
    known = await post_form(client, "/password/forgot", {"email": account.email})
    unknown = await post_form(client, "/password/forgot", {"email": "ghost@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert _shape(known.text, account.email) == _shape(unknown.text, "ghost@example.org")
    assert [m["recipient"] for m in await OutboxMail.select(OutboxMail.recipient)] == [
        account.email
    ]
