"""Voices: the qualitative evidence log's counts and quotes, and activities against the plan.

Formats ``voices.csv`` and ``voice_quotes.csv`` (:mod:`pipeline.analysis.voices`) and
``activities_plan.csv``, ``participation.csv`` and ``dissemination.csv``
(:mod:`pipeline.analysis.activities`); computes nothing.
"""

from __future__ import annotations

import pandas as pd

from pipeline.report import format as fmt
from pipeline.report import tables
from pipeline.report.sections.base import Section, _absent, _html, _md, _read
from pipeline.schema import CONSORTIUM, Files

#: What the report says of the consent and redaction rule (docs/privacy.md says the same).
RULE = (
    "Every entry of the log is counted; a text is quoted only when the person agreed, and every name and place "
    "in it has been replaced by [name removed] (e-mail addresses and phone numbers too). Quotes are a selection "
    "of at most three per result, from different themes and partners."
)


def _esc(x) -> str:
    """Data as HTML text (for the HTML parts; Markdown parts use :func:`fmt.text`)."""
    return fmt.html_text(x)


def _labels(ctx, field: str) -> dict[str, str]:
    """Choice labels of a field of the voices codebook (code -> English label)."""
    for cb in ctx.codebooks.values():
        if cb.design == "voices":
            f = next((f for f in cb.fields if f.id == field), None)
            if f is not None:
                return {k: v.get("en", fmt.words(k)) for k, v in f.choice_labels.items()}
    return {}


def _count(r, min_cell: int) -> str:
    if r["suppressed"]:
        return f"fewer than {min_cell}" if r["suppression"] == "primary" else "hidden"
    return fmt.count(r["entries"])


def voice_line(ctx, result_id: str) -> str:
    """One line of evidence of a qualitative result from the log (HTML), or "" without entries."""
    counts = _read(ctx, Files.VOICES)
    if counts is None or counts.empty:
        return ""
    rows = counts.loc[counts["result_id"].astype(str) == str(result_id)]
    total = rows.loc[rows["group_by"] == CONSORTIUM]
    if total.empty or fmt.missing(total["entries"].iloc[0]):
        return ""
    themes = rows.loc[(rows["group_by"] == "theme") & ~rows["suppressed"] & (rows["entries"].fillna(0) > 0)]
    labels = _labels(ctx, "theme")
    top = themes.sort_values("entries", ascending=False, kind="stable").head(2)
    named = "; ".join(f"{_esc(labels.get(t, fmt.words(t)).lower())} ({fmt.count(n)})" for t, n in zip(top["group"], top["entries"]))
    line = f"{fmt.count(total['entries'].iloc[0])} stories and quotes in the evidence log (n = entries)"
    return line + (f", most on {named}" if named else "") + ". Quotes in <em>Voices</em>."


def _quote_html(ctx, q) -> str:
    speakers = _labels(ctx, "speaker")
    themes = _labels(ctx, "theme")
    who = speakers.get(str(q["speaker"]), fmt.words(q["speaker"])).split(" (")[0].lower()
    cite = f"{_esc(who)}, {_esc(ctx.partner_name(str(q['partner'])))}, {_esc(q['month'])}; theme: {_esc(themes.get(str(q['theme']), fmt.words(q['theme'])).lower())}"
    return f'<blockquote class="voice"><p>“{_esc(q["text"])}”</p><footer>{cite}</footer></blockquote>'


