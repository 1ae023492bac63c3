"""Case discussions' pages: a mentorship's cases with the new-case form, and one case
with its images, the mentor's recommendations form and the close button.

Every handler asks the domain, which checks the mentorship's parties (404 for
anyone else); the forms work without JavaScript.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, MediaType, Request, get, post
from litestar.params import FromPath
from litestar.response import File, Redirect, Template

from matching.accounts.services import Account
from matching.cases import services
from matching.cases.images import MAX_SIDE
from matching.cases.tables import AgeBand, Sex
from matching.errors import DomainError
from matching.i18n import Message, gettext
from web.auth import requires_login
from web.cases.forms import case_from_form, case_values
from web.context import base_url
from web.facilities.deps import ACCOUNT
from web.flash import flash
from web.forms import form_data, form_errors


def _language(request: Request) -> str:
    return request.scope["state"]["language"]


def _choices() -> dict[str, Any]:
    return {
        "age_bands": [band.value for band in AgeBand],
        "sexes": [sex.value for sex in Sex],
        "max_images": services.MAX_IMAGES,
        "text_max": services.TEXT_MAX,
        "consent_statement": services.CONSENT_STATEMENT,
    }


class MentorshipCasePages(Controller):
    """``/mentorships/{proposal_id}/cases``: the list and the new-case form."""

    path = "/mentorships/{proposal_id:int}/cases"
    guards = [requires_login]
    dependencies = ACCOUNT
    include_in_schema = False

    async def _page(
        self,
        account: Account,
        proposal_id: int,
        values: dict[str, Any],
        errors: dict[str, str],
    ) -> Template:
        cases, parties, viewer = await services.list_cases(account, proposal_id)
        return Template(
            template_name="cases/list.html",
            context={
                "cases": cases,
                "parties": parties,
                "viewer": viewer,
                "may_submit": services.may_submit(parties, viewer),
                "values": values,
                "errors": errors,
                **_choices(),
            },
            status_code=422 if errors else 200,
            media_type=MediaType.HTML,
        )

    @get("/")
    async def index(self, account: Account, proposal_id: FromPath[int]) -> Template:
        return await self._page(account, proposal_id, {"sex": "not_stated"}, {})

    @post("/")
    async def submit(
        self, request: Request, account: Account, proposal_id: FromPath[int]
    ) -> Template | Redirect:
        form = await request.form()
        values = case_values(form)
        try:
            view = await services.submit_case(
                account,
                proposal_id,
                await case_from_form(form),
                uploads_dir=request.app.state.settings.uploads_dir,
                base_url=base_url(request),
                consent_text=gettext(_language(request), services.CONSENT_STATEMENT),
            )
        except DomainError as exc:
            if exc.status_code not in (409, 422):
                raise
            return await self._page(account, proposal_id, values, form_errors(exc))
        flash(
            request,
            Message(
                "Case #%(id)s submitted. The mentor is told and will answer with "
                "recommendations; you will get a notice.",
                id=view.id,
            ),
        )
        return Redirect(f"/cases/{view.id}")


class CasePages(Controller):
    """``/cases/{case_id}``: one case, its images, the recommendations, close."""

    path = "/cases/{case_id:int}"
    guards = [requires_login]
    dependencies = ACCOUNT
    include_in_schema = False

    async def _page(
        self,
        account: Account,
        case_id: int,
        values: dict[str, Any] | None = None,
        errors: dict[str, str] | None = None,
    ) -> Template:
        case, parties, viewer = await services.get_case(account, case_id)
        return Template(
            template_name="cases/show.html",
            context={
                "case": case,
                "parties": parties,
                "viewer": viewer,
                "actions": services.allowed_actions(case.status, viewer),
                "values": values or {},
                "errors": errors or {},
                "max_side": MAX_SIDE,
            },
            status_code=422 if errors else 200,
            media_type=MediaType.HTML,
        )

    @get("/")
    async def show(self, account: Account, case_id: FromPath[int]) -> Template:
        return await self._page(account, case_id)

    @post("/answer")
    async def answer(
        self, request: Request, account: Account, case_id: FromPath[int]
    ) -> Template | Redirect:
        data = await form_data(request)
        text = str(data.get("recommendations") or "")
        try:
            await services.answer_case(account, case_id, text, base_url=base_url(request))
        except DomainError as exc:
            if exc.status_code not in (409, 422):
                raise
            return await self._page(
                account, case_id, {"recommendations": text}, _as_field(exc, "recommendations")
            )
        flash(
            request,
            Message(
                "Recommendations sent. The mentee's side is told and can read them now.",
            ),
        )
        return Redirect(f"/cases/{case_id}")

    @post("/close")
    async def close(
        self, request: Request, account: Account, case_id: FromPath[int]
    ) -> Template | Redirect:
        try:
            await services.close_case(account, case_id)
        except DomainError as exc:
            if exc.status_code != 409:
                raise
            return await self._page(account, case_id, {}, form_errors(exc))
        flash(request, Message("Case closed. It stays readable until it is deleted."))
        return Redirect(f"/cases/{case_id}")

    @get("/images/{image_id:int}")
    async def image(
        self, request: Request, account: Account, case_id: FromPath[int], image_id: FromPath[int]
    ) -> File:
        path, mime = await services.case_image(
            account, case_id, image_id, request.app.state.settings.uploads_dir
        )
        return File(
            path=path,
            media_type=mime,
            content_disposition_type="inline",
            filename=f"case-{case_id}-image-{image_id}{path.suffix}",
            headers={"cache-control": "private, no-store"},
        )


def _as_field(exc: DomainError, field: str) -> dict[str, str]:
    errors = form_errors(exc)
    return errors if field in errors else {"__all__": next(iter(errors.values()))}
