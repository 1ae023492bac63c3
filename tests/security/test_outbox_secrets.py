"""Reset and invitation tokens reach only their addressee (issue 13, item 1).

The attack: ask a password reset for an admin, open the outbox as a
coordinator, follow the link. A coordinator must find the token nowhere (outbox
list, message page, any page or API route); the outbox exists only in the
embedded default; a message handed to SMTP keeps no token in the database.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import AsyncTestClient

from matching.accounts.tables import Role
from matching.mail.delivery import deliver_outbox
from matching.mail.secrets import MASK
from matching.mail.tables import MailStatus, OutboxMail
from matching.settings import Settings
from tests.factories import login, make_account, make_facility, post_form
from tests.servers import free_port
from tests.smtp import Recorder

BASE = "http://127.0.0.1:8000"
FROM = "Homs Health Bridge <no-reply@homs-health-bridge.org>"


async def _stored_token(recipient: str, path: str) -> tuple[int, str]:
    mail = await OutboxMail.select().where(OutboxMail.recipient == recipient).first().run()
    match = re.search(rf"{path}([A-Za-z0-9_-]+)", mail["body_text"])
    assert match, mail["body_text"]
    return int(mail["id"]), match.group(1)


async def _every_get(app: Litestar, client: AsyncTestClient, mail_ids: list[int]) -> list[str]:
    """Bodies of every GET route without parameters, and of every outbox message."""
    urls = [f"/coordinator/outbox/{mail_id}" for mail_id in mail_ids]
    for route in app.routes:
        routable = isinstance(route, HTTPRoute) and "GET" in route.route_handler_map
        if routable and not route.path_parameters and not route.path.startswith("/static"):
            urls.append(route.path)
    bodies = []
    for url in urls:
        response = await client.get(url, follow_redirects=False)
        bodies.append(f"{url} {response.status_code}\n{response.text}")
    assert len(urls) > 20
    return bodies


async def test_coordinator_cannot_read_an_admins_reset_link_or_an_invitation(
    app: Litestar, client: AsyncTestClient
) -> None:
    admin = await make_account(Role.ADMIN)
    coordinator = await make_account(Role.COORDINATOR)
    facility = await make_facility()
    async with AsyncTestClient(app=app, base_url=BASE) as attacker_anonymous:
        await post_form(attacker_anonymous, "/password/forgot", {"email": admin.email})
    reset_id, reset_token = await _stored_token(admin.email, "/password/reset/")

    await login(client, coordinator)
    invited = await post_form(
        client,
        f"/facilities/{facility}/invitations",
        {"email": "new.head@example.org", "language": "en"},
    )
    assert invited.status_code == 200
    invite_id, invite_token = await _stored_token("new.head@example.org", "/invitations/")

    outbox = await client.get("/coordinator/outbox")
    assert outbox.status_code == 200 and admin.email in outbox.text
    detail = await client.get(f"/coordinator/outbox/{reset_id}")
    assert detail.status_code == 200
    assert f"/password/reset/{MASK}" in detail.text, "the masked link is shown"
    bodies = await _every_get(app, client, [reset_id, invite_id])
    for secret in (reset_token, invite_token):
        leaks = [body.partition("\n")[0] for body in bodies if secret in body]
        assert not leaks, f"a token is readable at {leaks}"

    # The addressee's own link still works.
    async with AsyncTestClient(app=app, base_url=BASE) as owner:
        done = await post_form(
            owner, f"/password/reset/{reset_token}", {"password": "admins-new-password"}
        )
        assert done.status_code == 200, done.text


@pytest.mark.parametrize("variant", ["production", "smtp"])
async def test_outbox_is_not_routed_where_mail_has_a_way_out(
    settings: Settings, variant: str
) -> None:
    from web.app import create_app

    if variant == "production":
        configured = replace(settings, environment="production", secret_key="k" * 48)
        base = "https://127.0.0.1"
    else:
        configured = replace(settings, smtp_url="smtp://127.0.0.1:2525")
        base = BASE
    coordinator = await make_account(Role.COORDINATOR)
    async with AsyncTestClient(app=create_app(configured), base_url=base) as c:
        await login(c, coordinator)
        assert (await c.get("/coordinator/outbox")).status_code == 404
        assert (await c.get("/coordinator/outbox/1")).status_code == 404
        home = await c.get("/coordinator")
        assert home.status_code == 200 and 'href="/coordinator/outbox"' not in home.text


async def test_outbox_is_routed_in_the_embedded_default(client: AsyncTestClient) -> None:
    await login(client, await make_account(Role.COORDINATOR))
    home = await client.get("/coordinator")
    assert 'href="/coordinator/outbox"' in home.text
    assert (await client.get("/coordinator/outbox")).status_code == 200


async def test_a_sent_mail_keeps_no_token_yet_the_addressee_gets_a_working_link(
    app: Litestar, client: AsyncTestClient, smtp: tuple[str, Recorder]
) -> None:
    url, recorder = smtp
    doctor = await make_account(Role.DOCTOR)
    await post_form(client, "/password/forgot", {"email": doctor.email})
    mail_id, token = await _stored_token(doctor.email, "/password/reset/")

    # A refused connection: the retry needs the token, so it is kept while queued.
    dead = f"smtp://127.0.0.1:{free_port()}"
    report = await deliver_outbox(dead, FROM)
    assert report.retrying == 1
    row = await OutboxMail.select().where(OutboxMail.id == mail_id).first().run()
    assert row["status"] == MailStatus.QUEUED and token in row["body_text"]

    await (
        OutboxMail.update({OutboxMail.next_attempt_at: row["created_at"]})
        .where(OutboxMail.id == mail_id)
        .run()
    )
    report = await deliver_outbox(url, FROM)
    assert report.sent == 1
    row = await OutboxMail.select().where(OutboxMail.id == mail_id).first().run()
    assert row["status"] == MailStatus.SENT
    for field in ("subject", "body_text", "body_html", "last_error"):
        assert token not in row[field], f"the sent mail keeps the token in {field}"
    assert f"/password/reset/{MASK}" in row["body_text"]
    assert f"/password/reset/{MASK}" in row["body_html"]

    received = recorder.messages[0]
    assert token in received.get_body(("plain",)).get_content()
    assert token in received.get_body(("html",)).get_content()
    done = await post_form(client, f"/password/reset/{token}", {"password": "doctors-new-pass"})
    assert done.status_code == 200, done.text
