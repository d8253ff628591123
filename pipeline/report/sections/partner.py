"""The opening of a partner report: that partner first.

Its activities against the plan and its participation, its results beside the
consortium's (the framework's partner rows), the reasons it wrote, and its voices.
Formats ``participation.csv``, ``activities_plan.csv``, the framework rows of
``indicators.csv``, ``commentary.csv``, ``voices.csv`` and ``voice_quotes.csv``;
computes nothing.
"""

from __future__ import annotations

import pandas as pd

from pipeline.i18n import _, ngettext
from pipeline.report import format as fmt
from pipeline.report import tables
from pipeline.report.sections.base import Section, _html, _md, _read
from pipeline.report.sections.voices import _quote_html, hidden_count, kind_in_text, list_separator
from pipeline.schema import CONSORTIUM, Files


def _esc(x) -> str:
    """Data as HTML text (for the HTML parts; Markdown parts use :func:`fmt.text`)."""
    return fmt.html_text(x)


def _value(r, min_cell: int) -> str:
    if bool(r.get("suppressed", False)):
        return hidden_count(r.get("suppression"), min_cell)
    if fmt.missing(r["value"]):
        return fmt.DASH
    value = fmt.value(r["value"], str(r["unit"]))
    if fmt.missing(r.get("n")):
        return value
    if fmt.missing(r.get("n_unit")):
        return _("{value} (n = {n})").format(value=value, n=fmt.count(r["n"]))
    # TRANSLATORS: an indicator's value and what it counts, e.g. "0.66 (n = 58 people)".
    return _("{value} (n = {n} {counted})").format(value=value, n=fmt.count(r["n"]), counted=fmt.unit(r.get("n"), r["n_unit"]))


