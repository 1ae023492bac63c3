"""Pairing integrity under concurrency: two server processes on one database.

Each race is run ``TRIALS`` times: two users act at the same moment, each through
their own ``python -m web serve`` process (as ``--workers 2`` would spread them),
on the same PostgreSQL database, and on the same SQLite file. After every trial
the exact counts are asserted from the database: pairings held, audit events,
mails queued.

To see these tests fail on older code, point the servers at another checkout:
``INTEGRITY_SERVER_ROOT=/path/to/old/checkout`` (the test process, which builds
the data and migrates, keeps this one).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
import time
import urllib.request
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine

from matching.accounts.services import Account
from matching.accounts.tables import Role
from matching.audit.tables import AuditEvent
from matching.db import make_engine, use_engine
from matching.facilities.tables import Need
from matching.mail.tables import Notification, OutboxMail
from matching.pairings.tables import Proposal
from tests.factories import (
    PASSWORD,
    make_account,
    make_doctor,
    make_facility,
    make_head,
    make_need,
    make_proposal,
)
from tests.servers import free_port
from tests.services import create_postgres_database, drop_postgres_database

pytestmark = pytest.mark.slow  # started first: see tests/conftest.py

ROOT = Path(__file__).resolve().parents[2]
SERVER_ROOT = Path(os.environ.get("INTEGRITY_SERVER_ROOT", str(ROOT)))
TRIALS = 20
HELD = ("approved", "accepted", "confirmed")
LIVE = ("proposed", *HELD)


# --------------------------------------------------------------------------- servers


def _env(var_dir: Path, database_url: str, root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        {
            "VAR_DIR": str(var_dir),
            "PYTHONPATH": f"{root / 'src'}:{root}",
            "APP_ENV": "demo",
            "DATABASE_URL": database_url,
            "SECRET_KEY": "integrity-tests-secret-key-0123456789abcdef",
            "LOGIN_ATTEMPTS_PER_MINUTE": "100000",
            "BASE_URL": "http://bridge.test",
        }
    )
    return env


def _wait_healthy(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 40
    while True:
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"server did not start: {log.read_text()}")
        time.sleep(0.2)


@dataclass(frozen=True)
class Servers:
    engine: str
    database_url: str
    bases: tuple[str, str]


@pytest.fixture(scope="module", params=["postgres", "sqlite"])
def servers(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """Two server processes on one freshly migrated database."""
    var_dir = tmp_path_factory.mktemp(f"integrity-{request.param}")
    if request.param == "postgres":
        url = asyncio.run(create_postgres_database())
    else:
        url = f"sqlite:///{var_dir / 'platform.sqlite3'}"
    subprocess.run(
        [sys.executable, "-m", "web", "migrate"],
        env=_env(var_dir, url, ROOT),
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    processes: list[tuple[subprocess.Popen[bytes], object]] = []
    bases = []
    try:
        for n in (1, 2):
            port = free_port()
            log_path = var_dir / f"server-{n}.log"
            log = log_path.open("w")
            process = subprocess.Popen(
                [sys.executable, "-m", "web", "serve", "--port", str(port)],
                env=_env(var_dir, url, SERVER_ROOT),
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=SERVER_ROOT,
            )
            processes.append((process, log))
            bases.append(f"http://127.0.0.1:{port}")
            _wait_healthy(bases[-1], process, log_path)
        yield Servers(request.param, url, (bases[0], bases[1]))
    finally:
        for process, log in processes:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
            log.close()  # type: ignore[attr-defined]
        if request.param == "postgres":
            asyncio.run(drop_postgres_database(url))


@dataclass
class World:
    """The people of a test, each signed in on one of the two servers."""

    servers: Servers
    engine: Engine
    facility: int
    head: Account
    coordinators: tuple[Account, Account]
    doctors: list[tuple[Account, int]]
    clients: dict[str, httpx.AsyncClient]

    def client(self, name: str) -> httpx.AsyncClient:
        return self.clients[name]


async def _signed_in(base: str, account: Account) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=60)
    await client.get("/login")
    response = await client.post(
        "/login",
        data={
            "email": account.email,
            "password": PASSWORD,
            "_csrf_token": client.cookies.get("csrftoken", ""),
        },
    )
    # Signed in: the home page itself (web.home.home_in_place) or a redirect to it.
    assert response.status_code in (200, 302, 303), response.text[:500]
    assert client.cookies.get("session"), response.text[:500]
    return client


@pytest.fixture(scope="module")
async def world(servers: Servers) -> AsyncIterator[World]:
    """Accounts made once per database, each signed in on one server; the test
    process reads and writes the same database through a small pool."""
    engine = make_engine(servers.database_url)
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=4)
    use_engine(engine)
    facility = await make_facility()
    head = await make_head(facility, language="ar")
    coordinators = (
        await make_account(Role.COORDINATOR, name="Coordinator Rania"),
        await make_account(Role.COORDINATOR, name="Coordinator Samir"),
    )
    doctors = [await make_doctor(name=f"Dr. Test {n}") for n in range(4)]
    a, b = servers.bases
    clients = {
        "c1": await _signed_in(a, coordinators[0]),
        "c2": await _signed_in(b, coordinators[1]),
        "head": await _signed_in(b, head),
        **{f"d{n}": await _signed_in(a, doctors[n][0]) for n in range(4)},
    }
    try:
        yield World(servers, engine, facility, head, coordinators, doctors, clients)
    finally:
        for client in clients.values():
            await client.aclose()
        if isinstance(engine, PostgresEngine):
            await engine.close_connection_pool()


@pytest.fixture(autouse=True)
def _bound(world: World) -> None:
    """Every table on this module's database (other modules rebind them)."""
    use_engine(world.engine)


