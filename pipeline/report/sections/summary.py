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
import re

import pandas as pd

from pipeline import i18n
from pipeline.i18n import N_, _, ngettext
from pipeline.report import format as fmt
from pipeline.report import narrative, tables
from pipeline.report.sections.base import Section, _absent, _html, _md, _pre_post, _read, study_design
from pipeline.report.sections.voices import list_separator
from pipeline.schema import CONSORTIUM, DIFF_IN_DIFF, RANDOM_EFFECTS, Files, first_waves, paired_rows


def title(ctx) -> str:
    """The title block of the consortium or a partner report (Markdown, with the h1)."""
    if not ctx.partner:
        return narrative.title_page(ctx)
    p = ctx.consortium.partner(ctx.partner)
    cons = ctx.consortium
    t = fmt.text
    heading = _("Partner report: {name}").format(name=t(p.name))
    # TRANSLATORS: a period of time, from one date to another ("1 January 2025 to 31 December 2026").
    period = _("{start} to {end}").format(start=fmt.date(cons.start), end=fmt.date(cons.end))
    intro = ngettext(
        "This report shows {name} ({code}, {country}) beside the whole consortium of {n} partner. The consortium report holds every partner's results.",
        "This report shows {name} ({code}, {country}) beside the whole consortium of {n} partners. The consortium report holds every partner's results.",
        len(cons.partners),
    ).format(name=t(p.name), code=t(p.code), country=t(ctx.country_name(p.country)), n=fmt.count(len(cons.partners)))
    return f"# {heading}\n\n**{t(i18n.localized(cons.title_labels or cons.title))}** · {t(cons.project_id)} · {period}\n\n{intro}"


#: The funder's four award criteria (docs/funder.md), as a report titles them.
CRITERIA = {
    "relevance": N_("1. Relevance"),
    "design_and_implementation": N_("2. Quality of project design and implementation"),
    "cooperation": N_("3. Quality of cooperation"),
    "impact_and_dissemination": N_("4. Impact and dissemination"),
    "": N_("Other results"),
}
#: A grouping field of a survey that separates the receiving community from
#: refugee and migrant respondents: its breakdown is reported beside the whole.
POPULATION_FIELD = "group"


def _esc(x) -> str:
    return html.escape(str(x))


def _lower_first(label) -> str:
    """A label inside a sentence (:func:`pipeline.report.format.lower_first`); German nouns keep their capital."""
    return str(label) if i18n.active() == "de" else fmt.lower_first(label)


def _capital(text: str) -> str:
    """A word at the start of a sentence or a label: its first letter in upper case."""
    return text[:1].upper() + text[1:]


def commentary(ctx) -> pd.DataFrame:
    """``commentary.csv`` indexed by id (empty without one)."""
    table = _read(ctx, Files.COMMENTARY)
    if table is None or table.empty:
        return pd.DataFrame(columns=["reason", "action", "partner", "date"])
    return table.set_index("id")


def reason_html(ctx, notes: pd.DataFrame, key: str, with_action: bool = True) -> str:
    """The consortium's reason (and action) for one id, or "no explanation recorded"."""
    if not key or key not in notes.index:
        none = _("Reason: no explanation recorded.")
        return f"<em>{none}</em>"
    r = notes.loc[key]
    who = f"{_esc(r['partner'])}, {_esc(r['date'])}"
    reason_label, action_label = _("Reason:"), _("Action:")
    reason = ctx.text("commentary", key, "reason", default=str(r["reason"]))
    text = f"<em>{reason_label}</em> {_esc(reason)}"
    if with_action:
        action = ctx.text("commentary", key, "action", default=str(r["action"]))
        text += f" <em>{action_label}</em> {_esc(action)}"
    return f"{text} <small>({who})</small>"


