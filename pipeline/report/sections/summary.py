"""The front of a report: the title block, results at a glance and the executive summary.

``at_a_glance`` reads ``at_a_glance.csv`` and ``commentary.csv``: each expected result in
the project's words, grouped by the funder's four award criteria (docs/funder.md), with its
status in words, symbol and colour and one line of evidence with its n.
``executive_summary`` leads with the strongest evidence (the comparison group's
difference in differences where there is one) and puts each caveat (attrition, baseline
imbalance, self-selection) beside the claim it qualifies.
"""

from __future__ import annotations

import html

import pandas as pd

from pipeline.report import format as fmt
from pipeline.report import narrative, tables
from pipeline.report.sections.base import Section, _absent, _html, _md, _pre_post, _read, study_design
from pipeline.schema import CONSORTIUM, DIFF_IN_DIFF, RANDOM_EFFECTS, Files, first_waves, paired_rows


def title(ctx) -> str:
    """The title block of the consortium or a partner report (Markdown, with the h1)."""
    if not ctx.partner:
        return narrative.title_page(ctx)
    p = ctx.consortium.partner(ctx.partner)
    cons = ctx.consortium
    t = fmt.text
    return (
        f"# Partner report: {t(p.name)}\n\n"
        f"**{t(cons.title)}** · {t(cons.project_id)} · {cons.start:%d %B %Y} to {cons.end:%d %B %Y}\n\n"
        f"This report shows {t(p.name)} ({t(p.code)}, {t(p.country_name)}) beside the whole consortium of "
        f"{len(cons.partners)} partners. The consortium report holds every partner's results."
    )


#: The funder's four award criteria (docs/funder.md), as a report titles them.
CRITERIA = {
    "relevance": "1. Relevance",
    "design_and_implementation": "2. Quality of project design and implementation",
    "cooperation": "3. Quality of cooperation",
    "impact_and_dissemination": "4. Impact and dissemination",
    "": "Other results",
}
NO_EXPLANATION = "no explanation recorded"
#: A grouping field of a survey that separates the receiving community from
#: refugee and migrant respondents: its breakdown is reported beside the whole.
POPULATION_FIELD = "group"


def _esc(x) -> str:
    return html.escape(str(x))


def commentary(ctx) -> pd.DataFrame:
    """``commentary.csv`` indexed by id (empty without one)."""
    table = _read(ctx, Files.COMMENTARY)
    if table is None or table.empty:
        return pd.DataFrame(columns=["reason", "action", "partner", "date"])
    return table.set_index("id")


def reason_html(ctx, notes: pd.DataFrame, key: str, with_action: bool = True) -> str:
    """The consortium's reason (and action) for one id, or "no explanation recorded"."""
    if not key or key not in notes.index:
        return f"<em>Reason: {NO_EXPLANATION}.</em>"
    r = notes.loc[key]
    who = f"{_esc(r['partner'])}, {_esc(r['date'])}"
    text = f"<em>Reason:</em> {_esc(r['reason'])}"
    if with_action:
        text += f" <em>Action:</em> {_esc(r['action'])}"
    return f"{text} <small>({who})</small>"


def _evidence(r, ctx=None) -> str:
    """One line of evidence of a result: the deciding indicator against its target, with n
    (for a qualitative result: the stories and quotes of the evidence log)."""
    if r["result_type"] == "qualitative":
        from pipeline.report.sections.voices import voice_line

        line = voice_line(ctx, str(r["result_id"])) if ctx is not None else ""
        return line or "Not measurable by the surveys; described in words in the results framework."
    unit = str(r["unit"]) if not fmt.missing(r["unit"]) else ""
    line = f"{_esc(r['indicator'])}: {fmt.value(r['value'], unit)} against a target of {fmt.value(r['target'], unit)} {_esc(unit)}"
    if not fmt.missing(r["n"]):
        line += f" (n = {fmt.count(r['n'])} {_esc(fmt.unit(r['n'], r['n_unit']))})"
    k = int(r["n_indicators"])
    if k > 1:
        line += f"; {int(r['n_achieved'])} of {k} indicators achieved"
    return line + "."