def _headers(client: httpx.AsyncClient) -> dict[str, str]:
    return {"x-csrftoken": client.cookies.get("csrftoken", "")}


async def api(client: httpx.AsyncClient, path: str, body: object = None) -> httpx.Response:
    return await client.post(path, json=body, headers=_headers(client))


async def form(client: httpx.AsyncClient, path: str, data: dict[str, object]) -> httpx.Response:
    return await client.post(path, data={**data, "_csrf_token": client.cookies.get("csrftoken")})


async def at_once(*calls):  # type: ignore[no-untyped-def]
    """Run the calls together, each after a random 0-4 ms, so either may win."""

    async def later(call):  # type: ignore[no-untyped-def]
        await asyncio.sleep(random.random() * 0.004)
        return await call

    return await asyncio.gather(*(later(c) for c in calls))


# --------------------------------------------------------------------------- counts


async def held(need_id: int) -> int:
    return await Proposal.count().where(Proposal.need == need_id, Proposal.state.is_in(HELD))


async def states(need_id: int) -> dict[int, str]:
    rows = await Proposal.select(Proposal.id, Proposal.state).where(Proposal.need == need_id)
    return {r["id"]: r["state"] for r in rows}


async def events(action: str, proposal_ids: list[int]) -> list[dict]:
    return await AuditEvent.select().where(
        AuditEvent.action == action,
        AuditEvent.subject_type == "proposal",
        AuditEvent.subject_id.is_in(proposal_ids),
    )


async def mail_mark() -> int:
    row = await OutboxMail.select(OutboxMail.id).order_by(OutboxMail.id, ascending=False).first()
    return int(row["id"]) if row else 0


async def mails_since(mark: int) -> list[dict]:
    return (
        await OutboxMail.select(OutboxMail.recipient, OutboxMail.subject, OutboxMail.language)
        .where(OutboxMail.id > mark)
        .order_by(OutboxMail.id)
    )


def statuses(*responses: httpx.Response) -> list[int]:
    return sorted(r.status_code for r in responses)


def ok(response: httpx.Response) -> bool:
    return response.status_code in (200, 201, 302, 303)


# --------------------------------------------------------------------------- (a) approve


