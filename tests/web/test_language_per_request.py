"""The language of a page is the reader's, never the first reader's since start-up.

Jinja folds a filter call on constant arguments at compile time unless the
filter takes its context: ``{{ "rural" | label("area") }}`` became a constant
in whichever language first rendered the template. Here every page of the
app (from its own route table, with demo data, a ranking run and pairings in
every state) is rendered for each role in English, then Arabic, then English
again in one process, and no page shows text of the other language beyond
what users typed (names inside ``<bdi>`` or ``dir="ltr"``).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import AsyncTestClient

from matching.demo import DEMO_LOGINS, DEMO_PASSWORD
from tests.factories import login
from tests.pages import arabic_on_page, demo_world, english_on_page, switch_language
from web.templating import make_environment

pytestmark = pytest.mark.slow  # started first: see tests/conftest.py


def test_the_arabic_finder_sees_stray_arabic() -> None:
    html = (
        '<html lang="en"><body><p>ريفي</p><bdi>مشفى الرستن</bdi>'
        '<option lang="ar" selected>العربية</option><p title="بحث">ok</p></body></html>'
    )
    assert arabic_on_page(html) == ["p: ريفي", "p[title]: بحث"]


def test_a_constant_label_is_not_folded_into_the_compiled_template() -> None:
    """``{{ "rural" | label("area") }}`` is computed per render, in the reader's language."""
    from web.context import current_language

    env = make_environment()
    template = env.from_string('{{ "rural" | label("area") }} {{ "pediatrics" | tax_name }}')
    token = current_language.set("ar")
    try:
        assert template.render() == "ريفي طب الأطفال"
    finally:
        current_language.reset(token)
    token = current_language.set("en")
    try:
        assert template.render() == "Rural Paediatrics"
    finally:
        current_language.reset(token)


# --------------------------------------------------------------- the whole app
_PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")


def _pages(app: Litestar, values: dict[str, Any]) -> list[str]:
    """Every GET page of the app (not the API, static files or downloads), parameters filled."""
    paths: set[str] = set()
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        if route.path.startswith(("/api", "/static", "/schema", "/health")):
            continue
        if not any("GET" in (h.http_methods or ()) for h in route.route_handlers):
            continue
        names = _PARAM.findall(route.path)
        if any(name not in values for name in names):
            raise AssertionError(f"no demo value for {names} in {route.path}")
        paths.add(_PARAM.sub(lambda m: str(values[m.group(1)]), route.path))
    return sorted(paths)


@pytest.mark.parametrize("who", [0, 1, 2, 3], ids=["coordinator", "admin", "head", "doctor"])
async def test_every_page_in_english_then_arabic_then_english(
    app: Litestar, client: AsyncTestClient, who: int
) -> None:
    values = await demo_world()
    await login(client, DEMO_LOGINS[who].email, DEMO_PASSWORD)
    pages = _pages(app, values)
    assert len(pages) > 25
    wrong: dict[str, list[str]] = {}
    shown = 0
    for language in ("en", "ar", "en"):
        await switch_language(client, language)
        for path in pages:
            response = await client.get(path)
            if "text/html" not in response.headers.get("content-type", ""):
                continue
            if response.status_code in (403, 404) and "/login" not in path:
                # a page this role may not see: the refusal page is checked too
                pass
            shown += 1
            html = response.text
            assert f'<html lang="{language}"' in html, (path, language)
            found = english_on_page(html) if language == "ar" else arabic_on_page(html)
            if found:
                wrong[f"{language} {path} ({response.status_code})"] = found
    assert shown > 60
    assert not wrong, "\n".join(f"{page}: {found}" for page, found in wrong.items())


# ------------------------------------------------- needs no doctor can fill, in words
def _unfillable_rows(html: str) -> list[str]:
    """The "why" and "excluded" cells of each row, as text."""
    table = html.split('<table class="unfillable">')[1].split("</table>")[0]
    rows = []
    for row in table.split("<tr>")[2:]:
        cells = row.split("<td>")[2:]
        rows.append(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", " ".join(cells))).strip())
    return rows


@pytest.mark.parametrize("language", ["en", "ar"])
async def test_unfillable_needs_read_as_sentences_the_same_on_dashboard_and_run_page(
    client: AsyncTestClient, language: str
) -> None:
    values = await demo_world()
    await login(client, DEMO_LOGINS[0].email, DEMO_PASSWORD)
    await switch_language(client, language)
    dashboard = _unfillable_rows((await client.get("/coordinator")).text)
    run_page = _unfillable_rows((await client.get(f"/coordinator/runs/{values['run_id']}")).text)
    assert dashboard and dashboard == run_page, "one wording on both pages"
    text = " ".join(dashboard)
    assert not re.search(r"\b(mode|licence|capacity|availability|language): \d", text)
    assert not re.search(r"\d/\d", text), "counts in words, not 3/9"
    if language == "en":
        assert "No doctor is free when this need is." in text
        assert re.search(r"\d+ of \d+ doctors are not free when it is", text)
    else:
        assert "لا يوجد طبيب متفرّغ في وقت هذا الاحتياج." in text
        assert re.search(r"\d+ من أصل \d+ من الأطباء غير متفرّغين في موعده", text)
        assert not re.search(r"[A-Za-z]", text), text
