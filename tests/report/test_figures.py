"""Charts: title, labelled axes, n in the caption, readable in greyscale, hidden small groups.

Fixtures are tiny frames built here, in the tidy form each chart documents.
"""

from __future__ import annotations

import io
import re

import matplotlib.colors as mcolors
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import Rectangle

from pipeline import i18n
from pipeline.errors import PipelineError
from pipeline.report import figures


def grey(colour) -> float:
    """Luminance (ITU-R BT.601) of a colour, as a greyscale printer renders it."""
    r, g, b, _ = mcolors.to_rgba(colour)
    return round(0.299 * r + 0.587 * g + 0.114 * b, 2)


def check_basics(fig, n_text: str, axes: bool = True):
    assert figures.title_of(fig), "every chart has a title"
    caption = figures.caption_of(fig)
    assert "n = " in caption and n_text in caption, caption
    if not axes:  # a diagram (the sample flow) has boxes, not axes
        plt.close(fig)
        return
    for ax in fig.axes:
        if ax.get_visible() and (ax.lines or ax.patches or ax.collections):
            assert ax.get_xlabel(), f"x axis of {ax.get_title()!r} has no label"
    for ax in fig.axes:  # at least one y label per chart
        if ax.get_ylabel():
            break
    else:
        raise AssertionError("no y axis label")
    plt.close(fig)


def indicator_rows():
    rows = []
    for scale in ("attitudes", "knowledge"):
        for gb, g, n, pre, post, sup, kind in (
            ("consortium", "all", 40, 5.0, 6.0, False, ""),
            ("partner", "AA", 30, 5.1, 6.2, False, ""),
            ("partner", "BB", np.nan, np.nan, np.nan, True, "primary"),
            ("partner", "CC", np.nan, np.nan, np.nan, True, "secondary"),
        ):
            rows.append(
                dict(
                    scale=scale,
                    group_by=gb,
                    group=g,
                    n_paired=n,
                    mean_pre=pre,
                    mean_post=post,
                    suppressed=sup,
                    suppression=kind,
                    effect_size=0.5 if not sup else np.nan,
                    effect_size_ci_low=0.2 if not sup else np.nan,
                    effect_size_ci_high=0.8 if not sup else np.nan,
                )
            )
    return pd.DataFrame(rows)


class TestDumbbells:
    def test_basics_and_hidden_groups(self):
        t = indicator_rows()
        fig = figures.change_dumbbells(
            t,
            ["attitudes", "knowledge"],
            {"attitudes": "mean of 0-10 ratings", "knowledge": "1-5"},
            {"attitudes": (0, 10), "knowledge": (1, 5)},
            {"attitudes": "Attitudes", "knowledge": "Knowledge"},
            5,
        )
        labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
        assert "Consortium (n = 40)" in labels and "AA (n = 30)" in labels
        assert "BB (n < 5, hidden)" in labels and "CC (hidden)" in labels
        # two marked rows (consortium, AA): a line and two markers each; hidden rows none
        marker_lines = [l for l in fig.axes[0].lines if l.get_marker() not in (None, "None", "")]
        assert len(marker_lines) == 4
        check_basics(fig, "40")

    def test_before_and_after_differ_without_colour(self):
        assert figures.BEFORE["markerfacecolor"] != figures.AFTER["markerfacecolor"]
        assert grey(figures.BEFORE["markerfacecolor"]) - grey(figures.AFTER["markerfacecolor"]) > 0.4  # white vs dark fill


def likert_frame(n_after=12):
    rows = []
    for wave, counts in (("Before", [1, 2, 3, 2, 2]), ("After", [0, 1, 2, 4, n_after - 7])):
        for level, c in zip(range(1, 6), counts):
            rows.append(("I know my rights.", wave, level, c))
    return pd.DataFrame(rows, columns=["item", "wave", "level", "count"])