async def test_two_coordinators_approve_into_the_last_place(world: World) -> None:
    """(a) A need with one place left; two coordinators approve two doctors at once."""
    (_, d0), (_, d1), (_, d2) = (world.doctors[0], world.doctors[1], world.doctors[2])
    for _ in range(TRIALS):
        need = await make_need(world.facility, places=2)
        await make_proposal(need, d0, state="confirmed")
        p1, p2 = await make_proposal(need, d1), await make_proposal(need, d2)
        mark = await mail_mark()
        r1, r2 = await at_once(
            api(world.client("c1"), f"/api/proposals/{p1}/approve"),
            api(world.client("c2"), f"/api/proposals/{p2}/approve"),
        )
        assert statuses(r1, r2) == [200, 409], (r1.text, r2.text)
        refused = r1 if r1.status_code == 409 else r2
        assert "all are taken" in refused.json()["detail"]
        assert await held(need) == 2
        assert len(await events("proposal.approved", [p1, p2])) == 1
        # The approved doctor and the one head are told; nobody else.
        assert len(await mails_since(mark)) == 2


async def test_bulk_approve_never_overfills(world: World) -> None:
    """(a') Bulk approval of two proposals on a one-place need is refused whole."""
    (_, d1), (_, d2) = world.doctors[1], world.doctors[2]
    need = await make_need(world.facility, places=1)
    p1, p2 = await make_proposal(need, d1), await make_proposal(need, d2)
    response = await form(
        world.client("c1"), "/coordinator/review/bulk-approve", {"proposal_id": [p1, p2]}
    )
    assert response.status_code == 409
    assert await held(need) == 0 and await states(need) == {p1: "proposed", p2: "proposed"}


# --------------------------------------------------------------------------- (b) places


def _need_body(world: World, places: int) -> dict[str, object]:
    return {
        "facility_id": world.facility,
        "kind": "mission",
        "title": "Neonatal mission",
        "specialty": "neonatology",
        "places": places,
        "starts_on": "2027-03-02",
        "ends_on": "2027-03-11",
        "urgency": "urgent",
    }


async def test_places_cannot_drop_below_the_pairings_held(world: World) -> None:
    """(b) Two approved on a two-place need: lowering to 1 is refused with the count,
    in the JSON API and the form; both doctors then accept."""
    (_, d1), (_, d2) = world.doctors[1], world.doctors[2]
    need = await make_need(world.facility, places=2)
    p1, p2 = await make_proposal(need, d1), await make_proposal(need, d2)
    for p in (p1, p2):
        assert (await api(world.client("c1"), f"/api/proposals/{p}/approve")).status_code == 200
    refused = await api(world.client("head"), f"/api/needs/{need}", _need_body(world, 1))
    assert refused.status_code == 422, refused.text
    assert refused.json()["field"] == "places" and "2" in refused.json()["errors"]["places"]
    page = await form(
        world.client("head"),
        f"/needs/{need}/edit",
        {**_need_body(world, 1), "languages": "ar", "facility": world.facility},
    )
    assert page.status_code == 422
    assert (await Need.select(Need.places).where(Need.id == need).first())["places"] == 2
    for name, p in (("d1", p1), ("d2", p2)):
        assert (await api(world.client(name), f"/api/proposals/{p}/accept")).status_code == 200
    assert await states(need) == {p1: "confirmed", p2: "confirmed"}


async def test_lowering_places_races_an_approval(world: World) -> None:
    """(b) One approved on a two-place need; a coordinator approves a second while the
    head lowers the places to 1: exactly one of the two goes through."""
    (_, d1), (_, d2) = world.doctors[1], world.doctors[2]
    outcomes = {"approved": 0, "lowered": 0}
    for _ in range(TRIALS):
        need = await make_need(world.facility, places=2)
        await make_proposal(need, d1, state="approved")
        p2 = await make_proposal(need, d2)
        approve, lower = await at_once(
            api(world.client("c1"), f"/api/proposals/{p2}/approve"),
            api(world.client("head"), f"/api/needs/{need}", _need_body(world, 1)),
        )
        places = (await Need.select(Need.places).where(Need.id == need).first())["places"]
        assert await held(need) <= places
        if approve.status_code == 200:
            assert lower.status_code == 422 and lower.json()["field"] == "places"
            assert places == 2 and await held(need) == 2
            outcomes["approved"] += 1
        else:
            assert approve.status_code == 409 and lower.status_code == 200
            assert places == 1 and await held(need) == 1
            outcomes["lowered"] += 1
    assert sum(outcomes.values()) == TRIALS


