"""The results-framework section of a report, and tidy tables to chart it.

:func:`section` writes the whole section as HTML: for each expected result, its
indicators against their targets with the status in words, a symbol and a
colour-blind safe colour (Okabe & Ito 2008), and the evidence behind them (the
instrument, n, the interval, the OECD DAC criterion and Kirkpatrick level); for a
qualitative result, why surveys cannot evidence it and what the report carries
instead.

Tidy tables for charts (every one already through disclosure control):

* ``ctx.results_framework`` (``results_framework.csv``): one row per result x
  indicator, consortium level; :func:`status_counts` counts them by status.
* ``ctx.framework``: the framework's rows of ``indicators.csv``, one row per
  indicator x group (``group_by``, ``group``, ``value``, ``n``, ``suppressed``).
* :func:`pipeline.analysis.capacity.domain_levels`: capacity by partner, domain and wave.
* :func:`pipeline.analysis.networks.edges_table` and :func:`pipeline.analysis.networks.ties_per_partner`:
  the tie graph's edges and ties per partner (pass ``prepare_ties`` rows).
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from pipeline.analysis import status as st
from pipeline.i18n import _, ngettext
from pipeline.report import format as fmt
from pipeline.report import tables
from pipeline.report.sections.base import KIRKPATRICK, Section, _absent, _html
from pipeline.schema import CONSORTIUM

#: Status -> (colour, symbol, words for a reader in English). Okabe-Ito colours; the symbol
#: and the words carry the meaning too, so the table reads in greyscale. A report shows
#: the words in its language (:func:`pipeline.report.format.words`).
STATUS_STYLE = {
    st.ACHIEVED: ("#0072B2", "●", "achieved"),
    st.ON_TRACK: ("#009E73", "◐", "on track"),
    st.OFF_TRACK: ("#D55E00", "▲", "off track"),
    st.NO_DATA: ("#6E6E6E", "○", "no data"),
    st.QUALITATIVE: ("#CC79A7", "◇", "qualitative"),
}
ORDER = (st.ACHIEVED, st.ON_TRACK, st.OFF_TRACK, st.NO_DATA, st.QUALITATIVE)


def badge(status: str) -> str:
    """A status as HTML: symbol and words (in the report's language) in the status colour, bold."""
    key = status if status in STATUS_STYLE else st.NO_DATA
    colour, symbol, _words = STATUS_STYLE[key]
    return f'<span style="color:{colour};font-weight:bold;white-space:nowrap">{symbol} {html.escape(fmt.words(key))}</span>'


def status_counts(results: pd.DataFrame) -> pd.DataFrame:
    """Indicators (and qualitative results) by status: columns ``status, count``, in :data:`ORDER`."""
    counts = results["status"].fillna(st.NO_DATA).value_counts()
    return pd.DataFrame({"status": list(ORDER), "count": [int(counts.get(s, 0)) for s in ORDER]})


def _num(x, unit: str = "") -> str:
    return fmt.value(x, unit)


def _value(r) -> str:
    v = fmt.value(r["value"], str(r["unit"]))
    if v != fmt.DASH and not fmt.missing(r["value_ci_low"]):
        v += " " + fmt.interval(r["value_ci_low"], r["value_ci_high"])
    return v


def rules_text(ctx) -> str:
    """The status rules in words, read from the run's framework file.

    The file was checked when the run started (:func:`pipeline.analysis.framework.load_framework`);
    reading its ``status_rules`` again here keeps a report kernel from importing the
    statistics stack that checking it needs. A rule's description is the consortium's
    text (``ctx.text("framework", rule_id, "description")``: in the report's language
    where the framework gives it).
    """
    from pipeline.instruments.yaml_io import read_yaml

    path = ctx.run.get("framework")
    if not path:
        return ""
    doc = read_yaml(Path(path)) or {}
    rules = doc.get("status_rules") or {}
    out = []
    for rid, spec in rules.items():
        english = spec.get("description", "")
        english = english.get("en", "") if isinstance(english, dict) else english
        description = ctx.text("framework", str(rid), "description", default=" ".join(str(english).split()))
        out.append(f"<li><b>{html.escape(fmt.words(rid))}</b>: {html.escape(' '.join(description.split()))}</li>")
    return "".join(out)


def section(ctx, heading: bool = True) -> str:
    """The results-framework section of the consortium report (HTML).

    Parameters
    ----------
    ctx : pipeline.report.context.ReportContext
        Uses ``ctx.results_framework``, ``ctx.run``, ``ctx.min_cell`` and ``ctx.text``.
    heading : bool
        Start with the section's own ``<h2>`` (False when the caller titles it).
    """
    res = ctx.results_framework
    out = [f"<h2>{html.escape(_('Results framework: expected results against targets'))}</h2>"] if heading else []
    if res is None or res.empty:
        out.append(_("<p>This run names no results framework (the data folder's <code>datasets.yaml</code> has no <code>framework:</code>), so no targets are assessed.</p>"))
        return "\n".join(out)
    quant = res.loc[res["result_type"] == "quantitative"]
    as_of = str(quant["as_of"].dropna().iloc[0]) if quant["as_of"].notna().any() else "–"
    counts = status_counts(res)
    summary = ", ".join(f"{badge(s)} {fmt.count(c)}" for s, c in zip(counts["status"], counts["count"]) if c)
    intro = _(
        "Each expected result of the project, in the project's own words, with the indicators that evidence it: "
        "baseline, target, the value reached (with its 95% confidence interval where it comes from a sample) and its status. "
        "Statuses are judged with the data as of {date}."
    ).format(date=f"<b>{html.escape(as_of)}</b>")
    hidden = ngettext(
        "No number describes fewer than {k} person; smaller groups are hidden in the tables behind this section ({file}).",
        "No number describes fewer than {k} people; smaller groups are hidden in the tables behind this section ({file}).",
        ctx.min_cell,
    ).format(k=fmt.count(ctx.min_cell), file="<code>indicators.csv</code>")
    by_status = _("Indicators by status:")
    out.append(f"<p>{intro} {hidden}</p><p><b>{by_status}</b> {summary}.</p>")
    from pipeline.report.sections.summary import commentary, reason_html
    from pipeline.report.sections.voices import voice_line

    notes = commentary(ctx)
    why, what, log = _("Why the surveys cannot show it:"), _("What evidences it:"), _("Evidence log:")
    body = []
    for rid, rows in res.groupby("result_id", sort=False):
        first = rows.iloc[0]
        result = ctx.text("framework", str(rid), "result", default=str(first["result"]))
        body.append(f'<tr class="criterion"><th colspan="6">{html.escape(str(rid))}. {html.escape(result)}</th></tr>')
        if first["result_type"] == "qualitative":
            note = ctx.text("framework", str(rid), "reason", default=str(first["note"]))
            evidence = ctx.text("framework", str(rid), "evidence", default=str(first["evidence"]))
            body.append(
                f'<tr><td colspan="6">{badge(st.QUALITATIVE)}. <b>{why}</b> {html.escape(note)} '
                f"<b>{what}</b> {html.escape(evidence)}" + (f" <b>{log}</b> {line}" if (line := voice_line(ctx, str(rid))) else "") + "</td></tr>"
            )
            continue
        for _i, r in rows.iterrows():
            n = "–" if fmt.missing(r["n"]) else f"{fmt.count(r['n'])} {html.escape(fmt.unit(r['n'], r['n_unit']))}"
            name = ctx.text("framework", str(r["indicator_id"]), "name", default=str(r["indicator"]))
            unit = ctx.text("framework", str(r["indicator_id"]), "unit", default=str(r["unit"]))
            body.append(
                "<tr>"
                f"<td>{html.escape(name)}<br><small>{html.escape(unit)}</small></td>"
                f'<td class="num">{_num(r["baseline"], str(r["unit"]))}</td><td class="num">{_num(r["target"], str(r["unit"]))}</td>'
                f'<td class="num">{_value(r)}</td><td>{badge(str(r["status"]) if isinstance(r["status"], str) else st.NO_DATA)}</td>'
                f"<td><small>{n}</small></td>"
                "</tr>"
            )
            if r["status"] in (st.OFF_TRACK, st.ON_TRACK):
                key = next((k for k in (r["indicator_id"], rid) if k in notes.index), "")
                body.append(f'<tr class="reason"><td colspan="6"><small>{reason_html(ctx, notes, key)}</small></td></tr>')
    headers = "".join(f"<th>{html.escape(h)}</th>" for h in (_("Indicator"), _("Baseline"), _("Target"), _("Value [95% CI]"), _("Status"), "n"))
    out.append(f'<table class="dataframe report-table change framework"><thead><tr>{headers}</tr></thead>' + tables.banded_body(body) + "</table>")
    methods = _("Methods and limitations")
    out.append("<p>" + _("How statuses are decided: {section}, in the annex.").format(section=f"<em>{methods}</em>") + "</p>")
    return "\n".join(out)


def status_badge(status) -> str:
    """A status as HTML: the same symbol, word and colour-blind safe colour as the
    results-framework section (:func:`pipeline.report.sections.results.badge`)."""
    key = str(status).strip().lower() if isinstance(status, str) and status.strip() else "no data"
    return badge(key)


def results_framework(ctx) -> Section:
    """Each expected result with its indicators against targets and a status in words and colour.

    The section is :func:`pipeline.report.sections.results.section` (the results framework's
    own renderer, from ``results_framework.csv``).
    """
    title = _("Results framework")
    if ctx.results_framework is None or ctx.results_framework.empty:
        return _absent("results", title, _("results framework (datasets.yaml names no framework)"))
    if ctx.partner:  # a partner report does not repeat the consortium's framework pages
        text = _("Every expected result with its indicators, baselines, targets, statuses and reasons is in the consortium report; this partner's values beside the consortium's open this report.")
        return Section("results", title, [_html(f"<p>{text}</p>")])
    return Section("results", title, [_html(section(ctx, heading=False))])


def _value_ci(r) -> str:
    digits = 2 if fmt.missing(r.value) or abs(float(r.value)) < 100 else 0
    return fmt.with_interval(r.value, r.value_ci_low, r.value_ci_high, digits)


#: The columns of :func:`framework_table`, by their English names (a caller leaves some
#: out with ``drop``; the table a reader sees names them in the report's language).
FRAMEWORK_COLUMNS = ("Level", "Indicator", "Unit", "Group", "Value [95% CI]", "n", "d_z [95% CI]", "Target", "Status")


def _framework_headers() -> dict[str, str]:
    return {
        "Level": _("Level"),
        "Indicator": _("Indicator"),
        "Unit": _("Unit"),
        "Group": _("Group"),
        "Value [95% CI]": _("Value [95% CI]"),
        "n": "n",
        "d_z [95% CI]": _("d_z [95% CI]"),
        "Target": _("Target"),
        "Status": _("Status"),
    }


def framework_table(rows: pd.DataFrame, min_cell: int, ctx=None, drop=()) -> pd.DataFrame:
    """Results-framework indicator rows as a reader sees them, level by level.

    Columns: Kirkpatrick level, indicator, unit, group, value with its 95% CI (where
    the value comes from a sample), n and what it counts, d_z (for changes: mean change
    / SD of the changes), target and status (consortium rows). Suppressed rows read
    "fewer than k" in place of every number. Cells are HTML (text escaped, the status
    a coloured badge): render with ``tables.to_html(..., escape=False)``.

    With ``ctx`` (the report's context), the headers are in the report's language and the
    indicator names and units are the framework's texts in it (``ctx.text``); ``drop``
    leaves out columns by their English names (:data:`FRAMEWORK_COLUMNS`), e.g.
    ``framework_table(rows, k, ctx=ctx, drop=("Group", "Target", "Status"))``. Without
    ``ctx`` the headers keep their English names, so a caller that drops columns by
    those names afterwards (``.drop(columns=["Group"])``) still finds them.
    """
    from pipeline.report.sections.voices import hidden_count

    esc = html.escape
    rows = rows.copy()
    level = rows["kirkpatrick_level"].fillna("").astype(str) if "kirkpatrick_level" in rows else pd.Series("", index=rows.index)
    rows["_order"] = level.str.lower().map({k: i for i, k in enumerate(KIRKPATRICK)}).fillna(len(KIRKPATRICK))
    rows["_cons"] = rows["group_by"].ne(CONSORTIUM)
    rows = rows.sort_values(["_order", "indicator_id", "_cons", "group"], kind="stable")
    consortium = _("Consortium")
    out = []
    for r in rows.itertuples(index=False):
        lvl = str(getattr(r, "kirkpatrick_level", "") or "")
        lvl = "" if lvl == "nan" else fmt.words(lvl).capitalize()
        group = consortium if r.group_by == CONSORTIUM else str(r.group)
        label, unit = str(r.label), str(r.unit)
        if ctx is not None:
            label = ctx.text("framework", str(r.indicator_id), "name", default=label)
            unit = ctx.text("framework", str(r.indicator_id), "unit", default=unit)
        if bool(r.suppressed):
            hidden = hidden_count("primary", min_cell) if r.suppression == "primary" else _("hidden (secondary)")
            out.append([lvl, esc(label), esc(unit), esc(group), hidden, "–", "–", "–", "–"])
            continue
        n = "–" if pd.isna(r.n) else esc(f"{fmt.count(r.n)} {fmt.unit(r.n, r.n_unit)}")
        dz = "–" if pd.isna(r.effect_size) else fmt.with_interval(r.effect_size, r.effect_size_ci_low, r.effect_size_ci_high)
        target = fmt.value(r.target, str(r.unit))
        status = status_badge(r.status) if isinstance(r.status, str) and r.status else "–"
        out.append([lvl, esc(label), esc(unit), esc(group), _value_ci(r), n, dz, target, status])
    table = pd.DataFrame(out, columns=list(FRAMEWORK_COLUMNS)).drop(columns=list(drop))
    return table.rename(columns=_framework_headers()) if ctx is not None else table
