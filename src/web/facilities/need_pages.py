"""The needs' HTML pages: the list (and its CSV), post, show, edit, publish, close."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Stream, Template

from matching.accounts.services import Account
from matching.accounts.tables import Role
from matching.errors import DomainError, ValidationFailed
from matching.facilities import csv_io
from matching.facilities.need_commands import create_need
from matching.facilities.need_queries import SORTS, NeedPage, list_needs
from matching.facilities.need_transitions import person_moves
from matching.facilities.profiles import get_facility, list_facilities
from matching.i18n import Message
from matching.pairings.need_lifecycle import change_need, change_need_status, describe_need
from matching.pairings.waiting import facility_wait
from web import feedback
from web.auth import requires_coordinator
from web.facilities.deps import (
    ACCOUNT,
    NEED_LIST_QUERY,
    NeedListQuery,
    choices,
    filter_options,
    filters_context,
    import_page,
    queue_ranking_if_due,
    requires_head_or_staff,
)
from web.facilities.forms import (
    need_change_from_form,
    need_form_values,
    need_from_form,
    need_values,
)
from web.flash import flash
from web.forms import form_data, form_errors, render_form
from web.submissions import earlier_answer, remember_answer, take_submission_id

RANKING_SUFFIX = "?notice=ranking"
#: Where publishing a new need lands (the trailing slash is the list route itself).
PUBLISHED_LANDING = "/needs/?sort=newest&notice=ranking"


class NeedPages(Controller):
    path = "/needs"
    guards = [requires_head_or_staff]
    dependencies = ACCOUNT
    include_in_schema = False

    @get("/", dependencies=NEED_LIST_QUERY)
    async def index(
        self,
        request: Request,
        account: Account,
        need_query: NeedListQuery,
        page: FromQuery[int] = 1,
        notice: FromQuery[str | None] = None,
    ) -> Template:
        params, sort = dict(need_query.params), need_query.sort
        errors: dict[str, str] = {}
        try:
            filters = need_query.filters()
            if account.role == Role.FACILITY_HEAD and not params["status"]:
                # A head follows all of their needs, drafts and closed ones included.
                filters = replace(filters, status="all")
                params["status"] = "all"
            result = await list_needs(filters, viewer=account, sort=sort, page=page)
        except ValidationFailed as exc:
            errors = exc.errors
            result = NeedPage(items=[], total=0, page=1, per_page=25)
        return Template(
            "needs/index.html",
            context={
                "result": result,
                "params": params,
                "sort": sort,
                "query": filters_context({**params, "sort": sort}),
                "errors": errors,
                "notice": notice,
                "filter_options": filter_options(request.scope["state"]["language"]),
            },
            status_code=422 if errors else 200,
        )

    @get("/export.csv", dependencies=NEED_LIST_QUERY)
    async def export(self, account: Account, need_query: NeedListQuery) -> Stream:
        filters, sort = need_query.filters(), need_query.sort
        if sort not in SORTS:
            raise ValidationFailed(
                {"sort": Message("must be one of: %(choices)s", choices=", ".join(SORTS))}
            )
        return Stream(
            csv_io.export_needs_csv(filters, viewer=account, sort=sort),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="needs-{date.today()}.csv"'},
        )

    @get("/import", guards=[requires_coordinator])
    async def import_form(self) -> Template:
        return Template("facilities/import.html", context={"report": None, "what": "needs"})

    @post("/import", guards=[requires_coordinator])
    async def import_csv(
        self,
        request: Request,
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Template:
        return await import_page(request, data, "needs")

    @get("/new")
    async def new(self, account: Account, facility: FromQuery[int | None] = None) -> Template:
        facilities = await list_facilities(viewer=account)
        # kind and specialty are left unchosen: the head picks them (never a silent default)
        values: dict[str, Any] = {
            "urgency": "routine",
            "languages": ["ar"],
            "places": 1,
            "facility": facility or (facilities[0].id if facilities else ""),
        }
        return render_form(
            "needs/form.html", values=values, errors={}, facilities=facilities, **choices()
        )

    @post("/new")
    async def create(self, request: Request, account: Account) -> Template | Redirect:
        data = await form_data(request)
        submission = take_submission_id(data)
        if submission and (earlier := await earlier_answer(request, account.id, submission)):
            return Redirect(earlier)  # sent again after a dropped connection: once only
        try:
            saved = await create_need(need_from_form(data), actor=account)
        except DomainError as exc:
            return render_form(
                "needs/form.html",
                values=need_values(data),
                errors=form_errors(exc),
                facilities=await list_facilities(viewer=account),
                **choices(),
            )
        await queue_ranking_if_due(request, saved.id, saved.ranking_due)
        # Published: the head's list, newest first, shows it with the ranking notice (one
        # round trip less on a slow link than its page and then the list); a draft: its
        # page, to finish it.
        target = PUBLISHED_LANDING if saved.ranking_due else f"/needs/{saved.id}"
        flash(request, feedback.need_saved(published=saved.ranking_due, created=True))
        if submission:
            await remember_answer(request, account.id, submission, target)
        return Redirect(target)

    @get("/{need_id:int}")
    async def show(
        self, account: Account, need_id: FromPath[int], notice: FromQuery[str | None] = None
    ) -> Template:
        need = await describe_need(need_id, viewer=account)
        return Template(
            "needs/show.html",
            context={
                "need": need,
                "facility": await get_facility(need.facility),
                "notice": notice,
                "transitions": [move.value for move in person_moves(need.status)],
                **choices(),
                "wait": await facility_wait(need.facility),
            },
        )

    @get("/{need_id:int}/edit")
    async def edit(self, account: Account, need_id: FromPath[int]) -> Template:
        need = await describe_need(need_id, viewer=account)
        return render_form(
            "needs/form.html",
            values=need_form_values(need),
            errors={},
            need=need,
            facilities=await list_facilities(viewer=account),
            **choices(),
        )

    @post("/{need_id:int}/edit")
    async def update(
        self, request: Request, account: Account, need_id: FromPath[int]
    ) -> Template | Redirect:
        need = await describe_need(need_id, viewer=account)
        data = await form_data(request)
        try:
            saved = await change_need(need_id, need_change_from_form(data), actor=account)
        except DomainError as exc:
            values = need_values(data)
            values["facility"] = need.facility
            return render_form(
                "needs/form.html",
                values=values,
                errors=form_errors(exc),
                need=need,
                facilities=await list_facilities(viewer=account),
                **choices(),
            )
        suffix = await _rank_if_due(request, need_id, saved.ranking_due)
        flash(request, feedback.need_saved(published=saved.status != "draft", created=False))
        return Redirect(f"/needs/{need_id}{suffix}")

    @post("/{need_id:int}/status")
    async def change_status(
        self, request: Request, account: Account, need_id: FromPath[int]
    ) -> Redirect:
        """Publish, reopen or cancel (closing goes through its confirmation page)."""
        data = await form_data(request)
        target = str(data.get("status", ""))
        if target in ("closed", "cancelled"):
            # Both withdraw the proposals waiting for review: confirm first.
            return Redirect(f"/needs/{need_id}/close?to={target}")
        moved = await change_need_status(need_id, target, actor=account)
        flash(request, feedback.need_status_changed(moved.status))
        return Redirect(
            f"/needs/{need_id}{await _rank_if_due(request, need_id, moved.ranking_due)}"
        )

    @get("/{need_id:int}/close")
    async def close_page(
        self, account: Account, need_id: FromPath[int], to: FromQuery[str] = "closed"
    ) -> Template:
        """The confirmation page: says how many pending proposals will be withdrawn."""
        need = await describe_need(need_id, viewer=account)
        target = "cancelled" if to == "cancelled" else "closed"
        return Template("needs/close.html", context={"need": need, "target": target})

    @post("/{need_id:int}/close")
    async def close(self, request: Request, account: Account, need_id: FromPath[int]) -> Redirect:
        data = await form_data(request)
        target = "cancelled" if data.get("to") == "cancelled" else "closed"
        moved = await change_need_status(
            need_id, target, actor=account, reason=str(data.get("reason", ""))
        )
        flash(request, feedback.need_status_changed(target, moved.withdrawn))
        return Redirect(f"/needs/{need_id}")


async def _rank_if_due(request: Request, need_id: int, due: bool) -> str:
    """Queue the need's ranking when it is due; the page's notice (queued or not)."""
    await queue_ranking_if_due(request, need_id, due)
    return RANKING_SUFFIX if due else ""
