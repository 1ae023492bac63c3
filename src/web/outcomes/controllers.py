"""Outcomes for coordinators and donors: the report page and its Excel and PDF exports.

Thin: the filters are read from the query string into
:class:`~matching.outcomes.schemas.OutcomeFilters` and the domain builds the report.
Bad filters re-render the page with each problem next to its field (422).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller, MediaType, Request, Response, get
from litestar.response import Template

from matching.errors import ValidationFailed
from matching.facilities.tables import District
from matching.i18n import N_
from matching.outcomes.metrics import METRICS
from matching.outcomes.reasons import reason_sentence
from matching.outcomes.report import SETTINGS, build_report
from matching.outcomes.schemas import OutcomeFilters, OutcomeReport
from matching.outcomes.workbook import report_workbook
from matching.taxonomy import load_taxonomy
from web.auth import requires_coordinator
from web.context import current_language
from web.forms import form_errors
from web.pdf import html_to_pdf

FIELDS = ("starts_on", "ends_on", "district", "setting", "specialty")


def read_filters(query: dict[str, Any]) -> tuple[OutcomeFilters, dict[str, str]]:
    """The filters and what was typed (kept for the form)."""
    values = {name: str(query.get(name) or "").strip()[:100] for name in FIELDS}
    unreadable: dict[str, str] = {}
    days: dict[str, date | None] = {}
    for name in ("starts_on", "ends_on"):
        try:
            days[name] = date.fromisoformat(values[name]) if values[name] else None
        except ValueError:
            days[name] = None
            unreadable[name] = N_("must be a date like 2026-03-31")
    filters = OutcomeFilters(
        starts_on=days["starts_on"],
        ends_on=days["ends_on"],
        district=values["district"] or None,
        setting=values["setting"] or None,
        specialty=values["specialty"] or None,
        unreadable=unreadable,
    )
    return filters, values


def _choices(language: str) -> dict[str, Any]:
    taxonomy = load_taxonomy()
    specialties = sorted(
        taxonomy.specialties,
        key=lambda code: taxonomy.name(code, language),  # type: ignore[arg-type]
    )
    return {"districts": list(District), "settings": SETTINGS, "specialties": specialties}


class OutcomePages(Controller):
    path = "/coordinator/outcomes"
    guards = [requires_coordinator]
    include_in_schema = False

    async def _report(self, request: Request) -> tuple[OutcomeReport | None, dict, dict]:
        filters, values = read_filters(dict(request.query_params))
        try:
            return await build_report(filters), values, {}
        except ValidationFailed as exc:
            return None, values, form_errors(exc)

    def _page(self, report: OutcomeReport | None, values: dict, errors: dict) -> Template:
        language = current_language.get()
        return Template(
            template_name="outcomes/report.html",
            context={
                "report": report,
                "values": values,
                "errors": errors,
                "metrics": METRICS,
                "reason_sentence": lambda reason: reason_sentence(reason, language),
                "query": "&".join(f"{k}={v}" for k, v in values.items() if v),
                **_choices(language),
            },
            status_code=422 if errors else 200,
            media_type=MediaType.HTML,
        )

    @get("/")
    async def page(self, request: Request) -> Template:
        return self._page(*await self._report(request))

    @get("/report.xlsx")
    async def workbook(self, request: Request) -> Response | Template:
        report, values, errors = await self._report(request)
        if report is None:
            return self._page(report, values, errors)
        return Response(
            report_workbook(report, current_language.get()),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": 'attachment; filename="outcomes.xlsx"'},
        )

    @get("/report.pdf")
    async def pdf(self, request: Request) -> Response | Template:
        report, values, errors = await self._report(request)
        if report is None:
            return self._page(report, values, errors)
        language = current_language.get()
        template = request.app.template_engine.get_template("outcomes/report_pdf.html")
        html = template.render(
            report=report,
            values=values,
            metrics=METRICS,
            reason_sentence=lambda reason: reason_sentence(reason, language),
            today=date.today(),
        )
        return Response(
            await html_to_pdf(html),
            media_type="application/pdf",
            headers={"Content-Disposition": 'attachment; filename="outcomes.pdf"'},
        )