class TestLikert:
    labels = {1: "Strongly disagree", 2: "Disagree", 3: "Neither", 4: "Agree", 5: "Strongly agree"}

    def test_percentages_diverge_around_zero(self):
        fig = figures.likert_bars(likert_frame(), [1, 2, 3, 4, 5], self.labels, min_cell=5)
        ax = fig.axes[0]
        bars = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_gid()]
        before = [b for b in bars if abs(b.get_y() + b.get_height() / 2) < 1e-9]
        # 10 answers before: 1 strongly disagree, 2 disagree, 3 neutral -> left edge at -(10 + 20 + 15) = -45
        assert min(b.get_x() for b in before) == pytest.approx(-45)
        assert sum(b.get_width() for b in before) == pytest.approx(100)
        labels = [t.get_text() for t in ax.get_yticklabels()]
        assert "Before (n = 10)" in labels and "After (n = 12)" in labels
        check_basics(fig, "10 to 12")

    def test_levels_differ_in_greyscale(self):
        fig = figures.likert_bars(likert_frame(), [1, 2, 3, 4, 5], self.labels, min_cell=5)
        seen = {}
        for p in fig.axes[0].patches:
            if p.get_gid():
                seen[p.get_gid()] = (grey(p.get_facecolor()), p.get_hatch() or "")
        assert len(set(seen.values())) == 5, seen  # five levels, five greyscale looks
        plt.close(fig)

    def test_palette_is_colour_blind_safe(self):
        assert figures._diverging(5)[0] in figures.DISAGREE and figures._diverging(5)[-1] == figures.OKABE_ITO[0]

    def test_small_rows_hidden_and_small_segments_unlabelled(self):
        fig = figures.likert_bars(likert_frame(n_after=4 + 7 - 7), [1, 2, 3, 4, 5], self.labels, min_cell=5)
        ax = fig.axes[0]
        labels = [t.get_text() for t in ax.get_yticklabels()]
        assert "After: n < 5, hidden" in labels
        # no percentage printed on a segment of fewer than 5 people (all 'Before' segments are < 5)
        assert not [t for t in ax.texts if t.get_text().endswith("%")]
        plt.close(fig)

    def test_bad_levels(self):
        with pytest.raises(PipelineError, match="response levels"):
            figures.likert_bars(likert_frame(), [1], {}, 5)


class TestForest:
    def test_rows_markers_and_hidden(self):
        rows = figures.effect_rows(indicator_rows().assign(), {"attitudes": "Attitudes", "knowledge": "Knowledge"})
        assert list(rows["group"][:4]) == ["Consortium", "AA", "BB", "CC"]
        fig = figures.forest_plot(rows, "Effect sizes", "d_z = mean change / SD of the changes", 5)
        ax = fig.axes[0]
        markers = {l.get_marker() for l in ax.lines if l.get_linestyle() in ("None", "none", "")}
        assert markers == {"D", "s"}  # consortium and groups differ by shape, not colour only
        labels = [t.get_text() for t in ax.get_yticklabels()]
        assert labels.count("BB (n < 5, hidden)") == 2
        assert "d_z" in ax.get_xlabel()
        check_basics(fig, "30 to 40")

    @pytest.mark.parametrize("only", ["", "AA"])
    def test_panel_titles_have_a_row_of_their_own(self, only):
        """No panel title touches a row's marker or label (a title once sat 0.2 rows above
        its row, close to the row above and crossed by the reference line), and each is drawn
        on white above the reference line."""
        rows = figures.effect_rows(indicator_rows(), {"attitudes": "Attitudes towards refugees and migrants", "knowledge": "Knowledge"}, only=only)
        fig = figures.forest_plot(rows, "Effect sizes", "d_z = mean change / SD of the changes", 5)
        ax = fig.axes[0]
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        titles = [t for t in ax.texts if t.get_text() in ("Attitudes towards refugees and migrants", "Knowledge")]
        assert len(titles) == 2
        points = fig.dpi / 72
        rows_y = [ax.transData.transform((0, y))[1] for y in ax.get_yticks()]
        for t in titles:
            box = t.get_window_extent(renderer)
            assert t.get_zorder() > 2 and t.get_bbox_patch() is not None and t.get_bbox_patch().get_facecolor()[:3] == (1.0, 1.0, 1.0)
            # a row's marker is 8 points high: its half (4 points) and 2 points more stay clear of every title
            assert all(y + 6 * points < box.y0 or y - 6 * points > box.y1 for y in rows_y), (t.get_text(), box, rows_y)

    def test_partner_only(self):
        rows = figures.effect_rows(indicator_rows(), {"attitudes": "A"}, only="AA")
        assert list(rows["group"]) == ["Consortium", "AA"]

    def test_random_effects_row_with_prediction_interval(self):
        t = indicator_rows().assign(analysis="paired_change")
        pooled = dict(scale="attitudes", group_by="consortium", group="all", analysis="random_effects", n_paired=np.nan, suppressed=False, suppression="")
        pooled.update(effect_size=0.45, effect_size_ci_low=0.1, effect_size_ci_high=0.8, effect_size_pi_low=-0.6, effect_size_pi_high=1.5, k_partners=4, i2=0.83)
        t = pd.concat([t, pd.DataFrame([pooled])], ignore_index=True)
        rows = figures.effect_rows(t, {"attitudes": "Attitudes", "knowledge": "Knowledge"})
        # after the consortium's pooled row; no summary where the table has none (knowledge)
        assert list(rows["group"][:3]) == ["Consortium", "Across partners", "AA"] and (rows["kind"] == "random_effects").sum() == 1
        fig = figures.forest_plot(rows, "Effect sizes", "d_z = mean change / SD of the changes", 5)
        ax = fig.axes[0]
        labels = [t.get_text() for t in ax.get_yticklabels()]
        assert "Across partners (4 partners, I² = 83%)" in labels  # shown although its n is not published
        dotted = [l for l in ax.lines if l.get_linestyle() == ":"]
        assert len(dotted) == 1 and list(dotted[0].get_xdata()) == [-0.6, 1.5]
        diamonds = [l for l in ax.lines if l.get_marker() == "D" and l.get_markerfacecolor() == "white"]
        assert len(diamonds) == 1 and list(diamonds[0].get_xdata()) == [0.45]
        assert "prediction interval" in figures.caption_of(fig) and "Hartung-Knapp" in figures.caption_of(fig)
        check_basics(fig, "30 to 40")
        # a partner's own report shows that partner, not the summary
        assert "random_effects" not in set(figures.effect_rows(t, {"attitudes": "A"}, only="AA")["kind"])


