"""Tests of pipeline.stats against independent sources.

Every expected value names its source beside it: R's documented output, a published
example, or a second implementation (scipy, statsmodels, pingouin, a simulation).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
import statsmodels.api as sm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import integrate
from scipy import stats as sps
from statsmodels.stats.contingency_tables import mcnemar as sm_mcnemar

from pipeline import stats
from pipeline.stats import (
    adjust_p,
    attrition,
    bootstrap_ci,
    cronbach_alpha,
    diff_in_diff,
    mcnemar,
    mcnemar_table,
    methods_table,
    omega,
    paired_change,
    paired_proportions,
    proportion_ci,
    reliable_change,
    signed_rank,
)

# R's `sleep` data: extra hours of sleep of 10 patients with two drugs (?sleep).
SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]

# Lakens (2013), Frontiers in Psychology 4:863, Table 1: ratings of two movies by 10 people.
MOVIE_1 = [9, 7, 8, 9, 8, 9, 9, 10, 9, 9]
MOVIE_2 = [9, 6, 7, 8, 7, 9, 8, 8, 8, 7]

# Hollander & Wolfe (1973, p. 29f), Hamilton depression scale at the first (x) and second
# (y) visit; the example of R's ?wilcox.test.
HW_X = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]
HW_Y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]


def _all_nan(*values) -> bool:
    return all(math.isnan(v) for v in values)


# --------------------------------------------------------------------------------------
# paired_change
# --------------------------------------------------------------------------------------


class TestPairedChange:
    def test_sleep_matches_r(self):
        # R: t.test(extra ~ group, data = sleep, paired = TRUE)
        #    t = -4.0621, df = 9, p-value = 0.002833
        #    95 percent CI: -2.4598858 -0.7001142; mean difference -1.58
        # That is group 1 minus group 2; with pre = group 1 and post = group 2 the signs flip.
        res = paired_change(SLEEP_1, SLEEP_2)
        assert res.n == 10 and res.n_dropped == 0
        assert res.t == pytest.approx(4.0621, abs=5e-5)
        assert res.df == 9
        assert res.p_value == pytest.approx(0.002833, abs=5e-7)
        assert res.ci_low == pytest.approx(0.7001142, abs=5e-8)
        assert res.ci_high == pytest.approx(2.4598858, abs=5e-8)
        assert res.mean_change == pytest.approx(1.58)
        assert res.reason is None

    def test_sleep_matches_scipy(self):
        ref = sps.ttest_rel(SLEEP_2, SLEEP_1)
        ci = ref.confidence_interval(0.95)
        res = paired_change(SLEEP_1, SLEEP_2)
        assert res.t == pytest.approx(ref.statistic, rel=1e-12)
        assert res.p_value == pytest.approx(ref.pvalue, rel=1e-10)
        assert (res.ci_low, res.ci_high) == pytest.approx((ci.low, ci.high), rel=1e-10)

    def test_lakens_2013_movie_example(self):
        # Lakens (2013): t(9) = 4.74, p = .001, 95% CI of the mean difference [0.52, 1.48],
        # d_z = 1.50. By hand: diff = Movie 1 - Movie 2 = [0,1,1,1,1,0,1,2,1,2], mean 1,
        # SD 2/3, so d_z = 1.5 exactly; SD(Movie 1) = 0.8233, SD(Movie 2) = 0.9487,
        # d_av = 1 / ((0.8233 + 0.9487) / 2) = 1.1287 (reported 1.13);
        # g_av = 1.1287 * (1 - 3 / (4 * 20 - 9)) = 1.0810 (reported 1.08); r = 0.726.
        # (The figures d_av = 1.25, g_av = 1.13 in our issue text do not follow from the data.)
        res = paired_change(MOVIE_2, MOVIE_1)
        assert round(res.t, 2) == 4.74
        assert round(res.p_value, 3) == 0.001
        assert (round(res.ci_low, 2), round(res.ci_high, 2)) == (0.52, 1.48)
        assert res.d_z == pytest.approx(1.5, abs=1e-12)
        assert res.mean_pre == pytest.approx(7.7) and res.mean_post == pytest.approx(8.7)
        assert round(res.sd_pre, 2) == 0.95 and round(res.sd_post, 2) == 0.82
        assert res.d_av == pytest.approx(1 / ((np.std(MOVIE_1, ddof=1) + np.std(MOVIE_2, ddof=1)) / 2))
        assert round(res.d_av, 2) == 1.13
        assert round(res.g_av, 2) == 1.08
        assert round(res.r, 3) == 0.726

    def test_d_av_is_not_pingouins_rms_version(self):
        # pingouin's compute_effsize(paired=True) divides by sqrt((s1^2 + s2^2) / 2)
        pre = [2, 4, 4, 5, 9, 3, 4, 8]
        post = [3, 6, 4, 9, 12, 4, 5, 9]
        res = paired_change(pre, post)
        rms = pg.compute_effsize(post, pre, paired=True, eftype="cohen")
        s1, s2 = np.std(pre, ddof=1), np.std(post, ddof=1)
        assert rms == pytest.approx(res.mean_change / math.sqrt((s1**2 + s2**2) / 2))
        assert res.d_av == pytest.approx(res.mean_change / ((s1 + s2) / 2))
        assert res.d_av != pytest.approx(rms, rel=1e-6)
        # d_z agrees with pingouin's cohen_dz
        assert res.d_z == pytest.approx(pg.compute_effsize(post, pre, paired=True, eftype="cohen_dz"))

    def test_d_z_interval_by_independent_integration(self):
        # The noncentral t CDF written as an integral over the chi-square distribution,
        # P(T <= t | ncp) = int Phi(t sqrt(w/df) - ncp) f_chi2(w; df) dw, must put the
        # observed t at the 97.5th / 2.5th percentile at the interval's limits.
        res = paired_change(MOVIE_2, MOVIE_1)
        n, df, t = res.n, res.df, res.t

        def cdf(ncp):
            f = lambda w: sps.norm.cdf(t * math.sqrt(w / df) - ncp) * sps.chi2.pdf(w, df)
            return integrate.quad(f, 0, np.inf, epsabs=1e-12, epsrel=1e-10)[0]

        assert cdf(res.d_z_ci_low * math.sqrt(n)) == pytest.approx(0.975, abs=1e-7)
        assert cdf(res.d_z_ci_high * math.sqrt(n)) == pytest.approx(0.025, abs=1e-7)
        assert res.d_z_ci_low < res.d_z < res.d_z_ci_high

    def test_d_z_interval_coverage_by_simulation(self):
        # 600 samples of n = 12 with true d_z = 0.5: a 95% interval should cover ~95%.
        rng = np.random.default_rng(2013)
        hits = 0
        for _ in range(600):
            pre = rng.normal(0, 1, 12)
            post = pre + rng.normal(0.5, 1, 12)
            res = paired_change(pre, post)
            hits += res.d_z_ci_low <= 0.5 <= res.d_z_ci_high
        assert 0.93 <= hits / 600 <= 0.97

    def test_mean_change_interval_coverage(self):
        # 800 seeded samples with a true change of 2: the 95% t interval covers 93-97%.
        rng = np.random.default_rng(42)
        hits = 0
        for _ in range(800):
            pre = rng.normal(50, 10, 15)
            post = 0.6 * pre + 20 + 2 + rng.normal(0, 8, 15)  # E[post - pre] = 2
            res = paired_change(pre, post)
            hits += res.ci_low <= 2 <= res.ci_high
        assert 0.93 <= hits / 800 <= 0.97

    def test_missing_pairs_are_dropped_and_counted(self):
        res = paired_change([1, 2, np.nan, 4, 5, None], [2, 3, 4, np.nan, 7, 1])
        assert res.n == 3 and res.n_dropped == 3
        ref = paired_change([1, 2, 5], [2, 3, 7])
        assert res.t == pytest.approx(ref.t)

    def test_accepts_series_and_nullable_dtypes(self):
        pre = pd.Series([1, 2, None, 4], dtype="Int64")
        post = pd.Series([2, 4, 3, 5], dtype="Float64")
        res = paired_change(pre, post)
        assert res.n == 3 and res.n_dropped == 1

    def test_to_dict(self):
        d = paired_change(SLEEP_1, SLEEP_2).to_dict()
        assert d["n"] == 10 and isinstance(d["t"], float) and d["reason"] is None
        assert list(d)[:3] == ["n", "n_dropped", "mean_pre"]


class TestPairedChangeDegenerate:
    pytestmark = pytest.mark.filterwarnings("error")

    def test_fewer_than_two_pairs(self):
        res = paired_change([1.0, np.nan], [2.0, 3.0])
        assert res.n == 1 and res.reason == "fewer than 2 pairs"
        assert _all_nan(res.t, res.p_value, res.ci_low, res.d_z, res.d_av, res.sd_pre)
        assert res.mean_change == 1.0

    def test_no_pairs(self):
        res = paired_change([], [])
        assert res.n == 0 and res.reason == "no complete pairs"
        assert _all_nan(res.mean_pre, res.mean_change, res.t)

    def test_all_nan(self):
        res = paired_change([np.nan] * 4, [np.nan] * 4)
        assert res.n == 0 and res.n_dropped == 4 and res.reason == "no complete pairs"

    def test_constant_differences(self):
        res = paired_change([1, 2, 3, 4], [2, 3, 4, 5])
        assert "differences have zero variance" in res.reason
        assert _all_nan(res.t, res.p_value, res.ci_low, res.ci_high, res.d_z, res.d_z_ci_low)
        assert res.mean_change == 1.0
        assert res.d_av == pytest.approx(1 / np.std([1, 2, 3, 4], ddof=1))

    def test_float_noise_counts_as_constant(self):
        # 0.1 + 0.2 style rounding must not produce a huge t (R: "data are essentially constant")
        pre = np.array([0.1, 0.2, 0.7, 1.3])
        res = paired_change(pre, pre + 0.1)
        assert "differences have zero variance" in res.reason and math.isnan(res.t)

    def test_no_change_at_all(self):
        res = paired_change([3, 3, 3], [3, 3, 3])
        assert "differences have zero variance" in res.reason
        assert "zero variance (r undefined)" in res.reason
        assert _all_nan(res.t, res.r, res.d_av)
        assert res.mean_change == 0.0

    def test_constant_pre_only(self):
        res = paired_change([2, 2, 2, 2], [1, 3, 4, 2])
        assert math.isnan(res.r) and "r undefined" in res.reason
        assert not math.isnan(res.t) and not math.isnan(res.d_av)

    def test_bad_arguments(self):
        with pytest.raises(ValueError, match="same length"):
            paired_change([1, 2, 3], [1, 2])
        with pytest.raises(TypeError, match="numeric"):
            paired_change(["a", "b"], [1, 2])
        with pytest.raises(TypeError):
            paired_change("12", "34")
        with pytest.raises(ValueError, match="one-dimensional"):
            paired_change([[1, 2], [3, 4]], [[1, 2], [3, 4]])
        with pytest.raises(ValueError, match="confidence"):
            paired_change([1, 2], [3, 4], confidence=95)
        with pytest.raises(ValueError, match="infinite"):
            paired_change([1, np.inf], [3, 4])


likert = st.lists(st.tuples(st.integers(-10, 10), st.integers(-10, 10)), min_size=0, max_size=25)


class TestPairedChangeProperties:
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(likert)
    def test_swapping_waves_flips_signs_keeps_p(self, rows):
        pre = [float(a) for a, _ in rows]
        post = [float(b) for _, b in rows]
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fwd = paired_change(pre, post)
            bwd = paired_change(post, pre)
        for name in ("mean_change", "t", "d_z", "d_av", "g_av", "ci_low", "d_z_ci_low"):
            a = getattr(fwd, name)
            other = {"ci_low": "ci_high", "d_z_ci_low": "d_z_ci_high"}.get(name, name)
            b = getattr(bwd, other)
            assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(-b, abs=1e-9)
        assert (math.isnan(fwd.p_value) and math.isnan(bwd.p_value)) or fwd.p_value == pytest.approx(bwd.p_value, rel=1e-9)
        assert fwd.reason == bwd.reason

    @settings(max_examples=60, deadline=None)
    @given(likert, st.integers(-1000, 1000))
    def test_adding_a_constant_changes_nothing(self, rows, shift):
        pre = np.array([a for a, _ in rows], dtype=float)
        post = np.array([b for _, b in rows], dtype=float)
        base = paired_change(pre, post).to_dict()
        moved = paired_change(pre + shift, post + shift).to_dict()
        for key, value in base.items():
            if key in ("mean_pre", "mean_post"):
                if not math.isnan(value):
                    assert moved[key] == pytest.approx(value + shift)
            elif isinstance(value, float):
                assert (math.isnan(value) and math.isnan(moved[key])) or moved[key] == pytest.approx(value, rel=1e-9, abs=1e-9)
            else:
                assert moved[key] == value


# --------------------------------------------------------------------------------------
# signed_rank
# --------------------------------------------------------------------------------------


class TestSignedRank:
    def test_sleep_matches_r(self):
        # R: wilcox.test(extra ~ group, data = sleep, paired = TRUE)
        #    V = 0, p-value = 0.009091 (warnings: cannot compute exact p-value with ties /
        #    with zeroes). V counts group 1 - group 2 > 0; in our post - pre convention all
        #    9 non-zero differences are positive, V = 1 + ... + 9 = 45.
        res = signed_rank(SLEEP_1, SLEEP_2)
        assert res.statistic == 45.0
        assert res.n == 9 and res.n_zero == 1
        assert res.p_value == pytest.approx(0.009091, abs=5e-7)
        assert res.method == "normal approximation with continuity correction"
        assert res.rank_biserial == 1.0

    def test_scipy_defaults_do_not_match_r_but_explicit_options_do(self):
        default = sps.wilcoxon(SLEEP_2, SLEEP_1)
        assert default.pvalue != pytest.approx(0.009091, abs=1e-4)
        explicit = sps.wilcoxon(SLEEP_2, SLEEP_1, zero_method="wilcox", correction=True, method="asymptotic")
        assert signed_rank(SLEEP_1, SLEEP_2).p_value == pytest.approx(explicit.pvalue, rel=1e-12)

    def test_hollander_wolfe_exact_matches_r(self):
        # R ?wilcox.test: wilcox.test(x, y, paired = TRUE, alternative = "greater") gives
        # V = 40, p-value = 0.01953; two-sided p = 0.03906 (= 20/512).
        res = signed_rank(HW_Y, HW_X)  # post = x, pre = y: wilcox.test(x, y, paired = TRUE)
        assert res.statistic == 40.0
        assert res.method == "exact"
        assert res.p_value == pytest.approx(20 / 512, abs=1e-15)
        # effectsize::rank_biserial(x, y, paired = TRUE) prints 0.78: (40 - 5) / 45
        assert res.rank_biserial == pytest.approx(35 / 45)

    def test_hollander_wolfe_normal_matches_r(self):
        # R 3.4.4: wilcox.test(x, y, paired = TRUE, exact = FALSE, correct = TRUE)
        # p-value = 0.044010984013 (quoted in Apache Commons Math's
        # WilcoxonSignedRankTestTest, "expected values are from R, version 3.4.4").
        res = signed_rank(HW_Y, HW_X, exact=False)
        assert res.p_value == pytest.approx(0.044010984013, abs=1e-11)

    def test_second_r_example(self):
        # Same source (R 3.4.4): x = c(0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91),
        # y = c(1.15, 0.88, 0.90, 0.74, 1.21, 2.0, 1.72): V = 16, exact p = 0.8125,
        # normal approximation with continuity correction p = 0.79984610566.
        x = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91]
        y = [1.15, 0.88, 0.90, 0.74, 1.21, 2.0, 1.72]
        assert signed_rank(y, x).statistic == 16.0
        assert signed_rank(y, x).p_value == pytest.approx(0.8125, abs=1e-12)
        assert signed_rank(y, x, exact=False).p_value == pytest.approx(0.79984610566, abs=1e-10)

    def test_exact_matches_scipy_on_untied_data(self):
        rng = np.random.default_rng(7)
        for n in (5, 12, 30, 49):
            pre = rng.normal(size=n)
            post = pre + rng.normal(0.3, 1, n)
            ours = signed_rank(pre, post)
            ref = sps.wilcoxon(post, pre, method="exact")
            assert ours.method == "exact"
            assert ours.p_value == pytest.approx(ref.pvalue, rel=1e-9)

    def test_fifty_or_more_uses_normal(self):
        rng = np.random.default_rng(8)
        pre = rng.normal(size=50)
        res = signed_rank(pre, pre + rng.normal(0.2, 1, 50))
        assert res.method == "normal approximation with continuity correction"
        res = signed_rank(pre, pre + rng.normal(0.2, 1, 50), correct=False)
        assert res.method == "normal approximation"

    def test_tie_corrected_variance_by_hand(self):
        # diffs 1, 1, 2, -3, 3, 3, 4: ranks 1.5, 1.5, 3, 5, 5, 5, 7; V = 23
        # var = 7*8*15/24 - ((2^3 - 2) + (3^3 - 3)) / 48 = 35 - 0.625
        pre = [0, 0, 0, 3, 0, 0, 0]
        post = [1, 1, 2, 0, 3, 3, 4]
        res = signed_rank(pre, post)
        z = (23 - 14 - 0.5) / math.sqrt(35 - 30 / 48)
        assert res.statistic == 23.0
        assert res.p_value == pytest.approx(2 * sps.norm.sf(z), rel=1e-12)
        assert res.rank_biserial == pytest.approx((23 - 5) / 28)

    def test_rank_biserial_kerby(self):
        # Kerby (2014): r = (favourable - unfavourable rank sums) / total; diffs 1, -2, 3, 4
        res = signed_rank([0, 2, 0, 0], [1, 0, 3, 4])
        assert res.rank_biserial == pytest.approx((8 - 2) / 10)
        assert signed_rank([1, 0, 3, 4], [0, 2, 0, 0]).rank_biserial == pytest.approx(-0.6)

    @pytest.mark.filterwarnings("error")
    def test_degenerate(self):
        res = signed_rank([1, 2, 3], [1, 2, 3])
        assert res.n == 0 and res.n_zero == 3 and res.reason == "all differences are zero"
        assert _all_nan(res.statistic, res.p_value, res.rank_biserial)
        res = signed_rank([np.nan, np.nan], [1, 2])
        assert res.reason == "no complete pairs"
        # all ties (every difference +1): normal approximation, not a crash
        res = signed_rank([1, 2, 3, 4, 5], [2, 3, 4, 5, 6])
        assert res.statistic == 15.0 and res.method.startswith("normal") and res.reason is None
        # one pair only
        assert signed_rank([1], [2]).p_value == 1.0
        with pytest.raises(TypeError):
            signed_rank([1, 2], [2, 3], exact="yes")


# --------------------------------------------------------------------------------------
# McNemar
# --------------------------------------------------------------------------------------


class TestMcNemar:
    def test_r_help_example(self):
        # R ?mcnemar.test, Agresti (1990, p. 350): Performance <- matrix(c(794, 86, 150,
        # 570), nrow = 2) (filled by column: row 1 = 794, 150; row 2 = 86, 570) prints
        # "McNemar's chi-squared = 16.818, df = 1, p-value = 4.115e-05", reproduced in
        # many places, e.g. the effectsize package's documentation. By hand:
        # (|150 - 86| - 1)^2 / 236 = 3969 / 236 = 16.818. (The figures 34.712 and
        # 3.822e-09 in our issue text do not come from this table.)
        res = mcnemar_table(794, 150, 86, 570)
        assert res.n == 1600 and res.b == 150 and res.c == 86
        assert res.statistic == pytest.approx(3969 / 236)
        assert round(res.statistic, 3) == 16.818
        assert res.p_value == pytest.approx(4.115e-05, abs=5e-9)
        assert res.method.startswith("chi-square with continuity correction")
        # statsmodels, exact=False, correction=True agrees
        ref = sm_mcnemar([[794, 150], [86, 570]], exact=False, correction=True)
        assert res.statistic == pytest.approx(ref.statistic) and res.p_value == pytest.approx(ref.pvalue)

    def test_small_table_is_exact(self):
        # b = 2, c = 9: two-sided binomial p = 2 * P(X <= 2 | 11, 1/2)
        #             = 2 * (1 + 11 + 55) / 2048 = 134 / 2048 (by hand)
        res = mcnemar_table(10, 2, 9, 5)
        assert res.method.startswith("exact binomial")
        assert res.statistic == 2
        assert res.p_value == pytest.approx(134 / 2048, abs=1e-15)
        assert res.p_value == pytest.approx(sps.binomtest(2, 11, 0.5).pvalue)
        ref = sm_mcnemar([[10, 2], [9, 5]], exact=True)
        assert res.p_value == pytest.approx(ref.pvalue) and res.statistic == ref.statistic

    def test_threshold_between_exact_and_chi_square(self):
        assert mcnemar_table(0, 12, 12, 0).method.startswith("exact")  # b + c = 24
        assert mcnemar_table(0, 12, 13, 0).method.startswith("chi-square")  # b + c = 25

    def test_from_answers(self):
        pre = [1] * 6 + [1] * 2 + [0] * 9 + [0] * 4 + [np.nan]
        post = [1] * 6 + [0] * 2 + [1] * 9 + [0] * 4 + [1]
        res = mcnemar(pre, post)
        assert (res.n, res.b, res.c) == (21, 2, 9)
        assert res.p_value == pytest.approx(134 / 2048)
        res_bool = mcnemar([bool(v) for v in pre[:-1]], [bool(v) for v in post[:-1]])
        assert res_bool.p_value == res.p_value

    @pytest.mark.filterwarnings("error")
    def test_degenerate_and_bad_input(self):
        res = mcnemar([1, 0, 1], [1, 0, 1])
        assert res.reason == "no discordant pairs (b + c = 0)" and _all_nan(res.statistic, res.p_value)
        assert mcnemar([], []).reason == "no complete pairs"
        assert mcnemar_table(0, 0, 0, 0).reason == "no complete pairs"
        with pytest.raises(ValueError, match="0/1"):
            mcnemar([1, 2, 0], [0, 1, 1])
        with pytest.raises(ValueError, match="non-negative"):
            mcnemar_table(1, -2, 3, 4)
        with pytest.raises(ValueError, match="whole"):
            mcnemar_table(1, 2.5, 3, 4)
        with pytest.raises(TypeError):
            mcnemar_table(1, "2", 3, 4)


class TestPairedProportions:
    def test_agresti_presidential_approval(self):
        # Agresti (2002), Categorical Data Analysis, section 10.1.1, the table of R's
        # ?mcnemar.test: 944 of 1600 approved in the first survey (0.59), 880 in the
        # second (0.55); difference -0.04, SE 0.0095, 95% CI about (-0.06, -0.02).
        pre = [1] * 944 + [0] * 656
        post = [1] * 794 + [0] * 150 + [1] * 86 + [0] * 570
        res = paired_proportions(pre, post)
        assert (res.n, res.share_pre, res.share_post) == (1600, 0.59, 0.55)
        assert res.difference == pytest.approx(-0.04)
        assert round(res.se, 4) == 0.0095
        # by hand: sqrt(236 - 64^2 / 1600) / 1600
        assert res.se == pytest.approx(math.sqrt(236 - 64**2 / 1600) / 1600)
        assert (round(res.ci_low, 2), round(res.ci_high, 2)) == (-0.06, -0.02)

    @pytest.mark.filterwarnings("error")
    def test_degenerate(self):
        assert paired_proportions([], []).reason == "no complete pairs"
        res = paired_proportions([1, 0, 1], [1, 0, 1])
        assert res.difference == 0 and res.reason.startswith("no discordant") and math.isnan(res.ci_low)
        res = paired_proportions([0, 0, 0], [1, 1, 1])
        assert res.difference == 1 and res.reason == "everyone changed the same way"
        with pytest.raises(ValueError, match="0/1"):
            paired_proportions([2, 0], [1, 1])


class TestProportionCI:
    @pytest.mark.parametrize(
        "count, n, low, high",
        # Newcombe (1998), Statistics in Medicine 17:857, Table I, method 3 (Wilson score)
        [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718)],
    )
    def test_newcombe_1998_table_1(self, count, n, low, high):
        res = proportion_ci(count, n)
        assert (round(res.ci_low, 4), round(res.ci_high, 4)) == (low, high)
        assert res.share == count / n and res.method == "wilson"

    def test_formula_by_hand(self):
        p, n, z = 30 / 70, 70, sps.norm.ppf(0.975)
        centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
        half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
        res = proportion_ci(30, 70)
        assert (res.ci_low, res.ci_high) == pytest.approx((centre - half, centre + half), rel=1e-12)

    def test_degenerate_and_bad_input(self):
        assert proportion_ci(0, 0).reason == "nobody to count"
        with pytest.raises(ValueError, match="exceed"):
            proportion_ci(5, 4)
        with pytest.raises(ValueError):
            proportion_ci(-1, 4)


# --------------------------------------------------------------------------------------
# Reliable change
# --------------------------------------------------------------------------------------


class TestReliableChange:
    def test_jacobson_truax_by_hand(self):
        pre = pd.Series([10, 12, 14, 16, 18], index=list("abcde"))
        post = [20, 12, 5, 17, 18]
        res = reliable_change(pre, post, reliability=0.84, sd_pre=5.0)
        # S_diff = sqrt(2) * 5 * sqrt(0.16) = 2.8284; RC = change / 2.8284
        assert res.s_diff == pytest.approx(math.sqrt(2) * 5 * 0.4)
        assert res.table["rc"].tolist() == pytest.approx([10 / res.s_diff, 0, -9 / res.s_diff, 1 / res.s_diff, 0])
        assert res.table["category"].tolist() == ["improved", "unchanged", "worsened", "unchanged", "unchanged"]
        assert list(res.table.index) == list("abcde")
        assert (res.share_improved, res.share_unchanged, res.share_worsened) == (0.2, 0.6, 0.2)
        assert res.n == 5 and res.reason is None

    def test_lower_is_better(self):
        res = reliable_change([10, 12, 14], [20, 12, 5], reliability=0.84, sd_pre=5.0, higher_is_better=False)
        assert res.table["category"].tolist() == ["worsened", "unchanged", "improved"]

    def test_maassen(self):
        pre, post = [10, 12, 14, 16, 18], [12, 16, 15, 25, 20]
        res = reliable_change(pre, post, reliability=0.8, method="maassen")
        s1, s2 = np.std(pre, ddof=1), np.std(post, ddof=1)
        assert res.s_diff == pytest.approx(math.sqrt((s1**2 + s2**2) * 0.2))
        assert res.method == "maassen"

    def test_default_sd_is_from_complete_pairs_and_missing_rows_kept(self):
        res = reliable_change([1, 2, 3, 100], [2, 3, 4, np.nan], reliability=0.9)
        assert res.n == 3
        assert res.s_diff == pytest.approx(math.sqrt(2) * 1.0 * math.sqrt(0.1))
        assert pd.isna(res.table["category"].iloc[3]) and math.isnan(res.table["rc"].iloc[3])
        assert res.share_improved + res.share_unchanged + res.share_worsened == pytest.approx(1)

    @pytest.mark.filterwarnings("error")
    def test_degenerate_and_bad_input(self):
        res = reliable_change([5, 5, 5], [6, 4, 5], reliability=0.8)
        assert res.reason == "the SD of the scores is zero"
        assert _all_nan(res.s_diff, res.share_improved) and res.table["category"].isna().all()
        assert reliable_change([1], [2], reliability=0.8).reason == "fewer than 2 pairs to estimate the SD"
        assert reliable_change([1, 2], [2, 3], reliability=math.nan).reason == "reliability is missing"
        assert reliable_change([np.nan], [np.nan], reliability=0.8).reason == "no complete pairs"
        with pytest.raises(ValueError, match="reliability"):
            reliable_change([1, 2], [2, 3], reliability=1.0)
        with pytest.raises(ValueError, match="method"):
            reliable_change([1, 2], [2, 3], reliability=0.8, method="rci")
        with pytest.raises(TypeError):
            reliable_change([1, 2], [2, 3], reliability="0.8")
        with pytest.raises(ValueError, match="same length"):
            reliable_change([1, 2], [2], reliability=0.8)


# --------------------------------------------------------------------------------------
# Cronbach's alpha and omega
# --------------------------------------------------------------------------------------


class TestCronbachAlpha:
    def test_pingouin_documented_example(self):
        # pingouin.cronbach_alpha docstring: pg.cronbach_alpha(data=pg.read_dataset(
        # "cronbach_alpha"), items="Items", scores="Scores", subject="Subj")
        # -> (0.5917188485995826, array([0.195, 0.84 ])); results there are tested
        # against R's psych package.
        data = pg.read_dataset("cronbach_alpha").pivot(index="Subj", values="Scores", columns="Items")
        res = cronbach_alpha(data)
        assert res.alpha == pytest.approx(0.5917188485995826, rel=1e-12)
        assert (round(res.ci_low, 3), round(res.ci_high, 3)) == (0.195, 0.840)
        assert (res.n, res.k) == (15, 10) and res.reason is None

    def test_pingouin_pairwise_and_listwise_examples(self):
        # pingouin docstring, "cronbach_wide_missing": pairwise (psych::alpha(data,
        # use = "pairwise")) 0.732660835214447 [0.435, 0.909]; listwise (psych::alpha(data,
        # use = "complete.obs")) 0.8016949152542373.
        data = pg.read_dataset("cronbach_wide_missing")
        pairwise = cronbach_alpha(data, listwise=False)
        assert pairwise.alpha == pytest.approx(0.732660835214447, rel=1e-12)
        assert (round(pairwise.ci_low, 3), round(pairwise.ci_high, 3)) == (0.435, 0.909)
        listwise = cronbach_alpha(data)
        assert listwise.alpha == pytest.approx(0.8016949152542373, rel=1e-12)
        # pingouin prints [0.581, 0.933] here because it plugs in n = 12 rows before
        # deletion; Feldt's interval with the 9 complete respondents is wider:
        assert listwise.n == 9
        f_hi, f_lo = sps.f.ppf(0.975, 8, 80), sps.f.ppf(0.025, 8, 80)
        assert listwise.ci_low == pytest.approx(1 - (1 - listwise.alpha) * f_hi)
        assert listwise.ci_high == pytest.approx(1 - (1 - listwise.alpha) * f_lo)

    def test_item_total_is_correlation_with_rest(self):
        data = pg.read_dataset("cronbach_alpha").pivot(index="Subj", values="Scores", columns="Items")
        res = cronbach_alpha(data)
        for col in data.columns:
            rest = data.drop(columns=col).sum(axis=1)
            assert res.item_total[col] == pytest.approx(np.corrcoef(data[col], rest)[0, 1], rel=1e-10)

    @pytest.mark.filterwarnings("error")
    def test_degenerate(self):
        assert cronbach_alpha(pd.DataFrame({"a": [1, 2, 3]})).reason == "fewer than 2 items"
        res = cronbach_alpha(pd.DataFrame({"a": [1, np.nan], "b": [2, 3]}))
        assert res.reason.startswith("fewer than 2 respondents") and math.isnan(res.alpha)
        res = cronbach_alpha(pd.DataFrame({"a": [2, 2, 2], "b": [3, 3, 3]}))
        assert res.reason == "total score has zero variance" and math.isnan(res.alpha)
        res = cronbach_alpha(pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 2, 2, 2], "c": [1, 3, 3, 4]}))
        assert "zero variance: b" in res.reason and math.isnan(res.item_total["b"])
        assert not math.isnan(res.alpha)
        assert cronbach_alpha(np.full((4, 3), np.nan)).reason.startswith("fewer than 2 respondents")
        with pytest.raises(TypeError, match="numeric"):
            cronbach_alpha(pd.DataFrame({"a": ["x", "y"], "b": [1, 2]}))
        with pytest.raises(ValueError, match="two-dimensional"):
            cronbach_alpha([1, 2, 3])


def _data_with_covariance(cov: np.ndarray, n: int, seed: int = 0) -> np.ndarray:
    """n rows whose sample covariance equals ``cov`` exactly."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, cov.shape[0]))
    z -= z.mean(axis=0)
    z = z @ np.linalg.inv(np.linalg.cholesky(np.cov(z, rowvar=False))).T
    return z @ np.linalg.cholesky(cov).T + 3.0


