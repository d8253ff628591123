"""The sample flow diagram: rows read, quarantined and kept in each wave, and the people
matched across the two waves (the CONSORT-style diagram of the data quality section).

Drawn through :func:`pipeline.report.figures.cached` like every chart (the cache key covers
this module's code too) and reached from there as ``figures.sample_flow_diagram``.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.patches import FancyBboxPatch

from pipeline.errors import PipelineError
from pipeline.i18n import _, ngettext
from pipeline.report import format as fmt
from pipeline.report.figures import DPI, _finish, _fit, _in_sentence, _require, cached, plt

#: Steps of the sample flow frame, in the order drawn.
FLOW_STEPS = ("read_first", "quarantined_first", "kept_first", "read_second", "quarantined_second", "kept_second", "matched", "first_only", "second_only")


@cached
def sample_flow_diagram(flow: pd.DataFrame, waves: tuple[str, str] | None = None, min_cell: int = 5, title: str | None = None) -> plt.Figure:
    """A CONSORT-style flow diagram of one pre/post survey (Schulz et al. 2010).

    Parameters
    ----------
    flow : DataFrame
        ``step`` (each of :data:`FLOW_STEPS`) and ``n``: rows read in the first
        wave's exports, of which quarantined, respondents kept; the same for the
        second wave; respondents matched across waves, seen in the first wave only
        (lost to follow-up) and in the second only. See
        :func:`pipeline.report.tables.flow_counts`.
    waves : (str, str), optional
        Labels of the two waves, as shown (pass them translated; "Before" and "After"
        in the report's language by default).
    min_cell : int
        Counts of people from 1 to ``min_cell - 1`` are shown as "fewer than min_cell";
        quarantined rows as they are (``quarantine.csv`` publishes each of them).

    Returns
    -------
    Figure
        Boxes with counts; solid arrows carry people on, dashed arrows lead to the
        people set aside (excluded boxes have a dashed border).
    """
    _require(flow, ["step", "n"], "sample_flow_diagram")
    n = dict(zip(flow["step"], flow["n"]))
    missing = [s for s in FLOW_STEPS if s not in n]
    if missing:
        raise PipelineError(f"sample_flow_diagram: steps {missing} missing from the flow frame")

    def num(step):
        v = int(n[step])
        if step.startswith("quarantined_"):  # rows set aside, each published in quarantine.csv: as they are
            return fmt.count(v)
        # TRANSLATORS: a count too small to publish, in a box of the sample flow diagram
        return _("fewer than {min_cell}").format(min_cell=fmt.count(min_cell)) if 0 < v < min_cell else fmt.count(v)

    fig, ax = plt.subplots(figsize=(9, 5.4), dpi=DPI)
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    ax.axis("off")
    first, second = waves if waves is not None else (_("Before"), _("After"))
    names = {
        "read_first": _("{wave}: rows received").format(wave=first),
        "read_second": _("{wave}: rows received").format(wave=second),
        "quarantined_first": _("Set aside (quarantined)"),
        "quarantined_second": _("Set aside (quarantined)"),
        "kept_first": _("{wave}: respondents kept").format(wave=first),
        "kept_second": _("{wave}: respondents kept").format(wave=second),
        # TRANSLATORS: people who answered the first survey only; {wave} is its name ("Before")
        "first_only": _("{wave} only (lost to follow-up)").format(wave=first),
        # TRANSLATORS: people who answered the second survey only; {wave} is its name ("After")
        "second_only": _("{wave} only (no baseline)").format(wave=second),
        "matched": _("Matched: answered both"),
    }
    places = {"read_first": (24, 88), "read_second": (74, 88), "quarantined_first": (24, 70), "quarantined_second": (74, 70), "kept_first": (24, 50), "kept_second": (74, 50)}
    places.update({"first_only": (15, 28), "second_only": (84, 28), "matched": (47, 12)})
    room = 0.27 * fig.get_figwidth() * 72  # points of a box's line: 30% of the axes' width, less the padding
    boxes = {step: (x, y, f"{_box_text(names[step], step, room * (0.9 if step == 'matched' else 1))}\nn = {num(step)}") for step, (x, y) in places.items()}
    excluded = {"quarantined_first", "quarantined_second", "first_only", "second_only"}
    for step, (x, y, text) in boxes.items():
        side = step in excluded
        ax.add_patch(
            FancyBboxPatch(
                (x - 15, y - 6.5),
                30,
                13,
                boxstyle="round,pad=0.4,rounding_size=1.5",
                facecolor="#F2F2F2" if side else ("#DCEAF5" if step == "matched" else "white"),
                edgecolor="#303030",
                linestyle="--" if side else "-",
                linewidth=1.8 if step == "matched" else 1.0,
                gid=f"box-{step}",
            )
        )
        ax.text(x, y, text, ha="center", va="center", fontsize=8.5 if text.count("\n") < 3 else 7.5, fontweight="bold" if step == "matched" else "normal", gid=f"text-{step}")

    def arrow(a, b, dashed=False):
        (x0, y0, _text0), (x1, y1, _text1) = boxes[a], boxes[b]
        ax.annotate("", xy=(x1, y1 + 7 if y1 < y0 else y1), xytext=(x0, y0 - 7), arrowprops={"arrowstyle": "-|>", "color": "#303030", "linestyle": "--" if dashed else "-", "linewidth": 1.0})

    arrow("read_first", "quarantined_first", dashed=True)
    arrow("read_second", "quarantined_second", dashed=True)
    for w in ("first", "second"):
        (x, y0, _text0), (_x, y1, _text1) = boxes[f"read_{w}"], boxes[f"kept_{w}"]
        ax.annotate("", xy=(x + 17, y1), xytext=(x + 17, y0), arrowprops={"arrowstyle": "-|>", "color": "#303030", "connectionstyle": "arc3,rad=-0.25"})
    arrow("kept_first", "first_only", dashed=True)
    arrow("kept_second", "second_only", dashed=True)
    arrow("kept_first", "matched")
    arrow("kept_second", "matched")
    ax.set_title(_("boxes: counts of rows (top) and of people (below); dashed: set aside"), fontsize=8.5, loc="left", color="#404040")
    # TRANSLATORS: {first} and {second} are the names of the two surveys ("before", "after"); {matched}, {first_n}, {second_n} are counts
    answered = ngettext(
        "n = {matched} person answered both waves; {first_n} answered {first} and {second_n} {second}.",
        "n = {matched} people answered both waves; {first_n} answered {first} and {second_n} {second}.",
        int(n["matched"]),
    ).format(matched=num("matched"), first_n=num("kept_first"), first=_in_sentence(first), second_n=num("kept_second"), second=_in_sentence(second))
    below = _("Counts below {min_cell} are not shown.").format(min_cell=fmt.count(min_cell))
    return _finish(fig, title or _("Sample flow: from answers received to people matched"), f"{answered} {below}", None)


def _box_text(text: str, step: str, room: float) -> str:
    """A box's label on lines that fit the box (``room`` points); the people seen in one
    wave only have the reason, in brackets, on a line of its own."""
    if "(" in text and text.index("(") > 0 and step in ("first_only", "second_only"):
        head, _sep, tail = text.partition("(")
        return "\n".join([*_fit(head.strip(), 8.5, room), *_fit("(" + tail, 8.5, room)])
    return "\n".join(_fit(text, 8.5, room))
