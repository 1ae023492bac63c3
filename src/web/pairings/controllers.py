"""The people paired: a doctor's offers and interests, a head's pairings, the JSON API."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody, Parameter
from litestar.response import Redirect, Template
from msgspec import Meta, Struct

from matching.accounts.tables import Role
from matching.districts.services import access_of
from matching.errors import DomainError, Forbidden
from matching.pairings import interests, remote_offers, review, transitions
from matching.pairings.calendar import build_calendar
from web.api_errors import document_errors
from web.auth import (
    require_account,
    requires_coordinator,
    requires_doctor,
    requires_login,
    requires_role,
)
from web.context import base_url, current_language
from web.forms import form_data, form_errors

# Coordinators may open any pairing too (they see everything in the review pages).
requires_paired_or_staff = requires_role(
    Role.DOCTOR, Role.FACILITY_HEAD, Role.COORDINATOR, Role.ADMIN
)


async def _calendar(request: Request, proposal_id: int) -> Response[bytes]:
    account = require_account(request)
    detail = await review.pairing_detail(proposal_id, account)
    if detail.row.proposal.state != "confirmed":
        raise Forbidden("The calendar file is ready once the pairing is confirmed.")
    return Response(
        build_calendar(
            detail, for_doctor=account.role == Role.DOCTOR, language=current_language.get()
        ),
        media_type="text/calendar; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="pairing-{proposal_id}.ics"'},
    )


class PairingPages(Controller):
    path = "/pairings"
    guards = [requires_paired_or_staff]
    include_in_schema = False

    @get("/")
    async def index(self, request: Request) -> Template:
        return Template(
            template_name="pairings/list.html",
            context={
                "rows": await review.pairings_for(require_account(request)),
                "notifications": await review.notifications_for(require_account(request)),
            },
        )

    async def _detail(
        self,
        request: Request,
        proposal_id: int,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
        done: str | None = None,
    ) -> Template:
        detail = await review.pairing_detail(proposal_id, require_account(request))
        offers = await remote_offers.offers_of(proposal_id)
        return Template(
            template_name="pairings/detail.html",
            context={
                "d": detail,
                "p": detail.row.proposal,
                "errors": errors or {},
                "done": done,
                "district_access": await access_of(detail.row.facility["district"]),
                "remote_offer": offers[0] if offers else None,
            },
            status_code=status_code,
            media_type=MediaType.HTML,
        )

    @get("/{proposal_id:int}")
    async def show(
        self, request: Request, proposal_id: FromPath[int], done: FromQuery[str | None] = None
    ) -> Template:
        return await self._detail(request, proposal_id, done=done)

    @post("/{proposal_id:int}/accept", guards=[requires_doctor])
    async def accept(self, request: Request, proposal_id: FromPath[int]) -> Template | Redirect:
        try:
            await transitions.accept(
                proposal_id, require_account(request), base_url=base_url(request)
            )
        except DomainError as exc:
            if exc.status_code in (403, 404):
                raise
            return await self._detail(request, proposal_id, form_errors(exc), exc.status_code)
        return Redirect(f"/pairings/{proposal_id}?done=accepted")

    @post("/{proposal_id:int}/decline", guards=[requires_doctor])
    async def decline(self, request: Request, proposal_id: FromPath[int]) -> Template | Redirect:
        data = await form_data(request)
        try:
            await transitions.decline(
                proposal_id,
                require_account(request),
                note=str(data.get("note", "")),
                base_url=base_url(request),
            )
        except DomainError as exc:
            if exc.status_code in (403, 404):
                raise
            return await self._detail(request, proposal_id, form_errors(exc), exc.status_code)
        return Redirect(f"/pairings/{proposal_id}?done=declined")

    @post("/{proposal_id:int}/cancel")
    async def cancel(self, request: Request, proposal_id: FromPath[int]) -> Template | Redirect:
        """End a confirmed pairing with a reason (the doctor, a head of the facility or a
        coordinator); the other side is told and a runner-up comes forward."""
        data = await form_data(request)
        try:
            await transitions.cancel(
                proposal_id,
                require_account(request),
                reason=str(data.get("reason", "")),
                base_url=base_url(request),
            )
        except DomainError as exc:
            if exc.status_code in (403, 404):
                raise
            return await self._detail(request, proposal_id, form_errors(exc), exc.status_code)
        return Redirect(f"/pairings/{proposal_id}?done=cancelled")

    @get("/{proposal_id:int}/calendar.ics")
    async def calendar(self, request: Request, proposal_id: FromPath[int]) -> Response[bytes]:
        return await _calendar(request, proposal_id)


class OpenNeedPages(Controller):
    """Open needs that fit the doctor, and the doctor's ordered list of interests."""

    path = "/pairings/needs"
    guards = [requires_doctor]
    include_in_schema = False

    async def _page(
        self, request: Request, errors: dict[str, str] | None = None, status_code: int = 200
    ) -> Template:
        account = require_account(request)
        mine = await interests.interests(account)
        chosen = {i["need_id"] for i in mine}
        return Template(
            template_name="pairings/needs.html",
            context={
                "needs": await interests.fitting_needs(account),
                "interests": mine,
                "chosen": chosen,
                "errors": errors or {},
            },
            status_code=status_code,
            media_type=MediaType.HTML,
        )

    @get("/")
    async def index(self, request: Request) -> Template:
        return await self._page(request)

    @post("/{need_id:int}/{operation:str}")
    async def change(
        self, request: Request, need_id: FromPath[int], operation: FromPath[str]
    ) -> Template | Redirect:
        try:
            await interests.change(require_account(request), need_id, operation)
        except DomainError as exc:
            return await self._page(request, form_errors(exc), exc.status_code)
        return Redirect("/pairings/needs")