def _staff(ctx, p) -> str:
    if p["suppressed"]:
        return hidden_count(p["suppression"], ctx.min_cell)
    return fmt.count(p["staff_trained"])


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
        meetings = ngettext("{attended} of {held} transnational meeting", "{attended} of {held} transnational meetings", p["meetings_held"]).format(
            attended=fmt.count(p["meetings_attended"]), held=fmt.count(p["meetings_held"])
        )
        trainings = ngettext("{attended} of {held} joint staff training", "{attended} of {held} joint staff trainings", p["trainings_held"]).format(
            attended=fmt.count(p["trainings_attended"]), held=fmt.count(p["trainings_held"])
        )
        # TRANSLATORS: {meetings} is e.g. "3 of 4 transnational meetings", {trainings} "3 of 3 joint staff trainings"; {staff} a count or "fewer than 5".
        lines.append(_("Its staff attended {meetings} and {trainings}; {staff} of its staff answered the training survey.").format(meetings=meetings, trainings=trainings, staff=_staff(ctx, p)))
        lines.append(
            ngettext("It hosted {n} local activity, awareness or multiplier event.", "It hosted {n} local activities, awareness and multiplier events.", p["activities_hosted"]).format(
                n=fmt.count(p["activities_hosted"])
            )
        )
    if plan is not None and len(plan):
        mine = plan.loc[plan["partner"].astype(str) == code]
        items = []
        for _i, r in mine.iterrows():
            values = {"kind": kind_in_text(r["activity_type"]), "held": fmt.count(r["held"]), "planned": fmt.count(r["planned"])}
            if r["suppressed"]:
                # TRANSLATORS: {kind} is a kind of activity in the plural ("transnational meetings").
                items.append(_("{kind}: {held} held of {planned} planned").format(**values))
            else:
                items.append(
                    _("{kind}: {held} held of {planned} planned, {participations} participations (planned {planned_participations})").format(
                        **values, participations=fmt.count(r["participants"]), planned_participations=fmt.count(r["planned_participants"])
                    )
                )
        if items:
            # TRANSLATORS: {items} lists each kind of activity, held against planned, separated by semicolons.
            lines.append(_("Against the work plan: {items}.").format(items=list_separator().join(items)))
    opening = _("What {name} did and what its data show, before the consortium's results.").format(name=fmt.text(name))
    parts.append(_md(opening + " " + " ".join(lines)))
    # its results beside the consortium's
    fw = ctx.framework
    if fw is not None and len(fw) and "group_by" in fw.columns:
        mine = fw.loc[(fw["group_by"] == "partner") & (fw["group"].astype(str) == code)]
        cons = fw.loc[fw["group_by"] == CONSORTIUM].drop_duplicates("indicator_id").set_index("indicator_id")
        rows = []
        result_header, indicator_header, cons_header, target_header = _("result"), _("indicator"), _("consortium"), _("consortium target")
        for _i, r in mine.drop_duplicates("indicator_id").iterrows():
            c = cons.loc[r["indicator_id"]] if r["indicator_id"] in cons.index else None
            label = r["label"] if "label" in r and not fmt.missing(r["label"]) else fmt.words(r["indicator_id"])
            rows.append(
                {
                    result_header: r["result_id"],
                    indicator_header: ctx.text("framework", r["indicator_id"], "name", default=label),
                    name: _value(r, ctx.min_cell),
                    cons_header: _value(c, ctx.min_cell) if c is not None else fmt.DASH,
                    target_header: fmt.value(c["target"], str(c["unit"])) if c is not None and not fmt.missing(c["target"]) else fmt.DASH,
                }
            )
        if rows:
            parts.append(_md(_("Its results beside the consortium's: each indicator of the results framework broken down by partner (targets are the consortium's; n as the framework counts it).")))
            parts.append(_html(tables.to_html(pd.DataFrame(rows), caption=_("{name} beside the consortium").format(name=name))))
    # its reasons
    notes = _read(ctx, Files.COMMENTARY)
    if notes is not None and len(notes):
        own = notes.loc[notes["partner"].astype(str) == code]
        if len(own):
            rf = ctx.results_framework
            results = dict(zip(rf["result_id"].astype(str), rf["result"].astype(str))) if rf is not None and len(rf) else {}
            indicators = dict(zip(rf["indicator_id"].astype(str), rf["indicator"].astype(str))) if rf is not None and len(rf) else {}
            reason_label, action_label = _("Reason:"), _("Action:")
            items = []
            for _i, r in own.iterrows():
                key = str(r["id"])
                if key in indicators:
                    what = ctx.text("framework", key, "name", default=indicators[key])
                elif key in results:
                    what = ctx.text("framework", key, "result", default=results[key])
                else:
                    what = fmt.words(key)
                reason = ctx.text("commentary", key, "reason", default=r["reason"])
                action = ctx.text("commentary", key, "action", default=r["action"])
                items.append(f"<li><b>{_esc(what)}</b>: <em>{reason_label}</em> {_esc(reason)} <em>{action_label}</em> {_esc(action)} <small>({_esc(r['date'])})</small></li>")
            recorded = _("Reasons and actions {name} recorded:").format(name=_esc(name))
            parts.append(_html(f"<p>{recorded}</p><ul>{''.join(items)}</ul>"))
        else:
            parts.append(_md(_("{name} recorded no reason or action in the commentary.").format(name=fmt.text(name))))
    # its voices
    counts = _read(ctx, Files.VOICES)
    quotes = _read(ctx, Files.VOICE_QUOTES)
    if counts is not None and len(counts):
        mine = counts.loc[(counts["group_by"] == "partner") & (counts["group"].astype(str) == code)]
        said = []
        for _i, r in mine.iterrows():
            n = hidden_count(r["suppression"], ctx.min_cell) if r["suppressed"] else fmt.count(r["entries"])
            # TRANSLATORS: entries of the evidence log for one result, e.g. "7 for E11".
            said.append(_("{n} for {result}").format(n=n, result=_esc(r["result_id"])))
        text = _("Its voices: stories and quotes it logged, {counts} (every entry counts; only consented, redacted quotes are shown).").format(counts=", ".join(said))
        q = quotes.loc[quotes["partner"].astype(str) == code] if quotes is not None and len(quotes) else pd.DataFrame()
        parts.append(_html(f"<p>{text}</p>" + "".join(_quote_html(ctx, r) for _i, r in q.iterrows())))
    return Section("partner", _("{name} at a glance").format(name=name), parts)
