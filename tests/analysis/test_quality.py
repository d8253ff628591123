"""Reliability per wave and language, attrition: checked against pingouin and by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

from pipeline.analysis.quality import ATTRITION_COLUMNS, RELIABILITY_COLUMNS, attrition_table, reliability, reliability_row
from pipeline.config import SURVEYS_DIR
from pipeline.ingest.score import item_values, score
from pipeline.instruments.codebook import load_codebook

CB = load_codebook(SURVEYS_DIR / "community_attitudes.yaml")


def _validated(n=60, seed=3, languages=("el", "en"), weights=(0.95, 0.05), drop=0.3):
    """Validated rows (item codes, as ingestion leaves them) of two waves."""
    rng = np.random.default_rng(seed)
    rows = []
    trait = rng.normal(size=n)
    lang = rng.choice(languages, size=n, p=weights)
    for wave in ("pre", "post"):
        for k in range(n):
            if wave == "post" and k < int(drop * n):
                continue  # the first people drop out
            r = {"respondent_id": f"r{k}", "wave": wave, "partner": "GR-THE" if k % 2 else "ES-VAL", "language": lang[k], "took_part": "comparison" if k >= n - 10 else "participant"}
            for it in CB.items:
                rs = it.response_scale
                x = np.clip(np.rint((rs.min + rs.max) / 2 + (rs.max - rs.min) / 4 * (trait[k] + rng.normal(0, 0.7))), rs.min, rs.max)
                r[it.id] = float(rs.min + rs.max - x) if it.reverse else float(x)
            rows.append(r)
    return score(pd.DataFrame(rows), CB)


def test_alpha_per_wave_matches_pingouin():
    scored = _validated()
    table = reliability(scored, CB, min_cell=5)
    assert list(table.columns) == RELIABILITY_COLUMNS
    row = table.loc[(table["scale"] == "knowledge") & (table["wave"] == "pre") & (table["group_by"] == "all")].iloc[0]
    items = item_values(scored.loc[scored["wave"] == "pre"], CB)[list(CB.scale("knowledge").items)]
    alpha, ci = pg.cronbach_alpha(data=items)  # pingouin: Feldt interval, checked against R's psych
    assert row["alpha"] == pytest.approx(alpha)
    assert (round(row["alpha_ci_low"], 3), round(row["alpha_ci_high"], 3)) == tuple(ci)
    assert row["n"] == 60 and row["k"] == 4
    assert not np.isnan(row["omega"])


def test_small_language_versions_are_hidden_and_cannot_be_recovered():
    scored = _validated(n=60, languages=("el", "en", "uk"), weights=(0.6, 0.35, 0.05))
    table = reliability(scored, CB, min_cell=5)
    pre = table.loc[(table["scale"] == "attitudes") & (table["wave"] == "pre")].set_index("group")
    counts = scored.loc[scored["wave"] == "pre", "language"].value_counts()
    assert counts["uk"] < 5
    assert pre.loc["uk", "suppression"] == "primary" and pd.isna(pre.loc["uk", "alpha"]) and pd.isna(pre.loc["uk", "n"])
    assert pre.loc["en", "suppression"] == "secondary"  # the next smallest, else all - el - en = uk
    assert not pre.loc["all", "suppressed"]


def test_flag_below_0_70_and_omega_needs_three_items():
    rng = np.random.default_rng(0)
    noise = pd.DataFrame(rng.normal(size=(80, 4)), columns=list("abcd"))  # unrelated items: alpha near 0
    row = reliability_row(noise)
    assert row["alpha"] < 0.70 and row["flag"] == "alpha below 0.70"
    row = reliability_row(noise[["a", "b"]])
    assert np.isnan(row["omega"]) and "omega needs at least 3 items" in row["note"]
    row = reliability_row(pd.DataFrame({"a": [np.nan] * 5, "b": [np.nan] * 5, "c": [1.0] * 5}))
    assert np.isnan(row["alpha"]) and row["flag"] == "" and "fewer than 2 respondents" in row["note"]


def test_attrition_smd_by_hand_for_participants_and_comparison_group():
    scored = _validated(n=80, drop=0.3)
    table = attrition_table(scored, CB, min_cell=5)
    assert list(table.columns) == ATTRITION_COLUMNS
    assert set(table["population"]) == {"participants", "comparison group"}
    row = table.loc[(table["scale"] == "attitudes") & (table["population"] == "participants") & (table["group_by"] == "consortium")].iloc[0]
    pre = scored.loc[(scored["wave"] == "pre") & (scored["took_part"] == "participant")].set_index("respondent_id")["attitudes"]
    done = pre.index.isin(scored.loc[scored["wave"] == "post", "respondent_id"])
    # Cohen's d with the pooled SD (pingouin) = our standardised mean difference
    assert row["smd"] == pytest.approx(pg.compute_effsize(pre[done], pre[~done], eftype="cohen"))
    assert (row["n_completed"], row["n_dropped"]) == (int(done.sum()), int((~done).sum()))
    comp = table.loc[(table["population"] == "comparison group") & (table["group_by"] == "consortium")]
    assert (comp["n_dropped"].fillna(0) == 0).all() and comp["note"].str.contains("nobody dropped out").all()
