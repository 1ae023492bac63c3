"""Refusals and API errors reach the reader in their language, with their figures.

A message with parameters is a :class:`matching.i18n.Message`: it reads as English
where a string is expected and keeps its msgid and parameters, so pages and the
JSON API translate it (the old ``N_("...") % {...}`` produced text no catalog held).
"""

from __future__ import annotations

import re

from litestar.testing import AsyncTestClient

from matching.accounts.tables import Role
from matching.facilities.tables import Need
from matching.i18n import Message, translate
from tests.factories import api_headers, login, make_account, make_facility, make_head
from web.context import current_language
from web.templating import make_environment

ARABIC_LETTERS = re.compile(r"[\u0621-\u064A]")


def test_a_message_reads_as_english_and_translates_with_its_parameters() -> None:
    message = Message("Pairing #%(id)s does not exist.", id=42)
    assert message == "Pairing #42 does not exist."
    assert translate("ar", message) == "المطابقة رقم 42 غير موجودة."
    nested = Message(
        "A need that is %(current)s cannot become %(wanted)s.",
        current=Message("Cancelled"),
        wanted=Message("Open"),
    )
    assert nested == "A need that is Cancelled cannot become Open."
    assert "ملغى" in translate("ar", nested) and "مفتوح" in translate("ar", nested)


def test_templates_translate_a_message_and_keep_its_percent_signs() -> None:
    env = make_environment()
    template = env.from_string("{{ _(m) }}")
    token = current_language.set("ar")
    try:
        shown = template.render(m=Message("unknown skill: %(code)s", code="100%_sure"))
    finally:
        current_language.reset(token)
    assert "100%_sure" in shown and ARABIC_LETTERS.search(shown)


async def _need(facility: int, status: str) -> int:
    rows = (
        await Need.insert(
            Need(
                facility=facility,
                kind="mission",
                title="Night shifts",
                specialty="pediatrics",
                status=status,
                places=1,
            )
        )
        .returning(Need.id)
        .run()
    )
    return int(rows[0]["id"])


async def test_api_refusal_is_in_the_readers_language(client: AsyncTestClient) -> None:
    facility = await make_facility()
    head = await make_head(facility, language="ar")
    need = await _need(facility, "cancelled")
    await login(client, head)
    response = await client.post(
        f"/api/needs/{need}/status", json={"status": "open"}, headers=await api_headers(client)
    )
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert detail == "لا يمكن لاحتياج حالته «ملغى» أن يصبح «مفتوح»."
    bad = await client.post(
        "/api/needs",
        json={
            "facility_id": facility,
            "kind": "mission",
            "title": "x",
            "specialty": "pediatrics",
            "skills": ["no_such_skill"],
            "starts_on": "2099-01-01",
            "ends_on": "2099-01-05",
        },
        headers=await api_headers(client),
    )
    assert bad.status_code == 422, bad.text
    body = bad.json()
    assert body["field"] in body["errors"]
    assert all(ARABIC_LETTERS.search(m) for m in body["errors"].values()), body


async def test_api_refusal_in_english_for_an_english_reader(client: AsyncTestClient) -> None:
    facility = await make_facility()
    head = await make_head(facility)
    need = await _need(facility, "cancelled")
    await login(client, head)
    response = await client.post(
        f"/api/needs/{need}/status", json={"status": "open"}, headers=await api_headers(client)
    )
    assert response.json()["detail"] == "A need that is cancelled cannot become open."


async def test_missing_pairing_page_is_arabic(client: AsyncTestClient) -> None:
    coordinator = await make_account(Role.COORDINATOR, language="ar")
    await login(client, coordinator)
    page = await client.get("/pairings/987654")
    assert page.status_code == 404
    assert "المطابقة رقم 987654 غير موجودة." in page.text
