"""The organisations' side of a report: staff trainings by Kirkpatrick level (and one
report per training event), organisational capacity, the partnership network and the
activity register's activities and reach.

The network section prints ``network_counts.csv``, counted by the results framework's
own rule (:data:`pipeline.analysis.report_tables.TIE_RULE`), so its numbers are the framework's.
"""

from __future__ import annotations

import html

import pandas as pd

from pipeline.analysis.disclosure import suppress
from pipeline.report import figures, tables
from pipeline.report import format as fmt
from pipeline.report.sections.base import (
    Section,
    _absent,
    _html,
    _instrument,
    _md,
    _read,
    safe_name,
)
from pipeline.report.sections.results import framework_table
from pipeline.schema import CONSORTIUM, TIE_RULE, Files


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
        parts.append(_md("One report per training event: " + ", ".join(f"[{fmt.text(a, line_start=False, link_text=True)}](training_{safe_name(a)}.html)" for a in events) + "."))
    return Section("trainings", "Staff trainings by Kirkpatrick level", parts)


def _register_row(ctx, activity_id: str) -> dict | None:
    """The activity register's row of one activity, or None."""
    cb = _instrument(ctx, "register")
    if cb is None:
        return None
    reg = ctx.responses[cb.instrument]
    if "activity_id" not in reg.columns:
        return None
    rows = reg.loc[reg["activity_id"].astype(str) == activity_id]
    return rows.iloc[0].to_dict() if len(rows) else None


def training_title(ctx, activity_id: str) -> str:
    """Title block of the report of one training event (Markdown with the h1): the event's
    title, host, city and dates from the activity register, where it is there."""
    cons = ctx.consortium
    t = fmt.text
    event = _register_row(ctx, activity_id)
    if event is None:
        return f"# Training event report: {t(activity_id)}\n\n**{t(cons.title)}** · {t(cons.project_id)}\n\nReaction, learning and application at follow-up of the participants of training event {t(activity_id)}."
    title = t(event.get("title") or activity_id)
    host = str(event.get("partner") or "")
    dates = ""
    start, end = pd.to_datetime(event.get("start_date"), errors="coerce"), pd.to_datetime(event.get("end_date"), errors="coerce")
    if not pd.isna(start):
        dates = f", {start:%d %B %Y}" + (f" to {end:%d %B %Y}" if not pd.isna(end) and end != start else "")
    where = f" in {t(event['city'])}" if isinstance(event.get("city"), str) and event["city"] else ""
    attending = " ".join(str(event.get("partners_attending") or "").split())
    return (
        f"# Training event report: {title}\n\n**{t(cons.title)}** · {t(cons.project_id)}\n\n"
        f"{title} ({t(activity_id)}), hosted by {t(ctx.partner_name(host))} ({t(host)}){where}{dates}"
        + (f"; partners attending: {', '.join(map(t, attending.split()))}" if attending else "")
        + f". {fmt.count(event.get('participants_total'))} participants in the activity register. "
        "This report shows the reaction, learning and application at follow-up of the participants who answered the training survey."
    )


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
    if "partner" in resp.columns:  # participants by partner (groups below the minimum read "fewer than k")
        by = tables.respondents_by(resp, "partner", tuple(cb.waves), ctx.min_cell)
        shown = pd.DataFrame({"partner": by["group"]})
        for w in cb.waves:
            shown[cb.wave_labels.get(w, {}).get("en", w)] = [
                f"fewer than {ctx.min_cell}" if sup and k == "primary" else "hidden" if sup else tables.small_count(v, ctx.min_cell) for v, sup, k in zip(by[w], by["suppressed"], by["suppression"])
            ]
        if not by["suppressed"].all():  # a table of nothing but "fewer than k" says nothing
            parts.append(_html(tables.to_html(shown, caption="Participants who answered, by partner and wave")))
        else:
            parts.append(_md(f"Participants by partner: every partner sent fewer than {ctx.min_cell} people who answered, so the counts are not shown."))
    role = next((f for f in cb.fields if f.id == "staff_role"), None)
    if role is not None and role.name in resp.columns:
        labels = {k: v.get("en", fmt.words(k)) for k, v in role.choice_labels.items()}
        by = tables.respondents_by(resp, role.name, tuple(cb.waves), ctx.min_cell)
        first = cb.waves[0]
        shown = pd.DataFrame(
            {
                "role": [labels.get(str(g), fmt.words(g)) for g in by["group"]],
                cb.wave_labels.get(first, {}).get("en", first): [
                    f"fewer than {ctx.min_cell}" if sup and k == "primary" else "hidden" if sup else tables.small_count(v, ctx.min_cell)
                    for v, sup, k in zip(by[first], by["suppressed"], by["suppression"])
                ],
            }
        )
        parts.append(_html(tables.to_html(shown, caption="Participants who answered before the training, by role")))
    parts += _what_was_measured(cb)
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
        beside = _beside_other_events(ctx, instrument, field, activity_id)
        if beside is not None:
            parts.append(_html(beside))
    else:
        parts.append(_md("*No indicators computed for this event.*"))
    return Section("event", f"Training event {activity_id}", parts)