class TestOmega:
    def test_recovers_omega_of_an_exact_one_factor_model(self):
        # Covariance exactly lambda lambda' + Psi (raw metric, unequal item SDs):
        # omega = (sum lambda)^2 / ((sum lambda)^2 + sum psi) (McDonald 1999).
        lam = np.array([0.8, 1.4, 0.6, 1.5, 0.57])
        psi = np.array([0.36, 2.04, 0.64, 6.75, 1.68])
        data = _data_with_covariance(np.outer(lam, lam) + np.diag(psi), 200)
        res = omega(data)
        assert res.omega == pytest.approx(lam.sum() ** 2 / (lam.sum() ** 2 + psi.sum()), abs=1e-7)
        assert (res.n, res.k, res.reason) == (200, 5, None)

    def test_equals_alpha_under_tau_equivalence(self):
        # Equal loadings (tau-equivalent items): alpha = omega in the population.
        cov = np.full((4, 4), 0.5) + np.diag([0.5, 0.7, 0.3, 0.9])
        data = _data_with_covariance(cov, 150, seed=1)
        assert omega(data).omega == pytest.approx(cronbach_alpha(data).alpha, abs=1e-7)

    def test_ml_loadings_match_statsmodels(self):
        from statsmodels.multivariate.factor import Factor

        data = pg.read_dataset("cronbach_alpha").pivot(index="Subj", values="Scores", columns="Items")
        corr = np.corrcoef(data.to_numpy(float), rowvar=False)
        lam, psi = stats.reliability._one_factor_ml(corr)
        ref = Factor(corr=corr, n_factor=1, method="ml", nobs=15).fit()
        sign = np.sign(ref.loadings[:, 0].sum())
        assert lam == pytest.approx(sign * ref.loadings[:, 0], abs=1e-4)
        assert psi == pytest.approx(ref.uniqueness, abs=1e-4)

    @pytest.mark.filterwarnings("error")
    def test_degenerate(self):
        assert omega(np.ones((10, 2))).reason == "fewer than 3 items"
        assert omega(np.arange(9.0).reshape(3, 3) ** 2).reason == "fewer complete respondents than items + 1"
        const = np.column_stack([np.arange(6.0), np.ones(6), np.arange(6.0) ** 2])
        assert omega(const).reason == "an item has zero variance"
        x = np.random.default_rng(0).normal(size=(10, 2))
        singular = np.column_stack([x, x.sum(axis=1)])
        assert omega(singular).reason == "item correlation matrix is singular"