def at_a_glance(ctx) -> Section:
    """Results at a glance: every expected result, grouped by the funder's criteria,
    with its status (word, symbol, colour) and one line of evidence with its n; a
    result off track or on track shows the consortium's reason, or that none was recorded."""
    from pipeline.report.sections.results import badge

    table = _read(ctx, Files.AT_A_GLANCE)
    if table is None or table.empty:
        return _absent("glance", "Results at a glance", "results framework (datasets.yaml names no framework)")
    notes = commentary(ctx)
    rf = ctx.results_framework
    names = dict(zip(rf["indicator_id"].astype(str), rf["indicator"].astype(str))) if rf is not None and len(rf) else {}
    counts = table["status"].value_counts()
    head = ", ".join(f"{badge(s)} {int(counts[s])}" for s in ("achieved", "on track", "off track", "no data", "qualitative") if s in counts)
    rows = []
    for criterion, part in table.groupby(table["criterion"].fillna(""), sort=False):
        rows.append(f'<tr class="criterion"><th colspan="3">{_esc(CRITERIA.get(criterion, criterion))}</th></tr>')
        for r in part.to_dict("records"):
            evidence = _evidence(r, ctx)
            if r["status"] in ("off track", "on track"):
                evidence += "<br>" + reason_html(ctx, notes, r["explained_by"] if isinstance(r["explained_by"], str) else "", with_action=False)
                for other in str(r["other_indicators"]).split() if isinstance(r["other_indicators"], str) else []:
                    name = names.get(other, fmt.words(other))
                    evidence += f"<br>Also {_esc(r['status'])}: {_esc(name)}. " + reason_html(ctx, notes, other if other in notes.index else "", with_action=False)
            rows.append(f"<tr><td>{_esc(r['result'])} <small>({_esc(r['result_id'])})</small></td><td>{badge(r['status'])}</td><td>{evidence}</td></tr>")
    intro = (
        f"<p>The {len(table)} expected results of the project, in its own words, grouped by the funder's four award criteria. "
        f"A result's status is that of its weakest indicator; the evidence names that indicator, its value against the target "
        f"and how many it counts (n). Results by status: {head}. Each indicator, its baseline and the reasons in full are in "
        f"<em>Results framework</em>, the first part of the technical annex.</p>"
    )
    grid = '<table class="dataframe report-table glance"><thead><tr><th>Expected result</th><th>Status</th><th>Evidence</th></tr></thead>' + tables.banded_body(rows) + "</table>"
    return Section("glance", "Results at a glance", [_html(intro + grid)])


def _did_lines(ctx, cb) -> list[str]:
    """The strongest evidence: the consortium's difference in differences per scale,
    with the self-selection and baseline caveats beside it."""
    ind = ctx.indicators
    if "analysis" not in ind.columns:
        return []
    did = first_waves(ind.loc[(ind["instrument"] == cb.instrument) & ind["analysis"].eq(DIFF_IN_DIFF) & ind["group_by"].eq(CONSORTIUM)])
    did = did.loc[~did["suppressed"].astype(str).str.lower().eq("true")]
    if did.empty:
        return []
    cover = next((n for n in did["note"].fillna("") if str(n).startswith("partners with a comparison group")), "")
    where = f" at {cover.split(': ', 1)[1]}" if ": " in cover else ""
    randomised = study_design(ctx, cb)["design"] == "randomised"
    lead = "the randomised comparison" if randomised else "participants compared with people who did not take part"
    lines = [f"**Strongest evidence: {lead}{where}.** The difference in differences is the participants' change minus the comparison group's:"]
    for r in did.to_dict("records"):
        lines.append(
            f"- **{fmt.text(r['label'])}**: {fmt.num(r['mean_change'], signed=True)} (95% CI {fmt.num(r['ci_low'], signed=True)} to {fmt.num(r['ci_high'], signed=True)}; "
            f"g_change = {fmt.num(r['effect_size'])}; {fmt.count(r['n_paired'])} participants, {fmt.count(r['n_comparison'])} in the comparison group)."
        )
    balance = _read(ctx, Files.BASELINE_BALANCE)
    caveat = (
        (
            f"*Read with care:* people were assigned to the two groups at random (the unit assigned: {study_design(ctx, cb)['unit']}), "
            "so the groups differ at the start by chance only and the difference in differences estimates the effect of the "
            "assignment; people who left between the surveys can still bias it (attrition, below)."
        )
        if randomised
        else (
            "*Read with care:* the comparison group was not chosen at random. People who chose to take part may differ from those "
            "who did not (self-selection), and a difference in differences shows an effect only if both groups would otherwise have changed alike."
        )
    )
    if balance is not None and len(balance):
        bal = balance.loc[(balance["instrument"] == cb.instrument) & ~balance["suppressed"].astype(str).str.lower().eq("true")]
        off = bal.loc[bal["smd"].abs() > 0.2]
        if len(off):
            caveat += (
                " At the start the groups already differed on "
                + "; ".join(
                    f"{fmt.text(fmt.lower_first(r['label']))} (participants {fmt.num(r['mean_participants'])}, comparison group {fmt.num(r['mean_comparison'])}: {fmt.num(r['smd'], signed=True)} SD)"
                    for r in off.to_dict("records")
                )
                + " (baseline imbalance)."
            )
    return lines + ["", caveat, ""]