class TestSampleFlow:
    def flow(self, **over):
        n = dict(read_first=120, quarantined_first=3, kept_first=117, read_second=90, quarantined_second=0, kept_second=90, matched=80, first_only=37, second_only=10)
        n.update(over)
        return pd.DataFrame({"step": list(n), "n": list(n.values())})

    def test_boxes_and_small_counts(self):
        fig = figures.sample_flow_diagram(self.flow(), min_cell=5)
        texts = " ".join(t.get_text() for t in fig.axes[0].texts)
        assert "n = 80" in texts and "n = 120" in texts
        # 3 quarantined rows read as they are (quarantine.csv lists each); 3 people seen after only do not
        assert "Set aside (quarantined)\nn = 3" in texts
        small = " ".join(t.get_text() for t in figures.sample_flow_diagram(self.flow(second_only=3, kept_second=83), min_cell=5).axes[0].texts)
        assert "(no baseline)\nn = fewer than 5" in small and not re.search(r"baseline\)\nn = 3\b", small)
        dashed = {p.get_gid() for p in fig.axes[0].patches if p.get_linestyle() == "--"}
        assert dashed == {"box-quarantined_first", "box-quarantined_second", "box-first_only", "box-second_only"}
        check_basics(fig, "80", axes=False)

    def test_missing_step(self):
        with pytest.raises(PipelineError, match="matched"):
            figures.sample_flow_diagram(self.flow().query("step != 'matched'"))


class TestCapacity:
    def frame(self):
        rows = []
        for g in ("AA", "BB"):
            for d in ("Governance", "Advocacy"):
                for i, w in enumerate(("Baseline", "Endline")):
                    rows.append((g, d, w, 2.0 + i, 3))
        return pd.DataFrame(rows, columns=["group", "domain", "wave", "score", "n"])

    def test_waves_differ_by_marker(self):
        fig = figures.capacity_by_domain(self.frame(), ["Baseline", "Endline"], (1, 4), "rubric level (1-4)")
        ax = fig.axes[0]
        marks = {(l.get_marker(), grey(l.get_markerfacecolor())) for l in ax.lines if l.get_linestyle() in ("None", "none", "")}
        assert len(marks) == 2 and len({m for m, _ in marks}) == 2
        assert [a.get_title(loc="left") for a in fig.axes if a.get_visible()][:2] == ["AA", "BB"]
        check_basics(fig, "3")

    def test_scores_of_too_few_raters_hidden(self):
        fig = figures.capacity_by_domain(self.frame(), ["Baseline", "Endline"], (1, 4), "level", min_cell=5)
        assert not [l for a in fig.axes for l in a.lines if l.get_linestyle() in ("None", "none", "")]
        plt.close(fig)


