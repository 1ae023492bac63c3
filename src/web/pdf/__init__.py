"""HTML to PDF with WeasyPrint: Pango and HarfBuzz shape Arabic and order it right to
left; the fonts are the repository's own (``fonts/``: Noto Sans and Noto Sans Arabic,
SIL Open Font License, from Debian's fonts-noto-core), so a PDF reads the same on
any machine, with or without system fonts."""

from __future__ import annotations

import asyncio
from pathlib import Path

from weasyprint import HTML

FONTS = Path(__file__).parent / "fonts"


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
#: The font stack a PDF template uses: Arabic glyphs from the Arabic face, the rest
#: (Latin letters, digits, punctuation) from Noto Sans.
FONT_FAMILY = '"Noto Sans Arabic", "Noto Sans", sans-serif'


def write_pdf(html: str) -> bytes:
    """The PDF of a standalone HTML document, with the fonts above declared."""
    page = html.replace("</head>", f"<style>{FONT_FACES}</style></head>", 1)
    return HTML(string=page).write_pdf()


async def html_to_pdf(html: str) -> bytes:
    """:func:`write_pdf` in a worker thread (CPU work, off the event loop)."""
    return await asyncio.to_thread(write_pdf, html)
