"""Schemathesis hooks for the HTTP run: sign in as one identity, add the CSRF token.

Loaded by ``st run`` through ``SCHEMATHESIS_HOOKS=tests.security.schemathesis_hooks``.
The identity comes from the environment: ``HOMS_FUZZ_BASE_URL`` and, for a
signed-in run, ``HOMS_FUZZ_EMAIL`` and ``HOMS_FUZZ_PASSWORD``. Every request
carries the session cookie (when signed in) and the CSRF cookie and header
(``x-csrftoken``), as a browser's script would.
"""

from __future__ import annotations

import os
from typing import Any

import requests
import schemathesis


@schemathesis.auth()
class SessionAuth:
    """Signs in once through ``POST /api/session/`` (the same session as the pages)."""

    def get(self, case: Any, ctx: Any) -> dict[str, Any]:
        base = os.environ["HOMS_FUZZ_BASE_URL"]
        session = requests.Session()
        session.get(f"{base}/login", timeout=10)
        csrf = session.cookies.get("csrftoken", "")
        if email := os.environ.get("HOMS_FUZZ_EMAIL"):
            answer = session.post(
                f"{base}/api/session/",
                json={"email": email, "password": os.environ["HOMS_FUZZ_PASSWORD"]},
                headers={"x-csrftoken": csrf},
                timeout=10,
            )
            answer.raise_for_status()
        return {"cookies": dict(session.cookies), "csrf": csrf}

    def set(self, case: Any, data: dict[str, Any], ctx: Any) -> None:
        case.headers = {**(case.headers or {}), "x-csrftoken": data["csrf"]}
        case.cookies = {**(case.cookies or {}), **data["cookies"]}