class TestNetwork:
    def frames(self):
        nodes = pd.DataFrame(
            [("AA", "AA", "ngo", "GR", True), ("BB", "BB", "university", "IT", True), ("x1", "Town hall", "public_authority", "GR", False), ("x2", "Other NGO", "ngo", "IT", False)],
            columns=["id", "label", "type", "country", "partner"],
        )
        edges = pd.DataFrame(
            [
                ("baseline", "AA", "x1", "local", "information"),
                ("endline", "AA", "x1", "local", "formal_agreement"),
                ("endline", "AA", "BB", "international", "joint_activity"),
                ("endline", "BB", "x2", "national", "information"),
            ],
            columns=["wave", "source", "target", "level", "intensity"],
        )
        return edges, nodes

    def test_levels_differ_by_line_style_and_layout_is_shared(self):
        edges, nodes = self.frames()
        fig = figures.network_drawing(edges, nodes)
        base, end = fig.axes[:2]
        styles = {l.get_gid(): l.get_linestyle() for l in end.lines if (l.get_gid() or "").startswith("tie-")}
        assert len(set(styles.values())) == 3
        assert "Baseline: 1 tie," in base.get_title(loc="left") and "Endline: 3 ties" in end.get_title(loc="left")
        assert figures.network_layout(nodes) == figures.network_layout(nodes.iloc[::-1])  # order-independent
        texts = [t.get_text() for t in end.texts]
        assert "AA" in texts and "Town hall" not in texts  # only partners are named
        check_basics(fig, "4 organisations")

    def test_unknown_organisation(self):
        edges, nodes = self.frames()
        with pytest.raises(PipelineError, match="not in the nodes"):
            figures.network_drawing(edges, nodes.iloc[:3])


class TestAnyBreakdown:
    """Charts for any breakdown (issue 14): group_by, title and total_label, labels that do not overlap."""

    @staticmethod
    def _subset_rows():
        rows = []
        groups = [("subset", "Thessaloniki Refugee Support Network (GR-THE), all respondents", 60)]
        groups += [("group", "Refugee, asylum seeker or migrant living in the area for more than a year", 25), ("group", "Local resident", 35)]
        groups += [("partner", "AA", 30)]  # another breakdown: not drawn
        for scale in ("attitudes", "knowledge"):
            for gb, g, n in groups:
                rows.append(
                    dict(scale=scale, group_by=gb, group=g, n_paired=n, mean_pre=3.0, mean_post=3.5, suppressed=False, suppression="", effect_size=0.4, effect_size_ci_low=0.1, effect_size_ci_high=0.7)
                )
        return pd.DataFrame(rows)

    @staticmethod
    def _no_overlap(fig):
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        fig_box = fig.bbox
        for ax in fig.axes:
            boxes = [t.get_window_extent(renderer) for t in ax.get_yticklabels() if t.get_text()]
            for a, b in zip(boxes, boxes[1:]):
                assert not a.overlaps(b), "row labels overlap"
            for box in boxes:
                assert box.x0 >= fig_box.x0 - 1 and box.x1 <= fig_box.x1 + 1, "a row label leaves the figure"

    def test_dumbbells_by_any_breakdown(self):
        fig = figures.change_dumbbells(
            self._subset_rows(),
            ["attitudes", "knowledge"],
            {"attitudes": "0-10", "knowledge": "1-5"},
            {"attitudes": (0, 10), "knowledge": (1, 5)},
            {"attitudes": "Attitudes", "knowledge": "Knowledge"},
            5,
            group_by="group",
            total_label="Thessaloniki Refugee Support Network (GR-THE), all respondents",
        )
        labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
        assert len(labels) == 3 and not any(lab.startswith("AA") for lab in labels)
        assert labels[0].startswith("Thessaloniki Refugee") and "\n" in labels[0] and labels[0].endswith("(n = 60)")
        assert figures.title_of(fig) == "Mean scores before and after, by group"
        assert "Thessaloniki Refugee Support Network (GR-THE), all respondents: n = 60 at most" in figures.caption_of(fig)
        self._no_overlap(fig)
        plt.close(fig)

    def test_forest_plot_by_any_breakdown(self):
        rows = figures.effect_rows(self._subset_rows(), {"attitudes": "Attitudes", "knowledge": "Knowledge"}, group_by="group", total_label="GR-THE")
        assert rows["group"].tolist()[:3] == ["GR-THE", "Local resident", "Refugee, asylum seeker or migrant living in the area for more than a year"]
        fig = figures.forest_plot(rows, "GR-THE by group", "d_z", 5, total_label="GR-THE")
        assert figures.title_of(fig) == "GR-THE by group"
        assert [h.get_text() for h in fig.legends[0].get_texts()][0] == "GR-THE, 95% CI"
        self._no_overlap(fig)
        plt.close(fig)


