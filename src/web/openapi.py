"""The OpenAPI document states what the validation accepts (issue 13, item 11).

Litestar documents a parameter or a field by its Python type; the rules the
services check on top (a sort among four, a kind among three, no control
characters) were missing, so ``sort=00`` was documented as valid and refused.
:func:`tighten` adds them to the generated document, once, in one place:

* every free text (a string with no enum, format or pattern) gets the pattern
  of ``matching.plain_text``: no C0 control character, tab and line breaks
  only in multi-line fields (``web.input_guard`` refuses the rest); so do
  the keys of every mapping (``propertyNames``);
* query parameters checked against a list get that list as ``enum``
  (an empty value means "no filter" where the service reads it so).

Called by the app factory; the fuzz tests (in-process and over HTTP) hold the
document to the answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from litestar import Litestar
from litestar.openapi.spec import OpenAPI, Operation, Reference, Schema
from litestar.openapi.spec.enums import OpenAPIType

from matching.facilities.need_queries import SORTS
from matching.facilities.tables import District, NeedKind, NeedStatus, Urgency
from matching.plain_text import MULTILINE_PATTERN, SINGLE_LINE_PATTERN, is_multiline
from matching.taxonomy import load_taxonomy

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _choices(values: Iterable[object], *, empty: bool = True) -> list[str]:
    return ([""] if empty else []) + [str(v) for v in values]


def query_enums() -> dict[str, dict[str, list[str]]]:
    """Path -> query parameter -> the values the service accepts."""
    need_filters = {
        "district": _choices(d.value for d in District),
        "area": ["", "urban", "rural"],
        "kind": _choices(k.value for k in NeedKind),
        "specialty": _choices(sorted(load_taxonomy().specialties)),
        "urgency": _choices(u.value for u in Urgency),
        "status": _choices([*(s.value for s in NeedStatus), "all"]),
        "sort": list(SORTS),
    }
    return {
        "/api/needs": need_filters,
        "/api/taxonomy/search": {"kind": ["specialty", "skill"]},
    }


def _is_free_text(schema: Schema) -> bool:
    types = schema.type if isinstance(schema.type, list | tuple) else [schema.type]
    return (
        OpenAPIType.STRING in types
        and schema.enum is None
        and schema.const is None
        and schema.format is None
        and schema.pattern is None
    )


def _children(schema: Schema) -> Iterator[tuple[str | None, Schema | Reference]]:
    for name, child in (schema.properties or {}).items():
        yield name, child
    for group in (schema.one_of, schema.any_of, schema.all_of):
        for child in group or ():
            yield None, child
    if schema.items is not None:
        yield None, schema.items
    if isinstance(schema.additional_properties, Schema):
        yield None, schema.additional_properties


def _add_text_patterns(schema: Schema | Reference | None, field: str) -> None:
    """Give every free text under ``schema`` (named ``field``) its control-character rule."""
    if not isinstance(schema, Schema):
        return
    if _is_free_text(schema):
        schema.pattern = MULTILINE_PATTERN if is_multiline(field) else SINGLE_LINE_PATTERN
    if isinstance(schema.additional_properties, Schema) and schema.property_names is None:
        # A mapping's keys are single-line texts too (web.input_guard checks them);
        # a struct's unknown fields are ignored, whatever their names.
        schema.property_names = Schema(type=OpenAPIType.STRING, pattern=SINGLE_LINE_PATTERN)
    for name, child in _children(schema):
        _add_text_patterns(child, name or field)


def _operations(document: OpenAPI) -> Iterator[tuple[str, Operation]]:
    for path, item in (document.paths or {}).items():
        for method in _METHODS:
            if (operation := getattr(item, method, None)) is not None:
                yield path, operation


def _set_enum(schema: Schema | Reference | None, values: list[str]) -> None:
    if not isinstance(schema, Schema):
        return
    if schema.one_of:  # Optional[str]: the string branch
        for branch in schema.one_of:
            _set_enum(branch, values)
        return
    if _is_free_text(schema) or schema.enum is not None:
        schema.enum = values
        schema.pattern = None


def tighten(document: OpenAPI) -> OpenAPI:
    """Add the enums and control-character patterns to ``document`` (in place)."""
    enums = query_enums()
    for path, operation in _operations(document):
        for parameter in operation.parameters or ():
            if isinstance(parameter, Reference):
                continue
            values = enums.get(path.rstrip("/") or "/", {}).get(parameter.name)
            if values is not None and parameter.param_in == "query":
                _set_enum(parameter.schema, values)
            _add_text_patterns(parameter.schema, parameter.name)
    components = document.components
    for schema in (components.schemas or {}).values() if components else ():
        _add_text_patterns(schema, "")
    return document


def tighten_app_document(app: Litestar) -> None:
    """Tighten the document ``app`` serves at ``/schema`` (built once, then cached)."""
    from litestar._openapi.plugin import OpenAPIPlugin

    plugin: Any = app.plugins.get(OpenAPIPlugin)
    tighten(plugin.provide_openapi())
