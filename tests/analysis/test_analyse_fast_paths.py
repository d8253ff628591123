"""The fast paths of the analyse stage (issue 12) give what the plain ways give."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.analysis import disclosure as dc
from pipeline.analysis.aggregations import by_respondent, where


def _published_plainly(cells: dc.Cells, off: set) -> set:
    """The cells shown, as the rule reads: a way of publishing whose switches are all on."""
    return {k for k, ways in cells.shown.items() if any(all(s not in off for s in w) for w in ways)}


def _protect_plainly(cells: dc.Cells, min_cell: int) -> tuple[set, set]:
    """:func:`pipeline.analysis.disclosure.protect` recomputing everything at every step."""
    off: set = set()
    published = _published_plainly(cells, off)
    for key, value in cells.values.items():
        if 0 < value < min_cell and key in published:
            off.update(w[0] for w in cells.shown[key] if all(s not in off for s in w))
    primary = set(off)
    stuck: set = set()
    while True:
        assert dc._published(cells, off) == _published_plainly(cells, off)
        problems = [p for p in dc.exposed(cells, off, min_cell) if (p[0], tuple(p[1])) not in stuck]
        if not problems:
            return primary, off
        i, unknown, _ = problems[0]
        pick = dc._candidate(cells, off, i)
        if pick is None:
            stuck.add((i, tuple(unknown)))
            continue
        off.update(pick)


def _two_breakdowns(ns: list[int], extra: int) -> pd.DataFrame:
    """One indicator's consortium row, then its rows by partner and by gender; ``extra``
    people of the larger breakdown are in no group."""
    half = len(ns) // 2
    groups = [("consortium", "all")] + [("partner", f"p{i}") for i in range(half)] + [("gender", f"g{i}") for i in range(len(ns) - half)]
    total = max(sum(ns[:half]), sum(ns[half:])) + extra
    return pd.DataFrame({"indicator_id": "x", "group_by": [g[0] for g in groups], "group": [g[1] for g in groups], "n": [total, *ns], "n_pre": [total + 5, *(n + 2 for n in ns)]})


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=30), min_size=2, max_size=12), st.integers(min_value=0, max_value=6), st.integers(min_value=2, max_value=10))
def test_protect_turns_off_what_the_plain_loop_turns_off(ns, extra, k):
    t = _two_breakdowns(ns, extra)
    cells = dc.row_cells(t, ["n", "n_pre"], k, ["indicator_id", "group_by"], t["group_by"].eq("consortium"))
    assert dc.protect(cells, k) == _protect_plainly(cells, k)


def test_protect_of_a_table_needing_secondary_suppression_is_the_plain_loop():
    t = _two_breakdowns([12, 3, 9, 6, 2, 10, 7], 0)
    cells = dc.row_cells(t, ["n", "n_pre"], 5, ["indicator_id", "group_by"], t["group_by"].eq("consortium"))
    primary, off = dc.protect(cells, 5)
    assert (primary, off) == _protect_plainly(cells, 5)
    assert off - primary  # the example needs secondary suppression


def test_by_respondent_is_the_frame_selection():
    rows = pd.DataFrame(
        {
            "respondent_id": pd.array(["b", "a", "a", "c", "b", "d"], dtype="str"),
            "wave": pd.array(["pre", "pre", "pre", "post", "post", "pre"], dtype="str"),
            "score": [1.5, np.nan, 2.0, 3.0, 4.5, 0.25],
            "other": list("uvwxyz"),
        }
    )
    for wave in ("pre", "post", "follow_up"):
        s = rows.loc[rows["wave"] == wave].set_index("respondent_id")["score"]
        pd.testing.assert_series_equal(by_respondent(rows, wave, "score"), s[~s.index.duplicated()], check_exact=True)


def test_where_without_conditions_is_every_row():
    rows = pd.DataFrame({"a": [1, 2, None]})
    for none in (None, []):
        pd.testing.assert_frame_equal(where(rows, none), rows)
    assert where(rows, [{"column": "a", "op": ">", "value": 1}])["a"].tolist() == [2]
