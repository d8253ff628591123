"""Coverage simulations (issue 11, section 3): the intervals published cover as they claim.

* The difference in differences with unequal group sizes and variances: the Welch
  interval of the estimate and the unequal-variance interval of g_change cover 93-97%
  (the pooled noncentral-t interval it replaces covered 81-85%).
* g_av's large-sample interval covers 93-97% at n = 30; its standard error agrees with
  the delta method recomputed numerically from the moments' covariance; with skewed
  changes in small groups it is not exact (0.94 at n = 12, measured).
* Skewed changes in small groups: the t interval under-covers (measured here), so rows
  with fewer than 20 pairs carry a caution (``ci_caution``).
* The BCa bootstrap reproduces Efron & Tibshirani's (1993) worked example.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline import stats
from pipeline.analysis.indicators import SMALL_N, change_row


@pytest.mark.parametrize(("n1", "s1", "n0", "s0"), [(80, 2.0, 20, 1.0), (20, 2.0, 80, 1.0), (150, 1.5, 25, 0.7)])
def test_diff_in_diff_covers_with_unequal_groups(n1, s1, n0, s0):
    rng = np.random.default_rng(n1 * 7 + n0)
    reps, hit_g, hit_m = 1000, 0, 0
    sp = np.sqrt(((n1 - 1) * s1**2 + (n0 - 1) * s0**2) / (n1 + n0 - 2))
    treated = np.r_[np.ones(n1), np.zeros(n0)]
    for _ in range(reps):
        pre = rng.normal(0, 1, n1 + n0)
        change = np.r_[rng.normal(0.5, s1, n1), rng.normal(0.0, s0, n0)]
        res = stats.diff_in_diff(pre, pre + change, treated)
        hit_g += res.effect_size_ci_low <= 0.5 / sp <= res.effect_size_ci_high
        hit_m += res.ci_low <= 0.5 <= res.ci_high
    assert 0.93 <= hit_g / reps <= 0.97
    assert 0.93 <= hit_m / reps <= 0.97


def test_g_av_interval_covers():
    rng = np.random.default_rng(2013)
    n, rho, delta, s1, s2 = 30, 0.5, 0.5, 1.0, 1.5
    cov = [[s1**2, rho * s1 * s2], [rho * s1 * s2, s2**2]]
    reps, hits = 1000, 0
    for _ in range(reps):
        x = rng.multivariate_normal([0, delta * (s1 + s2) / 2], cov, size=n)
        res = stats.paired_change(x[:, 0], x[:, 1])
        hits += res.g_av_ci_low <= delta <= res.g_av_ci_high
    assert 0.93 <= hits / reps <= 0.97


def test_g_av_interval_on_lakens_movie_data():
    # Lakens (2013) movie ratings: g_av = 1.08 (the paper); its interval must hold it and be finite
    movie_1 = [9, 7, 8, 9, 8, 9, 9, 10, 9, 9]
    movie_2 = [9, 6, 7, 8, 7, 9, 8, 8, 8, 7]
    res = stats.paired_change(movie_2, movie_1)
    assert round(res.g_av, 2) == 1.08
    assert 0 < res.g_av_ci_low < res.g_av < res.g_av_ci_high


def test_g_av_standard_error_recomputed_by_the_delta_method():
    # Independent of the code's closed form: the delta method applied numerically to
    # d_av = (mu_2 - mu_1) / ((sigma_1 + sigma_2) / 2), with the large-sample covariance of
    # (mean_1, mean_2, sd_1, sd_2) under bivariate normality: Sigma / n for the means,
    # var(sd_i) = sigma_i^2 / 2n, cov(sd_1, sd_2) = rho^2 sigma_1 sigma_2 / 2n, means and
    # SDs uncorrelated (Algina & Keselman 2003; Bonett 2015). On Lakens' (2013) movie data.
    movie_1 = np.array([9, 7, 8, 9, 8, 9, 9, 10, 9, 9], float)
    movie_2 = np.array([9, 6, 7, 8, 7, 9, 8, 8, 8, 7], float)
    res = stats.paired_change(movie_2, movie_1)
    n = movie_1.size
    m1, m2, s1, s2 = movie_2.mean(), movie_1.mean(), movie_2.std(ddof=1), movie_1.std(ddof=1)
    r = np.corrcoef(movie_2, movie_1)[0, 1]
    cov = np.zeros((4, 4))
    cov[:2, :2] = np.array([[s1**2, r * s1 * s2], [r * s1 * s2, s2**2]]) / n
    cov[2:, 2:] = np.array([[s1**2, r**2 * s1 * s2], [r**2 * s1 * s2, s2**2]]) / (2 * n)

    def d_av(theta):
        return (theta[1] - theta[0]) / ((theta[2] + theta[3]) / 2)

    theta, h = np.array([m1, m2, s1, s2]), 1e-6
    grad = np.array([(d_av(theta + h * e) - d_av(theta - h * e)) / (2 * h) for e in np.eye(4)])
    se = float(np.sqrt(grad @ cov @ grad))
    j = 1 - 3 / (4 * 2 * n - 9)  # Hedges' correction as Lakens (2013) gives it for g_av
    z = 1.959963984540054
    assert res.g_av == pytest.approx(d_av(theta) * j, rel=1e-12)
    assert (res.g_av_ci_low, res.g_av_ci_high) == pytest.approx(((d_av(theta) - z * se) * j, (d_av(theta) + z * se) * j), rel=1e-6)


def test_g_av_interval_with_skewed_changes_in_small_groups():
    # post = 0.5 pre + (lognormal(0, 1) - e^0.5) + shift, so true delta_av = 0.5.
    # Measured with 1000 replications: coverage 0.94 at n = 12 (the caution beside rows
    # under 20 pairs applies to g_av too), 0.98 at n = 30: the large-sample interval is
    # not exact with skewed changes, in both directions. 300 replications here (fast).
    rng = np.random.default_rng(12)
    s1, s2 = 1.0, float(np.sqrt(0.25 + (np.e - 1) * np.e))
    delta, n, reps, hits = 0.5, 12, 300, 0
    for _ in range(reps):
        x = rng.normal(0, 1, n)
        y = 0.5 * x + rng.lognormal(0, 1, n) - np.exp(0.5) + delta * (s1 + s2) / 2
        res = stats.paired_change(x, y)
        hits += res.g_av_ci_low <= delta <= res.g_av_ci_high
    assert 0.88 <= hits / reps <= 0.99
    assert "g_av" in change_row(pd.Series(np.zeros(n)), pd.Series(rng.lognormal(0, 1, n)))["ci_caution"]


def test_skewed_small_groups_under_cover_and_carry_a_caution():
    # Changes from a lognormal(0, 1) - 1 (skewness about 6): with 12 pairs the t interval
    # covers well below 95% (about 0.84 measured), which is why rows with fewer than 20
    # pairs say so beside the interval.
    rng = np.random.default_rng(11)
    reps, hits, n = 800, 0, 12
    true = np.exp(0.5) - 1
    for _ in range(reps):
        d = rng.lognormal(0, 1, n) - 1
        res = stats.paired_change(np.zeros(n), d)
        hits += res.ci_low <= true <= res.ci_high
    assert hits / reps < 0.90
    small = change_row(pd.Series(np.zeros(n)), pd.Series(rng.lognormal(0, 1, n)))
    assert "fewer than 20 pairs" in small["ci_caution"]
    large = change_row(pd.Series(np.zeros(SMALL_N)), pd.Series(rng.normal(0, 1, SMALL_N)))
    assert large["ci_caution"] == ""


def test_bca_reproduces_efron_tibshirani_table_14_2():
    # Efron & Tibshirani (1993), An Introduction to the Bootstrap, Table 14.1 (spatial test
    # scores A, n = 26) and Table 14.2: the variance (divisor n) is 171.5; 90% intervals from
    # B = 2000: percentile [100.8, 233.9], BCa [115.8, 259.6]. With 20,000 resamples our
    # values differ from the book's by Monte Carlo error only.
    a = np.array([48, 36, 20, 29, 42, 42, 20, 42, 22, 41, 45, 14, 6, 0, 33, 28, 34, 4, 32, 24, 47, 41, 24, 26, 30, 41], float)
    var = lambda x, axis=-1: np.var(x, axis=axis)  # noqa: E731
    bca = stats.bootstrap_ci(a, var, n_resamples=20_000, confidence=0.90, method="bca")
    pct = stats.bootstrap_ci(a, var, n_resamples=20_000, confidence=0.90)
    assert bca.estimate == pytest.approx(171.5, abs=0.05)
    assert bca.ci_low == pytest.approx(115.8, abs=2.5) and bca.ci_high == pytest.approx(259.6, abs=5)
    assert pct.ci_low == pytest.approx(100.8, abs=4) and pct.ci_high == pytest.approx(233.9, abs=4)
    with pytest.raises(ValueError, match="one sample or paired"):
        stats.bootstrap_ci((a, a), "mean_difference", method="bca")
