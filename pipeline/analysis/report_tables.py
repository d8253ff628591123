"""The tables the reports print that are not indicator rows, computed once here.

The report layer formats; it does not compute (issue 12). Everything a report shows
is written to the build folder by the analyse stage (:func:`pipeline.workflow.analyse`):

``at_a_glance.csv``      one row per expected result: the funder's criterion, the result
                         in the project's words, its status and the indicator that decides
                         it (:func:`glance_table`)
``commentary.csv``       the consortium's reasons and actions, checked
                         (:mod:`pipeline.instruments.commentary`)
``network_counts.csv``   ties per wave and group, with one counting rule (:func:`network_counts`)
``baseline_balance.csv`` first-survey means of participants and the comparison group
                         (:func:`baseline_balance`)
``methods.csv``          the statistics behind the published numbers (:func:`methods_table`)

Counting rule of the network (:data:`TIE_RULE`): a *tie* is one partner naming one
organisation it works with, as the network survey records it; a tie two partners both
name counts once for each. The results framework counts the same way (its
``count_rows`` and ``count_new`` aggregations, which :func:`network_counts` calls), so
the network section and the framework print the same numbers. Measures of the graph
(organisations reached, density among partners) count *links*: a pair of
organisations is one link however many of them named it.
"""

from __future__ import annotations

import pandas as pd

from pipeline.analysis import aggregations as ag
from pipeline.analysis import networks
from pipeline.analysis import status as st
from pipeline.schema import CONSORTIUM

GLANCE_COLUMNS = [
    "criterion",
    "result_id",
    "result",
    "result_type",
    "status",
    "n_indicators",
    "n_achieved",
    "n_on_track",
    "n_off_track",
    "n_no_data",
    "indicator_id",
    "indicator",
    "value",
    "target",
    "unit",
    "n",
    "n_unit",
    "explained_by",
    "other_indicators",
]

#: Worst first: a result's status is the worst of its indicators'.
_SEVERITY = (st.OFF_TRACK, st.NO_DATA, st.ON_TRACK, st.ACHIEVED)


def glance_table(framework, results: pd.DataFrame, commentary: pd.DataFrame) -> pd.DataFrame:
    """One row per expected result, in the framework's order within the funder's criteria.

    A result's status is the worst of its indicators' (off track, no data, on track,
    achieved); the indicator shown is the first with that status (the one a reader
    must see). ``explained_by`` is the commentary entry that explains it (the
    indicator's id, else the result's), empty when there is none.
    """
    from pipeline.analysis.framework import FUNDER_CRITERIA

    order = {c: k for k, c in enumerate(FUNDER_CRITERIA)}
    explained = set(commentary["id"]) if len(commentary) else set()
    rows = []
    for k, res in enumerate(framework.results):
        sub = results.loc[results["result_id"] == res.id]
        base = {"criterion": res.criterion, "result_id": res.id, "result": res.text, "result_type": res.type, "_k": k}
        if res.type == "qualitative":
            rows.append({**base, "status": st.QUALITATIVE, "n_indicators": 0, "explained_by": res.id if res.id in explained else ""})
            continue
        status = sub["status"].fillna(st.NO_DATA).astype(str)
        worst = next(s for s in (*_SEVERITY, status.iloc[0]) if (status == s).any())
        lead = sub.loc[status == worst].iloc[0]
        rows.append(
            {
                **base,
                "status": worst,
                "n_indicators": len(sub),
                "n_achieved": int((status == st.ACHIEVED).sum()),
                "n_on_track": int((status == st.ON_TRACK).sum()),
                "n_off_track": int((status == st.OFF_TRACK).sum()),
                "n_no_data": int((status == st.NO_DATA).sum()),
                "indicator_id": lead["indicator_id"],
                "indicator": lead["indicator"],
                "value": lead["value"],
                "target": lead["target"],
                "unit": lead["unit"],
                "n": lead["n"],
                "n_unit": lead["n_unit"],
                "explained_by": next((i for i in (lead["indicator_id"], res.id) if i in explained), ""),
                "other_indicators": " ".join(sub.loc[status == worst, "indicator_id"].iloc[1:].astype(str)),
            }
        )
    out = pd.DataFrame(rows)
    out["_c"] = out["criterion"].map(order).fillna(len(order))
    out = out.sort_values(["_c", "_k"], kind="stable")
    return out.reindex(columns=GLANCE_COLUMNS).reset_index(drop=True)


NETWORK_COLUMNS = [
    "group_by",
    "group",
    "wave",
    "ties",
    "local",
    "national",
    "international",
    "cross_border",
    "public_authority",
    "formal_agreement",
    "new_ties",
    "new_since",
    "links",
    "organisations_reached",
]


