"""Weight on a slow link: pages gzipped, static files fingerprinted and cached, CSV with a BOM."""

from __future__ import annotations

import csv
import io
import re

from litestar.testing import AsyncTestClient

from matching.accounts.tables import Role
from tests.factories import PASSWORD, login, make_account, make_facility, make_head, post_need

GZIP = {"accept-encoding": "gzip"}
PAGE_BUDGET = 20_000  # bytes on the wire, per HTML page


def _wire_size(response) -> int:  # type: ignore[no-untyped-def]
    return int(response.headers["content-length"])


async def test_pages_travel_gzipped_within_the_budget(client: AsyncTestClient) -> None:
    facility = await make_facility()
    head = await make_head(facility, language="ar")
    await login(client, head)
    for path in ("/needs/new", "/needs", "/"):
        response = await client.get(path, headers=GZIP)
        assert response.status_code == 200, path
        assert response.headers["content-encoding"] == "gzip", path
        assert "accept-encoding" in response.headers.get("vary", "").lower(), path
        assert _wire_size(response) <= PAGE_BUDGET, (path, _wire_size(response))
        # The compressed page is less than half the page itself.
        assert _wire_size(response) * 2 < len(response.content), path


async def test_the_heaviest_form_fits_the_budget(client: AsyncTestClient) -> None:
    doctor = await make_account(Role.DOCTOR)
    await login(client, doctor)
    response = await client.get("/doctors/me/profile", headers=GZIP)
    assert response.status_code == 200
    assert len(response.content) > 40_000  # the skills, languages and countries lists
    assert _wire_size(response) <= PAGE_BUDGET


async def test_static_files_are_fingerprinted_and_cached_for_a_year(
    client: AsyncTestClient,
) -> None:
    page = await client.get("/login")
    (css_url,) = re.findall(r'href="(/static/css/app\.[0-9a-f]{10}\.css)"', page.text)
    css = await client.get(css_url, headers=GZIP)
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert css.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert css.headers["content-encoding"] == "gzip"
    fonts = re.findall(r'url\("(/static/fonts/[^")]+)"\)', css.text)
    assert len(fonts) == 2 and all(re.search(r"\.[0-9a-f]{10}\.woff2$", f) for f in fonts)
    for font_url in fonts:
        font = await client.get(font_url, headers=GZIP)
        assert font.status_code == 200 and font.content[:4] == b"wOF2"
        assert font.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert "content-encoding" not in font.headers  # WOFF2 is compressed already

    plain = await client.get("/static/css/app.css")
    assert plain.status_code == 200 and plain.headers["cache-control"] == "no-cache"
    stale = css_url.replace(css_url.split(".")[-2], "0123456789")
    assert (await client.get(stale)).status_code == 404
    assert (await client.get("/static/css/nothing.css")).status_code == 404


async def test_csv_exports_start_with_a_bom_for_excel(client: AsyncTestClient) -> None:
    facility = await make_facility()
    coordinator = await make_account(Role.COORDINATOR)
    await post_need(
        facility,
        {
            "kind": "mission",
            "title": "بعثة جراحة العظام",
            "specialty": "orthopaedics_trauma",
            "urgency": "urgent",
            "places": "1",
            "starts_on": "2027-02-01",
            "ends_on": "2027-02-14",
        },
        actor=coordinator,
        publish=True,
    )
    await login(client, coordinator)
    for path in ("/needs/export.csv", "/coordinator/audit.csv"):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert response.content.startswith(b"\xef\xbb\xbf"), path
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0][0] == "id", path
    exported = (await client.get("/needs/export.csv")).content.decode("utf-8-sig")
    assert "بعثة جراحة العظام" in exported


async def _sign_in(client: AsyncTestClient, email: str, **form: str):  # type: ignore[no-untyped-def]
    await client.get("/login")
    return await client.post(
        "/login",
        data={"email": email, "password": PASSWORD, **form},
        headers={"x-csrftoken": client.cookies.get("csrftoken", ""), **GZIP},
        follow_redirects=False,
    )


async def test_sign_in_answers_with_the_role_home_itself(client: AsyncTestClient) -> None:
    """No redirect to the home page: one round trip less (400 ms on a slow link)."""
    facility = await make_facility(name="Talbiseh Health Centre")
    head = await make_head(facility, language="ar")
    response = await _sign_in(client, head.email)
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert client.cookies.get("session")
    page = response.text
    assert '<html lang="ar" dir="rtl">' in page  # the head's language, not the browser's
    assert "مشفى الرستن الوطني" in page  # their facility, as on GET /facilities
    assert "<h1>منشآتي</h1>" in page  # "My facilities"
    # The address bar shows the page's own address (js/page-url.js), the language
    # switch comes back to it.
    assert re.search(
        r'<script src="/static/js/page-url\.[0-9a-f]{10}\.js" data-url="/facilities">', page
    )
    assert '<input type="hidden" name="next" value="/facilities">' in page
    home = await client.get("/facilities")
    assert home.status_code == 200 and "مشفى الرستن الوطني" in home.text


async def test_sign_in_redirects_where_the_home_page_cannot_be_served_in_place(
    client: AsyncTestClient,
) -> None:
    # Asked for another page first: sent there.
    head = await make_head(await make_facility())
    response = await _sign_in(client, head.email, next="/needs/new")
    assert response.status_code in (302, 303) and response.headers["location"] == "/needs/new"
    # The privacy notice not yet accepted: the home page's own GET asks for it.
    client.cookies.clear()
    newcomer = await make_head(await make_facility(), consented=False)
    response = await _sign_in(client, newcomer.email)
    assert response.status_code in (302, 303) and response.headers["location"] == "/facilities"
    assert (await client.get("/facilities", follow_redirects=False)).headers["location"] == (
        "/consent?next=/facilities"
    )