def _evidence(r, ctx=None) -> str:
    """One line of evidence of a result: the deciding indicator against its target, with n
    (for a qualitative result: the stories and quotes of the evidence log)."""
    if r["result_type"] == "qualitative":
        from pipeline.report.sections.voices import voice_line

        line = voice_line(ctx, str(r["result_id"])) if ctx is not None else ""
        return line or _("Not measurable by the surveys; described in words in the results framework.")
    unit = str(r["unit"]) if not fmt.missing(r["unit"]) else ""
    name, unit_text = str(r["indicator"]), unit
    if ctx is not None and not fmt.missing(r.get("indicator_id")):
        name = ctx.text("framework", str(r["indicator_id"]), "name", default=name)
        unit_text = ctx.text("framework", str(r["indicator_id"]), "unit", default=unit) if unit else ""
    values = {"indicator": _esc(name), "value": fmt.value(r["value"], unit), "target": fmt.value(r["target"], unit), "unit": _esc(unit_text)}
    if not fmt.missing(r["n"]):
        # TRANSLATORS: e.g. "Multiplier events held: 7 against a target of 7 events (n = 7 activities)".
        line = _("{indicator}: {value} against a target of {target} {unit} (n = {n} {counted})").format(**values, n=fmt.count(r["n"]), counted=_esc(fmt.unit(r["n"], r["n_unit"])))
    else:
        line = _("{indicator}: {value} against a target of {target} {unit}").format(**values)
    k = int(r["n_indicators"])
    if k > 1:
        # TRANSLATORS: {evidence} is the deciding indicator against its target; then how many of the result's indicators are achieved.
        line = ngettext("{evidence}; {achieved} of {total} indicator achieved", "{evidence}; {achieved} of {total} indicators achieved", k).format(
            evidence=line, achieved=fmt.count(r["n_achieved"]), total=fmt.count(k)
        )
    return line + "."


def at_a_glance(ctx) -> Section:
    """Results at a glance: every expected result, grouped by the funder's criteria,
    with its status (word, symbol, colour) and one line of evidence with its n; a
    result off track or on track shows the consortium's reason, or that none was recorded."""
    from pipeline.report.sections.results import badge

    title = _("Results at a glance")
    table = _read(ctx, Files.AT_A_GLANCE)
    if table is None or table.empty:
        return _absent("glance", title, _("results framework (datasets.yaml names no framework)"))
    notes = commentary(ctx)
    rf = ctx.results_framework
    names = dict(zip(rf["indicator_id"].astype(str), rf["indicator"].astype(str))) if rf is not None and len(rf) else {}
    counts = table["status"].value_counts()
    head = ", ".join(f"{badge(s)} {fmt.count(counts[s])}" for s in ("achieved", "on track", "off track", "no data", "qualitative") if s in counts)
    rows = []
    for criterion, part in table.groupby(table["criterion"].fillna(""), sort=False):
        heading = _(CRITERIA[criterion]) if criterion in CRITERIA else criterion
        rows.append(f'<tr class="criterion"><th colspan="3">{_esc(heading)}</th></tr>')
        for r in part.to_dict("records"):
            evidence = _evidence(r, ctx)
            if r["status"] in ("off track", "on track"):
                evidence += "<br>" + reason_html(ctx, notes, r["explained_by"] if isinstance(r["explained_by"], str) else "", with_action=False)
                for other in str(r["other_indicators"]).split() if isinstance(r["other_indicators"], str) else []:
                    name = ctx.text("framework", other, "name", default=names.get(other, fmt.words(other)))
                    # TRANSLATORS: another indicator of the same result with the same status, e.g. "Also off track: Ratings of the activities."
                    also = _("Also {status}: {indicator}.").format(status=_esc(fmt.words(r["status"])), indicator=_esc(name))
                    evidence += f"<br>{also} " + reason_html(ctx, notes, other if other in notes.index else "", with_action=False)
            result = ctx.text("framework", str(r["result_id"]), "result", default=str(r["result"]))
            rows.append(f"<tr><td>{_esc(result)} <small>({_esc(r['result_id'])})</small></td><td>{badge(r['status'])}</td><td>{evidence}</td></tr>")
    framework = _("Results framework")
    intro = ngettext(
        "The {n} expected result of the project, in its own words, grouped by the funder's four award criteria. "
        "A result's status is that of its weakest indicator; the evidence names that indicator, its value against the target "
        "and how many it counts (n). Results by status: {statuses}. Each indicator, its baseline and the reasons in full are in "
        "{section}, the first part of the technical annex.",
        "The {n} expected results of the project, in its own words, grouped by the funder's four award criteria. "
        "A result's status is that of its weakest indicator; the evidence names that indicator, its value against the target "
        "and how many it counts (n). Results by status: {statuses}. Each indicator, its baseline and the reasons in full are in "
        "{section}, the first part of the technical annex.",
        len(table),
    ).format(n=fmt.count(len(table)), statuses=head, section=f"<em>{framework}</em>")
    headers = "".join(f"<th>{h}</th>" for h in (_("Expected result"), _("Status"), _("Evidence")))
    grid = f'<table class="dataframe report-table glance"><thead><tr>{headers}</tr></thead>' + tables.banded_body(rows) + "</table>"
    return Section("glance", title, [_html(f"<p>{intro}</p>" + grid)])


