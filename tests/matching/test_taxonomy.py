"""Taxonomy data integrity, loader validation, specialty fit and bilingual search."""

from __future__ import annotations

import copy
import json
import re
from importlib import resources
from typing import Any

import numpy as np
import pytest

from matching.taxonomy import (
    FIT_EXACT,
    FIT_NONE,
    FIT_RELATED,
    FIT_SIBLING,
    Taxonomy,
    load_taxonomy,
    normalise,
)

ARABIC_LETTER = re.compile(r"[\u0621-\u064A]")
LATIN_LETTER = re.compile(r"[A-Za-z]")


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    text = resources.files("matching.taxonomy").joinpath("taxonomy.json").read_text("utf-8")
    return json.loads(text)


@pytest.fixture(scope="module")
def tax() -> Taxonomy:
    return load_taxonomy()


# ---------------------------------------------------------------------- data integrity
def test_sizes_and_cache(tax: Taxonomy) -> None:
    assert 38 <= len(tax.specialties) <= 55
    assert 75 <= len(tax.skills) <= 100
    assert {"ar", "en", "fr", "de", "tr", "sv", "ru", "ku"} <= set(tax.languages)
    assert set(tax.modes) == {"mission", "mentorship", "training"}
    assert load_taxonomy() is tax


def test_codes_unique_across_all_kinds(raw: dict[str, Any]) -> None:
    codes = [
        e["code"] for kind in ("specialties", "skills", "languages", "modes") for e in raw[kind]
    ]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", c) for c in codes)


def test_every_entry_has_real_arabic_and_english(raw: dict[str, Any]) -> None:
    for kind in ("specialties", "skills", "languages", "modes"):
        for entry in raw[kind]:
            assert entry["en"].strip() and LATIN_LETTER.search(entry["en"]), entry["code"]
            assert ARABIC_LETTER.search(entry["ar"]), entry["code"]
            assert not LATIN_LETTER.search(entry["ar"]), f"transliteration in {entry['code']}"


def test_every_reference_resolves(tax: Taxonomy) -> None:
    for s in tax.specialties.values():
        assert s.parent is None or s.parent in tax.specialties
        assert set(s.related) <= set(tax.specialties)
        assert s.code not in s.related
    for k in tax.skills.values():
        assert k.specialties, k.code
        assert set(k.specialties) <= set(tax.specialties)


def test_related_is_symmetric(tax: Taxonomy) -> None:
    for s in tax.specialties.values():
        for r in s.related:
            assert s.code in tax.specialties[r].related, (s.code, r)


def test_expected_hierarchy(tax: Taxonomy) -> None:
    assert tax.specialties["neonatology"].parent == "pediatrics"
    assert tax.specialties["maternal_fetal_medicine"].parent == "obstetrics_gynaecology"
    assert tax.specialties["child_psychiatry"].parent == "psychiatry"
    for code in ("hemodialysis", "mhgap", "trauma_informed_care", "c_section", "cbt"):
        assert code in tax.skills


def test_names_and_skill_text(tax: Taxonomy) -> None:
    assert tax.name("pediatrics", "ar") == "طب الأطفال"
    assert tax.name("neonatal_resuscitation", "en") == "Neonatal Resuscitation"
    assert tax.name("ar", "ar") == "العربية"
    assert tax.name("mentorship", "en") == "Remote mentorship"
    with pytest.raises(KeyError, match="nope"):
        tax.name("nope", "en")
    with pytest.raises(ValueError, match="lang"):
        tax.name("pediatrics", "fr")  # type: ignore[arg-type]
    text = tax.skill_text("hemodialysis")
    assert "Haemodialysis" in text and "التحال الدموي" in text and "غسيل الكلى" in text


# ---------------------------------------------------------------------- validation
def _minimal() -> dict[str, Any]:
    return {
        "specialties": [
            {"code": "pediatrics", "en": "Paediatrics", "ar": "طب الأطفال", "aliases": []},
            {
                "code": "neonatology",
                "en": "Neonatology",
                "ar": "طب حديثي الولادة",
                "aliases": [],
                "parent": "pediatrics",
                "related": [],
            },
        ],
        "skills": [
            {
                "code": "neonatal_resuscitation",
                "en": "Neonatal Resuscitation",
                "ar": "إنعاش حديثي الولادة",
                "aliases": [],
                "specialties": ["neonatology"],
            }
        ],
        "languages": [{"code": "ar", "en": "Arabic", "ar": "العربية"}],
        "modes": [
            {"code": "mission", "en": "Mission", "ar": "مهمة"},
            {"code": "mentorship", "en": "Mentorship", "ar": "إرشاد"},
            {"code": "training", "en": "Training", "ar": "تدريب"},
        ],
    }


def test_from_dict_accepts_minimal() -> None:
    t = Taxonomy.from_dict(_minimal())
    assert t.specialty_codes == ("neonatology", "pediatrics")
    assert t.specialty_fit("neonatology", "pediatrics") == FIT_RELATED