# --------------------------------------------------------------------------- (c) swap


async def test_swap_into_a_full_need_is_refused(world: World) -> None:
    """(c) A one-place need already held: swapping in a runner-up is a 409; and a swap
    racing an approval for the last place: exactly one wins."""
    (_, d1), (_, d2), (_, d3) = world.doctors[1], world.doctors[2], world.doctors[3]
    runner = [{"doctor_id": d3, "score": 0.5, "rank": 2}]
    need = await make_need(world.facility, places=1)
    await make_proposal(need, d1, state="approved")
    p2 = await make_proposal(need, d2, runners_up=runner)
    refused = await form(world.client("c1"), f"/coordinator/review/{p2}/swap", {"doctor_id": d3})
    assert refused.status_code == 409
    assert await held(need) == 1 and len(await states(need)) == 2
    for _ in range(TRIALS):
        need = await make_need(world.facility, places=1)
        p1 = await make_proposal(need, d1)
        p2 = await make_proposal(need, d2, runners_up=runner)
        approve, swap = await at_once(
            api(world.client("c1"), f"/api/proposals/{p1}/approve"),
            form(world.client("c2"), f"/coordinator/review/{p2}/swap", {"doctor_id": d3}),
        )
        assert sorted([ok(approve), ok(swap)]) == [False, True], (approve.text, swap.text[:300])
        assert 409 in (approve.status_code, swap.status_code)
        assert await held(need) == 1
        approved_events = await events("proposal.approved", list(await states(need)))
        assert len(approved_events) == 1


# --------------------------------------------------------------------------- (d) close


async def test_doctor_accepts_while_the_head_closes(world: World) -> None:
    """(d) Either confirmed and kept, or withdrawn before the accept; never
    accepted -> confirmed -> withdrawn; the audit's "before" is the state left."""
    account, d1 = world.doctors[1]
    outcomes = {"confirmed": 0, "withdrawn": 0}
    for _ in range(TRIALS):
        need = await make_need(world.facility, places=1)
        p = await make_proposal(need, d1, state="approved")
        mark = await mail_mark()
        accept, close = await at_once(
            api(world.client("d1"), f"/api/proposals/{p}/accept"),
            api(world.client("head"), f"/api/needs/{need}/status", {"status": "closed"}),
        )
        assert close.status_code == 200, close.text
        state = (await states(need))[p]
        confirmed = await events("proposal.confirmed", [p])
        withdrawn = await events("proposal.withdrawn", [p])
        mails = await mails_since(mark)
        if accept.status_code == 200:
            assert state == "confirmed" and len(confirmed) == 1 and withdrawn == []
            # The doctor and the head each get the confirmation, in their language.
            assert sorted(m["language"] for m in mails) == ["ar", "en"]
            assert {m["recipient"] for m in mails} == {account.email, world.head.email}
            outcomes["confirmed"] += 1
        else:
            assert accept.status_code == 409, accept.text
            assert state == "withdrawn" and confirmed == [] and len(withdrawn) == 1
            before = withdrawn[0]["before"]
            before = json.loads(before) if isinstance(before, str) else before
            assert before == {"state": "approved"}
            assert mails == []  # no "confirmed" mail for a pairing then withdrawn
            outcomes["withdrawn"] += 1
    assert sum(outcomes.values()) == TRIALS


