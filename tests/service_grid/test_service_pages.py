"""The service grid's pages and the coverage page's services part, through the real app
(both engines): what a head and a coordinator see, in English and Arabic."""

from __future__ import annotations

import re

from matching.accounts.tables import Role
from matching.facilities.tables import Facility, Need
from matching.services.areas import AREAS
from matching.services.tables import FacilityService
from tests.factories import login, make_account, make_facility, make_head, post_form
from tests.pages import arabic_on_page, english_on_page, switch_language


def _form(**chosen: tuple[str, str]) -> dict[str, str]:
    """The grid's form: every area sent, ``chosen`` ones with (status, cause)."""
    data: dict[str, str] = {}
    for area in AREAS:
        status, cause = chosen.get(area.code, ("", ""))
        data[f"status_{area.code}"] = status
        data[f"cause_{area.code}"] = cause
    return data


def _selected(html: str, name: str) -> str:
    select = re.search(rf'<select id="{name}" name="{name}".*?</select>', html, re.S)
    assert select, name
    chosen = re.search(r'<option value="([^"]*)" selected', select.group(0))
    return chosen.group(1) if chosen else ""


async def test_a_head_keeps_the_grid_and_bad_input_is_named_and_kept(client) -> None:
    facility = await make_facility()
    head = await make_head(facility)
    await login(client, head)
    page = await client.get(f"/facilities/{facility}/services")
    assert page.status_code == 200
    assert page.text.count('class="service-row') == len(AREAS) + 1  # + the header row
    assert arabic_on_page(page.text) == []
    bad = _form(surgery=("partly", ""), paediatrics=("available", "no_staff"))
    response = await post_form(client, f"/facilities/{facility}/services", bad)
    assert response.status_code == 422
    assert 'id="cause_surgery-error"' in response.text
    assert 'id="cause_paediatrics-error"' in response.text
    assert '<a href="#row-surgery">Surgery</a>: choose the main cause' in response.text
    assert _selected(response.text, "status_surgery") == "partly"  # the input is kept
    assert _selected(response.text, "cause_paediatrics") == "no_staff"
    assert await FacilityService.count() == 0
    good = _form(surgery=("partly", "no_staff"), emergency_care=("available", ""))
    response = await post_form(client, f"/facilities/{facility}/services", good)
    assert response.status_code == 200 and "Service grid saved." in response.text
    assert _selected(response.text, "status_surgery") == "partly"
    assert _selected(response.text, "cause_surgery") == "no_staff"
    assert "Post an in-person mission for General Surgery." in response.text
    assert await FacilityService.count() == 2


async def test_the_arabic_grid_names_the_area_in_arabic(client) -> None:
    facility = await make_facility()
    head = await make_head(facility, language="ar")
    await login(client, head)
    await switch_language(client, "ar")
    page = await client.get(f"/facilities/{facility}/services")
    assert 'dir="rtl"' in page.text and english_on_page(page.text) == []
    response = await post_form(
        client, f"/facilities/{facility}/services", _form(surgery=("not_available", ""))
    )
    assert response.status_code == 422
    assert '<a href="#row-surgery">الجراحة</a>' in response.text
    assert english_on_page(response.text) == []


async def test_a_stale_form_is_refused_with_its_input_kept(client) -> None:
    facility = await make_facility()
    head = await make_head(facility)
    await login(client, head)
    stale = {**_form(surgery=("available", "")), "version": "0"}
    await post_form(client, f"/facilities/{facility}/services", stale)
    again = {**_form(surgery=("partly", "no_supplies")), "version": "0"}
    response = await post_form(client, f"/facilities/{facility}/services", again)
    assert response.status_code == 409
    assert "Someone else saved this grid meanwhile" in response.text
    assert _selected(response.text, "cause_surgery") == "no_supplies"
    assert await FacilityService.count() == 1
    forged = {**_form(surgery=("partly", "no_staff")), "version": "abc"}
    response = await post_form(client, f"/facilities/{facility}/services", forged)
    assert response.status_code == 422 and "<li>must be a whole number</li>" in response.text
    assert await FacilityService.count() == 1


