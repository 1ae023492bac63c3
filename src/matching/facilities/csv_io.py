"""CSV export of the needs list and CSV import of facilities and needs (stdlib csv).

Import is all or nothing: every row is validated first and every bad row is
reported with its line number; nothing is written until the whole file is
clean, and then everything is written in one transaction.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from matching.accounts.services import Account
from matching.errors import Forbidden, ValidationFailed
from matching.facilities.membership import is_staff
from matching.facilities.need_commands import insert_need
from matching.facilities.need_queries import NeedFilters, iter_needs
from matching.facilities.need_rules import NeedFields, today_utc, validate_need
from matching.facilities.profiles import insert_facility, validate_facility
from matching.facilities.reading import (
    facility_from_cells,
    need_from_cells,
    roles_cell,
    slots_cell,
)
from matching.facilities.schemas import FacilityDraft, NeedDraft
from matching.facilities.tables import Facility, Need, NeedStatus
from matching.i18n import N_, Message

EXPORT_COLUMNS = (
    "id",
    "title",
    "kind",
    "status",
    "urgency",
    "specialty",
    "places",
    "starts_on",
    "ends_on",
    "weekly_hours",
    "months",
    "languages",
    "requires_licence",
    "facility_id",
    "facility_name_en",
    "facility_name_ar",
    "district",
    "area",
    "created_at",
)
FACILITY_COLUMNS = (
    "name_en",
    "name_ar",
    "kind",
    "district",
    "sub_district",
    "rural",
    "latitude",
    "longitude",
    "functional_state",
    "beds",
    "staff",
)
NEED_COLUMNS = (
    "facility_id",
    "kind",
    "title",
    "specialty",
    "skills",
    "languages",
    "requires_licence",
    "urgency",
    "places",
    "starts_on",
    "ends_on",
    "duration_days",
    "mentee_name",
    "weekly_hours",
    "months",
    "slots",
    "topic",
    "audience_size",
    "remote",
    "description",
    "status",
    "roles",
    "language_levels",
)
MAX_ROWS = 20_000


def _cell(value: object) -> str:
    """A cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


async def export_needs_csv(
    filters: NeedFilters, *, viewer: Account, sort: str = "urgency"
) -> AsyncIterator[str]:
    """The filtered needs list as CSV text, yielded in chunks (header first).

    The text starts with a byte order mark: Excel reads a CSV file without one
    in the machine's legacy code page, and Arabic names come out garbled.
    """
    buffer = io.StringIO()
    buffer.write(UTF8_BOM)
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    async for item in iter_needs(filters, viewer=viewer, sort=sort):
        row = {**item, "area": "rural" if item["rural"] else "urban"}
        writer.writerow([_cell(row.get(c)) for c in EXPORT_COLUMNS])
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


#: Starts every exported CSV file (``\ufeff`` is written as the bytes EF BB BF).
UTF8_BOM = "\ufeff"


@dataclass(slots=True)
class RowProblem:
    line: int
    field: str
    message: str


@dataclass(slots=True)
class ImportReport:
    """What an import found: rows read, problems by line, rows written."""

    kind: str
    rows: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    imported: int = 0
    dry_run: bool = True

    @property
    def ok(self) -> bool:
        return not self.problems and self.rows > 0


def _read(text: str, columns: tuple[str, ...], report: ImportReport) -> list[tuple[int, dict]]:
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    if not header:
        report.problems.append(RowProblem(1, "file", N_("the file is empty")))
        return []
    unknown = [h for h in header if h not in columns]
    if unknown:
        report.problems.append(
            RowProblem(1, "header", Message("unknown column: %(name)s", name=unknown[0]))
        )
    reader.fieldnames = header
    rows: list[tuple[int, dict]] = []
    for record in reader:
        if len(rows) >= MAX_ROWS:
            report.problems.append(
                RowProblem(reader.line_num, "file", N_("too many rows (at most 20000)"))
            )
            break
        if None in record:
            report.problems.append(
                RowProblem(reader.line_num, "row", N_("this row has more cells than the header"))
            )
            continue
        values = {k: (v or "").strip() for k, v in record.items()}
        if not any(values.values()):
            continue
        rows.append((reader.line_num, values))
    report.rows = len(rows)
    if not rows and not report.problems:
        report.problems.append(RowProblem(1, "file", N_("the file has no rows")))
    return rows


