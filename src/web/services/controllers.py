"""A facility's service grid: see it, save it, post the need a gap suggests.

Thin: the rules live in ``matching.services`` (the grid's one writer) and the need is
posted through ``matching.facilities``' own command.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, MediaType, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from matching.accounts.services import Account
from matching.errors import DomainError
from matching.facilities.profiles import get_facility
from matching.i18n import Message
from matching.services.areas import AREAS, ServiceCause, ServiceStatus
from matching.services.grid import save_grid, service_grid
from matching.services.schemas import ServiceGridView, SuggestedNeedDraft
from matching.services.suggestions import post_suggested_need
from web import feedback
from web.context import current_language
from web.facilities.deps import ACCOUNT, queue_ranking_if_due, requires_head_or_staff
from web.facilities.need_pages import PUBLISHED_LANDING
from web.flash import flash
from web.forms import form_data, form_errors
from web.services.forms import grid_from_form, grid_values

SAVED = Message("Service grid saved.")


def _values_of(grid: ServiceGridView) -> dict[str, str]:
    values: dict[str, str] = {}
    for area in grid.areas:
        values[f"status_{area.area}"] = area.status
        values[f"cause_{area.area}"] = area.cause
    return values


class ServicePages(Controller):
    path = "/facilities/{facility_id:int}/services"
    guards = [requires_head_or_staff]
    dependencies = ACCOUNT
    include_in_schema = False

    async def _page(
        self,
        account: Account,
        facility_id: int,
        *,
        values: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        grid = await service_grid(account, facility_id)
        return Template(
            "services/grid.html",
            context={
                "facility": await get_facility(facility_id),
                "grid": grid,
                "values": values if values is not None else _values_of(grid),
                "errors": errors or {},
                "areas": AREAS,
                "statuses": [s.value for s in ServiceStatus],
                "causes": [c.value for c in ServiceCause],
            },
            status_code=status_code,
            media_type=MediaType.HTML,
        )

    @get("/")
    async def show(self, account: Account, facility_id: FromPath[int]) -> Template:
        return await self._page(account, facility_id)

    @post("/")
    async def save(
        self, request: Request, account: Account, facility_id: FromPath[int]
    ) -> Template | Redirect:
        data = await form_data(request)
        try:
            await save_grid(account, facility_id, grid_from_form(data))
        except DomainError as exc:
            if exc.status_code not in (409, 422):
                raise
            # The page shows the grid as stored now (its version too: saving again is
            # a deliberate choice) with what the head chose kept in the form.
            return await self._page(
                account,
                facility_id,
                values=grid_values(data),
                errors=form_errors(exc),
                status_code=exc.status_code,
            )
        flash(request, SAVED)
        return Redirect(f"/facilities/{facility_id}/services")

    @post("/needs")
    async def post_need(
        self, request: Request, account: Account, facility_id: FromPath[int]
    ) -> Redirect:
        """Publish the need a gap suggests; lands where publishing a need lands."""
        data: dict[str, Any] = await form_data(request)
        draft = SuggestedNeedDraft(
            area=str(data.get("area", ""))[:64],
            kind=str(data.get("kind", ""))[:32],
            language=current_language.get(),
        )
        saved = await post_suggested_need(account, facility_id, draft)
        await queue_ranking_if_due(request, saved.id, saved.ranking_due)
        flash(request, feedback.need_saved(published=saved.ranking_due, created=True))
        return Redirect(PUBLISHED_LANDING)
