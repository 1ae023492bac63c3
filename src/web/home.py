"""The landing page: what the platform is, and each role's starting point."""

from __future__ import annotations

from litestar import Request, get
from litestar.response import Template

from web.auth import account_of


@get("/", include_in_schema=False)
async def home(request: Request) -> Template:
    return Template(template_name="home.html", context={"account": account_of(request)})
