"""The facilities' HTML pages: list, register, show, edit, invite a head, CSV import."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from matching.accounts.services import Account
from matching.errors import DomainError, ValidationFailed
from matching.facilities import invitations
from matching.facilities.membership import check_facility_access, heads_of
from matching.facilities.need_queries import needs_of_facility
from matching.facilities.profiles import (
    create_facility,
    facilities_page,
    get_facility,
    update_facility,
)
from matching.outcomes.metrics import METRICS
from matching.outcomes.report import build_report
from matching.outcomes.schemas import OutcomeFilters
from matching.paging import parse_page
from web.auth import requires_coordinator
from web.context import base_url
from web.facilities.deps import (
    ACCOUNT,
    choices,
    filter_options,
    filters_context,
    import_page,
    requires_head_or_staff,
)
from web.facilities.forms import facility_change_from_form, facility_form_values, facility_from_form
from web.forms import form_data, form_errors, render_form


class FacilityPages(Controller):
    path = "/facilities"
    guards = [requires_head_or_staff]
    dependencies = ACCOUNT
    include_in_schema = False

    @get("/")
    async def index(
        self,
        request: Request,
        account: Account,
        district: FromQuery[str | None] = None,
        q: FromQuery[str | None] = None,
        page: FromQuery[str | None] = None,
    ) -> Template:
        params = {"district": district or "", "q": (q or "").strip()}
        errors: dict[str, str] = {}
        try:
            result = await facilities_page(
                viewer=account, district=district, search=q, page=parse_page(page)
            )
        except ValidationFailed as exc:
            errors = exc.errors
            result = await facilities_page(viewer=account)
        return Template(
            "facilities/index.html",
            context={
                "result": result,
                "params": params,
                "query": filters_context(params),
                "errors": errors,
                "filter_options": filter_options(request.scope["state"]["language"]),
            },
            status_code=422 if errors else 200,
        )

    @get("/new", guards=[requires_coordinator])
    async def new(self) -> Template:
        return render_form("facilities/form.html", values={"rural": False}, errors={}, **choices())

    @post("/new", guards=[requires_coordinator])
    async def create(self, request: Request, account: Account) -> Template | Redirect:
        data = await form_data(request)
        try:
            facility_id = await create_facility(facility_from_form(data), actor=account)
        except DomainError as exc:
            return render_form(
                "facilities/form.html", values=data, errors=form_errors(exc), **choices()
            )
        return Redirect(f"/facilities/{facility_id}")

    @get("/{facility_id:int}")
    async def show(
        self, account: Account, facility_id: FromPath[int], invited: FromQuery[str | None] = None
    ) -> Template:
        facility = await get_facility(facility_id, viewer=account)
        return Template(
            "facilities/show.html",
            context={
                "facility": facility,
                "heads": await heads_of(facility_id),
                "needs": await needs_of_facility(facility_id, viewer=account),
                "outcomes": await build_report(OutcomeFilters(facility_id=facility_id)),
                "outcome_metrics": METRICS,
                "invited": invited,
                "values": {},
                "errors": {},
                **choices(),
            },
        )

    @get("/{facility_id:int}/edit")
    async def edit(self, account: Account, facility_id: FromPath[int]) -> Template:
        facility = await get_facility(facility_id, viewer=account)
        await check_facility_access(account, facility_id)
        return render_form(
            "facilities/form.html",
            values=facility_form_values(facility),
            errors={},
            facility=facility,
            **choices(),
        )

    @post("/{facility_id:int}/edit")
    async def update(
        self, request: Request, account: Account, facility_id: FromPath[int]
    ) -> Template | Redirect:
        facility = await get_facility(facility_id, viewer=account)
        data = await form_data(request)
        try:
            await update_facility(facility_id, facility_change_from_form(data), actor=account)
        except DomainError as exc:
            return render_form(
                "facilities/form.html",
                values=data,
                errors=form_errors(exc),
                facility=facility,
                **choices(),
            )
        return Redirect(f"/facilities/{facility_id}")

    @post("/{facility_id:int}/invitations", guards=[requires_coordinator])
    async def invite(
        self, request: Request, account: Account, facility_id: FromPath[int]
    ) -> Template | Redirect:
        data = await form_data(request)
        email = str(data.get("email", "")).strip()
        try:
            await invitations.invite_head(
                facility_id,
                email,
                actor=account,
                # Mailed links come from BASE_URL, never from the request's Host header.
                base_url=base_url(request),
                language=str(data.get("language", "ar")),
            )
        except ValidationFailed as exc:
            return render_form(
                "facilities/show.html",
                values=data,
                errors=form_errors(exc),
                facility=await get_facility(facility_id),
                heads=await heads_of(facility_id),
                needs=await needs_of_facility(facility_id, viewer=account),
                invited=None,
                **choices(),
            )
        return Redirect(f"/facilities/{facility_id}?invited={email}")

    @get("/import", guards=[requires_coordinator])
    async def import_form(self) -> Template:
        return Template("facilities/import.html", context={"report": None, "what": "facilities"})

    @post("/import", guards=[requires_coordinator])
    async def import_csv(
        self,
        request: Request,
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Template:
        return await import_page(request, data, "facilities")