# --------------------------------------------------------------------------------------
# Difference in differences and attrition
# --------------------------------------------------------------------------------------


class TestDiffInDiff:
    def _data(self):
        rng = np.random.default_rng(11)
        n = 40
        treated = np.r_[np.ones(22), np.zeros(18)]
        pre = rng.normal(50, 10, n)
        post = pre + rng.normal(3, 6, n) + 4 * treated * rng.normal(1, 1.5, n)
        return pre, post, treated

    def test_matches_welch_and_ols_hc2(self):
        pre, post, treated = self._data()
        res = diff_in_diff(pre, post, treated)
        change = post - pre
        c1, c0 = change[treated == 1], change[treated == 0]
        ref = sps.ttest_ind(c1, c0, equal_var=False)
        ci = ref.confidence_interval(0.95)
        assert res.estimate == pytest.approx(c1.mean() - c0.mean())
        assert res.t == pytest.approx(ref.statistic, rel=1e-12)
        assert res.df == pytest.approx(ref.df, rel=1e-12)
        assert res.p_value == pytest.approx(ref.pvalue, rel=1e-10)
        assert (res.ci_low, res.ci_high) == pytest.approx((ci.low, ci.high), rel=1e-10)
        # OLS of change on group: same coefficient; HC2 standard error = Welch SE
        ols = sm.OLS(change, sm.add_constant(treated)).fit(cov_type="HC2")
        assert ols.params[1] == pytest.approx(res.estimate)
        assert ols.bse[1] == pytest.approx(res.estimate / res.t, rel=1e-10)
        assert (res.n_treated, res.n_control) == (22, 18)

    def test_effect_size_is_hedges_g_of_change_scores(self):
        pre, post, treated = self._data()
        res = diff_in_diff(pre, post, treated)
        change = post - pre
        g = pg.compute_effsize(change[treated == 1], change[treated == 0], eftype="hedges")
        # pingouin uses the exact gamma-function correction; ours 1 - 3/(4N - 9)
        assert res.effect_size == pytest.approx(g, rel=1e-3)
        d = pg.compute_effsize(change[treated == 1], change[treated == 0], eftype="cohen")
        assert res.effect_size == pytest.approx(d * (1 - 3 / (4 * 40 - 9)), rel=1e-12)
        assert res.effect_size_type == "Hedges' g (pooled SD of change scores)"

    def test_effect_size_interval_by_independent_integration(self):
        # The noncentral t CDF as an integral over the chi-square distribution must put the
        # pooled t at its 97.5th / 2.5th percentile at the interval's (uncorrected) limits.
        pre, post, treated = self._data()
        res = diff_in_diff(pre, post, treated)
        n1, n0 = res.n_treated, res.n_control
        df, scale = n1 + n0 - 2, math.sqrt(1 / n1 + 1 / n0)
        j = 1 - 3 / (4 * (n1 + n0) - 9)
        t = res.effect_size / j / scale

        def cdf(ncp):
            f = lambda w: sps.norm.cdf(t * math.sqrt(w / df) - ncp) * sps.chi2.pdf(w, df)
            return integrate.quad(f, 0, np.inf, epsabs=1e-12, epsrel=1e-10)[0]

        assert cdf(res.effect_size_ci_low / j / scale) == pytest.approx(0.975, abs=1e-7)
        assert cdf(res.effect_size_ci_high / j / scale) == pytest.approx(0.025, abs=1e-7)
        assert res.effect_size_ci_low < res.effect_size < res.effect_size_ci_high

    @pytest.mark.filterwarnings("error")
    def test_degenerate_and_bad_input(self):
        res = diff_in_diff([1, 2, 3], [2, 3, 5], [1, 1, 1])
        assert "comparison group" in res.reason and res.n_control == 0
        assert _all_nan(res.estimate, res.t, res.effect_size, res.change_control)
        res = diff_in_diff([1, 2, 3, 4], [2, 3, 5, 6], [1, 1, 0, 0])
        assert res.reason == "change scores have zero variance in both groups"
        assert res.estimate == -1.0 and math.isnan(res.t)
        res = diff_in_diff([np.nan] * 4, [1, 2, 3, 4], [1, 1, 0, 0])
        assert "participant and comparison" in res.reason
        with pytest.raises(ValueError, match="same length"):
            diff_in_diff([1, 2], [1, 2], [1])
        with pytest.raises(ValueError, match="0/1"):
            diff_in_diff([1, 2], [1, 2], [1, 2])