def _scale_label(ctx, cb, r) -> str:
    """A scale's label in the report's language (the codebook's translation), else the published one."""
    scale = r.get("scale")
    return ctx.measure_label(cb.instrument, scale=scale if isinstance(scale, str) else None, default=str(r["label"]))


def _instrument_label(cb) -> str:
    """A survey's title in the report's language."""
    return i18n.localized(cb.title, f"{cb.instrument}: title") if cb.title else cb.label()


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
    where = narrative.comparison_cover_text(cover)
    randomised = study_design(ctx, cb)["design"] == "randomised"
    if randomised:
        lead = (
            _("**Strongest evidence: the randomised comparison at {partners}.** The difference in differences is the participants' change minus the comparison group's:").format(partners=where)
            if where
            else _("**Strongest evidence: the randomised comparison.** The difference in differences is the participants' change minus the comparison group's:")
        )
    else:
        lead = (
            _(
                "**Strongest evidence: participants compared with people who did not take part at {partners}.** The difference in differences is the participants' change minus the comparison group's:"
            ).format(partners=where)
            if where
            else _("**Strongest evidence: participants compared with people who did not take part.** The difference in differences is the participants' change minus the comparison group's:")
        )
    lines = [lead]
    for r in did.to_dict("records"):
        # TRANSLATORS: g_change is the effect size of a difference in differences; keep the symbol.
        numbers = ngettext(
            "{change} (95% CI {low} to {high}; g_change = {g}; {n} participant, {n_comparison} in the comparison group).",
            "{change} (95% CI {low} to {high}; g_change = {g}; {n} participants, {n_comparison} in the comparison group).",
            r["n_paired"],
        ).format(
            change=fmt.num(r["mean_change"], signed=True),
            low=fmt.num(r["ci_low"], signed=True),
            high=fmt.num(r["ci_high"], signed=True),
            g=fmt.num(r["effect_size"]),
            n=fmt.count(r["n_paired"]),
            n_comparison=fmt.count(r["n_comparison"]),
        )
        lines.append(f"- **{fmt.text(_scale_label(ctx, cb, r))}**: {numbers}")
    balance = _read(ctx, Files.BASELINE_BALANCE)
    if randomised:
        caveat = _(
            "*Read with care:* people were assigned to the two groups at random (the unit assigned: {unit}), "
            "so the groups differ at the start by chance only and the difference in differences estimates the effect of the "
            "assignment; people who left between the surveys can still bias it (attrition, below)."
        ).format(unit=fmt.words(study_design(ctx, cb)["unit"]))
    else:
        caveat = _(
            "*Read with care:* the comparison group was not chosen at random. People who chose to take part may differ from those "
            "who did not (self-selection), and a difference in differences shows an effect only if both groups would otherwise have changed alike."
        )
    if balance is not None and len(balance):
        bal = balance.loc[(balance["instrument"] == cb.instrument) & ~balance["suppressed"].astype(str).str.lower().eq("true")]
        off = bal.loc[bal["smd"].abs() > 0.2]
        if len(off):
            items = list_separator().join(
                # TRANSLATORS: a scale on which the two groups differed at the start; SD: standard deviations (use the local abbreviation).
                _("{scale} (participants {participants}, comparison group {comparison}: {smd} SD)").format(
                    scale=fmt.text(_lower_first(_scale_label(ctx, cb, r))), participants=fmt.num(r["mean_participants"]), comparison=fmt.num(r["mean_comparison"]), smd=fmt.num(r["smd"], signed=True)
                )
                for r in off.to_dict("records")
            )
            caveat += " " + _("At the start the groups already differed on {scales} (baseline imbalance).").format(scales=items)
    return lines + ["", caveat, ""]


