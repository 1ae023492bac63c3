"""Quality: the engine's top 3 holds the doctor a careful coordinator would pick."""

from __future__ import annotations

import pytest

from matching.ranking import rank
from tests.matching.eval_set import DOCTORS, EXPECTED, NEEDS, TODAY


@pytest.fixture(scope="module")
def result():
    return rank(DOCTORS, NEEDS, today=TODAY, top_k=10)


@pytest.mark.parametrize(("need_id", "doctor_id"), sorted(EXPECTED.items()))
def test_expected_doctor_in_top_3(result, need_id, doctor_id):
    top3 = [c.doctor_id for c in result.candidates(need_id)][:3]
    assert doctor_id in top3, top3


def test_every_need_gets_a_proposal(result):
    assert {p.need_id for p in result.proposals} == set(EXPECTED)
    assert result.unfillable == []
