"""Voices: the qualitative evidence log's counts and quotes, and activities against the plan.

Formats ``voices.csv`` and ``voice_quotes.csv`` (:mod:`pipeline.analysis.voices`) and
``activities_plan.csv``, ``participation.csv`` and ``dissemination.csv``
(:mod:`pipeline.analysis.activities`); computes nothing.
"""

from __future__ import annotations

import pandas as pd

from pipeline import i18n
from pipeline.i18n import N_, _, ngettext, pgettext
from pipeline.ingest.deidentify import NAME_MARK
from pipeline.report import format as fmt
from pipeline.report import tables
from pipeline.report.sections.base import Section, _absent, _html, _md, _read
from pipeline.schema import CONSORTIUM, Files

#: What the report says of the consent and redaction rule (docs/privacy.md says the same);
#: ``{mark}`` is the mark that replaces a name in a quote (as the quotes show it).
RULE = N_(
    "Every entry of the log is counted; a text is quoted only when the person agreed, and every name and place "
    "in it has been replaced by {mark} (e-mail addresses and phone numbers too). Quotes are a selection "
    "of at most three per result, from different themes and partners."
)


def _esc(x) -> str:
    """Data as HTML text (for the HTML parts; Markdown parts use :func:`fmt.text`)."""
    return fmt.html_text(x)


def in_sentence(label: str) -> str:
    """A label inside a running sentence: in lower case ("Feeling welcome and belonging" ->
    "feeling welcome and belonging"), except in German, whose nouns keep their capital."""
    return label if i18n.active() == "de" else label.lower()


def list_separator() -> str:
    """What separates the items of a list in running text: "; " (Greek: "· ", its semicolon)."""
    # TRANSLATORS: separates the items of a list inside a sentence; Greek writes its semicolon, "· ".
    return pgettext("list separator", "; ")


def hidden_count(suppression, min_cell: int) -> str:
    """What a suppressed count reads: "fewer than k" (a group below the minimum size) or
    "hidden" (a second group hidden so that a total does not reveal the first)."""
    # TRANSLATORS: a count hidden for privacy: the group has fewer than {k} people.
    return ngettext("fewer than {k}", "fewer than {k}", min_cell).format(k=fmt.count(min_cell)) if suppression == "primary" else _("hidden")


def _labels(ctx, field: str) -> dict[str, str]:
    """Choice labels of a field of the voices codebook (code -> label in the report's language)."""
    for cb in ctx.codebooks.values():
        if cb.design == "voices":
            f = next((f for f in cb.fields if f.id == field), None)
            if f is not None:
                return {k: ctx.choice_label(cb.instrument, f.name, k, default=v.get("en", fmt.words(k))) for k, v in f.choice_labels.items()}
    return {}


def _count(r, min_cell: int) -> str:
    if r["suppressed"]:
        return hidden_count(r["suppression"], min_cell)
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
    named = list_separator().join(f"{_esc(in_sentence(labels.get(t, fmt.words(t))))} ({fmt.count(n)})" for t, n in zip(top["group"], top["entries"]))
    n = total["entries"].iloc[0]
    if named:
        # TRANSLATORS: {themes} lists the two most frequent themes with their counts, e.g. "belonging (9); volunteering (6)".
        line = ngettext("{n} story or quote in the evidence log (n = entries), most on {themes}.", "{n} stories and quotes in the evidence log (n = entries), most on {themes}.", n).format(
            n=fmt.count(n), themes=named
        )
    else:
        line = ngettext("{n} story or quote in the evidence log (n = entries).", "{n} stories and quotes in the evidence log (n = entries).", n).format(n=fmt.count(n))
    voices_title = _("Voices")
    return line + " " + _("Quotes in {section}.").format(section=f"<em>{voices_title}</em>")


def _quote_html(ctx, q) -> str:
    speakers = _labels(ctx, "speaker")
    themes = _labels(ctx, "theme")
    who = in_sentence(speakers.get(str(q["speaker"]), fmt.words(q["speaker"])).split(" (")[0])
    theme = in_sentence(themes.get(str(q["theme"]), fmt.words(q["theme"])))
    # TRANSLATORS: the source of a quote: who spoke, the partner, the month (e.g. 2025-04) and the theme it was coded to.
    cite = _("{speaker}, {partner}, {month}; theme: {theme}").format(speaker=_esc(who), partner=_esc(ctx.partner_name(str(q["partner"]))), month=_esc(q["month"]), theme=_esc(theme))
    return f'<blockquote class="voice"><p>“{_esc(q["text"])}”</p><footer>{cite}</footer></blockquote>'


