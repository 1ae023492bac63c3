"""The outcome report as an Excel workbook (openpyxl): one sheet per table, every label
and name in the chosen language (Arabic names intact; sheets right-to-left in Arabic)."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from matching.i18n import N_, gettext
from matching.labels import label
from matching.outcomes.metrics import METRICS
from matching.outcomes.reasons import reason_sentence
from matching.outcomes.schemas import OutcomeReport, Row
from matching.taxonomy import load_taxonomy


def _specialty(code: str, language: str) -> str:
    try:
        return load_taxonomy().name(code, language)  # type: ignore[arg-type]
    except KeyError:
        return code


def _value(metric: str, value: float) -> float | int:
    return round(value, METRICS[metric].decimals) if METRICS[metric].decimals else int(value)


def _sheet(book: Workbook, title: str, language: str, header: list[str], rows: list[list]) -> None:
    sheet = book.create_sheet(title=title[:31])
    sheet.sheet_view.rightToLeft = language == "ar"
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for index, name in enumerate(header, start=1):
        width = max([len(str(name))] + [len(str(r[index - 1])) for r in rows]) + 2
        sheet.column_dimensions[get_column_letter(index)].width = min(width, 60)


def _breakdown(rows: list[Row], name_of, language: str) -> list[list]:
    return [[name_of(r.key)] + [_value(m, r.values[m]) for m in METRICS] for r in rows]


def report_workbook(report: OutcomeReport, language: str) -> bytes:
    """The .xlsx bytes of ``report`` in ``language``."""
    t = lambda text, **kw: gettext(language, text, **kw)  # noqa: E731
    metric_names = [t(METRICS[m].label) for m in METRICS]
    book = Workbook()
    book.remove(book.active)
    _sheet(
        book,
        t(N_("Summary")),
        language,
        [t(N_("Measure")), t(N_("Value"))],
        [[t(METRICS[m].label), _value(m, report.totals[m])] for m in METRICS],
    )
    _sheet(
        book,
        t(N_("By district")),
        language,
        [t(N_("District")), *metric_names],
        _breakdown(report.by_district, lambda k: label(k, "district", language), language),
    )
    _sheet(
        book,
        t(N_("Urban and rural")),
        language,
        [t(N_("Setting")), *metric_names],
        _breakdown(report.by_setting, lambda k: label(k, "area", language), language),
    )
    _sheet(
        book,
        t(N_("By specialty")),
        language,
        [t(N_("Specialty")), *metric_names],
        _breakdown(report.by_specialty, lambda k: _specialty(k, language), language),
    )
    _sheet(
        book,
        t(N_("Needs not filled")),
        language,
        [t(N_("Reason")), t(N_("Needs"))],
        [[reason_sentence(r.reason, language), r.needs] for r in report.unfilled_reasons],
    )
    out = BytesIO()
    book.save(out)
    return out.getvalue()
