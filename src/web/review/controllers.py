"""Coordinator pages: coverage dashboard, review queue, audit trail."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from matching.audit.sentences import describe
from matching.errors import DomainError, ValidationFailed
from matching.facilities.csv_io import UTF8_BOM
from matching.outcomes.metrics import METRICS
from matching.outcomes.report import build_report
from matching.outcomes.schemas import OutcomeFilters
from matching.paging import parse_page
from matching.pairings import review, transitions
from matching.pairings.coverage import coverage
from web import feedback
from web.auth import require_account, requires_coordinator
from web.context import base_url
from web.flash import flash
from web.forms import form_data, form_errors
from web.services.coverage import services_context


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _date(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed({name: "must be a date like 2026-03-31"}) from None


def _form_page(data: dict[str, Any]) -> int:
    """The queue page a form was posted from (the first when missing or not a number)."""
    value = str(data.get("page", "")).strip()
    return max(1, int(value)) if value.isdigit() and len(value) < 10 else 1


class CoordinatorPages(Controller):
    path = "/coordinator"
    guards = [requires_coordinator]
    include_in_schema = False

    @get("/")
    async def dashboard(self) -> Template:
        return Template(
            template_name="dashboard/index.html",
            context={
                "coverage": await coverage(),
                "outcomes": await build_report(OutcomeFilters()),
                "outcome_metrics": METRICS,
                "pending_licences": await review.pending_licences(),
                "waiting": await review.waiting_count(),
                **await services_context(),
            },
        )

    async def _queue(
        self,
        request: Request,
        *,
        page: int = 1,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
        done: str | None = None,
        failed_id: int | None = None,
    ) -> Template:
        return Template(
            template_name="review/queue.html",
            context={
                "result": await review.review_queue(page),
                "waiting": await review.waiting_count(),
                "notifications": await review.notifications_for(require_account(request), 5),
                "pending_licences": await review.pending_licences(),
                "reasons": transitions.REJECT_REASONS,
                "errors": errors or {},
                "failed_id": failed_id,
                "done": done,
            },
            status_code=status_code,
            media_type=MediaType.HTML,
        )

    @get("/review")
    async def queue(
        self, request: Request, done: FromQuery[str | None] = None, page: FromQuery[str] = ""
    ) -> Template:
        """One page of the queue (a page out of range shows the first or the last)."""
        try:
            number = parse_page(page)
        except ValidationFailed as exc:
            return await self._queue(request, errors=exc.errors, status_code=exc.status_code)
        return await self._queue(request, page=number, done=done)

    async def _act(self, request: Request, proposal_id: int, action: str) -> Template | Redirect:
        actor = require_account(request)
        data = await form_data(request)
        page = _form_page(data)
        try:
            if action == "approve":
                await transitions.approve(proposal_id, actor, base_url=base_url(request))
            elif action == "reject":
                await transitions.reject(
                    proposal_id,
                    actor,
                    reason=str(data.get("reason", "")),
                    note=str(data.get("note", "")),
                )
            else:
                try:
                    doctor_id = int(str(data.get("doctor_id", "")))
                except ValueError:
                    raise ValidationFailed({"doctor_id": "choose a runner-up"}) from None
                await transitions.swap(proposal_id, doctor_id, actor, base_url=base_url(request))
        except DomainError as exc:
            return await self._queue(
                request,
                page=page,
                errors=form_errors(exc),
                status_code=exc.status_code,
                failed_id=proposal_id,
            )
        flash(request, feedback.reviewed(action))
        return Redirect(f"/coordinator/review?done={action}&page={page}")

    @post("/review/{proposal_id:int}/approve")
    async def approve(self, request: Request, proposal_id: FromPath[int]) -> Template | Redirect:
        return await self._act(request, proposal_id, "approve")

    @post("/review/{proposal_id:int}/reject")
    async def reject(self, request: Request, proposal_id: FromPath[int]) -> Template | Redirect:
        return await self._act(request, proposal_id, "reject")

    @post("/review/{proposal_id:int}/swap")
    async def swap(self, request: Request, proposal_id: FromPath[int]) -> Template | Redirect:
        return await self._act(request, proposal_id, "swap")

    @post("/review/bulk-approve")
    async def bulk_approve(self, request: Request) -> Template | Redirect:
        data = await form_data(request)
        page = _form_page(data)
        raw = data.get("proposal_id", [])
        raw = raw if isinstance(raw, list) else [raw]
        try:
            ids = [int(str(v)) for v in raw if str(v).strip()]
        except ValueError:
            return await self._queue(
                request,
                page=page,
                errors={"proposal_ids": "must be proposal numbers"},
                status_code=422,
            )
        try:
            approved = await transitions.bulk_approve(
                ids, require_account(request), base_url=base_url(request)
            )
        except DomainError as exc:
            return await self._queue(
                request, page=page, errors=form_errors(exc), status_code=exc.status_code
            )
        flash(request, feedback.reviewed("bulk", approved))
        return Redirect(f"/coordinator/review?done=bulk&page={page}")

    def _filter(
        self,
        action: str | None,
        subject_type: str | None,
        actor: str | None,
        since: str | None,
        until: str | None,
    ) -> review.AuditFilter:
        return review.AuditFilter(
            action=action or "",
            subject_type=subject_type or "",
            actor=(actor or "").strip(),
            since=_date(since, "since"),
            until=_date(until, "until"),
        )

    @get("/audit")
    async def audit(
        self,
        action: FromQuery[str | None] = None,
        subject_type: FromQuery[str | None] = None,
        actor: FromQuery[str | None] = None,
        since: FromQuery[str | None] = None,
        until: FromQuery[str | None] = None,
    ) -> Template:
        values = {
            "action": action or "",
            "subject_type": subject_type or "",
            "actor": actor or "",
            "since": since or "",
            "until": until or "",
        }
        actions, subjects = await review.audit_choices()
        errors: dict[str, str] = {}
        try:
            events = await review.audit_events(
                self._filter(action, subject_type, actor, since, until)
            )
        except ValidationFailed as exc:
            errors, events = exc.errors, []
        listed = set(transitions.REJECT_REASONS.values())
        return Template(
            template_name="review/audit.html",
            context={
                "events": [describe(event, listed) for event in events],
                "values": values,
                "errors": errors,
                "actions": actions,
                "subjects": subjects,
                "query": str("&".join(f"{k}={v}" for k, v in values.items() if v)),
            },
            status_code=422 if errors else 200,
            media_type=MediaType.HTML,
        )

    @get("/audit.csv")
    async def audit_csv(
        self,
        action: FromQuery[str | None] = None,
        subject_type: FromQuery[str | None] = None,
        actor: FromQuery[str | None] = None,
        since: FromQuery[str | None] = None,
        until: FromQuery[str | None] = None,
    ) -> Response[str]:
        events = await review.audit_events(
            self._filter(action, subject_type, actor, since, until), limit=None
        )
        buffer = io.StringIO()
        buffer.write(UTF8_BOM)  # Excel reads Arabic names right only with a BOM
        writer = csv.writer(buffer)
        writer.writerow(
            ["id", "when", "actor", "action", "subject_type", "subject_id", "before", "after"]
        )
        for e in events:
            writer.writerow(
                [
                    _cell(v)
                    for v in (
                        e["id"],
                        e["created_at"].isoformat(),
                        e["actor_label"],
                        e["action"],
                        e["subject_type"],
                        e["subject_id"],
                        json.dumps(e["before"], ensure_ascii=False),
                        json.dumps(e["after"], ensure_ascii=False),
                    )
                ]
            )
        return Response(
            buffer.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": 'attachment; filename="audit.csv"'},
        )
