"""Small helpers for HTML forms: read the body, re-render with errors."""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request
from litestar.response import Template

from matching.errors import DomainError, ValidationFailed


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
    if isinstance(exc, ValidationFailed):
        return exc.errors
    return {exc.field or "__all__": exc.message}


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
