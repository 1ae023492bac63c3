"""The coordinators' needs list: filters, sort, pagination, CSV export and import."""

from __future__ import annotations

import csv
import io

from matching.accounts.tables import Role
from matching.facilities.need_queries import NeedFilters, list_needs
from matching.facilities.tables import Facility, Need
from tests.factories import login, make_account, make_facility, make_head, post_form, post_need

MISSION = {
    "kind": "mission",
    "title": "Trauma mission",
    "specialty": "orthopaedics_trauma",
    "urgency": "routine",
    "places": "2",
    "starts_on": "2027-02-01",
    "ends_on": "2027-02-14",
}


async def _seed() -> tuple[int, int]:
    rastan = await make_facility(name="Rastan", district="al_rastan", rural=True)
    homs = await make_facility(name="Homs City", district="homs", rural=False)
    coordinator = await make_account(Role.COORDINATOR)
    for i in range(30):
        await post_need(
            rastan if i % 2 else homs,
            {
                **MISSION,
                "title": f"Need {i:02d}",
                "urgency": ("routine", "urgent", "critical")[i % 3],
                "specialty": "neonatology" if i % 5 == 0 else "orthopaedics_trauma",
            },
            actor=coordinator,
            publish=i != 29,
        )
    return rastan, homs


async def test_filters_sort_and_pagination(client) -> None:
    await _seed()
    coordinator = await make_account(Role.COORDINATOR)
    await login(client, coordinator)
    page = await client.get("/needs")
    assert "29 needs" in page.text  # the draft is not in the open list
    assert "Page 1 of 2" in page.text
    assert page.text.index("Critical") < page.text.index("Routine</span>")
    second = await client.get("/needs?page=2")
    assert "Page 2 of 2" in second.text
    rural = await client.get("/needs?area=rural")
    assert "14 needs" in rural.text  # 15 rural, one of them a draft
    combo = await client.get("/needs?district=al_rastan&urgency=critical&kind=mission")
    titles = [f"Need {i:02d}" for i in range(29) if i % 2 and i % 3 == 2]
    assert f"{len(titles)} needs" in combo.text
    for title in titles:
        assert title in combo.text
    specialty = await client.get("/needs?specialty=neonatology&status=all")
    assert "6 needs" in specialty.text
    drafts = await client.get("/needs?status=draft")
    assert "1 need" in drafts.text and "Need 29" in drafts.text
    bad = await client.get("/needs?district=paris")
    assert bad.status_code == 422
    assert "must be one of: " in bad.text and "al_rastan" in bad.text

    api = await client.get("/api/needs?sort=newest&per_page=10&page=3&district=al_rastan")
    body = api.json()
    assert api.status_code == 200
    assert body["total"] == 14 and body["pages"] == 2 and len(body["items"]) == 0
    api = await client.get("/api/needs?sort=oldest&per_page=10")
    assert [i["title"] for i in api.json()["items"]][:2] == ["Need 00", "Need 01"]
    assert (await client.get("/api/needs?urgency=extreme")).status_code == 422


async def test_list_needs_pages_are_disjoint(db) -> None:
    await _seed()
    seen: list[int] = []
    for page in (1, 2, 3):
        result = await list_needs(NeedFilters(status="all"), sort="urgency", page=page, per_page=12)
        seen += [item["id"] for item in result.items]
    assert len(seen) == len(set(seen)) == 30


async def test_csv_export_follows_the_filters(client) -> None:
    await _seed()
    coordinator = await make_account(Role.COORDINATOR)
    await login(client, coordinator)
    response = await client.get("/needs/export.csv?area=urban&urgency=urgent")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows and all(r["area"] == "urban" and r["urgency"] == "urgent" for r in rows)
    assert {r["title"] for r in rows} == {
        f"Need {i:02d}" for i in range(29) if i % 2 == 0 and i % 3 == 1
    }


