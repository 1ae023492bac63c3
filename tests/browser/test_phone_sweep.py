"""Every page of every role on a phone (360 x 740), in English and Arabic.

The pages come from the app's own route list (every GET route that answers
HTML), path parameters filled with ids from the demo data, after a ranking run
and one approval so that the review queue, the pairing pages, the run page and
the outbox have something to show. Each page, in each language, must have:

* no horizontal overflow (the document is no wider than the screen);
* tap targets of at least 24 x 24 CSS px (WCAG 2.2, 2.5.8 "Target Size
  (Minimum)"): an undersized target passes only under the standard's own
  exceptions (a link inside a sentence; a 24 px circle around it touching no
  other target); radio buttons and checkboxes must be 24 px themselves;
* bar charts mirrored in Arabic: the bars start at the right (labels to their
  right), in English at the left.

The checks run in the page: ``phone_check.js``.

The sweep is bounded: at most three tries per route and role, and a time
limit. The pages seen, and every finding, are written to
``test-artifacts/phone-sweep.json``.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute

from benchmarks.browser import CHROMIUM, CHROMIUM_ARGS, demo_server
from matching.demo import DEMO_PASSWORD
from web.routes import ROUTE_HANDLERS

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 360, "height": 740}
TIME_LIMIT_S = 240
COORDINATOR = "coordinator@demo.homs-health.org"
ROLES = {
    "anonymous": None,
    "doctor": "doctor@demo.homs-health.org",
    "head": "head@demo.homs-health.org",
    "coordinator": COORDINATOR,
    "admin": "admin@demo.homs-health.org",
}
# Not pages: downloads, JSON, the probe.
NOT_PAGES = re.compile(
    r"(\.csv|\.ics|\.xlsx|\.pdf|/pdf|/document|/export|/materials/\d+|/images/\d+|^/health)$"
)

CHECK_PAGE = (Path(__file__).parent / "phone_check.js").read_text(encoding="utf-8")


@dataclass
class Sweep:
    pages: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)


def page_routes() -> list[str]:
    """Every GET route of the app that serves a page, from the app's own route table."""
    app = Litestar(route_handlers=ROUTE_HANDLERS)
    paths = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or "GET" not in route.methods:
            continue
        if route.path.startswith(("/api", "/schema", "/static")) or NOT_PAGES.search(route.path):
            continue
        paths.append(route.path)
    return sorted(set(paths))


def _ids(database: Path, role: str) -> dict[str, list[object]]:
    """Candidate ids for each path parameter, the role's own objects first."""
    head, doctor = ROLES["head"], ROLES["doctor"]
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:

        def column(sql: str, *args: object) -> list[object]:
            return [row[0] for row in db.execute(sql, args).fetchall()]

        own_facilities = column(
            'SELECT facility FROM facility_head JOIN app_user u ON u.id = facility_head."user" '
            "WHERE u.email = ? ORDER BY facility",
            head,
        )
        doctor_profile = column(
            'SELECT p.id FROM doctor_profile p JOIN app_user u ON u.id = p."user" '
            "WHERE u.email = ?",
            doctor,
        )
        marks = ",".join("?" * len(own_facilities)) or "NULL"
        head_needs = column(
            f"SELECT id FROM need WHERE facility IN ({marks}) ORDER BY id", *own_facilities
        )
        proposals_by_state = (
            "ORDER BY CASE state WHEN 'approved' THEN 0 WHEN 'confirmed' THEN 1 ELSE 2 END, id"
        )
        doctor_proposals = column(
            f"SELECT id FROM proposal WHERE doctor IN ({','.join('?' * len(doctor_profile))}) "
            + proposals_by_state,
            *doctor_profile,
        )
        all_proposals = column("SELECT id FROM proposal " + proposals_by_state)
        ids: dict[str, list[object]] = {
            "facility_id": column("SELECT id FROM facility ORDER BY id"),
            "need_id": column("SELECT id FROM need ORDER BY id"),
            "proposal_id": all_proposals,
            "doctor_id": doctor_profile + column("SELECT id FROM doctor_profile ORDER BY id"),
            "run_id": column("SELECT id FROM ranking_run ORDER BY id DESC"),
            "mail_id": column("SELECT id FROM outbox_mail ORDER BY id"),
            "token": ["not-a-token-from-the-demo"],
        }
    if role == "head":
        ids["facility_id"] = own_facilities
        ids["need_id"] = head_needs
    if role == "doctor":
        ids["proposal_id"] = doctor_proposals
    return ids


def _urls(path: str, ids: dict[str, list[object]]) -> list[str]:
    """Up to three concrete URLs for ``path``; none when a parameter has no value."""
    names = re.findall(r"\{(\w+):\w+\}", path)
    if not names:
        return [path]
    urls = []
    for i in range(3):
        url = path
        for name in names:
            values = ids.get(name) or []
            if not values:
                return []
            url = re.sub(r"\{" + name + r":\w+\}", str(values[min(i, len(values) - 1)]), url)
        if url not in urls:
            urls.append(url)
    return urls