def _change_table(ctx, cb) -> str:
    """Participants' change per scale (HTML), the receiving community and refugee/migrant
    respondents on rows of their own under each scale: g_av first, d_z with its interval second."""
    ind = paired_rows(ctx.indicators.loc[ctx.indicators["instrument"] == cb.instrument])
    cons = ind.loc[ind["group_by"].eq(CONSORTIUM)]
    pops = ind.loc[ind["group_by"].eq(POPULATION_FIELD)]
    field = next((f for f in cb.fields if f.id == POPULATION_FIELD), None)
    names = {k: v.get("en", k) for k, v in field.choice_labels.items()} if field is not None else {}
    if ctx.partner:
        pops = ind.loc[ind["group_by"].eq("partner") & ind["group"].astype(str).eq(ctx.partner)]
        names = {ctx.partner: f"At {ctx.partner}"}
    order = {sc.id: k for k, sc in enumerate(cb.scales)}
    across = _across_partners(ctx, cb)
    body = []
    for scale in sorted(cons["scale"].unique(), key=lambda x: order.get(x, 99)):
        whole = cons.loc[cons["scale"] == scale]
        clause = f" · <small>{across[scale]}</small>" if scale in across else ""
        body.append(f'<tr class="criterion"><th colspan="6">{_esc(whole.iloc[0]["label"])}{clause}</th></tr>')
        groups = [("All participants", whole)] + [
            (names.get(g, fmt.words(g)), pops.loc[(pops["scale"] == scale) & (pops["group"].astype(str) == g)]) for g in sorted(pops["group"].astype(str).unique())
        ]
        for label, rows in groups:
            if rows.empty:
                continue
            r = rows.iloc[0]
            if str(r["suppressed"]).lower() == "true":
                body.append(f'<tr><td>{_esc(label)}</td><td colspan="5">fewer than {ctx.min_cell} people</td></tr>')
                continue
            cells = [
                fmt.count(r["n_paired"]),
                f"{fmt.num(r['mean_pre'])} → {fmt.num(r['mean_post'])}",
                fmt.with_interval(r["mean_change"], r["ci_low"], r["ci_high"], signed=True),
                f"<b>{fmt.with_interval(r['g_av'], r.get('g_av_ci_low'), r.get('g_av_ci_high'))}</b>",
                fmt.with_interval(r["effect_size"], r["effect_size_ci_low"], r["effect_size_ci_high"]),
            ]
            body.append(f"<tr><td>{_esc(label)}</td>" + "".join(f'<td class="num">{c}</td>' for c in cells) + "</tr>")
    head = "".join(f"<th>{h}</th>" for h in ("Who", "n (pairs)", "Before → after", "Change [95% CI]", "g_av [95% CI]", "d_z [95% CI]"))
    return f'<table class="dataframe report-table change"><caption>{_esc(cb.label())}: change among participants</caption><thead><tr>{head}</tr></thead>{tables.banded_body(body)}</table>'


