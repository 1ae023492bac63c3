"""The Jinja2 environment: autoescape on, gettext bound to the request's language.

Globals every template can use:

- ``_("...")`` / ``ngettext`` (newstyle: ``_("Hello %(name)s", name=x)``);
- ``label(value, kind)`` (also a filter: ``need.status | label("need_status")``):
  the translated label of a stored enum value, see ``matching.labels``;
- ``tax_name(code)``: a taxonomy code (specialty, skill, language, mode) in the
  reader's language;
- ``format_date(d)``, ``format_datetime(dt)`` (in the viewer's zone, zone named),
  ``format_time(dt)``, ``format_number(n)``: formatted for the reader's language;
- ``current_language()``, ``text_direction()``, ``current_account()``;
- ``static_url("css/app.css")``: the fingerprinted URL of a static file.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel.dates import get_timezone_name
from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from litestar.connection import ASGIConnection
from markupsafe import Markup

from matching.audit.sentences import NOTHING, Shown, action_name
from matching.availability import zone_or_utc
from matching.doctors import validation
from matching.i18n import (
    N_,
    SUPPORTED_LANGUAGES,
    Message,
    babel_locale,
    direction,
    get_translations,
    negotiate_language,
    translate,
)
from matching.labels import label as _label
from matching.pairings import why_unfilled
from matching.pairings.transitions import REJECT_REASONS, SWAPPED_REASON
from matching.taxonomy import load_taxonomy
from web.auth import LANGUAGE_COOKIE
from web.context import current_account, current_language
from web.flash import flashes
from web.notices import queue_notice
from web.static_assets import static_url

TEMPLATES_DIR = Path(__file__).parent / "templates"


def _gettext(message: str) -> str:
    return translate(current_language.get(), message)


def _template_gettext(message: str) -> str:
    """``_()`` of the templates: Jinja formats what this returns once more (``% {}``),
    so a :class:`Message` already formatted keeps its percent signs escaped."""
    if isinstance(message, Message):
        return translate(current_language.get(), message).replace("%", "%%")
    return get_translations(current_language.get()).ugettext(message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return get_translations(current_language.get()).ungettext(singular, plural, n)


def _viewer_zone(tz: str | None) -> ZoneInfo:
    account = current_account.get()
    return zone_or_utc(tz or (account.timezone if account else None))


# Per language, the date style used when a template does not ask for one:
# English "Mar 5, 2026"; Arabic "5 آذار 2026" (the medium Arabic style is all digits).
_DEFAULT_DATE_STYLE = {"en": "medium", "ar": "long"}
_UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/GMT", "GMT", "Universal", "Zulu"})


def _date_style(fmt: str | None) -> str:
    return fmt or _DEFAULT_DATE_STYLE.get(current_language.get(), "medium")


@lru_cache(maxsize=4096)
def _format_day(value: date, style: str, language: str) -> str:
    return babel_format_date(value, format=style, locale=babel_locale(language))


def format_date(value: date | None, fmt: str | None = None) -> str:
    """A calendar date in the reader's language (month names, not only digits)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(_viewer_zone(None)).date() if value.tzinfo else value.date()
    return _format_day(value, _date_style(fmt), current_language.get())


def zone_name(zone: ZoneInfo) -> str:
    """The zone as readers know it ("Syria Time", "توقيت سوريا"; "UTC")."""
    if zone.key in _UTC_NAMES:
        return _gettext(N_("UTC"))
    return get_timezone_name(zone, width="short", locale=babel_locale(current_language.get()))


def format_time(value: datetime | None, tz: str | None = None) -> str:
    """Hour and minute in the viewer's zone (no zone name)."""
    if value is None:
        return ""
    zone = _viewer_zone(tz)
    local = value.astimezone(zone) if value.tzinfo else value
    return babel_format_time(local, format="short", locale=babel_locale(current_language.get()))


def format_datetime(value: datetime | None, tz: str | None = None, fmt: str | None = None) -> str:
    """A moment in the viewer's own zone (or ``tz``), with the zone named.

    Naive datetimes are taken as UTC (the database stores UTC).
    """
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo("UTC"))
    zone = _viewer_zone(tz)
    local = value.astimezone(zone)
    locale = babel_locale(current_language.get())
    day = _format_day(local.date(), _date_style(fmt), current_language.get())
    hour = babel_format_time(local, format="short", locale=locale)
    pattern = str(locale.datetime_formats["medium"])
    return f"{pattern.replace('{1}', day).replace('{0}', hour)} ({zone_name(zone)})"


def format_number(value: float | int | None, digits: int | None = None) -> str:
    """A number with the reader's separators; ``digits`` fixes the decimals."""
    if value is None:
        return ""
    fmt = None if digits is None else "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=fmt, locale=babel_locale(current_language.get()))


@lru_cache(maxsize=2048)
def _cached_label(value: str, kind: str, language: str) -> str:
    return _label(value, kind, language)


def label(value: object, kind: str) -> str:
    """Translated label of a stored enum value, e.g. ``label(need.status, "need_status")``."""
    key = getattr(value, "value", value)
    if isinstance(key, str):  # the labels of stored values are few: computed once each
        return _cached_label(key, kind, current_language.get())
    return _label(value, kind, current_language.get())