@pytest.mark.parametrize(
    ("breakage", "bad_code"),
    [
        (lambda d: d["specialties"][1].update(parent="paediatrix"), "paediatrix"),
        (lambda d: d["specialties"][0].update(related=["cardiologyy"]), "cardiologyy"),
        (lambda d: d["skills"][0].update(specialties=["neonatolgy"]), "neonatolgy"),
        (lambda d: d["specialties"][0].update(related=["neonatology"]), "neonatology"),  # one-way
        (lambda d: d["skills"].append(dict(d["skills"][0])), "neonatal_resuscitation"),  # dup
        (lambda d: d["specialties"][0].update(ar="Tibb al-atfal"), "pediatrics"),
        (lambda d: d["specialties"][0].update(code="Pediatrics"), "Pediatrics"),
        (lambda d: d["specialties"][0].update(parent="neonatology"), "neonatology"),  # cycle
        (lambda d: d["specialties"][0].update(acceptable={"practice": ["neonatolgy"]}),
         "neonatolgy"),
        (lambda d: d["specialties"][0].update(acceptable={"practice": ["pediatrics"]}),
         "pediatrics"),  # itself
        (lambda d: d["specialties"][0].update(acceptable={"surgery": []}), "pediatrics"),
    ],
)  # fmt: skip
def test_from_dict_rejects_bad_data(breakage: Any, bad_code: str) -> None:
    data = copy.deepcopy(_minimal())
    breakage(data)
    with pytest.raises(ValueError, match=re.escape(bad_code)):
        Taxonomy.from_dict(data)


def test_from_dict_requires_all_modes() -> None:
    data = _minimal()
    data["modes"] = data["modes"][:2]
    with pytest.raises(ValueError, match="training"):
        Taxonomy.from_dict(data)


# ---------------------------------------------------------------------- specialty fit
def test_fit_constants() -> None:
    assert (FIT_EXACT, FIT_RELATED, FIT_SIBLING, FIT_NONE) == (1.0, 0.6, 0.3, 0.0)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("neonatology", "pediatrics", 0.6),  # child -> parent
        ("pediatrics", "neonatology", 0.6),
        ("emergency_medicine", "critical_care", 0.6),  # related link
        ("critical_care", "emergency_medicine", 0.6),
        ("neonatology", "obstetrics_gynaecology", 0.6),
        ("child_psychiatry", "psychiatry", 0.6),
        ("cardiology", "nephrology", 0.3),  # siblings under internal_medicine
        ("neonatology", "pediatric_critical_care", 0.3),  # siblings under pediatrics
        ("hematology", "oncology", 0.6),  # siblings and related: related wins
        ("pediatrics", "pediatrics", 1.0),
        ("ophthalmology", "urology", 0.0),
        ("dermatology", "neonatology", 0.0),
    ],
)
def test_specialty_fit(tax: Taxonomy, a: str, b: str, expected: float) -> None:
    assert tax.specialty_fit(a, b) == expected
    m = tax.specialty_fit_matrix()
    assert m[tax.specialty_index[a], tax.specialty_index[b]] == np.float32(expected)


def test_fit_matrix_shape_and_symmetry(tax: Taxonomy) -> None:
    m = tax.specialty_fit_matrix()
    n = len(tax.specialty_codes)
    assert m.shape == (n, n) and m.dtype == np.float32
    assert np.array_equal(m, m.T)
    assert np.all(np.diag(m) == 1.0)
    assert set(np.unique(m).tolist()) <= {np.float32(v) for v in (0.0, 0.3, 0.6, 1.0)}
    assert list(tax.specialty_codes) == sorted(tax.specialties)
    assert all(tax.specialty_codes[i] == c for c, i in tax.specialty_index.items())
    with pytest.raises(ValueError):
        m[0, 0] = 0.5  # shared and read-only
    with pytest.raises(KeyError, match="nope"):
        tax.specialty_fit("nope", "pediatrics")


# ---------------------------------------------------------------------- search
def _codes(results: list[Any]) -> list[str]:
    return [r.code for r in results]


def test_normalise() -> None:
    assert normalise("الأَطْفَالُ") == "الاطفال"
    assert normalise("إسعاف") == normalise("اسعاف") == normalise("آسعاف")
    assert normalise("مستشفى") == "مستشفي"
    assert normalise("العناية المشددة") == "العنايه المشدده"
    assert normalise("طـــب") == "طب"
    assert normalise("OB/GYN") == "ob gyn"
    assert normalise("Café") == "cafe"


def test_search_english_prefix(tax: Taxonomy) -> None:
    assert _codes(tax.search("neo", "specialty"))[0] == "neonatology"
    assert _codes(tax.search("NEO", "specialty"))[0] == "neonatology"
    assert _codes(tax.search("emergency med", "specialty"))[0] == "emergency_medicine"
    assert _codes(tax.search("dialysis", "skill"))[0] == "hemodialysis"