class TestAttrition:
    def test_smd_by_hand(self):
        scores = [10, 12, 14, 11, 9, 8]
        completed = [True, True, True, False, False, False]
        res = attrition(scores, completed)
        # means 12 and 28/3; both groups have SD^2 = 4 and 7/3 -> pooled SD^2 = 19/6
        assert res.smd == pytest.approx((12 - 28 / 3) / math.sqrt(19 / 6))
        assert res.flag is True and res.reason is None
        assert (res.n_completed, res.n_dropped) == (3, 3)
        d = pg.compute_effsize([10, 12, 14], [11, 9, 8], eftype="cohen")
        assert res.smd == pytest.approx(d)

    def test_small_difference_not_flagged(self):
        rng = np.random.default_rng(3)
        scores = rng.normal(0, 1, 4000)
        res = attrition(scores, rng.random(4000) < 0.6)
        assert abs(res.smd) < 0.2 and res.flag is False

    @pytest.mark.filterwarnings("error")
    def test_degenerate(self):
        res = attrition([1, 2, 3], [1, 1, 1])
        assert res.reason == "nobody dropped out" and math.isnan(res.smd) and res.flag is False
        assert attrition([1, 2], [0, 0]).reason == "nobody completed both waves"
        assert attrition([], []).reason == "no baseline scores"
        assert attrition([1, 2], [1, 0]).reason.startswith("too few people")
        assert attrition([4, 4, 4, 4], [1, 0, 1, 0]).reason == "baseline scores have zero variance"
        with pytest.raises(ValueError, match="same length"):
            attrition([1, 2, 3], [1, 0])


