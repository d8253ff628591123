"""Score scales and pair waves.

A scale score is the mean of the scale's items after two steps:

1. non-substantive codes ("don't know", "refused": the response scale's ``missing``
   codes) become missing, never numbers;
2. reverse-keyed items are turned around: ``x' = min + max - x`` on the item's
   response scale, so that for every item a higher value means the same direction.

Knowledge-test questions (items with a ``correct`` answer) are scored 1 (right) or 0
(wrong, "don't know" included) instead (:func:`score_correct`).

The score is computed only when the share of answered items is at least the
scale's ``min_answered`` (for example 3 of 4 items; 0.67 stands for two thirds);
otherwise it is missing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.instruments.codebook import Codebook, Scale
from pipeline.schema import RESPONDENT, WAVE


def item_values(frame: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Items ready to score: missing codes removed, reverse-keyed items turned around.

    Returns a new frame with one float column per item (same index as ``frame``).
    """
    return pd.DataFrame({item.id: pd.Series(_item_array(frame, item), index=frame.index) for item in codebook.items}, index=frame.index)


def _item_array(frame: pd.DataFrame, item) -> np.ndarray:
    """One item of :func:`item_values`, as a float array."""
    rs = item.response_scale
    x = frame[item.id].astype("float64")
    if item.correct is not None:  # a knowledge-test question: right (1) or wrong (0)
        return score_correct(x, item.correct).to_numpy(dtype="float64")
    values = x.to_numpy(dtype="float64")
    if rs.missing:
        values = np.where(np.isin(values, np.array(list(rs.missing), dtype="float64")), np.nan, values)
    if item.reverse:
        values = rs.min + rs.max - values
    return values


def score_correct(answers: pd.Series, correct: int) -> pd.Series:
    """A knowledge-test question scored right or wrong.

    1 when the answer is the right code, 0 for any other answer, "don't know" and
    "refused" included (not knowing the answer is not knowing it); missing when
    the question was left blank. The test's score (a scale of such items) is then
    the share of questions answered correctly.
    """
    return answers.eq(correct).astype("float64").where(answers.notna())


def scale_score(items: pd.DataFrame, scale: Scale) -> pd.Series:
    """Mean of the answered items when at least ``scale.min_answered`` of them were answered.

    Parameters
    ----------
    items : DataFrame
        Output of :func:`item_values` (at least the scale's item columns).
    scale : Scale

    Returns
    -------
    Series
        The score, NaN where too few items were answered.
    """
    block = items[list(scale.items)].to_numpy(dtype="float64")
    return pd.Series(_scale_mean(block, scale), index=items.index, name=scale.id)


def _scale_mean(block: np.ndarray, scale: Scale) -> np.ndarray:
    """:func:`scale_score` of a block of item values (one column per item, in scale order)."""
    answered = np.sum(~np.isnan(block), axis=1)
    # A share written with two decimals stands for the fraction it rounds (0.67 = 2/3).
    enough = answered / len(scale.items) + 0.005 >= scale.min_answered
    with np.errstate(invalid="ignore"):
        sums = np.nansum(block, axis=1)
        return np.where(enough & (answered > 0), sums / np.maximum(answered, 1), np.nan)


def score(frame: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Add one column per scale (its score) to validated rows; returns a new frame.

    Works item by item on arrays (no frame of every item), so scoring does not hold
    a second copy of the answers in memory.
    """
    items = {item.id: item for item in codebook.items}
    scores = {}
    for sc in codebook.scales:
        block = np.column_stack([_item_array(frame, items[i]) for i in sc.items]) if sc.items else np.empty((len(frame), 0))
        scores[sc.id] = pd.Series(_scale_mean(block, sc), index=frame.index, name=sc.id)
    return frame.assign(**scores)


def paired(scored: pd.DataFrame, value: str, waves: tuple[str, str] = ("pre", "post"), keep: tuple[str, ...] = ()) -> pd.DataFrame:
    """One row per respondent with ``value`` at two waves, side by side.

    Parameters
    ----------
    scored : DataFrame
        Rows with ``respondent_id``, ``wave`` and the ``value`` column.
    value : str
        The column to pair (a scale score or an item).
    waves : (str, str)
        The first and the second wave.
    keep : tuple of str
        Columns to carry from the first wave (grouping fields: a person's group is
        taken as it was at baseline).

    Returns
    -------
    DataFrame
        Index ``respondent_id``; columns ``pre`` and ``post`` (named after ``waves``),
        and the ``keep`` columns. Respondents seen in only one wave have the other
        side missing; callers count them.
    """
    first, second = waves
    a = scored.loc[scored[WAVE] == first].set_index(RESPONDENT)
    b = scored.loc[scored[WAVE] == second].set_index(RESPONDENT)
    out = pd.DataFrame({first: a[value]}).join(pd.DataFrame({second: b[value]}), how="outer")
    for col in keep:
        carried = a[col].reindex(out.index)
        if col in b.columns:
            carried = carried.fillna(b[col].reindex(out.index))
        out[col] = carried
    return out.sort_index()
