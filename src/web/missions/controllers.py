"""``/missions/{proposal_id}``: the checklist with its owners and due dates, the
completion report, the head's confirmation or dispute, and each side's feedback.

Thin: decode the form into a command, call ``matching.missions``, render. A refusal
re-renders the page with the problem next to its field and the input kept.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from litestar import Controller, MediaType, Request, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.response import File, Redirect, Template

from matching.accounts.tables import Role
from matching.doctors.documents import MAX_DOCUMENT_BYTES
from matching.errors import DomainError
from matching.missions import checklist, reports
from matching.missions.schemas import PATIENT_CATEGORIES
from web.auth import require_account, requires_role
from web.forms import form_data, form_errors
from web.missions.forms import feedback_draft, item_done, report_draft

requires_party_or_staff = requires_role(
    Role.DOCTOR, Role.FACILITY_HEAD, Role.COORDINATOR, Role.ADMIN
)


def _uploads(request: Request) -> Path:
    return request.app.state.settings.uploads_dir


def _days(request: Request) -> int:
    return request.app.state.settings.mission_ready_days


async def _read_upload(upload: Any) -> tuple[bytes | None, str]:
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None, ""
    return await upload.read(MAX_DOCUMENT_BYTES + 1), upload.filename


class MissionPages(Controller):
    path = "/missions"
    guards = [requires_party_or_staff]
    include_in_schema = False

    async def _page(
        self,
        request: Request,
        proposal_id: int,
        *,
        errors: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
        form: str = "",
        status_code: int = 200,
    ) -> Template:
        view = await reports.mission_view(
            require_account(request), proposal_id, due_days=_days(request)
        )
        return Template(
            template_name="missions/detail.html",
            context={
                "m": view,
                "errors": errors or {},
                "values": values or {},
                "form": form,
                "categories": PATIENT_CATEGORIES,
                "today": date.today(),
                "max_mb": MAX_DOCUMENT_BYTES // 2**20,
                "document_items": sorted(checklist.DOCUMENT_ITEMS),
            },
            status_code=status_code,
            media_type=MediaType.HTML,
        )

    async def _refused(
        self,
        request: Request,
        proposal_id: int,
        exc: DomainError,
        *,
        form: str,
        values: dict[str, Any] | None = None,
    ) -> Template:
        if exc.status_code in (403, 404):
            raise exc
        return await self._page(
            request,
            proposal_id,
            errors=form_errors(exc),
            values=values,
            form=form,
            status_code=exc.status_code,
        )

    @get("/{proposal_id:int}")
    async def show(self, request: Request, proposal_id: FromPath[int]) -> Template:
        return await self._page(request, proposal_id)

    @post("/{proposal_id:int}/items/{item:str}/done")
    async def mark_done(
        self, request: Request, proposal_id: FromPath[int], item: FromPath[str]
    ) -> Template | Redirect:
        form = await request.form()
        values = {k: form.get(k) for k in ("done_on", "note") if isinstance(form.get(k), str)}
        content, filename = await _read_upload(form.get("document"))
        try:
            await checklist.mark_done(
                require_account(request),
                proposal_id,
                item,
                item_done(values, content, filename),
                uploads_dir=_uploads(request),
                due_days=_days(request),
            )
        except DomainError as exc:
            return await self._refused(
                request, proposal_id, exc, form=f"item-{item}", values=values
            )
        return Redirect(f"/missions/{proposal_id}#item-{item}")

    @post("/{proposal_id:int}/items/{item:str}/undo")
    async def undo(
        self, request: Request, proposal_id: FromPath[int], item: FromPath[str]
    ) -> Template | Redirect:
        try:
            await checklist.undo(
                require_account(request), proposal_id, item, uploads_dir=_uploads(request)
            )
        except DomainError as exc:
            return await self._refused(request, proposal_id, exc, form=f"item-{item}")
        return Redirect(f"/missions/{proposal_id}#item-{item}")

    @get("/{proposal_id:int}/items/{item:str}/document")
    async def document(
        self, request: Request, proposal_id: FromPath[int], item: FromPath[str]
    ) -> File:
        path, mime, name = await checklist.item_document(
            require_account(request), proposal_id, item, uploads_dir=_uploads(request)
        )
        return File(
            path=path,
            media_type=mime,
            content_disposition_type="inline",
            filename=name or path.name,
            headers={"cache-control": "private, no-store"},
        )

    @post("/{proposal_id:int}/report")
    async def submit_report(
        self, request: Request, proposal_id: FromPath[int]
    ) -> Template | Redirect:
        data = await form_data(request)
        try:
            await reports.submit_report(require_account(request), proposal_id, report_draft(data))
        except DomainError as exc:
            return await self._refused(request, proposal_id, exc, form="report", values=data)
        return Redirect(f"/missions/{proposal_id}#report")

    @post("/{proposal_id:int}/report/confirm")
    async def confirm_report(
        self, request: Request, proposal_id: FromPath[int]
    ) -> Template | Redirect:
        try:
            await reports.confirm_report(require_account(request), proposal_id)
        except DomainError as exc:
            return await self._refused(request, proposal_id, exc, form="review")
        return Redirect(f"/missions/{proposal_id}#report")

    @post("/{proposal_id:int}/report/dispute")
    async def dispute_report(
        self, request: Request, proposal_id: FromPath[int]
    ) -> Template | Redirect:
        data = await form_data(request)
        note = data.get("head_note") if isinstance(data.get("head_note"), str) else ""
        try:
            await reports.dispute_report(require_account(request), proposal_id, note)
        except DomainError as exc:
            return await self._refused(request, proposal_id, exc, form="review", values=data)
        return Redirect(f"/missions/{proposal_id}#report")

    @post("/{proposal_id:int}/feedback")
    async def feedback(self, request: Request, proposal_id: FromPath[int]) -> Template | Redirect:
        data = await form_data(request)
        try:
            await reports.leave_mission_feedback(
                require_account(request), proposal_id, feedback_draft(data)
            )
        except DomainError as exc:
            return await self._refused(request, proposal_id, exc, form="feedback", values=data)
        return Redirect(f"/missions/{proposal_id}#feedback")
