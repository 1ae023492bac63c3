"""The audit trail reads as sentences: who did what to what, what changed, in words.

No action codes, no JSON; filterable by action (named in words), subject, person
and dates; one card per event so it reads on a phone in both directions.
"""

from __future__ import annotations

import re

import pytest
from litestar.testing import AsyncTestClient

from matching.demo import DEMO_LOGINS, DEMO_PASSWORD
from tests.factories import login
from tests.pages import demo_world, english_on_page, switch_language


def _events(html: str) -> list[str]:
    items = re.findall(
        r'<li class="card audit-event"[^>]*>(.*?)</li>\s*(?=<li class="card|</ol>)', html, re.S
    )
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", item)).strip() for item in items]


async def test_audit_trail_reads_as_sentences_in_english(client: AsyncTestClient) -> None:
    values = await demo_world()
    await login(client, DEMO_LOGINS[0].email, DEMO_PASSWORD)
    await switch_language(client, "en")
    page = await client.get("/coordinator/audit")
    assert page.status_code == 200
    events = _events(page.text)
    assert len(events) > 5
    approved = f"Sara Coordinator approved Proposal #{values['proposal_id']}"
    assert any(e.startswith(approved) and "State: Proposed → Approved" in e for e in events), events
    assert any("Dr. Lina Haddad confirmed Proposal" in e for e in events)
    assert any("The platform" in e or "Sara Coordinator" in e for e in events)
    body = page.text.split('<ol class="audit-list">')[1]
    assert "proposal.approved" not in body and "{&#34;" not in body and '{"' not in body
    assert "<table" not in body, "cards, not a table with narrow columns"


async def test_audit_trail_filters_by_action_named_in_words(client: AsyncTestClient) -> None:
    await demo_world()
    await login(client, DEMO_LOGINS[0].email, DEMO_PASSWORD)
    await switch_language(client, "en")
    page = await client.get("/coordinator/audit", params={"action": "proposal.approved"})
    assert '<option value="proposal.approved" selected>Pairing approved</option>' in page.text
    events = _events(page.text)
    assert events and all(" approved Proposal #" in e for e in events), events
    by_person = await client.get("/coordinator/audit", params={"actor": "Lina"})
    assert _events(by_person.text) and all(
        e.startswith("Dr. Lina Haddad") for e in _events(by_person.text)
    )


async def test_audit_trail_in_arabic_has_no_english_but_names(client: AsyncTestClient) -> None:
    values = await demo_world()
    await login(client, DEMO_LOGINS[0].email, DEMO_PASSWORD)
    await switch_language(client, "ar")
    page = await client.get("/coordinator/audit")
    assert english_on_page(page.text) == []
    assert any("السبب: أوقات التفرّغ غير مناسبة" in e for e in _events(page.text)), "a listed reason"
    events = _events(page.text)
    assert any(
        f"وافق Sara Coordinator على اقتراح رقم {values['proposal_id']}" in e
        and "الحالة: مقترَح ← موافَق عليه" in e
        for e in events
    ), events


@pytest.mark.parametrize("language", ["en", "ar"])
async def test_audit_csv_keeps_the_codes_for_spreadsheets(
    client: AsyncTestClient, language: str
) -> None:
    await demo_world()
    await login(client, DEMO_LOGINS[0].email, DEMO_PASSWORD)
    await switch_language(client, language)
    csv = await client.get("/coordinator/audit.csv", params={"action": "proposal.approved"})
    assert csv.status_code == 200 and "proposal.approved" in csv.text
