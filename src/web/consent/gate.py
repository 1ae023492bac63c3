"""Nothing before the privacy notice: an account that has not accepted the current
version is sent to ``/consent`` (pages) or refused with a 403 naming ``consent`` (API).

Registered as the app's ``before_request`` hook, so it runs after the guards and
before every handler. A few routes stay open: the notice itself, signing out,
the language switch, and a doctor's own data export and deletion (which need no
consent to the data's further use).
"""

from __future__ import annotations

import re
from urllib.parse import quote

from litestar import Request
from litestar.response import Redirect

from matching.consent.services import needs_consent
from matching.errors import Forbidden
from matching.i18n import N_
from web.auth import account_of

CONSENT_REQUIRED = N_(
    "Accept the privacy notice first: read it at GET /api/privacy-notice, "
    "then POST /api/privacy-notice/accept with its version."
)
OPEN_PATHS = re.compile(
    r"^/(?:consent|privacy|logout|language|health)/?$"
    r"|^/(?:static|schema)/"
    r"|^/api/session(?:/logout)?/?$"
    r"|^/api/privacy-notice(?:/accept)?/?$"
    r"|^/doctors/me/(?:export|delete)/?$"
    r"|^/api/doctors/me/export/?$"
)


def _is_open(request: Request) -> bool:
    path = request.url.path
    if OPEN_PATHS.match(path):
        return True
    return request.method == "DELETE" and path.rstrip("/") == "/api/doctors/me"


async def consent_gate(request: Request) -> Redirect | None:
    """``before_request``: None to go on, or the answer that asks for consent."""
    account = account_of(request)
    if account is None or _is_open(request) or not await needs_consent(account):
        return None
    if request.url.path.startswith("/api/"):
        raise Forbidden(CONSENT_REQUIRED, field="consent")
    target = "/"  # a refused form is not replayed; a page is shown again after consent
    if request.method in ("GET", "HEAD"):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Redirect(f"/consent?next={quote(target)}", status_code=303)
