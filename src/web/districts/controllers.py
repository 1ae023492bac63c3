"""District access (coordinators: page and JSON API), a mission turned remote (one
action of a coordinator), and the doctor's answer to that change. Thin: the rules are
in ``matching.districts`` and ``matching.pairings`` (district_flags, remote_offers)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Template
from msgspec import Struct

from matching.districts.schemas import AccessView
from matching.districts.services import DISTRICTS, STATUSES, current_access, history
from matching.errors import DomainError, ValidationFailed
from matching.facilities.need_commands import need_row
from matching.pairings import remote_offers
from matching.pairings.district_flags import held_missions, set_district_access
from web.api_errors import document_errors
from web.auth import require_account, requires_coordinator, requires_doctor
from web.context import base_url
from web.districts.forms import (
    REMOTE_SLOTS,
    AccessIn,
    RemoteIn,
    access_from_form,
    access_from_json,
    remote_from_form,
    remote_from_json,
)
from web.facilities.deps import WEEKDAYS, queue_ranking_if_due
from web.forms import form_data, form_errors, render_form


def _today() -> date:
    return datetime.now(UTC).date()


async def _districts_page(
    values: dict[str, Any], errors: dict[str, str], done: str | None = None
) -> Template:
    current = await current_access()
    held = {d: len(await held_missions(d)) for d, v in current.items() if v.status != "open"}
    return render_form(
        "districts/index.html",
        values=values,
        errors=errors,
        current=list(current.values()),
        held=held,
        history=await history(),
        districts=DISTRICTS,
        statuses=STATUSES,
        done=done,
    )


class DistrictPages(Controller):
    path = "/coordinator/districts"
    guards = [requires_coordinator]
    include_in_schema = False

    @get("/")
    async def index(self, done: FromQuery[str | None] = None) -> Template:
        return await _districts_page({"effective_on": _today().isoformat()}, {}, done)

    @post("/")
    async def set_access(self, request: Request) -> Template | Redirect:
        data = await form_data(request)
        try:
            result = await set_district_access(
                access_from_form(data),
                actor=require_account(request),
                today=_today(),
                base_url=base_url(request),
            )
        except ValidationFailed as exc:
            return await _districts_page(data, form_errors(exc))
        return Redirect(f"/coordinator/districts?done={len(result.flagged)}")


class AccessOut(Struct, kw_only=True):
    district: str
    status: str
    effective_on: date | None
    note: str
    set_by: str
    seq: int


class DistrictsOut(Struct, kw_only=True):
    current: list[AccessOut]
    history: list[AccessOut]


class AccessSetOut(Struct, kw_only=True):
    access: AccessOut
    before: str
    flagged_pairings: list[int]


def _out(view: AccessView) -> AccessOut:
    return AccessOut(
        district=view.district,
        status=view.status,
        effective_on=view.effective_on,
        note=view.note,
        set_by=view.set_by_name,
        seq=view.seq,
    )


@document_errors()
class DistrictApi(Controller):
    path = "/api/coordinator/districts"
    tags = ["districts"]
    guards = [requires_coordinator]

    @get("/")
    async def list_(self) -> DistrictsOut:
        """Every district's access status now, and the history, newest first."""
        current = await current_access()
        return DistrictsOut(
            current=[_out(v) for v in current.values()],
            history=[_out(v) for v in await history()],
        )

    @post("/", status_code=201)
    async def set_access(self, request: Request, data: JSONBody[AccessIn]) -> AccessSetOut:
        """Set a district's status; closing it flags the missions held there."""
        result = await set_district_access(
            access_from_json(data),
            actor=require_account(request),
            today=_today(),
            base_url=base_url(request),
        )
        return AccessSetOut(
            access=_out(result.row), before=result.before, flagged_pairings=list(result.flagged)
        )


async def _remote_page(
    need_id: int, values: dict[str, Any], errors: dict[str, str], status_code: int | None = None
) -> Template:
    need = await need_row(need_id)
    page = render_form(
        "districts/make_remote.html",
        values=values,
        errors=errors,
        need=need,
        weekdays=WEEKDAYS,
        slot_rows=range(REMOTE_SLOTS),
    )
    if status_code is not None:
        page.status_code = status_code
    return page


class MakeRemotePages(Controller):
    path = "/coordinator/needs/{need_id:int}/make-remote"
    guards = [requires_coordinator]
    include_in_schema = False

    @get("/")
    async def show(self, need_id: FromPath[int]) -> Template:
        need = await need_row(need_id)
        values = {"kind": "mentorship", "topic": need["title"], "months": "3"}
        return await _remote_page(need_id, values, {})

    @post("/")
    async def make_remote(self, request: Request, need_id: FromPath[int]) -> Template | Redirect:
        data = await form_data(request)
        try:
            made = await remote_offers.make_remote(
                need_id,
                remote_from_form(data),
                actor=require_account(request),
                base_url=base_url(request),
            )
        except DomainError as exc:
            if exc.status_code in (403, 404):
                raise
            return await _remote_page(need_id, data, form_errors(exc), exc.status_code)
        await queue_ranking_if_due(request, need_id, made.ranking_due)
        return Redirect(f"/needs/{need_id}")


class MadeRemoteOut(Struct, kw_only=True):
    need_id: int
    kind: str
    offers: list[int]
    ranking_queued: bool


@document_errors()
class MakeRemoteApi(Controller):
    path = "/api/coordinator/needs/{need_id:int}/make-remote"
    tags = ["districts"]
    guards = [requires_coordinator]

    @post("/", status_code=200)
    async def make_remote(
        self, request: Request, need_id: FromPath[int], data: JSONBody[RemoteIn]
    ) -> MadeRemoteOut:
        """Turn an in-person need into remote work; its held pairings are offered the change."""
        made = await remote_offers.make_remote(
            need_id,
            remote_from_json(data),
            actor=require_account(request),
            base_url=base_url(request),
        )
        queued = await queue_ranking_if_due(request, need_id, made.ranking_due)
        return MadeRemoteOut(
            need_id=need_id, kind=made.kind, offers=list(made.offers), ranking_queued=queued
        )


class RemoteAnswerPages(Controller):
    """The doctor's answer to a mission turned remote (the pairing's page shows the offer)."""

    path = "/pairings/{proposal_id:int}/remote"
    guards = [requires_doctor]
    include_in_schema = False

    @post("/accept")
    async def accept(self, request: Request, proposal_id: FromPath[int]) -> Redirect:
        await remote_offers.accept_change(proposal_id, require_account(request))
        return Redirect(f"/pairings/{proposal_id}?done=remote_accepted")

    @post("/decline")
    async def decline(self, request: Request, proposal_id: FromPath[int]) -> Redirect:
        data = await form_data(request)
        offer = await remote_offers.decline_change(
            proposal_id, require_account(request), note=str(data.get("note", ""))
        )
        await queue_ranking_if_due(request, offer.need_id, True)
        return Redirect(f"/pairings/{proposal_id}?done=remote_declined")


HTML_CONTROLLERS = [DistrictPages, MakeRemotePages, RemoteAnswerPages]
API_CONTROLLERS = [DistrictApi, MakeRemoteApi]
