"""Organisational capacity: levels per organisation, domain and wave, with the spread between raters.

The unit is the organisation: each partner's raters are averaged per domain and
wave (raters may change between waves, so they are never paired). With a handful
of organisations the report shows levels and changes, not p-values (docs/methods.md).
"""

from __future__ import annotations

import pandas as pd

from pipeline.analysis.disclosure import suppress
from pipeline.instruments.codebook import Codebook

COLUMNS = ["partner", "domain", "domain_label", "wave", "raters", "mean", "sd", "suppressed", "suppression"]


def domain_levels(responses: pd.DataFrame, codebook: Codebook, min_cell: int) -> pd.DataFrame:
    """Tidy capacity levels for charts: one row per partner, domain and wave.

    ``raters`` is the number of raters who rated the domain; ``mean`` their mean
    level; ``sd`` the standard deviation between them (n - 1 denominator), the
    spread of views inside the organisation. Domains are the codebook's items and
    its scales (``capacity`` = mean of the seven domains). Rows with fewer than
    ``min_cell`` raters are suppressed (primary); within each domain and wave one
    more row is hidden when a single one would be (secondary).
    """
    domains = [(i.id, i.label.get("en", i.id)) for i in codebook.items] + [(s.id, s.label.get("en", s.id)) for s in codebook.scales]
    rows = []
    for col, label in domains:
        sub = responses[["partner", "wave", col]].dropna()
        for (partner, wave), x in sub.groupby(["partner", "wave"], sort=True)[col]:
            rows.append({"partner": partner, "domain": col, "domain_label": label, "wave": wave, "raters": len(x), "mean": float(x.mean()), "sd": float(x.std(ddof=1)) if len(x) > 1 else float("nan")})
    table = pd.DataFrame(rows, columns=COLUMNS[:-2])
    order = {w: k for k, w in enumerate(codebook.waves)}
    table = table.sort_values(["domain", "partner", "wave"], key=lambda s: s.map(order) if s.name == "wave" else s, kind="stable").reset_index(drop=True)
    return suppress(table, ["raters"], ["mean", "sd"], min_cell, family_cols=["domain", "wave"])[COLUMNS]