def _across_partners(ctx, cb) -> dict[str, str]:
    """Scale -> one clause beside the pooled change: the published random-effects summary
    across partners (HKSJ interval, I², prediction interval for a new partner), read
    from its ``random_effects`` row; nothing in a partner's report or for a hidden row."""
    ind = ctx.indicators
    if ctx.partner or "analysis" not in ind.columns:
        return {}
    rows = first_waves(ind.loc[(ind["instrument"] == cb.instrument) & ind["analysis"].eq(RANDOM_EFFECTS)])
    rows = rows.loc[~rows["suppressed"].astype(str).str.lower().eq("true") & rows["mean_change"].notna()]
    clauses = {}
    for r in rows.to_dict("records"):
        text = f"across the {fmt.count(r['k_partners'])} partners (random effects): {fmt.with_interval(r['mean_change'], r['ci_low'], r['ci_high'], signed=True)}"
        if not fmt.missing(r["i2"]):
            text += f", I² = {fmt.pct(r['i2'])}"
        if not (fmt.missing(r["pi_low"]) or fmt.missing(r["pi_high"])):
            text += f"; a new partner's change could lie between {fmt.num(r['pi_low'], signed=True)} and {fmt.num(r['pi_high'], signed=True)}"
        clauses[r["scale"]] = _esc(text)
    return clauses


def _attrition_caveat(ctx, cb) -> str:
    """Who left between the surveys, and whether they started differently (``attrition.csv``)."""
    att = _read(ctx, Files.ATTRITION)
    if att is None or att.empty:
        return ""
    att = att.loc[(att["instrument"] == cb.instrument) & att["group_by"].eq(CONSORTIUM) & att["population"].eq("participants")]
    att = att.loc[~att["suppressed"]]
    if att.empty:
        return ""
    first = att.iloc[0]
    started = int(first["n_completed"]) + int(first["n_dropped"])
    text = (
        f"*Read with care (attrition):* {fmt.count(first['n_dropped'])} of the {fmt.count(started)} participants who answered the first survey "
        f"have no score from the second ({fmt.pct(first['n_dropped'] / started)})."
    )
    flagged = att.loc[att["flag"] != ""]
    if len(flagged):
        text += (
            " Those who left had started differently: "
            + "; ".join(f"{fmt.text(fmt.lower_first(r['label']))} {fmt.num(abs(r['smd']))} SD {'lower' if r['smd'] > 0 else 'higher'}" for r in flagged.to_dict("records"))
            + ". The change of those who stayed may not hold for everyone who started."
        )
    return text


def executive_summary(ctx) -> Section:
    """The headline results: the strongest evidence first, each caveat beside the claim it
    qualifies, participants' change with g_av and d_z, and the results framework in one line."""
    parts = []
    for cb in _pre_post(ctx):
        text = [f"### {fmt.text(cb.label())}", ""]
        text += _did_lines(ctx, cb)
        design = study_design(ctx, cb)["design"]
        who = {"randomised": "people assigned to the activity", "comparison_group": "people who took part in the activities"}.get(design, "people")
        ind = ctx.indicators
        split = bool(ind["group_by"].eq(POPULATION_FIELD).any() and (ind["instrument"] == cb.instrument).any())
        text += [
            f"**Change among the {who}**, before to after"
            + (
                ", for all participants and for each respondent group separately (the receiving community and refugee or migrant respondents are not pooled unannounced). "
                if split
                else ", among those who answered both surveys. "
            )
            + "The effect size g_av is the change divided by the average standard deviation of the two surveys (Hedges' "
            "correction); d_z divides it by the standard deviation of the changes, with its 95% interval (Lakens 2013).",
        ]
        parts += [_md("\n".join(text)), _html(_change_table(ctx, cb)), _md(_attrition_caveat(ctx, cb))]
    glance = _read(ctx, Files.AT_A_GLANCE)
    if glance is not None and len(glance):
        rf = ctx.results_framework
        off = rf.loc[rf["status"].eq("off track")] if rf is not None and len(rf) else rf
        if off is not None and len(off):
            named = "; ".join(f"{fmt.text(fmt.lower_first(r['indicator']))} ({fmt.text(r['result_id'])})" for r in off.to_dict("records"))
            parts.append(_md(f"**Off track:** {len(off)} of {int(rf['indicator_id'].notna().sum())} indicators: {named}. Each shows the consortium's reason in *Results framework*."))
    if not parts:
        return _absent("summary", "Executive summary", "survey results to summarise")
    designs = {study_design(ctx, cb)["design"] for cb in _pre_post(ctx)}
    if designs and designs != {"randomised"}:
        parts.append(_md("A before/after comparison shows change, not that the activities caused it; see *Methods and limitations* in the annex."))
    return Section("summary", "Executive summary", parts)


