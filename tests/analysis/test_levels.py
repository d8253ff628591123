"""Level rows of one-off surveys (pipeline.analysis.levels), checked against R's t.test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.analysis.levels import instrument_levels, level_row, one_wave
from pipeline.instruments.codebook import load_codebook

CODEBOOK = """
instrument: fb
design: cross_section
fields:
  - {id: partner, role: partner, required: true, choices_from: partners}
  - {id: gender, role: grouping, choices: [female, male]}
response_scales:
  agree5: {values: {min: 1, max: 5}, missing: {9: dont_know}}
items:
  - {id: a, response_scale: agree5}
  - {id: b, response_scale: agree5, reverse: true}
  - {id: c, response_scale: agree5}
scales:
  - {id: s, items: [a, b], min_answered: 1}
"""


def test_interval_matches_r_t_test():
    # R: t.test(1:10) -> mean of x 5.5; 95 percent confidence interval 3.334149 7.665851; df = 9
    row = level_row(pd.Series(np.arange(1, 11, dtype=float)))
    assert row["n_pre"] == 10 and row["df"] == 9 and row["mean_pre"] == 5.5
    assert row["ci_low"] == pytest.approx(3.334149, abs=1e-6) and row["ci_high"] == pytest.approx(7.665851, abs=1e-6)
    assert row["sd_pre"] == pytest.approx(3.02765, abs=1e-5)  # R: sd(1:10)


def test_interval_matches_scipy_one_sample_t_test():
    x = pd.Series([3.2, 4.1, 2.5, 5.0, 3.3, np.nan, 4.4, 2.9])
    ci = __import__("scipy").stats.ttest_1samp(x.dropna(), 0).confidence_interval(0.95)
    row = level_row(x)
    assert row["n_pre"] == 7 and (row["ci_low"], row["ci_high"]) == pytest.approx((ci.low, ci.high), rel=1e-12)


def test_one_answer_has_no_interval_and_nobody_none():
    assert "ci_low" not in level_row(pd.Series([4.0])) and level_row(pd.Series([4.0]))["n_pre"] == 1
    assert level_row(pd.Series([np.nan]))["n_pre"] == 0


def test_rows_per_breakdown_with_disclosure_control(tmp_path):
    (tmp_path / "fb.yaml").write_text(CODEBOOK, encoding="utf-8")
    cb = load_codebook(tmp_path / "fb.yaml")
    assert one_wave(cb)
    rng = np.random.default_rng(1)
    n = 30
    partner = ["P1"] * 20 + ["P2"] * 7 + ["P3"] * 3
    frame = pd.DataFrame(
        {"partner": partner, "gender": (["female", "male"] * 15), "a": rng.integers(1, 6, n).astype(float), "b": rng.integers(1, 6, n).astype(float), "c": rng.integers(1, 6, n).astype(float)}
    )
    frame.loc[0, "c"] = 9  # don't know: not an answer
    frame["s"] = frame[["a"]].assign(b=6 - frame["b"]).mean(axis=1)
    t = instrument_levels(frame, cb, min_cell=5).set_index(["indicator_id", "group_by", "group"])
    assert set(t["analysis"]) == {"level"} and set(t.index.get_level_values(0)) == {"fb.s.level", "fb.c.level"}
    whole = t.loc[("fb.s.level", "consortium", "all")]
    assert whole["n_pre"] == 30 and whole["mean_pre"] == pytest.approx(frame["s"].mean()) and whole["wave_from"] == "once"
    assert t.loc[("fb.c.level", "consortium", "all"), "n_pre"] == 29
    # item c alone, as answered (b is reverse-keyed only inside the scale)
    assert t.loc[("fb.c.level", "consortium", "all"), "mean_pre"] == pytest.approx(frame.loc[1:, "c"].mean())
    # P3 (3 people) hidden, and P2 (the next smallest) with it: P3 = total - P1 - P2 otherwise
    p3, p2, p1 = (t.loc[("fb.s.level", "partner", p)] for p in ("P3", "P2", "P1"))
    assert p3["suppression"] == "primary" and pd.isna(p3["n_pre"]) and pd.isna(p3["mean_pre"])
    assert p2["suppression"] == "secondary" and pd.isna(p2["ci_low"])
    assert p1["n_pre"] == 20 and not p1["suppressed"]
    assert t.loc[("fb.s.level", "gender", "female"), "n_pre"] == 15


def test_paired_instrument_gives_no_level_rows(tmp_path):
    text = CODEBOOK.replace("design: cross_section", "design: paired_pre_post\nwaves: [pre, post]").replace(
        "fields:\n", "fields:\n  - {id: respondent_id, role: respondent_id, required: true}\n  - {id: wave, role: wave, required: true}\n"
    )
    (tmp_path / "fb.yaml").write_text(text, encoding="utf-8")
    cb = load_codebook(tmp_path / "fb.yaml")
    assert not one_wave(cb) and instrument_levels(pd.DataFrame({"s": [1.0]}), cb, 5).empty
