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
from html.parser import HTMLParser
from typing import Any

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import AsyncTestClient

from matching.accounts.services import Account, get_account
from matching.accounts.tables import User
from matching.audit.tables import AuditEvent
from matching.demo import DEMO_LOGINS, DEMO_PASSWORD, load_demo_data
from matching.doctors.tables import DoctorProfile, Licence
from matching.facilities.tables import Facility, Need
from matching.mail.tables import OutboxMail
from matching.pairings import runs, transitions
from matching.pairings.tables import Proposal
from tests.factories import login, post_form
from tests.web.test_i18n_pages import english_on_page
from web.templating import make_environment

_ARABIC = re.compile(r"[\u0621-\u064A]{2,}")


class _ArabicFinder(HTMLParser):
    """Visible Arabic words on an English page, outside what users typed (``<bdi>``, ``ltr``)
    and outside the language switcher (which names Arabic in Arabic)."""

    SKIP = frozenset({"script", "style", "bdi", "textarea", "code"})
    VOID = frozenset({"br", "hr", "img", "input", "link", "meta", "source", "wbr", "col"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._open: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        skipped = (
            tag in self.SKIP
            or a.get("lang") == "ar"
            or a.get("dir") in ("rtl", "auto")
            or (tag == "option" and "selected" not in a)
        )
        if not skipped and not any(s for _, s in self._open):
            for name in ("placeholder", "title", "aria-label"):
                if _ARABIC.search(a.get(name) or ""):
                    self.found.append(f"{tag}[{name}]: {a[name]}")
        if tag not in self.VOID:
            self._open.append((tag, skipped))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == tag:
                del self._open[index:]
                break

    def handle_data(self, data: str) -> None:
        if any(s for _, s in self._open) or "head" in (t for t, _ in self._open):
            return
        if _ARABIC.search(data):
            tag = self._open[-1][0] if self._open else "?"
            self.found.append(f"{tag}: {data.strip()[:100]}")


def arabic_on_page(html: str) -> list[str]:
    finder = _ArabicFinder()
    finder.feed(html)
    finder.close()
    return finder.found


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
async def _account(email: str) -> Account | None:
    row = await User.select(User.id).where(User.email == email).first()
    return await get_account(row["id"])


async def _demo_world() -> dict[str, Any]:
    """Demo data, a finished ranking and one pairing in each state a reader meets."""
    await load_demo_data()
    run_id = await runs.create_run("full")
    await runs.execute_run(run_id)
    coordinator = await _account(DEMO_LOGINS[0].email)
    doctor = await _account(DEMO_LOGINS[3].email)
    assert coordinator and doctor
    profile = await DoctorProfile.select(DoctorProfile.id).where(DoctorProfile.user == doctor.id)
    doctor_id = profile[0]["id"]
    offered = await Proposal.select(Proposal.id).where(Proposal.doctor == doctor_id)
    assert offered, "the demo doctor is proposed for a need"
    await transitions.approve(offered[0]["id"], coordinator)
    await transitions.accept(offered[0]["id"], doctor)
    others = await Proposal.select(Proposal.id).where(
        (Proposal.state == "proposed") & (Proposal.doctor != doctor_id)
    )
    if len(others) > 1:
        await transitions.reject(others[0]["id"], coordinator, reason="availability")
    head_facility = await Facility.select(Facility.id).where(
        Facility.name_en == "Al-Rastan National Hospital"
    )
    need = await Need.select(Need.id).where(Need.facility == head_facility[0]["id"]).first()
    licence = await Licence.select(Licence.id).where(Licence.doctor == doctor_id).first()
    mail = await OutboxMail.select(OutboxMail.id).first()
    assert await AuditEvent.count() > 5
    return {
        "facility_id": head_facility[0]["id"],
        "need_id": need["id"],
        "proposal_id": offered[0]["id"],
        "doctor_id": doctor_id,
        "run_id": run_id,
        "licence_id": licence["id"],
        "mail_id": mail["id"] if mail else 1,
        "window_id": 1,
        "slot_id": 1,
        "token": "no-such-token",
    }


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


async def _switch(client: AsyncTestClient, language: str) -> None:
    response = await post_form(client, "/language", {"language": language, "next": "/"})
    assert response.status_code == 200


@pytest.mark.parametrize("who", [0, 1, 2, 3], ids=["coordinator", "admin", "head", "doctor"])
async def test_every_page_in_english_then_arabic_then_english(
    app: Litestar, client: AsyncTestClient, who: int
) -> None:
    values = await _demo_world()
    await login(client, DEMO_LOGINS[who].email, DEMO_PASSWORD)
    pages = _pages(app, values)
    assert len(pages) > 25
    wrong: dict[str, list[str]] = {}
    shown = 0
    for language in ("en", "ar", "en"):
        await _switch(client, language)
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
    values = await _demo_world()
    await login(client, DEMO_LOGINS[0].email, DEMO_PASSWORD)
    await _switch(client, language)
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
