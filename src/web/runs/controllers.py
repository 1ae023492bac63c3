"""Ranking runs (JSON API and coordinator pages) and the mail outbox page."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import HTTPException
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Template
from msgspec import Struct

from matching.errors import DomainError
from matching.mail import delivery
from matching.pairings import runs
from web.api_errors import document_errors
from web.auth import require_account, requires_coordinator
from web.forms import form_data, form_errors, render_form
from workers.queue import enqueue_ranking_run, ranking_run_job_id

logger = logging.getLogger("web.runs")
OUTBOX_PAGE = 50


class RunRequest(Struct, forbid_unknown_fields=True):
    """Start a run: ``kind`` "full" (default) or "stable"; optional engine parameters."""

    kind: str = "full"
    parameters: dict[str, Any] = {}


class UnfillableOut(Struct):
    need_id: int
    doctors: int
    eliminated: dict[str, int]
    reasons: list[str]
    places_left: int = 1  # places the need still had
    eligible: int = 0  # doctors passing every hard rule: places_left - eligible stay open


class RunOut(Struct):
    id: int
    kind: str
    status: str
    progress: int
    doctors_considered: int
    needs_considered: int
    proposals_made: int
    unfillable: list[UnfillableOut]
    error: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    #: Status "overtaken": the newer run that ranked the same needs first.
    overtaken_by: int | None = None


def _run_out(run: dict[str, Any]) -> RunOut:
    return RunOut(
        id=int(run["id"]),
        kind=str(run["kind"]),
        status=str(run["status"]),
        progress=int(run["progress"]),
        doctors_considered=int(run["doctors_considered"]),
        needs_considered=int(run["needs_considered"]),
        proposals_made=int(run["proposals_made"]),
        unfillable=[
            UnfillableOut(
                need_id=int(u["need_id"]),
                doctors=int(u["doctors"]),
                eliminated={k: int(v) for k, v in u["eliminated"].items()},
                reasons=list(u["reasons"]),
                places_left=int(u.get("places_left", 1)),
                eligible=int(u.get("eligible", 0)),
            )
            for u in run["outcome"].get("unfillable", [])
        ],
        error=str(run["error"] or ""),
        created_at=run["created_at"],
        started_at=run["started_at"],
        finished_at=run["finished_at"],
        overtaken_by=run["outcome"].get("overtaken_by"),
    )


async def _start(request: Request, kind: str, parameters: dict[str, Any]) -> int:
    """Create the run (with its audit event) and queue it; 503 if the queue is down."""
    account = require_account(request)
    run_id = await runs.request_run(
        kind, actor_id=account.id, actor_label=account.email, parameters=parameters
    )
    await runs.set_job_id(run_id, ranking_run_job_id(run_id))
    try:
        await enqueue_ranking_run(request.app.state.queue, run_id)
    except (ConnectionError, OSError) as exc:
        logger.warning("could not queue run %s: %s", run_id, exc)
        await runs.fail_run(run_id, f"the job queue is unreachable: {exc}")
        raise HTTPException(
            status_code=503, detail="The job queue is unreachable; the run was not started."
        ) from exc
    return run_id


@document_errors()
class RunApi(Controller):
    path = "/api/runs"
    tags = ["ranking runs"]
    guards = [requires_coordinator]

    @post("/", status_code=202, summary="Start a ranking run over all open needs")
    async def create(self, request: Request, data: JSONBody[RunRequest]) -> RunOut:
        run_id = await _start(request, data.kind, data.parameters)
        return _run_out(await runs.get_run(run_id))

    @get("/{run_id:int}", summary="A run's status, progress, counts and error")
    async def show(self, run_id: FromPath[int]) -> RunOut:
        return _run_out(await runs.get_run(run_id))


class RunPages(Controller):
    path = "/coordinator/runs"
    guards = [requires_coordinator]
    include_in_schema = False

    async def _index(self, values: dict[str, Any], errors: dict[str, str]) -> Template:
        return render_form(
            "runs/index.html",
            values=values,
            errors=errors,
            runs=await runs.list_runs(),
            active=("queued", "running"),
        )

    @get("/")
    async def index(self) -> Template:
        return await self._index({"kind": "full"}, {})

    @post("/")
    async def start(self, request: Request) -> Template | Redirect:
        data = await form_data(request)
        kind = str(data.get("kind") or "full")
        try:
            run_id = await _start(request, kind, {})
        except DomainError as exc:
            return await self._index({"kind": kind}, form_errors(exc))
        return Redirect(f"/coordinator/runs/{run_id}")

    @get("/{run_id:int}")
    async def show(self, run_id: FromPath[int]) -> Template:
        return Template(
            template_name="runs/show.html",
            context={
                "run": await runs.run_detail(run_id),
                "reasons": runs.UNFILLABLE_REASONS,
                "active": ("queued", "running"),
            },
        )


class OutboxPages(Controller):
    path = "/coordinator/outbox"
    guards = [requires_coordinator]
    include_in_schema = False

    @get("/")
    async def index(self, page: FromQuery[int] = 1) -> Template:
        page = max(page, 1)
        mails, total = await delivery.list_outbox(OUTBOX_PAGE, (page - 1) * OUTBOX_PAGE)
        return Template(
            template_name="outbox/index.html",
            context={
                "mails": mails,
                "page": page,
                "pages": max((total + OUTBOX_PAGE - 1) // OUTBOX_PAGE, 1),
                "total": total,
            },
        )

    @get("/{mail_id:int}")
    async def show(self, mail_id: FromPath[int]) -> Template:
        return Template(
            template_name="outbox/show.html", context={"mail": await delivery.get_mail(mail_id)}
        )
