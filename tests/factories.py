"""Builders for test data, through the real services and tables."""

from __future__ import annotations

import itertools

from litestar.testing import AsyncTestClient

from matching.accounts.services import Account, create_account
from matching.accounts.tables import Role
from matching.consent.services import ASKED_ROLES, record_consent
from matching.facilities.need_commands import create_need
from matching.facilities.tables import Facility, FacilityHead
from web.facilities.forms import need_from_form

PASSWORD = "correct-horse-battery"
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