def _what_was_measured(cb) -> list:
    """The competence domains (scales of two or more self-assessment items) and the knowledge-test questions."""
    out = []
    domains = [sc for sc in cb.scales if sc.id.startswith("competence_")]
    if domains:
        rows = "".join(f"<li><b>{html.escape(sc.label.get('en', sc.id))}</b>: " + "; ".join(html.escape(cb.item(i).label.get("en", i)) for i in sc.items) + "</li>" for sc in domains)
        out.append(_html(f"<p>Competence domains (self-assessed, 1 to 5, before, right after and three months after: <em>How well can you ...</em>):</p><ul>{rows}</ul>"))
    test = next((sc for sc in cb.scales if sc.id == "knowledge_test"), None)
    if test is not None:
        rows = "".join(f"<li>{html.escape(cb.item(i).label.get('en', i))}</li>" for i in test.items)
        out.append(_html(f"<p>Knowledge test ({len(test.items)} multiple-choice questions; the score is the share answered correctly):</p><ol>{rows}</ol>"))
    return out


def _beside_other_events(ctx, instrument: str, field: str, activity_id: str) -> str | None:
    """The event's indicators beside every other training event's (HTML table), or None with one event."""
    fw = ctx.framework
    rows = fw.loc[(fw["instrument"] == instrument) & (fw["group_by"] == field)]
    events = sorted(rows["group"].astype(str).unique())
    if len(events) < 2:
        return None
    head = "".join(f"<th>{'<b>' if e == activity_id else ''}{html.escape(e)}{' (this event)</b>' if e == activity_id else ''}</th>" for e in events)
    body = []
    for ind, sub in rows.groupby("indicator_id", sort=False):
        label = str(sub["label"].iloc[0]) if "label" in sub.columns and not fmt.missing(sub["label"].iloc[0]) else fmt.words(ind)
        cells = []
        for e in events:
            r = sub.loc[sub["group"].astype(str) == e]
            if r.empty:
                cells.append("<td>–</td>")
                continue
            r = r.iloc[0]
            if bool(r.get("suppressed", False)):
                cells.append(f"<td>fewer than {ctx.min_cell}</td>" if r.get("suppression") == "primary" else "<td>hidden</td>")
            else:
                n = "" if fmt.missing(r.get("n")) else f" <small>(n = {fmt.count(r['n'])})</small>"
                cells.append(f'<td class="num">{fmt.value(r["value"], str(r["unit"]))}{n}</td>')
        body.append(f"<tr><td>{html.escape(label)}</td>{''.join(cells)}</tr>")
    return f'<table class="dataframe report-table"><caption>This event beside the other training events</caption><thead><tr><th>Indicator</th>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


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
            # the consortium's levels are in the chart and the framework; a partner's report adds its own table
            *([_html(tables.to_html(piv.round(2), caption=f"Capacity by domain, {first} and {last}"))] if ctx.partner else []),
        ],
    )


def network_frames(ties: pd.DataFrame, consortium) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Edges and nodes for :func:`pipeline.report.figures.network_drawing` from the network survey's rows."""
    from pipeline.analysis import networks as net

    edges = net.edges_table(net.prepare_ties(ties, consortium), consortium)
    nodes = [{"id": p.code, "label": p.code, "type": p.type, "country": p.country, "partner": True} for p in consortium.partners]
    others = edges.loc[~edges["target_is_partner"].astype(bool)].drop_duplicates("target")
    nodes += [{"id": r.target, "label": r.target_name, "type": r.target_type, "country": r.target_country, "partner": False} for r in others.itertuples(index=False)]
    return edges, pd.DataFrame(nodes)


#: How the network section counts, stated once (the rule itself is the analysis layer's).
NETWORK_TEXT = (
    "Ties the organisations reported, by level (local, national, international), with new and cross-border ties. "
    "**How ties are counted:** {rule} The results framework counts the same way, so its tie indicators are the "
    "numbers below. With a handful of partners, counts of ties say more than centrality measures. Organisations are "
    "not people, so no suppression applies here."
)

