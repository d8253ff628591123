"""Charts for reports. Every chart has a title, labelled axes with units, n in the
caption or the labels, and reads in greyscale (markers and line styles carry the
meaning, not colour alone). Functions return a matplotlib Figure and never call
``plt.show``; the notebook displays them.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .indicators import CONSORTIUM, paired_rows

#: Colour-blind safe (Okabe & Ito 2008) colours, used beside distinct markers.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
BEFORE = {"marker": "o", "markerfacecolor": "white", "markeredgecolor": "#404040", "color": "#404040"}
AFTER = {"marker": "o", "markerfacecolor": OKABE_ITO[0], "markeredgecolor": OKABE_ITO[0], "color": OKABE_ITO[0]}


def show(fig: plt.Figure) -> None:
    """Display a figure once in a notebook (as an embedded PNG) and free it."""
    from IPython.display import display

    display(fig)
    plt.close(fig)


def _style(ax) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)


def change_dumbbells(table: pd.DataFrame, scales: list[str], units: dict[str, str], ranges: dict[str, tuple[float, float]], titles: dict[str, str], min_cell: int) -> plt.Figure:
    """Before/after means per partner and for the consortium, one panel per scale.

    Parameters
    ----------
    table : DataFrame
        The indicator table (rows with ``group_by`` "consortium" and "partner").
    scales : list of str
        Scale ids, one panel each.
    units, ranges, titles : dict
        Per scale: the unit for the x axis, the range of the scale, the panel title.
    min_cell : int
        The suppression minimum, named in the caption for hidden groups.

    Returns
    -------
    Figure
        Open circle = before, filled circle = after; the label of each row gives the
        number of people who answered both times (n). Suppressed groups are listed
        without markers.
    """
    n_panels = len(scales)
    cols = 2 if n_panels > 1 else 1
    rows_n = math.ceil(n_panels / cols)
    fig, axes = plt.subplots(rows_n, cols, figsize=(10, 2.2 + 2.6 * rows_n), squeeze=False)
    for k, scale in enumerate(scales):
        ax = axes[k // cols][k % cols]
        sub = paired_rows(table).loc[lambda t: (t["scale"] == scale) & t["group_by"].isin([CONSORTIUM, "partner"])]
        sub = pd.concat([sub.loc[sub["group_by"] == CONSORTIUM], sub.loc[sub["group_by"] == "partner"].sort_values("group")])
        labels, y = [], np.arange(len(sub))[::-1]
        for yi, r in zip(y, sub.itertuples(index=False)):
            name = "Consortium" if r.group_by == CONSORTIUM else r.group
            if bool(r.suppressed):
                labels.append(f"{name} (n < {min_cell}, hidden)" if r.suppression == "primary" else f"{name} (hidden)")
                continue
            labels.append(f"{name} (n = {int(r.n_paired)})")
            ax.plot([r.mean_pre, r.mean_post], [yi, yi], color="#808080", linewidth=1.5, zorder=1)
            ax.plot(r.mean_pre, yi, linestyle="none", markersize=7, zorder=2, **BEFORE)
            ax.plot(r.mean_post, yi, linestyle="none", markersize=7, zorder=3, **AFTER)
        ax.set_yticks(y, labels)
        lo, hi = ranges[scale]
        ax.set_xlim(lo - 0.02 * (hi - lo), hi + 0.02 * (hi - lo))
        ax.set_xlabel(units.get(scale, "score"))
        ax.set_title(titles.get(scale, scale), fontsize=11, loc="left")
        _style(ax)
    for k in range(n_panels, rows_n * cols):
        axes[k // cols][k % cols].set_visible(False)
    handles = [
        plt.Line2D([], [], linestyle="none", markersize=7, label="Before the activities", **BEFORE),
        plt.Line2D([], [], linestyle="none", markersize=7, label="After the activities", **AFTER),
    ]
    fig.legend(handles=handles, loc="upper right", ncol=2, frameon=False)
    fig.suptitle("Mean scores before and after, by partner", x=0.01, ha="left", fontsize=13)
    fig.text(
        0.01, 0.005,
        "Means of the people who answered both surveys (n per row). Groups under the minimum size are hidden.",
        fontsize=8.5, ha="left", va="bottom",
    )
    fig.tight_layout(rect=(0, 0.03, 1, 0.95))
    return fig
