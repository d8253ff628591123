"""The kinds of rows of ``indicators.csv`` (its ``analysis`` column), without the
statistics libraries: report modules import this in every kernel.

``paired_change``      participants' change from one wave to the next
``comparison_change``  the comparison group's own change
``diff_in_diff``       participants' change minus the comparison group's
``mcnemar``            a yes/no item asked twice

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


def paired_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of an indicator table that describe one group's change of a score:
    participants' pre/post rows (and framework rows), without the comparison group's
    rows, the differences in differences and the yes/no items."""
    if "analysis" not in table.columns:
        return table
    return table.loc[~table["analysis"].isin(NOT_PAIRED_CHANGE)]
