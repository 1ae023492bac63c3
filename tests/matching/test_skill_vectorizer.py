"""SkillVectorizer in the scikit-learn manner: the constructor stores, fit learns."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from matching.ranking.skills import SkillVectorizer

CODES = ("nrp", "bls", "ultrasound")
TEXTS = ("neonatal resuscitation", "basic life support", "point of care ultrasound")


def test_constructor_learns_nothing_and_transform_refuses_before_fit() -> None:
    vectorizer = SkillVectorizer(CODES, TEXTS)

    assert not [name for name in vars(vectorizer) if name.endswith("_")]
    with pytest.raises(NotFittedError):
        vectorizer.transform([["nrp"]], [""])


def test_fit_learns_the_vocabulary_and_transform_recognises_free_text() -> None:
    doctors = [["nrp"], ["bls"], ["nrp", "bls"]]
    vectorizer = SkillVectorizer(CODES, TEXTS).fit(doctors, ["", "", ""])

    assert vectorizer.codes_ == CODES
    assert "resuscitation" in vectorizer.text_vectorizer_.vocabulary_
    need = vectorizer.transform([[]], ["we need neonatal resuscitation"]).toarray()[0]
    assert need[0] > 0 and need[1] == 0 and need[2] == 0
    assert np.isclose(np.linalg.norm(need), 1.0)


def test_fit_transform_equals_fit_then_transform() -> None:
    doctors, texts = [["nrp"], ["bls", "ultrasound"], []], ["", "", "ultrasound at the bedside"]
    together = SkillVectorizer(CODES, TEXTS).fit_transform(doctors, texts).toarray()
    apart = SkillVectorizer(CODES, TEXTS).fit(doctors, texts).transform(doctors, texts).toarray()

    assert np.allclose(together, apart)