# --- JSON API ------------------------------------------------------------------------


class SignalOut(Struct):
    name: str
    value: float
    weight: float
    contribution: float


class RunnerUpOut(Struct):
    doctor_id: int
    score: float
    rank: int


class DoctorOut(Struct):
    id: int
    name: str
    country: str
    specialties: list[list[str]]
    languages: list[str]


class ProposalOut(Struct):
    id: int
    need_id: int
    state: str
    score: float
    rank: int
    doctor: DoctorOut | None
    signals: list[SignalOut]
    runners_up: list[RunnerUpOut]
    decision_reason: str
    actions: list[str]


class RejectBody(Struct):
    reason: str
    note: str = ""


class DeclineBody(Struct):
    note: str = ""


#: Why a pairing is cancelled: at least one character besides spaces, no control
#: character but line breaks and tabs, at most 1,000 characters (what ``cancel`` checks).
_TEXT = r"[^\u0000-\u0008\u000b\u000c\u000e-\u001f]*"
CANCEL_REASON = rf"^{_TEXT}[^\s\u0000-\u001f]{_TEXT}$"


class CancelBody(Struct):
    reason: Annotated[str, Meta(pattern=CANCEL_REASON, max_length=1000)]


class CancelOut(Struct):
    proposal: ProposalOut
    runner_up_proposal_id: int | None


def _out(p: review.ProposalView) -> ProposalOut:
    doctor = None
    if p.doctor is not None:
        doctor = DoctorOut(
            id=p.doctor.id,
            name=p.doctor.name,
            country=p.doctor.country,
            specialties=[list(s) for s in p.doctor.specialties],
            languages=p.doctor.languages,
        )
    return ProposalOut(
        id=p.id,
        need_id=p.need_id,
        state=p.state,
        score=p.score,
        rank=p.rank,
        doctor=doctor,
        signals=[SignalOut(s.name, s.value, s.weight, s.contribution) for s in p.signals],
        runners_up=[RunnerUpOut(r["doctor_id"], r["score"], r["rank"]) for r in p.runners_up],
        decision_reason=p.decision_reason,
        actions=p.actions,
    )


async def _one(proposal_id: int, request: Request) -> ProposalOut:
    detail = await review.pairing_detail(proposal_id, require_account(request))
    return _out(detail.row.proposal)


@document_errors()
class ProposalApi(Controller):
    path = "/api/proposals"
    tags = ["proposals"]

    @get("/", guards=[requires_coordinator], summary="Proposals (coordinators)")
    async def index(
        self, proposal_state: Annotated[str | None, Parameter(query="state")] = None
    ) -> list[ProposalOut]:
        return [_out(p) for p in await review.list_proposals(proposal_state)]

    @post("/{proposal_id:int}/approve", guards=[requires_coordinator], status_code=200)
    async def approve(self, request: Request, proposal_id: FromPath[int]) -> ProposalOut:
        await transitions.approve(proposal_id, require_account(request), base_url=base_url(request))
        return await _one(proposal_id, request)

    @post("/{proposal_id:int}/reject", guards=[requires_coordinator], status_code=200)
    async def reject(
        self, request: Request, proposal_id: FromPath[int], data: JSONBody[RejectBody]
    ) -> ProposalOut:
        await transitions.reject(
            proposal_id, require_account(request), reason=data.reason, note=data.note
        )
        return await _one(proposal_id, request)

    @post("/{proposal_id:int}/accept", guards=[requires_doctor], status_code=200)
    async def accept(self, request: Request, proposal_id: FromPath[int]) -> ProposalOut:
        await transitions.accept(proposal_id, require_account(request), base_url=base_url(request))
        return await _one(proposal_id, request)

    @post("/{proposal_id:int}/decline", guards=[requires_doctor], status_code=200)
    async def decline(
        self,
        request: Request,
        proposal_id: FromPath[int],
        data: JSONBody[DeclineBody | None] = None,
    ) -> ProposalOut:
        await transitions.decline(
            proposal_id,
            require_account(request),
            note=data.note if data else "",
            base_url=base_url(request),
        )
        return await _one(proposal_id, request)

    @post("/{proposal_id:int}/cancel", guards=[requires_paired_or_staff], status_code=200)
    async def cancel(
        self, request: Request, proposal_id: FromPath[int], data: JSONBody[CancelBody]
    ) -> CancelOut:
        """End a confirmed pairing with a reason (the doctor, a head of the facility or a
        coordinator); answers the pairing and the runner-up proposal brought forward."""
        result = await transitions.cancel(
            proposal_id, require_account(request), reason=data.reason, base_url=base_url(request)
        )
        return CancelOut(await _one(proposal_id, request), result.runner_up_proposal_id)

    @get(
        "/{proposal_id:int}/calendar.ics",
        guards=[requires_login],
        summary="The confirmed commitment as iCalendar",
        media_type="text/calendar",
    )
    async def calendar(self, request: Request, proposal_id: FromPath[int]) -> Response[bytes]:
        return await _calendar(request, proposal_id)