def _change_table(ctx, cb) -> str:
    """Participants' change per scale (HTML), the receiving community and refugee/migrant
    respondents on rows of their own under each scale: g_av first, d_z with its interval second."""
    ind = paired_rows(ctx.indicators.loc[ctx.indicators["instrument"] == cb.instrument])
    cons = ind.loc[ind["group_by"].eq(CONSORTIUM)]
    pops = ind.loc[ind["group_by"].eq(POPULATION_FIELD)]
    field = next((f for f in cb.fields if f.id == POPULATION_FIELD), None)
    names = {k: ctx.choice_label(cb.instrument, field.name, k, default=v.get("en", k)) for k, v in field.choice_labels.items()} if field is not None else {}
    if ctx.partner:
        pops = ind.loc[ind["group_by"].eq("partner") & ind["group"].astype(str).eq(ctx.partner)]
        # TRANSLATORS: a row of a table: the change at one partner, e.g. "At IT-PAL".
        names = {ctx.partner: _("At {partner}").format(partner=ctx.partner)}
    order = {sc.id: k for k, sc in enumerate(cb.scales)}
    across = _across_partners(ctx, cb)
    everyone = _("All participants")
    hidden = ngettext("fewer than {k} person", "fewer than {k} people", ctx.min_cell).format(k=fmt.count(ctx.min_cell))
    body = []
    for scale in sorted(cons["scale"].unique(), key=lambda x: order.get(x, 99)):
        whole = cons.loc[cons["scale"] == scale]
        clause = f" · <small>{across[scale]}</small>" if scale in across else ""
        body.append(f'<tr class="criterion"><th colspan="6">{_esc(_scale_label(ctx, cb, whole.iloc[0]))}{clause}</th></tr>')
        groups = [(everyone, whole)] + [(names.get(g, fmt.words(g)), pops.loc[(pops["scale"] == scale) & (pops["group"].astype(str) == g)]) for g in sorted(pops["group"].astype(str).unique())]
        for label, rows in groups:
            if rows.empty:
                continue
            r = rows.iloc[0]
            if str(r["suppressed"]).lower() == "true":
                body.append(f'<tr><td>{_esc(label)}</td><td colspan="5">{hidden}</td></tr>')
                continue
            cells = [
                fmt.count(r["n_paired"]),
                f"{fmt.num(r['mean_pre'])} → {fmt.num(r['mean_post'])}",
                fmt.with_interval(r["mean_change"], r["ci_low"], r["ci_high"], signed=True),
                f"<b>{fmt.with_interval(r['g_av'], r.get('g_av_ci_low'), r.get('g_av_ci_high'))}</b>",
                fmt.with_interval(r["effect_size"], r["effect_size_ci_low"], r["effect_size_ci_high"]),
            ]
            body.append(f"<tr><td>{_esc(label)}</td>" + "".join(f'<td class="num">{c}</td>' for c in cells) + "</tr>")
    head = "".join(f"<th>{h}</th>" for h in (_("Who"), _("n (pairs)"), _("Before → after"), _("Change [95% CI]"), _("g_av [95% CI]"), _("d_z [95% CI]")))
    caption = _("{survey}: change among participants").format(survey=_instrument_label(cb))
    return f'<table class="dataframe report-table change"><caption>{_esc(caption)}</caption><thead><tr>{head}</tr></thead>{tables.banded_body(body)}</table>'


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
        text = ngettext("across the {k} partner (random effects): {change}", "across the {k} partners (random effects): {change}", r["k_partners"]).format(
            k=fmt.count(r["k_partners"]), change=fmt.with_interval(r["mean_change"], r["ci_low"], r["ci_high"], signed=True)
        )
        if not fmt.missing(r["i2"]):
            text += f", I² = {fmt.pct(r['i2'])}"
        if not (fmt.missing(r["pi_low"]) or fmt.missing(r["pi_high"])):
            # TRANSLATORS: the prediction interval of a random-effects meta-analysis.
            text += list_separator() + _("a new partner's change could lie between {low} and {high}").format(low=fmt.num(r["pi_low"], signed=True), high=fmt.num(r["pi_high"], signed=True))
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
    text = ngettext(
        "*Read with care (attrition):* {dropped} of the {started} participants who answered the first survey has no score from the second ({share}).",
        "*Read with care (attrition):* {dropped} of the {started} participants who answered the first survey have no score from the second ({share}).",
        first["n_dropped"],
    ).format(dropped=fmt.count(first["n_dropped"]), started=fmt.count(started), share=fmt.pct(first["n_dropped"] / started))
    flagged = att.loc[att["flag"] != ""]
    if len(flagged):
        items = list_separator().join(
            (_("{scale} {sd} SD lower") if r["smd"] > 0 else _("{scale} {sd} SD higher")).format(scale=fmt.text(_lower_first(_scale_label(ctx, cb, r))), sd=fmt.num(abs(r["smd"])))
            for r in flagged.to_dict("records")
        )
        text += " " + _("Those who left had started differently: {scales}. The change of those who stayed may not hold for everyone who started.").format(scales=items)
    return text