async def test_the_suggestion_posts_the_need_in_one_step(client) -> None:
    facility = await make_facility()
    head = await make_head(facility)
    await login(client, head)
    await post_form(
        client,
        f"/facilities/{facility}/services",
        _form(mental_health=("not_available", "no_staff"), surgery=("partly", "no_training")),
    )
    response = await post_form(
        client,
        f"/facilities/{facility}/services/needs",
        {"area": "mental_health", "kind": "mission"},
        follow_redirects=False,
    )
    assert response.status_code in (302, 303)
    assert response.headers["location"] == "/needs/?sort=newest&notice=ranking"
    landing = await client.get(response.headers["location"])
    assert "Need posted and open to doctors." in landing.text
    assert "In-person mission: Psychiatry for Mental health" in landing.text
    await post_form(
        client, f"/facilities/{facility}/services/needs", {"area": "surgery", "kind": "training"}
    )
    rows = await Need.select(Need.kind, Need.specialty, Need.status).order_by(Need.id).run()
    assert [(r["kind"], r["specialty"], r["status"]) for r in rows] == [
        ("mission", "psychiatry", "open"),
        ("training", "general_surgery", "open"),
    ]
    grid = await client.get(f"/facilities/{facility}/services")
    assert grid.text.count("Already posted: need") == 2
    twice = await post_form(
        client, f"/facilities/{facility}/services/needs", {"area": "surgery", "kind": "training"}
    )
    assert twice.status_code == 409 and await Need.count() == 2


async def test_the_coverage_page_shows_the_grid_by_district_and_the_map(client) -> None:
    coordinator = await make_account(Role.COORDINATOR)
    homs = await make_facility(name="Homs Hospital", district="homs", rural=False)
    rastan = await make_facility(name="Rastan Centre", district="al_rastan")
    unplaced = await make_facility(name="Mobile Team", district="tadmur")
    for facility, lat, lon in ((homs, 34.73, 36.72), (rastan, 34.93, 36.73)):
        await Facility.update({Facility.latitude: lat, Facility.longitude: lon}).where(
            Facility.id == facility
        )
    await login(client, coordinator)
    await post_form(
        client,
        f"/facilities/{homs}/services",
        _form(surgery=("partly", "no_staff"), emergency_care=("available", "")),
    )
    await post_form(
        client,
        f"/facilities/{rastan}/services",
        _form(emergency_care=("not_available", "no_funding")),
    )
    await Need.insert(
        Need(facility=homs, kind="mission", title="x", specialty="pediatrics", status="open")
    ).run()
    page = await client.get("/coordinator/")
    assert page.status_code == 200
    homs_row = re.search(r'<tr data-district="homs">.*?</tr>', page.text, re.S).group(0)
    assert re.findall(r'<td class="(\w+)">(\d+)</td>', homs_row) == [
        ("facilities", "1"),
        ("available", "1"),
        ("partly", "1"),
        ("not_available", "0"),
        ("not_reported", str(len(AREAS) - 2)),
    ]
    rastan_row = re.search(r'<tr data-district="al_rastan">.*?</tr>', page.text, re.S).group(0)
    assert '<td class="not_available">1</td>' in rastan_row
    circles = {
        int(m["id"]): (m["category"], float(m["cx"]), float(m["cy"]))
        for m in re.finditer(
            r'<circle class="map-point map-(?P<category>\w+)" data-facility="(?P<id>\d+)" '
            r'cx="(?P<cx>[\d.]+)" cy="(?P<cy>[\d.]+)"',
            page.text,
        )
    }
    assert set(circles) == {homs, rastan}
    assert circles[homs][0] == "gap_and_need" and circles[rastan][0] == "gap"
    # Al-Rastan is 0.2 degrees north of Homs and about as far east: same x, smaller y.
    assert abs(circles[rastan][1] - circles[homs][1]) < 2
    assert circles[homs][2] - circles[rastan][2] > 20
    assert re.search(rf'<li data-facility="{unplaced}">', page.text)
    for facility in (homs, rastan):  # the map's text alternative lists the placed ones
        assert f'<li data-facility="{facility}">' in page.text
    assert "Service gaps and open needs" in page.text  # the legend
    assert arabic_on_page(page.text) == []
    await switch_language(client, "ar")
    arabic = await client.get("/coordinator/")
    assert "الرستن" in arabic.text and english_on_page(arabic.text) == []