# --------------------------------------------------------------------------------------
# Multiple comparisons
# --------------------------------------------------------------------------------------


class TestAdjustP:
    # Expected values follow R's p.adjust source (src/library/stats/R/p.adjust.R):
    # holm: pmin(1, cummax((n - i + 1) * p[o]))[ro]; BH: pmin(1, cummin(n / i * p[o]))[ro]
    # with i running downwards; NAs are removed before n is taken.

    def test_holm(self):
        # p.adjust(c(0.01, 0.02, 0.03, 0.04, 0.05), "holm") = 0.05 0.08 0.09 0.09 0.09
        res = adjust_p([0.01, 0.02, 0.03, 0.04, 0.05])
        assert res.p_adjusted == pytest.approx([0.05, 0.08, 0.09, 0.09, 0.09])
        assert res.method == "holm"
        # unsorted: p.adjust(c(0.01, 0.04, 0.03, 0.02), "holm") = 0.04 0.06 0.06 0.06
        assert adjust_p([0.01, 0.04, 0.03, 0.02]).p_adjusted == pytest.approx([0.04, 0.06, 0.06, 0.06])

    def test_bh(self):
        # p.adjust(c(0.001, 0.008, 0.039, 0.041, 0.042, 0.06), "BH")
        #   = 0.0060 0.0240 0.0504 0.0504 0.0504 0.0600
        res = adjust_p([0.001, 0.008, 0.039, 0.041, 0.042, 0.06], method="fdr_bh")
        assert res.p_adjusted == pytest.approx([0.006, 0.024, 0.0504, 0.0504, 0.0504, 0.06])

    def test_benjamini_hochberg_1995_example(self):
        # Benjamini & Hochberg (1995, section 4): 15 p-values; at q = 0.05 the procedure
        # rejects the four smallest.
        p = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.0000]
        res = adjust_p(p, method="fdr_bh")
        assert (res.p_adjusted <= 0.05).sum() == 4

    def test_bonferroni_and_nan(self):
        # p.adjust(c(0.01, NA, 0.02, 0.5), "bonferroni") = 0.03 NA 0.06 1.00
        res = adjust_p([0.01, np.nan, 0.02, 0.5], method="bonferroni")
        assert res.p_adjusted[[0, 2, 3]] == pytest.approx([0.03, 0.06, 1.0])
        assert math.isnan(res.p_adjusted[1])
        # p.adjust(c(0.001, 0.01, 0.04, 0.2, 0.5, NA), "BH") = 0.005 0.025 0.0667 0.25 0.5 NA
        res = adjust_p([0.001, 0.01, 0.04, 0.2, 0.5, np.nan], method="fdr_bh")
        assert res.p_adjusted[:5] == pytest.approx([0.005, 0.025, 0.04 * 5 / 3, 0.25, 0.5])
        assert math.isnan(res.p_adjusted[5])

    @settings(max_examples=25, deadline=None)
    @given(st.lists(st.sampled_from([0.0, 0.001, 0.01, 0.02, 0.049, 0.05, 0.2, 0.7, 1.0]) | st.floats(0, 1), min_size=1, max_size=25), st.sampled_from(["holm", "fdr_bh", "bonferroni"]))
    def test_agrees_with_statsmodels_multipletests(self, p, method):
        # An independent implementation, with the method named (ties included).
        from statsmodels.stats.multitest import multipletests

        assert adjust_p(p, method=method).p_adjusted == pytest.approx(multipletests(p, method=method)[1], abs=1e-12)

    def test_not_holm_sidak(self):
        p = [0.01, 0.02, 0.03]
        assert adjust_p(p).p_adjusted[0] == pytest.approx(0.03)  # Holm-Sidak would give 0.0297

    @pytest.mark.filterwarnings("error")
    def test_edge_cases(self):
        assert np.isnan(adjust_p([np.nan, np.nan]).p_adjusted).all()
        assert adjust_p([]).p_adjusted.size == 0
        res = adjust_p([0.2])
        with pytest.raises(ValueError):
            res.p_adjusted[0] = 0.1  # read-only
        with pytest.raises(ValueError, match="method"):
            adjust_p([0.1], method="hs")
        with pytest.raises(ValueError, match="between 0 and 1"):
            adjust_p([0.1, 1.5])


