"""Workshop pages: ``/workshops/<pairing id>`` and its forms, the tests, certificate
PDFs, the public check ``/certificates/<code>`` and a clinician's ``/me/workshops``.

Thin: each handler decodes its form (``web.workshops.forms``), calls
``matching.workshops.services`` and renders; a refusal re-renders the workshop page
with the problem next to the field and the input kept (422), nothing stored.
"""

from __future__ import annotations

from typing import Any

import anyio
from litestar import Controller, MediaType, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.response import File, Redirect, Template

from matching.accounts.services import Account
from matching.accounts.tables import Role
from matching.errors import Forbidden, ValidationFailed
from matching.i18n import N_, Message
from matching.people.services import people_of_facility
from matching.workshops import services
from matching.workshops.materials import MAX_DOCUMENT_BYTES
from matching.workshops.services import MAX_OPTIONS, MAX_QUESTIONS
from web.auth import requires_login, requires_role
from web.context import base_url
from web.facilities.deps import ACCOUNT
from web.flash import flash
from web.forms import form_data, form_errors
from web.workshops import forms
from web.workshops.certificate_pdf import certificate_pdf

requires_clinician = requires_role(Role.LOCAL_CLINICIAN)


def _uploads(request: Request) -> Any:
    return request.app.state.settings.uploads_dir


async def workshop_page(
    account: Account,
    pairing_id: int,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    form: str = "",
) -> Template:
    """The workshop page; with ``errors``, the failed ``form`` shows them (422)."""
    view, viewer = await services.get_workshop(account, pairing_id)
    candidates = []
    if viewer.manages:
        registered = {a.person_id for a in view.attendees}
        candidates = [
            p for p in await people_of_facility(view.facility_id) if p.id not in registered
        ]
    return Template(
        "workshops/show.html",
        context={
            "w": view,
            "viewer": viewer,
            "candidates": candidates,
            "errors": errors or {},
            "values": values or {},
            "form": form,
            "max_mb": MAX_DOCUMENT_BYTES // 2**20,
        },
        status_code=422 if errors else 200,
        media_type=MediaType.HTML,
    )