def voices(ctx) -> Section:
    """Voices: per qualitative result, entries by theme and partner (with n, small counts
    hidden) and a few consented, redacted quotes; in a partner report, that partner's."""
    counts = _read(ctx, Files.VOICES)
    if counts is None or counts.empty:
        return _absent("voices", _("Voices"), _("qualitative evidence log (voices)"))
    quotes = _read(ctx, Files.VOICE_QUOTES)
    quotes = quotes if quotes is not None else pd.DataFrame(columns=["result_id"])
    rf = ctx.results_framework
    names = dict(zip(rf["result_id"].astype(str), rf["result"].astype(str))) if rf is not None and len(rf) and "result" in rf.columns else {}
    themes, partners = _labels(ctx, "theme"), {c: ctx.partner_name(c) for c in ctx.consortium.partner_codes}
    intro = _("Most-significant-change stories and quotes from the feedback and training forms, coded by the partners' staff to the results of the framework that surveys cannot measure.")
    rule = _(RULE).format(mark=NAME_MARK)
    parts = [_md(f"{intro} {rule}")]
    theme_header, partner_header, entries_header = _("theme"), pgettext("table header", "partner"), _("entries")
    for rid, rows in counts.groupby(counts["result_id"].astype(str), sort=True):
        total = rows.loc[rows["group_by"] == CONSORTIUM].iloc[0]
        name = ctx.text("framework", rid, "result", default=names.get(rid, ""))
        head = f"<h3>{_esc(rid)}. {_esc(name)}</h3>"
        by_theme = rows.loc[(rows["group_by"] == "theme") & ~((rows["entries"] == 0) & ~rows["suppressed"])]
        t1 = pd.DataFrame({theme_header: [themes.get(g, fmt.words(g)) for g in by_theme["group"]], entries_header: [_count(r, ctx.min_cell) for _i, r in by_theme.iterrows()]})
        by_partner = rows.loc[rows["group_by"] == "partner"]
        if ctx.partner:
            by_partner = by_partner.loc[by_partner["group"].astype(str) == ctx.partner]
        t2 = pd.DataFrame({partner_header: [partners.get(str(g), g) for g in by_partner["group"]], entries_header: [_count(r, ctx.min_cell) for _i, r in by_partner.iterrows()]})
        by_theme_caption = _("Entries by theme (consortium, n = {n})").format(n=fmt.count(total["entries"]))
        side = '<div class="side">' + tables.to_html(t1, caption=by_theme_caption) + tables.to_html(t2, caption=_("Entries by partner")) + "</div>"
        q = quotes.loc[quotes["result_id"].astype(str) == rid]
        if ctx.partner:
            q = q.loc[q["partner"].astype(str) == ctx.partner]
        none = _("No quote of this partner among those selected.")
        said = "".join(_quote_html(ctx, r) for _i, r in q.iterrows()) or f"<p><em>{none}</em></p>"
        parts.append(_html(head + side + said))
    parts.append(_md(_hidden_legend(ctx.min_cell)))
    return Section("voices", _("Voices"), parts)


def _hidden_legend(min_cell: int) -> str:
    """What "fewer than k" and "hidden" mean in a table (Markdown)."""
    return _("*{fewer}*: a group below the minimum size; *{hidden}*: a second group hidden so that the total does not reveal the first.").format(
        fewer=hidden_count("primary", min_cell), hidden=hidden_count("secondary", min_cell)
    )


# ----------------------------------------------------------------------------- activities against plan

#: The kinds of activity of the work plan, as a table names them.
KINDS = {
    "jste": N_("Joint staff trainings"),
    "transnational_meeting": N_("Transnational meetings"),
    "local_activity": N_("Local intercultural activities"),
    "awareness_event": N_("Awareness-raising events"),
    "multiplier_event": N_("Multiplier events"),
}
#: The same inside a sentence ("joint staff trainings: 1 of 1 held").
KINDS_IN_TEXT = {
    "jste": N_("joint staff trainings"),
    "transnational_meeting": N_("transnational meetings"),
    "local_activity": N_("local intercultural activities"),
    "awareness_event": N_("awareness-raising events"),
    "multiplier_event": N_("multiplier events"),
}