def annex(ctx):
    """The heading that starts the technical annex: an ``h1`` of class ``annex``, which
    starts a new page in the PDF and an entry of the contents."""
    return _html(
        '<h1 class="annex" id="annex">Technical annex</h1>'
        "<p>Data quality, privacy, reliability, code matching, methods and provenance, after the results framework in full "
        "(every indicator with its baseline, target, status and reason) and the activities by type and group: "
        "what an assessor or evaluator checks, kept apart from the results above.</p>"
    )


def not_covered(ctx):
    """One line naming the sections this data folder has no data for (they are left out;
    :func:`pipeline.report.sections.base.show` collects them), or nothing."""
    missing = list(dict.fromkeys(ctx.extras.get("not_covered", [])))
    return _md(f"*Not covered by this data folder:* {', '.join(missing)}." if missing else "")


GLOSSARY = """\
**Words and numbers used in this report.**

- **n**: how many people (or activities, ties, organisations) a number describes. No number describes fewer than {k} people.
- **Paired**: the same people, answering before and after; *change* is each person's answer after minus before, averaged.
- **95% CI** (confidence interval): the range of values compatible with the data; an interval that excludes 0 means the change is unlikely to be chance alone.
- **g_av**: the change divided by the average standard deviation of the two surveys, with Hedges' small-sample correction; 0.2 is usually read as small, 0.5 as medium, 0.8 as large (Lakens 2013).
- **d_z**: the change divided by the standard deviation of the individual changes; larger than g_av when people's answers are consistent over time (Lakens 2013).
- **Difference in differences**: participants' change minus the comparison group's change; **g_change** divides it by the pooled standard deviation of the changes.
- **Comparison group**: people who did not take part, surveyed at the same times.
- **Standardised difference (SD)**: a difference of means in standard deviations; above 0.2 the groups differ noticeably.
- **Off track / on track / achieved**: an indicator's value against its target, by the rules in *Methods and limitations*."""


def glossary(ctx) -> Section:
    """The short glossary at the end of the main report: effect sizes and terms, once."""
    # one block (class "glossary"), which the PDF keeps on one page: the annex starts on a
    # new page, so a glossary split after a full page would leave a page of a few lines
    return Section("glossary", "Glossary", [_html(f'<div class="glossary">{_glossary_html(GLOSSARY.format(k=ctx.min_cell))}</div>')])


def _glossary_html(text: str) -> str:
    """The glossary's Markdown (a bold first line, then "- " items with **bold** and *italic*)
    as HTML, so that it can sit in one block."""
    import re

    def inline(line: str) -> str:
        line = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", _esc(line))
        return re.sub(r"\*(.+?)\*", r"<em>\1</em>", line)

    lines = [ln for ln in text.splitlines() if ln.strip()]
    items = "".join(f"<li>{inline(ln[2:])}</li>" for ln in lines if ln.startswith("- "))
    head = "".join(f"<p>{inline(ln)}</p>" for ln in lines if not ln.startswith("- "))
    return f"{head}<ul>{items}</ul>"
