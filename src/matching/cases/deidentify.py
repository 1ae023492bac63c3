"""Refuse text that identifies a patient by the means a library can find.

A case discussion is de-identified: the submitter writes an age band, never a name,
phone number, e-mail address, national number or full date. :func:`identifier_in`
finds the first identifier of these kinds in a text:

* ``phone``: a valid phone number (``phonenumbers.PhoneNumberMatcher``) read as a
  number of Syria, Lebanon, Turkey, Jordan, Germany or the United Kingdom, or in
  international format (``+`` or ``00`` and a country code);
* ``email``: an e-mail address;
* ``date``: a full date, day, month and year (``12/03/1990``, ``1990-03-12``,
  ``12 March 1990``, ``March 12, 1990``, ``12 آذار 1990``): a date of birth or of an
  admission identifies a patient; a year alone (``since 2019``) does not;
* ``national_id``: a run of 8 or more digits, spaces or dashes allowed inside
  (Syrian national numbers have 11 digits).

Arabic-Indic digits (``٠``-``٩``, and the Persian ``۰``-``۹``) are read as digits
first, so ``٠٩٤٤١٢٣٤٥٦`` is the phone number it is. Ages (``45 years``), doses
(``500 mg``), vital signs (``120/80``) and years alone pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import phonenumbers

from matching.i18n import N_

#: Regions whose national formats are tried (where mentees and mentors live).
PHONE_REGIONS = ("SY", "LB", "TR", "JO", "DE", "GB")
MIN_ID_DIGITS = 8

_DIGITS = str.maketrans(
    "٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹",
    "01234567890123456789",
)

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# 8 or more digits, a single space or dash allowed between two digits.
DIGIT_RUN = re.compile(r"(?<!\d)\d(?:[ \-]?\d){" + str(MIN_ID_DIGITS - 1) + r",}(?!\d)")

_EN_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3,
    "apr": 4, "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7,
    "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9, "oct": 10,
    "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}  # fmt: skip
_AR_MONTHS = {
    # Egyptian / Gulf names
    "يناير": 1, "فبراير": 2, "مارس": 3, "أبريل": 4, "ابريل": 4, "إبريل": 4,
    "مايو": 5, "يونيو": 6, "يونيه": 6, "يوليو": 7, "يوليه": 7, "أغسطس": 8,
    "اغسطس": 8, "سبتمبر": 9, "أكتوبر": 10, "اكتوبر": 10, "نوفمبر": 11, "ديسمبر": 12,
    # Levantine (Syrian) names
    "كانون الثاني": 1, "شباط": 2, "آذار": 3, "اذار": 3, "نيسان": 4, "أيار": 5,
    "ايار": 5, "حزيران": 6, "تموز": 7, "آب": 8, "اب": 8, "أيلول": 9, "ايلول": 9,
    "تشرين الأول": 10, "تشرين الاول": 10, "تشرين الثاني": 11, "كانون الأول": 12,
    "كانون الاول": 12,
}  # fmt: skip
_MONTH_NAMES = "|".join(
    re.escape(name) for name in sorted([*_EN_MONTHS, *_AR_MONTHS], key=len, reverse=True)
)
_YEAR = r"(?P<year>(?:19|20)\d{2})"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_MONTH = rf"(?P<month>{_MONTH_NAMES})\.?"
_WORD_DATES = (
    # 12 March 1990, 12-Mar-1990, 12 آذار 1990, ١٢ مارس ١٩٩٠
    re.compile(rf"(?<![\w]){_DAY}[\s\-/.,]*(?:of\s+)?{_MONTH}[\s\-/.,]*{_YEAR}(?!\d)", re.I),
    # March 12, 1990
    re.compile(rf"(?<![\w]){_MONTH}\s*{_DAY},?\s+{_YEAR}(?!\d)", re.I),
)
# dd/mm/yyyy, mm/dd/yyyy, dd.mm.yy ... (the same separator twice)
_NUMERIC_DMY = re.compile(r"(?<![\d/.\-])(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})(?![\d/.\-]*\d)")
# yyyy-mm-dd, yyyy/mm/dd
_NUMERIC_YMD = re.compile(r"(?<![\d/.\-])(\d{4})([/.\-])(\d{1,2})\2(\d{1,2})(?![\d/.\-]*\d)")


class Kind:
    """The kinds of identifier, as stored codes."""

    PHONE = "phone"
    EMAIL = "email"
    DATE = "date"
    NATIONAL_ID = "national_id"


#: What the form says next to a field holding each kind.
MESSAGES = {
    Kind.PHONE: N_("holds a phone number: remove it; a case must not identify the patient"),
    Kind.EMAIL: N_("holds an e-mail address: remove it; a case must not identify the patient"),
    Kind.DATE: N_(
        "holds a full date (day, month and year), such as a date of birth: remove it; "
        "give the age band, or the year alone"
    ),
    Kind.NATIONAL_ID: N_(
        "holds a long number (8 digits or more) like a national or file number: remove it; "
        "a case must not identify the patient"
    ),
}


@dataclass(frozen=True, slots=True)
class Found:
    kind: str
    text: str  # the identifier as it stands in the normalised text


def normalise_digits(text: str) -> str:
    """``text`` with Arabic-Indic and Persian digits written as ASCII digits."""
    return text.translate(_DIGITS)


def _real_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _two_digit_year(raw: str) -> int:
    value = int(raw)
    return value + (2000 if len(raw) == 2 and value < 50 else 1900 if len(raw) == 2 else 0)


def _dates(text: str) -> list[Found]:
    found: list[Found] = []
    for match in _NUMERIC_DMY.finditer(text):
        first, second, year = int(match[1]), int(match[3]), _two_digit_year(match[4])
        if _real_date(year, second, first) or _real_date(year, first, second):
            found.append(Found(Kind.DATE, match[0]))
    for match in _NUMERIC_YMD.finditer(text):
        if _real_date(int(match[1]), int(match[3]), int(match[4])):
            found.append(Found(Kind.DATE, match[0]))
    for pattern in _WORD_DATES:
        for match in pattern.finditer(text):
            name = match["month"].lower().rstrip(".")
            month = _EN_MONTHS.get(name) or _AR_MONTHS.get(match["month"])
            if month and _real_date(int(match["year"]), month, int(match["day"])):
                found.append(Found(Kind.DATE, match[0]))
    return found


def _phones(text: str) -> list[Found]:
    found: dict[tuple[int, int], Found] = {}
    for region in PHONE_REGIONS:
        for match in phonenumbers.PhoneNumberMatcher(
            text, region, leniency=phonenumbers.Leniency.VALID
        ):
            found.setdefault((match.start, match.end), Found(Kind.PHONE, match.raw_string))
    # "00 49 ..." is international too: read it as "+49 ...".
    for match in re.finditer(r"(?<!\d)00(?=[1-9])", text):
        rest = "+" + text[match.end() : match.end() + 24]
        for inner in phonenumbers.PhoneNumberMatcher(
            rest, None, leniency=phonenumbers.Leniency.VALID
        ):
            if inner.start == 0:
                found.setdefault((match.start(), match.end()), Found(Kind.PHONE, inner.raw_string))
    return list(found.values())


def identifiers_in(text: str) -> list[Found]:
    """Every identifier found in ``text``, by kind: e-mail, date, phone, long number."""
    plain = normalise_digits(text)
    emails = [Found(Kind.EMAIL, m[0]) for m in EMAIL.finditer(plain)]
    without_emails = EMAIL.sub(" ", plain)
    dates = _dates(without_emails)
    without_dates = without_emails
    for item in dates:
        without_dates = without_dates.replace(item.text, " ")
    phones = _phones(without_dates)
    without_phones = without_dates
    for item in phones:
        without_phones = without_phones.replace(item.text, " ")
    runs = [Found(Kind.NATIONAL_ID, m[0]) for m in DIGIT_RUN.finditer(without_phones)]
    return [*emails, *dates, *phones, *runs]


def identifier_in(text: str) -> str | None:
    """The kind of the first identifier found in ``text`` (see the module), or None."""
    found = identifiers_in(text)
    return found[0].kind if found else None


def check_texts(fields: dict[str, str]) -> dict[str, str]:
    """For each field holding an identifier, the kind found (field -> kind)."""
    out: dict[str, str] = {}
    for name, text in fields.items():
        kind = identifier_in(text)
        if kind is not None:
            out[name] = kind
    return out