def voices(ctx) -> Section:
    """Voices: per qualitative result, entries by theme and partner (with n, small counts
    hidden) and a few consented, redacted quotes; in a partner report, that partner's."""
    counts = _read(ctx, Files.VOICES)
    if counts is None or counts.empty:
        return _absent("voices", "Voices", "qualitative evidence log (voices)")
    quotes = _read(ctx, Files.VOICE_QUOTES)
    quotes = quotes if quotes is not None else pd.DataFrame(columns=["result_id"])
    rf = ctx.results_framework
    names = dict(zip(rf["result_id"].astype(str), rf["result"].astype(str))) if rf is not None and len(rf) and "result" in rf.columns else {}
    themes, partners = _labels(ctx, "theme"), {c: ctx.partner_name(c) for c in ctx.consortium.partner_codes}
    parts = [_md(f"Most-significant-change stories and quotes from the feedback and training forms, coded by the partners' staff to the results of the framework that surveys cannot measure. {RULE}")]
    for rid, rows in counts.groupby(counts["result_id"].astype(str), sort=True):
        total = rows.loc[rows["group_by"] == CONSORTIUM].iloc[0]
        head = f"<h3>{_esc(rid)}. {_esc(names.get(rid, ''))}</h3>"
        by_theme = rows.loc[(rows["group_by"] == "theme") & ~((rows["entries"] == 0) & ~rows["suppressed"])]
        t1 = pd.DataFrame({"theme": [themes.get(g, fmt.words(g)) for g in by_theme["group"]], "entries": [_count(r, ctx.min_cell) for _, r in by_theme.iterrows()]})
        by_partner = rows.loc[rows["group_by"] == "partner"]
        if ctx.partner:
            by_partner = by_partner.loc[by_partner["group"].astype(str) == ctx.partner]
        t2 = pd.DataFrame({"partner": [partners.get(str(g), g) for g in by_partner["group"]], "entries": [_count(r, ctx.min_cell) for _, r in by_partner.iterrows()]})
        side = '<div class="side">' + tables.to_html(t1, caption=f"Entries by theme (consortium, n = {fmt.count(total['entries'])})") + tables.to_html(t2, caption="Entries by partner") + "</div>"
        q = quotes.loc[quotes["result_id"].astype(str) == rid]
        if ctx.partner:
            q = q.loc[q["partner"].astype(str) == ctx.partner]
        said = "".join(_quote_html(ctx, r) for _, r in q.iterrows()) or "<p><em>No quote of this partner among those selected.</em></p>"
        parts.append(_html(head + side + said))
    parts.append(_md(f"*fewer than {ctx.min_cell}*: a group below the minimum size; *hidden*: a second group hidden so that the total does not reveal the first."))
    return Section("voices", "Voices", parts)


# ----------------------------------------------------------------------------- activities against plan

KINDS = {
    "jste": "Joint staff trainings",
    "transnational_meeting": "Transnational meetings",
    "local_activity": "Local intercultural activities",
    "awareness_event": "Awareness-raising events",
    "multiplier_event": "Multiplier events",
}


def _people(v, suppressed: bool, kind: str, min_cell: int) -> str:
    if suppressed:
        return f"fewer than {min_cell}" if kind == "primary" else "hidden"
    return "–" if fmt.missing(v) else fmt.count(v)


def _window(lo, hi) -> str:
    return "not planned" if fmt.missing(lo) else f"{lo} to {hi}"