async def _sign_in(page, base_url: str, email: str) -> None:  # type: ignore[no-untyped-def]
    await page.goto(f"{base_url}/login")
    await page.fill("#email", email)
    await page.fill("#password", DEMO_PASSWORD)
    await page.click("form[action='/login'] button[type=submit]")
    await page.wait_for_load_state("load")


async def _prepare(browser, base_url: str) -> None:  # type: ignore[no-untyped-def]
    """A ranking run and one approval, so every page has something to show."""
    context = await browser.new_context()
    page = await context.new_page()
    await _sign_in(page, base_url, COORDINATOR)
    await page.goto(f"{base_url}/coordinator/runs")
    await page.click("form.run-form button[type=submit]")
    deadline = time.monotonic() + 90
    while True:
        await page.goto(f"{base_url}/coordinator/review")
        if await page.locator("article.proposal").count():
            break
        assert time.monotonic() < deadline, "the ranking run proposed nothing in 90 s"
        await page.wait_for_timeout(1000)
    proposal = page.locator("article.proposal", has_text="Lina Haddad").first
    if not await proposal.count():
        proposal = page.locator("article.proposal").first
    await proposal.locator("form[action$='/approve'] button[type=submit]").click()
    await page.wait_for_load_state("load")
    await context.close()


async def _sweep_role(browser, base_url, role, email, language, ids, sweep, deadline):  # type: ignore[no-untyped-def]
    context = await browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True)
    await context.add_cookies([{"name": "lang", "value": language, "url": base_url}])
    page = await context.new_page()
    if email:
        await _sign_in(page, base_url, email)
    # The header's switcher (a signed-in reader's language is their account's).
    switch = page.locator(f"form[action='/language'] button[value={language}]")
    if await switch.count():
        await switch.click()
        await page.wait_for_load_state("load")
    seen: set[str] = set()
    for path in page_routes():
        for url in _urls(path, ids):
            assert time.monotonic() < deadline, f"the sweep took more than {TIME_LIMIT_S} s"
            response = await page.goto(base_url + url, wait_until="load")
            if response is None or "text/html" not in response.headers.get("content-type", ""):
                break
            final = page.url.removeprefix(base_url).split("?")[0]
            status = response.status
            if status != 200 and "{" not in path:
                key = f"error {status}"
            elif status != 200:
                continue  # not this role's object: try the next candidate
            else:
                key = final
            if key not in seen:
                seen.add(key)
                direction = await page.get_attribute("html", "dir") or "ltr"
                assert direction == ("rtl" if language == "ar" else "ltr"), (role, url)
                result = await page.evaluate(
                    CHECK_PAGE, {"dir": direction, "width": PHONE["width"]}
                )
                where = f"{role}/{language} {final}"
                sweep.pages.append(where)
                if result["overflow"]:  # the width, then the outermost elements too wide
                    sweep.findings.append(
                        f"{where}: {result['width']} px wide: " + "; ".join(result["overflow"])
                    )
                if result["small"]:
                    sweep.findings.append(
                        f"{where}: targets under 24 px: " + "; ".join(result["small"][:6])
                    )
                sweep.findings.extend(f"{where}: {c}" for c in result["charts"])
            break
    await context.close()


async def test_every_page_of_every_role_fits_a_phone_in_both_languages(
    tmp_path: Path, artifacts_dir: Path
) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium")
    from playwright.async_api import async_playwright

    started = time.monotonic()
    deadline = started + TIME_LIMIT_S
    sweep = Sweep()
    with demo_server(tmp_path) as base_url:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                await _prepare(browser, base_url)
                for role, email in ROLES.items():
                    ids = _ids(tmp_path / "platform.sqlite3", role)
                    for language in ("en", "ar"):
                        await _sweep_role(
                            browser, base_url, role, email, language, ids, sweep, deadline
                        )
            finally:
                await browser.close()
    elapsed = time.monotonic() - started
    report = {"pages": len(sweep.pages), "seconds": round(elapsed, 1), "visited": sweep.pages}
    report["findings"] = sweep.findings
    text = json.dumps(report, indent=1, ensure_ascii=False)
    (artifacts_dir / "phone-sweep.json").write_text(text, encoding="utf-8")
    print(f"phone sweep: {len(sweep.pages)} pages (5 roles x 2 languages) in {elapsed:.0f} s")
    # Every role sees more than its landing page; the coordinators' pages are all there.
    assert len(sweep.pages) >= 60, sweep.pages
    for needed in ("coordinator/ar /coordinator/review", "doctor/ar /pairings/", "head/ar /needs/"):
        assert any(p.startswith(needed) for p in sweep.pages), needed
    assert not sweep.findings, "\n".join(sweep.findings)
