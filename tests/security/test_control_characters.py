"""Control characters are refused at the edge with a 422 naming the field, on both engines.

A NUL byte used to be a 500 on PostgreSQL (``CharacterNotInRepertoireError``)
on 8 of 17 endpoints, unauthenticated ones included (issue 13, item 5). One
place refuses them now (``web.input_guard``): form fields (urlencoded and the
text parts of multipart forms), JSON bodies (``"\\u0000"`` escapes), query
strings and path parameters. Tab, CR and LF pass only in multi-line fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from litestar.routes import HTTPRoute

from matching.consent.notice import NOTICE_VERSION
from tests.security.routes import fill
from tests.security.worlds import ANONYMOUS, COORDINATOR, DOCTOR, HEAD, RoleClients, Worlds

NUL = "a\x00b"


@dataclass(frozen=True)
class Probe:
    """One request carrying a NUL in ``field``."""

    role: str
    method: str
    url: str
    field: str
    form: dict[str, Any] | None = None
    json: Any = None
    files: dict[str, Any] | None = None
    html: bool = False  # a page for people (not the JSON API)
    extra: dict[str, Any] = field(default_factory=dict)


PROBES = [
    Probe(ANONYMOUS, "POST", "/login", "email", form={"email": NUL, "password": "x"}, html=True),
    Probe(ANONYMOUS, "POST", "/login", "password", form={"email": "a@b.org", "password": NUL}),
    Probe(ANONYMOUS, "POST", "/api/session/", "email", json={"email": NUL, "password": "x"}),
    Probe(ANONYMOUS, "POST", "/password/forgot", "email", form={"email": NUL}, html=True),
    Probe(
        ANONYMOUS,
        "POST",
        "/api/doctors/signup",
        "full_name",
        json={
            "email": "n@example.org",
            "full_name": NUL,
            "password": "long-enough-pw",
            "privacy_notice": NOTICE_VERSION,
        },
    ),
    Probe(
        ANONYMOUS,
        "POST",
        "/signup",
        "full_name",
        form={"email": "n@example.org", "full_name": NUL, "password": "long-enough-pw"},
        html=True,
    ),
    Probe(ANONYMOUS, "GET", "/password/reset/a%00b", "token", html=True),
    Probe(ANONYMOUS, "POST", "/password/reset/tok", "password", form={"password": NUL}),
    Probe(COORDINATOR, "GET", "/api/proposals/?state=a%00b", "state"),
    Probe(COORDINATOR, "GET", "/coordinator/audit?actor=a%00b", "actor", html=True),
    Probe(COORDINATOR, "GET", "/coordinator/audit.csv?action=a%00b", "action", html=True),
    Probe(HEAD, "GET", "/api/needs/?kind=a%00b", "kind"),
    Probe(HEAD, "GET", "/needs/export.csv?district=a%00b", "district", html=True),
    Probe(DOCTOR, "GET", "/api/taxonomy/search?q=a%00b", "q"),
    Probe(DOCTOR, "PUT", "/api/doctors/me", "bio", json={"bio": NUL}),
    Probe(DOCTOR, "PUT", "/api/doctors/me", "city", json={"city": "Homs\nCity"}),
    Probe(DOCTOR, "POST", "/doctors/me/profile", "city", form={"city": NUL}, html=True),
    Probe(
        DOCTOR,
        "POST",
        "/api/doctors/me/licences",
        "authority",
        form={"issuer_country": "DE", "authority": NUL, "number": "1", "expires_on": "2031-01-01"},
        files={"document": ("licence.pdf", b"%PDF-1.4\n\x00\n%%EOF\n", "application/pdf")},
    ),
    Probe(
        DOCTOR,
        "POST",
        "/api/doctors/me/travel-windows",
        "starts_on",
        json={"starts_on": NUL, "ends_on": "2031-01-02"},
    ),
    Probe(COORDINATOR, "POST", "/api/runs", "kind", json={"kind": NUL}),
]


def _need(worlds: Worlds, **changes: Any) -> dict[str, Any]:
    return {
        "facility_id": worlds.a.facility_id,
        "kind": "mission",
        "title": "Emergency surgeon",
        "specialty": "emergency_medicine",
        "starts_on": "2031-03-01",
        "ends_on": "2031-03-10",
        **changes,
    }


async def _send(clients: RoleClients, probe: Probe, **overrides: Any):
    headers = {"x-csrftoken": clients.csrf(probe.role)}
    kwargs: dict[str, Any] = {"headers": headers, "follow_redirects": False}
    if probe.json is not None:
        kwargs["json"] = probe.json
    if probe.form is not None:
        kwargs["data"] = {**probe.form, "_csrf_token": clients.csrf(probe.role)}
    if probe.files is not None:
        kwargs["files"] = probe.files
    kwargs.update(overrides)
    return await clients.request(probe.role, probe.method, probe.url, **kwargs)


def _assert_names_field(response, probe: Probe) -> None:
    assert response.status_code == 422, (probe, response.status_code, response.text[:300])
    if probe.html or not probe.url.startswith("/api/"):
        assert response.headers["content-type"].startswith("text/html")
        assert f"“{probe.field}”" in response.text, response.text[:2000]
    else:
        body = response.json()
        assert body["field"] == probe.field, body
        assert probe.field in body["errors"], body


async def test_a_nul_byte_is_a_422_naming_the_field(
    role_clients: RoleClients, worlds: Worlds
) -> None:
    """Each probe fails before the fix: a 500 on PostgreSQL, or a 2xx/400 elsewhere."""
    probes = [
        *PROBES,
        Probe(HEAD, "POST", "/api/needs/", "title", json=_need(worlds, title=NUL)),
        Probe(HEAD, "POST", "/api/needs/", "skills[0]", json=_need(worlds, skills=[NUL])),
        Probe(HEAD, "POST", "/api/needs/", "title", json=_need(worlds, title="One\r\nTwo")),
        Probe(
            HEAD,
            "POST",
            f"/api/needs/{worlds.a.need_id}/status",
            "reason",
            json={"status": "closed", "reason": NUL},
        ),
        Probe(
            COORDINATOR,
            "POST",
            f"/api/proposals/{worlds.a.proposal_id}/reject",
            "note",
            json={"reason": "other", "note": NUL},
        ),
        Probe(
            COORDINATOR,
            "POST",
            f"/coordinator/licences/{worlds.a.licence_id}/reject",
            "note",
            form={"note": NUL},
            html=True,
        ),
        Probe(
            HEAD,
            "POST",
            "/needs/new",
            "title",
            form={"facility_id": str(worlds.a.facility_id), "kind": "mission", "title": NUL},
            html=True,
        ),
    ]
    for probe in probes:
        _assert_names_field(await _send(role_clients, probe), probe)


async def test_a_nul_key_in_a_json_object_is_refused(role_clients: RoleClients) -> None:
    probe = Probe(
        DOCTOR, "PUT", "/api/doctors/me", "languages.a\\x00b", json={"languages": {NUL: "fluent"}}
    )
    _assert_names_field(await _send(role_clients, probe), probe)


async def test_line_breaks_pass_in_multi_line_fields_only(
    role_clients: RoleClients, worlds: Worlds
) -> None:
    headers = {"x-csrftoken": role_clients.csrf(HEAD)}
    ok = await role_clients.request(
        HEAD,
        "POST",
        "/api/needs/",
        json=_need(worlds, description="Line one\r\nLine two\twith a tab"),
        headers=headers,
    )
    assert ok.status_code == 201, ok.text
    shown = await role_clients.request(HEAD, "GET", f"/api/needs/{ok.json()['id']}")
    assert shown.json()["description"] == "Line one\r\nLine two\twith a tab"
    refused = await role_clients.request(
        HEAD, "POST", "/api/needs/", json=_need(worlds, description="bell\x07"), headers=headers
    )
    assert refused.status_code == 422 and refused.json()["field"] == "description"


async def test_the_html_refusal_is_in_the_readers_language(role_clients: RoleClients) -> None:
    response = await role_clients.request(
        ANONYMOUS,
        "POST",
        "/login",
        data={"email": NUL, "password": "x", "_csrf_token": role_clients.csrf(ANONYMOUS)},
        headers={"accept-language": "ar"},
        cookies={"lang": "ar"},
    )
    assert response.status_code == 422
    assert "“email”" in response.text
    assert 'dir="rtl"' in response.text
    assert "حرف تحكم" in response.text  # "a control character", from the Arabic catalog


@pytest.mark.parametrize("identity", [ANONYMOUS, COORDINATOR])
async def test_no_route_answers_500_to_a_nul_in_the_query(
    role_clients: RoleClients, worlds: Worlds, identity: str
) -> None:
    """Every route of the app's own route table, with a NUL in a query parameter."""

    app = role_clients.client.app
    sent = 0
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        url = fill(worlds, route, "A")
        for method in sorted(route.route_handler_map):
            response = await role_clients.request(
                identity,
                method,
                f"{url}?q=a%00b&state=%00",
                headers={"x-csrftoken": role_clients.csrf(identity)},
                follow_redirects=False,
            )
            sent += 1
            assert response.status_code < 500, (method, url, response.status_code)
            if response.status_code not in (302, 303, 401, 403, 404, 405):
                assert response.status_code == 422, (method, url, response.status_code)
    assert sent > 50
