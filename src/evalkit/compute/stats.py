"""Statistics for small counts: confidence intervals and tests of change, as pure functions.

Sources:
- Wilson score interval: E. B. Wilson (1927), "Probable inference, the law of succession, and
  statistical inference", JASA 22; recommended for small n by R. G. Newcombe (1998),
  "Two-sided confidence intervals for the single proportion", Statistics in Medicine 17.
- Two-proportion z-test with pooled variance (e.g. Agresti, Categorical Data Analysis, 3.1).
- Two Poisson counts: the conditional (exact binomial) test, Przyborowski & Wilenski (1940).
"""

import math

import numpy as np

Z95 = 1.959963984540054  # the standard normal quantile for a two-sided 95 % level
ALPHA = 0.05


def wilson(
    taeller: float | np.ndarray, naevner: float | np.ndarray, z: float = Z95
) -> tuple[float | np.ndarray, float | np.ndarray]:
    """The Wilson score interval for taeller/naevner, as proportions 0–1: of one share, or of
    each share of two arrays (a national year has tens of thousands)."""
    if np.any(np.asarray(naevner) <= 0):
        raise ValueError("naevner must be positive")
    p = taeller / naevner
    z2 = z * z
    centre = (p + z2 / (2 * naevner)) / (1 + z2 / naevner)
    half = z * np.sqrt(p * (1 - p) / naevner + z2 / (4 * naevner * naevner)) / (1 + z2 / naevner)
    # The bounds hold p exactly, also where rounding would put them a hair inside (p = 0 or 1).
    low = np.maximum(0.0, np.minimum(p, centre - half))
    high = np.minimum(1.0, np.maximum(p, centre + half))
    return low, high


def two_proportion_z(p1: float, n1: float, p0: float, n0: float) -> float:
    """z of the difference p1 − p0 (proportions 0–1) under the pooled null hypothesis p1 = p0."""
    pooled = (p1 * n1 + p0 * n0) / (n1 + n0)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    if se == 0:
        return 0.0
    return (p1 - p0) / se


def binomial_two_sided_p(k: int, n: int, p: float) -> float:
    """Exact two-sided p-value of k successes in n trials: P(X with prob ≤ P(X = k)).

    Up to SUMMED_UP_TO trials the probabilities of all outcomes are summed (at most 0.1 s,
    and a national total has tens of thousands); above, scipy's binomtest finds the other
    tail by bisection, so the time does not grow with n (summing took minutes for a count in
    the hundred millions). scipy is imported only then: loading scipy.stats takes a second or
    more, in every process that builds a year.
    """
    if n == 0:
        return 1.0
    if p <= 0 or p >= 1:
        return 1.0 if k == round(p * n) else 0.0
    if n > SUMMED_UP_TO:
        from scipy.stats import binomtest

        return min(1.0, float(binomtest(int(k), int(n), p).pvalue))
    return _summed(int(k), int(n), p)


SUMMED_UP_TO = 100_000


def _summed(k: int, n: int, p: float) -> float:
    # In logarithms: national totals run to thousands, where comb(n, i) overflows a float.
    log_p, log_q, log_n = math.log(p), math.log1p(-p), math.lgamma(n + 1)
    logs = [
        log_n - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * log_p + (n - i) * log_q
        for i in range(n + 1)
    ]
    observed = logs[k] + 1e-7  # tolerance for ties in floating point
    return min(1.0, sum(math.exp(x) for x in logs if x <= observed))


def poisson_change_p(k1: int, k0: int, exposure1: float = 1.0, exposure0: float = 1.0) -> float:
    """p-value that two counts come from the same rate, given their exposures (e.g. units).

    Conditional on k1 + k0, k1 is binomial with p = exposure1 / (exposure1 + exposure0).
    """
    return binomial_two_sided_p(int(k1), int(k1 + k0), exposure1 / (exposure1 + exposure0))
