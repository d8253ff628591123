"""Disclosure control: primary and secondary suppression."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.analysis.disclosure import smallest_published_count, suppress


def table(ns):
    return pd.DataFrame({"fam": "x", "group": [f"g{i}" for i in range(len(ns))], "n": ns, "mean": np.arange(len(ns), dtype=float)})


def test_primary_blanks_counts_and_values_never_zero():
    out = suppress(table([10, 3, 12]), ["n"], ["mean"], 5)
    assert out["suppressed"].tolist() == [False, True, False]
    assert pd.isna(out.loc[1, "n"]) and pd.isna(out.loc[1, "mean"])
    assert out.loc[1, "suppression"] == "primary"


def test_secondary_protects_a_lone_suppressed_cell():
    # total 25 is published elsewhere: 25 - 10 - 12 would reveal the 3
    out = suppress(table([10, 3, 12]), ["n"], ["mean"], 5, family_cols=["fam"])
    assert out["suppression"].tolist() == ["secondary", "primary", ""]


def test_no_secondary_when_two_are_already_hidden():
    out = suppress(table([10, 3, 2, 12]), ["n"], ["mean"], 5, family_cols=["fam"])
    assert out["suppression"].tolist() == ["", "primary", "primary", ""]


def test_totals_are_never_chosen_and_zero_rows_describe_nobody():
    t = table([25, 3, 0, 12])
    out = suppress(t, ["n"], ["mean"], 5, family_cols=["fam"], total_mask=pd.Series([True, False, False, False]))
    assert out["suppression"].tolist() == ["", "primary", "", "secondary"]
    assert out.loc[2, "n"] == 0


def test_min_cell_must_be_positive_whole_number():
    with pytest.raises(ValueError, match="min_cell"):
        suppress(table([1]), ["n"], [], 0)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=12), st.integers(min_value=1, max_value=10))
def test_no_published_count_below_the_minimum_and_never_a_lone_hidden_cell(ns, k):
    out = suppress(table(ns), ["n"], ["mean"], k, family_cols=["fam"])
    smallest = smallest_published_count(out, ["n"])
    assert np.isnan(smallest) or smallest >= k
    hidden = int(out["suppressed"].sum())
    positive_published = int(((out["n"] > 0) & ~out["suppressed"]).sum())
    # a single hidden cell is only possible when no other positive cell exists to hide
    assert hidden != 1 or positive_published == 0
    # nothing else changes
    keep = ~out["suppressed"]
    assert out.loc[keep, "n"].astype(int).tolist() == [n for n, s in zip(ns, out["suppressed"]) if not s]


class TestHiddenShares:
    @pytest.mark.parametrize(
        "counts, prefer, expected",
        [
            ({"improved": 30, "unchanged": 60, "worsened": 3}, (), {"worsened", "improved"}),
            ({"improved": 30, "unchanged": 60, "worsened": 3}, ("unchanged",), {"worsened", "unchanged"}),
            ({"improved": 30, "unchanged": 60, "worsened": 0}, (), set()),  # zero describes nobody
            ({"improved": 2, "unchanged": 60, "worsened": 3}, (), {"improved", "worsened"}),
            ({"yes": 4, "no": 40}, (), {"yes", "no"}),  # with two categories one reveals the other
            ({"yes": 5, "no": 40}, (), set()),
        ],
    )
    def test_rule(self, counts, prefer, expected):
        from pipeline.analysis.disclosure import hidden_shares

        assert hidden_shares(counts, 5, prefer=prefer) == expected

    def test_bad_min_cell(self):
        from pipeline.analysis.disclosure import hidden_shares

        with pytest.raises(ValueError):
            hidden_shares({"a": 1}, 0)
