"""Every controller and route handler the app serves, in one list.

Each feature adds its controllers here; the authorization-matrix test reads
the app's own route table, so a new route cannot escape it.
"""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from web.accounts.controllers import AccountPages, SessionApi, SignupApi
from web.admin.controllers import StaffPages
from web.health import health
from web.home import home

ROUTE_HANDLERS: list[ControllerRouterHandler] = [
    home,
    health,
    AccountPages,
    SessionApi,
    SignupApi,
    StaffPages,
]