# --------------------------------------------------------------------------- languages
#: A glyph the charts' font lacks is an error in these tests, not a warning (a Greek
#: chart with boxes for letters would otherwise pass).
GLYPH_MISSING = "error:Glyph .* missing from font"


def _every_chart(label=lambda text: text):
    """One of every chart, with the texts a report passes in (``label``: translated as a
    report's sections translate them, e.g. pseudo-translated for the pseudo-locale)."""
    pooled = dict(scale="attitudes", group_by="consortium", group="all", analysis="random_effects", n_paired=np.nan, suppressed=False, suppression="")
    pooled.update(effect_size=0.45, effect_size_ci_low=0.1, effect_size_ci_high=0.8, effect_size_pi_low=-0.6, effect_size_pi_high=1.5, k_partners=4, i2=0.83)
    indicators = pd.concat([indicator_rows().assign(analysis="paired_change"), pd.DataFrame([pooled])], ignore_index=True)
    scales = {"attitudes": label("Attitudes towards refugees and migrants"), "knowledge": label("Knowledge of rights")}
    levels = {k: label(v) for k, v in TestLikert.labels.items()}
    likert = likert_frame().assign(item=label("I know my rights."), wave=lambda f: f["wave"].map(label))
    arms = pd.DataFrame(
        [
            (scales["attitudes"], label("mean of 0-10 ratings"), arm, label(w), m + (0.6 * i if arm == "participants" else 0.1 * i), 30)
            for arm in ("participants", "comparison")
            for i, (w, m) in enumerate((("Before", 5.0), ("After", 5.5), ("Follow-up", 5.7)))
        ],
        columns=["scale", "unit", "arm", "wave", "mean", "n"],
    )
    domains = ("Governance and strategy", "Staff skills for work with refugees and migrants", "Advocacy and public awareness", "Organisational capacity (mean of the seven domains)")
    capacity = pd.DataFrame(
        [(g, label(d), label(w), 2.0 + i, 3) for g in ("AA", "BB") for d in domains for i, w in enumerate(("Baseline", "Endline"))], columns=["group", "domain", "wave", "score", "n"]
    )
    edges, nodes = TestNetwork().frames()
    return {
        "change_dumbbells": figures.change_dumbbells(
            indicator_rows(),
            ["attitudes", "knowledge"],
            {"attitudes": label("mean of 0-10 ratings"), "knowledge": label("mean of 1-5 ratings")},
            {"attitudes": (0, 10), "knowledge": (1, 5)},
            scales,
            5,
            highlight="AA",
        ),
        "forest_plot": figures.forest_plot(
            figures.effect_rows(indicators, scales), label("Effect sizes by scale and partner (participants, paired)"), label("effect size d_z = mean change / SD of the changes (no unit)"), 5
        ),
        "likert_bars": figures.likert_bars(likert, [1, 2, 3, 4, 5], levels, 5, title=label("Answers to the agreement items at AA, before and after (participants who answered both surveys)")),
        "arms_by_wave": figures.arms_by_wave(arms, [label(w) for w in ("Before", "After", "Follow-up")]),
        "sample_flow_diagram": figures.sample_flow_diagram(
            TestSampleFlow().flow(second_only=3, kept_second=83), waves=(label("Before"), label("After")), title=label("Sample flow: community attitudes survey")
        ),
        "capacity_by_domain": figures.capacity_by_domain(capacity, [label("Baseline"), label("Endline")], (1, 4), label("capacity level (1 to 4; higher = stronger)")),
        "network_drawing": figures.network_drawing(edges, nodes),
    }


