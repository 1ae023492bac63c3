"""Routes of the app with their path parameters filled from the two worlds, for the
security tests that walk the app's own route table."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from litestar import Litestar
from litestar.routes import HTTPRoute

from tests.security.worlds import ROLES, RoleClients, Worlds

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}

# Path parameter -> which object of a world fills it.
PARAM_OBJECTS = {
    "doctor_id": "doctor_profile_id",
    "profile_id": "doctor_profile_id",
    "facility_id": "facility_id",
    "need_id": "need_id",
    "proposal_id": "proposal_id",
    "licence_id": "licence_id",
    "notification_id": "notification_id",
    "invitation_id": "invitation_id",
    "mail_id": "mail_id",
    "user_id": "doctor_user_id",
    "slot_id": "slot_id",
    "window_id": "window_id",
    "person_id": "person_id",
    "workshop_pairing_id": "training_pairing_id",
    "material_id": "workshop_material_id",
    "certificate_id": "certificate_id",
    "certificate_code": "certificate_code",
    "case_id": "case_id",
    "image_id": "case_image_id",
    "pairing_id": "mentorship_pairing_id",
    "session_id": "session_id",
}
# A bare {id} is named by the path segment before it.
SEGMENT_OBJECTS = {
    "doctors": "doctor_profile_id",
    "facilities": "facility_id",
    "needs": "need_id",
    "proposals": "proposal_id",
    "pairings": "proposal_id",
    "licences": "licence_id",
    "notifications": "notification_id",
    "invitations": "invitation_id",
    "outbox": "mail_id",
    "mail": "mail_id",
    "users": "doctor_user_id",
    "people": "person_id",
    "cases": "case_id",
    "images": "case_image_id",
    "mentorships": "mentorship_pairing_id",
    "sessions": "session_id",
}
# (path prefix, parameter) -> object, where a parameter means another object there:
# under /mentorships/ a proposal id is the world's confirmed mentorship, not its mission.
PATH_PARAM_OBJECTS = {("/mentorships/", "proposal_id"): "mentorship_proposal_id"}
SHARED_PARAMS = {"run_id": "run_id", "event_id": "audit_event_id"}
SHARED_SEGMENTS = {"runs": "run_id", "audit": "audit_event_id", "events": "audit_event_id"}
LITERAL_PARAMS = {
    "token": "not-a-real-token",
    "file_path": "css/app.css",
    "path": "nope",
    "operation": "add",
    "phase": "pre",
    "item": "travel_documents",
}


def object_for(path: str, name: str) -> tuple[str, str] | None:
    """('world'|'shared'|'literal', key) for the path parameter ``name``."""
    for (prefix, param), key in PATH_PARAM_OBJECTS.items():
        if param == name and path.startswith(prefix):
            return "world", key
    if name in PARAM_OBJECTS:
        return "world", PARAM_OBJECTS[name]
    if name in SHARED_PARAMS:
        return "shared", SHARED_PARAMS[name]
    if name in LITERAL_PARAMS:
        return "literal", LITERAL_PARAMS[name]
    segments = [s for s in path.split("/") if s]
    for i, segment in enumerate(segments):
        if segment.startswith("{" + name + ":") and i > 0:
            before = segments[i - 1]
            if before in SEGMENT_OBJECTS:
                return "world", SEGMENT_OBJECTS[before]
            if before in SHARED_SEGMENTS:
                return "shared", SHARED_SEGMENTS[before]
    return None


def _world_value(worlds: Worlds, world: str, key: str) -> object:
    w = worlds[world]
    if key == "doctor_user_id":
        return w.doctor.id
    return getattr(w, key)


def fill(worlds: Worlds, route: HTTPRoute, variant: str | None) -> str:
    """The route's URL with its path parameters filled from world ``variant`` (A or B)."""
    url = route.path_format
    for name in route.path_parameters:
        kind, key = object_for(route.path, name)  # type: ignore[misc]
        if kind == "world":
            value = _world_value(worlds, variant or "A", key)
        elif kind == "shared":
            value = getattr(worlds, key)
        else:
            value = key
        url = url.replace("{" + name + "}", str(value))
    return url


async def html_pages(
    app: Litestar, worlds: Worlds, clients: RoleClients
) -> AsyncIterator[tuple[str, str, httpx.Response]]:
    """Every GET page (non-API) as every role: (role, url, response)."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or "GET" not in route.route_handler_map:
            continue
        if route.path.startswith(("/api/", "/static/", "/schema", "/health")):
            continue
        if any(object_for(route.path, n) is None for n in route.path_parameters):
            continue
        url = fill(worlds, route, "A")
        for role in ROLES:
            response = await clients.request(role, "GET", url, follow_redirects=False)
            if response.headers.get("content-type", "").startswith("text/html"):
                yield role, url, response
