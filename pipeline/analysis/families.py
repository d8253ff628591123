"""One family, one adjustment: every p-value published is adjusted within a named family.

The family
----------
A **family** is the set of tests that answer one question about one instrument in
one report: **one instrument, one kind of test, one pair of waves, one breakdown**
(:data:`FAMILY`). For example the paired t-tests of the community survey's four
scales, pre to post, by partner (4 scales x 5 partners = 20 tests). The kinds of test
are the ``analysis`` of a row (``paired_change``, ``comparison_change``,
``diff_in_diff``, ``mcnemar``); a results-framework indicator computed with
``mean_change`` is a ``paired_change`` test.

**Each test counts once, whichever table publishes it.** A results-framework row
that repeats an instrument row's test (same instrument, scale, waves, breakdown and
group, same number of pairs and the same p-value) is the same test: it is not
counted twice and it carries the instrument row's adjusted p-value. A framework test
that repeats no instrument row joins the family of its instrument, test, waves and
breakdown like any other test.

The adjustment
--------------
Holm's step-down method (:data:`P_ADJUST_METHOD`; the default of docs/methods.md) within each
family, for the t-test (or McNemar, Welch) p-values in ``p_value`` and, as a family of
their own on the same tests, the Wilcoxon signed-rank p-values in
``wilcoxon_p_value``. A family's size counts every test run, before disclosure
control hides any. ``significant_adjusted`` is True when the adjusted p-value is
below :data:`ALPHA`: the column words ("rose", "fell") should be written from, rather
than from the unadjusted interval (the report decides its wording; this module only
provides the column).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline import stats
from pipeline.schema import PAIRED_CHANGE

#: Columns that define a family.
FAMILY = ("instrument", "analysis", "wave_from", "wave_to", "group_by")
#: Method used within each family (R's p.adjust name as in :func:`pipeline.stats.adjust_p`).
P_ADJUST_METHOD = "holm"
#: Level below which an adjusted p-value is called significant (``significant_adjusted``).
ALPHA = 0.05
#: Columns this module writes.
ADJUSTED_COLUMNS = ["p_value_adjusted", "wilcoxon_p_value_adjusted", "p_adjust_method", "p_adjust_family", "significant_adjusted"]
#: Aggregations of the results framework whose p-value is a paired t-test.
TEST_OF_AGGREGATION = {"mean_change": PAIRED_CHANGE}

#: The family definition in words, for a report's methods section (also in the methods registry).
DEFINITION = stats.FAMILY_DEFINITION


def test_kind(table: pd.DataFrame) -> pd.Series:
    """The kind of test of each row: its ``analysis``, or for a framework row the test
    its aggregation runs (``mean_change`` -> ``paired_change``); empty when none."""
    kind = table["analysis"] if "analysis" in table.columns else pd.Series(np.nan, index=table.index)
    kind = kind.astype(object).where(kind.notna() & kind.astype(str).ne(""), None)
    if "aggregation" in table.columns:
        kind = kind.fillna(table["aggregation"].map(TEST_OF_AGGREGATION))
    return kind.fillna("").astype(str)


def _identity(frame: pd.DataFrame) -> pd.Series:
    """What makes two rows the same test: instrument, test, scale or item, waves, group, pairs."""
    cols = ["instrument", "_kind", "scale", "item", "wave_from", "wave_to", "group_by", "group", "n_paired"]

    def text(col: str) -> pd.Series:
        if col not in frame.columns:
            return pd.Series("", index=frame.index)
        values = frame[col]
        if col == "n_paired":  # 886 and 886.0 are the same number of pairs
            values = pd.to_numeric(values, errors="coerce").astype("float64")
        return values.astype(object).where(values.notna(), "").astype(str)

    parts = [text(c) for c in cols]
    out = parts[0]
    for p in parts[1:]:
        out = out + "\x1f" + p
    return out


def adjust(*tables: pd.DataFrame, method: str = P_ADJUST_METHOD, alpha: float = ALPHA) -> list[pd.DataFrame]:
    """Adjust every p-value of the tables together, family by family (see the module docstring).

    Parameters
    ----------
    *tables : DataFrame
        Rows before disclosure control, with ``instrument``, ``group_by``, ``group``,
        ``p_value`` and where present ``analysis`` (or ``aggregation``), ``scale``,
        ``item``, ``wave_from``, ``wave_to``, ``n_paired``, ``wilcoxon_p_value``.
    method : str
        ``"holm"`` (default), ``"fdr_bh"`` or ``"bonferroni"``.
    alpha : float
        Level for ``significant_adjusted``.

    Returns
    -------
    list of DataFrame
        Copies of the tables, in order, with :data:`ADJUSTED_COLUMNS` filled where a
        row has a p-value (missing p-values stay missing and are not counted).
    """
    frames = []
    for k, t in enumerate(tables):
        f = pd.DataFrame(index=t.index)
        for c in ("instrument", "scale", "item", "wave_from", "wave_to", "group_by", "group", "n_paired"):
            f[c] = t[c] if c in t.columns else np.nan
        f["_kind"] = test_kind(t)
        f["p"] = pd.to_numeric(t["p_value"], errors="coerce").astype("float64") if "p_value" in t.columns else np.nan
        f["w"] = pd.to_numeric(t["wilcoxon_p_value"], errors="coerce").astype("float64") if "wilcoxon_p_value" in t.columns else np.nan
        f["_table"] = k
        f["_row"] = np.arange(len(t))
        frames.append(f)
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    rows = rows.loc[rows["_kind"].ne("") & (rows["p"].notna() | rows["w"].notna())] if len(rows) else rows

    # one test, one member: a row with the identity and the p-value of an earlier row is that test
    test_of: dict[int, int] = {}
    unique: list[int] = []
    seen: dict[str, list[int]] = {}
    for i, ident, p, w in zip(rows.index, _identity(rows), rows["p"], rows["w"], strict=True):
        twin = next((j for j in seen.get(ident, []) if _same(rows.at[j, "p"], p) and _same(rows.at[j, "w"], w)), None)
        if twin is None:
            seen.setdefault(ident, []).append(i)
            unique.append(i)
            twin = i
        test_of[i] = twin

    results: dict[int, dict] = {}
    members = rows.loc[unique]
    for key, idx in members.groupby(["instrument", "_kind", "wave_from", "wave_to", "group_by"], sort=False, dropna=False).groups.items():
        inst, kind, w_from, w_to, group_by = key
        between = f" {w_from} -> {w_to}" if not (pd.isna(w_from) or pd.isna(w_to)) else ""
        p = members.loc[idx, "p"].to_numpy()
        w = members.loc[idx, "w"].to_numpy()
        m = int(np.isfinite(p).sum())
        m_w = int(np.isfinite(w).sum())
        p_adj = stats.adjust_p(p, method=method).p_adjusted if m else np.full(len(idx), np.nan)
        w_adj = stats.adjust_p(w, method=method).p_adjusted if m_w else np.full(len(idx), np.nan)
        size = max(m, m_w)
        family = f"{inst} {kind}{between} tests by {group_by} ({size} tests)"
        for j, pa, wa in zip(idx, p_adj, w_adj, strict=True):
            results[j] = {"p_value_adjusted": pa, "wilcoxon_p_value_adjusted": wa, "p_adjust_method": method, "p_adjust_family": family}

    out = []
    for k, t in enumerate(tables):
        t = t.copy()
        t["p_value_adjusted"] = np.nan
        t["wilcoxon_p_value_adjusted"] = np.nan
        t["p_adjust_method"] = ""
        t["p_adjust_family"] = ""
        t["significant_adjusted"] = pd.Series(pd.NA, index=t.index, dtype="boolean")
        out.append(t)
    for i, twin in test_of.items():
        k, r = int(rows.at[i, "_table"]), int(rows.at[i, "_row"])
        res = results[twin]
        t = out[k]
        label = t.index[r]
        for c, v in res.items():
            t.at[label, c] = v
        if not np.isnan(res["p_value_adjusted"]):
            t.at[label, "significant_adjusted"] = bool(res["p_value_adjusted"] < alpha)
    return out


def _same(a: float, b: float) -> bool:
    """Two p-values of the same test: both missing, or equal to rounding error."""
    if np.isnan(a) or np.isnan(b):
        return bool(np.isnan(a) and np.isnan(b))
    return bool(abs(a - b) <= 1e-9 * max(abs(a), abs(b)) + 1e-300)
