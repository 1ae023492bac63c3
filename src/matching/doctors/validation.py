"""Checking a doctor's typed values: each problem is named by its field.

Every check returns the (normalised) value or adds ``{field: message}`` to ``errors``,
so all the problems of one command are reported at once. Values arrive typed
(``str``, ``int``, ``date``, ``time``): turning form text into them is the web
layer's job (``web/doctors/forms.py``).
"""

from __future__ import annotations

import re
from datetime import date, time
from functools import cache

from babel import Locale

from matching.availability import BIN_MINUTES, is_valid_timezone
from matching.doctors.tables import Level
from matching.i18n import N_, Message
from matching.ranking.weights import LANGUAGE_LEVELS as RANKING_LANGUAGE_LEVELS

# The ranking compares levels in this order (lowest first): one definition for both.
LANGUAGE_LEVELS = RANKING_LANGUAGE_LEVELS
LEVELS = tuple(level.value for level in Level)
MODES = ("mission", "mentorship", "training")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE_RE = re.compile(r"^\+?[0-9 ()./-]{6,40}$")


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
    errors: dict[str, str], field: str, value: str, *, max_length: int, required: bool = False
) -> str:
    result = value.strip()
    if "\x00" in result:  # PostgreSQL text cannot hold NUL
        errors[field] = N_("contains characters that are not allowed")
    elif required and not result:
        errors[field] = N_("is required")
    elif len(result) > max_length:
        errors[field] = Message("must be at most %(n)s characters", n=max_length)
    return result


def in_range(
    errors: dict[str, str], field: str, value: int, *, minimum: int, maximum: int
) -> int | None:
    if not minimum <= value <= maximum:
        errors[field] = Message("must be between %(low)s and %(high)s", low=minimum, high=maximum)
        return None
    return value


def country(errors: dict[str, str], field: str, value: str, *, required: bool = False) -> str:
    code = value.strip().upper()
    if not code:
        if required:
            errors[field] = N_("is required")
        return ""
    if code not in country_codes():
        errors[field] = N_("is not a known country")
    return code


def timezone(errors: dict[str, str], field: str, value: str) -> str:
    name = value.strip()
    if not is_valid_timezone(name):
        errors[field] = N_("is not a known time zone; choose one from the list")
    return name


def email(errors: dict[str, str], field: str, value: str) -> str:
    result = value.strip()
    if result and (not _EMAIL_RE.match(result) or len(result) > 254 or "\x00" in result):
        errors[field] = N_("is not a valid email address")
    return result


def phone(errors: dict[str, str], field: str, value: str) -> str:
    result = value.strip()
    if result and not _PHONE_RE.match(result):
        errors[field] = N_("is not a valid phone number (digits, spaces, + ( ) - only)")
    return result


def required_date(errors: dict[str, str], field: str, value: date | None) -> date | None:
    if value is None:
        errors.setdefault(field, N_("is required"))
    return value


def quarter_hour(errors: dict[str, str], field: str, value: time | None) -> time | None:
    """A time on the 15-minute grid the availability arithmetic works in."""
    if value is None:
        errors.setdefault(field, N_("is required"))
        return None
    if value.minute % BIN_MINUTES or value.second or value.microsecond:
        errors[field] = N_("must be on a quarter hour (:00, :15, :30, :45)")
        return None
    return value


def weekday(errors: dict[str, str], field: str, value: int | None) -> int | None:
    """Monday = 0 ... Sunday = 6."""
    if value is None or not 0 <= value <= 6:
        errors[field] = N_("choose a day of the week")
        return None
    return value
