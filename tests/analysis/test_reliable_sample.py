"""Reliable change uses the reliability measured in the sample (issue 11, section 3): Cronbach's
alpha of the scale at the earlier wave, all respondents, as reliability.csv has it; the
codebook's nominal value only when alpha cannot be measured. Alpha checked with pingouin."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

from pipeline.analysis.indicators import instrument_indicators
from tests.analysis.test_indicators import CB, _scored

ITEMS = ["att_economy", "att_culture", "att_place", "att_jobs"]


def _with_items(seed=4):
    scored = _scored(n_part=60, n_comp=0, seed=seed)
    rng = np.random.default_rng(seed)
    # items = a person's true level + much noise (alpha well below the codebook's 0.85)
    true = {rid: rng.normal(5, 1.2) for rid in scored["respondent_id"].unique()}
    for wave, shift in (("pre", 0.0), ("post", 0.8)):
        at = scored["wave"] == wave
        for it in ITEMS:
            scored.loc[at, it] = np.clip(np.round([true[r] + shift + rng.normal(0, 1.6) for r in scored.loc[at, "respondent_id"]]), 0, 10)
        scored.loc[at, "attitudes"] = scored.loc[at, ITEMS].mean(axis=1)
    return scored


def test_reliable_change_uses_alpha_measured_at_the_earlier_wave():
    scored = _with_items()
    pre_items = scored.loc[scored["wave"] == "pre", ITEMS]
    alpha = pg.cronbach_alpha(data=pre_items)[0]  # independent: pingouin
    assert 0.4 < alpha < 0.8  # well below the codebook's nominal 0.85
    table = instrument_indicators(scored, CB, min_cell=1)  # shares of 1-4 people shown: this test checks the arithmetic
    row = table.loc[(table["indicator_id"] == "community_attitudes.attitudes.change") & (table["group_by"] == "consortium")].iloc[0]
    assert row["rc_reliability"] == pytest.approx(alpha, rel=1e-10)
    assert f"r_xx = {alpha:.2f}, Cronbach's alpha at 'pre' measured in the sample" in row["reliable_change_method"]
    assert "the codebook gives 0.85" in row["reliable_change_method"]
    wide = scored.pivot(index="respondent_id", columns="wave", values="attitudes")
    s_diff = np.sqrt(2) * wide["pre"].std(ddof=1) * np.sqrt(1 - alpha)
    rc = (wide["post"] - wide["pre"]) / s_diff
    assert row["reliable_improved"] == pytest.approx((rc > 1.96).mean())
    # with the codebook's 0.85 more people would count as reliably improved: the two differ
    rc_nominal = (wide["post"] - wide["pre"]) / (np.sqrt(2) * wide["pre"].std(ddof=1) * np.sqrt(1 - 0.85))
    assert (rc_nominal > 1.96).mean() > row["reliable_improved"]


def test_codebook_value_when_alpha_cannot_be_measured():
    table = instrument_indicators(_scored(), CB, min_cell=5)  # item columns empty
    row = table.loc[(table["indicator_id"] == "community_attitudes.attitudes.change") & (table["group_by"] == "consortium")].iloc[0]
    assert row["rc_reliability"] == 0.85 and "from the codebook (alpha could not be measured" in row["reliable_change_method"]
    assert pd.notna(row["reliable_improved"])
