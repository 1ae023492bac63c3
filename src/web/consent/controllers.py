"""The privacy notice: public page, the page that asks again, and the JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.params import FromQuery, JSONBody
from litestar.response import Redirect, Template
from msgspec import Meta, Struct

from matching.consent import services
from matching.consent.notice import NOTICE_VERSION, notice_in
from matching.errors import DomainError
from web.accounts.controllers import _safe_next
from web.api_errors import document_errors
from web.auth import require_account, requires_login
from web.consent.context import notice_context
from web.forms import form_data, form_errors, render_form


class ConsentPages(Controller):
    path = "/"
    include_in_schema = False

    @get("/privacy")
    async def notice(self) -> Template:
        return Template("consent/privacy.html", context=notice_context())

    @get("/consent", guards=[requires_login])
    async def ask(self, request: Request, next: FromQuery[str | None] = None) -> Template:
        return render_form(
            "consent/ask.html",
            values={"next": _safe_next(next)},
            errors={},
            **notice_context(),
        )

    @post("/consent", guards=[requires_login])
    async def accept(self, request: Request) -> Template | Redirect:
        data = await form_data(request)
        target = _safe_next(str(data.get("next") or "/"))
        try:
            await services.accept_current_notice(
                require_account(request),
                str(data.get("privacy_notice") or ""),
                language=request.scope["state"]["language"],
            )
        except DomainError as exc:
            return render_form(
                "consent/ask.html",
                values={"next": target},
                errors=form_errors(exc),
                **notice_context(),
            )
        return Redirect(target, status_code=303)


class NoticeSectionOut(Struct):
    heading: str
    text: str


class PrivacyNoticeOut(Struct):
    version: str
    language: str
    title: str
    sections: list[NoticeSectionOut]


class AcceptBody(Struct):
    #: The notice version read (only the current one is accepted; the schema says so).
    version: Annotated[str, Meta(pattern=f"^{NOTICE_VERSION}$")]


class ConsentOut(Struct):
    notice_version: str
    language: str
    via: str
    accepted_at: datetime


@document_errors()
class PrivacyNoticeApi(Controller):
    """The privacy notice, and accepting a new version of it.

    Signed-in doctors and facility heads who have not accepted the current
    version get 403 with ``field: "consent"`` from every other operation.
    """

    path = "/api/privacy-notice"
    tags = ["session"]

    @get("/", summary="The current privacy notice, in the reader's language")
    async def show(self, request: Request) -> PrivacyNoticeOut:
        language = request.scope["state"]["language"]
        title, sections = notice_in(language)
        return PrivacyNoticeOut(
            version=NOTICE_VERSION,
            language=language,
            title=title,
            sections=[NoticeSectionOut(s.heading, s.text) for s in sections],
        )

    @post(
        "/accept",
        status_code=201,
        guards=[requires_login],
        summary="Accept the current privacy notice (send its version)",
    )
    async def accept(self, request: Request, data: JSONBody[AcceptBody]) -> ConsentOut:
        consent = await services.accept_current_notice(
            require_account(request), data.version, language=request.scope["state"]["language"]
        )
        return ConsentOut(
            notice_version=consent.notice_version,
            language=consent.language,
            via=consent.via,
            accepted_at=consent.accepted_at,
        )
