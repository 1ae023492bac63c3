"""Facilities, their heads' needs, the coordinators' needs list, CSV and invitations.

HTML pages and the JSON API (``/api/facilities``, ``/api/needs``). Thin: every
rule and every query lives in ``matching.facilities``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Stream, Template
from msgspec import Struct

from matching.accounts.tables import Role
from matching.errors import DomainError, ValidationFailed
from matching.facilities import csv_io, invitations, services
from matching.facilities.tables import District, FacilityKind, FunctionalState, NeedKind, Urgency
from matching.i18n import N_, Message
from matching.labels import label
from matching.paging import parse_page
from matching.taxonomy import load_taxonomy
from web import feedback
from web.api_errors import document_errors
from web.auth import (
    account_of,
    require_account,
    requires_coordinator,
    requires_role,
    sign_in,
)
from web.consent.context import notice_context
from web.context import base_url
from web.flash import flash
from web.forms import form_data, form_errors, render_form
from web.submissions import earlier_answer, remember_answer, take_submission_id

logger = logging.getLogger("web.facilities")

requires_head_or_staff = requires_role(Role.FACILITY_HEAD, Role.COORDINATOR, Role.ADMIN)
RANKING_NOTICE = N_("Proposals for this need will be computed shortly.")
WEEKDAYS = range(7)


async def enqueue_ranking(request: Request, need_id: int) -> bool:
    """Ask for a quick one-need ranking; never breaks the page. True when queued."""
    try:
        await request.app.state.queue.enqueue(
            "rank_need", need_id, job_id=f"rank-need:{need_id}", defer_by=5
        )
    except KeyError as exc:
        logger.warning("rank_need job is not registered (%s); need %s waits", exc, need_id)
        return False
    except (ConnectionError, OSError) as exc:
        logger.warning("job queue unreachable (%s); need %s waits for the next run", exc, need_id)
        return False
    return True


def _choices() -> dict[str, Any]:
    return dict(_static_choices())


@cache
def _static_choices() -> dict[str, Any]:
    taxonomy = load_taxonomy()
    return {
        "taxonomy": taxonomy,
        "specialty_codes": sorted(taxonomy.specialties, key=lambda c: taxonomy.specialties[c].en),
        "skill_codes": sorted(taxonomy.skills, key=lambda c: taxonomy.skills[c].en),
        "language_codes": list(taxonomy.languages),
        "need_kinds": [k.value for k in NeedKind],
        "urgencies": [u.value for u in Urgency],
        "districts": [d.value for d in District],
        "facility_kinds": [k.value for k in FacilityKind],
        "functional_states": [s.value for s in FunctionalState],
        "weekdays": WEEKDAYS,
        "slot_rows": range(services.MAX_SLOTS),
        "sorts": services.SORTS,
    }


@cache
def _filter_options(language: str) -> dict[str, list[tuple[str, str]]]:
    """The need list's filter choices as (value, label) in ``language``, built once each."""
    choices = _static_choices()

    def labelled(values: list[str], kind: str) -> list[tuple[str, str]]:
        return [(v, label(v, kind, language)) for v in values]

    tax_language = "ar" if language == "ar" else "en"
    taxonomy = load_taxonomy()
    return {
        "district": labelled(choices["districts"], "district"),
        "area": labelled(["urban", "rural"], "area"),
        "kind": labelled(choices["need_kinds"], "need_kind"),
        "specialty": sorted(
            ((c, taxonomy.name(c, tax_language)) for c in choices["specialty_codes"]),
            key=lambda option: option[1],
        ),
        "urgency": labelled(choices["urgencies"], "urgency"),
    }


# ======================================================================= HTML: facilities


