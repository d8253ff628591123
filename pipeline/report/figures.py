"""Charts for reports, one function per chart, each taking a tidy frame.

Every chart here

* has a title, labelled axes with units, and a caption (bottom left) that gives
  the number of people or organisations it describes (n);
* reads in greyscale: categories differ by marker, fill, line style or hatch as well
  as by colour (the tests check this on the drawn artists);
* uses colour-blind safe colours: Okabe & Ito (2008) for categories, and a
  diverging palette built from Okabe-Ito blue and vermillion for agreement scales;
* never shows a group smaller than the suppression minimum (``min_cell``): such a
  group is listed as hidden, without marks;
* writes in the report's language (:mod:`pipeline.i18n`): every text a chart makes
  itself comes from the catalogue and every number (ticks, percentages, n) from
  :mod:`pipeline.report.format` ("0,5" in Italian); texts a caller passes (titles,
  scale and item labels, wave names) are shown as given, so callers pass them
  translated (``ctx.measure_label``, ``ctx.wave_label``). A title, caption, axis label
  or legend too long for the figure (a longer language) is wrapped and the figure
  grows to hold it. The font is matplotlib's DejaVu Sans: Latin, Greek and Cyrillic,
  no right-to-left script (docs/translations.md, "Scripts and fonts").

Functions return a matplotlib :class:`~matplotlib.figure.Figure` and never call
``plt.show``; :func:`show` displays one in a notebook and frees it.

**Charts are drawn once per run.** When ``IMPACT_FIGURE_CACHE`` names a folder
(:func:`pipeline.report.build.build_reports` sets it to ``<build>/figures``), a
chart function called with the same data and arguments as before, by this or by
another report, returns the PNG drawn then (a :class:`CachedChart`, which
:func:`show`, :func:`title_of` and :func:`caption_of` accept like a figure). The
key is a SHA-256 of the chart's name, its arguments (frames by their columns,
dtypes and a hash of every value), this module's source and the active language with
a digest of its catalogue (:func:`pipeline.i18n.fingerprint`), so a change of data, of
drawing code or of language draws the chart again.

The input frame of each chart (columns) is documented in its docstring; the
charts whose data come from instruments other than the community survey
(capacity, networks) take frames that those instruments' indicators provide.

References
----------
Okabe, M. & Ito, K. (2008). Color Universal Design (CUD): how to make figures and
presentations that are friendly to colorblind people. https://jfly.uni-koeln.de/color/
Robbins, N. B. & Heiberger, R. M. (2011). Plotting Likert and other rating scales.
Proceedings of the Survey Research Methods Section, American Statistical Association.
Schulz, K. F., Altman, D. G. & Moher, D. (2010). CONSORT 2010 statement (flow diagram).
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.ticker import Formatter

from pipeline import i18n
from pipeline.config import FIGURE_CACHE_ENV
from pipeline.errors import PipelineError
from pipeline.i18n import _, ngettext
from pipeline.report import format as fmt
from pipeline.schema import CONSORTIUM, paired_rows

#: Colour-blind safe (Okabe & Ito 2008) colours, used beside distinct markers.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
GREY = "#595959"
BEFORE = {"marker": "o", "markerfacecolor": "white", "markeredgecolor": "#404040", "color": "#404040"}
AFTER = {"marker": "o", "markerfacecolor": OKABE_ITO[0], "markeredgecolor": OKABE_ITO[0], "color": OKABE_ITO[0]}
#: Wave styles for up to four waves: marker, fill and colour differ together.
WAVE_STYLES = [
    {"marker": "o", "markerfacecolor": "white", "markeredgecolor": "#404040", "color": "#404040"},
    {"marker": "^", "markerfacecolor": OKABE_ITO[1], "markeredgecolor": "#7a5500", "color": OKABE_ITO[1]},
    {"marker": "s", "markerfacecolor": OKABE_ITO[0], "markeredgecolor": OKABE_ITO[0], "color": OKABE_ITO[0]},
    {"marker": "D", "markerfacecolor": "#000000", "markeredgecolor": "#000000", "color": "#000000"},
]
#: Diverging agreement colours (disagree: vermillion tints; agree: blue tints), with
#: hatching on the disagreeing side so that sides differ without colour.
DISAGREE = ["#8C2D04", "#D55E00", "#F4A582"]  # dark to light
NEUTRAL = "#D9D9D9"
AGREE = ["#BBD9EE", "#56B4E9", "#0072B2"]  # light to dark
CAPTION_SIZE = 8.5
DPI = 110


class _Pyplot:
    """``matplotlib.pyplot``, imported when a chart is first drawn. A report whose charts
    all come from the run's cache never imports it (pyplot, its backend and its projections
    take about 0.4 s of each report kernel's start)."""

    def __getattr__(self, name: str):
        import matplotlib.pyplot

        return getattr(matplotlib.pyplot, name)


