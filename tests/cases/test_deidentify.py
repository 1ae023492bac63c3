"""The de-identification check: what it refuses (by kind) and what clinical text passes."""

from __future__ import annotations

import pytest

from matching.cases.deidentify import Kind, check_texts, identifier_in, normalise_digits

REFUSED = [
    # phones: national formats of SY, LB, TR, JO, DE, GB, and international ones
    ("call the mother on 0944 123 456", Kind.PHONE),
    ("tel 0955-123-456", Kind.PHONE),
    ("رقم الأهل ٠٩٤٤١٢٣٤٥٦", Kind.PHONE),
    ("رقم الأهل 0933 765 432 للتواصل", Kind.PHONE),
    ("+963 944 123 456", Kind.PHONE),
    ("+963944123456", Kind.PHONE),
    ("00963 944 123 456", Kind.PHONE),
    ("Lebanon 03 123 456", Kind.PHONE),
    ("+961 1 123 456", Kind.PHONE),
    ("+90 212 555 1234", Kind.PHONE),
    ("0532 123 45 67", Kind.PHONE),
    ("+962 6 555 1234", Kind.PHONE),
    ("079 555 1234", Kind.PHONE),
    ("+49 30 1234567", Kind.PHONE),
    ("0049 30 1234567", Kind.PHONE),
    ("030 1234567", Kind.PHONE),
    ("+44 20 7946 0958", Kind.PHONE),
    ("07700 900123", Kind.PHONE),
    ("+1 415 555 2671", Kind.PHONE),
    # e-mail addresses
    ("family: ahmad.s@example.org", Kind.EMAIL),
    ("بريد الأب huda_n+1@mail.sy", Kind.EMAIL),
    # full dates
    ("born 12/03/1990", Kind.DATE),
    ("DOB 3/7/1985", Kind.DATE),
    ("admitted 31.12.2025", Kind.DATE),
    ("born 12-03-90", Kind.DATE),
    ("1990-03-12", Kind.DATE),
    ("2025/11/02", Kind.DATE),
    ("born 12 March 1990", Kind.DATE),
    ("born 1st of March 1990", Kind.DATE),
    ("12-Mar-1990", Kind.DATE),
    ("March 12, 1990", Kind.DATE),
    ("Sept 3 2001", Kind.DATE),
    ("مواليد ١٢/٠٣/١٩٩٠", Kind.DATE),
    ("مواليد 12 آذار 1990", Kind.DATE),
    ("مواليد ١٢ آذار ١٩٩٠", Kind.DATE),
    ("مواليد 5 تشرين الأول 2001", Kind.DATE),
    ("تاريخ الولادة 3 مارس 2024", Kind.DATE),
    ("١٩٩٠-٠٣-١٢", Kind.DATE),
    # national-ID-like digit runs (8 or more digits, spaces or dashes inside)
    ("national number 01012345678", Kind.NATIONAL_ID),
    ("ID 010 1234 5678", Kind.NATIONAL_ID),
    ("الرقم الوطني ٠١٠١٢٣٤٥٦٧٨", Kind.NATIONAL_ID),
    ("MRN 123456789012", Kind.NATIONAL_ID),
]

# Eight digits are a valid phone number in some of the regions (Lebanon, Jordan):
# refused either way, under one kind or the other.
EITHER = ["MRN 12345678", "file 1234-5678"]

ALLOWED = [
    "45 years",
    "a 45-year-old man",
    "500 mg twice a day",
    "ampicillin 50 mg/kg every 12 h",
    "since 2019",
    "in March 2024 the cough began",
    "March 2024",
    "12 March",
    "BP 120/80, HR 110, RR 22, T 38.5",
    "Hb 10.5 g/dL, WBC 12,000, platelets 150,000",
    "G2P1, 38 weeks, 2.4 kg",
    "SpO2 88% in air",
    "GCS 14/15",
    "3 days of fever",
    "12/2019",
    "day 3 of 7",
    "CRP 45 mg/L on day 2",
    "دواء 500 ملغ مرتين يوميا",
    "عمره ٤٥ سنة",
    "منذ ٢٠١٩",
    "الضغط ١٢٠/٨٠",
    "1234567 units",  # seven digits: not an identifier
    "ECG: QTc 440 ms, PR 160 ms",
    "",
]


@pytest.mark.parametrize(("text", "kind"), REFUSED)
def test_refused(text: str, kind: str) -> None:
    assert identifier_in(text) == kind, text


@pytest.mark.parametrize("text", EITHER)
def test_eight_digit_runs_are_refused(text: str) -> None:
    assert identifier_in(text) in (Kind.PHONE, Kind.NATIONAL_ID), text


@pytest.mark.parametrize("text", ALLOWED)
def test_allowed(text: str) -> None:
    assert identifier_in(text) is None, text


def test_arabic_indic_digits_are_normalised_first() -> None:
    assert normalise_digits("٠١٢٣٤٥٦٧٨٩ ۰۱۲۳۴۵۶۷۸۹") == "0123456789 0123456789"


def test_each_field_is_named_with_its_kind() -> None:
    found = check_texts(
        {
            "history": "no issues",
            "findings": "mother's phone 0944 123 456",
            "question": "born 1/2/2020?",
        }
    )
    assert found == {"findings": Kind.PHONE, "question": Kind.DATE}
