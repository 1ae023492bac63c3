"""Language choice and locale formatting as a user meets them.

The language is the account's saved preference, else the ``lang`` cookie set
by the switcher, else the browser's Accept-Language; Arabic pages are
``lang="ar" dir="rtl"``; dates, times and numbers follow the language and the
viewer's own time zone, with the zone named.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import AsyncTestClient

from matching.accounts.services import Account
from matching.accounts.tables import Role, User
from matching.facilities.tables import FacilityHead
from matching.i18n import negotiate_language
from matching.labels import label
from matching.mail.render import render_mail
from tests.factories import login, make_account, make_facility, post_form
from tests.pages import english_on_page
from web.context import current_account, current_language
from web.templating import format_date, format_datetime, format_number, format_time, tax_name

ARABIC = {"accept-language": "ar-SY,ar;q=0.9,en;q=0.5"}
_HTML_TAG = re.compile(r'<html lang="(\w+)" dir="(\w+)">')


def _lang_dir(html: str) -> tuple[str, str]:
    match = _HTML_TAG.search(html)
    assert match, html[:300]
    return match.group(1), match.group(2)


def _switch_form(html: str) -> str:
    match = re.search(r'<form method="post" action="/language".*?</form>', html, re.S)
    assert match, "every page has the language switcher"
    return match.group(0)


# ------------------------------------------------------------- negotiation
@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "en"),
        ("", "en"),
        ("ar", "ar"),
        ("ar-SY,ar;q=0.9,en;q=0.8", "ar"),
        ("en-GB,en;q=0.9,ar;q=0.8", "en"),
        ("de-DE,de;q=0.9,ar;q=0.5,en;q=0.4", "ar"),
        ("fr;q=0.9, en;q=0.2, ar;q=0.7", "ar"),
        ("ar;q=0, en", "en"),
        ("*", "en"),
        ("ar;q=abc, en;q=0.1", "en"),
    ],
)
def test_accept_language_negotiation(header: str | None, expected: str) -> None:
    assert negotiate_language(header) == expected


async def test_browser_language_arabic_gives_a_right_to_left_page(
    client: AsyncTestClient,
) -> None:
    response = await client.get("/login", headers=ARABIC)
    assert _lang_dir(response.text) == ("ar", "rtl")
    assert "تسجيل الدخول" in response.text
    english = await client.get("/login", headers={"accept-language": "en-US,en"})
    assert _lang_dir(english.text) == ("en", "ltr")
    assert "Sign in" in english.text


async def test_switcher_sets_a_cookie_that_beats_the_browser_language(
    client: AsyncTestClient,
) -> None:
    page = await client.get("/signup", headers={"accept-language": "en"})
    form = _switch_form(page.text)
    assert 'value="ar"' in form and 'name="next" value="/signup"' in form
    response = await post_form(client, "/language", {"language": "ar", "next": "/signup"})
    assert response.status_code == 200 and str(response.url).endswith("/signup")
    assert client.cookies.get("lang") == "ar"
    again = await client.get("/signup", headers={"accept-language": "en"})
    assert _lang_dir(again.text) == ("ar", "rtl")
    assert 'value="en"' in _switch_form(again.text), "Arabic pages offer English"


async def test_switcher_refuses_to_redirect_elsewhere(client: AsyncTestClient) -> None:
    response = await post_form(
        client, "/language", {"language": "ar", "next": "https://evil.example/"}
    )
    assert str(response.url).rstrip("/").endswith(str(client.base_url).rstrip("/").split("//")[1])


async def test_saved_preference_wins_over_cookie_and_browser(client: AsyncTestClient) -> None:
    account = await make_account(Role.FACILITY_HEAD, language="ar")
    await login(client, account)
    client.cookies.set("lang", "en")
    page = await client.get("/", headers={"accept-language": "en"})
    assert _lang_dir(page.text) == ("ar", "rtl")


async def test_switching_saves_the_signed_in_users_preference(client: AsyncTestClient) -> None:
    account = await make_account(Role.DOCTOR, language="en")
    await login(client, account)
    await post_form(client, "/language", {"language": "ar", "next": "/"})
    row = await User.select(User.language).where(User.id == account.id).first()
    assert row["language"] == "ar"
    page = await client.get("/", headers={"accept-language": "en"})
    assert _lang_dir(page.text) == ("ar", "rtl")
    await post_form(client, "/language", {"language": "en", "next": "/"})
    page = await client.get("/", headers=ARABIC)
    assert _lang_dir(page.text) == ("en", "ltr")


async def test_unknown_language_is_ignored(client: AsyncTestClient) -> None:
    account = await make_account(Role.DOCTOR, language="ar")
    await login(client, account)
    response = await post_form(client, "/language", {"language": "xx", "next": "/"})
    assert response.status_code in (200, 422)
    row = await User.select(User.language).where(User.id == account.id).first()
    assert row["language"] == "ar"


@pytest.mark.parametrize("path", ["/", "/login", "/signup", "/password/forgot", "/no-such-page"])
async def test_every_page_has_the_switcher_and_the_arabic_font(
    client: AsyncTestClient, path: str
) -> None:
    response = await client.get(path, headers=ARABIC)
    assert _lang_dir(response.text) == ("ar", "rtl")
    _switch_form(response.text)
    assert re.search(r'href="/static/css/app\.[0-9a-f]{10}\.css"', response.text)


async def test_form_errors_are_shown_in_arabic(client: AsyncTestClient) -> None:
    client.cookies.set("lang", "ar")
    response = await post_form(
        client,
        "/signup",
        {"full_name": "", "email": "not-an-email", "password": "short", "language": "ar"},
    )
    assert response.status_code == 422
    errors = re.findall(r'<p class="field-error"[^>]*>(.*?)</p>', response.text)
    assert len(errors) == 4  # name, email, password, and the privacy notice not accepted
    for message in errors:
        assert re.search(r"[\u0621-\u064A]", message), message
        assert not re.search(r"[A-Za-z]{3,}", message), message
    assert 'value="not-an-email"' in response.text


async def test_staff_list_shows_translated_roles(client: AsyncTestClient) -> None:
    admin = await make_account(Role.ADMIN, language="ar")
    await make_account(Role.COORDINATOR)
    await login(client, admin)
    page = await client.get("/admin/users")
    assert "<td>منسّق</td>" in page.text
    assert "<td>coordinator</td>" not in page.text


def test_font_is_shipped_and_declared() -> None:
    from pathlib import Path

    static = Path(__file__).resolve().parents[2] / "src" / "web" / "static"
    css = (static / "css" / "app.css").read_text(encoding="utf-8")
    assert "Noto Sans Arabic" in css
    for url in re.findall(r"url\(['\"]?([^'\")]+NotoSansArabic[^'\")]*)", css):
        target = (static / "css" / url).resolve() if not url.startswith("/") else None
        path = target or static / url.removeprefix("/static/")
        assert path.exists() and path.stat().st_size > 10_000, url


async def test_font_file_is_served(client: AsyncTestClient) -> None:
    response = await client.get("/static/fonts/NotoSansArabic-Regular.woff2")
    assert response.status_code == 200 and response.content[:4] == b"wOF2"


# --------------------------------------------------------------- formatting
@pytest.fixture
def arabic_reader() -> object:
    language = current_language.set("ar")
    account = current_account.set(
        Account(
            id=1,
            email="head@example.org",
            full_name="مدير",
            role=Role.FACILITY_HEAD,
            language="ar",
            timezone="Asia/Damascus",
        )
    )
    yield
    current_language.reset(language)
    current_account.reset(account)


@pytest.mark.usefixtures("arabic_reader")
def test_dates_in_arabic_use_levantine_month_names() -> None:
    assert format_date(date(2026, 3, 5)) == "5 آذار 2026"
    assert format_date(date(2026, 1, 20)) == "20 كانون الثاني 2026"


@pytest.mark.usefixtures("arabic_reader")
def test_moments_are_in_the_viewers_zone_with_the_zone_named() -> None:
    moment = datetime(2026, 3, 5, 10, 0, tzinfo=UTC)
    text = format_datetime(moment)
    assert "آذار" in text and "1:00" in text and "م" in text  # 13:00 in Damascus (UTC+3)
    assert text.endswith("(توقيت سوريا)")
    assert format_time(moment) == "1:00 م"
    berlin = format_datetime(moment, tz="Europe/Berlin")
    assert "11:00" in berlin and "ألمانيا" in berlin
    assert format_datetime(moment, tz="UTC").endswith("(UTC)") or "العالمي" in format_datetime(
        moment, tz="UTC"
    )


def test_moments_in_english_name_the_zone() -> None:
    token = current_language.set("en")
    try:
        moment = datetime(2026, 7, 1, 9, 30, tzinfo=UTC)
        # CLDR puts a narrow no-break space before AM/PM
        damascus = format_datetime(moment, tz="Asia/Damascus").replace("\u202f", " ")
        assert damascus == "Jul 1, 2026, 12:30 PM (Syria Time)"
        assert (
            format_datetime(moment, tz="UTC").replace("\u202f", " ") == "Jul 1, 2026, 9:30 AM (UTC)"
        )
        assert format_date(date(2026, 7, 1)) == "Jul 1, 2026"
        assert format_number(12345.5) == "12,345.5"
    finally:
        current_language.reset(token)


@pytest.mark.usefixtures("arabic_reader")
def test_numbers_labels_and_taxonomy_in_arabic() -> None:
    assert format_number(12345.5) == "12,345.5"
    assert format_number(0.456, 1) == "0.5"
    assert label("partly_filled", "need_status", "ar") == "ملبّى جزئياً"
    assert label(Role.FACILITY_HEAD, "role", "ar") == "مدير منشأة"
    assert label("partly_filled", "need_status", "en") == "Partly filled"
    assert tax_name("pediatrics") == "طب الأطفال"
    assert tax_name("no_such_code") == "no_such_code"


def test_mail_is_rendered_in_arabic_right_to_left() -> None:
    mail = render_mail(
        "password_reset", "ar", name="د. لينا", hours=2, link="https://example.org/r/x"
    )
    assert re.search(r"[\u0621-\u064A]", mail.subject)
    assert not re.search(r"[A-Za-z]{3,}", mail.subject)
    assert 'dir="rtl"' in mail.body_html and 'lang="ar"' in mail.body_html
    assert "د. لينا" in mail.body_text
    english = render_mail("password_reset", "en", name="Lina", hours=2, link="https://x.org")
    assert english.subject == "Reset your Homs Health Bridge password"


def test_the_english_finder_sees_stray_english() -> None:
    html = (
        '<html lang="ar"><head><title>x</title></head><body><h1>مرحباً</h1>'
        '<p>critical</p><bdi>Dr. Lina</bdi><td dir="ltr">a@b.org</td>'
        '<select><option value="a">Fluent</option><option selected>بطلاقة</option></select>'
        '<input placeholder="Search"><p class="hint ltr">name_en</p><p>CSV</p></body></html>'
    )
    assert english_on_page(html) == ["p: critical", "input[placeholder]: Search"]


def _html_pages(app: Litestar) -> list[str]:
    """Paths of every parameterless GET page (not the API, not static files)."""
    paths = set()
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or "{" in route.path:
            continue
        if route.path.startswith(("/api", "/static", "/schema", "/health")):
            continue
        if any("GET" in (handler.http_methods or ()) for handler in route.route_handlers):
            paths.add(route.path)
    return sorted(paths)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.COORDINATOR, Role.DOCTOR, Role.FACILITY_HEAD])
async def test_every_page_is_arabic_with_the_switcher(
    app: Litestar, client: AsyncTestClient, role: Role
) -> None:
    """Each page a role can open answers in Arabic, right to left, with the switcher."""
    account = await make_account(role, language="ar")
    if role is Role.FACILITY_HEAD:
        await FacilityHead.insert(
            FacilityHead(user=account.id, facility=await make_facility())
        ).run()
    await login(client, account)
    seen = 0
    english: dict[str, list[str]] = {}
    for path in _html_pages(app):
        response = await client.get(path)
        if response.status_code != 200 or "text/html" not in response.headers.get(
            "content-type", ""
        ):
            continue
        seen += 1
        assert _lang_dir(response.text) == ("ar", "rtl"), path
        _switch_form(response.text)
        english[path] = english_on_page(response.text)
    assert seen >= 2
    assert not {path: found for path, found in english.items() if found}