class FacilityPages(Controller):
    path = "/facilities"
    guards = [requires_head_or_staff]
    include_in_schema = False

    @get("/")
    async def index(
        self,
        request: Request,
        district: FromQuery[str | None] = None,
        q: FromQuery[str | None] = None,
        page: FromQuery[str | None] = None,
    ) -> Template:
        account = require_account(request)
        params = {"district": district or "", "q": (q or "").strip()}
        errors: dict[str, str] = {}
        try:
            result = await services.facilities_page(
                viewer=account, district=district, search=q, page=parse_page(page)
            )
        except ValidationFailed as exc:
            errors = exc.errors
            result = await services.facilities_page(viewer=account)
        return Template(
            "facilities/index.html",
            context={
                "result": result,
                "params": params,
                "query": _filters_context(params),
                "errors": errors,
                "filter_options": _filter_options(request.scope["state"]["language"]),
            },
            status_code=422 if errors else 200,
        )

    @get("/new", guards=[requires_coordinator])
    async def new(self) -> Template:
        return render_form("facilities/form.html", values={"rural": False}, errors={}, **_choices())

    @post("/new", guards=[requires_coordinator])
    async def create(self, request: Request) -> Template | Redirect:
        data = await form_data(request)
        try:
            facility_id = await services.create_facility(data, actor=require_account(request))
        except DomainError as exc:
            return render_form(
                "facilities/form.html", values=data, errors=form_errors(exc), **_choices()
            )
        return Redirect(f"/facilities/{facility_id}")

    @get("/{facility_id:int}")
    async def show(
        self, request: Request, facility_id: FromPath[int], invited: FromQuery[str | None] = None
    ) -> Template:
        account = require_account(request)
        facility = await services.get_facility(facility_id, viewer=account)
        return Template(
            "facilities/show.html",
            context={
                "facility": facility,
                "heads": await services.heads_of(facility_id),
                "needs": await services.needs_of_facility(facility_id, viewer=account),
                "invited": invited,
                "values": {},
                "errors": {},
                **_choices(),
            },
        )

    @get("/{facility_id:int}/edit")
    async def edit(self, request: Request, facility_id: FromPath[int]) -> Template:
        facility = await services.get_facility(facility_id, viewer=require_account(request))
        await services.check_facility_access(require_account(request), facility_id)
        values = {k: ("" if v is None else v) for k, v in facility.items()}
        return render_form(
            "facilities/form.html", values=values, errors={}, facility=facility, **_choices()
        )

    @post("/{facility_id:int}/edit")
    async def update(self, request: Request, facility_id: FromPath[int]) -> Template | Redirect:
        account = require_account(request)
        facility = await services.get_facility(facility_id, viewer=account)
        data = await form_data(request)
        try:
            await services.update_facility(facility_id, data, actor=account)
        except DomainError as exc:
            return render_form(
                "facilities/form.html",
                values=data,
                errors=form_errors(exc),
                facility=facility,
                **_choices(),
            )
        return Redirect(f"/facilities/{facility_id}")

    @post("/{facility_id:int}/invitations", guards=[requires_coordinator])
    async def invite(self, request: Request, facility_id: FromPath[int]) -> Template | Redirect:
        account = require_account(request)
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
            facility = await services.get_facility(facility_id)
            return render_form(
                "facilities/show.html",
                values=data,
                errors=form_errors(exc),
                facility=facility,
                heads=await services.heads_of(facility_id),
                needs=await services.needs_of_facility(facility_id, viewer=account),
                invited=None,
                **_choices(),
            )
        return Redirect(f"/facilities/{facility_id}?invited={email}")

    @get("/import", guards=[requires_coordinator])
    async def import_page(self) -> Template:
        return Template("facilities/import.html", context={"report": None, "what": "facilities"})

    @post("/import", guards=[requires_coordinator])
    async def import_csv(
        self,
        request: Request,
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Template:
        return await _import(request, data, "facilities")


async def _import(request: Request, data: dict[str, Any], what: str) -> Template:
    upload = data.get("file")
    dry_run = str(data.get("mode", "dry_run")) != "import"
    if not isinstance(upload, UploadFile):
        return Template(
            "facilities/import.html",
            context={
                "report": None,
                "what": what,
                "errors": {"file": N_("choose a CSV file")},
            },
            status_code=422,
        )
    raw = await upload.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return Template(
            "facilities/import.html",
            context={
                "report": None,
                "what": what,
                "errors": {"file": N_("the file must be UTF-8 text (save it as CSV UTF-8)")},
            },
            status_code=422,
        )
    importer = csv_io.import_facilities_csv if what == "facilities" else csv_io.import_needs_csv
    report = await importer(text, actor=require_account(request), dry_run=dry_run)
    return Template(
        "facilities/import.html",
        context={"report": report, "what": what, "errors": {}},
        status_code=422 if report.problems else 200,
    )


# ======================================================================= HTML: needs


def _need_values(data: dict[str, Any]) -> dict[str, Any]:
    values = dict(data)
    for key in ("skills", "languages", "acceptable_specialties"):
        value = values.get(key)
        values[key] = value if isinstance(value, list) else ([value] if value else [])
    values["requires_licence"] = services.parse_bool(data, "requires_licence")
    values["remote"] = services.parse_bool(data, "remote")
    return values


def _filters_context(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if v not in (None, "")}


@dataclass(frozen=True, slots=True)
class NeedListQuery:
    """The need list's filters and sort as typed in the query string (HTML, CSV, API)."""

    params: dict[str, str | None]
    sort: str

    def filters(self) -> services.NeedFilters:
        """Checked filters; ``ValidationFailed`` names each bad field."""
        return services.NeedFilters.from_query(self.params)


async def provide_need_list_query(
    district: FromQuery[str | None] = None,
    area: FromQuery[str | None] = None,
    kind: FromQuery[str | None] = None,
    specialty: FromQuery[str | None] = None,
    urgency: FromQuery[str | None] = None,
    status: FromQuery[str | None] = None,
    facility: FromQuery[str | None] = None,
    sort: FromQuery[str] = "urgency",
) -> NeedListQuery:
    params = {
        "district": district,
        "area": area,
        "kind": kind,
        "specialty": specialty,
        "urgency": urgency,
        "status": status,
        "facility": facility,
    }
    return NeedListQuery(params=params, sort=sort)


NEED_LIST_QUERY = {"need_query": Provide(provide_need_list_query)}


class NeedPages(Controller):
    path = "/needs"
    guards = [requires_head_or_staff]
    include_in_schema = False

    async def _facilities(self, request: Request) -> list[dict[str, Any]]:
        return await services.list_facilities(viewer=require_account(request))

    @get("/", dependencies=NEED_LIST_QUERY)
    async def index(
        self,
        request: Request,
        need_query: NeedListQuery,
        page: FromQuery[int] = 1,
        notice: FromQuery[str | None] = None,
    ) -> Template:
        account = require_account(request)
        params, sort = dict(need_query.params), need_query.sort
        errors: dict[str, str] = {}
        try:
            filters = need_query.filters()
            if account.role == Role.FACILITY_HEAD and not params["status"]:
                # A head follows all of their needs, drafts and closed ones included.
                filters = replace(filters, status="all")
                params["status"] = "all"
            result = await services.list_needs(filters, viewer=account, sort=sort, page=page)
        except ValidationFailed as exc:
            errors = exc.errors
            result = services.NeedPage(items=[], total=0, page=1, per_page=25)
        query = _filters_context({**params, "sort": sort})
        return Template(
            "needs/index.html",
            context={
                "result": result,
                "params": params,
                "sort": sort,
                "query": query,
                "errors": errors,
                "notice": notice,
                "filter_options": _filter_options(request.scope["state"]["language"]),
            },
            status_code=422 if errors else 200,
        )

    @get("/export.csv", dependencies=NEED_LIST_QUERY)
    async def export(self, request: Request, need_query: NeedListQuery) -> Stream:
        filters, sort = need_query.filters(), need_query.sort
        if sort not in services.SORTS:
            raise ValidationFailed(
                {"sort": Message("must be one of: %(choices)s", choices=", ".join(services.SORTS))}
            )
        return Stream(
            csv_io.export_needs_csv(filters, viewer=require_account(request), sort=sort),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="needs-{date.today()}.csv"'},
        )

    @get("/import", guards=[requires_coordinator])
    async def import_page(self) -> Template:
        return Template("facilities/import.html", context={"report": None, "what": "needs"})

    @post("/import", guards=[requires_coordinator])
    async def import_csv(
        self,
        request: Request,
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Template:
        return await _import(request, data, "needs")

    @get("/new")
    async def new(self, request: Request, facility: FromQuery[int | None] = None) -> Template:
        facilities = await self._facilities(request)
        # kind and specialty are left unchosen: the head picks them (never a silent default)
        values: dict[str, Any] = {
            "urgency": "routine",
            "languages": ["ar"],
            "places": 1,
            "facility": facility or (facilities[0]["id"] if facilities else ""),
        }
        return render_form(
            "needs/form.html", values=values, errors={}, facilities=facilities, **_choices()
        )

    @post("/new")
    async def create(self, request: Request) -> Template | Redirect:
        account = require_account(request)
        data = await form_data(request)
        submission = take_submission_id(data)
        if submission and (earlier := await earlier_answer(request, account.id, submission)):
            return Redirect(earlier)  # sent again after a dropped connection: once only
        publish = data.get("action") == "publish"
        try:
            facility_id = int(str(data.get("facility", "")))
        except ValueError:
            facility_id = 0
        try:
            if not facility_id:
                raise ValidationFailed({"facility": N_("choose the facility")})
            need_id = await services.create_need(facility_id, data, actor=account, publish=publish)
        except DomainError as exc:
            return render_form(
                "needs/form.html",
                values=_need_values(data),
                errors=form_errors(exc),
                facilities=await self._facilities(request),
                **_choices(),
            )
        suffix = ""
        if publish:
            await enqueue_ranking(request, need_id)
            suffix = "?notice=ranking"
        flash(request, feedback.need_saved(published=publish, created=True))
        if submission:
            await remember_answer(request, account.id, submission, f"/needs/{need_id}{suffix}")
        return Redirect(f"/needs/{need_id}{suffix}")

    @get("/{need_id:int}")
    async def show(
        self, request: Request, need_id: FromPath[int], notice: FromQuery[str | None] = None
    ) -> Template:
        need = await services.get_need(need_id, viewer=require_account(request))
        return Template(
            "needs/show.html",
            context={
                "need": need,
                "notice": notice,
                "transitions": [
                    t.value for t in services.TRANSITIONS[services.NeedStatus(need["status"])]
                ],
                **_choices(),
            },
        )

    @get("/{need_id:int}/edit")
    async def edit(self, request: Request, need_id: FromPath[int]) -> Template:
        account = require_account(request)
        need = await services.get_need(need_id, viewer=account)
        values = services.need_form_values(need)
        values["facility"] = need["facility"]
        return render_form(
            "needs/form.html",
            values=values,
            errors={},
            need=need,
            facilities=await self._facilities(request),
            **_choices(),
        )

    @post("/{need_id:int}/edit")
    async def update(self, request: Request, need_id: FromPath[int]) -> Template | Redirect:
        account = require_account(request)
        need = await services.get_need(need_id, viewer=account)
        data = await form_data(request)
        try:
            await services.update_need(need_id, data, actor=account)
        except DomainError as exc:
            values = _need_values(data)
            values["facility"] = need["facility"]
            return render_form(
                "needs/form.html",
                values=values,
                errors=form_errors(exc),
                need=need,
                facilities=await self._facilities(request),
                **_choices(),
            )
        suffix = ""
        if need["status"] != "draft":
            await enqueue_ranking(request, need_id)
            suffix = "?notice=ranking"
        flash(request, feedback.need_saved(published=need["status"] != "draft", created=False))
        return Redirect(f"/needs/{need_id}{suffix}")

    @post("/{need_id:int}/status")
    async def change_status(self, request: Request, need_id: FromPath[int]) -> Redirect:
        """Publish, reopen or cancel (closing goes through its confirmation page)."""
        account = require_account(request)
        data = await form_data(request)
        target = str(data.get("status", ""))
        if target in ("closed", "cancelled"):
            # Both withdraw the proposals waiting for review: confirm first.
            return Redirect(f"/needs/{need_id}/close?to={target}")
        result = await services.change_need_status(need_id, target, actor=account)
        flash(request, feedback.need_status_changed(str(result["status"])))
        if result["status"] in ("open", "partly_filled"):
            await enqueue_ranking(request, need_id)
            return Redirect(f"/needs/{need_id}?notice=ranking")
        return Redirect(f"/needs/{need_id}")

    @get("/{need_id:int}/close")
    async def close_page(
        self, request: Request, need_id: FromPath[int], to: FromQuery[str] = "closed"
    ) -> Template:
        """The confirmation page: says how many pending proposals will be withdrawn."""
        need = await services.get_need(need_id, viewer=require_account(request))
        target = "cancelled" if to == "cancelled" else "closed"
        return Template("needs/close.html", context={"need": need, "target": target})

    @post("/{need_id:int}/close")
    async def close(self, request: Request, need_id: FromPath[int]) -> Redirect:
        data = await form_data(request)
        target = "cancelled" if data.get("to") == "cancelled" else "closed"
        result = await services.change_need_status(
            need_id, target, actor=require_account(request), reason=str(data.get("reason", ""))
        )
        flash(request, feedback.need_status_changed(target, int(result["withdrawn"])))
        return Redirect(f"/needs/{need_id}")


# ======================================================================= HTML: invitations


class InvitationPages(Controller):
    path = "/invitations"
    include_in_schema = False

    @get("/{token:str}")
    async def show(self, request: Request, token: FromPath[str]) -> Template:
        invitation = await invitations.find_invitation(token)
        return render_form(
            "facilities/invitation.html",
            values={"language": "ar"},
            errors={},
            invitation=invitation,
            token=token,
            **notice_context(),
        )

    @post("/{token:str}")
    async def accept(self, request: Request, token: FromPath[str]) -> Template | Redirect:
        account = account_of(request)
        facility = (await invitations.find_invitation(token))["facility_row"]
        welcome = feedback.joined(facility["name_en"], facility["name_ar"])
        if account is not None:
            facility_id = await invitations.accept_as_existing_head(token, account=account)
            flash(request, welcome)
            return Redirect(f"/facilities/{facility_id}")
        data = await form_data(request)
        try:
            new = await invitations.accept_as_new_head(
                token,
                full_name=str(data.get("full_name", "")),
                password=str(data.get("password", "")),
                language=str(data.get("language", "ar")),
                privacy_notice=str(data.get("privacy_notice", "")),
            )
        except ValidationFailed as exc:
            return render_form(
                "facilities/invitation.html",
                values=data,
                errors=form_errors(exc),
                invitation=await invitations.find_invitation(token),
                token=token,
                **notice_context(),
            )
        await sign_in(request, new)
        flash(request, welcome)
        return Redirect(f"/facilities/{facility['id']}")


# ======================================================================= JSON API


class SlotIn(Struct):
    weekday: int
    start: str
    end: str


class NeedIn(Struct, kw_only=True):
    """A need as posted to the API (same rules as the form)."""

    facility_id: int
    kind: str
    title: str
    specialty: str
    skills: list[str] = []
    languages: list[str] = msgspec.field(default_factory=lambda: ["ar"])
    requires_licence: bool = False
    urgency: str = "routine"
    description: str = ""
    places: int = 1
    starts_on: str | None = None
    ends_on: str | None = None
    duration_days: int | None = None
    mentee_name: str = ""
    weekly_hours: float | None = None
    months: int | None = None
    slots: list[SlotIn] = []
    topic: str = ""
    audience_size: int | None = None
    remote: bool = False
    # The specialty floor: "usual" (the taxonomy's list for this specialty and kind of
    # work), "chosen" (acceptable_specialties, the need's own always included) or "any".
    # Without it: "chosen" when acceptable_specialties is given, "any" when any_specialty.
    specialty_scope: str | None = None
    acceptable_specialties: list[str] = []
    any_specialty: bool = False
    publish: bool = False


class StatusIn(Struct):
    status: str
    reason: str = ""


class FacilityIn(Struct, kw_only=True):
    name_en: str
    name_ar: str
    kind: str
    district: str
    sub_district: str = ""
    rural: bool = False
    latitude: float | None = None
    longitude: float | None = None
    functional_state: str = "partial"
    beds: int = 0
    staff: int = 0


def _need_dict(body: NeedIn) -> dict[str, Any]:
    data: dict[str, Any] = {
        f: getattr(body, f)
        for f in body.__struct_fields__
        if f not in ("slots", "facility_id", "publish")
    }
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["slots"] = [{"weekday": s.weekday, "start": s.start, "end": s.end} for s in body.slots]
    return data


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key == "facility_row":
            continue
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        elif isinstance(value, list):
            value = [
                {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in item.items()}
                if isinstance(item, dict)
                else item
                for item in value
            ]
        out[key] = value
    return out


@document_errors()
class NeedApi(Controller):
    path = "/api/needs"
    tags = ["needs"]
    guards = [requires_head_or_staff]

    @get("/", dependencies=NEED_LIST_QUERY)
    async def list_(
        self,
        request: Request,
        need_query: NeedListQuery,
        page: FromQuery[int] = 1,
        per_page: FromQuery[int] = 25,
    ) -> dict[str, Any]:
        """Needs matching the filters, one page, sorted server side."""
        filters, sort = need_query.filters(), need_query.sort
        result = await services.list_needs(
            filters, viewer=require_account(request), sort=sort, page=page, per_page=per_page
        )
        return {
            "items": [_jsonable(i) for i in result.items],
            "total": result.total,
            "page": result.page,
            "per_page": result.per_page,
            "pages": result.pages,
        }

    @post("/", status_code=201)
    async def create(self, request: Request, data: JSONBody[NeedIn]) -> dict[str, Any]:
        """Post a need (draft unless ``publish``)."""
        need_id = await services.create_need(
            data.facility_id, _need_dict(data), actor=require_account(request), publish=data.publish
        )
        queued = data.publish and await enqueue_ranking(request, need_id)
        return {"id": need_id, "ranking_queued": bool(queued)}

    @get("/{need_id:int}")
    async def show(self, request: Request, need_id: FromPath[int]) -> dict[str, Any]:
        return _jsonable(await services.get_need(need_id, viewer=require_account(request)))

    @post("/{need_id:int}", status_code=200)
    async def update(
        self, request: Request, need_id: FromPath[int], data: JSONBody[NeedIn]
    ) -> dict[str, Any]:
        """Replace a need's fields (same validation as the form)."""
        await services.update_need(need_id, _need_dict(data), actor=require_account(request))
        need = await services.get_need(need_id, viewer=require_account(request))
        queued = need["status"] != "draft" and await enqueue_ranking(request, need_id)
        return {"id": need_id, "status": need["status"], "ranking_queued": bool(queued)}

    @post("/{need_id:int}/status", status_code=200)
    async def change_status(
        self, request: Request, need_id: FromPath[int], data: JSONBody[StatusIn]
    ) -> dict[str, Any]:
        """Publish, close, reopen or cancel; closing withdraws pending proposals."""
        result = await services.change_need_status(
            need_id, data.status, actor=require_account(request), reason=data.reason
        )
        if result["status"] in ("open", "partly_filled"):
            await enqueue_ranking(request, need_id)
        return dict(result)


@document_errors()
class FacilityApi(Controller):
    path = "/api/facilities"
    tags = ["facilities"]
    guards = [requires_head_or_staff]

    @get("/")
    async def list_(self, request: Request) -> list[dict[str, Any]]:
        rows = await services.list_facilities(viewer=require_account(request))
        return [_jsonable(r) for r in rows]

    @post("/", status_code=201, guards=[requires_coordinator])
    async def create(self, request: Request, data: JSONBody[FacilityIn]) -> dict[str, Any]:
        fields = {f: getattr(data, f) for f in data.__struct_fields__}
        fields = {k: ("" if v is None else v) for k, v in fields.items()}
        facility_id = await services.create_facility(fields, actor=require_account(request))
        return {"id": facility_id}

    @get("/{facility_id:int}")
    async def show(self, request: Request, facility_id: FromPath[int]) -> dict[str, Any]:
        facility = await services.get_facility(facility_id, viewer=require_account(request))
        return {**_jsonable(facility), "heads": await services.heads_of(facility_id)}

    @post("/{facility_id:int}", status_code=200)
    async def update(
        self, request: Request, facility_id: FromPath[int], data: JSONBody[FacilityIn]
    ) -> dict[str, Any]:
        fields = {f: getattr(data, f) for f in data.__struct_fields__}
        fields = {k: ("" if v is None else v) for k, v in fields.items()}
        await services.update_facility(facility_id, fields, actor=require_account(request))
        return {"id": facility_id}


HTML_CONTROLLERS = [FacilityPages, NeedPages, InvitationPages]
API_CONTROLLERS = [FacilityApi, NeedApi]
__all__ = ["API_CONTROLLERS", "HTML_CONTROLLERS", "enqueue_ranking"]
