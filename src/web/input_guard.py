"""The one place where every request's text is checked before a handler sees it.

Registered as the app's ``before_request`` hook, so it runs for every route
after routing (path parameters known), inside the middleware that sets the
account and language (the refusal page is in the reader's language):

* **Control characters** (``matching.plain_text``): NUL and the other C0
  characters are refused in path parameters, query strings, form fields
  (urlencoded and the text parts and file names of multipart forms) and JSON
  bodies, ``"\\u0000"`` escapes included; tab, CR and LF only where the field
  is multi-line. The answer is a 422 naming the field (a JSON error under
  ``/api``, a page elsewhere), never a database error.
* **JSON bodies are decoded strictly** against the handler's declared type:
  Litestar converts leniently (``0`` for ``false``, ``"1"`` for ``1``); what
  the OpenAPI document says is a boolean must be one.

Forms and bodies read here are cached by Litestar, so handlers read them
again at no cost.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType

from matching.errors import ValidationFailed
from matching.i18n import N_, gettext
from matching.plain_text import has_refused_control, is_multiline
from web.allow import options_answer

CONTROL_MESSAGE = N_(
    "contains a control character (such as a NUL byte, or a line break where one is not allowed)"
)
PAGE_MESSAGE = N_(
    "The field “%(field)s” contains a control character (such as a NUL byte, or a line "
    "break where one is not allowed). Please remove it and send again."
)
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_FORMS = frozenset({RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART})
_MSGSPEC_PATH = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_MSGSPEC_FIELD = re.compile(r"field `([^`]+)`")


class ControlCharacterRefused(ValidationFailed):
    """A field holds a control character its kind of text refuses."""

    def __init__(self, field: str) -> None:
        super().__init__({field: CONTROL_MESSAGE})
        self.message = PAGE_MESSAGE % {"field": field}  # English: logs, the command line

    def translated(self, language: str) -> str:
        """The whole sentence naming the field, for the page and the API's ``detail``."""
        return gettext(language, PAGE_MESSAGE, field=self.field)


def _printable(name: str) -> str:
    """A field name fit to show (its own control characters escaped)."""
    return name.encode("unicode_escape").decode("ascii") if has_refused_control(name) else name


def _check(field: str, value: object, *, last_key: str | None = None) -> None:
    if isinstance(value, str) and has_refused_control(
        value, multiline=is_multiline(last_key or field)
    ):
        raise ControlCharacterRefused(_printable(field))


def _json_texts(value: Any, path: str = "", key: str = "") -> Iterator[tuple[str, str, str]]:
    """Every string (values and keys) of a decoded JSON document: (path, last key, text)."""
    if isinstance(value, str):
        yield path or "body", key, value
    elif isinstance(value, dict):
        for name, item in value.items():
            child = f"{path}.{name}" if path else str(name)
            yield child, "", str(name)  # a key is a single-line text
            yield from _json_texts(item, child, str(name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_texts(item, f"{path}[{index}]", key)


async def _check_form(request: Request) -> None:
    form = await request.form()
    for name, value in form.multi_items():
        _check(name, name)
        if isinstance(value, UploadFile):
            _check(name, value.filename or "")
        else:
            _check(name, value)


def _data_type(request: Request) -> Any:
    field = request.route_handler.parsed_fn_signature.parameters.get("data")
    return None if field is None else field.annotation


def _strict(document: Any, data_type: Any) -> Any:
    """``document`` converted strictly to ``data_type``, as plain data holding only
    what the handler reads (unknown fields of a struct are ignored, as Litestar does)."""
    try:
        return msgspec.to_builtins(msgspec.convert(document, type=data_type, strict=True))
    except msgspec.ValidationError as exc:
        text = str(exc)
        match = _MSGSPEC_PATH.search(text)
        path = match["path"].lstrip(".") if match else ""
        named = _MSGSPEC_FIELD.search(text)  # "Object missing required field `password`"
        if named:
            path = f"{path}.{named[1]}" if path else named[1]
        field = _printable(path or "body")
        message = _printable(_MSGSPEC_PATH.sub("", text))
        raise ValidationFailed({field: message}) from None
    except (TypeError, msgspec.MsgspecError):
        return document  # a type msgspec cannot check strictly: Litestar decides alone


async def _check_json(request: Request) -> None:
    data_type = _data_type(request)
    if data_type is None:
        return
    body = await request.body()
    if not body.strip():
        return
    try:
        document = msgspec.json.decode(body)
    except msgspec.DecodeError:
        return  # not JSON: Litestar answers 400
    for path, key, text in _json_texts(_strict(document, data_type)):
        _check(path, text, last_key=key or path)


async def check_input(request: Request) -> Response[None] | None:
    """``before_request`` hook: refuse control characters; decode JSON bodies strictly;
    answer ``OPTIONS`` with the path's real methods (``web.allow``)."""
    for name, value in request.path_params.items():
        _check(name, value)
    for name, value in request.query_params.multi_items():
        _check(name, name)
        _check(name, value)
    if request.method == "OPTIONS":
        return options_answer(request)
    if request.method not in _BODY_METHODS:
        return None
    if request.content_type[0] in _FORMS:
        await _check_form(request)
    else:
        await _check_json(request)
    return None
