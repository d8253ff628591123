"""Scoring: missing codes, reverse-keying and the minimum share, checked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.ingest.score import item_values, paired, scale_score, score
from pipeline.instruments.codebook import parse_codebook


@pytest.fixture
def codebook():
    return parse_codebook(
        {
            "instrument": "mini",
            "response_scales": {"l5": {"values": {"min": 1, "max": 5}, "missing": {8: "dont_know", 9: "refused"}}},
            "items": [
                {"id": "q1", "response_scale": "l5"},
                {"id": "q2", "response_scale": "l5"},
                {"id": "q3", "response_scale": "l5", "reverse": True},
            ],
            "scales": [{"id": "s", "items": ["q1", "q2", "q3"], "min_answered": 0.67}],
        },
        "mini.yaml",
    )


def test_reverse_keying_and_missing_codes(codebook):
    frame = pd.DataFrame({"q1": [5, 8, 1], "q2": [4, 9, np.nan], "q3": [1, 2, 5]}, dtype=float)
    items = item_values(frame, codebook)
    # q3 is reverse-keyed on 1-5: x' = 1 + 5 - x
    assert items["q3"].tolist() == [5, 4, 1]
    # 8 (don't know) and 9 (refused) are never numbers
    assert np.isnan(items.loc[1, "q1"]) and np.isnan(items.loc[1, "q2"])


def test_scale_needs_two_of_three(codebook):
    frame = pd.DataFrame({"q1": [5, 8, 2, np.nan], "q2": [4, 9, np.nan, np.nan], "q3": [1, 2, 5, 3]}, dtype=float)
    s = scale_score(item_values(frame, codebook), codebook.scale("s"))
    # row 0: (5 + 4 + 5) / 3; row 1: one answer of three -> missing;
    # row 2: (2 + 1) / 2 (two of three answered); row 3: one answer -> missing
    assert s[0] == pytest.approx(14 / 3)
    assert np.isnan(s[1])
    assert s[2] == pytest.approx(1.5)
    assert np.isnan(s[3])


def test_score_does_not_change_its_input(codebook):
    frame = pd.DataFrame({"q1": [5.0], "q2": [4.0], "q3": [1.0]})
    before = frame.copy()
    out = score(frame, codebook)
    pd.testing.assert_frame_equal(frame, before)
    assert out["s"].iloc[0] == pytest.approx(14 / 3)


def test_paired_keeps_baseline_groups():
    scored = pd.DataFrame(
        {
            "respondent_id": ["a", "b", "a", "c"],
            "wave": ["pre", "pre", "post", "post"],
            "s": [1.0, 2.0, 3.0, 4.0],
            "partner": ["P1", "P2", "P9", "P3"],
        }
    )
    out = paired(scored, "s", keep=("partner",))
    assert out.loc["a", "pre"] == 1.0 and out.loc["a", "post"] == 3.0
    assert out.loc["a", "partner"] == "P1"  # the group at baseline
    assert np.isnan(out.loc["b", "post"]) and np.isnan(out.loc["c", "pre"])
    assert out.loc["c", "partner"] == "P3"
