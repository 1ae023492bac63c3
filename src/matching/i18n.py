"""Gettext catalogs (English and Arabic) shared by pages, mail and notices.

Catalogs live as ``.po`` files in ``matching/locales``; they are compiled in
memory on first use, so there is no build step and no stale ``.mo`` file.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES_DIR = Path(__file__).parent / "locales"
SUPPORTED_LANGUAGES: tuple[str, ...] = ("en", "ar")
DEFAULT_LANGUAGE = "en"
RTL_LANGUAGES = frozenset({"ar"})


@cache
def get_translations(language: str) -> Translations:
    """The compiled catalog for ``language`` (English when unknown)."""
    if language not in SUPPORTED_LANGUAGES:
        language = DEFAULT_LANGUAGE
    po_path = LOCALES_DIR / language / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return Translations()
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def gettext(language: str, message: str, **params: object) -> str:
    text = get_translations(language).ugettext(message)
    return text % params if params else text


def direction(language: str) -> str:
    return "rtl" if language in RTL_LANGUAGES else "ltr"


def babel_locale(language: str) -> Locale:
    return Locale.parse(language if language in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE)


def negotiate_language(accept_language: str | None) -> str:
    """Pick a supported language from an Accept-Language header."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        piece = part.strip()
        if not piece:
            continue
        tag, _, params = piece.partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        weighted.append((-quality, position, tag.strip().lower().split("-")[0]))
    for _, _, language in sorted(weighted):
        if language in SUPPORTED_LANGUAGES:
            return language
    return DEFAULT_LANGUAGE


def N_(message: str) -> str:
    """Mark ``message`` for the catalogs; it is translated where it is shown."""
    return message