HEADER = (
    "facility_id,kind,title,specialty,skills,languages,urgency,places,starts_on,ends_on,"
    "mentee_name,weekly_hours,months,slots,topic,audience_size,remote,status"
)
BAD_NEEDS_CSV = (
    HEADER
    + """
{f},mission,Good mission,orthopaedics_trauma,,ar,urgent,2,2027-01-01,2027-01-10,,,,,,,,open
999999,mission,Unknown facility,orthopaedics_trauma,,ar,urgent,2,2027-01-01,2027-01-10,,,,,,,,open
{f},mission,End before start,orthopaedics_trauma,,ar,urgent,2,2027-01-10,2027-01-01,,,,,,,,open
{f},mission,Zero places,orthopaedics_trauma,,ar,urgent,0,2027-01-01,2027-01-10,,,,,,,,open
{f},mentorship,No hours,neonatology,,ar,critical,1,,,Dr. Ahmad,0,6,1 19:00-21:00,,,,open
{f},training,,not_a_specialty,,xx,sometimes,1,,,,,,,,0,no,published
"""
)


async def test_csv_dry_run_reports_every_bad_row_and_imports_nothing(client) -> None:
    facility = await make_facility()
    coordinator = await make_account(Role.COORDINATOR)
    await login(client, coordinator)
    text = BAD_NEEDS_CSV.format(f=facility)
    for mode in ("dry_run", "import"):
        response = await post_form(
            client,
            "/needs/import",
            {"mode": mode},
            files={"file": ("needs.csv", text.encode(), "text/csv")},
        )
        assert response.status_code == 422
        assert "nothing was imported" in response.text
        page = response.text
        assert '<td>3</td><td class="ltr">facility_id</td>' in page
        assert '<td>4</td><td class="ltr">ends_on</td>' in page
        assert '<td>5</td><td class="ltr">places</td>' in page
        assert '<td>6</td><td class="ltr">weekly_hours</td>' in page
        for field in ("title", "specialty", "languages", "urgency", "topic", "status"):
            assert f'<td>7</td><td class="ltr">{field}</td>' in page, field
        assert "<td>2</td>" not in page
    assert await Need.count() == 0

    clean = "\n".join(line for i, line in enumerate(text.splitlines()) if i in (0, 1)) + "\n"
    dry = await post_form(
        client,
        "/needs/import",
        {"mode": "dry_run"},
        files={"file": ("needs.csv", clean.encode(), "text/csv")},
    )
    assert dry.status_code == 200 and "1 row is ready to import" in dry.text
    assert await Need.count() == 0
    done = await post_form(
        client,
        "/needs/import",
        {"mode": "import"},
        files={"file": ("needs.csv", clean.encode(), "text/csv")},
    )
    assert done.status_code == 200 and "1 row imported" in done.text
    assert (await Need.select(Need.title, Need.status).first().run()) == {
        "title": "Good mission",
        "status": "open",
    }


async def test_facility_csv_import(client) -> None:
    coordinator = await make_account(Role.COORDINATOR)
    await login(client, coordinator)
    text = (
        "name_en,name_ar,kind,district,sub_district,rural,latitude,longitude,"
        "functional_state,beds,staff\n"
        "Tadmur Clinic,عيادة تدمر,clinic,tadmur,Tadmur,yes,34.55,38.27,partial,0,5\n"
        "Paris Clinic,,clinic,paris,,no,48.85,2.35,broken,-1,x\n"
    )
    response = await post_form(
        client,
        "/facilities/import",
        {"mode": "import"},
        files={"file": ("f.csv", text.encode(), "text/csv")},
    )
    assert response.status_code == 422
    for field in (
        "name_ar",
        "district",
        "latitude",
        "longitude",
        "functional_state",
        "beds",
        "staff",
    ):
        assert f'<td>3</td><td class="ltr">{field}</td>' in response.text, field
    assert await Facility.count() == 0
    good = text.splitlines()[0] + "\n" + text.splitlines()[1] + "\n"
    response = await post_form(
        client,
        "/facilities/import",
        {"mode": "import"},
        files={"file": ("f.csv", good.encode(), "text/csv")},
    )
    assert response.status_code == 200
    assert (await Facility.select(Facility.name_ar, Facility.rural).first().run()) == {
        "name_ar": "عيادة تدمر",
        "rural": True,
    }


async def test_head_sees_only_own_needs_in_list_and_export(client) -> None:
    rastan, _homs = await _seed()
    head = await make_head(rastan)
    await login(client, head)
    page = await client.get("/needs")
    assert "15 needs" in page.text
    rows = list(csv.DictReader(io.StringIO((await client.get("/needs/export.csv")).text)))
    assert {r["facility_id"] for r in rows} == {str(rastan)}
    assert (await client.get("/needs/import")).status_code == 403
