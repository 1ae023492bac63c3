"""Gettext catalogs (English and Arabic) shared by pages, mail and notices.

Catalogs live as ``.po`` files in ``matching/locales``; they are compiled in
memory on first use, so there is no build step and no stale ``.mo`` file.
``make messages`` extracts every message (``babel.cfg``) and updates both
catalogs; the English catalog leaves ``msgstr`` empty, which means "the
English message itself".

Python messages are found by :func:`extract_python`: calls of ``_``, ``N_``
and ``gettext`` and also the literal messages of domain errors
(``ValidationFailed({"email": "is required"})``, ``Conflict("...")``,
``errors["email"] = "..."``, ``errors={"__all__": "..."}``), because the web
layer shows those through ``_()`` in the templates.
"""

from __future__ import annotations

import ast
import io
from collections.abc import Collection, Iterator
from functools import cache
from pathlib import Path
from typing import IO, Any

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


class Message(str):
    """A message with parameters that stays translatable after formatting.

    ``Message("must be between %(low)s and %(high)s", low=1, high=50)`` reads as the
    English text wherever a plain string is expected (logs, JSON, tests) and keeps
    its msgid and parameters, so :func:`translate` and the templates' ``_()`` show it
    in the reader's language. ``make messages`` extracts the msgid.
    """

    msgid: str
    params: dict[str, object]

    def __new__(cls, msgid: str, **params: object) -> Message:
        text = msgid % params if params else msgid
        message = super().__new__(cls, text)
        message.msgid = msgid
        message.params = params
        return message

    def __reduce__(self) -> tuple[object, ...]:  # pickling keeps msgid and parameters
        return (_rebuild_message, (self.msgid, self.params))


def _rebuild_message(msgid: str, params: dict[str, object]) -> Message:
    return Message(msgid, **params)


def translate(language: str, message: str) -> str:
    """``message`` in ``language``; a :class:`Message` is translated, then formatted."""
    translations = get_translations(language)
    if isinstance(message, Message):
        text = translations.ugettext(message.msgid)
        if not message.params:
            return text
        # a parameter that is itself a Message (a state's label) is translated too
        params = {
            key: translate(language, value) if isinstance(value, Message) else value
            for key, value in message.params.items()
        }
        return text % params
    return translations.ugettext(str(message))


def gettext(language: str, message: str, **params: object) -> str:
    text = get_translations(language).ugettext(message)
    return text % params if params else text


def ngettext(language: str, forms: tuple[str, str], n: int, **params: object) -> str:
    """The form of ``forms`` (marked with :func:`N_plural`) for the count ``n`` in
    ``language`` (Arabic has six), formatted with ``num=n`` and ``params``."""
    text = get_translations(language).ungettext(forms[0], forms[1], n)
    return text % {"num": n, **params}


def direction(language: str) -> str:
    return "rtl" if language in RTL_LANGUAGES else "ltr"


# Formatting data per language: Syrian Arabic uses the Levantine month names
# (كانون الثاني، شباط، آذار ...), which is what facilities in Homs write.
_FORMAT_LOCALES = {"en": "en", "ar": "ar_SY"}


@cache
def babel_locale(language: str) -> Locale:
    """Babel locale used to format dates, times and numbers for ``language`` (parsed once)."""
    language = language if language in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE
    return Locale.parse(_FORMAT_LOCALES[language])


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


def N_plural(singular: str, plural: str) -> tuple[str, str]:
    """Mark a message with a plural for the catalogs (``%(num)d`` is the count); shown
    through :func:`ngettext`."""
    return singular, plural


# --------------------------------------------------------------- extraction
#: Exceptions whose first argument (or dict of field messages) is shown to users.
ERROR_CLASSES = frozenset(
    {
        *("DomainError", "ValidationFailed", "NotFound", "Forbidden", "Conflict", "RateLimited"),
        # Litestar's, whose detail the error page shows
        *("NotAuthorizedException", "PermissionDeniedException", "NotFoundException"),
    }
)
_MARKERS = ("_", "N_", "gettext", "Message")


def _call_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _literal(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.strip():
        return node.value
    return None


def _dict_messages(node: ast.expr) -> Iterator[ast.Constant]:
    if isinstance(node, ast.Dict):
        for value in node.values:
            if _literal(value) is not None:
                yield value  # type: ignore[misc]


def _messages_in(
    tree: ast.AST, keywords: Collection[str]
) -> Iterator[tuple[int, str, str | tuple[str, str]]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _call_name(node.func)
            first = node.args[0] if node.args else None
            if name == "N_plural" and len(node.args) == 2:
                singular, plural = _literal(node.args[0]), _literal(node.args[1])
                if singular is not None and plural is not None:
                    yield node.lineno, "ngettext", (singular, plural)
            elif name in keywords and (text := _literal(first)) is not None:
                yield node.lineno, name, text
            elif name in ERROR_CLASSES and first is not None:
                if (text := _literal(first)) is not None:
                    yield node.lineno, name, text
                for value in _dict_messages(first):
                    yield value.lineno, name, value.value
            for keyword in node.keywords:
                if keyword.arg == "errors" and keyword.value is not None:
                    for value in _dict_messages(keyword.value):
                        yield value.lineno, "errors", value.value
        elif isinstance(node, ast.Assign) and (text := _literal(node.value)) is not None:
            for target in node.targets:
                if (
                    isinstance(target, ast.Subscript)
                    and isinstance(target.value, ast.Name)
                    and target.value.id.endswith("errors")
                ):
                    yield node.lineno, "errors", text


def extract_python(
    fileobj: IO[bytes], keywords: Collection[str], comment_tags: Collection[str], options: Any
) -> Iterator[tuple[int, str, str | tuple[str, str], list[str]]]:
    """Babel extractor for our Python: marked messages (plurals as ``ngettext``) and
    domain-error messages."""
    source = fileobj.read().decode(options.get("encoding", "utf-8") if options else "utf-8")
    try:
        tree = ast.parse(source)
    except SyntaxError:  # a file being edited: extraction must not stop for it
        return
    marked = set(keywords) | set(_MARKERS)
    seen: set[tuple[int, str | tuple[str, str]]] = set()
    for lineno, name, text in sorted(_messages_in(tree, marked)):
        if (lineno, text) not in seen:
            seen.add((lineno, text))
            # Babel looks the function name up in its keywords: report extra finds as N_.
            yield lineno, name if name in keywords else "N_", text, []
