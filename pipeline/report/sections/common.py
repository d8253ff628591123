"""The sections of the reports, one function each: a run's context in, a section out.

A report notebook is a list of cells of the form ``sections.show(sections.x(ctx))``,
so that every section is one cell that calls one function (parallel work adds
cells, never rewrites them). A :class:`Section` holds a title and its parts
(Markdown text, HTML tables, matplotlib figures); :func:`show` displays them.

The funder's order (``docs/funder.md``): executive summary, results framework, attitude
change, staff trainings by Kirkpatrick level, organisational capacity, networks,
activities and reach, data quality, methods and limitations, provenance. A
section whose data are absent from the build folder says so in one line.

Data each section reads (``ctx`` is a :class:`pipeline.report.context.ReportContext`):

========================  =====================================================
section                   data
========================  =====================================================
executive_summary         ``indicators.csv`` (consortium and partner rows)
results_framework         ``results_framework.csv`` (:mod:`pipeline.report.sections.results`)
attitude_change           pre/post instruments without an ``activity_id`` column
                          (their rows of ``indicators.csv``, later waves included)
trainings                 framework rows of ``indicators.csv`` with a ``kirkpatrick_level``;
                          instruments with ``report_per`` (one report per event)
capacity                  responses of the ``ratings`` instrument (:mod:`pipeline.analysis.capacity`)
networks                  responses of the ``ties`` instrument (:mod:`pipeline.analysis.networks`)
activities                responses of the ``register`` instrument and its headcounts
data_quality              responses, ``reconciliation.csv``, ``quarantine.csv``
methods, provenance       ``run.json``, the registry
========================  =====================================================

Every number shown about people goes through disclosure control: indicator rows
come suppressed from :mod:`pipeline.analysis.indicators`; counts made here go through
:func:`pipeline.analysis.disclosure.suppress` or :func:`pipeline.report.tables.small_count`.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import subprocess
from dataclasses import dataclass, field

import pandas as pd

from pipeline.analysis.disclosure import suppress
from pipeline.report import figures, narrative, tables
from pipeline.schema import CONSORTIUM, DIFF_IN_DIFF, PAIRED_CHANGE, first_waves, later_waves, paired_rows

#: Statuses of the results framework, in the order a summary lists them.
STATUS = ("achieved", "on track", "off track", "no data")
KIRKPATRICK = ("reaction", "learning", "behaviour", "results")


@dataclass
class Section:
    """A report section: its title and its parts, displayed in order."""

    id: str
    title: str
    parts: list = field(default_factory=list)
    available: bool = True

    def text(self) -> str:
        """All text of the section (Markdown and HTML sources), for checks."""
        out = [self.title]
        for p in self.parts:
            if hasattr(p, "savefig"):  # a figure: its title and caption
                out.append(f"{figures.title_of(p)} {figures.caption_of(p)}")
            else:
                out.append(str(getattr(p, "data", p)))
        return "\n".join(out)


def show(section: Section) -> None:
    """Display a section in a notebook: its heading, then each part."""
    from IPython.display import Markdown, display

    display(Markdown(f"## {section.title}"))
    for part in section.parts:
        if hasattr(part, "savefig"):
            figures.show(part)
        else:
            display(part)


def _md(text: str):
    from IPython.display import Markdown

    return Markdown(text)


def _html(text: str):
    from IPython.display import HTML

    return HTML(text)


def _absent(sid: str, title: str, what: str) -> Section:
    return Section(sid, title, [_md(f"*No {what} in this data folder.*")], available=False)


def _pre_post(ctx) -> list:
    """Codebooks of pre/post surveys of the community (not trainings), in name order."""
    out = []
    for name in sorted(ctx.codebooks):
        cb = ctx.codebooks[name]
        resp = ctx.responses.get(name)
        if cb.design == "paired_pre_post" and resp is not None and "activity_id" not in resp.columns:
            out.append(cb)
    return out


def _partner_rows(ind: pd.DataFrame, partner: str) -> pd.DataFrame:
    keep = ind["group_by"].eq(CONSORTIUM)
    if partner:
        keep |= ind["group_by"].eq("partner") & ind["group"].astype(str).eq(partner)
    else:
        keep |= ind["group_by"].eq("partner")
    return ind.loc[keep]


def _scope(ctx) -> str:
    return f"{ctx.partner_name(ctx.partner)} ({ctx.partner})" if ctx.partner else "the consortium"


# --------------------------------------------------------------------------- title
def title(ctx) -> str:
    """The title block of the consortium or a partner report (Markdown, with the h1)."""
    if not ctx.partner:
        return narrative.title_page(ctx)
    p = ctx.consortium.partner(ctx.partner)
    cons = ctx.consortium
    return (
        f"# Partner report: {p.name}\n\n"
        f"**{cons.title}** · {cons.project_id} · {cons.start:%d %B %Y} to {cons.end:%d %B %Y}\n\n"
        f"This report shows {p.name} ({p.code}, {p.country_name}) beside the whole consortium of "
        f"{len(cons.partners)} partners. The consortium report holds every partner's results."
    )


# --------------------------------------------------------------------------- summary
def executive_summary(ctx) -> Section:
    """Headline results in plain language, each with its n and interval."""
    parts = []
    cbs = _pre_post(ctx)
    for cb in cbs:  # the first two waves; a follow-up's rows are in the attitude change section
        # participants' own change between the first two waves: the comparison group, the
        # differences in differences, yes/no items and later waves have sections of their own
        ind = paired_rows(ctx.indicators.loc[ctx.indicators["instrument"] == cb.instrument])
        units = {sc.id: sc.unit for sc in cb.scales}
        cons = ind.loc[ind["group_by"] == CONSORTIUM]
        n_pairs = int(cons["n_paired"].max()) if cons["n_paired"].notna().any() else 0
        n_partners = len(ctx.consortium.partners)
        where = f"Across the {n_partners} partners" if n_partners > 1 else "In this study"
        who = "people who took part in the activities" if cb.comparison_field is not None else "people"
        text = [f"**{cb.label()}.** {where}, {n_pairs} {who} answered the survey both before and after.\n", narrative.headlines(ind, units)]
        if ctx.partner:
            mine = ind.loc[(ind["group_by"] == "partner") & (ind["group"].astype(str) == ctx.partner)]
            if len(mine):
                text += ["", f"**At {ctx.partner}:**", "\n".join(narrative.change_sentence(r.to_dict(), units.get(r["scale"], "")) for _, r in mine.iterrows())]
        elif n_partners > 1:
            text += ["", "By partner: " + "; ".join(f"*{r['label'].lower()}* {narrative.partner_spread(ind, r['scale'])}" for _, r in cons.iterrows()) + "."]
        parts.append(_md("\n".join(text)))
    rf = ctx.results_framework
    if rf is not None and len(rf):
        quant = rf.loc[rf["result_type"] == "quantitative"] if "result_type" in rf.columns else rf
        counts = quant["status"].fillna("no data").str.lower().value_counts()
        n_results = rf["result_id"].nunique() if "result_id" in rf.columns else len(rf)
        parts.append(
            _md(
                f"**Results framework:** {n_results} expected results, {len(quant)} indicators: "
                + ", ".join(f"{int(counts.get(s, 0))} {s}" for s in STATUS)
                + " (details and the reasons for each status below)."
            )
        )
    if not parts:
        return _absent("summary", "Executive summary", "survey results to summarise")
    parts.append(_md("A before/after comparison shows change, not that the activities caused it; see *Methods and limitations*."))
    return Section("summary", "Executive summary", parts)


# --------------------------------------------------------------------------- results framework
def status_badge(status) -> str:
    """A status as HTML: the same symbol, word and colour-blind safe colour as the
    results-framework section (:func:`pipeline.report.sections.results.badge`)."""
    from pipeline.report.sections import results as framework_report

    key = str(status).strip().lower() if isinstance(status, str) and status.strip() else "no data"
    return framework_report.badge(key)


def results_framework(ctx) -> Section:
    """Each expected result with its indicators against targets and a status in words and colour.

    The section is :func:`pipeline.report.sections.results.section` (the results framework's
    own renderer, from ``results_framework.csv``).
    """
    from pipeline.report.sections import results as framework_report

    if ctx.results_framework is None or ctx.results_framework.empty:
        return _absent("results", "Results framework", "results framework (datasets.yaml names no framework)")
    return Section("results", "Results framework", [_html(framework_report.section(ctx, heading=False))])


def _cell(x) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:.2f}" if isinstance(x, float) and not float(x).is_integer() else html.escape(str(int(x) if isinstance(x, float) else x))


# --------------------------------------------------------------------------- attitude change
def attitude_change(ctx) -> Section:
    """Change per scale and per partner: dumbbells, forest plot, Likert items, the table
    (the first two waves); then, for a survey with a follow-up, the "Later waves" table."""
    cbs = _pre_post(ctx)
    if not cbs:
        return _absent("attitudes", "Attitude change", "before/after survey of the community")
    parts = []
    for cb in cbs:
        ind = ctx.indicators.loc[ctx.indicators["instrument"] == cb.instrument]
        scales = [sc.id for sc in cb.scales]
        resp = ctx.responses[cb.instrument]
        parts.append(
            _md(
                f"### {cb.label()}\n\nEach scale's mean before and after among the people who answered both surveys, for the consortium and {'this partner' if ctx.partner else 'each partner'}; then the effect sizes with their 95% intervals."
            )
        )
        shown = _partner_rows(first_waves(ind), ctx.partner)
        parts.append(
            figures.change_dumbbells(
                shown, scales, {sc.id: sc.unit for sc in cb.scales}, {sc.id: sc.range for sc in cb.scales}, {sc.id: sc.label.get("en", sc.id) for sc in cb.scales}, ctx.min_cell, highlight=ctx.partner
            )
        )
        parts.append(
            figures.forest_plot(
                figures.effect_rows(ind, {sc.id: sc.label.get("en", sc.id) for sc in cb.scales}, only=ctx.partner),
                "Effect sizes by scale and partner",
                "effect size d_z = mean change / SD of the changes (no unit)",
                ctx.min_cell,
            )
        )
        likert = [i.id for i in cb.items if 3 <= len(i.response_scale.values) <= 7 and i.response_scale.labels]
        if likert:
            rs = cb.item(likert[0]).response_scale
            same = [i for i in likert if cb.item(i).response_scale.id == rs.id]
            sub = resp.loc[resp["partner"].astype(str) == ctx.partner] if ctx.partner else resp
            counts = tables.likert_counts(sub, cb, same, {w: cb.wave_labels[w].get("en", w) for w in cb.waves})
            who = f" at {ctx.partner}" if ctx.partner else ""
            parts.append(
                figures.likert_bars(counts, list(rs.values), {k: v.get("en", str(k)) for k, v in rs.labels.items()}, ctx.min_cell, title=f"Answers to the agreement items{who}, before and after")
            )
        parts.append(
            _md(
                "Change is the mean of each person's score after minus before, with its 95% confidence interval (paired t). "
                "The effect size is d_z, the mean change divided by the standard deviation of the changes (Lakens 2013), "
                "with its 95% interval from the noncentral t distribution."
            )
        )
        parts.append(_html(tables.to_html(tables.format_indicators(shown, ctx.min_cell), caption=f"{cb.label()}: change by scale")))
        parts += _later_waves(ctx, cb, ind)
    return Section("attitudes", "Attitude change", parts)


LATER_WAVES = (
    "#### Later waves\n\n"
    "The same people compared again at a later survey: the later survey with the first and with the second "
    "({pairs}), among the participants who answered both surveys of each pair. Change is the later score minus "
    "the earlier one, with its 95% confidence interval (paired t); the effect size is d_z, the mean change divided "
    "by the standard deviation of the changes (Lakens 2013), with its 95% interval from the noncentral t "
    "distribution. In `indicators.csv` each pair of surveys is a family of its own for Holm's adjustment of the "
    "p-values. A question not asked at a later survey is not shown."
)


def _later_waves(ctx, cb, ind: pd.DataFrame) -> list:
    """The "Later waves" table of one instrument: participants' change between each later
    pair of waves (a follow-up with the first and with the second survey), for the
    consortium and the partners shown; nothing when the instrument has no later rows."""
    if "analysis" not in ind.columns:
        return []
    later = _partner_rows(ind.loc[later_waves(ind) & ind["analysis"].eq(PAIRED_CHANGE)], ctx.partner)
    if later.empty:
        return []
    waves = {w: k for k, w in enumerate(cb.waves)}
    scales = {sc.id: k for k, sc in enumerate(cb.scales)}
    later = later.assign(
        _to=later["wave_to"].map(waves),
        _from=later["wave_from"].map(waves),
        _s=later["scale"].map(scales),
        _c=later["group_by"].ne(CONSORTIUM),
    ).sort_values(["_to", "_from", "_s", "_c", "group"], kind="stable")
    labels = {w: cb.wave_labels.get(w, {}).get("en", w) for w in cb.waves}
    pairs = ", ".join(dict.fromkeys(f"{labels[a].lower()} → {labels[b].lower()}" for a, b in zip(later["wave_from"], later["wave_to"])))
    text = LATER_WAVES.format(pairs=pairs)
    if (later_waves(ind) & ind["analysis"].eq(DIFF_IN_DIFF)).any():
        text += " The comparison group's change between the same surveys, and the difference in differences, are in *Change compared with people who did not take part*."
    return [
        _md(text),
        _html(tables.to_html(tables.format_later_waves(later, ctx.min_cell, labels), caption=f"{cb.label()}: later waves")),
    ]


# --------------------------------------------------------------------------- trainings
def training_events(ctx) -> dict[str, str]:
    """Training events in the build folder: each value of a codebook's ``report_per``
    field (the staff training survey's ``activity_id``) -> its instrument."""
    out = {}
    for name in sorted(ctx.codebooks):
        cb, resp = ctx.codebooks[name], ctx.responses.get(name)
        if cb.report_per and resp is not None and cb.report_per in resp.columns:
            for a in sorted(resp[cb.report_per].dropna().astype(str).unique()):
                out.setdefault(a, name)
    return out


def _value_ci(r) -> str:
    if pd.isna(r.value):
        return "–"
    digits = 2 if abs(float(r.value)) < 100 else 0
    text = f"{float(r.value):.{digits}f}"
    if not pd.isna(r.value_ci_low):
        text += f" [{float(r.value_ci_low):.{digits}f}, {float(r.value_ci_high):.{digits}f}]"
    return text


def framework_table(rows: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    """Results-framework indicator rows as a reader sees them, level by level.

    Columns: Kirkpatrick level, indicator, unit, group, value with its 95% CI (where
    the value comes from a sample), n and what it counts, d_z (for changes: mean change
    / SD of the changes), target and status (consortium rows). Suppressed rows read
    "fewer than k" in place of every number. Cells are HTML (text escaped, the status
    a coloured badge): render with ``tables.to_html(..., escape=False)``.
    """
    esc = html.escape
    rows = rows.copy()
    level = rows["kirkpatrick_level"].fillna("").astype(str) if "kirkpatrick_level" in rows else pd.Series("", index=rows.index)
    rows["_order"] = level.str.lower().map({k: i for i, k in enumerate(KIRKPATRICK)}).fillna(len(KIRKPATRICK))
    rows["_cons"] = rows["group_by"].ne(CONSORTIUM)
    rows = rows.sort_values(["_order", "indicator_id", "_cons", "group"], kind="stable")
    out = []
    for r in rows.itertuples(index=False):
        lvl = str(getattr(r, "kirkpatrick_level", "") or "")
        lvl = "" if lvl == "nan" else lvl.capitalize()
        group = "Consortium" if r.group_by == CONSORTIUM else str(r.group)
        if bool(r.suppressed):
            hidden = f"fewer than {min_cell}" if r.suppression == "primary" else "hidden (secondary)"
            out.append([lvl, esc(str(r.label)), esc(str(r.unit)), esc(group), hidden, "–", "–", "–", "–"])
            continue
        n = "–" if pd.isna(r.n) else esc(f"{int(r.n)} {r.n_unit}")
        dz = "–" if pd.isna(r.effect_size) else f"{r.effect_size:.2f} [{r.effect_size_ci_low:.2f}, {r.effect_size_ci_high:.2f}]"
        target = "–" if pd.isna(r.target) else _cell(r.target)
        status = status_badge(r.status) if isinstance(r.status, str) and r.status else "–"
        out.append([lvl, esc(str(r.label)), esc(str(r.unit)), esc(group), _value_ci(r), n, dz, target, status])
    return pd.DataFrame(out, columns=["Level", "Indicator", "Unit", "Group", "Value [95% CI]", "n", "d_z [95% CI]", "Target", "Status"])


def trainings(ctx) -> Section:
    """Staff trainings (JSTEs) by Kirkpatrick level: reaction, learning, behaviour, results."""
    fw = ctx.framework
    tagged = fw.loc[fw["kirkpatrick_level"].notna()] if "kirkpatrick_level" in fw.columns else fw.iloc[0:0]
    events = training_events(ctx)
    if tagged.empty and not events:
        return _absent("trainings", "Staff trainings by Kirkpatrick level", "staff-training data")
    parts = [
        _md(
            "Kirkpatrick's four levels: *reaction* (did participants value the training), *learning* (did competence and "
            "knowledge grow, before to right after, and was it retained three months on), *behaviour* (do they apply it at "
            "work, at follow-up), *results* (for the organisations: capacity). Changes are the same people's answers after "
            "minus before, with a 95% confidence interval (paired t) and d_z = mean change / SD of the changes; like every "
            "before/after comparison without a comparison group, they show change, not that the training caused it."
        )
    ]
    if not tagged.empty:
        # The consortium report lists the consortium rows (the partner rows are in
        # indicators.csv); a partner report puts the partner beside the consortium.
        sub = tagged.loc[tagged["group_by"].eq(CONSORTIUM) | (tagged["group_by"].eq("partner") & tagged["group"].astype(str).eq(ctx.partner or "\0"))]
        parts.append(_html(tables.to_html(framework_table(sub, ctx.min_cell), caption="Training and capacity indicators by Kirkpatrick level", escape=False)))
    if events:
        parts.append(_md("One report per training event: " + ", ".join(f"[{a}](training_{safe_name(a)}.html)" for a in events) + "."))
    return Section("trainings", "Staff trainings by Kirkpatrick level", parts)


def safe_name(value: str) -> str:
    """A file-name-safe form of an id (letters, digits, ``-`` and ``_``)."""
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in str(value))


# --------------------------------------------------------------------------- capacity
def _instrument(ctx, design: str):
    """The first codebook of a design with responses in the build folder, or None."""
    for name in sorted(ctx.codebooks):
        if ctx.codebooks[name].design == design and name in ctx.responses:
            return ctx.codebooks[name]
    return None


def capacity(ctx) -> Section:
    """Organisational capacity from baseline to endline, by domain (levels per organisation)."""
    from pipeline.analysis import capacity as cap_mod

    cb = _instrument(ctx, "ratings")
    if cb is None:
        return _absent("capacity", "Organisational capacity", "organisational capacity self-assessment")
    levels = cap_mod.domain_levels(ctx.responses[cb.instrument], cb, ctx.min_cell)
    levels = levels.loc[~levels["suppressed"] & levels["mean"].notna()]
    wave_label = {w: cb.wave_labels.get(w, {}).get("en", w) for w in cb.waves}
    waves = [wave_label[w] for w in cb.waves if w in set(levels["wave"])]
    frame = levels.assign(wave=levels["wave"].map(wave_label), domain=levels["domain_label"], score=levels["mean"], n=levels["raters"])
    cons = frame.groupby(["domain", "wave"], sort=False, as_index=False).agg(score=("score", "mean"), n=("partner", "nunique")).assign(group="Consortium (mean of organisations)")
    own = frame.loc[frame["partner"].astype(str) == ctx.partner] if ctx.partner else frame
    shown = pd.concat([cons, own.rename(columns={"partner": "group"})[["group", "domain", "wave", "score", "n"]]], ignore_index=True)
    rng = next(iter(cb.items)).response_scale if cb.items else None
    score_range = (rng.min, rng.max) if rng is not None else (float(shown["score"].min()), float(shown["score"].max()))
    fig = figures.capacity_by_domain(shown, waves, score_range, f"capacity level ({score_range[0]:g} to {score_range[1]:g}; higher = stronger)")
    first, last = waves[0], waves[-1]
    listed = shown if ctx.partner else cons  # the figure shows every organisation; the table the consortium (or this partner too)
    piv = listed.loc[listed["wave"].isin([first, last])].pivot_table(index=["group", "domain"], columns="wave", values="score", sort=False).reset_index()
    piv.columns.name = None
    if first in piv and last in piv:
        piv["change"] = piv[last] - piv[first]
    return Section(
        "capacity",
        "Organisational capacity",
        [
            _md(
                "Capacity self-assessment by several staff raters per organisation, on a rubric from the lowest to the highest "
                "level per domain; an organisation's score is the mean of its raters (groups of fewer than "
                f"{ctx.min_cell} raters are hidden). With one row per organisation the report shows levels and changes, "
                "not p-values: five organisations are not a sample to test."
            ),
            fig,
            _html(tables.to_html(piv.round(2), caption=f"Capacity by domain, {first} and {last}")),
        ],
    )


# --------------------------------------------------------------------------- networks
def network_counts(ties: pd.DataFrame, orgs: pd.DataFrame) -> pd.DataFrame:
    """Ties per wave: total, by level, cross-border (organisations of different countries), new since the first wave."""
    country = dict(zip(orgs["id"].astype(str), orgs["country"].astype(str)))
    waves = list(dict.fromkeys(ties["wave"]))
    first = {frozenset((str(a), str(b))) for a, b in ties.loc[ties["wave"] == waves[0], ["source", "target"]].itertuples(index=False)}
    rows = []
    for w in waves:
        sub = ties.loc[ties["wave"] == w]
        pairs = [frozenset((str(a), str(b))) for a, b in sub[["source", "target"]].itertuples(index=False)]
        row = {"wave": w, "ties": len(sub)}
        for lv in ("local", "national", "international"):
            row[lv] = int((sub["level"] == lv).sum())
        row["cross-border"] = int(sum(country.get(str(a)) != country.get(str(b)) for a, b in sub[["source", "target"]].itertuples(index=False)))
        row["new since " + str(waves[0])] = int(sum(p not in first for p in pairs))
        rows.append(row)
    return pd.DataFrame(rows)


def network_frames(ties: pd.DataFrame, consortium) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Edges and nodes for :func:`pipeline.report.figures.network_drawing` from the network survey's rows."""
    from pipeline.analysis import networks as net

    edges = net.edges_table(net.prepare_ties(ties, consortium), consortium)
    nodes = [{"id": p.code, "label": p.code, "type": p.type, "country": p.country, "partner": True} for p in consortium.partners]
    others = edges.loc[~edges["target_is_partner"].astype(bool)].drop_duplicates("target")
    nodes += [{"id": r.target, "label": r.target_name, "type": r.target_type, "country": r.target_country, "partner": False} for r in others.itertuples(index=False)]
    return edges, pd.DataFrame(nodes)


def networks(ctx) -> Section:
    """The partnership network: ties by level, new and cross-border ties, drawings before and after."""
    cb = _instrument(ctx, "ties")
    if cb is None:
        return _absent("networks", "Networks", "partnership network survey")
    edges, orgs = network_frames(ctx.responses[cb.instrument], ctx.consortium)
    if ctx.partner:
        edges = edges.loc[(edges["source"].astype(str) == ctx.partner) | (edges["target"].astype(str) == ctx.partner)]
    waves = [w for w in cb.waves if w in set(edges["wave"])]
    parts = [
        _md(
            "Ties the organisations reported, by level (local, national, international) and intensity; a tie two partners "
            "both reported counts once. With a handful of partners, counts of ties say more than centrality measures. "
            "Organisations are not people, so no suppression applies here."
        )
    ]
    parts.append(_html(tables.to_html(network_counts(edges, orgs), caption="Ties by wave")))
    if len(waves) >= 2:
        parts.append(figures.network_drawing(edges, orgs, waves=(waves[0], waves[-1])))
    return Section("networks", "Networks", parts)


# --------------------------------------------------------------------------- activities
def activities(ctx) -> Section:
    """Activities delivered and people reached, by type, country and each headcount breakdown (suppressed)."""
    cb = _instrument(ctx, "register")
    if cb is None or not cb.headcounts:
        return _absent("activities", "Activities and reach", "activity register")
    act = ctx.responses[cb.instrument]
    if ctx.partner:
        act = act.loc[act["partner"].astype(str) == ctx.partner]
    hc = cb.headcounts[0]
    total = hc.total
    kind = act["activity_type"].astype(str).str.replace("_", " ") if "activity_type" in act.columns else pd.Series("activity", index=act.index)
    parts = [
        _md(
            f"{len(act)} activities in {act['country'].nunique()} countries, {int(act[total].sum()):,} participations in all "
            "(a person who came to two activities counts twice). Counts come from the activity register."
        )
    ]
    by_type = act.assign(kind=kind).groupby("kind", as_index=False).agg(activities=(total, "size"), participants=(total, "sum")).rename(columns={"kind": "activity type"})
    parts.append(_html(tables.to_html(by_type, caption="Activities and participations by type")))
    breakdowns = [("country", act.groupby("country", as_index=False)[total].sum().rename(columns={"country": "category", total: "participants"}))]
    for name, cats in hc.by.items():
        breakdowns.append((name.replace("_", " "), pd.DataFrame({"category": [str(c).replace("_", " ") for c in cats], "participants": [int(act[col].sum()) for col in cats.values()]})))
    for label, t in breakdowns:
        t = suppress(t.assign(_f=1), ["participants"], [], ctx.min_cell, family_cols=["_f"])
        t["participants"] = [
            tables.small_count(v, ctx.min_cell) if not sup else f"fewer than {ctx.min_cell}" if k == "primary" else "hidden" for v, sup, k in zip(t["participants"], t["suppressed"], t["suppression"])
        ]
        parts.append(_html(tables.to_html(t.drop(columns=["_f", "suppressed", "suppression"]).rename(columns={"category": label}), caption=f"Participations by {label}")))
    parts.append(_md(f"*fewer than {ctx.min_cell}*: a group below the minimum size; *hidden*: a second group hidden so that the total does not reveal the first."))
    return Section("activities", "Activities and reach", parts)


# --------------------------------------------------------------------------- data quality
def data_quality(ctx) -> Section:
    """The sample flow, rows read = kept + quarantined, quarantined rows by reason."""
    parts = []
    for cb in _pre_post(ctx):
        resp = ctx.responses[cb.instrument]
        waves = tuple(cb.waves[:2])
        rec = ctx.reconciliation
        if ctx.partner:
            resp = resp.loc[resp["partner"].astype(str) == ctx.partner]
        flow = tables.flow_counts(resp, rec, cb.instrument, waves)
        labels = tuple(cb.wave_labels[w].get("en", w) for w in waves)
        if ctx.partner:  # rows read and quarantined are known per file, not per partner
            people = flow.loc[~flow["step"].str.startswith(("read_", "quarantined_"))]
            names = {
                "kept_first": f"{labels[0]}: respondents",
                "kept_second": f"{labels[1]}: respondents",
                "matched": "Matched: answered both",
                "first_only": f"{labels[0]} only (lost to follow-up)",
                "second_only": f"{labels[1]} only (no baseline)",
            }
            shown = pd.DataFrame({"stage": [names[s] for s in people["step"]], "people": [tables.small_count(v, ctx.min_cell) for v in people["n"]]})
            parts.append(_html(tables.to_html(shown, caption=f"Sample flow at {ctx.partner}: {cb.label().lower()} (rows received are counted per file below)")))
        else:
            parts.append(figures.sample_flow_diagram(flow, waves=labels, min_cell=ctx.min_cell, title=f"Sample flow: {cb.label().lower()}"))
    rec = ctx.reconciliation.copy()
    for col in ("rows_read", "rows_kept", "rows_quarantined"):
        rec[col] = [tables.small_count(v, ctx.min_cell) for v in rec[col]]
    parts.append(_html(tables.to_html(rec, caption="Rows read = rows kept + rows quarantined, per file")))
    q = tables.quarantine_summary(ctx.quarantine)
    if len(q):
        q["rows"] = [tables.small_count(v, ctx.min_cell) for v in q["rows"]]
        parts.append(_html(tables.to_html(q, caption="Quarantined rows by file and reason")))
    else:
        parts.append(_md("No row was quarantined."))
    parts.append(_md(f"Counts from 1 to {ctx.min_cell - 1} read *fewer than {ctx.min_cell}*: no published number describes fewer than {ctx.min_cell} people."))
    return Section("quality", "Data quality", parts)


# --------------------------------------------------------------------------- methods
def methods(ctx) -> Section:
    """The design's limits and the statistics used, named with their references."""
    text = [
        narrative.DESIGN_LIMITS,
        "",
        "**Statistics.** Mean change (after minus before) of the people who answered both surveys, with its 95% "
        "confidence interval from the t distribution; paired t-test (as R's `t.test(post, pre, paired = TRUE)`); "
        "Wilcoxon signed-rank test as R's `wilcox.test(paired = TRUE)` (zeros dropped, normal approximation with "
        "continuity correction when there are ties); effect size d_z = mean change / SD of the changes with its 95% "
        "interval from the noncentral t distribution, and g_av (d_av with Hedges' correction) in `indicators.csv` "
        "(Lakens 2013, *Frontiers in Psychology* 4:863).",
        "",
        f"**Disclosure control.** No published number describes fewer than {ctx.min_cell} people: smaller groups are "
        "hidden (primary suppression), and where a total would reveal a hidden group, the next smallest group is hidden "
        "too (secondary suppression; Hundepool et al. 2012, *Statistical Disclosure Control*). Names, contacts and free "
        "text never pass ingestion; identifiers are replaced by keyed pseudonyms (HMAC-SHA256).",
    ]
    return Section("methods", "Methods and limitations", [_md("\n".join(text))])


# --------------------------------------------------------------------------- provenance
def code_version() -> str:
    """The git commit of the code (with ``+changes`` for a dirty tree), or "unknown"."""
    from pipeline.config import ROOT

    try:
        commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return (commit + ("+changes" if dirty else "")) if commit else "unknown"


def provenance(ctx, parameters: dict | None = None) -> Section:
    """Input file hashes, code version, parameters and date of the report."""
    from pipeline import __version__

    params = {"minimum group size": ctx.min_cell, "data folder": ctx.run.get("data_dir", ""), **(parameters or {})}
    text = (
        f"Produced on {dt.datetime.now(dt.UTC):%d %B %Y} by impact-pipeline {__version__}, code version "
        f"`{code_version()}`. Parameters: " + "; ".join(f"{k} = `{v}`" for k, v in params.items() if v != "") + ". "
        "The report folder's `manifest.json` adds library versions, the run time and the hash of every output."
    )
    return Section("provenance", "Provenance", [_md(text), _html(tables.to_html(tables.provenance(ctx.run), caption="Input files and their SHA-256 (first 16 hex digits)"))])


# --------------------------------------------------------------------------- training event report
def training_title(ctx, activity_id: str) -> str:
    """Title block of the report of one training event (Markdown with the h1)."""
    cons = ctx.consortium
    return f"# Training event report: {activity_id}\n\n**{cons.title}** · {cons.project_id}\n\nReaction, learning and application at follow-up of the participants of training event {activity_id}."


def training_event(ctx, activity_id: str) -> Section:
    """One training event: participants per wave, then its indicators by Kirkpatrick level."""
    events = training_events(ctx)
    if activity_id not in events:
        return _absent("event", f"Training event {activity_id}", f"data for training event {activity_id!r}")
    instrument = events[activity_id]
    resp = ctx.responses[instrument]
    resp = resp.loc[resp["activity_id"].astype(str) == activity_id]
    cb = ctx.codebooks[instrument]
    per_wave = pd.DataFrame({"wave": [cb.wave_labels.get(w, {}).get("en", w) for w in cb.waves], "participants": [tables.small_count(int((resp["wave"] == w).sum()), ctx.min_cell) for w in cb.waves]})
    parts = [_html(tables.to_html(per_wave, caption="Participants who answered, per wave"))]
    field = cb.report_per
    fw = ctx.framework
    rows = fw.loc[(fw["instrument"] == instrument) & (fw["group_by"] == field) & (fw["group"].astype(str) == activity_id)] if len(fw) else fw
    if len(rows):
        html_table = tables.to_html(
            framework_table(rows, ctx.min_cell).drop(columns=["Group", "Target", "Status"]),
            caption="Indicators of this event by Kirkpatrick level (reaction, learning, behaviour at follow-up)",
            escape=False,
        )
        parts.append(_html(html_table))
        parts.append(_md("Targets are set for the project as a whole; the consortium report compares them with all events together."))
    else:
        parts.append(_md("*No indicators computed for this event.*"))
    return Section("event", f"Training event {activity_id}", parts)