def _collect(report: ImportReport, line: int, exc: ValidationFailed) -> None:
    for key, message in exc.errors.items():
        report.problems.append(RowProblem(line, key, message))


def need_from_row(values: dict[str, str]) -> NeedDraft:
    """The CSV channel's decoder of a need: one row (``facility_id``, ``slots`` as
    ``"1 19:00-21:00; 3 19:00-21:00"``, a team mission's ``roles`` as
    ``"orthopaedics_trauma 1; anaesthesia 1"``, ``status`` draft or open) as the command."""
    unreadable: dict[str, str] = {}
    slots = slots_cell(values.get("slots", ""), unreadable)
    roles = roles_cell(values.get("roles", ""), unreadable)
    facility = values.get("facility_id", "")
    return need_from_cells(
        values,
        facility_id=int(facility) if facility.isdigit() else 0,
        slots=slots,
        unreadable=unreadable,
        publish=(values.get("status") or NeedStatus.OPEN.value) == NeedStatus.OPEN.value,
        roles=roles,
    )


def facility_from_row(values: dict[str, str]) -> FacilityDraft:
    """The CSV channel's decoder of a facility: one row as the command."""
    return facility_from_cells(values)


async def import_facilities_csv(text: str, *, actor: Account, dry_run: bool) -> ImportReport:
    """Validate (and unless ``dry_run``, create) facilities from CSV."""
    if not is_staff(actor):
        raise Forbidden(N_("Only coordinators can import facilities."))
    report = ImportReport(kind="facilities", dry_run=dry_run)
    parsed: list[FacilityDraft] = []
    for line, values in _read(text, FACILITY_COLUMNS, report):
        try:
            parsed.append(validate_facility(facility_from_row(values)))
        except ValidationFailed as exc:
            _collect(report, line, exc)
    if report.problems or dry_run:
        return report
    async with Facility._meta.db.transaction():
        for draft in parsed:
            await insert_facility(draft, actor=actor, source="csv")
    report.imported = len(parsed)
    return report


async def import_needs_csv(text: str, *, actor: Account, dry_run: bool) -> ImportReport:
    """Validate (and unless ``dry_run``, create) needs from CSV; status draft or open."""
    if not is_staff(actor):
        raise Forbidden(N_("Only coordinators can import needs."))
    report = ImportReport(kind="needs", dry_run=dry_run)
    rows = _read(text, NEED_COLUMNS, report)
    facility_ids = {int(r["id"]) for r in await Facility.select(Facility.id).run()}
    parsed: list[tuple[int, NeedFields, NeedStatus]] = []
    for line, values in rows:
        problems: dict[str, str] = {}
        facility = values.get("facility_id", "")
        if not facility.isdigit() or int(facility) not in facility_ids:
            problems["facility_id"] = N_("no facility has this id")
        status = values.get("status") or NeedStatus.OPEN.value
        if status not in (NeedStatus.DRAFT.value, NeedStatus.OPEN.value):
            problems["status"] = N_("choose draft or open")
        try:
            fields = validate_need(need_from_row(values), today=today_utc())
        except ValidationFailed as exc:
            problems = {**problems, **exc.errors}
        if problems:
            _collect(report, line, ValidationFailed(problems))
            continue
        parsed.append((int(facility), fields, NeedStatus(status)))
    if report.problems or dry_run:
        return report
    async with Need._meta.db.transaction():
        for facility_id, fields, status in parsed:
            await insert_need(
                fields,
                facility_id=facility_id,
                status=status,
                actor=actor,
                audit_extra={"facility": facility_id, "source": "csv"},
            )
    report.imported = len(parsed)
    return report
