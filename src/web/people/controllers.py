"""A facility's people (list, add, edit, archive, invite to an account) and the
invited clinician's page. Thin: the rules live in ``matching.people``."""

from __future__ import annotations

from typing import Any

from litestar import Controller, MediaType, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from matching.accounts.services import Account
from matching.errors import DomainError, NotFound, ValidationFailed
from matching.facilities.profiles import get_facility
from matching.i18n import N_, Message
from matching.people import invitations
from matching.people.schemas import PersonChange, PersonDraft, PersonView
from matching.people.services import (
    add_person,
    archive_person,
    change_person,
    get_person,
    list_people,
)
from matching.people.tables import ClinicalRole
from web.auth import account_of, sign_in
from web.consent.context import notice_context
from web.context import base_url
from web.facilities.deps import ACCOUNT, choices, requires_head_or_staff
from web.flash import flash
from web.forms import form_data, form_errors, render_form

FORM_FIELDS = ("name_en", "name_ar", "clinical_role", "specialty", "phone")


def person_from_form(data: dict[str, Any]) -> PersonDraft:
    """The person form as a command (every field is text)."""
    return PersonDraft(**{name: str(data.get(name, "")) for name in FORM_FIELDS})


def person_change_from_form(data: dict[str, Any]) -> PersonChange:
    """The edit form sends every field."""
    return PersonChange(**{name: str(data.get(name, "")) for name in FORM_FIELDS})


def _form_context() -> dict[str, Any]:
    return {"clinical_roles": [role.value for role in ClinicalRole], **choices()}


async def _person_in(account: Account, facility_id: int, person_id: int) -> PersonView:
    person = await get_person(account, person_id)
    if person.facility_id != facility_id:
        raise NotFound(N_("No such person"))
    return person


class PeoplePages(Controller):
    path = "/facilities/{facility_id:int}/people"
    guards = [requires_head_or_staff]
    dependencies = ACCOUNT
    include_in_schema = False

    async def _list(
        self,
        account: Account,
        facility_id: int,
        *,
        values: dict[str, Any] | None = None,
        errors: dict[str, str] | None = None,
        invite_errors: dict[int, dict[str, str]] | None = None,
        invite_values: dict[int, dict[str, Any]] | None = None,
        status_code: int = 200,
    ) -> Template:
        people = await list_people(account, facility_id)
        return Template(
            "people/index.html",
            context={
                "facility": await get_facility(facility_id, viewer=account),
                "people": people,
                "values": values or {},
                "errors": errors or {},
                "invite_errors": invite_errors or {},
                "invite_values": invite_values or {},
                **_form_context(),
            },
            status_code=status_code,
            media_type=MediaType.HTML,
        )

    @get("/")
    async def index(self, account: Account, facility_id: FromPath[int]) -> Template:
        return await self._list(account, facility_id)

    @post("/")
    async def add(
        self, request: Request, account: Account, facility_id: FromPath[int]
    ) -> Template | Redirect:
        data = await form_data(request)
        try:
            person = await add_person(account, facility_id, person_from_form(data))
        except ValidationFailed as exc:
            return await self._list(
                account, facility_id, values=data, errors=form_errors(exc), status_code=422
            )
        flash(
            request,
            Message(
                "%(name)s was added to the facility's people.",
                name=person.name_en or person.name_ar,
            ),
        )
        return Redirect(f"/facilities/{facility_id}/people")

    @get("/{person_id:int}/edit")
    async def edit(
        self, account: Account, facility_id: FromPath[int], person_id: FromPath[int]
    ) -> Template:
        person = await _person_in(account, facility_id, person_id)
        return render_form(
            "people/form.html",
            values={name: getattr(person, name) for name in FORM_FIELDS},
            errors={},
            person=person,
            **_form_context(),
        )

    @post("/{person_id:int}/edit")
    async def update(
        self,
        request: Request,
        account: Account,
        facility_id: FromPath[int],
        person_id: FromPath[int],
    ) -> Template | Redirect:
        person = await _person_in(account, facility_id, person_id)
        data = await form_data(request)
        try:
            await change_person(account, person_id, person_change_from_form(data))
        except ValidationFailed as exc:
            return render_form(
                "people/form.html",
                values=data,
                errors=form_errors(exc),
                person=person,
                **_form_context(),
            )
        flash(request, Message("Changes saved."))
        return Redirect(f"/facilities/{facility_id}/people")

    @post("/{person_id:int}/archive")
    async def archive(
        self,
        request: Request,
        account: Account,
        facility_id: FromPath[int],
        person_id: FromPath[int],
    ) -> Redirect:
        await _person_in(account, facility_id, person_id)
        person = await archive_person(account, person_id)
        flash(
            request,
            Message(
                "%(name)s was removed from the list; the records they appear in keep them.",
                name=person.name_en or person.name_ar,
            ),
        )
        return Redirect(f"/facilities/{facility_id}/people")

    @post("/{person_id:int}/invitation")
    async def invite(
        self,
        request: Request,
        account: Account,
        facility_id: FromPath[int],
        person_id: FromPath[int],
    ) -> Template | Redirect:
        await _person_in(account, facility_id, person_id)
        data = await form_data(request)
        email = str(data.get("email", "")).strip()
        try:
            await invitations.invite_person(
                account,
                person_id,
                email,
                # Mailed links come from BASE_URL, never from the request's Host header.
                base_url=base_url(request),
                language=str(data.get("language", "ar")),
            )
        except ValidationFailed as exc:
            return await self._list(
                account,
                facility_id,
                invite_errors={person_id: form_errors(exc)},
                invite_values={person_id: data},
                status_code=422,
            )
        flash(request, Message("Invitation sent to %(email)s.", email=email))
        return Redirect(f"/facilities/{facility_id}/people")


class PersonInvitationPages(Controller):
    """The invited clinician creates their account (anyone holding the link)."""

    path = "/people/invitations"
    include_in_schema = False

    def _page(
        self,
        invitation: invitations.PersonInvitationView,
        token: str,
        values: dict[str, Any],
        errors: dict[str, str],
        status_code: int = 200,
    ) -> Template:
        return Template(
            "people/invitation.html",
            context={
                "invitation": invitation,
                "token": token,
                "values": values,
                "errors": errors,
                **notice_context(),
            },
            status_code=status_code,
            media_type=MediaType.HTML,
        )

    @get("/{token:str}")
    async def show(self, token: FromPath[str]) -> Template:
        invitation = await invitations.find_person_invitation(token)
        return self._page(invitation, token, {"language": invitation.language}, {})

    @post("/{token:str}")
    async def accept(self, request: Request, token: FromPath[str]) -> Template | Redirect:
        invitation = await invitations.find_person_invitation(token)
        if account_of(request) is not None:
            return self._page(
                invitation,
                token,
                {},
                {"__all__": N_("Sign out first: this link creates a new account.")},
                409,
            )
        data = await form_data(request)
        try:
            new = await invitations.accept_person_invitation(
                token,
                full_name=str(data.get("full_name", "")),
                password=str(data.get("password", "")),
                language=str(data.get("language", "ar")),
                privacy_notice=str(data.get("privacy_notice", "")),
            )
        except DomainError as exc:
            if exc.status_code in (403, 404):
                raise
            return self._page(invitation, token, data, form_errors(exc), exc.status_code)
        await sign_in(request, new)
        flash(request, Message("Welcome: your account is ready."))
        return Redirect("/clinician")
