"""What the facilities controllers share: guards, form choices, the needs-list query,
the CSV upload page, and the one place a due ranking is queued."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from typing import Any

from litestar import Request
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.params import FromQuery
from litestar.response import Template

from matching.accounts.services import Account
from matching.accounts.tables import Role
from matching.facilities import csv_io
from matching.facilities.language_levels import LANGUAGE_LEVELS
from matching.facilities.need_queries import SORTS, NeedFilters
from matching.facilities.need_rules import MAX_ROLES, MAX_SLOTS
from matching.facilities.tables import District, FacilityKind, FunctionalState, NeedKind, Urgency
from matching.i18n import N_
from matching.labels import label
from matching.taxonomy import load_taxonomy
from web.auth import require_account, requires_role
from workers.queue import enqueue_need_ranking

logger = logging.getLogger("web.facilities")

requires_head_or_staff = requires_role(Role.FACILITY_HEAD, Role.COORDINATOR, Role.ADMIN)
RANKING_NOTICE = N_("Proposals for this need will be computed shortly.")
WEEKDAYS = range(7)


async def queue_ranking_if_due(request: Request, need_id: int, due: bool) -> bool:
    """Queue the need's quick ranking when the domain said it is due (``NeedSaved``,
    ``NeedMoved``); never breaks the page.

    True when queued (False when not due, already queued, or the queue is down).
    """
    if not due:
        return False
    try:
        return await enqueue_need_ranking(request.app.state.queue, need_id)
    except KeyError as exc:
        logger.warning("rank_need job is not registered (%s); need %s waits", exc, need_id)
    except (ConnectionError, OSError) as exc:
        logger.warning("job queue unreachable (%s); need %s waits for the next run", exc, need_id)
    return False


def choices() -> dict[str, Any]:
    return dict(_static_choices())


@cache
def _static_choices() -> dict[str, Any]:
    taxonomy = load_taxonomy()
    return {
        "taxonomy": taxonomy,
        "specialty_codes": sorted(taxonomy.specialties, key=lambda c: taxonomy.specialties[c].en),
        "skill_codes": sorted(taxonomy.skills, key=lambda c: taxonomy.skills[c].en),
        "language_codes": list(taxonomy.languages),
        "language_level_codes": LANGUAGE_LEVELS,
        "need_kinds": [k.value for k in NeedKind],
        "urgencies": [u.value for u in Urgency],
        "districts": [d.value for d in District],
        "facility_kinds": [k.value for k in FacilityKind],
        "functional_states": [s.value for s in FunctionalState],
        "weekdays": WEEKDAYS,
        "slot_rows": range(MAX_SLOTS),
        "role_rows": range(MAX_ROLES),
        "sorts": SORTS,
    }


@cache
def filter_options(language: str) -> dict[str, list[tuple[str, str]]]:
    """The need list's filter choices as (value, label) in ``language``, built once each."""
    static = _static_choices()

    def labelled(values: list[str], kind: str) -> list[tuple[str, str]]:
        return [(v, label(v, kind, language)) for v in values]

    tax_language = "ar" if language == "ar" else "en"
    taxonomy = load_taxonomy()
    return {
        "district": labelled(static["districts"], "district"),
        "area": labelled(["urban", "rural"], "area"),
        "kind": labelled(static["need_kinds"], "need_kind"),
        "specialty": sorted(
            ((c, taxonomy.name(c, tax_language)) for c in static["specialty_codes"]),
            key=lambda option: option[1],
        ),
        "urgency": labelled(static["urgencies"], "urgency"),
    }


def filters_context(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if v not in (None, "")}


@dataclass(frozen=True, slots=True)
class NeedListQuery:
    """The need list's filters and sort as typed in the query string (HTML, CSV, API)."""

    params: dict[str, str | None]
    sort: str

    def filters(self) -> NeedFilters:
        """Checked filters; ``ValidationFailed`` names each bad field."""
        return NeedFilters.from_query(self.params)


async def provide_need_list_query(
    district: FromQuery[str | None] = None,
    area: FromQuery[str | None] = None,
    kind: FromQuery[str | None] = None,
    specialty: FromQuery[str | None] = None,
    urgency: FromQuery[str | None] = None,
    status: FromQuery[str | None] = None,
    facility: FromQuery[str | None] = None,
    sort: FromQuery[str] = "urgency",
) -> NeedListQuery:
    params = {
        "district": district,
        "area": area,
        "kind": kind,
        "specialty": specialty,
        "urgency": urgency,
        "status": status,
        "facility": facility,
    }
    return NeedListQuery(params=params, sort=sort)


NEED_LIST_QUERY = {"need_query": Provide(provide_need_list_query)}


async def import_page(request: Request, data: dict[str, Any], what: str) -> Template:
    """Check (or import) an uploaded CSV file of facilities or needs."""
    upload = data.get("file")
    dry_run = str(data.get("mode", "dry_run")) != "import"
    if not isinstance(upload, UploadFile):
        return Template(
            "facilities/import.html",
            context={
                "report": None,
                "what": what,
                "errors": {"file": N_("choose a CSV file")},
            },
            status_code=422,
        )
    raw = await upload.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return Template(
            "facilities/import.html",
            context={
                "report": None,
                "what": what,
                "errors": {"file": N_("the file must be UTF-8 text (save it as CSV UTF-8)")},
            },
            status_code=422,
        )
    importer = csv_io.import_facilities_csv if what == "facilities" else csv_io.import_needs_csv
    report = await importer(text, actor=require_account(request), dry_run=dry_run)
    return Template(
        "facilities/import.html",
        context={"report": report, "what": what, "errors": {}},
        status_code=422 if report.problems else 200,
    )


def provide_account(request: Request) -> Account:
    """The signed-in account (the controllers' guards have let it in)."""
    return require_account(request)


ACCOUNT = {"account": Provide(provide_account, sync_to_thread=False)}
