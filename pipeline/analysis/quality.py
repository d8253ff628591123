"""Quality of the measurement and of the sample: scale reliability and attrition.

Two tidy tables, written by the analyse stage beside ``indicators.csv`` and
published with the report:

``reliability.csv``
    For every scale and wave, and for every language version of the questionnaire
    within a wave: Cronbach's alpha with Feldt's 95% interval, McDonald's omega
    where the scale has at least three items, the weakest item (lowest corrected
    item-total correlation), and a flag when alpha is below 0.70. Items are scored
    as for the scale (missing codes removed, reverse-keyed items turned around);
    respondents with every item answered count (listwise).
``attrition.csv``
    For every scale: do the people who answered the second wave differ at baseline
    from those who did not? The standardised mean difference of their first-wave
    scores, flagged above 0.2 in absolute value (docs/methods.md), for participants and,
    where there is one, the comparison group, at consortium level and per partner.

Both tables go through :func:`pipeline.analysis.disclosure.suppress`: a language version
or a partner with fewer than ``min_cell`` people is hidden, and a second row when
the total would reveal it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline import stats
from pipeline.analysis import notes as notes_
from pipeline.analysis.disclosure import suppress
from pipeline.analysis.indicators import is_participant
from pipeline.ingest.score import RESPONDENT, WAVE, item_values
from pipeline.instruments.codebook import Codebook
from pipeline.schema import ALL

#: Alpha below this is flagged (docs/methods.md).
ALPHA_FLAG = 0.70

RELIABILITY_COLUMNS = [
    "instrument",
    "scale",
    "label",
    "wave",
    "group_by",
    "group",
    "n",
    "k",
    "alpha",
    "alpha_ci_low",
    "alpha_ci_high",
    "omega",
    "weakest_item",
    "weakest_item_total",
    "flag",
    "note",
    "suppressed",
    "suppression",
]
ATTRITION_COLUMNS = [
    "instrument",
    "scale",
    "label",
    "population",
    "group_by",
    "group",
    "n_completed",
    "n_dropped",
    "mean_completed",
    "mean_dropped",
    "smd",
    "flag",
    "note",
    "suppressed",
    "suppression",
]


def reliability_row(items: pd.DataFrame) -> dict:
    """Alpha (Feldt interval), omega (three or more items) and the weakest item of one block.

    Parameters
    ----------
    items : DataFrame
        The scale's items, scored (respondents x items).

    Returns
    -------
    dict
        ``n`` (respondents with every item), ``k``, ``alpha``, ``alpha_ci_low``,
        ``alpha_ci_high``, ``omega``, ``weakest_item``, ``weakest_item_total``, ``flag``
        (alpha < 0.70; missing when alpha is) and ``note`` (why a statistic is missing).
    """
    a = stats.cronbach_alpha(items)
    notes = [a.reason] if a.reason else []
    if items.shape[1] >= 3:
        o = stats.omega(items)
        omega = o.omega
        if o.reason:
            notes.append(f"omega: {o.reason}")
    else:
        omega = np.nan
        notes.append("omega needs at least 3 items")
    it = a.item_total.dropna()
    weakest = str(it.idxmin()) if len(it) else ""
    return {
        "n": a.n,
        "k": a.k,
        "alpha": a.alpha,
        "alpha_ci_low": a.ci_low,
        "alpha_ci_high": a.ci_high,
        "omega": omega,
        "weakest_item": weakest,
        "weakest_item_total": float(it.min()) if len(it) else np.nan,
        "flag": (f"alpha below {ALPHA_FLAG:.2f}" if a.alpha < ALPHA_FLAG else "") if not np.isnan(a.alpha) else "",
        "note": "; ".join(dict.fromkeys(notes)),
    }


def reliability(scored: pd.DataFrame, codebook: Codebook, min_cell: int) -> pd.DataFrame:
    """Reliability of every scale per wave and per language version (``reliability.csv``).

    Parameters
    ----------
    scored : DataFrame
        Validated rows of one instrument (items, ``wave``, optionally ``language``).
    codebook : Codebook
    min_cell : int
        Suppression minimum: a language version with fewer respondents is hidden.

    Returns
    -------
    DataFrame
        :data:`RELIABILITY_COLUMNS`; ``group_by`` is ``all`` or ``language``.
    """
    values = item_values(scored, codebook)
    by_language = "language" in scored.columns and scored["language"].notna().any()
    rows = []
    for sc in codebook.scales:
        base = {"instrument": codebook.instrument, "scale": sc.id, "label": sc.label.get("en", sc.id)}
        for wave in codebook.waves:
            in_wave = scored[WAVE].eq(wave).to_numpy()
            if not in_wave.any():
                continue
            block = values.loc[in_wave, list(sc.items)]
            if codebook.is_wide and not any(wave in codebook.item(i).columns for i in sc.items):
                continue  # the scale was not asked at this wave
            rows.append({**base, "wave": wave, "group_by": ALL, "group": ALL, **reliability_row(block)})
            if by_language:
                for lang, idx in block.groupby(scored.loc[in_wave, "language"], sort=True, observed=True).groups.items():
                    rows.append({**base, "wave": wave, "group_by": "language", "group": str(lang), **reliability_row(block.loc[idx])})
    table = pd.DataFrame(rows, columns=RELIABILITY_COLUMNS[:-2])
    table = suppress(
        table,
        ["n"],
        ["alpha", "alpha_ci_low", "alpha_ci_high", "omega", "weakest_item_total"],
        min_cell,
        family_cols=["instrument", "scale", "wave"],
        total_mask=table["group_by"].eq(ALL),
    )
    table.loc[table["suppressed"], ["flag", "weakest_item"]] = ""
    return table[RELIABILITY_COLUMNS]


def attrition_table(scored: pd.DataFrame, codebook: Codebook, min_cell: int) -> pd.DataFrame:
    """Baseline differences between completers and drop-outs (``attrition.csv``).

    A person completed a scale when they have its score in the second wave; their
    first-wave score is compared with that of people who have none
    (:func:`pipeline.stats.attrition`). Completion is per scale, so the completers are
    exactly the pairs the change in ``indicators.csv`` is computed on: counting
    everyone who answered the second survey instead would let a reader subtract the
    pairs from the completers and find the few who answered it without this scale,
    and their first-wave mean (tests/attack.py). Participants and the comparison group
    (when the codebook has one) are separate populations; each at consortium level and
    per partner.
    """
    first, second = codebook.waves[:2]
    later = scored.loc[scored[WAVE] == second]
    base_rows = scored.loc[scored[WAVE] == first].drop_duplicates(RESPONDENT)
    field = codebook.comparison_field
    if field is not None and field.name in base_rows.columns:
        member = is_participant(base_rows[field.name], codebook)
        populations = [("participants", member), ("comparison group", ~member)]
    else:
        populations = [("participants", pd.Series(True, index=base_rows.index))]
    rows = []
    for sc in codebook.scales:
        base = {"instrument": codebook.instrument, "scale": sc.id, "label": sc.label.get("en", sc.id)}
        scored_second = set(later.loc[later[sc.id].notna(), RESPONDENT].dropna()) if sc.id in later.columns else set()
        completed = base_rows[RESPONDENT].isin(scored_second)
        for population, mask in populations:
            if not mask.any():
                continue
            rows.append({**base, "population": population, "group_by": "consortium", "group": ALL, **_attrition_row(base_rows.loc[mask, sc.id], completed[mask])})
            if "partner" in base_rows.columns:
                sub = base_rows.loc[mask]
                for code, idx in sub.groupby("partner", sort=True, observed=True).groups.items():
                    rows.append({**base, "population": population, "group_by": "partner", "group": str(code), **_attrition_row(sub.loc[idx, sc.id], completed[idx])})
    table = pd.DataFrame(rows, columns=ATTRITION_COLUMNS[:-2])
    table = suppress(
        table,
        ["n_completed", "n_dropped"],
        ["mean_completed", "mean_dropped", "smd"],
        min_cell,
        family_cols=["instrument", "scale", "population"],
        total_mask=table["group_by"].eq("consortium"),
    )
    table.loc[table["suppressed"], "flag"] = ""
    return table[ATTRITION_COLUMNS]


def _attrition_row(scores: pd.Series, completed: pd.Series) -> dict:
    res = stats.attrition(scores.to_numpy(dtype="float64"), completed.to_numpy(dtype=bool))
    return {
        "n_completed": res.n_completed,
        "n_dropped": res.n_dropped,
        "mean_completed": res.mean_completed,
        "mean_dropped": res.mean_dropped,
        "smd": res.smd,
        "flag": notes_.ATTRITION_FLAG.format(threshold=stats.ATTRITION_SMD_FLAG) if res.flag else "",
        "note": res.reason or "",
    }
