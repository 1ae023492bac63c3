"""Two saves of one grid, and two clicks on one suggestion, at the same moment: each on
its own connection (PostgreSQL's pool; SQLite's IMMEDIATE transactions take turns),
20 times, exact counts after every trial."""

from __future__ import annotations

import asyncio

from matching.audit.tables import AuditEvent
from matching.errors import Conflict
from matching.facilities.tables import Need
from matching.services.grid import save_grid, service_grid
from matching.services.schemas import AreaStatusDraft, ServiceGridChange, SuggestedNeedDraft
from matching.services.suggestions import post_suggested_need
from matching.services.tables import FacilityService
from tests.factories import make_facility, make_head

TRIALS = 20


def _grid(status: str, cause: str, version: int) -> ServiceGridChange:
    return ServiceGridChange(
        statuses=[AreaStatusDraft(area="surgery", status=status, cause=cause)],
        seen_version=version,
    )


async def _outcomes(*calls) -> list[object]:
    return await asyncio.gather(*calls, return_exceptions=True)


async def test_two_heads_save_one_grid_at_once_one_wins(db: str) -> None:
    facility = await make_facility()
    first, second = await make_head(facility), await make_head(facility)
    for trial in range(TRIALS):
        version = (await service_grid(first, facility)).version
        cause = "no_staff" if trial % 2 else "no_training"
        results = await _outcomes(
            save_grid(first, facility, _grid("partly", cause, version)),
            save_grid(second, facility, _grid("not_available", cause, version)),
        )
        refused = [r for r in results if isinstance(r, Conflict)]
        assert len(refused) == 1, results
        assert not [r for r in results if isinstance(r, Exception) and r not in refused]
        assert await FacilityService.count() == trial + 1
        events = AuditEvent.count().where(AuditEvent.action == "facility.services_updated")
        assert await events == trial + 1


async def test_two_clicks_on_one_suggestion_post_one_need(db: str) -> None:
    for trial in range(TRIALS):
        facility = await make_facility()
        head = await make_head(facility)
        grid = await service_grid(head, facility)
        await save_grid(head, facility, _grid("not_available", "no_staff", grid.version))
        click = SuggestedNeedDraft(area="surgery", kind="mission")
        results = await _outcomes(
            post_suggested_need(head, facility, click),
            post_suggested_need(head, facility, click),
        )
        assert sum(isinstance(r, Conflict) for r in results) == 1, results
        assert await Need.count().where(Need.facility == facility) == 1
        assert await Need.count() == trial + 1
