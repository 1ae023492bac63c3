"""Small helpers for HTML forms: read the body, re-render with errors."""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request
from litestar.response import Template

from matching.errors import DomainError, ValidationFailed
from web.context import current_language


async def form_data(request: Request) -> dict[str, Any]:
    """The submitted form as a dict; repeated keys become lists."""
    form = await request.form()
    data: dict[str, Any] = {}
    for key in form:
        values = form.getall(key)
        data[key] = values if len(values) > 1 else values[0]
    data.pop("_csrf_token", None)
    return data


def form_errors(exc: DomainError) -> dict[str, str]:
    """The refusal by field, in the reader's language (placeholders filled after
    translation, so the catalogs hold ``%(id)s``, never a number)."""
    language = current_language.get()
    if isinstance(exc, ValidationFailed):
        return exc.translated_errors(language)
    return {exc.field or "__all__": exc.translated(language)}


def render_form(
    template: str, *, values: dict[str, Any], errors: dict[str, str], **context: Any
) -> Template:
    """Re-render a form with what the user typed and the problems next to the fields."""
    return Template(
        template_name=template,
        context={"values": values, "errors": errors, **context},
        status_code=422 if errors else 200,
        media_type=MediaType.HTML,
    )