#: network_counts.csv column -> the table's heading.
NETWORK_HEADINGS = {
    "wave": "Survey",
    "ties": "Ties",
    "local": "Local",
    "national": "National",
    "international": "International",
    "cross_border": "Cross-border",
    "public_authority": "With public authorities",
    "formal_agreement": "Formal agreements",
    "new_ties": "New since first survey",
    "links": "Links (pairs, counted once)",
    "organisations_reached": "Organisations reached",
}


def network_table(counts: pd.DataFrame, codebook, partner: str = "") -> pd.DataFrame:
    """The rows of ``network_counts.csv`` a report shows (the consortium's, or one
    partner's), with headings in words; counts print as whole numbers."""
    rows = counts.loc[counts["group"].astype(str).eq(partner)] if partner else counts.loc[counts["group_by"].eq(CONSORTIUM)]
    labels = {w: codebook.wave_labels.get(w, {}).get("en", w) for w in codebook.waves}
    cols = [c for c in NETWORK_HEADINGS if c in rows.columns and rows[c].notna().any()]
    out = rows[cols].copy()
    for c in cols:
        out[c] = [labels.get(v, v) for v in out[c]] if c == "wave" else [fmt.count(v) for v in out[c]]
    return out.rename(columns=NETWORK_HEADINGS)


def networks(ctx) -> Section:
    """The partnership network: ties by level, new and cross-border ties, drawings before and after."""
    cb = _instrument(ctx, "ties")
    if cb is None:
        return _absent("networks", "Networks", "partnership network survey")
    edges, orgs = network_frames(ctx.responses[cb.instrument], ctx.consortium)
    if ctx.partner:
        edges = edges.loc[(edges["source"].astype(str) == ctx.partner) | (edges["target"].astype(str) == ctx.partner)]
    waves = [w for w in cb.waves if w in set(edges["wave"])]
    parts = [_md(NETWORK_TEXT.format(rule=TIE_RULE))]
    counts = _read(ctx, Files.NETWORK_COUNTS)
    if counts is not None and len(counts):
        parts.append(_html(tables.to_html(network_table(counts, cb, ctx.partner), caption=f"Ties by wave{f' named by {ctx.partner}' if ctx.partner else ''}")))
    if len(waves) >= 2:
        parts.append(figures.network_drawing(edges, orgs, waves=(waves[0], waves[-1])))
    return Section("networks", "Networks", parts)


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
    kinds = next((f.choice_labels for f in cb.fields if f.id == "activity_type"), {})
    kind = act["activity_type"].astype(str).map(lambda v: kinds.get(v, {}).get("en", fmt.words(v))) if "activity_type" in act.columns else pd.Series("activity", index=act.index)
    parts = [
        _md(
            f"{len(act)} activities in {act['country'].nunique()} countries, {int(act[total].sum()):,} participations in all "
            "(a person who came to two activities counts twice). Counts come from the activity register."
        )
    ]
    by_type = act.assign(kind=kind).groupby("kind", as_index=False).agg(activities=(total, "size"), participants=(total, "sum")).rename(columns={"kind": "activity type"})
    by_type["participants"] = [fmt.count(v) for v in by_type["participants"]]
    parts.append(_html(tables.to_html(by_type, caption="Activities and participations by type")))
    breakdowns = [("country", act.groupby("country", as_index=False)[total].sum().rename(columns={"country": "category", total: "participants"}))]
    for name, cats in hc.by.items():
        breakdowns.append((name.replace("_", " "), pd.DataFrame({"category": [str(c).replace("_", " ") for c in cats], "participants": [int(act[col].sum()) for col in cats.values()]})))
    side = []
    for label, t in breakdowns:
        t = suppress(t.assign(_f=1), ["participants"], [], ctx.min_cell, family_cols=["_f"])
        t["participants"] = [
            tables.small_count(v, ctx.min_cell) if not sup else f"fewer than {ctx.min_cell}" if k == "primary" else "hidden" for v, sup, k in zip(t["participants"], t["suppressed"], t["suppression"])
        ]
        side.append(tables.to_html(t.drop(columns=["_f", "suppressed", "suppression"]).rename(columns={"category": label}), caption=f"Participations by {label}"))
    parts.append(_html('<div class="side">' + "".join(side) + "</div>"))
    parts.append(_md(f"*fewer than {ctx.min_cell}*: a group below the minimum size; *hidden*: a second group hidden so that the total does not reveal the first."))
    return Section("activities", "Activities and reach", parts)
