"""The Jinja2 environment: autoescape on, gettext bound to the request's language."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.dates import get_timezone_name
from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, select_autoescape

from matching.i18n import babel_locale, direction, get_translations
from web.context import current_account, current_language

TEMPLATES_DIR = Path(__file__).parent / "templates"


def _gettext(message: str) -> str:
    return get_translations(current_language.get()).ugettext(message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return get_translations(current_language.get()).ungettext(singular, plural, n)


def _viewer_zone(tz: str | None) -> ZoneInfo:
    account = current_account.get()
    name = tz or (account.timezone if account else None) or "UTC"
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def format_date(value: date | None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    return babel_format_date(value, format=fmt, locale=babel_locale(current_language.get()))


def format_datetime(value: datetime | None, tz: str | None = None, fmt: str = "medium") -> str:
    """A moment in the viewer's own zone, with the zone named."""
    if value is None:
        return ""
    zone = _viewer_zone(tz)
    locale = babel_locale(current_language.get())
    when = babel_format_datetime(value, format=fmt, tzinfo=zone, locale=locale)
    return f"{when} ({get_timezone_name(zone, width='short', locale=locale)})"


def format_number(value: float | int | None) -> str:
    if value is None:
        return ""
    return format_decimal(value, locale=babel_locale(current_language.get()))


def make_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        # from_environment uses this Environment as it is: autoescape must be on here.
        autoescape=select_autoescape(enabled_extensions=("html", "svg"), default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    globals_: dict[str, Any] = {
        "current_language": current_language.get,
        "current_account": current_account.get,
        "text_direction": lambda: direction(current_language.get()),
        "format_date": format_date,
        "format_datetime": format_datetime,
        "format_number": format_number,
    }
    env.globals.update(globals_)
    return env
