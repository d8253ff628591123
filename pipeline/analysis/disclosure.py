"""Disclosure control: no published number describes fewer than ``min_cell`` people.

Every table that leaves the pipeline goes through :func:`suppress`.

* **Primary suppression**: a row whose head count is at least 1 and below
  ``min_cell`` has its counts and statistics removed (missing, never 0) and is
  marked ``suppressed = True`` with ``suppression = "primary"``.
* **Secondary suppression**: rows of one family (for instance the partners of one
  indicator) add up to a published total, so a single suppressed row could be
  recovered as the total minus the others. Where a family has exactly one
  suppressed row, the next smallest row of that family is suppressed too
  (``suppression = "secondary"``). Zero rows are not suppressed (they describe
  nobody) but do not protect a suppressed row either.

Reference: Hundepool et al. (2012), *Statistical Disclosure Control*, Wiley,
chapter 5 (threshold rule and secondary cell suppression).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from pipeline.errors import PipelineError

SUPPRESSED = "suppressed"
SUPPRESSION = "suppression"


def suppress(
    table: pd.DataFrame,
    count_cols: Sequence[str],
    value_cols: Sequence[str],
    min_cell: int,
    family_cols: Sequence[str] | None = None,
    total_mask: pd.Series | None = None,
) -> pd.DataFrame:
    """Apply primary and secondary suppression to a published table.

    Parameters
    ----------
    table : DataFrame
        One row per group.
    count_cols : sequence of str
        Head counts; a row is primarily suppressed when its smallest positive count
        is below ``min_cell``.
    value_cols : sequence of str
        Statistics that describe the row's people; blanked with the counts.
    min_cell : int
        Smallest number of people a published number may describe (>= 1).
    family_cols : sequence of str, optional
        Columns that define families of rows adding up to a published total
        (e.g. ``["indicator_id", "group_by"]``); no secondary suppression without them.
    total_mask : Series of bool, optional
        Rows that are totals themselves (never chosen for secondary suppression).

    Returns
    -------
    DataFrame
        A copy with blanked cells and the columns ``suppressed`` (bool) and
        ``suppression`` ("primary", "secondary" or "").
    """
    if not isinstance(min_cell, (int, np.integer)) or min_cell < 1:
        raise ValueError(f"min_cell must be a whole number >= 1, got {min_cell!r}")
    missing = [c for c in (*count_cols, *value_cols) if c not in table.columns]
    if missing:
        raise ValueError(f"columns {missing} not in the table; columns: {list(table.columns)}")
    out = table.copy()
    counts = out[list(count_cols)].apply(pd.to_numeric, errors="coerce").astype("float64")
    positive = counts.where(counts > 0)
    smallest = positive.min(axis=1)
    primary = smallest.notna() & (smallest < min_cell)
    kind = pd.Series(np.where(primary, "primary", ""), index=out.index, dtype=object)

    if family_cols:
        totals = total_mask if total_mask is not None else pd.Series(False, index=out.index)
        size = counts.max(axis=1)
        for idx in out.groupby(list(family_cols), sort=False, dropna=False).indices.values():
            idx = out.index[idx]
            idx = [i for i in idx if not totals.loc[i]]
            n_sup = int((kind.loc[idx] != "").sum())
            if n_sup != 1:
                continue
            candidates = [i for i in idx if kind.loc[i] == "" and size.loc[i] > 0]
            if candidates:
                pick = min(candidates, key=lambda i: (size.loc[i], str(i)))
                kind.loc[pick] = "secondary"

    hide = kind != ""
    for col in (*count_cols, *value_cols):
        if hide.any():
            if pd.api.types.is_integer_dtype(out[col].dtype) and not pd.api.types.is_extension_array_dtype(out[col].dtype):
                out[col] = out[col].astype("Int64")
            out.loc[hide, col] = pd.NA if pd.api.types.is_extension_array_dtype(out[col].dtype) else np.nan
    out[SUPPRESSED] = hide.to_numpy()
    out[SUPPRESSION] = kind.to_numpy()
    return out


def smallest_published_count(table: pd.DataFrame, count_cols: Sequence[str]) -> float:
    """The smallest positive head count left in a published table (NaN if none).

    Used by tests and the report's checks: it must be at least ``min_cell``.
    """
    counts = table[list(count_cols)].apply(pd.to_numeric, errors="coerce").astype("float64")
    values = counts.to_numpy().ravel()
    values = values[~np.isnan(values) & (values > 0)]
    return float(values.min()) if len(values) else float("nan")


def hidden_shares(counts: dict[str, int], min_cell: int, prefer: Sequence[str] = ()) -> set[str]:
    """Categories of one row whose shares may not be published.

    A share (improved / unchanged / worsened; yes / no) is a head count divided by the
    row's n, so it describes that many people. A category with 1 to ``min_cell - 1``
    people is hidden; when exactly one category is hidden and the shares add up to one,
    the smallest other category with people in it is hidden too, or the hidden share
    could be recovered as one minus the others (the rule of :func:`suppress`, within a
    row).

    Parameters
    ----------
    counts : dict of str -> int
        People per category; the categories are exhaustive (their shares add to one).
    min_cell : int
        Smallest number of people a published number may describe.
    prefer : sequence of str, optional
        Categories to hide first for the secondary hiding (the least informative ones,
        such as "unchanged"); otherwise the smallest.

    Returns
    -------
    set of str
        The categories to hide (empty when every share may be published).

    Examples
    --------
    >>> sorted(hidden_shares({"improved": 30, "unchanged": 60, "worsened": 3}, 5))
    ['improved', 'worsened']
    """
    if not isinstance(min_cell, (int, np.integer)) or min_cell < 1:
        raise ValueError(f"min_cell must be a whole number >= 1, got {min_cell!r}")
    hidden = {k for k, c in counts.items() if 0 < c < min_cell}
    if len(hidden) == 1:
        others = [(c, k) for k, c in counts.items() if k not in hidden and c > 0]
        preferred = [k for k in prefer if k in dict((k2, c) for c, k2 in others)]
        if preferred:
            hidden.add(preferred[0])
        elif others:
            hidden.add(min(others)[1])
    return hidden


def rare_combinations(frame: pd.DataFrame, columns: Sequence[str], min_cell: int) -> pd.DataFrame:
    """Combinations of grouping values that fewer than ``min_cell`` people share.

    A quasi-identifier check (k-anonymity, Sweeney 2002): people whose combination
    of, say, partner, gender, age group and respondent group is shared by fewer
    than ``min_cell`` people could be recognised in any table that crosses those
    fields. Each person counts once (``respondent_id`` when present, else each row).
    Missing values are a value of their own ("not given" is as telling as any answer).

    Parameters
    ----------
    frame : DataFrame
        One row per answer (several waves may repeat a person).
    columns : sequence of str
        The grouping fields to cross.
    min_cell : int
        The suppression minimum.

    Returns
    -------
    DataFrame
        ``columns`` and ``n`` (people), one row per combination with ``0 < n < min_cell``,
        sorted by the columns. This is for checking, never for publication.

    References
    ----------
    Sweeney, L. (2002). k-anonymity: a model for protecting privacy. *International
    Journal of Uncertainty, Fuzziness and Knowledge-Based Systems* 10(5), 557-570.
    """
    if not isinstance(min_cell, (int, np.integer)) or min_cell < 1:
        raise ValueError(f"min_cell must be a whole number >= 1, got {min_cell!r}")
    cols = list(columns)
    people = frame.drop_duplicates("respondent_id") if "respondent_id" in frame.columns else frame
    keys = people[cols].astype("string").fillna("(not given)")
    counts = keys.value_counts(sort=False).rename("n").reset_index()
    rare = counts.loc[counts["n"] < min_cell]
    return rare.sort_values(cols, kind="stable").reset_index(drop=True)


def combination_check(frame: pd.DataFrame, columns: Sequence[str], min_cell: int) -> pd.DataFrame:
    """How many small groups crossing grouping fields would create: every pair, and all together.

    Returns one row per crossing with ``fields``, ``groups`` (combinations present),
    ``small_groups`` (fewer than ``min_cell`` people) and ``people_in_small_groups``.
    The last is a head count: published only through
    :func:`pipeline.report.tables.small_count` ("fewer than k" below the minimum).
    """
    from itertools import combinations

    cols = [c for c in columns if c in frame.columns]
    crossings = [list(p) for p in combinations(cols, 2)]
    if len(cols) > 2:
        crossings.append(cols)
    rows = []
    people = frame.drop_duplicates("respondent_id") if "respondent_id" in frame.columns else frame
    for cross in crossings:
        keys = people[cross].astype("string").fillna("(not given)")
        counts = keys.value_counts()
        small = counts[counts < min_cell]
        n_small = int(small.sum())
        rows.append({"fields": " x ".join(cross), "groups": int(len(counts)), "small_groups": int(len(small)), "people_in_small_groups": n_small})
    return pd.DataFrame(rows, columns=["fields", "groups", "small_groups", "people_in_small_groups"])


class DisclosureError(PipelineError):
    """A table about to be published shows a count below the minimum: a bug, never published."""

    exit_code = 1


def check_published(table: pd.DataFrame, count_cols: Sequence[str], min_cell: int, name: str) -> None:
    """Refuse to publish a table with a positive head count below ``min_cell`` (the last gate).

    Raises
    ------
    DisclosureError
        Naming the table, the column and the smallest count found.
    """
    cols = [c for c in count_cols if c in table.columns]
    smallest = smallest_published_count(table, cols) if cols else float("nan")
    if not np.isnan(smallest) and smallest < min_cell:
        raise DisclosureError(f"{name}: a published count is {smallest:g}, below the minimum of {min_cell}; the table was not published")
