"""The sections of the reports, one function each: a run's context in, a section out.

A report notebook is a list of cells of the form ``sections.show(sections.x(ctx))``,
so that every section is one cell that calls one function (parallel work adds
cells, never rewrites them). A :class:`Section` holds a title and its parts
(Markdown text, HTML tables, matplotlib figures); :func:`show` displays them.

The funder's order (``FUNDER.md``): executive summary, results framework, attitude
change, staff trainings by Kirkpatrick level, organisational capacity, networks,
activities and reach, data quality, methods and limitations, provenance. A
section whose data are absent from the build folder says so in one line.

Data each section reads (``ctx`` is a :class:`pipeline.context.ReportContext`):

========================  =====================================================
section                   data
========================  =====================================================
executive_summary         ``indicators.csv`` (consortium and partner rows)
results_framework         table ``results_framework`` (see :data:`TABLES`)
attitude_change           pre/post instruments without an ``activity_id`` column
trainings                 ``indicators.csv`` rows with a ``kirkpatrick_level``;
                          response tables with an ``activity_id`` column
capacity                  table ``capacity``
networks                  tables ``network_ties`` and ``network_organisations``
activities                table ``activities``
data_quality              responses, ``reconciliation.csv``, ``quarantine.csv``
methods, provenance       ``run.json``, the registry
========================  =====================================================

Tables are read by :meth:`pipeline.context.ReportContext.table` from
``<build>/tables/<name>.csv``; :data:`TABLES` lists the columns each must have.
Every number shown about people goes through disclosure control: indicator rows
come suppressed from :mod:`pipeline.indicators`; counts made here go through
:func:`pipeline.disclosure.suppress` or :func:`pipeline.tables.small_count`.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import subprocess
from dataclasses import dataclass, field

import pandas as pd

from . import figures, narrative, tables
from .disclosure import suppress

CONSORTIUM = "consortium"

#: Tidy tables that sections read from ``<build>/tables/<name>.csv``, with their columns.
TABLES = {
    "results_framework": ["result", "indicator_id", "indicator", "unit", "baseline", "target", "value", "n", "status"],
    "capacity": ["partner", "domain", "wave", "score", "n_raters"],
    "network_ties": ["wave", "source", "target", "level", "intensity"],
    "network_organisations": ["id", "label", "type", "country", "partner"],
    "activities": ["activity_id", "activity_type", "partner", "country", "participant_group", "gender", "participants"],
}
#: Status words of the results framework, with a symbol and a colour-blind safe colour.
STATUS = {
    "achieved": ("✔", "#0072B2"),
    "on track": ("➜", "#009E73"),
    "off track": ("✖", "#D55E00"),
    "no data": ("–", "#6E6E6E"),
}
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
    for cb in cbs:
        ind = ctx.indicators.loc[ctx.indicators["instrument"] == cb.instrument]
        units = {sc.id: sc.unit for sc in cb.scales}
        cons = ind.loc[ind["group_by"] == CONSORTIUM]
        n_pairs = int(cons["n_paired"].max()) if cons["n_paired"].notna().any() else 0
        text = [f"**{cb.label()}.** Across the {len(ctx.consortium.partners)} partners, {n_pairs} people answered the survey both before and after the activities.\n", narrative.headlines(ind, units)]
        if ctx.partner:
            mine = ind.loc[(ind["group_by"] == "partner") & (ind["group"].astype(str) == ctx.partner)]
            if len(mine):
                text += ["", f"**At {ctx.partner}:**", "\n".join(narrative.change_sentence(r.to_dict(), units.get(r["scale"], "")) for _, r in mine.iterrows())]
        else:
            text += ["", "By partner: " + "; ".join(f"*{r['label'].lower()}* {narrative.partner_spread(ind, r['scale'])}" for _, r in cons.iterrows()) + "."]
        parts.append(_md("\n".join(text)))
    rf = ctx.table("results_framework")
    if rf is not None and len(rf):
        counts = rf["status"].fillna("no data").str.lower().value_counts()
        parts.append(_md("**Results framework:** " + ", ".join(f"{int(counts.get(s, 0))} indicators {s}" for s in STATUS) + " (details below)."))
    if not parts:
        return _absent("summary", "Executive summary", "survey results to summarise")
    parts.append(_md("A before/after comparison shows change, not that the activities caused it; see *Methods and limitations*."))
    return Section("summary", "Executive summary", parts)


# --------------------------------------------------------------------------- results framework
def status_badge(status) -> str:
    """A status as HTML: symbol and word, coloured (colour-blind safe; the word carries it)."""
    key = str(status).strip().lower() if isinstance(status, str) and status.strip() else "no data"
    symbol, colour = STATUS.get(key, STATUS["no data"])
    return f'<span class="status" style="color:{colour}"><span aria-hidden="true">{symbol}</span> {html.escape(key)}</span>'


def results_framework(ctx) -> Section:
    """Each expected result with its indicators against targets and a status in words and colour."""
    rf = ctx.table("results_framework")
    if rf is None or rf.empty:
        return _absent("results", "Results framework", "results framework (tables/results_framework.csv)")
    rows = []
    for r in rf.itertuples(index=False):
        n = tables.small_count(r.n, ctx.min_cell) if not pd.isna(r.n) else "–"
        hidden = not pd.isna(r.n) and 0 < int(r.n) < ctx.min_cell
        rows.append(
            "<tr>" + "".join(
                f"<td>{c}</td>" for c in (
                    html.escape(str(r.result)), html.escape(str(r.indicator)), html.escape(str(r.unit)),
                    _cell(r.baseline), _cell(r.target), "hidden" if hidden else _cell(r.value), n, status_badge(r.status),
                )
            ) + "</tr>"
        )
    head = "".join(f"<th>{h}</th>" for h in ("Expected result", "Indicator", "Unit", "Baseline", "Target", "Value now", "n", "Status"))
    table = f'<table class="dataframe report-table"><caption>Indicators against targets (status: ✔ achieved, ➜ on track, ✖ off track, – no data)</caption><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    return Section("results", "Results framework", [_md("Each expected result of the project, its indicators, the baseline, the target and the value reached, with the status against the target."), _html(table)])


def _cell(x) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:.2f}" if isinstance(x, float) and not float(x).is_integer() else html.escape(str(int(x) if isinstance(x, float) else x))


# --------------------------------------------------------------------------- attitude change
def attitude_change(ctx) -> Section:
    """Change per scale and per partner: dumbbells, forest plot, Likert items, the table."""
    cbs = _pre_post(ctx)
    if not cbs:
        return _absent("attitudes", "Attitude change", "before/after survey of the community")
    parts = []
    for cb in cbs:
        ind = ctx.indicators.loc[ctx.indicators["instrument"] == cb.instrument]
        scales = [sc.id for sc in cb.scales]
        resp = ctx.responses[cb.instrument]
        parts.append(_md(f"### {cb.label()}\n\nEach scale's mean before and after among the people who answered both surveys, for the consortium and {'this partner' if ctx.partner else 'each partner'}; then the effect sizes with their 95% intervals."))
        shown = _partner_rows(ind, ctx.partner)
        parts.append(figures.change_dumbbells(shown, scales, {sc.id: sc.unit for sc in cb.scales}, {sc.id: sc.range for sc in cb.scales}, {sc.id: sc.label.get("en", sc.id) for sc in cb.scales}, ctx.min_cell, highlight=ctx.partner))
        parts.append(figures.forest_plot(
            figures.effect_rows(ind, {sc.id: sc.label.get("en", sc.id) for sc in cb.scales}, only=ctx.partner),
            "Effect sizes by scale and partner", "effect size d_z = mean change / SD of the changes (no unit)", ctx.min_cell,
        ))
        likert = [i.id for i in cb.items if 3 <= len(i.response_scale.values) <= 7 and i.response_scale.labels]
        if likert:
            rs = cb.item(likert[0]).response_scale
            same = [i for i in likert if cb.item(i).response_scale.id == rs.id]
            sub = resp.loc[resp["partner"].astype(str) == ctx.partner] if ctx.partner else resp
            counts = tables.likert_counts(sub, cb, same, {w: cb.wave_labels[w].get("en", w) for w in cb.waves})
            who = f" at {ctx.partner}" if ctx.partner else ""
            parts.append(figures.likert_bars(counts, list(rs.values), {k: v.get("en", str(k)) for k, v in rs.labels.items()}, ctx.min_cell, title=f"Answers to the agreement items{who}, before and after"))
        parts.append(_md(
            "Change is the mean of each person's score after minus before, with its 95% confidence interval (paired t). "
            "The effect size is d_z, the mean change divided by the standard deviation of the changes (Lakens 2013), "
            "with its 95% interval from the noncentral t distribution."
        ))
        parts.append(_html(tables.to_html(tables.format_indicators(shown, ctx.min_cell), caption=f"{cb.label()}: change by scale")))
    return Section("attitudes", "Attitude change", parts)


# --------------------------------------------------------------------------- trainings
def training_events(ctx) -> dict[str, str]:
    """Training events in the build folder: activity id -> instrument."""
    out = {}
    for name in sorted(ctx.responses):
        resp = ctx.responses[name]
        if "activity_id" in resp.columns:
            for a in sorted(resp["activity_id"].dropna().astype(str).unique()):
                out.setdefault(a, name)
    return out


def kirkpatrick_table(ind: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    """Indicator rows tagged with a Kirkpatrick level, as a reader sees them, level by level."""
    rows = ind.loc[ind["kirkpatrick_level"].fillna("").astype(str).str.len() > 0].copy()
    rows["_order"] = rows["kirkpatrick_level"].str.lower().map({k: i for i, k in enumerate(KIRKPATRICK)}).fillna(len(KIRKPATRICK))
    rows = rows.sort_values(["_order", "indicator_id"], kind="stable")
    formatted = tables.format_indicators(rows, min_cell, group_by=tuple(rows["group_by"].unique()))
    formatted.insert(0, "Level", rows["kirkpatrick_level"].str.capitalize().to_numpy())
    return formatted


def trainings(ctx) -> Section:
    """Staff trainings (JSTEs) by Kirkpatrick level: reaction, learning, behaviour, results."""
    ind = ctx.indicators
    events = training_events(ctx)
    if "kirkpatrick_level" not in ind.columns and not events:
        return _absent("trainings", "Staff trainings by Kirkpatrick level", "staff-training data")
    parts = [_md("Kirkpatrick's four levels: *reaction* (did participants value the training), *learning* (did competence grow), *behaviour* (do they apply it at work, at follow-up), *results* (for the organisations).")]
    if "kirkpatrick_level" in ind.columns:
        sub = _partner_rows(ind, ctx.partner)
        parts.append(_html(tables.to_html(kirkpatrick_table(sub, ctx.min_cell), caption="Training indicators by Kirkpatrick level")))
    if events:
        parts.append(_md("One report per training event: " + ", ".join(f"[{a}](training_{safe_name(a)}.html)" for a in events) + "."))
    return Section("trainings", "Staff trainings by Kirkpatrick level", parts)


def safe_name(value: str) -> str:
    """A file-name-safe form of an id (letters, digits, ``-`` and ``_``)."""
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in str(value))


# --------------------------------------------------------------------------- capacity
def capacity(ctx) -> Section:
    """Organisational capacity from baseline to endline, by domain."""
    cap = ctx.table("capacity")
    if cap is None or cap.empty:
        return _absent("capacity", "Organisational capacity", "organisational capacity self-assessment (tables/capacity.csv)")
    waves = list(dict.fromkeys(cap["wave"]))
    mine = cap.loc[cap["partner"].astype(str) == ctx.partner] if ctx.partner else cap
    cons = cap.groupby(["domain", "wave"], sort=False, as_index=False).agg(score=("score", "mean"), n=("partner", "nunique")).assign(group="Consortium (mean of organisations)")
    own = mine.rename(columns={"partner": "group", "n_raters": "n"})[["group", "domain", "wave", "score", "n"]]
    frame = pd.concat([cons[["group", "domain", "wave", "score", "n"]], own], ignore_index=True)
    lo, hi = float(cap["score"].min()), float(cap["score"].max())
    fig = figures.capacity_by_domain(frame, waves, (math.floor(min(lo, 1)), math.ceil(hi)), "capacity level (rubric; higher = stronger)")
    first, last = waves[0], waves[-1]
    piv = frame.loc[frame["wave"].isin([first, last])].pivot_table(index=["group", "domain"], columns="wave", values="score", sort=False).reset_index()
    piv.columns.name = None
    if first in piv and last in piv:
        piv["change"] = piv[last] - piv[first]
    return Section("capacity", "Organisational capacity", [
        _md("Capacity self-assessment by several staff raters per organisation; scores are the mean level per domain. With one row per organisation, the report shows levels and changes, not p-values."),
        fig,
        _html(tables.to_html(piv.round(2), caption=f"Capacity by domain, {first} and {last}")),
    ])


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


def networks(ctx) -> Section:
    """The partnership network: ties by level, new and cross-border ties, drawings before and after."""
    ties, orgs = ctx.table("network_ties"), ctx.table("network_organisations")
    if ties is None or orgs is None or ties.empty:
        return _absent("networks", "Networks", "partnership network survey (tables/network_ties.csv)")
    orgs = orgs.assign(partner=orgs["partner"].astype(str).str.lower().isin(["true", "1", "yes"]))
    if ctx.partner:
        ties = ties.loc[(ties["source"].astype(str) == ctx.partner) | (ties["target"].astype(str) == ctx.partner)]
    waves = list(dict.fromkeys(ties["wave"]))
    parts = [_md("Ties each organisation reported, by level (local, national, international) and intensity. With a handful of partners, counts of ties say more than centrality measures.")]
    parts.append(_html(tables.to_html(network_counts(ties, orgs), caption="Ties by wave")))
    if len(waves) >= 2:
        parts.append(figures.network_drawing(ties, orgs, waves=(waves[0], waves[-1])))
    return Section("networks", "Networks", parts)


# --------------------------------------------------------------------------- activities
def activities(ctx) -> Section:
    """Activities delivered and people reached, by type, group, gender and country (suppressed)."""
    act = ctx.table("activities")
    if act is None or act.empty:
        return _absent("activities", "Activities and reach", "activity register (tables/activities.csv)")
    if ctx.partner:
        act = act.loc[act["partner"].astype(str) == ctx.partner]
    parts = [_md(f"{act['activity_id'].nunique()} activities in {act['country'].nunique()} countries, {int(act['participants'].sum()):,} participations in all.")]
    act = act.assign(**{c: act[c].astype(str).str.replace("_", " ") for c in ("activity_type", "participant_group", "gender")})
    by_type = act.groupby("activity_type", as_index=False).agg(activities=("activity_id", "nunique"), participants=("participants", "sum")).rename(columns={"activity_type": "activity type"})
    parts.append(_html(tables.to_html(by_type, caption="Activities and participants by type")))
    for by, label in (("participant_group", "group"), ("gender", "gender"), ("country", "country")):
        t = act.groupby(by, as_index=False)["participants"].sum().rename(columns={by: label}).assign(_f=1)
        t = suppress(t, ["participants"], [], ctx.min_cell, family_cols=["_f"])
        t["participants"] = [tables.small_count(v, ctx.min_cell) if not s else f"fewer than {ctx.min_cell}" if k == "primary" else "hidden" for v, s, k in zip(t["participants"], t["suppressed"], t["suppression"])]
        parts.append(_html(tables.to_html(t.drop(columns=["_f", "suppressed", "suppression"]), caption=f"Participants by {label}")))
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
            names = {"kept_first": f"{labels[0]}: respondents", "kept_second": f"{labels[1]}: respondents", "matched": "Matched: answered both", "first_only": f"{labels[0]} only (lost to follow-up)", "second_only": f"{labels[1]} only (no baseline)"}
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
    from .config import ROOT

    try:
        commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return (commit + ("+changes" if dirty else "")) if commit else "unknown"


def provenance(ctx, parameters: dict | None = None) -> Section:
    """Input file hashes, code version, parameters and date of the report."""
    from . import __version__

    params = {"minimum group size": ctx.min_cell, "data folder": ctx.run.get("data_dir", ""), **(parameters or {})}
    text = (
        f"Produced on {dt.datetime.now(dt.timezone.utc):%d %B %Y} by impact-pipeline {__version__}, code version "
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
    ind = ctx.indicators
    rows = ind.loc[(ind["instrument"] == instrument) & (ind["group_by"] == "activity_id") & (ind["group"].astype(str) == activity_id)]
    if "kirkpatrick_level" in ind.columns and len(rows):
        parts.append(_html(tables.to_html(kirkpatrick_table(rows, ctx.min_cell), caption="Indicators by Kirkpatrick level (reaction, learning, behaviour at follow-up)")))
    elif len(rows):
        parts.append(_html(tables.to_html(tables.format_indicators(rows, ctx.min_cell, group_by=("activity_id",)), caption="Change by scale")))
    else:
        parts.append(_md("*No indicators computed for this event.*"))
    return Section("event", f"Training event {activity_id}", parts)
