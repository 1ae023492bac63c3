"""Plain words in both languages: states, signals, shares of the score, country names."""

from __future__ import annotations

import re

from litestar.testing import AsyncTestClient

from matching.demo import DEMO_LOGINS, DEMO_PASSWORD
from matching.doctors.validation import country_choices, country_codes
from matching.ranking.weights import WEIGHTS
from tests.factories import login
from tests.pages import demo_world, switch_language


def test_country_list_holds_countries_only() -> None:
    for language in ("en", "ar"):
        names = dict(country_choices(language))
        assert {"DE", "SY", "SE", "TR", "XK"} <= set(names)
    english = dict(country_choices("en"))
    for not_a_country in (
        "Pseudo-Bidi",
        "Pseudo-Accents",
        "Eurozone",
        "European Union",
        "United Nations",
        "Unknown Region",
        "Outlying Oceania",
    ):
        assert not_a_country not in english.values()
    assert not {"EU", "EZ", "UN", "XA", "XB", "ZZ", "QO"} & country_codes()
    assert dict(country_choices("ar"))["DE"] == "ألمانيا"


async def test_review_queue_speaks_plainly(client: AsyncTestClient) -> None:
    await demo_world()
    await login(client, DEMO_LOGINS[0].email, DEMO_PASSWORD)
    await switch_language(client, "en")
    queue = (await client.get("/coordinator/review")).text
    assert "Specialty fit" in queue and "How much the need matters" in queue
    assert "Urgency and how under-served the facility is" in queue, "a one-line meaning"
    specialty = re.escape(f"{WEIGHTS['specialty']:.2f}")
    assert re.search(rf"contributes \d\.\d\d of {specialty}", queue), "the specialty's share"
    assert "need weight" not in queue and "×" not in queue
    assert "Germany" in queue or "United States" in queue, "countries by name"
    assert '<span class="ltr">DE</span>' not in queue
    await switch_language(client, "ar")
    arabic = (await client.get("/coordinator/review")).text
    assert "ملاءمة الاختصاص" in arabic and "يساهم بـ" in arabic
    licences = (await client.get("/coordinator/licences")).text
    assert "تركيا" in licences, "the issuing country by name (Dr. Karim Youssef, TR)"
    assert "<td>TR ·" not in licences


async def test_doctor_sees_licence_state_in_words(client: AsyncTestClient) -> None:
    await demo_world()
    await login(client, DEMO_LOGINS[3].email, DEMO_PASSWORD)
    await switch_language(client, "en")
    page = (await client.get("/doctors/me/licences")).text
    assert ">Verified<" in page and ">verified<" not in page
    assert "Germany" in page