class WorkshopPages(Controller):
    path = "/workshops"
    guards = [requires_login]
    dependencies = ACCOUNT
    include_in_schema = False

    @get("/{workshop_pairing_id:int}")
    async def show(self, account: Account, workshop_pairing_id: FromPath[int]) -> Template:
        return await workshop_page(account, workshop_pairing_id)

    async def _submit(
        self,
        request: Request,
        account: Account,
        pairing_id: int,
        form: str,
        action: Any,
        done: Message,
    ) -> Template | Redirect:
        data = await form_data(request)
        try:
            await action(data)
        except ValidationFailed as exc:
            return await workshop_page(
                account, pairing_id, errors=form_errors(exc), values=data, form=form
            )
        flash(request, done)
        return Redirect(f"/workshops/{pairing_id}#{form}")

    @post("/{workshop_pairing_id:int}/plan")
    async def plan(
        self, request: Request, account: Account, workshop_pairing_id: FromPath[int]
    ) -> Template | Redirect:
        async def action(data: dict[str, Any]) -> None:
            await services.save_plan(account, workshop_pairing_id, forms.plan_from_form(data))

        return await self._submit(
            request, account, workshop_pairing_id, "plan", action, Message("Agenda saved.")
        )

    @post("/{workshop_pairing_id:int}/attendees")
    async def attendees(
        self, request: Request, account: Account, workshop_pairing_id: FromPath[int]
    ) -> Template | Redirect:
        async def action(data: dict[str, Any]) -> None:
            await services.register_attendees(
                account, workshop_pairing_id, forms.attendees_from_form(data)
            )

        return await self._submit(
            request,
            account,
            workshop_pairing_id,
            "attendees",
            action,
            Message("Attendees registered."),
        )

    @post("/{workshop_pairing_id:int}/attendance")
    async def attendance(
        self, request: Request, account: Account, workshop_pairing_id: FromPath[int]
    ) -> Template | Redirect:
        async def action(data: dict[str, Any]) -> None:
            await services.take_attendance(
                account, workshop_pairing_id, forms.attendance_from_form(data)
            )

        return await self._submit(
            request,
            account,
            workshop_pairing_id,
            "attendance",
            action,
            Message("Attendance saved."),
        )

    @post("/{workshop_pairing_id:int}/scores/{phase:str}")
    async def scores(
        self,
        request: Request,
        account: Account,
        workshop_pairing_id: FromPath[int],
        phase: FromPath[str],
    ) -> Template | Redirect:
        async def action(data: dict[str, Any]) -> None:
            await services.enter_paper_scores(
                account, workshop_pairing_id, phase, forms.scores_from_form(data)
            )

        return await self._submit(
            request,
            account,
            workshop_pairing_id,
            f"scores-{phase}",
            action,
            Message("Scores saved."),
        )

    @post("/{workshop_pairing_id:int}/certificates")
    async def issue(
        self, request: Request, account: Account, workshop_pairing_id: FromPath[int]
    ) -> Redirect:
        count = await services.issue_certificates(account, workshop_pairing_id)
        flash(request, Message("%(n)s certificate(s) issued.", n=count))
        return Redirect(f"/workshops/{workshop_pairing_id}#certificates")

    @post("/{workshop_pairing_id:int}/materials")
    async def add_material(
        self, request: Request, account: Account, workshop_pairing_id: FromPath[int]
    ) -> Template | Redirect:
        form = await request.form()
        upload = form.get("file")
        content, filename = None, ""
        if isinstance(upload, UploadFile) and upload.filename:
            content = await upload.read(MAX_DOCUMENT_BYTES + 1)
            filename = upload.filename
        try:
            await services.add_material(
                account, workshop_pairing_id, content, filename, uploads_dir=_uploads(request)
            )
        except ValidationFailed as exc:
            return await workshop_page(
                account, workshop_pairing_id, errors=form_errors(exc), form="materials"
            )
        flash(request, Message("Material added."))
        return Redirect(f"/workshops/{workshop_pairing_id}#materials")

    @get("/{workshop_pairing_id:int}/materials/{material_id:int}")
    async def material(
        self,
        request: Request,
        account: Account,
        workshop_pairing_id: FromPath[int],
        material_id: FromPath[int],
    ) -> File:
        path, mime, name = await services.material_file(
            account, workshop_pairing_id, material_id, uploads_dir=_uploads(request)
        )
        return File(
            path=path,
            media_type=mime,
            content_disposition_type="inline",
            filename=name or path.name,
            headers={"cache-control": "private, no-store"},
        )

    # -- tests
    async def _question_form(
        self,
        account: Account,
        pairing_id: int,
        phase: FromPath[str],
        values: dict[str, Any] | None = None,
        errors: dict[str, str] | None = None,
    ) -> Template:
        view, viewer = await services.get_workshop(account, pairing_id)
        if not viewer.teaches:
            raise Forbidden(N_("Only the trainer writes the tests."))
        existing = view.tests.get(phase, [])
        if values is None:
            values = forms.test_form_values(existing)
        blocks = min(max(len(existing) + 2, 5), MAX_QUESTIONS)
        return Template(
            "workshops/questions.html",
            context={
                "w": view,
                "phase": phase,
                "values": values,
                "errors": errors or {},
                "blocks": range(blocks),
                "option_rows": range(MAX_OPTIONS),
            },
            status_code=422 if errors else 200,
            media_type=MediaType.HTML,
        )

    @get("/{workshop_pairing_id:int}/tests/{phase:str}/questions")
    async def questions(
        self, account: Account, workshop_pairing_id: FromPath[int], phase: FromPath[str]
    ) -> Template:
        services._phase(phase)
        return await self._question_form(account, workshop_pairing_id, phase)

    @post("/{workshop_pairing_id:int}/tests/{phase:str}/questions")
    async def write_questions(
        self,
        request: Request,
        account: Account,
        workshop_pairing_id: FromPath[int],
        phase: FromPath[str],
    ) -> Template | Redirect:
        data = await form_data(request)
        try:
            await services.write_test(
                account, workshop_pairing_id, phase, forms.test_from_form(data)
            )
        except ValidationFailed as exc:
            return await self._question_form(
                account, workshop_pairing_id, phase, values=data, errors=form_errors(exc)
            )
        flash(request, Message("Test saved."))
        return Redirect(f"/workshops/{workshop_pairing_id}#tests")

    @get("/{workshop_pairing_id:int}/tests/{phase:str}")
    async def test(
        self, account: Account, workshop_pairing_id: FromPath[int], phase: FromPath[str]
    ) -> Template:
        questions = await services.test_for_attendee(account, workshop_pairing_id, phase)
        return await self._test_page(account, workshop_pairing_id, phase, questions, {}, {})

    async def _test_page(
        self,
        account: Account,
        pairing_id: int,
        phase: FromPath[str],
        questions: list[Any],
        values: dict[str, Any],
        errors: dict[str, str],
    ) -> Template:
        view, _ = await services.get_workshop(account, pairing_id)
        return Template(
            "workshops/test.html",
            context={
                "w": view,
                "phase": phase,
                "questions": questions,
                "values": values,
                "errors": errors,
            },
            status_code=422 if errors else 200,
            media_type=MediaType.HTML,
        )

    @post("/{workshop_pairing_id:int}/tests/{phase:str}")
    async def take_test(
        self,
        request: Request,
        account: Account,
        workshop_pairing_id: FromPath[int],
        phase: FromPath[str],
    ) -> Template | Redirect:
        questions = await services.test_for_attendee(account, workshop_pairing_id, phase)
        data = await form_data(request)
        try:
            score = await services.take_test(
                account,
                workshop_pairing_id,
                phase,
                forms.answers_from_form(data, len(questions)),
            )
        except ValidationFailed as exc:
            return await self._test_page(
                account, workshop_pairing_id, phase, questions, data, form_errors(exc)
            )
        flash(request, Message("Test sent: your score is %(score)s out of 100.", score=score))
        return Redirect(f"/workshops/{workshop_pairing_id}")

    @get("/{workshop_pairing_id:int}/certificates/{certificate_id:int}/pdf")
    async def certificate(
        self,
        request: Request,
        account: Account,
        workshop_pairing_id: FromPath[int],
        certificate_id: FromPath[int],
    ) -> Response[bytes]:
        view = await services.certificate_for(account, workshop_pairing_id, certificate_id)
        pdf = await anyio.to_thread.run_sync(
            certificate_pdf, view, f"{base_url(request)}/certificates/{view.code}"
        )
        return Response(
            pdf,
            media_type="application/pdf",
            headers={
                "content-disposition": f'attachment; filename="certificate-{view.id}.pdf"',
                "cache-control": "private, no-store",
            },
        )


class CertificatePages(Controller):
    """The public check of a certificate: name, workshop, dates, facility; nothing more."""

    path = "/certificates"
    include_in_schema = False

    @get("/{certificate_code:str}")
    async def verify(self, certificate_code: FromPath[str]) -> Template:
        view = await services.verify_certificate(certificate_code)
        return Template(
            "certificates/verify.html",
            context={"c": view},
            media_type=MediaType.HTML,
            headers={"x-robots-tag": "noindex"},
        )


class ClinicianWorkshopPages(Controller):
    """A local clinician's own workshops and certificates."""

    path = "/me/workshops"
    guards = [requires_clinician]
    dependencies = ACCOUNT
    include_in_schema = False

    @get("/")
    async def mine(self, account: Account) -> Template:
        return Template(
            "workshops/mine.html",
            context={"workshops": await services.workshops_of_clinician(account)},
            media_type=MediaType.HTML,
        )
