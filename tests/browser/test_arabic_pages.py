"""The main pages in Arabic, in a real chromium: right-to-left, Arabic font, no English left.

Each demo user (coordinator, facility head whose saved language is Arabic,
doctor) signs in, switches to Arabic when needed, and every page linked from
the navigation is opened. Screenshots go to ``test-artifacts/ar-*.png``.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.browser.live import sign_in

pytestmark = pytest.mark.browser

# Visible text nodes with Latin words (3+ lowercase letters, so acronyms like CSV pass),
# outside places where Latin is expected: elements marked dir=ltr / lang=en / .ltr,
# <bdi> (names, user input), code, textareas; also the chosen option of each select.
FIND_ENGLISH = r"""
() => {
  const KEYS = /\b(Ctrl|Cmd)\b/g;  // key names, printed as on the keyboard
  const skip = (el) => el.closest(
    '[dir=ltr], [lang=en], bdi, code, kbd, samp, pre, .ltr, textarea, ' +
    'script, style, noscript, template');
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const found = [];
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent.trim();
    if (!/[a-z]{3,}/.test(text.replace(KEYS, ''))) continue;
    const el = node.parentElement;
    if (!el || skip(el)) continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    if (!el.getClientRects().length) continue;
    found.push(`${el.tagName.toLowerCase()}: ${text.slice(0, 120)}`);
  }
  for (const select of document.querySelectorAll('select')) {
    const option = select.selectedOptions[0];
    const visible = option && select.getClientRects().length && !skip(option);
    if (option && visible && /[a-z]{3,}/.test(option.text)) {
      found.push(`select#${select.id}: ${option.text}`);
    }
  }
  for (const el of document.querySelectorAll('[placeholder], [title], [aria-label]')) {
    if (skip(el)) continue;
    for (const name of ['placeholder', 'title', 'aria-label']) {
      const value = el.getAttribute(name);
      if (value && /[a-z]{3,}/.test(value)) {
        found.push(`${el.tagName.toLowerCase()}[${name}]: ${value}`);
      }
    }
  }
  return found;
}
"""

ARABIC_FONT_LOADED = """
async () => {
  await document.fonts.ready;
  const faces = [...document.fonts].filter(
    (f) => f.family.replace(/"/g, '') === 'Noto Sans Arabic');
  return {
    family: getComputedStyle(document.body).fontFamily,
    loaded: faces.some((f) => f.status === 'loaded'),
    check: document.fonts.check('16px "Noto Sans Arabic"', 'مشفى'),
  };
}
"""

USERS = [
    ("coordinator", "coordinator@demo.homs-health.org"),
    ("head", "head@demo.homs-health.org"),
    ("doctor", "doctor@demo.homs-health.org"),
]


async def _to_arabic(page) -> None:  # type: ignore[no-untyped-def]
    if await page.get_attribute("html", "lang") != "ar":
        await page.click("form[action='/language'] button[name=language][value=ar]")
        await page.wait_for_load_state("networkidle")


async def _check_page(page, artifacts_dir, name: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Problems seen on the current page (empty when all is well); saves a screenshot."""
    await page.wait_for_load_state("networkidle")
    await page.screenshot(path=str(artifacts_dir / f"ar-{name}.png"), full_page=True)
    problems = []
    if await page.get_attribute("html", "lang") != "ar":
        problems.append(f"{name}: html lang is not ar")
    if await page.get_attribute("html", "dir") != "rtl":
        problems.append(f"{name}: html dir is not rtl")
    if await page.evaluate("getComputedStyle(document.body).direction") != "rtl":
        problems.append(f"{name}: body direction is not rtl")
    font = await page.evaluate(ARABIC_FONT_LOADED)
    if "Noto Sans Arabic" not in font["family"] or not (font["loaded"] and font["check"]):
        problems.append(f"{name}: Arabic font not in use or not loaded: {font}")
    problems += [f"{name}: English text: {text}" for text in await page.evaluate(FIND_ENGLISH)]
    return problems


def _slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"


@pytest.mark.parametrize(("who", "email"), USERS, ids=[u[0] for u in USERS])
async def test_main_pages_in_arabic(
    live_server: str, page, artifacts_dir, who: str, email: str
) -> None:  # type: ignore[no-untyped-def]
    await page.set_extra_http_headers({"Accept-Language": "ar-SY,ar;q=0.9"})
    await page.goto(f"{live_server}/login")
    problems = await _check_page(page, artifacts_dir, "login")
    await sign_in(page, live_server, email)
    await _to_arabic(page)
    links = await page.eval_on_selector_all(".main-nav a", "els => els.map(a => a.href)")
    paths = list(dict.fromkeys(urlsplit(link).path for link in links))
    assert paths, "the navigation lists the main pages"
    for path in paths:
        await page.goto(f"{live_server}{path}")
        problems += await _check_page(page, artifacts_dir, f"{who}-{_slug(path)}")
    assert not problems, "\n".join(problems)


async def test_arabic_form_errors_and_mirrored_layout(
    live_server: str, page, artifacts_dir
) -> None:  # type: ignore[no-untyped-def]
    await page.set_extra_http_headers({"Accept-Language": "ar"})
    await page.goto(f"{live_server}/signup")
    await page.fill("#email", "not-an-email")
    await page.fill("#password", "short")
    await page.click("form[action='/signup'] button[type=submit]")
    await page.wait_for_load_state("networkidle")
    problems = await _check_page(page, artifacts_dir, "signup-errors")
    assert not problems, "\n".join(problems)
    errors = await page.locator(".field-error").all_inner_texts()
    assert errors and all(re.search(r"[\u0621-\u064A]", e) for e in errors), errors
    # Mirrored: the brand sits at the right edge, the header tools at the left.
    brand = await page.locator(".brand").bounding_box()
    tools = await page.locator(".header-tools").bounding_box()
    assert brand and tools and brand["x"] > tools["x"], (brand, tools)
    # The email field stays left-to-right inside the right-to-left page.
    assert (
        await page.evaluate("getComputedStyle(document.querySelector('#email')).direction") == "ltr"
    )
