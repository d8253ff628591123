"""Indicator rows: checked against R's documented output, suppression applied."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.indicators import COLUMNS, change_row, format_change, scale_change
from pipeline.codebook import load_codebook
from pipeline.config import SURVEYS_DIR

# R's sleep data (datasets::sleep): extra sleep under drug 1 and drug 2, same 10 patients.
SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]


def test_change_row_reproduces_r_t_test_on_sleep():
    # R: t.test(extra ~ group, data = sleep, paired = TRUE) takes group 1 minus group 2:
    #   t = -4.0621, df = 9, p-value = 0.002833, 95% CI -2.4598858 -0.7001142, mean difference -1.58.
    # Our change is post minus pre, so with pre = group 1 and post = group 2 the signs flip.
    row = change_row(pd.Series(SLEEP_1), pd.Series(SLEEP_2))
    assert row["n_paired"] == 10 and row["df"] == 9
    assert row["t"] == pytest.approx(4.0621, abs=1e-4)
    assert row["p_value"] == pytest.approx(0.002833, abs=1e-6)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((0.7001142, 2.4598858), abs=1e-6)
    assert row["mean_change"] == pytest.approx(1.58)
    # R: wilcox.test(sleep$extra[11:20], sleep$extra[1:10], paired = TRUE): V = 45, p-value = 0.009091
    # (normal approximation with continuity correction: there are ties and a zero difference)
    assert row["wilcoxon_v"] == 45
    assert row["wilcoxon_p_value"] == pytest.approx(0.009091, abs=1e-6)
    # d_z = mean(diff) / sd(diff) = 1.58 / 1.229995 (Lakens 2013, eq. 6)
    assert row["effect_size"] == pytest.approx(1.58 / np.std(np.subtract(SLEEP_2, SLEEP_1), ddof=1))
    assert row["effect_size_type"] == "d_z"


def test_missing_sides_count_for_their_wave_only():
    pre = pd.Series([1.0, 2.0, np.nan, 4.0, 5.0, 3.0])
    post = pd.Series([2.0, np.nan, 3.0, 5.0, 5.5, 3.2])
    row = change_row(pre, post)
    assert (row["n_pre"], row["n_post"], row["n_paired"]) == (5, 5, 4)


def test_scale_change_suppresses_small_groups():
    cb = load_codebook(SURVEYS_DIR / "community_attitudes.yaml")
    rng = np.random.default_rng(1)
    rows = []
    for k in range(40):
        partner = "GR-THE" if k < 37 else "IT-PAL"  # IT-PAL: 3 people
        for wave, shift in (("pre", 0.0), ("post", 0.5)):
            r = {"respondent_id": f"r{k}", "wave": wave, "partner": partner, "country": partner[:2], "gender": "female", "age_group": "30-44", "group": "local_resident", "language": "en"}
            for sc in cb.scales:
                r[sc.id] = rng.normal(3 + shift, 1)
            rows.append(r)
    table = scale_change(pd.DataFrame(rows), cb, min_cell=5)
    assert list(table.columns) == COLUMNS
    it = table.loc[(table["group_by"] == "partner") & (table["group"] == "IT-PAL")]
    assert it["suppressed"].all() and it["n_paired"].isna().all() and it["mean_change"].isna().all()
    # the only other partner is hidden too, or 40 - 37 would reveal IT-PAL
    gr = table.loc[(table["group_by"] == "partner") & (table["group"] == "GR-THE")]
    assert (gr["suppression"] == "secondary").all()
    cons = table.loc[table["group_by"] == "consortium"]
    assert not cons["suppressed"].any() and (cons["n_paired"] == 40).all()


def test_format_change_names_n_and_interval():
    text = format_change({"mean_change": 0.5, "ci_low": 0.2, "ci_high": 0.8, "n_paired": 40, "confidence": 0.95, "suppressed": False})
    assert text == "+0.50 (95% CI 0.20 to 0.80; n = 40 pairs)"
    assert "suppressed" in format_change({"suppressed": True})