async def test_cancelling_a_need_keeps_confirmed_pairings(world: World) -> None:
    """(d) A need holding a confirmed pairing cannot be cancelled (each pairing is
    cancelled with a reason first); closing it keeps the pairing."""
    (_, d1), (_, d2) = world.doctors[1], world.doctors[2]
    need = await make_need(world.facility, places=2)
    confirmed = await make_proposal(need, d1, state="confirmed")
    pending = await make_proposal(need, d2)
    refused = await api(world.client("head"), f"/api/needs/{need}/status", {"status": "cancelled"})
    assert refused.status_code == 409 and "1" in refused.json()["detail"]
    assert await states(need) == {confirmed: "confirmed", pending: "proposed"}
    closed = await api(world.client("head"), f"/api/needs/{need}/status", {"status": "closed"})
    assert closed.status_code == 200 and closed.json()["withdrawn"] == 1
    assert await states(need) == {confirmed: "confirmed", pending: "withdrawn"}


# --------------------------------------------------------------------------- (e) index


async def test_two_swaps_to_the_same_runner_up(world: World) -> None:
    """(e) Two coordinators swap two proposals to the same runner-up at once: one live
    proposal for that doctor, the other swap a 409 (never a 500)."""
    (_, d1), (_, d2), (_, d3) = world.doctors[1], world.doctors[2], world.doctors[3]
    runner = [{"doctor_id": d3, "score": 0.5, "rank": 2}]
    for _ in range(TRIALS):
        need = await make_need(world.facility, places=3)
        p1 = await make_proposal(need, d1, runners_up=runner)
        p2 = await make_proposal(need, d2, runners_up=runner)
        r1, r2 = await at_once(
            form(world.client("c1"), f"/coordinator/review/{p1}/swap", {"doctor_id": d3}),
            form(world.client("c2"), f"/coordinator/review/{p2}/swap", {"doctor_id": d3}),
        )
        assert sorted([ok(r1), ok(r2)]) == [False, True], (r1.status_code, r2.status_code)
        assert 409 in (r1.status_code, r2.status_code)
        live = await Proposal.count().where(
            Proposal.need == need, Proposal.doctor == d3, Proposal.state.is_in(LIVE)
        )
        assert live == 1


async def test_the_database_refuses_a_second_live_proposal(world: World) -> None:
    """(e) The partial unique index itself: a second live (need, doctor) fails; a
    refused one beside a live one is fine."""
    (_, d1) = world.doctors[1]
    need = await make_need(world.facility)
    await make_proposal(need, d1, state="rejected")
    await make_proposal(need, d1)
    for state in LIVE:
        with pytest.raises(Exception, match=r"(?i)unique"):
            await make_proposal(need, d1, state=state)
    assert await Proposal.count().where(Proposal.need == need) == 2


# --------------------------------------------------------------------------- (f) cancel