plt = _Pyplot()

#: The environment variable naming the folder of drawn charts (unset: no cache).
CACHE_ENV = FIGURE_CACHE_ENV


class CachedChart:
    """A chart drawn earlier in the run: its PNG, title and caption (see the module docstring)."""

    def __init__(self, png: bytes, title: str, caption: str, text: str):
        self.png, self.title, self.caption, self.text = png, title, caption, text

    def savefig(self, fname, **kwargs) -> None:
        """Write the PNG (the only format kept)."""
        if hasattr(fname, "write"):
            fname.write(self.png)
        else:
            Path(fname).write_bytes(self.png)


def show(fig) -> None:
    """Display a chart once in a notebook (as an embedded PNG) and free it.

    The PNG is what IPython's inline backend makes of the figure (tight bounding
    box, the figure's resolution); a chart with a cache key is kept for the run.
    """
    from IPython.display import display

    if isinstance(fig, CachedChart):
        display({"image/png": fig.png, "text/plain": fig.text}, raw=True)
        return
    from IPython.core.pylabtools import print_figure

    png = print_figure(fig, "png", bbox_inches="tight")
    text = alt_text(fig)
    key = getattr(fig, "_impact_cache_key", None)
    if key and png:
        _store(key, CachedChart(png, title_of(fig), caption_of(fig), text))
    display({"image/png": png, "text/plain": text} if png else {"text/plain": text}, raw=True)
    plt.close(fig)


def alt_text(fig) -> str:
    """What a chart shows, in words, for readers who cannot see it (the HTML's ``alt``):
    its title and caption (the plain-text form of the notebook output)."""
    words = " ".join(p.strip() for p in (title_of(fig), caption_of(fig)) if p and p.strip())
    return words or _("A chart of the report (its title and caption are in the text around it).")


def caption_of(fig) -> str:
    """The caption text of a chart made here (the figure text tagged ``caption``), as
    written, without the line breaks it is drawn with."""
    if isinstance(fig, CachedChart):
        return fig.caption
    return " ".join(getattr(t, "_impact_text", t.get_text()) for t in fig.texts if t.get_gid() == "caption")


def title_of(fig) -> str:
    """The title of a chart made here (as written, without the line breaks it is drawn with)."""
    if isinstance(fig, CachedChart):
        return fig.title
    if fig._suptitle is None:
        return ""
    return getattr(fig._suptitle, "_impact_text", fig._suptitle.get_text())


def _fingerprint(value, digest) -> None:
    """Feed a canonical form of a chart argument to ``digest`` (frames by content)."""
    if isinstance(value, pd.DataFrame):
        digest.update(repr((list(map(str, value.columns)), [str(t) for t in value.dtypes], value.shape)).encode())
        digest.update(pd.util.hash_pandas_object(value, index=True).to_numpy().tobytes())
    elif isinstance(value, pd.Series):
        _fingerprint(value.to_frame(name=str(value.name)), digest)
    elif isinstance(value, dict):
        digest.update(b"{")
        for k in sorted(value, key=repr):
            _fingerprint(k, digest)
            _fingerprint(value[k], digest)
        digest.update(b"}")
    elif isinstance(value, (list, tuple)):
        digest.update(b"[" if isinstance(value, list) else b"(")
        for v in value:
            _fingerprint(v, digest)
        digest.update(b"]")
    else:
        digest.update(f"{type(value).__name__}:{value!r};".encode())


@functools.cache
def _code_version() -> str:
    import matplotlib

    code = b"".join(path.read_bytes() for path in sorted(Path(__file__).parent.glob("figures*.py")))
    return hashlib.sha256(code + matplotlib.__version__.encode()).hexdigest()


def _store(key: str, chart: CachedChart) -> None:
    folder = Path(os.environ[CACHE_ENV])
    folder.mkdir(parents=True, exist_ok=True)
    meta = json.dumps({"title": chart.title, "caption": chart.caption, "text": chart.text})
    for suffix, data in ((".json", meta.encode("utf-8")), (".png", chart.png)):  # the PNG last: it marks a complete entry
        tmp = folder / f".{key}{suffix}.{os.getpid()}"
        tmp.write_bytes(data)
        os.replace(tmp, folder / f"{key}{suffix}")