def test_search_by_alias(tax: Taxonomy) -> None:
    assert _codes(tax.search("OB/GYN", "specialty")) == ["obstetrics_gynaecology"]
    assert _codes(tax.search("obgyn", "specialty")) == ["obstetrics_gynaecology"]
    assert _codes(tax.search("نسائية", "specialty")) == ["obstetrics_gynaecology"]
    assert _codes(tax.search("ICU", "specialty"))[0] == "critical_care"
    assert _codes(tax.search("ENT", "specialty"))[0] == "ent"  # exact alias before substrings
    assert _codes(tax.search("CMAM", "skill"))[0] == "malnutrition_management"
    assert _codes(tax.search("mhgap", "skill"))[0] == "mhgap"


def test_search_arabic_diacritics_and_hamza(tax: Taxonomy) -> None:
    plain = _codes(tax.search("اطفال", "specialty"))
    assert plain[0] == "pediatrics"
    assert "neonatology" not in plain[:1]
    assert _codes(tax.search("أطفال", "specialty")) == plain  # hamza on alef
    assert _codes(tax.search("الأَطْفَال", "specialty"))[0] == "pediatrics"  # tashkeel + article
    assert _codes(tax.search("طب الاطفال", "specialty"))[0] == "pediatrics"
    assert "pediatric_critical_care" in _codes(tax.search("الأطفال", "specialty"))  # للأطفال
    assert _codes(tax.search("العنايه المشدده", "specialty"))[0] == "critical_care"  # ة as ه
    assert _codes(tax.search("حديثى الولادة", "specialty"))[0] == "neonatology"  # ى as ي
    assert _codes(tax.search("انعاش حديثي", "skill"))[0] == "neonatal_resuscitation"
    assert _codes(tax.search("إنـعـاش حديثي", "skill"))[0] == "neonatal_resuscitation"  # tatweel


def test_search_prefix_before_substring_and_deterministic(tax: Taxonomy) -> None:
    results = _codes(tax.search("psych", "specialty", limit=20))
    # names starting with "psych" first (psychiatry), word prefixes next, substrings last
    assert results[0] == "psychiatry"
    assert results == _codes(tax.search("psych", "specialty", limit=20))
    assert len(tax.search("a", "skill", limit=5)) == 5
    assert tax.search("zzzz", "skill") == []
    assert len(tax.search("", "specialty", limit=3)) == 3
    with pytest.raises(ValueError, match="kind"):
        tax.search("neo", "drug")  # type: ignore[arg-type]


# ---------------------------------------------------------------------- the specialty floor
@pytest.mark.parametrize(
    ("need", "kind", "doctor", "acceptable"),
    [
        # Who a clinician would actually send (issue 12 item 7).
        ("general_surgery", "mission", "gastroenterology", False),
        ("general_surgery", "mission", "emergency_medicine", False),
        ("general_surgery", "mission", "pediatric_surgery", True),
        ("orthopaedics_trauma", "mission", "neonatology", False),
        ("orthopaedics_trauma", "mission", "emergency_medicine", False),
        ("neurosurgery", "mission", "neurology", False),
        ("neurosurgery", "training", "neurology", False),
        ("oral_maxillofacial_surgery", "mission", "dentistry", False),
        ("oral_maxillofacial_surgery", "mission", "plastic_reconstructive_surgery", True),
        ("infectious_diseases", "mission", "pharmacy", False),
        ("infectious_diseases", "mission", "internal_medicine", True),
        ("infectious_diseases", "mission", "pulmonology", True),
        ("obstetrics_gynaecology", "mission", "midwifery", False),
        # Teaching is wider than practice: a midwife teaches emergency obstetric care.
        ("obstetrics_gynaecology", "training", "midwifery", True),
        ("orthopaedics_trauma", "training", "general_surgery", True),
        ("neonatology", "mentorship", "pediatrics", True),
        ("psychiatry", "training", "clinical_psychology", True),
        ("nephrology", "mentorship", "internal_medicine", True),
        ("nephrology", "mission", "internal_medicine", False),
    ],
)
def test_acceptable_specialties_per_kind_of_work(
    tax: Taxonomy, need: str, kind: str, doctor: str, acceptable: bool
) -> None:
    got = tax.acceptable_specialties(need, kind)
    assert got[0] == need
    assert (doctor in got) is acceptable


def test_teaching_widens_practice_for_every_specialty(tax: Taxonomy) -> None:
    for code in tax.specialty_codes:
        practice = tax.acceptable_specialties(code, "mission")
        teaching = tax.acceptable_specialties(code, "training")
        assert teaching[: len(practice)] == practice
        assert tax.acceptable_specialties(code, "mentorship") == teaching
    with pytest.raises(KeyError):
        tax.acceptable_specialties("surgeryy", "mission")


def test_every_related_link_is_acceptable_in_one_direction(tax: Taxonomy) -> None:
    """``related`` feeds the score; reviewed so that each link names a specialty that can
    do the other's work (practice or teaching), in at least one direction."""
    for s in tax.specialties.values():
        for r in s.related:
            a = r in tax.acceptable_specialties(s.code, "training")
            b = s.code in tax.acceptable_specialties(r, "training")
            assert a or b, (s.code, r)