#: Who a survey's change describes, by study design (the lead of the change paragraph).
CHANGE_AMONG = {
    "randomised": N_("Change among the people assigned to the activity"),
    "comparison_group": N_("Change among the people who took part in the activities"),
}
#: The same for any other design (before/after only).
CHANGE_AMONG_ANYONE = N_("Change among the people")


def executive_summary(ctx) -> Section:
    """The headline results: the strongest evidence first, each caveat beside the claim it
    qualifies, participants' change with g_av and d_z, and the results framework in one line."""
    parts = []
    for cb in _pre_post(ctx):
        text = [f"### {fmt.text(_instrument_label(cb))}", ""]
        text += _did_lines(ctx, cb)
        design = study_design(ctx, cb)["design"]
        lead = "**" + _(CHANGE_AMONG.get(design, CHANGE_AMONG_ANYONE)) + "**"
        ind = ctx.indicators
        split = bool(ind["group_by"].eq(POPULATION_FIELD).any() and (ind["instrument"] == cb.instrument).any())
        if split:
            change = _(
                "{change}, before to after, for all participants and for each respondent group separately (the receiving community and refugee or migrant respondents are not pooled unannounced)."
            ).format(change=lead)
        else:
            change = _("{change}, before to after, among those who answered both surveys.").format(change=lead)
        effect = _(
            "The effect size g_av is the change divided by the average standard deviation of the two surveys (Hedges' "
            "correction); d_z divides it by the standard deviation of the changes, with its 95% interval (Lakens 2013)."
        )
        text += [f"{change} {effect}"]
        parts += [_md("\n".join(text)), _html(_change_table(ctx, cb)), _md(_attrition_caveat(ctx, cb))]
    glance = _read(ctx, Files.AT_A_GLANCE)
    if glance is not None and len(glance):
        rf = ctx.results_framework
        off = rf.loc[rf["status"].eq("off track")] if rf is not None and len(rf) else rf
        if off is not None and len(off):
            named = list_separator().join(
                f"{fmt.text(_lower_first(ctx.text('framework', str(r['indicator_id']), 'name', default=str(r['indicator']))))} ({fmt.text(r['result_id'])})" for r in off.to_dict("records")
            )
            total = int(rf["indicator_id"].notna().sum())
            framework = _("Results framework")
            parts.append(
                _md(
                    ngettext(
                        "**{status}:** {n} of {total} indicator: {indicators}. Each shows the consortium's reason in {section}.",
                        "**{status}:** {n} of {total} indicators: {indicators}. Each shows the consortium's reason in {section}.",
                        total,
                    ).format(status=_capital(fmt.words("off track")), n=fmt.count(len(off)), total=fmt.count(total), indicators=named, section=f"*{framework}*")
                )
            )
    if not parts:
        return _absent("summary", _("Executive summary"), _("survey results to summarise"))
    designs = {study_design(ctx, cb)["design"] for cb in _pre_post(ctx)}
    if designs and designs != {"randomised"}:
        methods = _("Methods and limitations")
        parts.append(_md(_("A before/after comparison shows change, not that the activities caused it; see {section} in the annex.").format(section=f"*{methods}*")))
    return Section("summary", _("Executive summary"), parts)


