"""Parsing and checking what a doctor types: each problem is named by its field.

Every function returns the parsed value or adds ``{field: message}`` to ``errors``
and returns ``None``, so a form can report all its problems at once.
"""

from __future__ import annotations

import re
from datetime import date, time
from functools import cache

from babel import Locale

from matching.availability import BIN_MINUTES, is_valid_timezone
from matching.doctors.tables import Level
from matching.i18n import N_, Message

LANGUAGE_LEVELS = ("basic", "working", "fluent", "native")
LEVELS = tuple(level.value for level in Level)
MODES = ("mission", "mentorship", "training")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE_RE = re.compile(r"^\+?[0-9 ()./-]{6,40}$")
_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})$")


#: Two-letter CLDR territories that are not countries: groupings (EU, UN, Eurozone),
#: test locales (Pseudo-Accents, Pseudo-Bidi), "Unknown Region" and CLDR's
#: exceptionally reserved codes for islands listed under their country.
NOT_COUNTRIES = frozenset(
    {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ", "AC", "CP", "CQ", "DG", "EA", "IC", "TA"}
)


@cache
def country_codes() -> frozenset[str]:
    """Countries (ISO 3166 alpha-2) from Babel's territories, without the non-countries."""
    return frozenset(
        c
        for c in Locale("en").territories
        if len(c) == 2 and c.isalpha() and c not in NOT_COUNTRIES
    )


def country_name(code: str | None, language: str) -> str:
    """A country's name in ``language`` ("Germany", "ألمانيا"); the code when unknown."""
    if not code:
        return ""
    names = Locale.parse("ar" if language == "ar" else "en").territories
    return names.get(code.upper(), code)


def country_choices(language: str) -> list[tuple[str, str]]:
    """(code, name in ``language``) sorted by name, for a select list."""
    names = Locale.parse("ar" if language == "ar" else "en").territories
    return sorted(((c, names.get(c, c)) for c in country_codes()), key=lambda item: item[1])


def text(
    errors: dict[str, str], field: str, value: object, *, max_length: int, required: bool = False
) -> str:
    result = str(value or "").strip()
    if "\x00" in result:  # PostgreSQL text cannot hold NUL
        errors[field] = N_("contains characters that are not allowed")
    elif required and not result:
        errors[field] = N_("is required")
    elif len(result) > max_length:
        errors[field] = Message("must be at most %(n)s characters", n=max_length)
    return result


def integer(
    errors: dict[str, str], field: str, value: object, *, minimum: int, maximum: int
) -> int | None:
    raw = str(value if value is not None else "").strip()
    if raw == "":
        return 0
    try:
        number = int(raw)
    except ValueError:
        errors[field] = N_("must be a whole number")
        return None
    if not minimum <= number <= maximum:
        errors[field] = Message("must be between %(low)s and %(high)s", low=minimum, high=maximum)
        return None
    return number


def boolean(value: object) -> bool:
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in ("1", "true", "on", "yes")


def country(errors: dict[str, str], field: str, value: object, *, required: bool = False) -> str:
    code = str(value or "").strip().upper()
    if not code:
        if required:
            errors[field] = N_("is required")
        return ""
    if code not in country_codes():
        errors[field] = N_("is not a known country")
    return code


def timezone(errors: dict[str, str], field: str, value: object) -> str:
    name = str(value or "").strip()
    if not is_valid_timezone(name):
        errors[field] = N_("is not a known time zone; choose one from the list")
    return name


def email(errors: dict[str, str], field: str, value: object) -> str:
    result = str(value or "").strip()
    if result and (not _EMAIL_RE.match(result) or len(result) > 254 or "\x00" in result):
        errors[field] = N_("is not a valid email address")
    return result


def phone(errors: dict[str, str], field: str, value: object) -> str:
    result = str(value or "").strip()
    if result and not _PHONE_RE.match(result):
        errors[field] = N_("is not a valid phone number (digits, spaces, + ( ) - only)")
    return result


def a_date(errors: dict[str, str], field: str, value: object) -> date | None:
    if isinstance(value, date):
        return value
    raw = str(value or "").strip()
    if not raw:
        errors[field] = N_("is required")
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[field] = N_("is not a date (YYYY-MM-DD)")
        return None


def a_time(errors: dict[str, str], field: str, value: object) -> time | None:
    if isinstance(value, time):
        return value
    raw = str(value or "").strip()
    match = _TIME_RE.match(raw)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        errors[field] = N_("is not a time (HH:MM)") if raw else N_("is required")
        return None
    result = time(int(match[1]), int(match[2]))
    if result.minute % BIN_MINUTES:
        errors[field] = N_("must be on a quarter hour (:00, :15, :30, :45)")
        return None
    return result


def weekday(errors: dict[str, str], field: str, value: object) -> int | None:
    try:
        day = int(str(value).strip())
    except (TypeError, ValueError):
        errors[field] = N_("choose a day of the week")
        return None
    if not 0 <= day <= 6:
        errors[field] = N_("choose a day of the week")
        return None
    return day


def choice(
    errors: dict[str, str], field: str, value: object, allowed: tuple[str, ...] | frozenset[str]
) -> str:
    result = str(value or "").strip()
    if result not in allowed:
        errors[field] = Message("must be one of: %(choices)s", choices=", ".join(sorted(allowed)))
    return result
