"""Spec: statistics for small counts (evalkit.compute.stats)."""

import math
import time

import numpy as np
import pytest

from evalkit.compute import stats
from evalkit.compute.stats import (
    Z95,
    binomial_two_sided_p,
    poisson_change_p,
    two_proportion_z,
    wilson,
)


@pytest.mark.parametrize(
    ("taeller", "naevner", "low", "high"),
    [
        # Newcombe (1998), Statistics in Medicine 17:857–872, Table I, method 3 (Wilson score)
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0000, 0.1611),
        (1, 29, 0.0061, 0.1718),
        (29, 29, 0.8830, 1.0000),
    ],
)
def test_wilson_matches_published_reference_values(taeller, naevner, low, high):
    lo, hi = wilson(taeller, naevner)
    assert (round(lo, 4), round(hi, 4)) == (low, high)


def test_wilson_is_wide_for_small_afdelinger():
    # Lindon's 60 % baseline may be 3 of 5 units: the interval spans most of the scale.
    lo, hi = wilson(3, 5)
    assert lo < 0.25 and hi > 0.85


def test_wilson_needs_a_denominator():
    with pytest.raises(ValueError):
        wilson(0, 0)
    with pytest.raises(ValueError):
        wilson(np.array([1.0, 0.0]), np.array([5.0, 0.0]))


def test_wilson_of_arrays_is_the_interval_of_each_share():
    taeller = np.array([0.0, 1.0, 3.0, 81.0, 29.0, 7.0])
    naevner = np.array([20.0, 29.0, 5.0, 263.0, 29.0, 1234.0])

    low, high = wilson(taeller, naevner)

    each = [wilson(t, n) for t, n in zip(taeller.tolist(), naevner.tolist(), strict=True)]
    assert low.tolist() == [lo for lo, _ in each]
    assert high.tolist() == [hi for _, hi in each]
    assert (round(low[3], 4), round(high[3], 4)) == (0.2553, 0.3662)  # Newcombe, as above


@pytest.mark.parametrize(
    ("p1", "n1", "p0", "n0", "z"),
    [
        # p̄ = 0.25, se = sqrt(0.25·0.75·(1/100 + 1/100)) = 0.061237
        (0.30, 100, 0.20, 100, 1.6330),
        # p̄ = 0.22, se = sqrt(0.22·0.78·(1/100 + 1/400)) = 0.046314
        (0.30, 100, 0.20, 400, 2.1592),
        (0.20, 100, 0.20, 100, 0.0),
        (0.0, 50, 0.0, 50, 0.0),  # no variance: no evidence of change
    ],
)
def test_two_proportion_z(p1, n1, p0, n0, z):
    assert two_proportion_z(p1, n1, p0, n0) == pytest.approx(z, abs=1e-4)


def test_z95_is_the_two_sided_95_percent_quantile():
    assert math.erf(Z95 / math.sqrt(2)) == pytest.approx(0.95, abs=1e-12)


@pytest.mark.parametrize(
    ("k", "n", "p", "expected"),
    [
        (0, 5, 0.5, 2 / 32),  # P(0) + P(5)
        (0, 6, 0.5, 2 / 64),
        (3, 6, 0.5, 1.0),  # the most likely outcome
        (0, 0, 0.5, 1.0),
        # n = 6, p = 1/4: P(0) = 0.1780; outcomes at most as likely: 0, 3, 4, 5, 6
        (0, 6, 0.25, 0.75**6 + 20 * 0.25**3 * 0.75**3 + 15 * 0.25**4 * 0.75**2
         + 6 * 0.25**5 * 0.75 + 0.25**6),
    ],
)  # fmt: skip
def test_binomial_two_sided_p(k, n, p, expected):
    assert binomial_two_sided_p(k, n, p) == pytest.approx(expected)


def test_poisson_change_uses_the_exposures():
    # 0 evictions in 100 units against 6 in 300: the same rate is quite possible.
    assert poisson_change_p(0, 6, 100, 300) == pytest.approx(binomial_two_sided_p(0, 6, 0.25))
    assert poisson_change_p(0, 6) == pytest.approx(2 / 64)


def test_the_count_test_works_for_national_totals():
    # 20,000 evictions against 21,000 with equal exposure: n = 41,000 would overflow comb().
    p = poisson_change_p(20_000, 21_000)
    assert 0 < p < 0.001  # z ≈ −4.9
    assert poisson_change_p(20_000, 20_000) == pytest.approx(1.0)


@pytest.mark.parametrize(("taeller", "naevner"), [(0, 7), (7, 7), (1, 3), (97, 97), (0, 1)])
def test_the_interval_always_holds_the_share_itself(taeller, naevner):
    lo, hi = wilson(taeller, naevner)
    assert 0 <= lo <= taeller / naevner <= hi <= 1


@pytest.mark.parametrize(
    ("k", "n", "p"),
    [(49_900, 100_001, 0.5), (50_400, 100_001, 0.5), (950, 100_500, 0.01), (0, 100_001, 0.3)],
)
def test_large_counts_give_the_same_p_as_summing_every_outcome(k, n, p):
    assert binomial_two_sided_p(k, n, p) == pytest.approx(stats._summed(k, n, p), rel=1e-6)


def test_the_time_of_a_test_does_not_grow_with_the_count():
    started = time.perf_counter()
    assert poisson_change_p(102_031_234, 5) == pytest.approx(0.0)
    assert poisson_change_p(100_000_000, 100_000_017) > 0.5
    assert time.perf_counter() - started < 10  # summing every outcome takes minutes
