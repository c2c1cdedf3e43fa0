import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from arguard.risk.masterscale import BANDS, grade_of, grades_of


def test_bands_tile_zero_to_one() -> None:
    for low, high in itertools.pairwise(BANDS):
        assert low.upper == high.lower
    assert BANDS[0].lower == 0 and BANDS[8].upper == 1


@pytest.mark.parametrize("pd_,grade", [(0.0, 1), (0.00099, 1), (0.001, 2), (0.015, 5), (0.0799, 7), (0.5, 9),
                                       (1.0, 9)])
def test_grade_of(pd_: float, grade: int) -> None:
    assert grade_of(pd_) == grade


def test_grade_ten_only_for_default() -> None:
    assert grade_of(0.001, in_default=True) == 10
    with pytest.raises(ValueError):
        grade_of(1.5)


@given(st.lists(st.floats(0, 1), min_size=1, max_size=50))
def test_vectorised_matches_scalar_and_is_monotone(pds: list[float]) -> None:
    grades = grades_of(pds)
    assert grades.tolist() == [grade_of(p) for p in pds]
    order = np.argsort(pds, kind="stable")
    assert np.all(np.diff(grades[order]) >= 0)