def annex(ctx):
    """The heading that starts the technical annex: an ``h1`` of class ``annex``, which
    starts a new page in the PDF and an entry of the contents."""
    heading = _("Technical annex")
    text = _(
        "Data quality, privacy, reliability, code matching, methods and provenance, after the results framework in full "
        "(every indicator with its baseline, target, status and reason) and the activities by type and group: "
        "what an assessor or evaluator checks, kept apart from the results above."
    )
    return _html(f'<h1 class="annex" id="annex">{_esc(heading)}</h1><p>{_esc(text)}</p>')


def not_covered(ctx):
    """One line naming the sections this data folder has no data for (they are left out;
    :func:`pipeline.report.sections.base.show` collects them), or nothing."""
    missing = list(dict.fromkeys(ctx.extras.get("not_covered", [])))
    if not missing:
        return _md("")
    label = _("Not covered by this data folder:")
    return _md(f"*{label}* {', '.join(missing)}.")


def glossary_markdown(min_cell: int) -> str:
    """The glossary in the report's language (Markdown: a bold first line, then "- " items)."""
    head = _("Words and numbers used in this report.")
    items = [
        ngettext(
            "**n**: how many people (or activities, ties, organisations) a number describes. No number describes fewer than {k} person.",
            "**n**: how many people (or activities, ties, organisations) a number describes. No number describes fewer than {k} people.",
            min_cell,
        ).format(k=fmt.count(min_cell)),
        _("**Paired**: the same people, answering before and after; *change* is each person's answer after minus before, averaged."),
        _("**95% CI** (confidence interval): the range of values compatible with the data; an interval that excludes 0 means the change is unlikely to be chance alone."),
        # TRANSLATORS: g_av is an effect size (Hedges' g with the average standard deviation); keep the symbol.
        _(
            "**g_av**: the change divided by the average standard deviation of the two surveys, with Hedges' small-sample correction; {small} is usually read as small, {medium} as medium, {large} as large (Lakens 2013)."
        ).format(small=fmt.num(0.2, 1), medium=fmt.num(0.5, 1), large=fmt.num(0.8, 1)),
        # TRANSLATORS: d_z is an effect size (Cohen's d for paired data); keep the symbols.
        _("**d_z**: the change divided by the standard deviation of the individual changes; larger than g_av when people's answers are consistent over time (Lakens 2013)."),
        _("**Difference in differences**: participants' change minus the comparison group's change; **g_change** divides it by the pooled standard deviation of the changes."),
        _("**Comparison group**: people who did not take part, surveyed at the same times."),
        # TRANSLATORS: SD: the abbreviation the report uses for standard deviations (use the local one: DS, ΤΑ, DE, SD, DP).
        _("**Standardised difference (SD)**: a difference of means in standard deviations; above {threshold} the groups differ noticeably.").format(threshold=fmt.num(0.2, 1)),
        # TRANSLATORS: the three statuses of an indicator, in the words the report uses for them.
        _("**{off_track} / {on_track} / {achieved}**: an indicator's value against its target, by the rules in {section}.").format(
            off_track=_capital(fmt.words("off track")), on_track=fmt.words("on track"), achieved=fmt.words("achieved"), section="*" + _("Methods and limitations") + "*"
        ),
    ]
    return f"**{head}**\n\n" + "\n".join(f"- {item}" for item in items)


def glossary(ctx) -> Section:
    """The short glossary at the end of the main report: effect sizes and terms, once."""
    # one block (class "glossary"), which the PDF keeps on one page: the annex starts on a
    # new page, so a glossary split after a full page would leave a page of a few lines
    return Section("glossary", _("Glossary"), [_html(f'<div class="glossary">{_glossary_html(glossary_markdown(ctx.min_cell))}</div>')])


def _glossary_html(text: str) -> str:
    """The glossary's Markdown (a bold first line, then "- " items with **bold** and *italic*)
    as HTML, so that it can sit in one block."""

    def inline(line: str) -> str:
        line = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", _esc(line))
        return re.sub(r"\*(.+?)\*", r"<em>\1</em>", line)

    lines = [ln for ln in text.splitlines() if ln.strip()]
    items = "".join(f"<li>{inline(ln[2:])}</li>" for ln in lines if ln.startswith("- "))
    head = "".join(f"<p>{inline(ln)}</p>" for ln in lines if not ln.startswith("- "))
    return f"{head}<ul>{items}</ul>"