def network_counts(ties: pd.DataFrame, codebook, consortium) -> pd.DataFrame:
    """Ties per wave for the consortium and each partner, counted by :data:`TIE_RULE`.

    ``ties`` are the network survey's rows (prepared here with
    :func:`pipeline.analysis.networks.prepare_ties`). ``new_ties`` counts the ties of a
    wave whose (partner, organisation) was not named at the first wave (empty at the
    first wave); ``links`` and ``organisations_reached`` describe the consortium's graph
    (empty on partner rows). Organisations are not people: no suppression applies.
    """
    prepared = networks.prepare_ties(ties, consortium)
    ctx = ag.Context(codebook, consortium, False)
    waves = [w for w in codebook.waves if (prepared["wave"] == w).any()]
    if not waves:
        return pd.DataFrame(columns=NETWORK_COLUMNS)
    first = waves[0]
    groups = [(CONSORTIUM, "all", prepared)] + [("partner", p, prepared.loc[prepared["partner"].astype(str) == p]) for p in consortium.partner_codes]
    rows = []
    for group_by, group, sub in groups:
        for w in waves:

            def count(where=None):
                return int(ag.agg_count_rows(ag.where(sub, where), {"wave": w}, ctx)["n"])

            row = {"group_by": group_by, "group": group, "wave": w, "ties": count()}
            for level in ("local", "national", "international"):
                row[level] = count([{"column": "level", "value": level}])
            row["cross_border"] = count([{"column": "cross_border", "value": "yes"}])
            row["public_authority"] = count([{"column": "org_type", "value": "public_authority"}])
            row["formal_agreement"] = count([{"column": "intensity", "value": "formal_agreement"}])
            if w != first:
                row["new_ties"] = int(ag.agg_count_new(sub, {"key": ["partner", "organisation"], "from": first, "to": w}, ctx)["value"])
                row["new_since"] = first
            if group_by == CONSORTIUM:
                g = networks.graph(sub.loc[sub["wave"] == w], consortium)
                row["links"] = g.number_of_edges()
                row["organisations_reached"] = networks.organisations_reached(g)
            rows.append(row)
    out = pd.DataFrame(rows).reindex(columns=NETWORK_COLUMNS)
    for col in ("new_ties", "links", "organisations_reached"):
        out[col] = out[col].astype("Int64")
    return out


BALANCE_COLUMNS = ["instrument", "scale", "label", "partners", "n_participants", "mean_participants", "n_comparison", "mean_comparison", "smd", "suppressed"]


def baseline_balance(frame: pd.DataFrame, codebook, min_cell: int) -> pd.DataFrame:
    """First-survey means of participants and the comparison group, per scale.

    Only the partners that have a comparison group count. ``smd`` is the standardised
    difference (participants minus comparison, pooled SD) of
    :func:`pipeline.stats.attrition`. A side with fewer than ``min_cell`` people hides
    the row (``suppressed``, the numbers empty).
    """
    from pipeline import stats
    from pipeline.analysis.indicators import is_participant

    field = codebook.comparison_field
    if field is None or field.name not in frame.columns:
        return pd.DataFrame(columns=BALANCE_COLUMNS)
    base = frame.loc[frame["wave"] == codebook.waves[0]]
    partners = ""
    if "partner" in base.columns:
        with_comparison = sorted(base.loc[~is_participant(base[field.name], codebook), "partner"].dropna().astype(str).unique())
        base = base.loc[base["partner"].astype(str).isin(with_comparison)]
        partners = " ".join(with_comparison)
    member = is_participant(base[field.name], codebook)
    rows = []
    for sc in codebook.scales:
        a, b = base.loc[member, sc.id].dropna(), base.loc[~member, sc.id].dropna()
        row = {"instrument": codebook.instrument, "scale": sc.id, "label": sc.label.get("en", sc.id), "partners": partners}
        if min(len(a), len(b)) < min_cell:
            rows.append({**row, "suppressed": True})
            continue
        res = stats.attrition(pd.concat([a, b]).to_numpy(), [1] * len(a) + [0] * len(b))
        rows.append({**row, "n_participants": len(a), "mean_participants": float(a.mean()), "n_comparison": len(b), "mean_comparison": float(b.mean()), "smd": float(res.smd), "suppressed": False})
    return pd.DataFrame(rows).reindex(columns=BALANCE_COLUMNS)


#: Statistics used by each kind of result, in the order the appendix lists them.
_USED = [
    ("always", ["paired_change", "signed_rank", "adjust_p", "reliable_change", "proportion_ci", "retention_weighted_change"]),
    ("random_effects", ["random_effects"]),
    ("diff_in_diff", ["diff_in_diff"]),
    ("mcnemar", ["mcnemar", "paired_proportions"]),
    ("quality", ["cronbach_alpha", "omega", "attrition"]),
]
METHODS_COLUMNS = ["key", "name", "formula", "notes", "reference"]


def methods_table(indicators: pd.DataFrame, has_quality: bool, has_code_matching: bool) -> pd.DataFrame:
    """The :data:`pipeline.stats.METHODS` entries behind the run's published numbers
    (and the matching by self-generated codes when a survey used it)."""
    from pipeline import stats
    from pipeline.ingest.codes import METHOD as MATCH_METHOD

    analyses = set(indicators["analysis"].dropna()) if "analysis" in indicators.columns else set()
    if not analyses:
        return pd.DataFrame(columns=METHODS_COLUMNS)
    keys = []
    for kind, names in _USED:
        if kind == "always" or kind in analyses or (kind == "quality" and has_quality):
            keys += names
    rows = [{"key": k, **{c: stats.METHODS[k][c] for c in METHODS_COLUMNS[1:]}} for k in keys if k in stats.METHODS]
    if has_code_matching:
        rows.append({"key": "code_matching", **{c: MATCH_METHOD[c] for c in METHODS_COLUMNS[1:]}})
    return pd.DataFrame(rows, columns=METHODS_COLUMNS)
