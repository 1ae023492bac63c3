"""The landing page: what the platform is, and each role's starting point.

A signed-in user is sent to their role's home; the landing page stays for
visitors (and for a role whose home page is not served).
"""

from __future__ import annotations

from litestar import Request, get
from litestar.response import Redirect, Template

from web.auth import account_of

ROLE_HOMES = {
    "coordinator": "/coordinator",
    "admin": "/coordinator",
    "doctor": "/doctors/me",
    "facility_head": "/facilities",
}


@get("/", include_in_schema=False)
async def home(request: Request) -> Template | Redirect:
    account = account_of(request)
    if account is not None:
        target = ROLE_HOMES.get(account.role.value)
        if target and target in {route.path for route in request.app.routes}:
            return Redirect(target)
    return Template(template_name="home.html", context={"account": account})
