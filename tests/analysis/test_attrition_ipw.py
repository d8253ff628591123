"""Attrition-robust check (issue 11, section 3): the mean change reweighted by the inverse
probability of retention, beside the completers-only estimate and the baseline imbalance."""

from __future__ import annotations

import math

import numpy as np
import pytest
import statsmodels.api as sm

from pipeline import stats
from pipeline.analysis.indicators import instrument_indicators
from pipeline.analysis.quality import attrition_table
from tests.analysis.test_indicators import CB, _scored


def _draw(rng, n=600):
    b = rng.normal(0, 1, n)
    change = 0.5 - 0.4 * b + rng.normal(0, 1, n)  # true mean change 0.5
    kept = rng.random(n) < 1 / (1 + np.exp(-(0.5 + 1.2 * b)))  # positive starters stay
    return b, kept, np.where(kept, change, np.nan)


def test_weighted_mean_by_hand_with_statsmodels_logit():
    rng = np.random.default_rng(3)
    b, kept, change = _draw(rng, 300)
    res = stats.retention_weighted_change(b[:, None], kept, change)
    logit = sm.Logit(kept.astype(float), sm.add_constant(b)).fit(disp=0)  # independent fit
    w = 1 / logit.predict(sm.add_constant(b))[kept]
    d = change[kept]
    est = np.sum(w * d) / np.sum(w)
    assert res.estimate == pytest.approx(est, rel=1e-6)
    assert res.se == pytest.approx(math.sqrt(np.sum(w**2 * (d - est) ** 2)) / np.sum(w), rel=1e-6)
    assert res.completers_estimate == pytest.approx(d.mean()) and res.n == 300 and res.n_retained == kept.sum()


def test_weights_remove_the_bias_of_completers_only():
    # dropout depends on the baseline, and so does the change: completers-only is biased
    # (about -0.16 here), the weighted estimate is not, and its interval covers ~95%
    rng = np.random.default_rng(1)
    reps, bias_c, bias_w, hits = 300, [], [], 0
    for _ in range(reps):
        res = stats.retention_weighted_change(*(lambda b, k, c: (b[:, None], k, c))(*_draw(rng)))
        bias_c.append(res.completers_estimate - 0.5)
        bias_w.append(res.estimate - 0.5)
        hits += res.ci_low <= 0.5 <= res.ci_high
    assert np.mean(bias_c) < -0.1
    assert abs(np.mean(bias_w)) < 0.03
    assert 0.92 <= hits / reps <= 0.98


def test_degenerate():
    res = stats.retention_weighted_change(np.ones((4, 1)), [1, 1, 1, 1], [0.1, 0.2, 0.3, 0.4])
    assert res.reason == "nobody dropped out" and math.isnan(res.estimate) and res.completers_estimate == pytest.approx(0.25)
    with pytest.raises(ValueError, match="one entry per person"):
        stats.retention_weighted_change(np.ones((4, 1)), [1, 0, 1], [0.1, 0.2, 0.3])


def test_consortium_rows_carry_the_attrition_check():
    scored = _scored(n_part=120, n_comp=0, seed=8)
    rng = np.random.default_rng(8)
    pre = scored.loc[scored["wave"] == "pre"].set_index("respondent_id")["attitudes"]
    stay = pre.index[rng.random(pre.size) < 1 / (1 + np.exp(-(pre - 5)))]  # positive starters stay
    scored = scored.loc[(scored["wave"] == "pre") | scored["respondent_id"].isin(stay)]
    table = instrument_indicators(scored, CB, min_cell=5)
    row = table.loc[(table["indicator_id"] == "community_attitudes.attitudes.change") & (table["group_by"] == "consortium")].iloc[0]
    att = attrition_table(scored, CB, 5)
    smd = att.loc[(att["scale"] == "attitudes") & (att["group_by"] == "consortium"), "smd"].iloc[0]
    assert row["attrition_smd"] == pytest.approx(smd) and smd > 0.2
    assert row["change_ipw_ci_low"] < row["change_ipw"] < row["change_ipw_ci_high"]
    partner = table.loc[(table["indicator_id"] == "community_attitudes.attitudes.change") & (table["group_by"] == "partner")]
    assert partner["change_ipw"].isna().all()  # consortium level only
