"""The invited head's page: join a facility, with a new account or the one signed in."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from matching.errors import ValidationFailed
from matching.facilities import invitations
from web import feedback
from web.auth import account_of, sign_in
from web.consent.context import notice_context
from web.flash import flash
from web.forms import form_data, form_errors, render_form


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
        welcome = feedback.joined(facility.name_en, facility.name_ar)
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
        return Redirect(f"/facilities/{facility.id}")