def _texts(fig):
    """Every text drawn on a figure: title, caption, legends, axis titles, labels, ticks, annotations."""
    out = [t for t in fig.texts if t.get_text()]
    if fig._suptitle is not None:
        out.append(fig._suptitle)
    for legend in fig.legends:
        out += list(legend.get_texts())
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        out += [ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label]
        for axis, (lo, hi) in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())) if ax.axison else ():  # the ticks drawn: inside the axis' limits
            lo, hi = min(lo, hi), max(lo, hi)
            out += [t for loc, t in zip(axis.get_majorticklocs(), axis.get_ticklabels()) if lo - 1e-9 <= loc <= hi + 1e-9]
        out += list(ax.texts)
    return list({id(t): t for t in out if t.get_visible() and t.get_text().strip()}.values())


def assert_fits(fig, name):
    """No text leaves the figure (clipped in the PNG) and no two texts overlap, except a
    text drawn inside the axes on purpose over another (none here do)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    frame = fig.bbox
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in _texts(fig)]
    for text, box in boxes:
        assert box.x0 >= frame.x0 - 1 and box.x1 <= frame.x1 + 1 and box.y0 >= frame.y0 - 1 and box.y1 <= frame.y1 + 1, f"{name}: {text!r} leaves the figure ({box} outside {frame})"
    for i, (a_text, a) in enumerate(boxes):
        for b_text, b in boxes[i + 1 :]:
            # a shared edge (a pixel) is not an overlap; ticks are checked along their own axis
            inner = a.padded(-1.5) if a.width > 3 and a.height > 3 else a
            assert not inner.overlaps(b), f"{name}: {a_text!r} overlaps {b_text!r}"


class TestLanguages:
    """Charts in the report's language: every text a chart writes comes from the catalogue,
    numbers follow the locale, Greek has every glyph, and the pseudo-locale (40% longer
    texts) fits without overlapping or clipped labels."""

    @pytest.fixture(autouse=True)
    def _english_after(self):
        yield
        i18n.activate("en")
        plt.close("all")

    @pytest.mark.filterwarnings(GLYPH_MISSING)
    @pytest.mark.parametrize("language", ["en", "en-XA"])
    def test_every_chart_fits(self, language):
        i18n.activate(language)
        label = i18n.pseudo if language == i18n.PSEUDO else (lambda text: text)
        for name, fig in _every_chart(label).items():
            assert_fits(fig, f"{name} ({language})")
            if name == "sample_flow_diagram":  # each box holds its text
                renderer = fig.canvas.get_renderer()
                boxes = {p.get_gid()[4:]: p.get_window_extent(renderer) for p in fig.axes[0].patches if (p.get_gid() or "").startswith("box-")}
                for t in fig.axes[0].texts:
                    if (t.get_gid() or "").startswith("text-"):
                        box, inner = boxes[t.get_gid()[5:]], t.get_window_extent(renderer)
                        assert box.x0 <= inner.x0 and inner.x1 <= box.x1 and box.y0 <= inner.y0 and inner.y1 <= box.y1, f"{t.get_text()!r} leaves its box"
            if language == i18n.PSEUDO:  # every text of the chart came through the catalogue (or the caller's translation)
                english = [t.get_text() for t in _texts(fig) if re.search(r"\b(?:the|and|of|hidden|people|partners?|ties?|organisations?|Consortium|Before|After)\b", t.get_text())]
                assert not english, f"{name}: English text left: {english}"

    @pytest.mark.parametrize("language", ["en", "en-XA"])
    def test_few_rows_of_long_labels_fit(self, language):
        """Two domains whose labels wrap on three lines: the panels grow until the rows part
        (their labels once overlapped: a small figure's fixed margins left the rows too little room)."""
        i18n.activate(language)
        label = i18n.pseudo if language == i18n.PSEUDO else (lambda text: text)
        long_domains = {"Governance": "Staff skills for work with refugees and migrants", "Advocacy": "Organisational capacity (mean of the seven domains)"}
        frame = TestCapacity().frame().assign(domain=lambda f: f["domain"].map(long_domains).map(label))
        assert_fits(figures.capacity_by_domain(frame, ["Baseline", "Endline"], (1, 4), label("capacity level (1 to 4; higher = stronger)")), f"capacity ({language})")

    def test_the_fit_check_finds_a_clipped_title(self):
        """The check can fail: a title twice the figure's width, drawn unwrapped, leaves it."""
        fig, ax = plt.subplots(figsize=(4, 3))
        ax.set_title("A title far longer than the figure is wide, which is never wrapped here at all", loc="left")
        with pytest.raises(AssertionError, match="leaves the figure"):
            assert_fits(fig, "test")

    @pytest.mark.filterwarnings(GLYPH_MISSING)
    def test_greek_has_every_glyph(self):
        i18n.activate("el")
        for name, fig in _every_chart(lambda text: {"Before": "Πριν", "After": "Μετά"}.get(text, f"{text} — Ελληνικά: ψ, ω, ΐ, ΰ")).items():
            assert re.search("[α-ω]", figures.title_of(fig) + figures.caption_of(fig)), f"{name}: no Greek in its title or caption"
            fig.savefig(io.BytesIO(), format="png")  # drawing the text raises on a missing glyph

    @pytest.mark.filterwarnings(GLYPH_MISSING)
    def test_a_missing_glyph_is_an_error(self):
        """Devanagari is not in the charts' font: the check above would catch such a letter."""
        fig, ax = plt.subplots()
        ax.set_title("क")
        with pytest.raises(UserWarning, match="Glyph"):
            fig.savefig(io.BytesIO(), format="png")

    def test_italian_axis_has_decimal_commas(self):
        i18n.activate("it")
        fig = _every_chart()["forest_plot"]
        fig.canvas.draw()
        ticks = [t.get_text() for t in fig.axes[0].get_xticklabels() if t.get_text()]
        assert any(re.fullmatch(r"[−-]?\d+,\d+", t) for t in ticks) and not any("." in t for t in ticks), ticks
        assert "Consorzio, IC 95%" in [t.get_text() for t in fig.legends[0].get_texts()]
        caption = figures.caption_of(fig)
        assert caption.startswith("Dimensioni dell'effetto") and "I² = 83%" in figures.alt_text(fig) + " ".join(t.get_text() for t in fig.axes[0].get_yticklabels())

    def test_english_axis_keeps_its_look(self):
        """English ticks read as matplotlib wrote them: a point, a true minus, the same decimals."""
        fig = _every_chart()["forest_plot"]
        fig.canvas.draw()
        ticks = [t.get_text() for t in fig.axes[0].get_xticklabels() if t.get_text()]
        assert ticks[0].startswith("−") and all(re.fullmatch(r"−?\d+\.\d+", t) for t in ticks), ticks

    def test_german_counts_and_plurals(self):
        i18n.activate("de")
        edges, nodes = TestNetwork().frames()
        fig = figures.network_drawing(edges, nodes, wave_labels={"baseline": "Erste Befragung", "endline": "Letzte Befragung"})
        assert fig.axes[0].get_title(loc="left") == "Erste Befragung: 1 Verbindung, 3 Organisationen"
        assert "NRO" in [t.get_text() for t in fig.legends[0].get_texts()]
        assert figures.caption_of(fig).startswith("Erste Befragung: n = 3 Organisationen, 1 Verbindung; Letzte Befragung: n = 4 Organisationen, 3 Verbindungen.")  # nouns keep their capital
        fig = figures.sample_flow_diagram(TestSampleFlow().flow(read_first=1200, kept_first=1197, first_only=1117))
        assert "n = 1.200" in " ".join(t.get_text() for t in fig.axes[0].texts)