def activities_against_plan(ctx) -> Section:
    """Activities held against the plan, participation per partner in meetings and trainings,
    dissemination by level (local, national, European); in a partner report, that partner's rows."""
    plan = _read(ctx, Files.ACTIVITIES_PLAN)
    part = _read(ctx, Files.PARTICIPATION)
    diss = _read(ctx, Files.DISSEMINATION)
    if plan is None or plan.empty or (plan["planned"].fillna(0) == 0).all():
        return _absent("plan", "Activities against plan and participation", "activity plan (activity_plan.yaml)")
    parts = []
    rows = plan.loc[plan["partner"] == "all"] if not ctx.partner else plan.loc[plan["partner"].astype(str) == ctx.partner]
    shortfall = plan.loc[(plan["partner"] != "all") & (plan["held"] < plan["planned"])]
    late = plan.loc[(plan["partner"] != "all") & (plan["planned"] > 0) & (plan["held_in_window"] < plan["held"].clip(upper=plan["planned"]))]
    lines = [
        f"{KINDS.get(r['activity_type'], fmt.words(r['activity_type'])).lower()} hosted by {fmt.text(ctx.partner_name(r['partner']), line_start=False)}: {fmt.count(r['held'])} of {fmt.count(r['planned'])} held"
        for _, r in shortfall.iterrows()
    ]
    lines += [
        f"{KINDS.get(r['activity_type'], fmt.words(r['activity_type'])).lower()} hosted by {fmt.text(ctx.partner_name(r['partner']), line_start=False)}: held outside the planned window ({_window(r['planned_from'], r['planned_to'])})"
        for _, r in late.iterrows()
    ]
    parts.append(
        _md(
            "The activity register set against the work plan of the application (`activity_plan.yaml`): activities planned and held, "
            "held within the planned dates, and participants planned and counted (participations: a person at two activities counts twice). "
            + ("Not as planned: " + "; ".join(lines) + "." if lines else "Every kind of activity was held as often as planned, within its planned dates.")
        )
    )
    t = pd.DataFrame(
        {
            "activity": [KINDS.get(k, fmt.words(k)) for k in rows["activity_type"]],
            "planned": [fmt.count(v) for v in rows["planned"]],
            "held": [fmt.count(v) for v in rows["held"]],
            "held in the planned dates": [fmt.count(v) for v in rows["held_in_window"]],
            "participants planned": [fmt.count(v) for v in rows["planned_participants"]],
            "participants counted": [_people(v, s, k, ctx.min_cell) for v, s, k in zip(rows["participants"], rows["suppressed"], rows["suppression"])],
        }
    )
    scope = ctx.partner_name(ctx.partner) if ctx.partner else "all partners"
    parts.append(_html(tables.to_html(t, caption=f"Activities against the plan ({scope})")))
    if part is not None and len(part):
        p = part.loc[part["partner"] != "all"]
        t = pd.DataFrame(
            {
                "partner": [f"{ctx.partner_name(c)} ({c})" for c in p["partner"]],
                "meetings attended": [f"{fmt.count(a)} of {fmt.count(h)}" for a, h in zip(p["meetings_attended"], p["meetings_held"])],
                "trainings attended": [f"{fmt.count(a)} of {fmt.count(h)}" for a, h in zip(p["trainings_attended"], p["trainings_held"])],
                "staff trained": [_people(v, s, k, ctx.min_cell) for v, s, k in zip(p["staff_trained"], p["suppressed"], p["suppression"])],
                "activities hosted": [fmt.count(v) for v in p["activities_hosted"]],
                "participants at them": [_people(v, s, k, ctx.min_cell) for v, s, k in zip(p["participants_hosted"], p["suppressed"], p["suppression"])],
            }
        )
        missed = p.loc[(p["meetings_attended"] < p["meetings_held"]) | (p["trainings_attended"] < p["trainings_held"])]
        note = (
            "Partners that missed a meeting or a training: "
            + ", ".join(
                f"{fmt.text(ctx.partner_name(c), line_start=False)} ({fmt.count(m)} of {fmt.count(h)} meetings, {fmt.count(a)} of {fmt.count(b)} trainings)"
                for c, m, h, a, b in zip(missed["partner"], missed["meetings_attended"], missed["meetings_held"], missed["trainings_attended"], missed["trainings_held"])
            )
            + "."
            if len(missed)
            else "Every partner attended every transnational meeting and training."
        )
        parts.append(
            _md(
                "Participation per partner: meetings and trainings its staff attended (the register's list of partners attending), its staff trained (people who answered the training survey's first wave) and the local activities, awareness and multiplier events it hosted. "
                + note
            )
        )
        parts.append(_html(tables.to_html(t, caption="Participation per partner")))
    if diss is not None and len(diss):
        d = diss.loc[diss["reach"] != "all"]
        t = pd.DataFrame(
            {
                "level": [fmt.words(v).capitalize() if v != "european" else "European" for v in d["reach"]],
                "events": [fmt.count(v) for v in d["events"]],
                "awareness": [fmt.count(v) for v in d["awareness_events"]],
                "multiplier": [fmt.count(v) for v in d["multiplier_events"]],
                "participants": [_people(v, s, k, ctx.min_cell) for v, s, k in zip(d["participants"], d["suppressed"], d["suppression"])],
                "from other organisations": [_people(v, s, k, ctx.min_cell) for v, s, k in zip(d["external_participants"], d["suppressed"], d["suppression"])],
                "organisations reached": [fmt.count(v) for v in d["external_organisations"]],
            }
        )
        total = diss.loc[diss["reach"] == "all"].iloc[0]
        parts.append(
            _md(
                f"Dissemination by level: the {fmt.count(total['events'])} awareness-raising and multiplier events of the consortium by the level they were shared at, as the register records it (organisations reached: an organisation at two events counts twice)."
            )
        )
        parts.append(_html(tables.to_html(t, caption="Dissemination by level (all partners)")))
    return Section("plan", "Activities against plan and participation", parts)
