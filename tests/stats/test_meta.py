"""Random-effects summary across partners against a published worked example.

The BCG vaccine trials (Colditz et al. 1994, JAMA 271:698-702), metafor's ``dat.bcg``:
log risk ratios of 13 trials. metafor's documentation (Viechtbauer 2010, J Stat Softw
36(3); ?rma.uni, the example ``rma(yi, vi, data = dat)``) prints

* REML (the default): estimate -0.7145, se 0.1798, zval -3.9744, ci.lb -1.0669,
  ci.ub -0.3622, tau^2 0.3132, I^2 92.22%, Q(df = 12) = 152.2330;
* method = "DL": estimate -0.7141, se 0.1787, ci.lb -1.0644, ci.ub -0.3638,
  tau^2 0.3088, I^2 92.12%.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps
from statsmodels.stats.meta_analysis import combine_effects

from pipeline.stats import random_effects

# trial: vaccinated TB+, TB-, control TB+, TB- (dat.bcg: tpos, tneg, cpos, cneg)
BCG = np.array(
    [
        [4, 119, 11, 128],
        [6, 300, 29, 274],
        [3, 228, 11, 209],
        [62, 13536, 248, 12619],
        [33, 5036, 47, 5761],
        [180, 1361, 372, 1079],
        [8, 2537, 10, 619],
        [505, 87886, 499, 87892],
        [29, 7470, 45, 7232],
        [17, 1699, 65, 1600],
        [186, 50448, 141, 27197],
        [5, 2493, 3, 2338],
        [27, 16886, 29, 17825],
    ],
    dtype=float,
)


def bcg():
    tp, tn, cp, cn = BCG.T
    yi = np.log((tp / (tp + tn)) / (cp / (cp + cn)))  # escalc(measure = "RR")
    vi = 1 / tp - 1 / (tp + tn) + 1 / cp - 1 / (cp + cn)
    return yi, vi


def test_reml_matches_metafor():
    res = random_effects(*bcg(), method="reml")
    assert res.k == 13
    assert round(res.estimate, 4) == -0.7145 and round(res.se, 4) == 0.1798
    assert (round(res.ci_low, 4), round(res.ci_high, 4)) == (-1.0669, -0.3622)
    assert round(res.z, 4) == -3.9744
    assert round(res.tau2, 4) == 0.3132 and round(100 * res.i2, 2) == 92.22
    assert round(res.q, 4) == 152.2330


def test_dl_matches_metafor_and_statsmodels():
    yi, vi = bcg()
    res = random_effects(yi, vi, method="dl")
    assert round(res.estimate, 4) == -0.7141 and round(res.se, 4) == 0.1787
    assert (round(res.ci_low, 4), round(res.ci_high, 4)) == (-1.0644, -0.3638)
    assert round(res.tau2, 4) == 0.3088 and round(100 * res.i2, 2) == 92.12
    ref = combine_effects(yi, vi, method_re="dl")
    assert res.estimate == pytest.approx(ref.mean_effect_re, rel=1e-10)
    assert res.se == pytest.approx(ref.sd_eff_w_re, rel=1e-10)
    assert res.tau2 == pytest.approx(ref.tau2, rel=1e-10) and res.i2 == pytest.approx(ref.i2, rel=1e-10)
    assert res.fixed_estimate == pytest.approx(ref.mean_effect_fe, rel=1e-10)


def test_prediction_interval_by_hand():
    # Higgins, Thompson & Spiegelhalter (2009): mu +/- t_{k-2} sqrt(tau^2 + SE^2)
    res = random_effects(*bcg(), method="reml")
    half = sps.t.ppf(0.975, 11) * math.sqrt(res.tau2 + res.se**2)
    assert (res.pi_low, res.pi_high) == pytest.approx((res.estimate - half, res.estimate + half))
    assert res.pi_low < res.ci_low and res.pi_high > res.ci_high


def test_homogeneous_sites_have_no_heterogeneity():
    res = random_effects([0.5, 0.5, 0.5, 0.5], [0.01, 0.02, 0.03, 0.01])
    assert res.tau2 == 0 and res.i2 == 0 and res.estimate == pytest.approx(0.5)
    assert res.se == pytest.approx(res.fixed_se)


def test_degenerate_and_bad_input():
    res = random_effects([0.3], [0.01])
    assert res.k == 1 and math.isnan(res.estimate) and "fewer than 2" in res.reason
    two = random_effects([0.3, 0.5], [0.01, 0.02])
    assert math.isnan(two.pi_low) and "at least 3" in two.reason and not math.isnan(two.estimate)
    assert random_effects([0.3, np.nan, 0.4], [0.01, 0.02, np.nan]).k == 1
    with pytest.raises(ValueError, match="positive"):
        random_effects([0.1, 0.2], [0.0, 0.1])
    with pytest.raises(ValueError, match="method"):
        random_effects([0.1, 0.2], [0.1, 0.1], method="pm")


def test_indicator_rows_carry_the_partners_random_effects_summary():
    import pandas as pd

    from pipeline.analysis.indicators import instrument_indicators
    from tests.analysis.test_indicators import CB, _scored

    scored = _scored(n_part=80, n_comp=0, seed=9)
    codes = np.array(["DE-LEI", "ES-VAL", "GR-THE", "IT-PAL"])
    scored["partner"] = codes[scored["respondent_id"].str[1:].astype(int) % 4]
    # partners differ: a site-specific shift of the change
    shift = scored["partner"].map({"DE-LEI": -0.8, "ES-VAL": 0.0, "GR-THE": 0.5, "IT-PAL": 1.2})
    scored.loc[scored["wave"] == "post", "attitudes"] += shift[scored["wave"] == "post"]
    table = instrument_indicators(scored, CB, min_cell=5)
    re = table.loc[table["indicator_id"] == "community_attitudes.attitudes.random_effects"].iloc[0]
    parts = table.loc[(table["indicator_id"] == "community_attitudes.attitudes.change") & (table["group_by"] == "partner")]
    se = (parts["ci_high"] - parts["ci_low"]) / (2 * sps.t.ppf(0.975, parts["df"]))
    ref = combine_effects(parts["mean_change"].to_numpy(), (se**2).to_numpy(), method_re="dl")
    own = random_effects(parts["mean_change"], se**2, method="reml", test="knha")
    assert re["analysis"] == "random_effects" and re["k_partners"] == 4 and re["n_paired"] == 80
    assert re["mean_change"] == pytest.approx(own.estimate) and re["tau2"] == pytest.approx(own.tau2)
    assert (re["pi_low"], re["pi_high"]) == pytest.approx((own.pi_low, own.pi_high))
    # Hartung-Knapp-Sidik-Jonkman with 4 partners: t with 3 df, as statsmodels computes it (use_t)
    ref_hk = combine_effects(parts["mean_change"].to_numpy(), (se**2).to_numpy(), method_re="dl").conf_int(use_t=True)[3]
    assert re["df"] == 3 and re["ci_high"] - re["ci_low"] == pytest.approx(ref_hk[1] - ref_hk[0], rel=0.1)
    # the partners' d_z combined the same way, each with variance 1/n + d^2 / 2n
    n, d = parts["n_paired"].to_numpy(float), parts["effect_size"].to_numpy(float)
    dz = random_effects(d, 1 / n + d**2 / (2 * n), method="reml", test="knha")
    assert (re["effect_size"], re["effect_size_ci_low"], re["effect_size_ci_high"]) == pytest.approx((dz.estimate, dz.ci_low, dz.ci_high))
    assert (re["effect_size_pi_low"], re["effect_size_pi_high"]) == pytest.approx((dz.pi_low, dz.pi_high))
    assert re["effect_size_pi_low"] < re["effect_size_ci_low"] < re["effect_size"] < re["effect_size_ci_high"] < re["effect_size_pi_high"]
    # REML and DL agree closely here, and the sites clearly differ
    assert re["mean_change"] == pytest.approx(ref.mean_effect_re, abs=0.05) and re["i2"] > 0.5
    assert re["pi_high"] - re["pi_low"] > re["ci_high"] - re["ci_low"]
    assert pd.notna(re["p_value_adjusted"]) and "random_effects" in re["p_adjust_family"]


def test_a_small_partner_is_left_out_and_its_count_cannot_be_worked_out():
    from pipeline.analysis.indicators import instrument_indicators
    from tests.analysis.test_indicators import CB, _scored

    scored = _scored(n_part=63, n_comp=0, seed=9)
    number = scored["respondent_id"].str[1:].astype(int)
    scored["partner"] = np.where(number < 3, "PT-LIS", np.array(["DE-LEI", "ES-VAL", "GR-THE"])[number % 3])  # PT-LIS: 3 people
    table = instrument_indicators(scored, CB, min_cell=5)
    re = table.loc[table["indicator_id"] == "community_attitudes.attitudes.random_effects"].iloc[0]
    assert re["k_partners"] == 3 and "PT-LIS" in re["note"]
    assert np.isnan(re["n_paired"])  # 63 - n(RE) would give PT-LIS's 3


# Kacker's example as metafor fits it: statsmodels' tests record the output of
# rma(y, v, method = "DL", test = "knha", control = list(tol = 1e-9)) (results_meta.exk1_dl_hksj)
KACKER_Y = [61.0, 61.4, 62.21, 62.3, 62.34, 62.6, 62.7, 62.84, 65.9]
KACKER_V = [0.2025, 1.2100, 0.0900, 0.2025, 0.3844, 0.5625, 0.0676, 0.0225, 1.8225]


def test_hartung_knapp_matches_metafor_knha():
    res = random_effects(KACKER_Y, KACKER_V, method="dl", test="knha")
    assert res.estimate == pytest.approx(62.3901386044504, abs=1e-10)
    assert res.se == pytest.approx(0.29477605699879, abs=1e-10)
    assert (res.ci_low, res.ci_high) == pytest.approx((61.710383798052, 63.0698934108488), abs=1e-9)
    assert res.z == pytest.approx(211.652666908108, rel=1e-10) and res.df == 8
    assert res.p_value == pytest.approx(2.77938607433693e-16, rel=1e-6)
    assert res.tau2 == pytest.approx(0.288049246973751, abs=1e-10) and 100 * res.i2 == pytest.approx(67.744403741711, abs=1e-8)
    assert res.q == pytest.approx(24.801897741835, abs=1e-9)


def test_hartung_knapp_by_hand_with_reml():
    # the same formula with REML's tau^2: SE_HK^2 = sum w (y - mu)^2 / ((k - 1) sum w), t with k - 1 df
    yi, vi = bcg()
    z, hk = random_effects(yi, vi), random_effects(yi, vi, test="knha")
    assert hk.estimate == z.estimate and hk.tau2 == z.tau2
    w = 1 / (vi + hk.tau2)
    se = math.sqrt(np.sum(w * (yi - hk.estimate) ** 2) / (12 * np.sum(w)))
    assert hk.se == pytest.approx(se, rel=1e-12)
    half = sps.t.ppf(0.975, 12) * se
    assert (hk.ci_low, hk.ci_high) == pytest.approx((hk.estimate - half, hk.estimate + half), rel=1e-12)
    assert hk.p_value == pytest.approx(2 * sps.t.sf(abs(hk.estimate / se), 12), rel=1e-10)
    with pytest.raises(ValueError, match="test"):
        random_effects(yi, vi, test="t")
