"""Levels: what a one-off survey measured (``analysis = "level"``).

An instrument asked once (one wave: design ``cross_section``, or any person-level design
whose codebook has a single wave) has no before and after to compare. Its indicators
are the level of each scale, and of each scored item that belongs to no scale, at that
wave: ``<instrument>.<scale>.level`` (``<instrument>.<item>.level``), for the whole
consortium and for each breakdown the codebook lists (partner, country, grouping
fields: :func:`pipeline.analysis.indicators.disaggregations`).

A level row uses the columns of ``indicators.csv`` this way: ``wave_from`` is the wave
(``wave_to`` is empty), ``n_pre`` the people with a score, ``mean_pre`` and ``sd_pre``
(n - 1 denominator) their mean and standard deviation, ``ci_low``/``ci_high`` the 95%
interval of the mean (Student's t with ``df`` = n - 1, as R's ``t.test(x)$conf.int``),
``confidence`` 0.95. A scale or item nobody answered gives no row. An item alone is described as answered (a reverse-keyed item is not
turned around; missing codes are not answers). Every row goes through disclosure
control (:func:`pipeline.analysis.disclosure.suppress`): a group of fewer than
``min_cell`` people is hidden, and a second group of its breakdown with it.
"""

from __future__ import annotations

import math

import pandas as pd
from scipy import stats as sps

from pipeline.analysis.disclosure import suppress
from pipeline.analysis.indicators import COLUMNS, COUNT_COLUMNS, VALUE_COLUMNS, disaggregations
from pipeline.ingest.score import item_values
from pipeline.instruments.codebook import Codebook
from pipeline.schema import ALL, CONSORTIUM, LEVEL

CONFIDENCE = 0.95
#: Designs whose rows are people (ratings, ties and registers are not described here).
PERSON_DESIGNS = ("cross_section", "repeated", "paired_pre_post")


def one_wave(codebook: Codebook) -> bool:
    """True for an instrument asked once: a one-off survey of people."""
    return codebook.design in PERSON_DESIGNS and (codebook.design == "cross_section" or len(codebook.waves) == 1)


def level_row(values: pd.Series, confidence: float = CONFIDENCE) -> dict:
    """n, mean, SD and the t interval of the mean of ``values`` (missing values left out)."""
    x = pd.to_numeric(values, errors="coerce").dropna().astype("float64")
    n = int(len(x))
    row = {"n_pre": n, "confidence": confidence, "note": ""}
    if n == 0:
        row["note"] = "nobody answered"
        return row
    mean = float(x.mean())
    row["mean_pre"] = mean
    if n < 2:
        row["note"] = "one answer: no standard deviation or interval"
        return row
    sd = float(x.std(ddof=1))
    half = float(sps.t.ppf(0.5 + confidence / 2, n - 1)) * sd / math.sqrt(n)
    row.update(sd_pre=sd, ci_low=mean - half, ci_high=mean + half, df=float(n - 1))
    return row


def _targets(scored: pd.DataFrame, codebook: Codebook) -> list[tuple[str, str, str, str, str, pd.Series]]:
    """(id part, scale, item, label, unit, values) of every scale and every item in no scale."""
    out = []
    for sc in codebook.scales:
        if sc.id in scored.columns:
            out.append((sc.id, sc.id, "", sc.label.get("en", sc.id), sc.unit, scored[sc.id]))
    in_scale = {i for sc in codebook.scales for i in sc.items}
    alone = [it for it in codebook.items if it.id not in in_scale and it.id in scored.columns]
    if alone:
        values = item_values(scored, codebook)
        for it in alone:
            x = values[it.id]
            rs = it.response_scale
            if it.reverse and it.correct is None:  # described as answered, not reverse-keyed
                x = rs.min + rs.max - x
            unit = "share right (0-1)" if it.correct is not None else f"answer ({rs.min}-{rs.max})"
            out.append((it.id, "", it.id, it.label.get("en", it.id), unit, x))
    return out


def instrument_levels(scored: pd.DataFrame, codebook: Codebook, min_cell: int) -> pd.DataFrame:
    """The level rows of one instrument asked once (an empty table for any other)."""
    if not one_wave(codebook) or scored.empty:
        return pd.DataFrame(columns=COLUMNS)
    wave = codebook.waves[0] if codebook.waves else ""
    groups = disaggregations(codebook, scored)
    rows = []
    for key, scale, item, label, unit, values in _targets(scored, codebook):
        if values.isna().all():  # not asked of anyone (skip logic, an empty column): no row
            continue
        base = {
            "indicator_id": f"{codebook.instrument}.{key}.level",
            "instrument": codebook.instrument,
            "scale": scale,
            "item": item,
            "label": label,
            "unit": unit,
            "analysis": LEVEL,
            "wave_from": wave,
        }
        rows.append({**base, "group_by": CONSORTIUM, "group": ALL, **level_row(values)})
        for g in groups:
            for value, idx in scored.groupby(g, sort=True, observed=True).groups.items():
                rows.append({**base, "group_by": g, "group": str(value), **level_row(values.loc[idx])})
    if not rows:
        return pd.DataFrame(columns=COLUMNS)
    table = pd.DataFrame(rows, columns=[c for c in COLUMNS if c not in ("suppressed", "suppression")])
    table["note"] = table["note"].fillna("")
    table = suppress(table, COUNT_COLUMNS, VALUE_COLUMNS, min_cell, family_cols=["indicator_id", "group_by"], total_mask=table["group_by"].eq(CONSORTIUM))
    return table[COLUMNS]
