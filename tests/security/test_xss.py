"""Script tags and attribute breakers typed into every text field of every form.

The forms are found by rendering every page as every role (from the app's own
route table); each text field gets the payload, the form is submitted, and
then every page is read again as every role: the payload must only ever
appear escaped, never as a live tag.
"""

from __future__ import annotations

from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from litestar import Litestar

from tests.security.routes import html_pages
from tests.security.worlds import RoleClients, Worlds

pytestmark = pytest.mark.slow  # started first: see tests/conftest.py

PAYLOAD = "Zed\"><script>xss()</script><img src=x onerror=xss()>'<svg onload=xss()>"
LIVE = ("<script>xss()</script>", "<img src=x onerror=xss()>", "<svg onload=xss()>")
SKIP_ACTIONS = ("delete", "logout", "language", "/decline", "/reject", "/close")
TEXT_TYPES = {"text", "email", "search", "url", "tel", "password", ""}


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(
                {
                    "action": a.get("action", ""),
                    "method": a.get("method", "get"),
                    "fields": {},
                    "texts": [],
                }
            )
        elif not self.forms:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "").lower()
            fields = self.forms[-1]["fields"]
            if kind in TEXT_TYPES:
                self.forms[-1]["texts"].append(a["name"])
            elif kind == "date":
                fields[a["name"]] = (date.today() + timedelta(days=40)).isoformat()
            elif kind == "number":
                fields[a["name"]] = a.get("value") or a.get("min") or "1"
            elif kind in ("checkbox", "radio"):
                fields.setdefault(a["name"], a.get("value", "on"))
            elif kind == "time":
                fields[a["name"]] = "18:00"
            elif kind not in ("file", "submit", "button"):
                fields[a["name"]] = a.get("value", "")
        elif tag == "textarea" and a.get("name"):
            self.forms[-1]["texts"].append(a["name"])
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if value:
                self.forms[-1]["fields"].setdefault(self._select, value)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def _live(text: str) -> list[str]:
    return [tag for tag in LIVE if tag in text]


async def test_user_text_is_always_escaped(
    roomy_app: Litestar, worlds: Worlds, role_clients: RoleClients
) -> None:
    seen: set[tuple[str, str]] = set()
    problems: list[str] = []
    submitted = 0
    pages = [
        (role, url, r.text) async for role, url, r in html_pages(roomy_app, worlds, role_clients)
    ]
    for role, url, text in pages:
        parser = _Forms()
        parser.feed(text)
        for form in parser.forms:
            action = form["action"] or url
            if form["method"].lower() != "post" or not form["texts"] or (role, action) in seen:
                continue
            if any(part in action for part in SKIP_ACTIONS):
                continue
            seen.add((role, action))
            data = dict(form["fields"])
            for name in form["texts"]:
                data[name] = PAYLOAD
            data["_csrf_token"] = role_clients.csrf(role)
            response = await role_clients.request(role, "POST", action, data=data)
            submitted += 1
            if response.status_code >= 500:
                problems.append(f"POST {action} as {role}: {response.status_code}")
            if leaked := _live(response.text):
                problems.append(f"POST {action} as {role} echoes live {leaked}")
    # Everything stored is now shown somewhere: read every page again as everyone.
    after = shown = 0
    async for role, url, response in html_pages(roomy_app, worlds, role_clients):
        after += 1
        shown += "&lt;script&gt;xss()&lt;/script&gt;" in response.text
        if leaked := _live(response.text):
            problems.append(f"GET {url} as {role} shows live {leaked}")
    print(
        f"XSS: {submitted} forms submitted with the payload in every text field; "
        f"{after} pages re-read as every role, {shown} show the stored payload escaped"
    )
    assert submitted > 10
    assert shown > 5, "the payload was stored nowhere: the test did not reach the pages"
    assert not problems, "\n".join(problems)