async def test_cancel_a_confirmed_pairing(world: World) -> None:
    """(f) The head cancels a confirmed pairing with a reason: the doctor and the head
    get a mail in their language, a runner-up comes forward for review, the need
    reopens; cancelling again is a 409, without a reason a 422."""
    doctor, d1 = world.doctors[1]
    (_, d2), (_, d3) = world.doctors[2], world.doctors[3]
    runners = [{"doctor_id": d2, "score": 0.6, "rank": 2}, {"doctor_id": d3, "score": 0.5}]
    need = await make_need(world.facility, places=1)
    await make_proposal(need, d2, state="declined")  # d2 said no before: skipped
    p = await make_proposal(need, d1, runners_up=runners)
    assert (await api(world.client("c1"), f"/api/proposals/{p}/approve")).status_code == 200
    assert (await api(world.client("d1"), f"/api/proposals/{p}/accept")).status_code == 200
    no_reason = await api(world.client("head"), f"/api/proposals/{p}/cancel", {"reason": " "})
    assert no_reason.status_code == 422 and no_reason.json()["field"] == "reason"
    stranger = await api(world.client("d3"), f"/api/proposals/{p}/cancel", {"reason": "x"})
    assert stranger.status_code in (403, 404)
    mark = await mail_mark()
    response = await api(
        world.client("head"), f"/api/proposals/{p}/cancel", {"reason": "the ward closed"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["proposal"]["state"] == "cancelled"
    runner_up = body["runner_up_proposal_id"]
    assert (await states(need))[runner_up] == "proposed"
    runner_row = await Proposal.select().where(Proposal.id == runner_up).first()
    assert runner_row["doctor"] == d3
    mails = await mails_since(mark)
    # The doctor and the head in their language; every coordinator too (issue 18).
    assert {m["recipient"]: m["language"] for m in mails} == {
        doctor.email: "en",
        world.head.email: "ar",
        **{c.email: c.language for c in world.coordinators},
    }
    assert any("cancelled" in m["subject"] for m in mails if m["language"] == "en")
    assert (await Need.select(Need.status).where(Need.id == need).first())["status"] == "open"
    assert len(await events("proposal.cancelled", [p])) == 1
    told = await Notification.count().where(Notification.link == f"/pairings/{runner_up}")
    assert told >= 2  # both coordinators are pointed at the runner-up
    again = await api(world.client("c1"), f"/api/proposals/{p}/cancel", {"reason": "again"})
    assert again.status_code == 409
    approved = await api(world.client("c1"), f"/api/proposals/{runner_up}/approve")
    assert approved.status_code == 200


async def test_doctor_and_head_cancel_at_once(world: World) -> None:
    """(f) The doctor and the head cancel the same confirmed pairing at the same
    moment: one cancellation, one runner-up, one set of mails (doctor, head, coordinators)."""
    (_, d1), (_, d3) = world.doctors[1], world.doctors[3]
    runners = [{"doctor_id": d3, "score": 0.5, "rank": 2}]
    for _ in range(TRIALS):
        need = await make_need(world.facility, places=1)
        p = await make_proposal(need, d1, state="confirmed", runners_up=runners)
        mark = await mail_mark()
        r1, r2 = await at_once(
            api(world.client("d1"), f"/api/proposals/{p}/cancel", {"reason": "ill"}),
            api(world.client("head"), f"/api/proposals/{p}/cancel", {"reason": "ward"}),
        )
        assert statuses(r1, r2) == [200, 409], (r1.text, r2.text)
        assert len(await events("proposal.cancelled", [p])) == 1
        found = await states(need)
        assert sorted(found.values()) == ["cancelled", "proposed"]
        assert len(await mails_since(mark)) == 2 + len(world.coordinators)


# --------------------------------------------------------------------------- refusals


async def test_refusals_are_in_the_readers_language(world: World) -> None:
    """A refusal is a catalog message: Arabic for an Arabic reader, placeholders filled."""
    (_, d1) = world.doctors[1]
    need = await make_need(world.facility, places=1)
    p = await make_proposal(need, d1, state="confirmed")
    head = world.client("head")  # the head reads Arabic
    again = await api(head, f"/api/needs/{need}/status", {"status": "cancelled"})
    assert again.status_code == 409
    detail = again.json()["detail"]
    assert "1" in detail and any("\u0600" <= ch <= "\u06ff" for ch in detail), detail
    cancelled = await api(head, f"/api/proposals/{p}/cancel", {"reason": "سبب"})
    assert cancelled.status_code == 200
    twice = await api(head, f"/api/proposals/{p}/cancel", {"reason": "سبب"})
    assert twice.status_code == 409
    detail = twice.json()["detail"]
    assert f"رقم {p}:" in detail and "«ملغى»" in detail, detail  # the state as its label
    page = await form(head, f"/pairings/{p}/cancel", {"reason": "سبب"})
    assert page.status_code == 409 and f"رقم {p}:" in page.text
    english = await api(world.client("c1"), f"/api/proposals/{p}/cancel", {"reason": "x"})
    assert english.json()["detail"].startswith(
        f"Pairing #{p} cannot be cancelled: it is cancelled."
    )
