"""Rendering mail (plain text and HTML) in the recipient's language."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from matching.i18n import direction, get_translations
from matching.plain_text import single_line

TEMPLATES_DIR = Path(__file__).parent / "templates"


@dataclass(frozen=True, slots=True)
class RenderedMail:
    subject: str
    body_text: str
    body_html: str


@cache
def _environment(language: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(get_translations(language), newstyle=True)  # type: ignore[attr-defined]
    return env


def render_mail(template: str, language: str, **context: Any) -> RenderedMail:
    """Render ``templates/<name>.subject.txt``, ``.txt`` and ``.html``.

    The subject is one line by construction: a need title with a line break
    (stored before the edge refused them) would make the mail library refuse
    the header.
    """
    env = _environment(language)
    context = {"language": language, "dir": direction(language), **context}
    subject = single_line(env.get_template(f"{template}.subject.txt").render(context))
    text = env.get_template(f"{template}.txt").render(context)
    html = env.get_template(f"{template}.html").render(context)
    return RenderedMail(subject=subject, body_text=text, body_html=html)
