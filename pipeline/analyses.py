"""The kinds of rows of ``indicators.csv`` (its ``analysis`` column), without the
statistics libraries: report modules import this in every kernel.

``paired_change``      participants' change from one wave to the next
``comparison_change``  the comparison group's own change
``diff_in_diff``       participants' change minus the comparison group's
``mcnemar``            a yes/no item asked twice

Each such row compares two waves, named in ``wave_from`` and ``wave_to``. The rows of
an instrument's first two waves have the ids they always had
(``<instrument>.<scale>.change``); rows of a later pair of waves (a follow-up compared
with the first and the second wave) carry the pair in their id
(``<instrument>.<scale>.change.pre_follow_up``): :func:`later_waves` tells them apart.

Rows of the results framework (:mod:`pipeline.framework`) have no ``analysis``.
"""

from __future__ import annotations

import pandas as pd

PAIRED_CHANGE = "paired_change"
COMPARISON_CHANGE = "comparison_change"
DIFF_IN_DIFF = "diff_in_diff"
MCNEMAR = "mcnemar"
#: Rows that are not one group's change of a scale score (kept out of the charts and
#: tables written for those).
NOT_PAIRED_CHANGE = (COMPARISON_CHANGE, DIFF_IN_DIFF, MCNEMAR)


def pair_suffix(wave_from: str, wave_to: str) -> str:
    """The end of the indicator id of a row comparing a later pair of waves (``.pre_follow_up``)."""
    return f".{wave_from}_{wave_to}"


def later_waves(table: pd.DataFrame) -> pd.Series:
    """True for the rows that compare a later pair of waves (not the first two).

    Those rows' ids end with :func:`pair_suffix` of their own ``wave_from`` and
    ``wave_to``; the first two waves' rows keep ids without it, framework rows have
    no waves, and a table written before the wave columns existed has no later rows.
    """
    if not {"wave_from", "wave_to", "indicator_id"} <= set(table.columns):
        return pd.Series(False, index=table.index)
    ids = table["indicator_id"].astype(str)
    suffix = "." + table["wave_from"].astype(str) + "_" + table["wave_to"].astype(str)
    known = table["wave_from"].notna() & table["wave_to"].notna()
    return pd.Series([k and i.endswith(s) for i, s, k in zip(ids, suffix, known)], index=table.index, dtype=bool)


def first_waves(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of an indicator table that do not compare a later pair of waves:
    the first two waves' rows and the framework's rows."""
    return table.loc[~later_waves(table)]


def paired_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of an indicator table that describe one group's change of a score
    between the first two waves: participants' pre/post rows (and framework rows),
    without the comparison group's rows, the differences in differences, the yes/no
    items and the rows of later pairs of waves (:func:`later_waves`)."""
    table = first_waves(table)
    if "analysis" not in table.columns:
        return table
    return table.loc[~table["analysis"].isin(NOT_PAIRED_CHANGE)]
