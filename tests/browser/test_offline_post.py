"""Posting a need survives a dropped connection, and arrives exactly once.

The Arabic head fills the need form; the browser goes offline as they press
"publish". What they typed stays in the browser (localStorage) and is sent
when the link is back. A second case loses the server's answer on the way
(the need was created, the browser never heard): the browser sends again and
the server answers with the first need, not a second one.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.browser.live import sign_in

pytestmark = pytest.mark.browser

HEAD = "head@demo.homs-health.org"
STORAGE_KEY = "offline-form:new-need"


async def _fill_mission(page, title: str) -> None:  # type: ignore[no-untyped-def]
    await page.check("#kind-mission")
    await page.fill("#title", title)
    await page.select_option("#specialty", "orthopaedics_trauma")
    await page.select_option("#urgency", "urgent")
    starts = date.today() + timedelta(days=50)
    await page.fill("#starts_on", starts.isoformat())
    await page.fill("#ends_on", (starts + timedelta(days=7)).isoformat())
    await page.fill("#places", "1")


async def _count_listed(page, base_url: str, title: str) -> int:  # type: ignore[no-untyped-def]
    await page.goto(f"{base_url}/needs?q=&page=1")
    return int(await page.locator("main tr", has_text=title).count())


async def test_a_need_typed_offline_is_sent_once_when_the_link_is_back(
    live_server: str, page
) -> None:  # type: ignore[no-untyped-def]
    title = "بعثة جراحة العظام (بلا اتصال)"
    await sign_in(page, live_server, HEAD)
    await page.goto(f"{live_server}/needs/new")
    await _fill_mission(page, title)

    await page.context.set_offline(True)
    await page.click("button[name=action][value=publish]")
    notice = page.locator(".offline-notice[role=status]")
    await notice.wait_for()
    assert "لا يوجد اتصال" in await notice.inner_text()
    assert page.url.endswith("/needs/new")
    kept = await page.evaluate(f"() => localStorage.getItem('{STORAGE_KEY}')")
    assert kept and title in kept

    await page.context.set_offline(False)
    for _ in range(150):
        if "notice=ranking" in page.url:
            break
        await page.wait_for_timeout(100)
    assert "notice=ranking" in page.url, (await page.inner_text("main"))[:500]
    await page.wait_for_load_state("load")
    assert title in await page.inner_text("main")
    assert await page.evaluate(f"() => localStorage.getItem('{STORAGE_KEY}')") is None
    await page.wait_for_timeout(6_000)  # longer than the retry interval: nothing sent again
    assert await _count_listed(page, live_server, title) == 1


async def test_a_lost_answer_does_not_make_a_second_need(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    title = "بعثة جراحة العظام (جواب ضائع)"
    await sign_in(page, live_server, HEAD)
    await page.goto(f"{live_server}/needs/new")
    await _fill_mission(page, title)

    lost: list[int] = []

    async def lose_the_first_answer(route) -> None:  # type: ignore[no-untyped-def]
        if route.request.method == "POST" and not lost:
            response = await route.fetch(max_redirects=0)  # the server creates the need
            lost.append(response.status)
            await route.abort("internetdisconnected")  # ... and the answer never arrives
            return
        await route.continue_()

    await page.route("**/needs/new", lose_the_first_answer)
    async with page.expect_navigation(url="**/needs/?sort=newest&notice=ranking", timeout=20_000):
        await page.click("button[name=action][value=publish]")
    assert lost in ([302], [303])  # the need was created: a redirect to it
    assert title in await page.inner_text("main")
    await page.unroute("**/needs/new")
    assert await _count_listed(page, live_server, title) == 1