@lru_cache(maxsize=1024)
def _taxonomy_name(code: str, language: str) -> str:
    try:
        return load_taxonomy().name(code, language)  # type: ignore[arg-type]
    except KeyError:
        return code


def tax_name(code: str | None) -> str:
    """Name of a taxonomy code in the reader's language (the code itself if unknown)."""
    if not code:
        return ""
    return _taxonomy_name(code, "ar" if current_language.get() == "ar" else "en")


def bdi(value: object) -> Markup:
    """``value`` (escaped) isolated in ``<bdi>``: for names, zone ids, codes inside sentences.

    Works as a gettext parameter: ``_("In your zone: %(tz)s", tz=profile.timezone | bdi)``.
    """
    return Markup("<bdi>{}</bdi>").format("" if value is None else value)


@pass_context
def _label_filter(context: Context, value: object, kind: str) -> str:
    return label(value, kind)


@pass_context
def _tax_name_filter(context: Context, code: str | None) -> str:
    return tax_name(code)


def notice(item: dict[str, Any]) -> Markup:
    """An in-app notification in the reader's language, its parameters isolated in ``<bdi>``
    (names typed by users); the facility named in Arabic for an Arabic reader."""
    params = dict(item.get("params") or {})
    if current_language.get() == "ar":  # ``facility_ar``, ``district_ar`` ...: the Arabic name
        for key in [k for k in params if k.endswith("_ar") and params[k]]:
            params[key[:-3]] = params[key]
    text = Markup.escape(_gettext(str(item.get("message", ""))))
    return text % {key: bdi(value) for key, value in params.items()}


def tr(value: object) -> object:
    """A :class:`Message` in the reader's language, its plain parameters (names typed by
    users) isolated in ``<bdi>``; anything else as it is."""
    if not isinstance(value, Message):
        return value
    text = Markup.escape(get_translations(current_language.get()).ugettext(value.msgid))
    if not value.params:
        return text
    return text % {k: tr(v) if isinstance(v, Message) else bdi(v) for k, v in value.params.items()}


def audit_value(value: Shown | None) -> object:
    """A value of the audit trail: a label translated, a taxonomy code named, text isolated."""
    if value is None:
        return _gettext(NOTHING)
    if value.kind == "message":
        return _gettext(value.value)
    if value.kind == "taxonomy":
        return tax_name(value.value)
    if value.kind == "reason_note":
        head, _, note = value.value.partition(": ")
        return Markup("{}: {}").format(_gettext(head), bdi(note))
    return bdi(value.value)


def reason_text(reason: str | None) -> Markup:
    """A stored decision reason: a listed reason in the reader's language, what a person
    typed escaped and isolated in ``<bdi>`` (never through ``_()``, whose output the
    i18n extension marks safe)."""
    text = reason or ""
    listed = set(REJECT_REASONS.values()) | {SWAPPED_REASON}
    if text in listed:
        return Markup.escape(_gettext(text))
    head, sep, note = text.partition(": ")
    if sep and head in listed:
        return Markup("{}: {}").format(_gettext(head), bdi(note))
    return bdi(text)


def country_name(code: str | None) -> str:
    """A country code as its name in the reader's language."""
    return validation.country_name(code, current_language.get())


def use_request_language(connection: ASGIConnection) -> None:
    """Pick the language for a response the account middleware never saw.

    Litestar answers an unknown path (404) or method (405) before route
    middleware runs; the error page then takes the language from the cookie or
    Accept-Language, like the middleware would.
    """
    state = connection.scope.get("state") or {}
    if state.get("language") in SUPPORTED_LANGUAGES:
        return
    language = connection.cookies.get(LANGUAGE_COOKIE)
    if language not in SUPPORTED_LANGUAGES:
        language = negotiate_language(connection.headers.get("accept-language"))
    current_language.set(language)


def make_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        # from_environment uses this Environment as it is: autoescape must be on here.
        autoescape=select_autoescape(enabled_extensions=("html", "svg"), default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(_template_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    globals_: dict[str, Any] = {
        "current_language": current_language.get,
        "current_account": current_account.get,
        "text_direction": lambda: direction(current_language.get()),
        "format_date": format_date,
        "format_datetime": format_datetime,
        "format_number": format_number,
        "queue_notice": queue_notice,
        "flashes": flashes,
        "notice": notice,
        "viewer_zone_name": lambda: zone_name(_viewer_zone(None)),
        "country_name": country_name,
        "tr": tr,
        "audit_value": audit_value,
        "reason_text": reason_text,
        "action_name": action_name,
        "unfillable_reason": why_unfilled.reason_message,
        "unfillable_exclusions": why_unfilled.exclusions,
        "unfillable_team_role": why_unfilled.TEAM_ROLE,
        "format_time": format_time,
        "label": label,
        "tax_name": tax_name,
        "static_url": static_url,
    }
    env.globals.update(globals_)
    # Filters that read the request's language take the context: Jinja folds a
    # filter on constant arguments at compile time otherwise ({{ "rural" | label("area") }}
    # would keep the language of the first page rendered after start-up).
    env.filters["label"] = _label_filter
    env.filters["tax_name"] = _tax_name_filter
    env.filters["bdi"] = bdi
    return env
