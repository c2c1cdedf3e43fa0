"""Derived features: functions of one statement's ratios, so they exist for ratio files and statement items."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from arguard.risk.features import DERIVED, FEATURES, derive, feature_label
from arguard.risk.ratios import ATTRS, compute_ratios
from tests.risk.test_ratios import ACME


def test_features_are_the_ratios_then_the_derived_ones() -> None:
    assert FEATURES[:64] == ATTRS and len(FEATURES) == 64 + len(DERIVED)
    assert len(set(FEATURES)) == len(FEATURES)
    assert all(feature_label(f) for f in FEATURES)


def test_derived_features_of_a_statement() -> None:
    ratios = compute_ratios(ACME).values
    X = np.array([[np.nan if ratios[a] is None else ratios[a] for a in ATTRS]])
    row = dict(zip(FEATURES, derive(X)[0], strict=True))
    a = lambda n: ratios[f"Attr{n}"]
    assert row["sales_growth_x_margin"] == a(21) * a(39)
    assert np.isclose(row["interest_cover"], a(7) / (a(14) - a(18)))
    assert np.isclose(row["profit_3y_to_profit"], a(24) / a(18))
    assert row["missing_ratios"] == sum(v is None for v in ratios.values())


def test_a_zero_divisor_makes_a_derived_feature_missing_not_infinite() -> None:
    X = np.full((1, 64), 1.0)
    X[0, 17] = X[0, 13]  # Attr18 == Attr14: interest is zero
    row = dict(zip(FEATURES, derive(X)[0], strict=True))
    assert np.isnan(row["interest_cover"]) and row["missing_ratios"] == 0


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, (3, 64), elements=st.floats(-1e6, 1e6) | st.just(np.nan)))
def test_derive_never_returns_infinity_and_keeps_the_ratios(X: np.ndarray) -> None:
    out = derive(X)
    assert out.shape == (3, len(FEATURES)) and not np.isinf(out).any()
    assert np.array_equal(out[:, :64], X, equal_nan=True)
