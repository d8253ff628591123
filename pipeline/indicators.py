"""Indicators: the tidy table a report and a funder read.

One row per indicator x group (``indicators.csv``). For every scale of a pre/post
instrument the change indicator is computed for the whole consortium and for each
disaggregation the codebook lists (partner, country, gender, age group, group):
n at each wave, n paired, means, the mean change post minus pre with its 95%
confidence interval (paired t), the paired t-test, the Wilcoxon signed-rank test
(R's conventions), and the effect size d_z with its interval (noncentral t) and
g_av (Lakens 2013). Every row then goes through disclosure control
(:func:`pipeline.disclosure.suppress`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from . import stats
from .codebook import Codebook
from .disclosure import suppress
from .score import paired

CONSORTIUM = "consortium"
ALL = "all"

#: Columns of ``indicators.csv``, in order (documented in the README).
COLUMNS = [
    "indicator_id", "instrument", "scale", "label", "unit", "group_by", "group",
    "n_pre", "n_post", "n_paired",
    "mean_pre", "sd_pre", "mean_post", "sd_post",
    "mean_change", "ci_low", "ci_high", "confidence",
    "t", "df", "p_value", "test",
    "wilcoxon_v", "wilcoxon_p_value", "wilcoxon_method", "rank_biserial",
    "effect_size", "effect_size_type", "effect_size_ci_low", "effect_size_ci_high", "g_av",
    "note", "suppressed", "suppression",
]
COUNT_COLUMNS = ["n_pre", "n_post", "n_paired"]
VALUE_COLUMNS = [
    "mean_pre", "sd_pre", "mean_post", "sd_post", "mean_change", "ci_low", "ci_high",
    "t", "df", "p_value", "wilcoxon_v", "wilcoxon_p_value", "rank_biserial",
    "effect_size", "effect_size_ci_low", "effect_size_ci_high", "g_av",
]


def disaggregations(codebook: Codebook, frame: pd.DataFrame) -> list[str]:
    """The breakdowns of an instrument's indicators: partner, country, then grouping fields."""
    out = [c for c in ("partner", "country") if c in frame.columns]
    out += [f.name for f in codebook.grouping_fields if f.name in frame.columns and f.name != "language"]
    return out


def change_row(pre: pd.Series, post: pd.Series, confidence: float = 0.95) -> dict:
    """The statistics of one pre/post comparison, as a dict of indicator columns.

    ``pre`` and ``post`` are aligned by respondent; a respondent missing either side
    counts towards ``n_pre`` or ``n_post`` but not ``n_paired``.
    """
    n_pre, n_post = int(pre.notna().sum()), int(post.notna().sum())
    both = pre.notna() & post.notna()
    pc = stats.paired_change(pre[both].to_numpy(), post[both].to_numpy(), confidence=confidence)
    sr = stats.signed_rank(pre[both].to_numpy(), post[both].to_numpy())
    notes = [r for r in (pc.reason, sr.reason) if r]
    return {
        "n_pre": n_pre,
        "n_post": n_post,
        "n_paired": int(pc.n),
        "mean_pre": pc.mean_pre,
        "sd_pre": pc.sd_pre,
        "mean_post": pc.mean_post,
        "sd_post": pc.sd_post,
        "mean_change": pc.mean_change,
        "ci_low": pc.ci_low,
        "ci_high": pc.ci_high,
        "confidence": confidence,
        "t": pc.t,
        "df": pc.df,
        "p_value": pc.p_value,
        "test": "paired t-test",
        "wilcoxon_v": sr.statistic,
        "wilcoxon_p_value": sr.p_value,
        "wilcoxon_method": sr.method,
        "rank_biserial": sr.rank_biserial,
        "effect_size": pc.d_z,
        "effect_size_type": "d_z",
        "effect_size_ci_low": pc.d_z_ci_low,
        "effect_size_ci_high": pc.d_z_ci_high,
        "g_av": pc.g_av,
        "note": "; ".join(dict.fromkeys(notes)),
    }


def scale_change(scored: pd.DataFrame, codebook: Codebook, min_cell: int, waves: tuple[str, str] | None = None) -> pd.DataFrame:
    """Change indicators for every scale of one instrument, overall and by each disaggregation.

    Parameters
    ----------
    scored : DataFrame
        Validated, scored rows of the instrument (``respondent_id``, ``wave``, scales,
        grouping fields).
    codebook : Codebook
    min_cell : int
        Suppression minimum.
    waves : (str, str), optional
        The two waves compared; the codebook's first two by default.

    Returns
    -------
    DataFrame
        :data:`COLUMNS`, suppressed rows blanked and marked.
    """
    waves = waves or tuple(codebook.waves[:2])
    groups = disaggregations(codebook, scored)
    rows = []
    for sc in codebook.scales:
        pairs = paired(scored, sc.id, waves=waves, keep=tuple(groups))
        pre, post = pairs[waves[0]], pairs[waves[1]]
        base = {
            "indicator_id": f"{codebook.instrument}.{sc.id}.change",
            "instrument": codebook.instrument,
            "scale": sc.id,
            "label": sc.label.get("en", sc.id),
            "unit": sc.unit,
        }
        rows.append({**base, "group_by": CONSORTIUM, "group": ALL, **change_row(pre, post)})
        for g in groups:
            for value, idx in pairs.groupby(g, sort=True, observed=True).groups.items():
                rows.append({**base, "group_by": g, "group": str(value), **change_row(pre.loc[idx], post.loc[idx])})
    table = pd.DataFrame(rows, columns=[c for c in COLUMNS if c not in ("suppressed", "suppression")])
    table = suppress(
        table,
        COUNT_COLUMNS,
        VALUE_COLUMNS,
        min_cell,
        family_cols=["indicator_id", "group_by"],
        total_mask=table["group_by"].eq(CONSORTIUM),
    )
    return table[COLUMNS]


def headline(table: pd.DataFrame, indicator_id: str) -> dict:
    """The consortium row of one indicator, as a dict (for a report's summary)."""
    row = table.loc[(table["indicator_id"] == indicator_id) & (table["group_by"] == CONSORTIUM)]
    if row.empty:
        raise KeyError(indicator_id)
    return row.iloc[0].to_dict()


def format_change(row: dict, digits: int = 2) -> str:
    """Plain-language change with its interval and n, e.g. ``+0.42 (95% CI 0.30 to 0.55; n = 812 pairs)``."""
    if row.get("suppressed"):
        return "suppressed (fewer than the minimum number of people)"
    m = row.get("mean_change")
    if m is None or (isinstance(m, float) and math.isnan(m)):
        return f"not computed ({row.get('note') or 'no pairs'})"
    conf = int(round(100 * float(row.get("confidence", 0.95))))
    return (
        f"{m:+.{digits}f} ({conf}% CI {row['ci_low']:.{digits}f} to {row['ci_high']:.{digits}f}; "
        f"n = {int(row['n_paired'])} pairs)"
    )


def sort_key(table: pd.DataFrame) -> np.ndarray:
    """Stable ordering of an indicator table: indicator, consortium row first, then groups."""
    return np.lexsort((table["group"].astype(str), table["group_by"].ne(CONSORTIUM), table["indicator_id"]))
