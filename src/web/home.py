"""The landing page: what the platform is, and each role's starting point.

A signed-in user is sent to their role's home; the landing page stays for
visitors (and for a role whose home page is not served).
"""

from __future__ import annotations

import inspect

from litestar import HttpMethod, Request, get
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers import HTTPRouteHandler
from litestar.response import Redirect, Template

from matching.accounts.services import Account
from matching.i18n import SUPPORTED_LANGUAGES
from web.auth import account_of
from web.consent.gate import consent_gate
from web.context import current_account, current_language

ROLE_HOMES = {
    "coordinator": "/coordinator",
    "admin": "/coordinator",
    "doctor": "/doctors/me",
    "facility_head": "/facilities",
    "local_clinician": "/clinician",
}


def role_home(request: Request, role: str) -> str:
    """Where a signed-in role starts ("/" when its home page is not served).

    Sign-in redirects there directly: one round trip less than through "/"
    (400 ms on the slow links facility heads work on).
    """
    target = ROLE_HOMES.get(role)
    if target and target in {route.path for route in request.app.routes}:
        return target
    return "/"


@get("/", include_in_schema=False)
async def home(request: Request) -> Template | Redirect:
    account = account_of(request)
    if account is not None and (target := role_home(request, account.role.value)) != "/":
        return Redirect(target)
    return Template(template_name="home.html", context={"account": account})


async def home_in_place(request: Request, account: Account, target: str) -> Template | None:
    """The page at ``target`` as the answer to the sign-in itself, or None to redirect.

    A redirect costs a second round trip (400 ms on the slow links facility heads
    work on). The page is served in place only when its GET handler is async and
    needs nothing but the request and the signed-in account (every other parameter
    has a default); it runs as on its own GET, as ``account``, in their language,
    behind its guards and the consent gate (which, when it would step in, leaves the
    redirect). The page names its own address (``page_url``): ``js/page-url.js`` puts
    it in the address bar, so a reload or a bookmark asks for the page, never the
    sign-in again.
    """
    handler = request.app.route_handler_method_map.get(target, {}).get(HttpMethod.GET)
    if not isinstance(handler, HTTPRouteHandler) or handler.has_sync_callable:
        return None
    parameters = inspect.signature(handler.fn).parameters
    given = {"request": request, "account": account}
    if any(p.default is p.empty for name, p in parameters.items() if name not in given):
        return None
    # What AccountMiddleware does for the next request, done for this one.
    request.scope["user"] = account
    current_account.set(account)
    if account.language in SUPPORTED_LANGUAGES:
        request.scope["state"]["language"] = account.language
        current_language.set(account.language)
    try:
        await handler.authorize_connection(connection=request)
    except (NotAuthorizedException, PermissionDeniedException):
        return None
    if await consent_gate(request) is not None:
        return None
    page = await handler.fn(**{name: value for name, value in given.items() if name in parameters})
    if not isinstance(page, Template):
        return None
    page.context["page_url"] = target
    return page