# --------------------------------------------------------------------------------------
# Bootstrap
# --------------------------------------------------------------------------------------


class TestBootstrap:
    def test_reproducible_and_seed_dependent(self):
        x = np.random.default_rng(1).normal(10, 2, 40)
        a = bootstrap_ci(x, "mean", n_resamples=2000, seed=123)
        b = bootstrap_ci(x, "mean", n_resamples=2000, seed=123)
        c = bootstrap_ci(x, "mean", n_resamples=2000, seed=124)
        assert a == b
        assert (a.ci_low, a.ci_high) != (c.ci_low, c.ci_high)
        assert a.estimate == pytest.approx(x.mean()) and a.method == "percentile"

    @settings(max_examples=25, deadline=None)
    @given(st.lists(st.integers(0, 10), min_size=2, max_size=30), st.integers(0, 2**32 - 1))
    def test_property_same_seed_same_result(self, values, seed):
        assert bootstrap_ci(values, "median", n_resamples=200, seed=seed) == bootstrap_ci(values, "median", n_resamples=200, seed=seed)

    def test_close_to_scipy_percentile_interval(self):
        x = np.random.default_rng(5).exponential(1, 60)
        ours = bootstrap_ci(x, "mean", n_resamples=20000, seed=1)
        ref = sps.bootstrap((x,), np.mean, n_resamples=20000, method="percentile", rng=2)
        assert ours.ci_low == pytest.approx(ref.confidence_interval.low, abs=0.03)
        assert ours.ci_high == pytest.approx(ref.confidence_interval.high, abs=0.03)

    def test_paired_resamples_rows_together(self):
        rng = np.random.default_rng(9)
        pre = rng.normal(0, 5, 30)
        post = pre + 1 + rng.normal(0, 0.5, 30)
        paired = bootstrap_ci((pre, post), "mean_difference", paired=True, seed=3)
        independent = bootstrap_ci((pre, post), "mean_difference", paired=False, seed=3)
        diff_only = bootstrap_ci(post - pre, "mean", seed=3)
        assert paired.estimate == pytest.approx(np.mean(post - pre))
        # resampling pairs keeps the correlation: much narrower than independent resampling
        assert paired.ci_high - paired.ci_low < 0.3 * (independent.ci_high - independent.ci_low)
        # same indices as resampling the differences with the same seed
        assert (paired.ci_low, paired.ci_high) == pytest.approx((diff_only.ci_low, diff_only.ci_high))
        assert paired.n == 30 and independent.n == 60

    def test_callable_with_and_without_axis(self):
        x = np.arange(20.0)
        vec = bootstrap_ci(x, np.mean, n_resamples=500, seed=2)
        loop = bootstrap_ci(x, lambda a: float(np.mean(a)), n_resamples=500, seed=2)
        assert (vec.ci_low, vec.ci_high) == pytest.approx((loop.ci_low, loop.ci_high))

    def test_large_sample_is_chunked(self):
        x = np.random.default_rng(0).normal(size=5000)
        res = bootstrap_ci(x, "mean", n_resamples=1000, seed=0)
        assert res.ci_low < x.mean() < res.ci_high

    @pytest.mark.filterwarnings("error")
    def test_degenerate_and_bad_input(self):
        res = bootstrap_ci([1.0], "mean")
        assert res.reason == "fewer than 2 observations" and _all_nan(res.estimate, res.ci_low)
        assert bootstrap_ci([np.nan, np.nan, 1.0]).reason == "fewer than 2 observations"
        res = bootstrap_ci([1.0, 1.0, 1.0, 2.0], lambda a, axis=-1: np.log(np.mean(a, axis=axis) - 1))
        assert res.reason is not None and math.isnan(res.ci_low)
        with pytest.raises(ValueError, match="statistic"):
            bootstrap_ci([1, 2, 3], "mean_difference")
        with pytest.raises(ValueError, match="paired"):
            bootstrap_ci([1, 2, 3], "mean", paired=True)
        with pytest.raises(ValueError, match="equal lengths"):
            bootstrap_ci(([1, 2, 3], [1, 2]), "mean_difference", paired=True)
        with pytest.raises(ValueError, match="n_resamples"):
            bootstrap_ci([1, 2, 3], n_resamples=0)
        with pytest.raises(TypeError, match="seed"):
            bootstrap_ci([1, 2, 3], seed=1.5)


# --------------------------------------------------------------------------------------
# Methods registry
# --------------------------------------------------------------------------------------


class TestMethods:
    PUBLIC = {
        "paired_change",
        "signed_rank",
        "mcnemar",
        "mcnemar_table",
        "reliable_change",
        "cronbach_alpha",
        "omega",
        "diff_in_diff",
        "attrition",
        "adjust_p",
        "bootstrap_ci",
        "paired_proportions",
        "proportion_ci",
    }

    def test_every_public_statistic_is_described(self):
        assert set(stats.METHODS) == self.PUBLIC
        for key, entry in stats.METHODS.items():
            assert set(entry) == {"name", "formula", "reference", "notes"}, key
            assert all(isinstance(v, str) and v for v in entry.values()), key

    def test_methods_table(self):
        table = methods_table()
        assert list(table.columns) == ["function", "name", "formula", "reference", "notes"]
        assert set(table["function"]) == self.PUBLIC

    def test_results_are_frozen(self):
        res = paired_change([1, 2, 3], [2, 4, 5])
        with pytest.raises(AttributeError):
            res.t = 0.0
