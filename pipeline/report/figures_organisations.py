"""Charts of the organisations' results: capacity by domain and the partnership network.

Split from :mod:`pipeline.report.figures` by subject; the same conventions hold (Okabe-Ito
colours, a title and caption on every chart, drawn once per run through
:func:`pipeline.report.figures.cached`, whose key covers this module's code too).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from pipeline.errors import PipelineError
from pipeline.i18n import N_, _, ngettext
from pipeline.report import format as fmt
from pipeline.report.figures import DPI, OKABE_ITO, WAVE_STYLES, _finish, _in_sentence, _locale_axis, _require, _style, _wrap, cached, plt


# --------------------------------------------------------------------------- capacity
@cached
def capacity_by_domain(frame: pd.DataFrame, waves: list[str], score_range: tuple[float, float], unit: str, min_cell: int = 1, title: str | None = None) -> plt.Figure:
    """Capacity scores by domain at each wave (dot plot; small multiples by group).

    Parameters
    ----------
    frame : DataFrame
        One row per group x domain x wave: ``group`` (an organisation's code, or
        "Consortium" for the mean over organisations), ``domain`` (label), ``wave``
        (one of ``waves``), ``score`` (mean rubric level over the raters or
        organisations) and ``n`` (raters or organisations behind the score).
    waves : list of str
        The waves in order (e.g. ``["Baseline", "Mid-term", "Endline"]``; at most four).
    score_range : (float, float)
        The rubric's range (e.g. (1, 4)).
    unit : str
        What a score is, for the x axis (e.g. "rubric level, 1 = emerging to 4 = strong").
    min_cell : int
        Scores resting on fewer than ``min_cell`` raters are hidden (1 shows all:
        organisations, not people, are described; raters' answers are averaged).
    title : str, optional
        By default "Organisational capacity by domain" in the report's language. Groups,
        domains, waves and ``unit`` are shown as given (pass them translated).

    Returns
    -------
    Figure
        One panel per group; per domain, one marker per wave (open circle, triangle,
        square, diamond) joined by a line from the first to the last wave.
    """
    _require(frame, ["group", "domain", "wave", "score", "n"], "capacity_by_domain")
    if len(waves) > len(WAVE_STYLES):
        raise PipelineError(f"capacity_by_domain: at most {len(WAVE_STYLES)} waves, got {waves}")
    groups = list(dict.fromkeys(frame["group"]))
    domains = list(dict.fromkeys(frame["domain"]))
    cols = 1 if len(groups) == 1 else 2
    rows_n = math.ceil(len(groups) / cols)
    lines = max((len(_wrap(d, 28).splitlines()) for d in domains), default=1)
    per_domain = 0.34 if lines <= 2 else 0.14 * lines + 0.14  # a label of three lines or more (a longer language) gets the room of its lines
    fig, axes = plt.subplots(rows_n, cols, figsize=(10, 1.5 + rows_n * (0.6 + per_domain * len(domains))), squeeze=False, sharex=True, dpi=DPI)
    ns = []
    for gi, g in enumerate(groups):
        ax = axes[gi // cols][gi % cols]
        sub = frame.loc[frame["group"] == g]
        y = np.arange(len(domains))[::-1]
        for yi, d in zip(y, domains):
            dd = sub.loc[(sub["domain"] == d) & (sub["n"] >= min_cell)].set_index("wave")
            pts = [(w, float(dd.loc[w, "score"])) for w in waves if w in dd.index and not pd.isna(dd.loc[w, "score"])]
            ns.extend(int(v) for v in dd["n"])
            if len(pts) >= 2:
                ax.plot([pts[0][1], pts[-1][1]], [yi, yi], color="#A0A0A0", linewidth=1.3, zorder=1)
            for w, s in pts:
                ax.plot(s, yi, linestyle="none", markersize=7, zorder=2, **WAVE_STYLES[waves.index(w)])
        ax.set_yticks(y, [_wrap(d, 28) for d in domains], fontsize=8.5)
        ax.set_xlim(score_range[0] - 0.1, score_range[1] + 0.1)
        if lines > 2:  # half a row above the first domain and below the last: room for a long label's lines
            ax.set_ylim(-0.6, len(domains) - 0.4)
        _locale_axis(ax.xaxis)
        ax.set_title(str(g), fontsize=10.5, loc="left")
        ax.set_xlabel(unit, fontsize=9)
        ax.set_ylabel(_("domain"), fontsize=8)
        _style(ax)
    for k in range(len(groups), rows_n * cols):
        axes[k // cols][k % cols].set_visible(False)
    handles = [plt.Line2D([], [], linestyle="none", markersize=7, label=w, **WAVE_STYLES[i]) for i, w in enumerate(waves)]
    if ns:
        caption = _("Mean capacity level by domain at each wave (n = {low} to {high} raters or organisations per score).").format(low=fmt.count(min(ns)), high=fmt.count(max(ns)))
    else:
        caption = _("Mean capacity level by domain at each wave (no scores).")
    return _finish(fig, title or _("Organisational capacity by domain"), caption, handles, legend_cols=len(waves))


# --------------------------------------------------------------------------- networks
#: Line styles of tie levels, marker shapes of organisation types.
LEVEL_STYLES = {"local": "-", "national": "--", "international": ":"}
TYPE_MARKERS = {"ngo": "o", "public_authority": "s", "university": "^", "other": "D"}
INTENSITY_WIDTHS = {"information": 0.8, "joint_activity": 1.6, "formal_agreement": 2.6}
#: The legend's words for tie levels and organisation types (translated where shown).
LEVEL_WORDS = {"local": N_("local tie"), "national": N_("national tie"), "international": N_("international tie")}
# TRANSLATORS: types of organisation in a chart's legend ("ngo" is a non-governmental organisation)
TYPE_WORDS = {"ngo": N_("ngo"), "public_authority": N_("public authority"), "university": N_("university"), "other": N_("other")}
#: Names of the usual wave codes, when the caller gives none (translated where shown).
WAVE_WORDS = {"baseline": N_("Baseline"), "midline": N_("Midline"), "endline": N_("Endline")}


def network_layout(nodes: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """Positions of organisations: partners on an inner circle, others on an outer one.

    Deterministic (sorted by ``partner``, ``country``, ``type``, ``id``), so the
    baseline and endline drawings place every organisation at the same spot.
    """
    pos = {}
    inner = nodes.loc[nodes["partner"].astype(bool)].sort_values("id")
    outer = nodes.loc[~nodes["partner"].astype(bool)].sort_values(["country", "type", "id"])
    for ring, radius in ((inner, 0.45), (outer, 1.0)):
        m = len(ring)
        for j, node in enumerate(ring["id"]):
            a = math.pi / 2 - 2 * math.pi * j / max(m, 1)
            pos[str(node)] = (radius * math.cos(a), radius * math.sin(a))
    return pos


@cached
def network_drawing(edges: pd.DataFrame, nodes: pd.DataFrame, waves: tuple[str, str] = ("baseline", "endline"), title: str | None = None, wave_labels: dict[str, str] | None = None) -> plt.Figure:
    """Drawings of the partners' network at two waves, side by side, same layout.

    Parameters
    ----------
    edges : DataFrame
        One row per tie reported: ``wave`` (one of ``waves``), ``source`` and
        ``target`` (organisation ids of ``nodes``), ``level`` ("local", "national",
        "international") and ``intensity`` ("information", "joint_activity",
        "formal_agreement").
    nodes : DataFrame
        One row per organisation: ``id``, ``label`` (shown for partners only),
        ``type`` ("ngo", "public_authority", "university", "other"), ``country``
        and ``partner`` (bool: a member of the consortium).
    waves : (str, str)
        The two waves drawn (codes of the ``wave`` column).
    title : str, optional
        By default "The partnership network before and after" in the report's language.
    wave_labels : dict, optional
        Wave code -> its name in the report's language (the codebook's wave labels);
        without it, "baseline", "midline" and "endline" are named from the catalogue and
        other codes shown capitalised.

    Returns
    -------
    Figure
        Partners (filled, labelled) on an inner circle, other organisations (open,
        unlabelled) on an outer circle; marker shape = type; line style = level
        (solid local, dashed national, dotted international); line width = intensity.
    """
    _require(edges, ["wave", "source", "target", "level", "intensity"], "network_drawing edges")
    _require(nodes, ["id", "label", "type", "country", "partner"], "network_drawing nodes")
    unknown = sorted((set(edges["source"].astype(str)) | set(edges["target"].astype(str))) - set(nodes["id"].astype(str)))
    if unknown:
        raise PipelineError(f"network_drawing: ties name organisations not in the nodes frame: {unknown[:5]}")
    pos = network_layout(nodes)
    fig, axes = plt.subplots(1, 2, figsize=(11, 5.9), dpi=DPI)
    counts = []
    for ax, wave in zip(axes, waves):
        sub = edges.loc[edges["wave"] == wave]
        present = set(sub["source"].astype(str)) | set(sub["target"].astype(str)) | set(nodes.loc[nodes["partner"].astype(bool), "id"].astype(str))
        for e in sub.itertuples(index=False):
            (x0, y0), (x1, y1) = pos[str(e.source)], pos[str(e.target)]
            ax.plot([x0, x1], [y0, y1], linestyle=LEVEL_STYLES.get(e.level, "-"), linewidth=INTENSITY_WIDTHS.get(e.intensity, 1.0), color="#505050", alpha=0.85, zorder=1, gid=f"tie-{e.level}")
        for nd in nodes.itertuples(index=False):
            nid = str(nd.id)
            if nid not in present:
                continue
            x, y = pos[nid]
            is_partner = bool(nd.partner)
            ax.plot(
                x,
                y,
                linestyle="none",
                marker=TYPE_MARKERS.get(nd.type, "D"),
                markersize=13 if is_partner else 7,
                zorder=3,
                markerfacecolor=OKABE_ITO[0] if is_partner else "white",
                markeredgecolor="#202020",
                markeredgewidth=1.0,
            )
            if is_partner:
                ax.annotate(
                    str(nd.label),
                    (x, y),
                    xytext=(0, 11),
                    textcoords="offset points",
                    ha="center",
                    fontsize=8.5,
                    fontweight="bold",
                    zorder=4,
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.8},
                )
        n_orgs = len(present)
        counts.append((wave, n_orgs, len(sub)))
        ax.set_title(_wave_title(_wave_name(wave, wave_labels), len(sub), n_orgs), fontsize=10.5, loc="left")
        ax.set_xlim(-1.2, 1.2)
        ax.set_ylim(-1.2, 1.25)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel(_("inner circle: partners; outer circle: other organisations"), fontsize=8)
        ax.set_ylabel(_("(position carries no scale)"), fontsize=8)
        for s in ax.spines.values():
            s.set_color("#cccccc")
    handles = [plt.Line2D([], [], color="#505050", linestyle=ls, label=_(LEVEL_WORDS[lv])) for lv, ls in LEVEL_STYLES.items()]
    handles += [plt.Line2D([], [], linestyle="none", marker=m, markerfacecolor="white", markeredgecolor="#202020", markersize=7, label=_(TYPE_WORDS[t])) for t, m in TYPE_MARKERS.items()]
    first, second = (_wave_counts(_in_sentence(_wave_name(w, wave_labels)), o, t) for w, o, t in counts)
    # TRANSLATORS: {first} and {second} give each survey's organisations and ties ("baseline: n = 12 organisations, 20 ties")
    caption = _("{first}; {second}. Thicker lines: closer cooperation (information < joint activity < formal agreement). Filled: partners.").format(first=first, second=second)
    return _finish(fig, title or _("The partnership network before and after"), caption, handles, legend_cols=4)


def _wave_name(wave, labels: dict[str, str] | None) -> str:
    if labels and labels.get(wave):
        return str(labels[wave])
    return _(WAVE_WORDS[wave]) if wave in WAVE_WORDS else str(wave).capitalize()


def _ties(n: int) -> str:
    return ngettext("{n} tie", "{n} ties", n).format(n=fmt.count(n))


def _organisations(n: int) -> str:
    return ngettext("{n} organisation", "{n} organisations", n).format(n=fmt.count(n))


def _wave_title(wave: str, ties: int, organisations: int) -> str:
    # TRANSLATORS: a panel's title: a survey wave, then "3 ties" and "12 organisations"
    return _("{wave}: {ties}, {organisations}").format(wave=wave, ties=_ties(ties), organisations=_organisations(organisations))


def _wave_counts(wave: str, organisations: int, ties: int) -> str:
    # TRANSLATORS: part of a caption: a survey wave, then "12 organisations" and "3 ties"
    return _("{wave}: n = {organisations}, {ties}").format(wave=wave, organisations=_organisations(organisations), ties=_ties(ties))
