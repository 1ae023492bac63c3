"""The certificate PDF: both languages on one page, fonts from the repository embedded,
and the Arabic shaped (joined letters), checked on the rendered image.

The shaping check renders the certificate twice with pypdfium2: once with the Arabic
name as it is, once with a ZERO WIDTH NON-JOINER between its letters, which forces
every letter into its isolated form (what an unshaped renderer draws). Only the name's
band of the page differs between the two; in it, the joined name must be clearly
narrower than the isolated one (joined Arabic letters overlap and drop their
isolated tails). If shaping were off (no HarfBuzz, a font without Arabic drawing
boxes, letters laid out one by one), both renderings would be the same width and the
test fails.
"""

from __future__ import annotations

import ctypes
from datetime import UTC, date, datetime

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from matching.workshops.schemas import CertificateView
from web.workshops.certificate_pdf import certificate_html, certificate_pdf

ZWNJ = "\u200c"
NAME_AR = "سارة الخطيب"


def _certificate(name_ar: str = NAME_AR) -> CertificateView:
    return CertificateView(
        id=1,
        code="Q1w2E3r4T5y6U7i8O9p0A1s2D3f4G5h6",
        pairing_id=3,
        name_en="Sara Al-Khatib",
        name_ar=name_ar,
        title="Neonatal resuscitation",
        topic="",
        facility_en="Al-Rastan National Hospital",
        facility_ar="مشفى الرستن الوطني",
        trainer_name="Dr. Lina Haddad",
        first_day=date(2026, 3, 2),
        last_day=date(2026, 3, 3),
        days_present=2,
        issued_at=datetime(2026, 3, 3, tzinfo=UTC),
    )


def _gray(pdf: bytes) -> np.ndarray:
    document = pdfium.PdfDocument(pdf)
    assert len(document) == 1  # English and Arabic on one page
    image = document[0].render(scale=2).to_pil().convert("L")
    return np.asarray(image, dtype=np.int16)


def _embedded_fonts(pdf: bytes) -> set[str]:
    """Names of the fonts the page's text uses that are embedded in the file."""
    page = pdfium.PdfDocument(pdf)[0]
    names = set()
    for text in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT]):
        font = pdfium_c.FPDFTextObj_GetFont(text.raw)
        size = pdfium_c.FPDFFont_GetBaseFontName(font, None, 0)
        buffer = ctypes.create_string_buffer(size)
        pdfium_c.FPDFFont_GetBaseFontName(font, buffer, size)
        if pdfium_c.FPDFFont_GetIsEmbedded(font):
            names.add(buffer.value.decode().split("+")[-1])  # without the subset tag
    return names


def _ink_width(image: np.ndarray, rows: np.ndarray) -> int:
    """Width of the dark pixels in ``rows``, inside the certificate's frame."""
    margin = image.shape[1] // 10  # the frame's borders lie in the outer tenth
    columns = np.flatnonzero((image[rows, margin:-margin] < 128).any(axis=0))
    return int(columns[-1] - columns[0] + 1)


def test_one_page_with_both_languages_and_the_fonts_of_the_repository() -> None:
    pdf = certificate_pdf(_certificate(), "https://bridge.example.org/certificates/x")
    assert pdf.startswith(b"%PDF-")
    # Every text is in the repository's fonts (the @font-face families), embedded.
    assert _embedded_fonts(pdf) == {
        "Noto-Sans",
        "Noto-Sans-Bold",
        "Noto-Sans-Arabic",
        "Noto-Sans-Arabic-Bold",
    }
    text = pdfium.PdfDocument(pdf)[0].get_textpage().get_text_range()
    assert "Certificate of attendance" in text and "Sara Al-Khatib" in text
    assert "Q1w2E3r4T5y6U7i8O9p0A1s2D3f4G5h6" in text
    html = certificate_html(_certificate(), "https://x")
    assert 'lang="ar" dir="rtl"' in html and "شهادة" in html  # the Arabic half, translated
    # Two days in each language's own plural: "يومان" (the dual), not "2 يوم".
    assert "present on 2 days" in html and "الحضور: يومان" in html


def test_the_arabic_name_is_shaped() -> None:
    shaped = _gray(certificate_pdf(_certificate(), "https://x"))
    isolated = _gray(certificate_pdf(_certificate(ZWNJ.join(NAME_AR)), "https://x"))
    assert shaped.shape == isolated.shape
    differs = np.abs(shaped - isolated) > 64
    rows = np.flatnonzero(differs.any(axis=1))
    assert rows.size, "the joined and the isolated names render the same: no shaping"
    band = np.arange(rows[0], rows[-1] + 1)
    assert band.size < shaped.shape[0] / 8, "more than the name's line changed"
    joined_width, isolated_width = _ink_width(shaped, band), _ink_width(isolated, band)
    assert joined_width < 0.9 * isolated_width, (joined_width, isolated_width)
