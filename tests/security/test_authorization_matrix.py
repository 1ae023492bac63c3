"""Every route the app answers x every role: expected allow or deny, checked for real.

The routes come from the app's own route table (``app.routes``), every method
each route answers (OPTIONS and HEAD included), so a new route cannot be
forgotten: a route with no expectation here FAILS the test, naming the line
to add. Path parameters are filled with real ids of the role's own objects and
of somebody else's (see ``conftest.py``: worlds A and B), so object-level
checks are part of the matrix.

Outcomes: *allow* (2xx, or a 3xx that is not a redirect to the login page),
*deny* (401, 403, 404, or a redirect to /login), *invalid* (400, 405, 409,
413, 415, 422: the request passed the guards and was refused on its content).
Any unexpected allow fails; any 5xx fails; a denied GET that should be
allowed fails (the table is wrong or the page is broken). Unexpected denies
of state-changing requests are only reported, because an earlier allowed
cell may have changed the object (deleted a need, signed out).
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import httpx
import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute

from tests.security.routes import UNSAFE, fill, object_for
from tests.security.worlds import (
    ADMIN,
    ANONYMOUS,
    CLINICIAN,
    COORDINATOR,
    DOCTOR,
    OTHER_CLINICIAN,
    OTHER_DOCTOR,
    ROLES,
    WORLD_OF,
    RoleClients,
    Worlds,
)

pytestmark = pytest.mark.slow  # started first: see tests/conftest.py

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "security"


class Access(Enum):
    NONE = "none"
    OWN = "own"  # only the objects of the role's own world
    ANY = "any"


NONE, OWN, ANY = Access.NONE, Access.OWN, Access.ANY


@dataclass(frozen=True)
class Rule:
    """Who may pass. Doctors, heads and local clinicians may be limited to their own
    objects."""

    anonymous: bool = False
    doctor: Access = NONE
    head: Access = NONE
    clinician: Access = NONE
    coordinator: bool = False
    admin: bool = False
    status: int | None = None  # every role gets exactly this status (e.g. always 404)
    # Denied roles may get a public view, without the doctor's private details.
    public_view: bool = False

    def allows(self, role: str, variant: str | None) -> bool:
        if role == ANONYMOUS:
            return self.anonymous
        if role in (COORDINATOR, ADMIN):
            return self.coordinator if role == COORDINATOR else self.admin
        if role in (CLINICIAN, OTHER_CLINICIAN):
            access = self.clinician
        else:
            access = self.doctor if role in (DOCTOR, OTHER_DOCTOR) else self.head
        if access is ANY:
            return True
        return access is OWN and (variant is None or variant == WORLD_OF[role])


PUBLIC = Rule(anonymous=True, doctor=ANY, head=ANY, clinician=ANY, coordinator=True, admin=True)
SIGNED_IN = Rule(doctor=ANY, head=ANY, clinician=ANY, coordinator=True, admin=True)
STAFF = Rule(coordinator=True, admin=True)
ADMIN_ONLY = Rule(admin=True)
DOCTOR_SELF = Rule(doctor=OWN)
HEAD_SELF = Rule(head=OWN)
# A doctor's private details: the doctor, staff, and the head of a facility
# with a confirmed pairing (world A's proposal pairs doctor A with head A's need).
DOCTOR_DETAILS = Rule(doctor=OWN, head=OWN, coordinator=True, admin=True)
FACILITY_OWN_OR_STAFF = Rule(head=OWN, coordinator=True, admin=True)
# A mentorship's parties: its doctor, the facility's heads, the mentee clinician; staff.
MENTORSHIP_PARTIES = Rule(doctor=OWN, head=OWN, clinician=OWN, coordinator=True, admin=True)
MENTORSHIP_PARTIES = Rule(doctor=OWN, head=OWN, clinician=OWN, coordinator=True, admin=True)
MENTORSHIP_SIDES = Rule(doctor=OWN, head=OWN, clinician=OWN)

# Explicit expectations: "METHOD path" (one method) or "path" (every method).
# The path is the route's path exactly as Litestar lists it.
EXPECTATIONS: dict[str, Rule] = {
    "/": PUBLIC,
    "/health": PUBLIC,
    "/login": PUBLIC,
    "/signup": PUBLIC,
    "/password/forgot": PUBLIC,
    "/password/reset/{token:str}": PUBLIC,
    "/invitations/{token:str}": PUBLIC,
    "/language": PUBLIC,
    "POST /logout": SIGNED_IN,
    "/account/password": SIGNED_IN,
    "GET /api/session": SIGNED_IN,
    "POST /api/session": PUBLIC,
    "/api/session/logout": SIGNED_IN,
    "/api/doctors/signup": PUBLIC,
    "/api/doctors/signup/confirm": PUBLIC,
    "/signup/confirm/{token:str}": PUBLIC,
    "/privacy": PUBLIC,
    "/consent": SIGNED_IN,
    "/api/privacy-notice": PUBLIC,
    "/api/privacy-notice/accept": SIGNED_IN,
    "/api/taxonomy/search": SIGNED_IN,
    "/schema/{path:str}": Rule(status=404),
    # Facilities and needs: heads for their own facility, coordinators for all.
    "/facilities": Rule(head=ANY, coordinator=True, admin=True),
    "/facilities/new": STAFF,
    "/facilities/import": STAFF,
    "/facilities/{facility_id:int}": FACILITY_OWN_OR_STAFF,
    "/facilities/{facility_id:int}/edit": FACILITY_OWN_OR_STAFF,
    "/facilities/{facility_id:int}/invitations": STAFF,
    "/needs": Rule(head=ANY, coordinator=True, admin=True),
    "/needs/new": Rule(head=ANY, coordinator=True, admin=True),
    "/needs/export.csv": Rule(head=ANY, coordinator=True, admin=True),
    "/needs/import": STAFF,
    "/needs/{need_id:int}": FACILITY_OWN_OR_STAFF,
    "/needs/{need_id:int}/edit": FACILITY_OWN_OR_STAFF,
    "/needs/{need_id:int}/close": FACILITY_OWN_OR_STAFF,
    "/needs/{need_id:int}/status": FACILITY_OWN_OR_STAFF,
    "POST /api/facilities": STAFF,
    "GET /api/facilities": Rule(head=ANY, coordinator=True, admin=True),
    "/api/facilities/{facility_id:int}": FACILITY_OWN_OR_STAFF,
    "/api/needs": Rule(head=ANY, coordinator=True, admin=True),
    "/api/needs/{need_id:int}": FACILITY_OWN_OR_STAFF,
    "/api/needs/{need_id:int}/status": FACILITY_OWN_OR_STAFF,
    # Pairings: the doctor answers their own; the head of the need's facility sees it.
    "/pairings": Rule(doctor=ANY, head=ANY, coordinator=True, admin=True),
    "/pairings/{proposal_id:int}": DOCTOR_DETAILS,
    "/pairings/{proposal_id:int}/calendar.ics": DOCTOR_DETAILS,
    "/pairings/{proposal_id:int}/accept": DOCTOR_SELF,
    "/pairings/{proposal_id:int}/decline": DOCTOR_SELF,
    # Ending a confirmed pairing: its doctor, a head of the need's facility, staff.
    "/pairings/{proposal_id:int}/cancel": DOCTOR_DETAILS,
    "/pairings/needs": Rule(doctor=ANY),
    # Any open need may interest any doctor (the need id is not the doctor's object).
    "/pairings/needs/{need_id:int}/{operation:str}": Rule(doctor=ANY),
    "/api/proposals": STAFF,
    "/api/proposals/{proposal_id:int}/accept": DOCTOR_SELF,
    "/api/proposals/{proposal_id:int}/decline": DOCTOR_SELF,
    "/api/proposals/{proposal_id:int}/approve": STAFF,
    "/api/proposals/{proposal_id:int}/reject": STAFF,
    "/api/proposals/{proposal_id:int}/calendar.ics": DOCTOR_DETAILS,
    "/api/proposals/{proposal_id:int}/cancel": DOCTOR_DETAILS,
    # A doctor's own data; contact details and documents also for staff and the
    # head of a facility with a confirmed pairing (worlds A and B each have one).
    # Other heads may see a doctor's public profile, never the contact details.
    "/doctors/{doctor_id:int}": Rule(
        doctor=OWN, head=ANY, coordinator=True, admin=True, public_view=True
    ),
    "/doctors/licences/{licence_id:int}/document": DOCTOR_DETAILS,
    "/api/runs": STAFF,
    "/api/runs/{run_id:int}": STAFF,
    # District access and missions turned remote (issue 18): coordinators set and turn;
    # the doctor of the pairing answers the change.
    "/coordinator/districts": STAFF,
    "/api/coordinator/districts": STAFF,
    "/coordinator/needs/{need_id:int}/make-remote": STAFF,
    "/api/coordinator/needs/{need_id:int}/make-remote": STAFF,
    "/pairings/{proposal_id:int}/remote/accept": DOCTOR_SELF,
    "/pairings/{proposal_id:int}/remote/decline": DOCTOR_SELF,
    # Facilities' services (issue 18): the grid and its suggested needs, heads of the
    # facility and staff.
    "/facilities/{facility_id:int}/services": FACILITY_OWN_OR_STAFF,
    "/facilities/{facility_id:int}/services/needs": FACILITY_OWN_OR_STAFF,
    # Workshops (a confirmed training pairing): its trainer (the doctor), the heads of
    # its facility, its registered attendees (local clinicians) and staff see it; the
    # trainer and the heads run it; the heads register attendees; the trainer writes
    # the tests; attendees take them; anyone may check a certificate's code.
    "/workshops/{workshop_pairing_id:int}": Rule(
        doctor=OWN, head=OWN, clinician=OWN, coordinator=True, admin=True
    ),
    "/workshops/{workshop_pairing_id:int}/plan": DOCTOR_DETAILS,
    "/workshops/{workshop_pairing_id:int}/attendees": FACILITY_OWN_OR_STAFF,
    "/workshops/{workshop_pairing_id:int}/attendance": DOCTOR_DETAILS,
    "/workshops/{workshop_pairing_id:int}/scores/{phase:str}": DOCTOR_DETAILS,
    "/workshops/{workshop_pairing_id:int}/certificates": DOCTOR_DETAILS,
    "/workshops/{workshop_pairing_id:int}/materials": DOCTOR_DETAILS,
    "/workshops/{workshop_pairing_id:int}/materials/{material_id:int}": Rule(
        doctor=OWN, head=OWN, clinician=OWN, coordinator=True, admin=True
    ),
    "/workshops/{workshop_pairing_id:int}/tests/{phase:str}/questions": Rule(
        doctor=OWN, coordinator=True, admin=True
    ),
    "/workshops/{workshop_pairing_id:int}/tests/{phase:str}": Rule(clinician=OWN),
    "/workshops/{workshop_pairing_id:int}/certificates/{certificate_id:int}/pdf": Rule(
        doctor=OWN, head=OWN, clinician=OWN, coordinator=True, admin=True
    ),
    "/certificates/{certificate_code:str}": PUBLIC,
    "/me/workshops": Rule(clinician=ANY),
    # Case discussions: the mentorship's parties (mentor, heads, the mentee clinician)
    # and staff read; the mentee's side submits, the mentor answers, the parties close.
    "GET /mentorships/{proposal_id:int}/cases": MENTORSHIP_PARTIES,
    "POST /mentorships/{proposal_id:int}/cases": Rule(head=OWN, clinician=OWN),
    "/cases/{case_id:int}": MENTORSHIP_PARTIES,
    "/cases/{case_id:int}/images/{image_id:int}": MENTORSHIP_PARTIES,
    "/cases/{case_id:int}/answer": Rule(doctor=OWN),
    "/cases/{case_id:int}/close": Rule(doctor=OWN, head=OWN, clinician=OWN),
    # A confirmed mission: its doctor, a head of its facility, staff; clinicians none.
    "/missions/{proposal_id:int}": DOCTOR_DETAILS,
    "/missions/{proposal_id:int}/items/{item:str}/document": DOCTOR_DETAILS,
    # travel documents: the doctor's item (a coordinator may mark any; heads may not)
    "/missions/{proposal_id:int}/items/{item:str}/done": Rule(
        doctor=OWN, coordinator=True, admin=True
    ),
    "/missions/{proposal_id:int}/items/{item:str}/undo": STAFF,
    "/missions/{proposal_id:int}/report": DOCTOR_SELF,
    "/missions/{proposal_id:int}/report/confirm": HEAD_SELF,
    "/missions/{proposal_id:int}/report/dispute": HEAD_SELF,
    "/missions/{proposal_id:int}/feedback": Rule(doctor=OWN, head=OWN),
    # A facility's people (local clinicians): heads of that facility and staff.
    "/facilities/{facility_id:int}/people": FACILITY_OWN_OR_STAFF,
    "/facilities/{facility_id:int}/people/{person_id:int}/edit": FACILITY_OWN_OR_STAFF,
    "/facilities/{facility_id:int}/people/{person_id:int}/archive": FACILITY_OWN_OR_STAFF,
    "/facilities/{facility_id:int}/people/{person_id:int}/invitation": FACILITY_OWN_OR_STAFF,
    "/people/invitations/{token:str}": PUBLIC,
    "/clinician": Rule(clinician=ANY),
    # A mentorship: its doctor, its facility's heads, its mentee (world A's clinician
    # is world A's mentee), coordinators to read; only the sides write.
    "/mentorships/{pairing_id:int}": MENTORSHIP_PARTIES,
    "/mentorships/{pairing_id:int}/calendar.ics": MENTORSHIP_PARTIES,
    "/mentorships/{pairing_id:int}/start": FACILITY_OWN_OR_STAFF,
    "/mentorships/{pairing_id:int}/sessions/{session_id:int}/held": MENTORSHIP_SIDES,
    "/mentorships/{pairing_id:int}/sessions/{session_id:int}/missed": MENTORSHIP_SIDES,
    "/mentorships/{pairing_id:int}/sessions/{session_id:int}/moved": MENTORSHIP_SIDES,
    "/mentorships/{pairing_id:int}/goals": MENTORSHIP_SIDES,
    "/mentorships/{pairing_id:int}/goals/review": MENTORSHIP_SIDES,
    "/mentorships/{pairing_id:int}/done": MENTORSHIP_SIDES,
    "/mentorships/{pairing_id:int}/feedback": MENTORSHIP_SIDES,
}

# Defaults by prefix, for whole areas guarded at the controller.
PREFIX_DEFAULTS: tuple[tuple[str, Rule], ...] = (
    ("/admin/", ADMIN_ONLY),
    ("/admin", ADMIN_ONLY),
    ("/api/admin/", ADMIN_ONLY),
    ("/coordinator/", STAFF),
    ("/coordinator", STAFF),
    ("/api/coordinator/", STAFF),
    ("/doctors/me", DOCTOR_SELF),
    ("/api/doctors/me", DOCTOR_SELF),
    ("/static/", PUBLIC),
    ("/schema", PUBLIC),
)


@dataclass(frozen=True)
class Cell:
    path: str
    method: str
    role: str
    variant: str | None
    url: str
    expected_allow: bool
    rule: Rule


def rule_for(path: str, method: str, handler_guards: bool) -> Rule | None:
    if f"{method} {path}" in EXPECTATIONS:
        return EXPECTATIONS[f"{method} {path}"]
    if path in EXPECTATIONS:
        return EXPECTATIONS[path]
    for prefix, rule in PREFIX_DEFAULTS:
        if path == prefix or path.startswith(prefix):
            return rule
    return None


def build_cells(app: Litestar, worlds: Worlds) -> tuple[list[Cell], list[str]]:
    cells: list[Cell] = []
    missing: list[str] = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            missing.append(f"{route.path}: not an HTTP route; add it to the matrix by hand")
            continue
        unknown = [n for n in route.path_parameters if object_for(route.path, n) is None]
        if unknown:
            missing.append(
                f"{route.path}: path parameter(s) {unknown} unknown to the matrix; add them to "
                "PARAM_OBJECTS / SEGMENT_OBJECTS / LITERAL_PARAMS in "
                "tests/security/test_authorization_matrix.py"
            )
            continue
        has_world_param = any(
            object_for(route.path, n)[0] == "world"  # type: ignore[index]
            for n in route.path_parameters
        )
        variants: list[str | None] = ["A", "B"] if has_world_param else [None]
        for method, handler in route.route_handler_map.items():
            handler = handler[0] if isinstance(handler, tuple) else handler
            guarded = bool(handler.resolve_guards())
            rule = rule_for(route.path, method, guarded)
            if method == "OPTIONS" and (rule is None or not guarded):
                # An unguarded OPTIONS answers only the Allow header (checked below).
                rule = PUBLIC if not guarded else rule
            if method in ("HEAD", "OPTIONS") and rule is None:
                # A guarded OPTIONS or HEAD follows the route's GET (or first) rule.
                others = sorted(route.route_handler_map, key=lambda m: m != "GET")
                for other in others:
                    rule = rule or rule_for(route.path, other, guarded)
            if rule is None:
                missing.append(
                    f'{method} {route.path}: no expectation. Add "{method} {route.path}": '
                    "<Rule> (or a path-wide entry) to EXPECTATIONS in "
                    "tests/security/test_authorization_matrix.py"
                )
                continue
            for variant in variants:
                url = fill(worlds, route, variant)
                for role in ROLES:
                    cells.append(
                        Cell(
                            path=route.path,
                            method=method,
                            role=role,
                            variant=variant,
                            url=url,
                            expected_allow=rule.allows(role, variant),
                            rule=rule,
                        )
                    )
    return cells, missing


def outcome(status: int, location: str) -> str:
    if status >= 500:
        return "error"
    if status in (301, 302, 303, 307, 308):
        return "deny" if location.startswith("/login?next=") else "allow"
    if status < 300:
        return "allow"
    if status in (401, 403, 404):
        return "deny"
    if status == 429:
        return "limited"
    return "invalid"


def _private_markers(worlds: Worlds, variant: str | None) -> list[str]:
    world = worlds[variant or "A"]
    name = world.name.lower()
    return [f"private-{name}@example.org", world.doctor.email, f"LIC-{world.name}-1"]


def _order(cell: Cell) -> tuple[int, int, str]:
    """Safe methods first, then writes, deletions last; denied roles before allowed."""
    method_rank = {"GET": 0, "HEAD": 0, "OPTIONS": 0, "POST": 1, "PUT": 1, "PATCH": 1}
    destroys_self = cell.method == "DELETE" and cell.path.rstrip("/").endswith("/me")
    return (
        3 if destroys_self else method_rank.get(cell.method, 2),
        int(cell.expected_allow),
        cell.path,
    )


async def _send(clients: RoleClients, cell: Cell) -> httpx.Response:
    if cell.method not in UNSAFE:
        return await clients.request(cell.role, cell.method, cell.url, follow_redirects=False)
    token = clients.csrf(cell.role)
    if cell.url.startswith("/api/"):
        return await clients.request(
            cell.role,
            cell.method,
            cell.url,
            content=json.dumps({}),
            headers={"x-csrftoken": token, "content-type": "application/json"},
            follow_redirects=False,
        )
    return await clients.request(
        cell.role, cell.method, cell.url, data={"_csrf_token": token}, follow_redirects=False
    )


async def test_every_route_times_every_role(
    roomy_app: Litestar, worlds: Worlds, role_clients: RoleClients
) -> None:
    started = time.perf_counter()
    cells, missing = build_cells(roomy_app, worlds)
    assert not missing, "Routes without an expectation:\n" + "\n".join(missing)

    unexpected_allow: list[str] = []
    errors: list[str] = []
    wrong_deny: list[str] = []
    reported_deny: list[str] = []
    options_with_body: list[str] = []
    invalid_in_deny: list[str] = []
    gone: set[str] = set()
    checked = 0
    for cell in sorted(cells, key=_order):
        if cell.role in gone:
            continue
        response = await _send(role_clients, cell)
        checked += 1
        result = outcome(response.status_code, response.headers.get("location", ""))
        label = (
            f"{cell.method} {cell.url} ({cell.path}) as {cell.role}"
            f"{'' if cell.variant is None else ' on world ' + cell.variant}: "
            f"{response.status_code}"
        )
        if cell.method == "OPTIONS":
            # OPTIONS runs the controller's role guard only and answers the Allow
            # header: checked for "no data", not for ownership.
            if result == "allow" and response.content:
                options_with_body.append(label)
            if result == "error":
                errors.append(label)
            continue
        if result == "error":
            errors.append(label + " " + response.text[:200])
        elif cell.rule.status is not None:
            if response.status_code != cell.rule.status:
                wrong_deny.append(label + f" (expected {cell.rule.status})")
        elif cell.expected_allow:
            if result in ("deny", "limited"):
                (wrong_deny if cell.method not in UNSAFE else reported_deny).append(label)
        elif result == "allow" and cell.rule.public_view and cell.method == "GET":
            leaked = [m for m in _private_markers(worlds, cell.variant) if m in response.text]
            if leaked:
                unexpected_allow.append(label + f" shows private details {leaked}")
        elif result == "allow":
            unexpected_allow.append(label)
        elif result == "invalid" and cell.method not in UNSAFE:
            invalid_in_deny.append(label)
        elif result == "invalid":
            # Refused on content after the guards: no change, but ownership should be
            # checked first. Reported, not failed.
            reported_deny.append(label + " (refused as invalid, not as forbidden)")
        if cell.method in UNSAFE and cell.expected_allow and cell.role != ANONYMOUS:
            # The request may have signed the role out (or deleted it): sign in again.
            still = await role_clients.request(cell.role, "GET", "/api/session")
            if still.status_code == 200:
                continue
            try:
                await role_clients.sign_in(cell.role, worlds.accounts[cell.role])
            except AssertionError:
                gone.add(cell.role)
    elapsed = time.perf_counter() - started

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    routes = len({(c.path, c.method) for c in cells})
    summary = (
        f"authorization matrix: {checked} cells checked ({routes} route-methods x "
        f"{len(ROLES)} roles, own/other variants) in {elapsed:.1f} s; "
        f"unexpected allows: {len(unexpected_allow)}; 5xx: {len(errors)}; "
        f"wrong denies on reads: {len(wrong_deny)}; reported (writes): {len(reported_deny)}"
    )
    print(summary)
    (ARTIFACTS / f"matrix-{worlds.a.doctor.id}.txt").write_text(
        summary + "\n" + "\n".join(["reported:", *reported_deny]) + "\n"
    )
    problems = []
    if unexpected_allow:
        problems.append("UNEXPECTED ALLOW:\n  " + "\n  ".join(unexpected_allow))
    if errors:
        problems.append("SERVER ERRORS:\n  " + "\n  ".join(errors))
    if wrong_deny:
        problems.append("DENIED BUT EXPECTED ALLOWED (reads):\n  " + "\n  ".join(wrong_deny))
    if invalid_in_deny:
        problems.append(
            "READS PAST THE GUARD (invalid, not denied):\n  " + "\n  ".join(invalid_in_deny)
        )
    if options_with_body:
        problems.append("OPTIONS answered with a body:\n  " + "\n  ".join(options_with_body))
    assert not problems, summary + "\n" + "\n".join(problems)
    assert checked >= len(cells) - len(ROLES) * len(
        {(c.path, c.method) for c in cells if "/me" in c.path}
    )


def test_guarded_areas_have_guards(app: Litestar) -> None:
    """Routes under /admin and /coordinator carry a guard at the handler or controller."""
    unguarded = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not re.match(
            r"^/(api/)?(admin|coordinator)", route.path
        ):
            continue
        for method, handler in route.route_handler_map.items():
            handler = handler[0] if isinstance(handler, tuple) else handler
            if method != "OPTIONS" and not handler.resolve_guards():
                unguarded.append(f"{method} {route.path}")
    assert not unguarded, f"guarded areas without a guard: {unguarded}"
