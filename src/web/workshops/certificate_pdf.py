"""The certificate of attendance as a PDF: English and Arabic on one A4 landscape page.

WeasyPrint lays the text out with Pango, which shapes it with HarfBuzz: Arabic letters
join and the Arabic block runs right to left (``dir="rtl"``). The fonts come from the
repository, set up once for every PDF in :mod:`web.pdf` (Noto Sans Arabic and Noto Sans),
and are embedded, so the certificate looks the same on a machine without fonts.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, select_autoescape

from matching.i18n import N_, N_plural, babel_locale, ngettext
from matching.i18n import gettext as in_language
from matching.workshops.schemas import CertificateView
from web.pdf import write_pdf

WEB = Path(__file__).resolve().parents[1]
#: Every text of the certificate, shown in both languages.
TEXTS = {
    "title": N_("Certificate of attendance"),
    "certifies": N_("This certifies that"),
    "attended": N_("attended the workshop"),
    "at": N_("at"),
    "given_by": N_("given by"),
    "on": N_("on"),
    "verify": N_("Check this certificate at %(url)s"),
    "code": N_("Verification code"),
}
#: The days the attendee was present, with each language's plural forms.
DAYS_PRESENT = N_plural("present on %(num)d day", "present on %(num)d days")


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(WEB / "templates" / "certificates"),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def certificate_html(certificate: CertificateView, verify_url: str) -> str:
    """The certificate's HTML (what the PDF is made from)."""

    def dates(language: str) -> str:
        if certificate.first_day is None or certificate.last_day is None:
            return ""
        first = format_date(certificate.first_day, "long", locale=babel_locale(language))
        last = format_date(certificate.last_day, "long", locale=babel_locale(language))
        return first if first == last else f"{first} – {last}"

    return (
        _environment()
        .get_template("certificate.html")
        .render(
            c=certificate,
            verify_url=verify_url,
            en=lambda key, **params: in_language("en", TEXTS[key], **params),
            ar=lambda key, **params: in_language("ar", TEXTS[key], **params),
            dates_en=dates("en"),
            dates_ar=dates("ar"),
            days_en=ngettext("en", DAYS_PRESENT, certificate.days_present),
            days_ar=ngettext("ar", DAYS_PRESENT, certificate.days_present),
        )
    )


def certificate_pdf(certificate: CertificateView, verify_url: str) -> bytes:
    """The certificate as PDF bytes (call it from a worker thread: about half a second)."""
    return write_pdf(certificate_html(certificate, verify_url), base_url=str(WEB))