def kind(code) -> str:
    """A kind of activity as a table names it, in the report's language."""
    return _(KINDS[code]) if code in KINDS else fmt.words(code)


def kind_in_text(code) -> str:
    """A kind of activity inside a sentence, in the report's language."""
    return _(KINDS_IN_TEXT[code]) if code in KINDS_IN_TEXT else fmt.words(code)


def _people(v, suppressed: bool, suppression: str, min_cell: int) -> str:
    if suppressed:
        return hidden_count(suppression, min_cell)
    return "–" if fmt.missing(v) else fmt.count(v)


def _window(lo, hi) -> str:
    # TRANSLATORS: the planned dates of an activity, e.g. "2025-04-01 to 2025-04-30".
    return _("not planned") if fmt.missing(lo) else _("{start} to {end}").format(start=lo, end=hi)


def of_held(attended, held, what: str) -> str:
    """ "3 of 4 meetings" or "2 of 3 trainings": ``what`` is ``meetings`` or ``trainings``."""
    if what == "meetings":
        text = ngettext("{attended} of {held} meeting", "{attended} of {held} meetings", held)
    else:
        text = ngettext("{attended} of {held} training", "{attended} of {held} trainings", held)
    return text.format(attended=fmt.count(attended), held=fmt.count(held))


def activities_against_plan(ctx) -> Section:
    """Activities held against the plan, participation per partner in meetings and trainings,
    dissemination by level (local, national, European); in a partner report, that partner's rows."""
    plan = _read(ctx, Files.ACTIVITIES_PLAN)
    part = _read(ctx, Files.PARTICIPATION)
    diss = _read(ctx, Files.DISSEMINATION)
    title = _("Activities against plan and participation")
    if plan is None or plan.empty or (plan["planned"].fillna(0) == 0).all():
        return _absent("plan", title, _("activity plan (activity_plan.yaml)"))
    parts = []
    rows = plan.loc[plan["partner"] == "all"] if not ctx.partner else plan.loc[plan["partner"].astype(str) == ctx.partner]
    shortfall = plan.loc[(plan["partner"] != "all") & (plan["held"] < plan["planned"])]
    late = plan.loc[(plan["partner"] != "all") & (plan["planned"] > 0) & (plan["held_in_window"] < plan["held"].clip(upper=plan["planned"]))]
    lines = [
        # TRANSLATORS: {kind} is a kind of activity in the plural ("local intercultural activities"), {partner} the partner that hosts them.
        _("{kind} hosted by {partner}: {held} of {planned} held").format(
            kind=kind_in_text(r["activity_type"]), partner=fmt.text(ctx.partner_name(r["partner"]), line_start=False), held=fmt.count(r["held"]), planned=fmt.count(r["planned"])
        )
        for _i, r in shortfall.iterrows()
    ]
    lines += [
        _("{kind} hosted by {partner}: held outside the planned window ({window})").format(
            kind=kind_in_text(r["activity_type"]), partner=fmt.text(ctx.partner_name(r["partner"]), line_start=False), window=_window(r["planned_from"], r["planned_to"])
        )
        for _i, r in late.iterrows()
    ]
    intro = _(
        "The activity register set against the work plan of the application (`activity_plan.yaml`): activities planned and held, "
        "held within the planned dates, and participants planned and counted (participations: a person at two activities counts twice)."
    )
    # TRANSLATORS: {items} lists what did not go as planned, separated by semicolons.
    verdict = _("Not as planned: {items}.").format(items=list_separator().join(lines)) if lines else _("Every kind of activity was held as often as planned, within its planned dates.")
    parts.append(_md(f"{intro} {verdict}"))
    t = pd.DataFrame(
        {
            pgettext("table header", "activity"): [kind(k) for k in rows["activity_type"]],
            _("planned"): [fmt.count(v) for v in rows["planned"]],
            _("held"): [fmt.count(v) for v in rows["held"]],
            _("held in the planned dates"): [fmt.count(v) for v in rows["held_in_window"]],
            _("participants planned"): [fmt.count(v) for v in rows["planned_participants"]],
            _("participants counted"): [_people(v, s, k, ctx.min_cell) for v, s, k in zip(rows["participants"], rows["suppressed"], rows["suppression"])],
        }
    )
    scope = ctx.partner_name(ctx.partner) if ctx.partner else _("all partners")
    parts.append(_html(tables.to_html(t, caption=_("Activities against the plan ({scope})").format(scope=scope))))
    if part is not None and len(part):
        p = part.loc[part["partner"] != "all"]
        t = pd.DataFrame(
            {
                pgettext("table header", "partner"): [f"{ctx.partner_name(c)} ({c})" for c in p["partner"]],
                _("meetings attended"): [_("{attended} of {held}").format(attended=fmt.count(a), held=fmt.count(h)) for a, h in zip(p["meetings_attended"], p["meetings_held"])],
                _("trainings attended"): [_("{attended} of {held}").format(attended=fmt.count(a), held=fmt.count(h)) for a, h in zip(p["trainings_attended"], p["trainings_held"])],
                _("staff trained"): [_people(v, s, k, ctx.min_cell) for v, s, k in zip(p["staff_trained"], p["suppressed"], p["suppression"])],
                _("activities hosted"): [fmt.count(v) for v in p["activities_hosted"]],
                _("participants at them"): [_people(v, s, k, ctx.min_cell) for v, s, k in zip(p["participants_hosted"], p["suppressed"], p["suppression"])],
            }
        )
        missed = p.loc[(p["meetings_attended"] < p["meetings_held"]) | (p["trainings_attended"] < p["trainings_held"])]
        if len(missed):
            who = ", ".join(
                f"{fmt.text(ctx.partner_name(c), line_start=False)} ({of_held(m, h, 'meetings')}, {of_held(a, b, 'trainings')})"
                for c, m, h, a, b in zip(missed["partner"], missed["meetings_attended"], missed["meetings_held"], missed["trainings_attended"], missed["trainings_held"])
            )
            # TRANSLATORS: {partners} lists partners with what they attended, e.g. "Comune di Palermo (3 of 4 meetings, 3 of 3 trainings)".
            note = _("Partners that missed a meeting or a training: {partners}.").format(partners=who)
        else:
            note = _("Every partner attended every transnational meeting and training.")
        about = _(
            "Participation per partner: meetings and trainings its staff attended (the register's list of partners attending), its staff trained (people who answered the training survey's first wave) and the local activities, awareness and multiplier events it hosted."
        )
        parts.append(_md(f"{about} {note}"))
        parts.append(_html(tables.to_html(t, caption=_("Participation per partner"))))
    if diss is not None and len(diss):
        d = diss.loc[diss["reach"] != "all"]
        t = pd.DataFrame(
            {
                _("level"): [fmt.words(v).capitalize() for v in d["reach"]],
                _("events"): [fmt.count(v) for v in d["events"]],
                # TRANSLATORS: a table header: awareness-raising events.
                _("awareness"): [fmt.count(v) for v in d["awareness_events"]],
                # TRANSLATORS: a table header: multiplier events.
                _("multiplier"): [fmt.count(v) for v in d["multiplier_events"]],
                _("participants"): [_people(v, s, k, ctx.min_cell) for v, s, k in zip(d["participants"], d["suppressed"], d["suppression"])],
                _("from other organisations"): [_people(v, s, k, ctx.min_cell) for v, s, k in zip(d["external_participants"], d["suppressed"], d["suppression"])],
                _("organisations reached"): [fmt.count(v) for v in d["external_organisations"]],
            }
        )
        total = diss.loc[diss["reach"] == "all"].iloc[0]
        parts.append(
            _md(
                ngettext(
                    "Dissemination by level: the {n} awareness-raising or multiplier event of the consortium by the level it was shared at, as the register records it (organisations reached: an organisation at two events counts twice).",
                    "Dissemination by level: the {n} awareness-raising and multiplier events of the consortium by the level they were shared at, as the register records it (organisations reached: an organisation at two events counts twice).",
                    total["events"],
                ).format(n=fmt.count(total["events"]))
            )
        )
        parts.append(_html(tables.to_html(t, caption=_("Dissemination by level (all partners)"))))
    return Section("plan", title, parts)
