"""Administration: staff accounts (coordinators and admins are never self-signed-up)."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from matching.accounts import services
from matching.accounts.tables import Role
from matching.errors import DomainError
from web.auth import require_account, requires_admin
from web.forms import form_data, form_errors, render_form

STAFF_ROLES = (Role.COORDINATOR, Role.ADMIN)


class StaffPages(Controller):
    path = "/admin/users"
    guards = [requires_admin]
    include_in_schema = False

    async def _page(
        self, values: dict, errors: dict[str, str], created: str | None = None
    ) -> Template:
        return render_form(
            "admin/users.html",
            values=values,
            errors=errors,
            users=await services.list_accounts(),
            created=created,
        )

    @get("/")
    async def index(self, created: FromQuery[str | None] = None) -> Template:
        return await self._page({}, {}, created)

    @post("/")
    async def create(self, request: Request) -> Template | Redirect:
        data = await form_data(request)
        values = {k: str(data.get(k, "")) for k in ("email", "full_name", "role")}
        try:
            role = Role(values["role"])
            if role not in STAFF_ROLES:
                raise ValueError
        except ValueError:
            return await self._page(values, {"role": "choose coordinator or admin"})
        try:
            account = await services.create_account(
                email=values["email"],
                full_name=values["full_name"],
                password=str(data.get("password", "")),
                role=role,
                actor=require_account(request),
            )
        except DomainError as exc:
            return await self._page(values, form_errors(exc))
        return Redirect(f"/admin/users?created={account.email}")
