"""The opening of a partner report: that partner first.

Its activities against the plan and its participation, its results beside the
consortium's (the framework's partner rows), the reasons it wrote, and its voices.
Formats ``participation.csv``, ``activities_plan.csv``, the framework rows of
``indicators.csv``, ``commentary.csv``, ``voices.csv`` and ``voice_quotes.csv``;
computes nothing.
"""

from __future__ import annotations

import pandas as pd

from pipeline.report import format as fmt
from pipeline.report import tables
from pipeline.report.sections.base import Section, _html, _md, _read
from pipeline.report.sections.voices import KINDS, _quote_html
from pipeline.schema import CONSORTIUM, Files


def _esc(x) -> str:
    """Data as HTML text (for the HTML parts; Markdown parts use :func:`fmt.text`)."""
    return fmt.html_text(x)


def _value(r, min_cell: int) -> str:
    if bool(r.get("suppressed", False)):
        return f"fewer than {min_cell}" if r.get("suppression") == "primary" else "hidden"
    if fmt.missing(r["value"]):
        return fmt.DASH
    unit = "" if fmt.missing(r.get("n_unit")) else f" {fmt.unit(r.get('n'), r['n_unit'])}"
    n = "" if fmt.missing(r.get("n")) else f" (n = {fmt.count(r['n'])}{unit})"
    return f"{fmt.value(r['value'], str(r['unit']))}{n}"


def partner_overview(ctx) -> Section:
    """A partner report's first section (only in a partner report)."""
    code = ctx.partner
    name = ctx.partner_name(code)
    parts = []
    # its activities and participants
    part = _read(ctx, Files.PARTICIPATION)
    plan = _read(ctx, Files.ACTIVITIES_PLAN)
    lines = []
    if part is not None and len(part) and (part["partner"].astype(str) == code).any():
        p = part.loc[part["partner"].astype(str) == code].iloc[0]
        staff = f"fewer than {ctx.min_cell}" if p["suppressed"] and p["suppression"] == "primary" else ("hidden" if p["suppressed"] else fmt.count(p["staff_trained"]))
        lines.append(
            f"Its staff attended {fmt.count(p['meetings_attended'])} of {fmt.count(p['meetings_held'])} transnational meetings and "
            f"{fmt.count(p['trainings_attended'])} of {fmt.count(p['trainings_held'])} joint staff trainings; {staff} of its staff answered the training survey. "
            f"It hosted {fmt.count(p['activities_hosted'])} local activities, awareness and multiplier events."
        )
    if plan is not None and len(plan):
        mine = plan.loc[plan["partner"].astype(str) == code]
        held = "; ".join(
            f"{KINDS.get(r['activity_type'], fmt.words(r['activity_type'])).lower()}: {fmt.count(r['held'])} held of {fmt.count(r['planned'])} planned"
            + ("" if r["suppressed"] else f", {fmt.count(r['participants'])} participations (planned {fmt.count(r['planned_participants'])})")
            for _, r in mine.iterrows()
        )
        if held:
            lines.append(f"Against the work plan: {held}.")
    parts.append(_md(f"What {fmt.text(name)} did and what its data show, before the consortium's results. " + " ".join(lines)))
    # its results beside the consortium's
    fw = ctx.framework
    if fw is not None and len(fw) and "group_by" in fw.columns:
        mine = fw.loc[(fw["group_by"] == "partner") & (fw["group"].astype(str) == code)]
        cons = fw.loc[fw["group_by"] == CONSORTIUM].drop_duplicates("indicator_id").set_index("indicator_id")
        rows = []
        for _, r in mine.drop_duplicates("indicator_id").iterrows():
            c = cons.loc[r["indicator_id"]] if r["indicator_id"] in cons.index else None
            label = r["label"] if "label" in r and not fmt.missing(r["label"]) else fmt.words(r["indicator_id"])
            rows.append(
                {
                    "result": r["result_id"],
                    "indicator": label,
                    name: _value(r, ctx.min_cell),
                    "consortium": _value(c, ctx.min_cell) if c is not None else fmt.DASH,
                    "consortium target": fmt.value(c["target"], str(c["unit"])) if c is not None and not fmt.missing(c["target"]) else fmt.DASH,
                }
            )
        if rows:
            parts.append(_md("Its results beside the consortium's: each indicator of the results framework broken down by partner (targets are the consortium's; n as the framework counts it)."))
            parts.append(_html(tables.to_html(pd.DataFrame(rows), caption=f"{name} beside the consortium")))
    # its reasons
    notes = _read(ctx, Files.COMMENTARY)
    if notes is not None and len(notes):
        own = notes.loc[notes["partner"].astype(str) == code]
        if len(own):
            rf = ctx.results_framework
            names = {**dict(zip(rf["result_id"].astype(str), rf["result"].astype(str))), **dict(zip(rf["indicator_id"].astype(str), rf["indicator"].astype(str)))} if rf is not None and len(rf) else {}
            items = "".join(
                f"<li><b>{_esc(names.get(str(r['id']), fmt.words(r['id'])))}</b>: <em>Reason:</em> {_esc(r['reason'])} <em>Action:</em> {_esc(r['action'])} <small>({_esc(r['date'])})</small></li>"
                for _, r in own.iterrows()
            )
            parts.append(_html(f"<p>Reasons and actions {_esc(name)} recorded:</p><ul>{items}</ul>"))
        else:
            parts.append(_md(f"{fmt.text(name)} recorded no reason or action in the commentary."))
    # its voices
    counts = _read(ctx, Files.VOICES)
    quotes = _read(ctx, Files.VOICE_QUOTES)
    if counts is not None and len(counts):
        mine = counts.loc[(counts["group_by"] == "partner") & (counts["group"].astype(str) == code)]
        said = []
        for _, r in mine.iterrows():
            n = f"fewer than {ctx.min_cell}" if r["suppressed"] and r["suppression"] == "primary" else ("hidden" if r["suppressed"] else fmt.count(r["entries"]))
            said.append(f"{n} for {_esc(r['result_id'])}")
        text = f"Its voices: stories and quotes it logged, {', '.join(said)} (every entry counts; only consented, redacted quotes are shown)."
        q = quotes.loc[quotes["partner"].astype(str) == code] if quotes is not None and len(quotes) else pd.DataFrame()
        parts.append(_html(f"<p>{text}</p>" + "".join(_quote_html(ctx, r) for _, r in q.iterrows())))
    return Section("partner", f"{name} at a glance", parts)
