"""The forest plot of change by partner: each partner's effect size with its interval,
and the consortium's pooled (random-effects) estimate; :func:`effect_rows` makes its rows
from ``indicators.csv``.

Drawn through :func:`pipeline.report.figures.cached` like every chart (the cache key covers
this module's code too) and reached from there as ``figures.forest_plot``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.i18n import _, ngettext
from pipeline.report import format as fmt
from pipeline.report.figures import (
    DPI,
    OKABE_ITO,
    TOTAL_SUBSET,
    _finish,
    _group_pairs,
    _hidden_label,
    _hidden_note,
    _locale_axis,
    _n_label,
    _require,
    _style,
    _wrap,
    cached,
    plt,
)
from pipeline.schema import CONSORTIUM, RANDOM_EFFECTS, first_waves, paired_rows


@cached
def forest_plot(rows: pd.DataFrame, title: str, xlabel: str, min_cell: int, reference: float = 0.0, total_label: str | None = None) -> plt.Figure:
    """Effect sizes with their intervals, one row per group, grouped in panels.

    Parameters
    ----------
    rows : DataFrame
        ``panel`` (e.g. the scale), ``group`` (label), ``kind`` ("consortium",
        "random_effects" or a breakdown such as "partner"), ``estimate``, ``ci_low``,
        ``ci_high``, ``n`` and ``suppressed`` (bool; hidden rows have no marks).
        Optional: ``pi_low``/``pi_high``, the prediction interval of a
        "random_effects" row (drawn as a thin dotted line beyond its interval), and
        ``label``, a row's full label (else ``group (n = ...)``).
    title, xlabel : str
        The chart's title and the x axis label, which names the effect size and its
        formula, e.g. "d_z = mean change / SD of the changes".
    min_cell : int
        Named for hidden rows.
    reference : float
        Where "no change" lies (a dashed vertical line).
    total_label : str, optional
        What the legend calls the total rows ("Consortium" in the report's language by
        default; a subset's name). Panels, groups, ``title`` and ``xlabel`` are shown as
        given (pass them translated).

    Returns
    -------
    Figure
        Consortium rows: filled diamonds; groups: open squares; the random-effects
        summary across partners: an open diamond whose 95% interval is a thick line
        and whose prediction interval a thin dotted one; horizontal lines are the 95%
        intervals; n in each row's label.
    """
    _require(rows, ["panel", "group", "kind", "estimate", "ci_low", "ci_high", "n", "suppressed"], "forest_plot")
    total_label = _("Consortium") if total_label is None else total_label
    panels = list(dict.fromkeys(rows["panel"]))
    steps = [len(_wrap(g, 40).splitlines()) if len(str(g)) > 30 else 1 for g in rows["group"]]  # a wrapped label takes more room
    n_rows = sum(steps) + 1.5 * len(panels)  # each panel's title has a row of its own, and half a row before it
    fig, ax = plt.subplots(figsize=(9, 1.6 + 0.3 * n_rows), dpi=DPI)
    y, ticks, labels, ns = 0.0, [], [], []
    heads = []
    has_pooled = False
    for p in panels:
        heads.append((y, p))  # the title's own row, centred on it: clear of the rows above and below
        y -= 1
        for r in rows.loc[rows["panel"] == p].itertuples(index=False):
            step = len(_wrap(r.group, 40).splitlines()) if len(str(r.group)) > 30 else 1
            y -= (step - 1) / 2
            ticks.append(y)
            pooled = r.kind == RANDOM_EFFECTS
            hidden = bool(r.suppressed) or (pd.isna(r.n) and not pooled) or pd.isna(r.estimate)
            own = getattr(r, "label", None)
            group = _wrap(r.group, 40) if len(str(r.group)) > 30 else str(r.group)
            if hidden:
                labels.append(_hidden_label(group, min_cell) if bool(r.suppressed) else _("{name} (not computed)").format(name=group))
            elif pooled:
                labels.append(own if isinstance(own, str) and own else group)
                lo, hi = getattr(r, "pi_low", np.nan), getattr(r, "pi_high", np.nan)
                if not (pd.isna(lo) or pd.isna(hi)):
                    ax.plot([lo, hi], [y, y], color=OKABE_ITO[3], linewidth=1.0, linestyle=":")
                ax.plot([r.ci_low, r.ci_high], [y, y], color=OKABE_ITO[3], linewidth=2.2, solid_capstyle="butt")
                ax.plot(r.estimate, y, linestyle="none", zorder=3, marker="D", markersize=8, markerfacecolor="white", markeredgecolor=OKABE_ITO[3], markeredgewidth=1.6)
                has_pooled = True
            else:
                labels.append(own if isinstance(own, str) and own else _n_label(group, r.n))
                ns.append(int(r.n))
                style = (
                    {"marker": "D", "markersize": 8, "markerfacecolor": OKABE_ITO[0], "markeredgecolor": OKABE_ITO[0]}
                    if r.kind == CONSORTIUM
                    else {"marker": "s", "markersize": 6, "markerfacecolor": "white", "markeredgecolor": "#303030"}
                )
                ax.plot([r.ci_low, r.ci_high], [y, y], color="#303030" if r.kind != CONSORTIUM else OKABE_ITO[0], linewidth=1.4 if r.kind == CONSORTIUM else 1.0, solid_capstyle="butt")
                ax.plot(r.estimate, y, linestyle="none", zorder=3, **style)
            y -= 1 + (step - 1) / 2
        y -= 0.5
    ax.axvline(reference, color="#505050", linestyle="--", linewidth=0.9)
    ax.set_yticks(ticks, labels, fontsize=8.5)
    for yy, p in heads:
        # on white, above the reference line and the grid, which would otherwise cross the words
        # (4 points right of the axis, which stays whole)
        ax.annotate(
            str(p),
            xy=(0, yy),
            xycoords=("axes fraction", "data"),
            xytext=(4, 0),
            textcoords="offset points",
            fontsize=9.5,
            fontweight="bold",
            va="center",
            ha="left",
            zorder=5,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.5},
        )
    ax.set_ylim(y + 0.5, 0.9)
    _locale_axis(ax.xaxis)
    ax.set_xlabel(xlabel, fontsize=9)
    ax.set_ylabel(_group_pairs(), fontsize=8)
    _style(ax)
    handles = [
        # TRANSLATORS: a legend entry: {label} is "Consortium" or a group's name; CI = confidence interval
        plt.Line2D([], [], marker="D", linestyle="-", color=OKABE_ITO[0], markersize=8, label=_("{label}, 95% CI").format(label=_wrap(total_label, 40))),
        plt.Line2D([], [], marker="s", linestyle="-", color="#303030", markerfacecolor="white", markersize=6, label=_("Group, 95% CI")),
    ]
    if ns:
        sizes = _("Effect sizes with 95% confidence intervals (n = {low} to {high} pairs per row).").format(low=fmt.count(min(ns)), high=fmt.count(max(ns)))
    else:
        sizes = _("Effect sizes with 95% confidence intervals (no row large enough to show).")
    dashed = _("Dashed line: no change.")
    caption = f"{sizes} {_hidden_note(min_cell)} {dashed}"
    if has_pooled:
        handles.append(
            plt.Line2D(
                [],
                [],
                marker="D",
                linestyle="-",
                linewidth=2.2,
                color=OKABE_ITO[3],
                markerfacecolor="white",
                markersize=8,
                label=_("Across partners (random effects), 95% CI; dotted: 95% prediction interval"),
            )
        )
        pooled = _(
            "Across partners: the partners' effect sizes combined as sites (random effects, REML, Hartung-Knapp-Sidik-Jonkman interval);"
            " the dotted line is where a new partner's effect would fall (95% prediction interval); I² is the share of the spread between partners beyond chance."
        )
        caption = f"{caption} {pooled}"
    return _finish(fig, title, caption, handles)


def _pooled_label(r) -> str:
    """The forest plot's label of a random-effects row: partners combined, I² and tau."""
    k = "" if pd.isna(r.get("k_partners")) else ngettext("{n} partner", "{n} partners", int(r["k_partners"])).format(n=fmt.count(r["k_partners"]))
    het = [] if pd.isna(r.get("i2")) else [f"I² = {fmt.pct(float(r['i2']))}"]
    details = ", ".join([k, *het]) if k else ", ".join(het)
    # TRANSLATORS: the row of a chart that combines the partners' results; {details} is e.g. "5 partners, I² = 40%"
    return _("Across partners ({details})").format(details=details) if details else _("Across partners")


def effect_rows(indicators: pd.DataFrame, scales: dict[str, str], group_by: str = "partner", only: str = "", total_label: str | None = None) -> pd.DataFrame:
    """The forest plot frame of an indicator table: the total row, the random-effects
    summary across partners (where the table has one, and not for one partner's view),
    then groups, per scale.

    ``scales`` maps scale id -> panel title; ``only`` keeps one group (a partner's report);
    ``group_by`` is the breakdown drawn; ``total_label`` names the total row (the
    consortium, or the subset of a :func:`pipeline.analysis.explore.change_table`;
    "Consortium" in the report's language by default). Pass ``scales`` translated.
    """
    total_label = _("Consortium") if total_label is None else total_label
    parts = []
    pooled_rows = pd.DataFrame()
    if not only and "analysis" in indicators.columns and group_by == "partner":
        pooled_rows = first_waves(indicators.loc[indicators["analysis"].eq(RANDOM_EFFECTS)])
    indicators = paired_rows(indicators)
    for sid, label in scales.items():
        sub = indicators.loc[indicators["scale"] == sid]
        cons = sub.loc[sub["group_by"].isin([CONSORTIUM, TOTAL_SUBSET])].assign(kind=CONSORTIUM, group=total_label)
        pooled = pooled_rows.loc[pooled_rows["scale"] == sid] if len(pooled_rows) else pooled_rows
        if len(pooled):
            pooled = pooled.assign(kind=RANDOM_EFFECTS, group=_("Across partners"), _label=[_pooled_label(r) for r in pooled.to_dict("records")])
        grp = sub.loc[sub["group_by"] == group_by].sort_values("group").assign(kind=group_by)
        if only:
            grp = grp.loc[grp["group"].astype(str) == only]
        both = pd.concat([cons, pooled, grp])

        def col(name):
            return both[name].to_numpy(dtype=float, na_value=np.nan) if name in both.columns else np.full(len(both), np.nan)

        parts.append(
            pd.DataFrame(
                {
                    "panel": label,
                    "group": both["group"].astype(str).to_numpy(),
                    "kind": both["kind"].to_numpy(),
                    "estimate": col("effect_size"),
                    "ci_low": col("effect_size_ci_low"),
                    "ci_high": col("effect_size_ci_high"),
                    "n": col("n_paired"),
                    "suppressed": both["suppressed"].astype(bool).to_numpy(),
                    "pi_low": col("effect_size_pi_low"),
                    "pi_high": col("effect_size_pi_high"),
                    "label": both["_label"].fillna("").astype(str).to_numpy() if "_label" in both.columns else "",
                }
            )
        )
    columns = ["panel", "group", "kind", "estimate", "ci_low", "ci_high", "n", "suppressed", "pi_low", "pi_high", "label"]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


# --------------------------------------------------------------------------- sample flow
