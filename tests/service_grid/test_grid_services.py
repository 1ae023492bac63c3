"""The service grid's domain: dated rows, history, the cause rule, the lost race, the
needs a gap suggests, the grid by district and the map (both engines).

(Named ``service_grid``: ``tests/services.py`` already holds the test services' URLs.)
"""

from __future__ import annotations

import math

import pytest

from matching.accounts.tables import Role
from matching.audit.tables import AuditEvent
from matching.errors import Conflict, Forbidden, ValidationFailed
from matching.facilities.tables import Facility, Need
from matching.labels import LABELS
from matching.services import overview
from matching.services.areas import AREAS
from matching.services.grid import save_grid, service_grid
from matching.services.schemas import AreaStatusDraft, ServiceGridChange, SuggestedNeedDraft
from matching.services.suggestions import post_suggested_need
from matching.services.tables import FacilityService
from matching.taxonomy import load_taxonomy
from tests.factories import make_account, make_facility, make_head


def _change(*rows: tuple[str, str, str], version: int | None = None) -> ServiceGridChange:
    return ServiceGridChange(
        statuses=[AreaStatusDraft(area=a, status=s, cause=c) for a, s, c in rows],
        seen_version=version,
    )


def test_every_specialty_serves_an_area_and_every_area_has_a_label() -> None:
    taxonomy = load_taxonomy()
    served = {code for area in AREAS for code in area.specialties}
    assert served == set(taxonomy.specialties)
    for area in AREAS:
        assert area.specialty in area.specialties
        assert area.code in LABELS["service_area"]
    assert len({area.code for area in AREAS}) == len(AREAS) == 16


async def test_only_changes_are_written_and_the_history_is_kept(db: str) -> None:
    facility = await make_facility()
    head = await make_head(facility)
    first = await save_grid(
        head,
        facility,
        _change(
            ("surgery", "partly", "no_staff"),
            ("emergency_care", "available", ""),
            ("mental_health", "", ""),
        ),
    )
    by_area = {a.area: a for a in first.areas}
    assert (by_area["surgery"].status, by_area["surgery"].cause) == ("partly", "no_staff")
    assert by_area["mental_health"].status == ""  # not reported: no row
    assert await FacilityService.count() == 2
    # Saving the same grid again writes nothing; changing one area writes one row.
    await save_grid(head, facility, _change(("surgery", "partly", "no_staff")))
    assert await FacilityService.count() == 2
    second = await save_grid(
        head,
        facility,
        _change(("surgery", "not_available", "damaged_building"), version=first.version),
    )
    assert await FacilityService.count() == 3
    surgery = next(a for a in second.areas if a.area == "surgery")
    assert (surgery.status, surgery.cause) == ("not_available", "damaged_building")
    assert [(h.area, h.status) for h in second.history] == [
        ("surgery", "not_available"),
        ("surgery", "partly"),
        ("emergency_care", "available"),  # rows of one save go in the grid's order
    ]
    assert second.version > first.version
    events = (
        await AuditEvent.select(AuditEvent.action, AuditEvent.subject_id)
        .where(AuditEvent.action == "facility.services_updated")
        .run()
    )
    assert [e["subject_id"] for e in events] == [facility, facility]


async def test_the_cause_rule_names_each_area_and_nothing_is_stored(db: str) -> None:
    facility = await make_facility()
    head = await make_head(facility)
    with pytest.raises(ValidationFailed) as caught:
        await save_grid(
            head,
            facility,
            _change(
                ("surgery", "partly", ""),
                ("paediatrics", "available", "no_staff"),
                ("nutrition", "broken", ""),
                ("oral_health", "not_available", "bad_luck"),
                ("emergency_care", "available", ""),
            ),
        )
    assert caught.value.errors == {
        "cause_surgery": "choose the main cause: the service is not fully available",
        "cause_paediatrics": "leave the cause empty: the service is available",
        "status_nutrition": "choose available, partly available or not available",
        "cause_oral_health": "choose a cause from the list",
    }
    assert await FacilityService.count() == 0
    assert await AuditEvent.count().where(AuditEvent.action == "facility.services_updated") == 0
    with pytest.raises(ValidationFailed) as caught:
        await save_grid(head, facility, _change(("teleportation", "available", "")))
    assert set(caught.value.errors) == {"area"}


async def test_a_save_over_a_newer_grid_is_refused(db: str) -> None:
    facility = await make_facility()
    head, other = await make_head(facility), await make_head(facility)
    read = await service_grid(head, facility)
    await save_grid(other, facility, _change(("surgery", "available", ""), version=read.version))
    with pytest.raises(Conflict):
        await save_grid(
            head, facility, _change(("surgery", "partly", "no_supplies"), version=read.version)
        )
    rows = await FacilityService.select(FacilityService.status).run()
    assert [r["status"] for r in rows] == ["available"]


async def test_only_the_facilitys_heads_and_staff_keep_the_grid(db: str) -> None:
    mine, theirs = await make_facility(), await make_facility()
    head = await make_head(mine)
    with pytest.raises(Forbidden):
        await save_grid(head, theirs, _change(("surgery", "available", "")))
    with pytest.raises(Forbidden):
        await service_grid(head, theirs)
    coordinator = await make_account(Role.COORDINATOR)
    await save_grid(coordinator, theirs, _change(("surgery", "available", "")))
    assert await FacilityService.count() == 1