def _load(key: str) -> CachedChart | None:
    folder = Path(os.environ[CACHE_ENV])
    png, meta = folder / f"{key}.png", folder / f"{key}.json"
    try:
        chart = CachedChart(png.read_bytes(), **json.loads(meta.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None
    for path in (png, meta):  # used in this run: kept when the run prunes the folder
        os.utime(path)
    return chart


def cached(draw):
    """Return a chart drawn earlier with the same arguments, or draw it (see the module docstring)."""

    @functools.wraps(draw)
    def chart(*args, **kwargs):
        if not os.environ.get(CACHE_ENV):
            return draw(*args, **kwargs)
        digest = hashlib.sha256(f"{draw.__name__}|{_code_version()}|{i18n.fingerprint()}|".encode())
        try:
            _fingerprint((args, kwargs), digest)
        except TypeError:  # a value pandas cannot hash: draw it, keep nothing
            return draw(*args, **kwargs)
        key = digest.hexdigest()
        hit = _load(key)
        if hit is not None:
            return hit
        fig = draw(*args, **kwargs)
        fig._impact_cache_key = key
        return fig

    return chart


#: Size of the title's text (points).
TITLE_SIZE = 13


def _finish(fig: plt.Figure, title: str, caption: str, legend_handles=None, legend_cols: int = 2) -> plt.Figure:
    """Title (top left), legend (below it, right), caption (bottom left), then the axes in
    the room left. A title or caption longer than the figure's width (a longer language)
    is wrapped, and the figure grows by the lines added, so the plot keeps its size; a
    legend wider than the figure takes more rows."""
    width = fig.get_figwidth()
    room = 0.97 * width * 72  # points of a line of text (from 1% of the width to 2% before its edge)
    title_lines = _fit(title, TITLE_SIZE, room)
    caption_lines = _fit(caption, CAPTION_SIZE, room)
    title_extra = (len(title_lines) - 1) * TITLE_SIZE * 1.2 / 72  # inches added by a wrapped title
    caption_room = max(0.4, 0.06 + 0.1 + len(caption_lines) * CAPTION_SIZE * 1.2 / 72)  # 0.4 in: the English captions' room
    legend_extra = 0.0
    if legend_handles:
        legend_cols, legend_rows = _legend_shape(legend_handles, legend_cols, room)
        legend_extra = (legend_rows - math.ceil(len(legend_handles) / legend_cols)) * 9 * 1.5 / 72
    grow = title_extra + legend_extra + caption_room - 0.4
    if grow > 0:
        fig.set_figheight(fig.get_figheight() + grow)
    head = fig.suptitle("\n".join(title_lines), x=0.01, y=1, ha="left", va="top", fontsize=TITLE_SIZE)
    head._impact_text = title
    foot = fig.text(0.01, 0, "\n".join(caption_lines), fontsize=CAPTION_SIZE, ha="left", va="bottom", gid="caption")
    foot._impact_text = caption
    legend = fig.legend(handles=legend_handles, loc="upper right", ncol=legend_cols, frameon=False, fontsize=9) if legend_handles else None

    def place() -> None:
        height = fig.get_figheight()  # margins in inches, whatever the figure's height
        head.set_y(1 - 0.08 / height)
        foot.set_y(0.06 / height)
        # tight_layout takes the title's height (every line of it) off the top of the rectangle
        top = 1 - 0.45 / height
        if legend is not None:
            legend.set_bbox_to_anchor((0.99, 1 - (0.38 + title_extra) / height))
            top = 1 - (0.75 + legend_extra) / height
        fig.tight_layout(rect=(0, caption_room / height, 1, top))

    place()
    added = _fit_labels(fig)
    if added is not None:  # wrapped axis labels and panel titles: the figure grows by their lines, the panels keep their size
        fig.set_figheight(fig.get_figheight() + added)
        place()
    more = _rows_room(fig)
    if more:  # row labels of several lines that touch: the panels grow until they part
        fig.set_figheight(fig.get_figheight() + more)
        place()
    return fig


def _rows_room(fig: plt.Figure) -> float:
    """Inches the figure must grow by so that no two row labels of a panel (y tick labels)
    overlap: labels wrapped on several lines in a longer language can be taller than a
    row. 0 when they stand apart (the English charts)."""
    get_renderer = getattr(fig.canvas, "get_renderer", None)
    if get_renderer is None:
        return 0.0
    renderer = get_renderer()
    rows: dict[int, float] = {}
    for ax in fig.axes:
        if not ax.get_visible() or not ax.axison:
            continue
        lo, hi = sorted(ax.get_ylim())
        boxes = sorted(
            (t.get_window_extent(renderer) for loc, t in zip(ax.yaxis.get_majorticklocs(), ax.yaxis.get_ticklabels()) if lo <= loc <= hi and t.get_visible() and t.get_text()),
            key=lambda b: b.y0,
        )
        factor = 1.0
        for low, high in zip(boxes, boxes[1:]):
            spacing = (high.y0 + high.y1) / 2 - (low.y0 + low.y1) / 2
            if spacing > 0 and high.y0 < low.y1 + 2:
                factor = max(factor, (spacing + low.y1 + 2 - high.y0) / spacing)
        if factor > 1:
            box = ax.get_window_extent(renderer)
            key = round(box.y0)
            rows[key] = max(rows.get(key, 0.0), box.height * (factor - 1) / fig.dpi * 1.1)
    return sum(rows.values())


def _fit_labels(fig: plt.Figure) -> float | None:
    """Wrap an axis label or a panel title that would run into the next panel or leave the
    figure (a longer language) to the room it has: an x label is centred on its panel and
    may reach halfway to the next one, a panel title runs from the panel's left edge to the
    next panel, a y label along its panel's height. Returns the inches the figure needs to
    grow by to keep its panels' size, or None when every label fits (and is left as it is)."""
    get_renderer = getattr(fig.canvas, "get_renderer", None)
    if get_renderer is None:
        return None
    renderer = get_renderer()
    shown = [ax for ax in fig.axes if ax.get_visible() and ax.axison]
    boxes = {ax: ax.get_window_extent(renderer) for ax in shown}
    edge_left, edge_right = 0.01 * fig.bbox.width, 0.99 * fig.bbox.width
    added, rows, changed = 0.0, set(), False
    for ax in shown:
        box = boxes[ax]
        rows.add(round(box.y0))
        same_row = [b for other, b in boxes.items() if other is not ax and b.y0 < box.y1 and box.y0 < b.y1]
        left = max([(b.x1 + box.x0) / 2 for b in same_row if b.x1 <= box.x0], default=edge_left)
        right = min([(box.x1 + b.x0) / 2 for b in same_row if b.x0 >= box.x1], default=edge_right)
        next_panel = min([b.x0 - 8 for b in same_row if b.x0 >= box.x1], default=edge_right)
        centre = (box.x0 + box.x1) / 2
        centred = 2 * min(centre - left, right - centre)
        grown = 0.0
        for label, room, across in ((ax.xaxis.label, centred, True), (ax.yaxis.label, box.height, False), (ax.title, centred, True), (ax._left_title, next_panel - box.x0, True)):
            text = label.get_text()
            if not text:
                continue
            room_pt = room * 72 / fig.dpi
            size = label.get_fontsize()
            if max(_text_width(line, size) for line in text.split("\n")) > room_pt:
                lines = _fit(" ".join(text.split()), size, room_pt)
                if across:
                    grown += (len(lines) - len(text.split("\n"))) * size * 1.2 / 72
                label.set_text("\n".join(lines))
                changed = True
        added = max(added, grown)
    return added * len(rows) if changed else None


@functools.cache
def _measure():
    from matplotlib.backends.backend_agg import RendererAgg

    return RendererAgg(100, 100, DPI)  # the charts' resolution: glyphs hinted as they are drawn


def _text_width(text: str, size: float) -> float:
    """Width in points of one line of ``text`` at ``size`` points (the charts' font)."""
    from matplotlib.font_manager import FontProperties

    width, _height, _descent = _measure().get_text_width_height_descent(text, FontProperties(size=size), ismath=False)
    return width * 72 / DPI


def _fit(text: str, size: float, room: float) -> list[str]:
    """``text`` as lines no wider than ``room`` points at ``size`` points, broken between
    words (a word longer than a line keeps a line of its own)."""
    text = str(text)
    if not text or _text_width(text, size) <= room:
        return [text]
    lines: list[str] = []
    for word in text.split():
        if lines and _text_width(f"{lines[-1]} {word}", size) <= room:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _legend_shape(handles, cols: int, room: float) -> tuple[int, int]:
    """Columns and rows of a legend that fits ``room`` points (fewer columns for long labels)."""
    widths = [_text_width(h.get_label(), 9) + 9 * 3.5 for h in handles]  # marker and spacing: about 3.5 em
    cols = max(1, min(cols, len(handles)))
    while cols > 1:
        rows = math.ceil(len(handles) / cols)
        columns = [max(widths[c * rows : (c + 1) * rows], default=0) for c in range(cols)]
        if sum(columns) <= 0.9 * room:
            break
        cols -= 1
    return cols, math.ceil(len(handles) / cols)


class LocaleFormatter(Formatter):
    """Tick labels in the report's language (``0,5`` in Italian; :func:`pipeline.report.format.num`),
    with as many decimals as the ticks need (all ticks alike, like matplotlib's own)."""

    def __init__(self, digits: int | None = None):
        self.digits = digits
        self._digits = digits if digits is not None else 0

    def set_locs(self, locs):
        super().set_locs(locs)
        if self.digits is None:
            self._digits = _decimals(locs)

    def __call__(self, x, pos=None):
        text = fmt.num(x, self._digits)
        return text.replace("-", "\N{MINUS SIGN}", 1) if text.startswith("-") and plt.rcParams["axes.unicode_minus"] else text


def _decimals(values) -> int:
    """The fewest decimals (up to 3) that write every value exactly."""
    values = [float(v) for v in values if np.isfinite(v)]
    for digits in range(4):
        if all(abs(round(v, digits) - v) < 1e-9 * max(1.0, abs(v)) for v in values):
            return digits
    return 3


def _locale_axis(axis) -> None:
    """Write an axis' numbers in the report's language."""
    axis.set_major_formatter(LocaleFormatter())


def _style(ax, axis: str = "x") -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis=axis, color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)


def _require(frame: pd.DataFrame, columns, what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise PipelineError(f"{what}: columns {missing} missing; the frame has {list(frame.columns)}")


def _hidden_label(name: str, min_cell: int) -> str:
    # TRANSLATORS: a row of a chart whose group is too small to show; {name} is the group
    return _("{name} (n < {min_cell}, hidden)").format(name=name, min_cell=fmt.count(min_cell))


def _n_label(name: str, n) -> str:
    """A row's label with its number of people."""
    # TRANSLATORS: a row of a chart: the group's name and the number of people behind it
    return _("{name} (n = {n})").format(name=name, n=fmt.count(n))


def _hidden_note(min_cell: int) -> str:
    return ngettext("Groups of fewer than {min_cell} person are hidden.", "Groups of fewer than {min_cell} people are hidden.", min_cell).format(min_cell=fmt.count(min_cell))


# --------------------------------------------------------------------------- dumbbells
@cached
def change_dumbbells(
    table: pd.DataFrame,
    scales: list[str],
    units: dict[str, str],
    ranges: dict[str, tuple[float, float]],
    titles: dict[str, str],
    min_cell: int,
    highlight: str = "",
    group_by: str = "partner",
    title: str | None = None,
    total_label: str | None = None,
) -> plt.Figure:
    """Before/after means per group and for the whole, one panel per scale.

    Parameters
    ----------
    table : DataFrame
        Indicator rows (``pipeline.analysis.indicators.COLUMNS``): ``scale``, ``group_by``
        ("consortium", or "subset" for a table of
        :func:`pipeline.analysis.explore.change_table`, and the breakdown), ``group``,
        ``n_paired``, ``mean_pre``, ``mean_post``, ``suppressed``, ``suppression``.
    scales : list of str
        Scale ids, one panel each.
    units, ranges, titles : dict
        Per scale: the unit for the x axis, the range of the scale, the panel title.
    min_cell : int
        The suppression minimum, named for hidden groups.
    highlight : str
        A group shown in bold (a partner's report).
    group_by : str
        The breakdown drawn under the total row ("partner" by default; "gender", ...).
    title : str, optional
        The chart's title; by default "Mean scores before and after, by <group_by>".
    total_label : str, optional
        The label of the total row ("Consortium" in the report's language by default; a
        subset's name for a subset). Long labels are wrapped, and the panels grow with
        the lines, so that none overlap.

    Every text the chart writes itself is in the report's language; ``units``,
    ``titles`` and the group names are shown as given (pass them translated).

    Returns
    -------
    Figure
        Open circle = before, filled circle = after; each row's label gives the
        number of people who answered both times (n).
    """
    _require(table, ["scale", "group_by", "group", "n_paired", "mean_pre", "mean_post", "suppressed"], "change_dumbbells")
    whole = _("consortium") if total_label is None else total_label
    total_label = _("Consortium") if total_label is None else total_label
    n_panels = len(scales)
    cols = 2 if n_panels > 1 else 1
    rows_n = math.ceil(n_panels / cols)
    totals = (CONSORTIUM, TOTAL_SUBSET)
    n_rows = max(1, int((table["group_by"] == group_by).sum() / max(1, n_panels)) + 1)
    width = 30 if cols > 1 else 60  # characters of a row label before it wraps
    lines = _label_lines(table.loc[table["group_by"] == group_by, "group"], width, total_label)
    fig, axes = plt.subplots(rows_n, cols, figsize=(10, 1.6 + rows_n * (0.8 + 0.32 * n_rows * lines)), squeeze=False, dpi=DPI)
    total = 0
    for k, scale in enumerate(scales):
        ax = axes[k // cols][k % cols]
        sub = paired_rows(table).loc[lambda t: (t["scale"] == scale) & t["group_by"].isin([*totals, group_by])]
        sub = pd.concat([sub.loc[sub["group_by"].isin(totals)], sub.loc[sub["group_by"] == group_by].sort_values("group")])
        labels, y = [], np.arange(len(sub))[::-1]
        for yi, r in zip(y, sub.itertuples(index=False)):
            name = total_label if r.group_by in totals else str(r.group)
            name = _wrap(name, width) if len(name) > width - 10 else name
            if bool(r.suppressed):
                # TRANSLATORS: a row of a chart hidden so that a smaller group cannot be worked out by subtraction
                labels.append(_hidden_label(name, min_cell) if getattr(r, "suppression", "primary") == "primary" else _("{name} (hidden)").format(name=name))
                continue
            if r.group_by in totals and not pd.isna(r.n_paired):
                total = max(total, int(r.n_paired))
            labels.append(_n_label(name, r.n_paired))
            ax.plot([r.mean_pre, r.mean_post], [yi, yi], color="#808080", linewidth=1.5, zorder=1)
            ax.plot(r.mean_pre, yi, linestyle="none", markersize=7, zorder=2, **BEFORE)
            ax.plot(r.mean_post, yi, linestyle="none", markersize=7, zorder=3, **AFTER)
        ax.set_yticks(y, labels)
        for tick, r in zip(ax.get_yticklabels(), sub.itertuples(index=False)):
            if (highlight and str(r.group) == highlight) or r.group_by in totals:
                tick.set_fontweight("bold")
        lo, hi = ranges[scale]
        ax.set_xlim(lo - 0.02 * (hi - lo), hi + 0.02 * (hi - lo))
        ax.set_ylim(-0.6, len(sub) - 0.4)
        _locale_axis(ax.xaxis)
        ax.set_xlabel(units.get(scale) or _("score"), fontsize=9)
        if k == 0:  # one short label: a long one on each row of short panels ran into the next
            ax.set_ylabel(_group_pairs(), fontsize=8)
        ax.set_title(_wrap(titles.get(scale, scale), 44 if lines == 1 else 30), fontsize=10.5, loc="left")  # wrapped labels leave narrower panels
        _style(ax)
    for k in range(n_panels, rows_n * cols):
        axes[k // cols][k % cols].set_visible(False)
    handles = [
        plt.Line2D([], [], linestyle="none", markersize=7, label=_("Before the activities"), **BEFORE),
        plt.Line2D([], [], linestyle="none", markersize=7, label=_("After the activities"), **AFTER),
    ]
    # TRANSLATORS: {whole} is "consortium" or the name of the group the chart describes
    means = _("Means of the people who answered both surveys ({whole}: n = {total} at most; n per row).").format(whole=whole, total=fmt.count(total))
    caption = f"{means} {_hidden_note(min_cell)}"
    if not title:
        if group_by == "partner":
            title = _("Mean scores before and after, by partner")
        else:
            # TRANSLATORS: {breakdown} names a column of the data, such as "gender" or "age group"
            title = _("Mean scores before and after, by {breakdown}").format(breakdown=fmt.words(group_by))
    return _finish(fig, title, caption, handles)


def _group_pairs() -> str:
    # TRANSLATORS: the y axis of a chart: one row per group, with the number of people who answered both surveys
    return _("group (n = pairs)")


#: ``group_by`` of the total row of an analyst's subset table (pipeline.analysis.explore.SUBSET).
TOTAL_SUBSET = "subset"


def _label_lines(groups: pd.Series, width: int, total_label: str) -> int:
    """Lines of the longest row label once wrapped (1 for the short labels of partner codes)."""
    names = [str(g) for g in groups] + [total_label]
    return max(1, *(len(_wrap(n, width).splitlines()) if len(n) > width - 10 else 1 for n in names))


# --------------------------------------------------------------------------- arms across waves
@cached
def arms_by_wave(points: pd.DataFrame, waves: list[str], title: str | None = None) -> plt.Figure:
    """Mean score of each group (arm) at each wave, one panel per scale.

    Parameters
    ----------
    points : DataFrame
        ``scale`` (panel title), ``unit`` (x-axis label), ``arm`` ("participants" or
        "comparison"), ``wave`` (one of ``waves``), ``mean``, ``n`` (people behind the mean).
    waves : list of str
        Wave labels in time order (the x axis), as shown (pass them translated).
    title : str, optional
        By default "Participants and the comparison group at each survey" in the report's language.

    Returns
    -------
    Figure
        Participants: filled circles, solid line; comparison group: open squares,
        dashed line; each point labelled with its n.
    """
    _require(points, ["scale", "unit", "arm", "wave", "mean", "n"], "arms_by_wave")
    scales = list(dict.fromkeys(points["scale"]))
    fig, axes = plt.subplots(1, len(scales), figsize=(10, 3.6), squeeze=False, dpi=DPI)
    style = {
        "participants": {"marker": "o", "color": OKABE_ITO[0], "markerfacecolor": OKABE_ITO[0], "linestyle": "-", "label": _("Participants")},
        "comparison": {"marker": "s", "color": "#404040", "markerfacecolor": "white", "linestyle": "--", "label": _("Comparison group")},
    }
    for ax, scale in zip(axes[0], scales):
        sub = points.loc[points["scale"] == scale]
        for arm, st_ in style.items():
            a = sub.loc[sub["arm"] == arm].set_index("wave").reindex(waves).dropna(subset=["mean"])
            if a.empty:
                continue
            x = [waves.index(w) for w in a.index]
            ax.plot(x, a["mean"], markersize=7, linewidth=1.6, **st_)
            for xi, (m, n) in zip(x, zip(a["mean"], a["n"])):
                ax.annotate(f"n = {fmt.count(n)}", (xi, m), textcoords="offset points", xytext=(0, 8 if arm == "participants" else -13), ha="center", fontsize=7.5, color=st_["color"])
        ax.set_xticks(range(len(waves)), [_wrap(w, 16) for w in waves], fontsize=8)
        ax.set_xlim(-0.4, len(waves) - 0.6)
        ax.set_ylabel(_wrap(str(sub["unit"].iloc[0]), 30), fontsize=8)
        _locale_axis(ax.yaxis)
        ax.set_title(_wrap(scale, 44 if len(scales) < 3 else 30), fontsize=10.5, loc="left")
        ax.margins(y=0.25)
        _style(ax, "y")
    handles = [plt.Line2D([], [], markersize=7, **st_) for st_ in style.values()]
    caption = _(
        "Means of the people who answered both surveys of each pair of waves (before and each later survey), so the people behind "
        "each point differ a little (n per point). The difference in differences and its interval are in the table."
    )
    return _finish(fig, title or _("Participants and the comparison group at each survey"), caption, handles)


# --------------------------------------------------------------------------- Likert
@cached
def likert_bars(counts: pd.DataFrame, levels: list, level_labels: dict, min_cell: int, title: str | None = None) -> plt.Figure:
    """Diverging stacked bars of agreement items (Robbins & Heiberger 2011).

    Parameters
    ----------
    counts : DataFrame
        One row per item x wave x response level: ``item`` (the item's text, as
        shown), ``wave`` (label, e.g. "Before"), ``level`` (a code of ``levels``) and
        ``count`` (people). Don't-know and refused answers are not levels; they are
        left out before counting.
    levels : list
        The response codes in order, most negative first (e.g. 1..5). An odd number
        of levels has a neutral middle, split half left and half right of zero.
    level_labels : dict
        Code -> label for the legend ("Strongly disagree", ...).
    min_cell : int
        An item x wave answered by fewer people is hidden.
    title : str, optional
        By default "Answers to the agreement items" in the report's language. Items,
        waves and level labels are shown as given (pass them translated).

    Returns
    -------
    Figure
        Bars are per cent of the people who answered the item in that wave (n in
        each row's label); disagreement to the left of zero, agreement to the right.
        Percentages are printed on segments of at least 10% and ``min_cell`` people.
    """
    _require(counts, ["item", "wave", "level", "count"], "likert_bars")
    k = len(levels)
    if not 2 <= k <= 7:
        raise PipelineError(f"likert_bars: need 2 to 7 response levels, got {levels!r}")
    half = k // 2
    neutral = k % 2 == 1
    colours = _diverging(k)
    hatches = ["///" if i < half else ("" if not neutral or i != half else "..") for i in range(k)]
    items = list(dict.fromkeys(counts["item"]))
    waves = list(dict.fromkeys(counts["wave"]))
    rows = [(it, w) for it in items for w in waves]
    fig_h = 1.9 + 0.36 * len(rows) + 0.25 * len(items)
    fig, ax = plt.subplots(figsize=(10, fig_h), dpi=DPI)
    ypos, labels, y = [], [], 0.0
    ns = []
    for it in items:
        for w in waves:
            sub = counts.loc[(counts["item"] == it) & (counts["wave"] == w)].set_index("level")["count"]
            c = np.array([float(sub.get(lv, 0)) for lv in levels])
            n = int(c.sum())
            ypos.append(y)
            if 0 < n < min_cell or n == 0:
                # TRANSLATORS: {wave} is a survey wave ("Before"); the row has too few answers to show
                labels.append(_("{wave}: n < {min_cell}, hidden").format(wave=w, min_cell=fmt.count(min_cell)) if n else _("{wave}: no answers").format(wave=w))
                y -= 1
                continue
            ns.append(n)
            labels.append(_n_label(w, n))
            pct = 100 * c / n
            left = -(pct[:half].sum() + (pct[half] / 2 if neutral else 0))
            for i in range(k):
                ax.barh(y, pct[i], left=left, height=0.72, color=colours[i], hatch=hatches[i], edgecolor="white", linewidth=0.6, gid=f"level-{levels[i]}")
                if pct[i] >= 10 and c[i] >= min_cell:
                    dark = i in (0, k - 1)
                    # a plain patch of the bar's colour behind the number: hatching never crosses the digits
                    ax.text(
                        left + pct[i] / 2,
                        y,
                        fmt.pct(pct[i] / 100),
                        ha="center",
                        va="center",
                        fontsize=7.5,
                        fontweight="bold" if dark else "normal",
                        color="white" if dark else "black",
                        bbox={"boxstyle": "square,pad=0.15", "facecolor": colours[i], "edgecolor": "none"},
                    )
                left += pct[i]
            y -= 1
        y -= 0.6
    ax.axvline(0, color="black", linewidth=0.9)
    ax.set_yticks(ypos, labels, fontsize=8)
    # item texts as group headings above their bars
    for j, it in enumerate(items):
        top = ypos[j * len(waves)]
        ax.text(-100, top + 0.62, _wrap(it, 110), fontsize=8.5, fontweight="bold", va="bottom", ha="left", zorder=5, bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"})
    ax.set_xlim(-100, 100)
    ax.set_ylim(min(ypos) - 0.7, max(ypos) + 1.25)
    ax.set_xticks(range(-100, 101, 25), [fmt.count(abs(v)) for v in range(-100, 101, 25)])
    ax.set_xlabel(_("per cent of people answering the item (disagree to the left, agree to the right)"), fontsize=9)
    ax.set_ylabel(_("survey wave"), fontsize=8)
    _style(ax)
    handles = [plt.Rectangle((0, 0), 1, 1, facecolor=colours[i], hatch=hatches[i], edgecolor="#808080", label=str(level_labels.get(levels[i], levels[i]))) for i in range(k)]
    if ns:
        caption = _("Per cent of the people who answered each item (n = {low} to {high} per row); 'don't know' and 'refused' are left out.").format(low=fmt.count(min(ns)), high=fmt.count(max(ns)))
    else:
        caption = _("Per cent of the people who answered each item (no row large enough to show); 'don't know' and 'refused' are left out.")
    hidden = ngettext("Rows of fewer than {min_cell} person are hidden.", "Rows of fewer than {min_cell} people are hidden.", min_cell).format(min_cell=fmt.count(min_cell))
    return _finish(fig, title or _("Answers to the agreement items"), f"{caption} {hidden}", handles, legend_cols=min(k, 5))


def _diverging(k: int) -> list[str]:
    """Colours of ``k`` ordered levels (2 to 7): dark disagreement to dark agreement."""
    half = k // 2
    pick = {1: [1], 2: [0, 2], 3: [0, 1, 2]}[half]
    return [*(DISAGREE[i] for i in pick), *([NEUTRAL] if k % 2 else []), *(AGREE[i] for i in pick)]


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(str(text), width)) or str(text)


# --------------------------------------------------------------------------- forest plot
#: Languages whose nouns keep their capital inside a sentence (a wave named "Ausgangsmessung").
NOUNS_CAPITALISED = ("de",)


def _in_sentence(label: str) -> str:
    """A label (a wave's name) inside a sentence: its first letter in lower case as
    :func:`pipeline.report.format.lower_first` does, except in German, where a noun keeps it."""
    return str(label) if i18n.active() in NOUNS_CAPITALISED else fmt.lower_first(label)


#: The organisations' charts live in :mod:`pipeline.report.figures_organisations`; they are
#: reached from here too (``figures.capacity_by_domain``), loaded when first asked for.
_ORGANISATIONS = ("capacity_by_domain", "network_drawing", "network_layout", "LEVEL_STYLES", "TYPE_MARKERS", "INTENSITY_WIDTHS")


#: The forest plot and the sample flow diagram, likewise (:mod:`pipeline.report.figures_forest`,
#: :mod:`pipeline.report.figures_flow`).
_FOREST = ("forest_plot", "effect_rows")
_FLOW = ("sample_flow_diagram", "FLOW_STEPS")


def __getattr__(name: str):
    if name in _ORGANISATIONS:
        from pipeline.report import figures_organisations

        return getattr(figures_organisations, name)
    if name in _FOREST:
        from pipeline.report import figures_forest

        return getattr(figures_forest, name)
    if name in _FLOW:
        from pipeline.report import figures_flow

        return getattr(figures_flow, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
