"""Schemathesis against the app's own OpenAPI document, in-process, bounded.

Every operation is fuzzed anonymously and as the role its guard lets in
(a signed-in doctor, a facility head, a coordinator), with a session cookie
and the CSRF header. Checks: no 5xx, and every response matches the schema
(status code, content type, body). Operations that sign the caller out or
delete the account run last.
"""

from __future__ import annotations

import contextlib

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from litestar import Litestar
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.security.worlds import BASE_URL, COORDINATOR, DOCTOR, HEAD, RoleClients, Worlds

pytestmark = pytest.mark.slow  # started first: see tests/conftest.py

EXAMPLES_PER_OPERATION = 12
# Found by this test and reported to their owners (not fixed here: more than a
# one-line change in their code). Listed, printed, and not failed; remove an
# entry when it is fixed.
_HUGE_ID = (
    "PostgreSQL only: an id beyond int32 in the path raises asyncpg DataError -> 500, "
    "not 404 (SQLite's OverflowError is mapped to 404 in web/errors.py since this test)"
)
KNOWN_DEFECTS: dict[tuple[str, str], str] = {}
LAST = {("DELETE", "/api/doctors/me"), ("POST", "/api/session/logout")}
# Every answer's status must be documented for its operation (error statuses
# included: web/api_errors.py), and every body must match its documented schema.
CHECKS = [
    not_a_server_error,
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
]


def _examples(operation: object, n: int) -> list[schemathesis.Case]:
    """``n`` generated cases (hypothesis, derandomized) for one operation."""
    cases: list[schemathesis.Case] = []

    @given(case=operation.as_strategy())  # type: ignore[attr-defined]
    @settings(
        max_examples=n,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def collect(case: schemathesis.Case) -> None:
        cases.append(case)

    collect()
    return cases


async def test_api_survives_fuzzing_and_matches_its_schema(
    roomy_app: Litestar, worlds: Worlds, role_clients: RoleClients
) -> None:
    client = role_clients.client
    document = (await client.get("/schema/openapi.json")).json()
    schema = schemathesis.openapi.from_dict(document)
    operations = [result.ok() for result in schema.get_all_operations()]
    operations.sort(key=lambda op: (op.method.upper(), op.path) in LAST)
    sent = 0
    failures: list[str] = []
    statuses: dict[int, int] = {}
    known: list[str] = []
    for operation in operations:
        cases = _examples(operation, EXAMPLES_PER_OPERATION)
        for role in ("anonymous", DOCTOR, HEAD, COORDINATOR):
            failed = False
            for case in cases:
                kwargs = case.as_transport_kwargs(base_url=BASE_URL)
                kwargs.pop("cookies", None)
                headers = dict(kwargs.pop("headers", {}) or {})
                headers["x-csrftoken"] = role_clients.csrf(role)
                response = await role_clients.request(
                    role,
                    kwargs.pop("method"),
                    kwargs.pop("url"),
                    headers=headers,
                    follow_redirects=False,
                    **kwargs,
                )
                sent += 1
                if failed:
                    continue
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                try:
                    case.validate_response(response, checks=CHECKS)
                except (Exception, BaseExceptionGroup) as exc:
                    failed = True
                    first = " | ".join(str(exc).strip().splitlines()[:8])
                    target = failures
                    if (operation.method.upper(), operation.path) in KNOWN_DEFECTS:
                        target = known
                    target.append(f"{operation.method.upper()} {operation.path} as {role}: {first}")
            if (operation.method.upper(), operation.path) in LAST and role != "anonymous":
                with contextlib.suppress(AssertionError):  # the account may be deleted
                    await role_clients.sign_in(role, worlds.accounts[role])
    print(
        f"fuzz: {sent} requests sent over {len(operations)} operations x 4 identities; "
        f"{len(failures)} failing operation/identity pairs; statuses: "
        + ", ".join(f"{code}×{n}" for code, n in sorted(statuses.items()))
    )
    print("known defects still failing:\n  " + "\n  ".join(known))
    assert sent > 100
    assert not failures, "\n".join(failures)