async def test_a_gap_suggests_a_need_of_the_right_kind_and_specialty(db: str) -> None:
    facility = await make_facility()
    head = await make_head(facility)
    grid = await save_grid(
        head,
        facility,
        _change(
            ("surgery", "not_available", "no_staff"),
            ("maternal_newborn", "partly", "no_training"),
            ("medicines", "partly", "no_supplies"),
        ),
    )
    assert [(s.area, s.kind, s.specialty) for s in grid.suggestions] == [
        ("surgery", "mission", "general_surgery"),
        ("maternal_newborn", "training", "obstetrics_gynaecology"),
    ]
    mission = await post_suggested_need(
        head, facility, SuggestedNeedDraft(area="surgery", kind="mission", language="ar")
    )
    workshop = await post_suggested_need(
        head, facility, SuggestedNeedDraft(area="maternal_newborn", kind="training")
    )
    assert mission.status == workshop.status == "open" and mission.ranking_due
    rows = {row["id"]: row for row in await Need.select().where(Need.facility == facility).run()}
    assert (rows[mission.id]["kind"], rows[mission.id]["specialty"]) == (
        "mission",
        "general_surgery",
    )
    assert rows[mission.id]["urgency"] == "urgent"  # not available at all
    assert "الجراحة العامة" in rows[mission.id]["title"]  # written in the head's language
    assert (rows[workshop.id]["kind"], rows[workshop.id]["specialty"]) == (
        "training",
        "obstetrics_gynaecology",
    )
    assert rows[workshop.id]["audience_size"] > 0 and rows[workshop.id]["topic"]
    # The grid now points at the posted needs; a second post is refused.
    again = await service_grid(head, facility)
    assert {s.area: s.need_id for s in again.suggestions} == {
        "surgery": mission.id,
        "maternal_newborn": workshop.id,
    }
    with pytest.raises(Conflict):
        await post_suggested_need(
            head, facility, SuggestedNeedDraft(area="surgery", kind="mission")
        )
    # No supplies suggests nothing a doctor could do; a kind the grid did not offer neither.
    for area, kind in (("medicines", "mission"), ("surgery", "training")):
        with pytest.raises(Conflict):
            await post_suggested_need(head, facility, SuggestedNeedDraft(area=area, kind=kind))
    assert await Need.count().where(Need.facility == facility) == 2


async def _place(facility_id: int, latitude: float | None, longitude: float | None) -> None:
    await Facility.update({Facility.latitude: latitude, Facility.longitude: longitude}).where(
        Facility.id == facility_id
    )


async def test_the_grid_by_district_and_the_map(db: str) -> None:
    coordinator = await make_account(Role.COORDINATOR)
    homs = await make_facility(name="Homs Hospital", district="homs", rural=False)
    tadmur = await make_facility(name="Tadmur Clinic", district="tadmur")
    nowhere = await make_facility(name="Mobile Team", district="homs")
    await _place(homs, 34.73, 36.72)
    await _place(tadmur, 34.56, 38.28)
    await save_grid(
        coordinator,
        homs,
        _change(
            ("surgery", "partly", "no_staff"),
            ("emergency_care", "available", ""),
            ("mental_health", "not_available", "no_funding"),
        ),
    )
    await save_grid(coordinator, homs, _change(("surgery", "available", "")))  # latest wins
    await save_grid(coordinator, tadmur, _change(("emergency_care", "available", "")))
    await Need.insert(
        Need(facility=tadmur, kind="mission", title="x", specialty="pediatrics", status="open")
    ).run()
    result = await overview.service_coverage()
    districts = {d.district: d for d in result.districts}
    assert (districts["homs"].facilities, districts["homs"].available) == (2, 2)
    assert (districts["homs"].partly, districts["homs"].not_available) == (0, 1)
    assert districts["homs"].not_reported == 2 * len(AREAS) - 3
    assert (districts["tadmur"].available, districts["tadmur"].not_reported) == (1, 15)
    assert districts["al_rastan"].facilities == 0
    points = {p.facility_id: p for p in result.map.points}
    assert set(points) == {homs, tadmur}
    assert [u.facility_id for u in result.map.unplaced] == [nowhere]
    assert (points[homs].category, points[tadmur].category) == ("gap", "need")
    # Placed by the projection, worked out here from the outline's bounds.
    outline = overview.outline()["points"]
    west = min(p[0] for p in outline)
    north, south = max(p[1] for p in outline), min(p[1] for p in outline)
    east = max(p[0] for p in outline)
    shrink = math.cos(math.radians((north + south) / 2))
    scale = (overview.MAP_WIDTH - 2 * overview.MAP_PAD) / ((east - west) * shrink)
    for facility, (lat, lon) in ((homs, (34.73, 36.72)), (tadmur, (34.56, 38.28))):
        x = overview.MAP_PAD + (lon - west) * shrink * scale
        y = overview.MAP_PAD + (north - lat) * scale
        assert (points[facility].x, points[facility].y) == pytest.approx((x, y), abs=0.06)
    assert points[tadmur].x > points[homs].x + 200  # 1.56 degrees east, some 140 km
    assert 0 < points[homs].y < result.map.height and 0 < points[tadmur].x < result.map.width
