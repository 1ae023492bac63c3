"""HTML to PDF with WeasyPrint, for every PDF the platform makes (certificates, the
outcomes report): Pango and HarfBuzz shape Arabic and order it right to left; the
fonts are the repository's own (``fonts/``: Noto Sans and Noto Sans Arabic, SIL Open
Font License, from Debian's fonts-noto-core), embedded, so a PDF reads the same on any
machine, with or without system fonts."""

from __future__ import annotations

import asyncio
import threading
from functools import cache
from pathlib import Path
from typing import Any

FONTS = Path(__file__).parent / "fonts"

#: The font stack a PDF template uses: Arabic glyphs from the Arabic face, the rest
#: (Latin letters, digits, punctuation) from Noto Sans.
FONT_FAMILY = '"Noto Sans Arabic", "Noto Sans", sans-serif'


def _face(family: str, weight: int, file: str) -> str:
    return (
        f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
        f'src: url("{(FONTS / file).as_uri()}"); }}'
    )


FONT_FACES = "\n".join(
    [
        _face("Noto Sans Arabic", 400, "NotoSansArabic-Regular.ttf"),
        _face("Noto Sans Arabic", 700, "NotoSansArabic-Bold.ttf"),
        _face("Noto Sans", 400, "NotoSans-Regular.ttf"),
        _face("Noto Sans", 700, "NotoSans-Bold.ttf"),
    ]
)

_RENDERING = threading.Lock()


@cache
def _fonts() -> tuple[Any, Any]:
    """The fonts' stylesheet and WeasyPrint's font configuration, loaded once (reading
    the font files again for every PDF took most of its time)."""
    from weasyprint import CSS  # imported on use: it loads Pango, a second or so
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    return CSS(string=FONT_FACES, font_config=font_config), font_config


def write_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """The PDF of a standalone HTML document with the fonts above (one at a time: the
    font configuration is shared; call it from a worker thread)."""
    from weasyprint import HTML

    with _RENDERING:
        stylesheet, font_config = _fonts()
        document = HTML(string=html, base_url=base_url)
        return document.write_pdf(stylesheets=[stylesheet], font_config=font_config)


async def html_to_pdf(html: str) -> bytes:
    """:func:`write_pdf` in a worker thread (CPU work, off the event loop)."""
    return await asyncio.to_thread(write_pdf, html)
