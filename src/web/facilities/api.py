"""The JSON API of facilities (``/api/facilities``) and needs (``/api/needs``).

Bodies are decoded into the domain's commands (``web.facilities.forms``);
answers are the domain's views.
"""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from msgspec import Struct

from matching.accounts.services import Account
from matching.facilities.membership import heads_of
from matching.facilities.need_commands import create_need
from matching.facilities.need_queries import list_needs
from matching.facilities.profiles import (
    create_facility,
    get_facility,
    list_facilities,
    update_facility,
)
from matching.facilities.schemas import FacilityDetail, FacilityView, NeedListItem, NeedView
from matching.pairings.need_lifecycle import change_need, change_need_status, describe_need
from web.api_errors import document_errors
from web.auth import requires_coordinator
from web.facilities.deps import (
    ACCOUNT,
    NEED_LIST_QUERY,
    NeedListQuery,
    queue_ranking_if_due,
    requires_head_or_staff,
)
from web.facilities.forms import (
    FacilityIn,
    NeedIn,
    StatusIn,
    facility_change_from_json,
    facility_from_json,
    need_change_from_json,
    need_from_json,
)


class NeedListPage(Struct, kw_only=True):
    items: list[NeedListItem]
    total: int
    page: int
    per_page: int
    pages: int


class NeedCreated(Struct, kw_only=True):
    id: int
    ranking_queued: bool


class NeedUpdated(Struct, kw_only=True):
    id: int
    status: str
    ranking_queued: bool


class NeedStatusAnswer(Struct, kw_only=True):
    status: str
    withdrawn: int


class FacilitySaved(Struct, kw_only=True):
    id: int


@document_errors()
class NeedApi(Controller):
    path = "/api/needs"
    tags = ["needs"]
    guards = [requires_head_or_staff]
    dependencies = ACCOUNT

    @get("/", dependencies=NEED_LIST_QUERY)
    async def list_(
        self,
        account: Account,
        need_query: NeedListQuery,
        page: FromQuery[int] = 1,
        per_page: FromQuery[int] = 25,
    ) -> NeedListPage:
        """Needs matching the filters, one page, sorted server side."""
        filters, sort = need_query.filters(), need_query.sort
        result = await list_needs(filters, viewer=account, sort=sort, page=page, per_page=per_page)
        return NeedListPage(
            items=[NeedListItem(**item) for item in result.items],
            total=result.total,
            page=result.page,
            per_page=result.per_page,
            pages=result.pages,
        )

    @post("/", status_code=201)
    async def create(
        self, request: Request, account: Account, data: JSONBody[NeedIn]
    ) -> NeedCreated:
        """Post a need (draft unless ``publish``)."""
        saved = await create_need(need_from_json(data), actor=account)
        queued = await queue_ranking_if_due(request, saved.id, saved.ranking_due)
        return NeedCreated(id=saved.id, ranking_queued=queued)

    @get("/{need_id:int}")
    async def show(self, account: Account, need_id: FromPath[int]) -> NeedView:
        return await describe_need(need_id, viewer=account)

    @post("/{need_id:int}", status_code=200)
    async def update(
        self, request: Request, account: Account, need_id: FromPath[int], data: JSONBody[NeedIn]
    ) -> NeedUpdated:
        """Replace a need's fields (same validation as the form)."""
        saved = await change_need(need_id, need_change_from_json(data), actor=account)
        queued = await queue_ranking_if_due(request, need_id, saved.ranking_due)
        return NeedUpdated(id=need_id, status=saved.status, ranking_queued=queued)

    @post("/{need_id:int}/status", status_code=200)
    async def change_status(
        self, request: Request, account: Account, need_id: FromPath[int], data: JSONBody[StatusIn]
    ) -> NeedStatusAnswer:
        """Publish, close, reopen or cancel; closing withdraws pending proposals."""
        moved = await change_need_status(need_id, data.status, actor=account, reason=data.reason)
        await queue_ranking_if_due(request, need_id, moved.ranking_due)
        return NeedStatusAnswer(status=moved.status, withdrawn=moved.withdrawn)


@document_errors()
class FacilityApi(Controller):
    path = "/api/facilities"
    tags = ["facilities"]
    guards = [requires_head_or_staff]
    dependencies = ACCOUNT

    @get("/")
    async def list_(self, account: Account) -> list[FacilityView]:
        return await list_facilities(viewer=account)

    @post("/", status_code=201, guards=[requires_coordinator])
    async def create(self, account: Account, data: JSONBody[FacilityIn]) -> FacilitySaved:
        facility_id = await create_facility(facility_from_json(data), actor=account)
        return FacilitySaved(id=facility_id)

    @get("/{facility_id:int}")
    async def show(self, account: Account, facility_id: FromPath[int]) -> FacilityDetail:
        facility = await get_facility(facility_id, viewer=account)
        heads = await heads_of(facility_id)
        return FacilityDetail(**{**_fields(facility), "heads": heads})

    @post("/{facility_id:int}", status_code=200)
    async def update(
        self, account: Account, facility_id: FromPath[int], data: JSONBody[FacilityIn]
    ) -> FacilitySaved:
        await update_facility(facility_id, facility_change_from_json(data), actor=account)
        return FacilitySaved(id=facility_id)


def _fields(view: FacilityView) -> dict[str, object]:
    return {name: getattr(view, name) for name in view.__struct_fields__}
