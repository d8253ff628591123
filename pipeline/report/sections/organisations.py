"""The organisations' side of a report: staff trainings by Kirkpatrick level (and one
report per training event), organisational capacity, the partnership network and the
activity register's activities and reach.

The network section prints ``network_counts.csv``, counted by the results framework's
own rule (:data:`pipeline.analysis.report_tables.TIE_RULE`), so its numbers are the framework's.
"""

from __future__ import annotations

import html

import pandas as pd

from pipeline import i18n
from pipeline.analysis.disclosure import suppress
from pipeline.i18n import N_, _, ngettext, pgettext
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
        return _absent("trainings", _("Staff trainings by Kirkpatrick level"), _("staff-training data"))
    parts = [
        _md(
            _(
                "Kirkpatrick's four levels: *reaction* (did participants value the training), *learning* (did competence and "
                "knowledge grow, before to right after, and was it retained three months on), *behaviour* (do they apply it at "
                "work, at follow-up), *results* (for the organisations: capacity). Changes are the same people's answers after "
                "minus before, with a 95% confidence interval (paired t) and d_z = mean change / SD of the changes; like every "
                "before/after comparison without a comparison group, they show change, not that the training caused it."
            )
        )
    ]
    if not tagged.empty:
        # The consortium report lists the consortium rows (the partner rows are in
        # indicators.csv); a partner report puts the partner beside the consortium.
        sub = tagged.loc[tagged["group_by"].eq(CONSORTIUM) | (tagged["group_by"].eq("partner") & tagged["group"].astype(str).eq(ctx.partner or "\0"))]
        parts.append(_html(tables.to_html(framework_table(sub, ctx.min_cell, ctx=ctx), caption=_("Training and capacity indicators by Kirkpatrick level"), escape=False)))
    if events:
        links = ", ".join(f"[{fmt.text(a, line_start=False, link_text=True)}](training_{safe_name(a)}.html)" for a in events)
        parts.append(_md(_("One report per training event: {links}.").format(links=links)))
    return Section("trainings", _("Staff trainings by Kirkpatrick level"), parts)


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
    head = f"**{t(i18n.localized(cons.title_labels or cons.title))}** · {t(cons.project_id)}"
    if event is None:
        heading = _("Training event report: {title}").format(title=t(activity_id))
        about = _("Reaction, learning and application at follow-up of the participants of training event {event}.").format(event=t(activity_id))
        return f"# {heading}\n\n{head}\n\n{about}"
    title = t(event.get("title") or activity_id)
    host = str(event.get("partner") or "")
    start, end = pd.to_datetime(event.get("start_date"), errors="coerce"), pd.to_datetime(event.get("end_date"), errors="coerce")
    dates = ""
    if not pd.isna(start):
        dates = _day(start)
        if not pd.isna(end) and end != start:
            # TRANSLATORS: the dates of a training event ("12 March 2025 to 16 March 2025").
            dates = _("{start} to {end}").format(start=dates, end=_day(end))
    city = t(event["city"]) if isinstance(event.get("city"), str) and event["city"] else ""
    values = {"title": title, "event": t(activity_id), "host_name": t(ctx.partner_name(host)), "host": t(host), "city": city, "dates": dates}
    if city and dates:
        sentence = _("{title} ({event}), hosted by {host_name} ({host}) in {city}, {dates}").format(**values)
    elif city:
        sentence = _("{title} ({event}), hosted by {host_name} ({host}) in {city}").format(**values)
    elif dates:
        sentence = _("{title} ({event}), hosted by {host_name} ({host}), {dates}").format(**values)
    else:
        sentence = _("{title} ({event}), hosted by {host_name} ({host})").format(**values)
    attending = " ".join(str(event.get("partners_attending") or "").split())
    if attending:
        # TRANSLATORS: {sentence} is the event, its host, place and dates; {partners} the codes of the partners who sent staff.
        sentence = _("{sentence}; partners attending: {partners}").format(sentence=sentence, partners=", ".join(map(t, attending.split())))
    n = event.get("participants_total")
    registered = ngettext("{n} participant in the activity register.", "{n} participants in the activity register.", n).format(n=fmt.count(n))
    shows = _("This report shows the reaction, learning and application at follow-up of the participants who answered the training survey.")
    heading = _("Training event report: {title}").format(title=title)
    return f"# {heading}\n\n{head}\n\n{sentence}. {registered} {shows}"


def _day(day) -> str:
    """A day of an event's dates: "02 December 2026" in English (as the register's
    dates always read), the language's long form elsewhere ("2 dicembre 2026")."""
    return fmt.date(day, "dd MMMM y" if i18n.active() == i18n.SOURCE_LANGUAGE else "long")


def _cell(value, suppressed, kind, min_cell: int) -> str:
    """A published head count: "fewer than k" for a group below the minimum (primary),
    "hidden" for a second group hidden so the total does not reveal the first, else the count."""
    if suppressed:
        return _fewer(min_cell) if kind == "primary" else _hidden()
    return _small(value, min_cell)


def _small(value, min_cell: int) -> str:
    """A head count: "fewer than k" for 1 to k - 1, else the count in the language's digits."""
    if fmt.missing(value):
        return fmt.DASH
    return _fewer(min_cell) if 0 < int(value) < min_cell else fmt.count(value)


def _fewer(min_cell: int) -> str:
    # TRANSLATORS: a table cell in place of a count below the minimum group size k (privacy).
    return ngettext("fewer than {k}", "fewer than {k}", min_cell).format(k=fmt.count(min_cell))


def _hidden() -> str:
    # TRANSLATORS: a table cell: a count hidden so that a total does not reveal a small group.
    return pgettext("suppressed cell", "hidden")


def training_event(ctx, activity_id: str) -> Section:
    """One training event: participants per wave, then its indicators by Kirkpatrick level."""
    events = training_events(ctx)
    if activity_id not in events:
        return _absent("event", _("Training event {event}").format(event=activity_id), _("data for training event {event}").format(event=repr(activity_id)))
    instrument = events[activity_id]
    resp = ctx.responses[instrument]
    resp = resp.loc[resp["activity_id"].astype(str) == activity_id]
    cb = ctx.codebooks[instrument]
    wave = {w: ctx.wave_label(instrument, w, default=w) for w in cb.waves}
    per_wave = pd.DataFrame(
        {
            pgettext("table header", "wave"): [wave[w] for w in cb.waves],
            pgettext("table header", "participants"): [_small(int((resp["wave"] == w).sum()), ctx.min_cell) for w in cb.waves],
        }
    )
    parts = [_html(tables.to_html(per_wave, caption=_("Participants who answered, per wave")))]
    if "partner" in resp.columns:  # participants by partner (groups below the minimum read "fewer than k")
        by = tables.respondents_by(resp, "partner", tuple(cb.waves), ctx.min_cell)
        shown = pd.DataFrame({pgettext("table header", "partner"): by["group"]})
        for w in cb.waves:
            shown[wave[w]] = [_cell(v, sup, k, ctx.min_cell) for v, sup, k in zip(by[w], by["suppressed"], by["suppression"])]
        if not by["suppressed"].all():  # a table of nothing but "fewer than k" says nothing
            parts.append(_html(tables.to_html(shown, caption=_("Participants who answered, by partner and wave"))))
        else:
            parts.append(_md(_("Participants by partner: every partner sent fewer than {k} people who answered, so the counts are not shown.").format(k=fmt.count(ctx.min_cell))))
    role = next((f for f in cb.fields if f.id == "staff_role"), None)
    if role is not None and role.name in resp.columns:
        by = tables.respondents_by(resp, role.name, tuple(cb.waves), ctx.min_cell)
        first = cb.waves[0]
        shown = pd.DataFrame(
            {
                pgettext("table header", "role"): [ctx.choice_label(instrument, role.name, str(g), default=fmt.words(g)) for g in by["group"]],
                wave[first]: [_cell(v, sup, k, ctx.min_cell) for v, sup, k in zip(by[first], by["suppressed"], by["suppression"])],
            }
        )
        parts.append(_html(tables.to_html(shown, caption=_("Participants who answered before the training, by role"))))
    parts += _what_was_measured(ctx, cb)
    field = cb.report_per
    fw = ctx.framework
    rows = fw.loc[(fw["instrument"] == instrument) & (fw["group_by"] == field) & (fw["group"].astype(str) == activity_id)] if len(fw) else fw
    if len(rows):
        # an event has no group, target or status of its own
        table = framework_table(rows, ctx.min_cell, ctx=ctx, drop=("Group", "Target", "Status"))
        html_table = tables.to_html(table, caption=_("Indicators of this event by Kirkpatrick level (reaction, learning, behaviour at follow-up)"), escape=False)
        parts.append(_html(html_table))
        parts.append(_md(_("Targets are set for the project as a whole; the consortium report compares them with all events together.")))
        beside = _beside_other_events(ctx, instrument, field, activity_id)
        if beside is not None:
            parts.append(_html(beside))
    else:
        parts.append(_md("*" + _("No indicators computed for this event.") + "*"))
    return Section("event", _("Training event {event}").format(event=activity_id), parts)


def _what_was_measured(ctx, cb) -> list:
    """The competence domains (scales of two or more self-assessment items) and the knowledge-test questions,
    labelled in the report's language."""
    out = []
    name = cb.instrument

    def label(scale=None, item=None) -> str:
        return html.escape(ctx.measure_label(name, scale=scale, item=item, default=scale or item))

    domains = [sc for sc in cb.scales if sc.id.startswith("competence_")]
    if domains:
        rows = "".join(f"<li><b>{label(scale=sc.id)}</b>: " + "; ".join(label(item=i) for i in sc.items) + "</li>" for sc in domains)
        intro = _("Competence domains (self-assessed, {low} to {high}, before, right after and three months after: <em>How well can you ...</em>):").format(low=fmt.count(1), high=fmt.count(5))
        out.append(_html(f"<p>{intro}</p><ul>{rows}</ul>"))
    test = next((sc for sc in cb.scales if sc.id == "knowledge_test"), None)
    if test is not None:
        rows = "".join(f"<li>{label(item=i)}</li>" for i in test.items)
        intro = ngettext(
            "Knowledge test ({n} multiple-choice question; the score is the share answered correctly):",
            "Knowledge test ({n} multiple-choice questions; the score is the share answered correctly):",
            len(test.items),
        ).format(n=fmt.count(len(test.items)))
        out.append(_html(f"<p>{intro}</p><ol>{rows}</ol>"))
    return out


def _beside_other_events(ctx, instrument: str, field: str, activity_id: str) -> str | None:
    """The event's indicators beside every other training event's (HTML table), or None with one event."""
    fw = ctx.framework
    rows = fw.loc[(fw["instrument"] == instrument) & (fw["group_by"] == field)]
    events = sorted(rows["group"].astype(str).unique())
    if len(events) < 2:
        return None
    this = html.escape(activity_id)
    # TRANSLATORS: a column heading: the training event this report is about ("JSTE1 (this event)").
    this_event = _("{event} (this event)").format(event=this)
    head = "".join(f"<th><b>{this_event}</b></th>" if e == activity_id else f"<th>{html.escape(e)}</th>" for e in events)
    body = []
    for ind, sub in rows.groupby("indicator_id", sort=False):
        english = str(sub["label"].iloc[0]) if "label" in sub.columns and not fmt.missing(sub["label"].iloc[0]) else fmt.words(ind)
        label = ctx.text("framework", ind, "name", default=english)
        cells = []
        for e in events:
            r = sub.loc[sub["group"].astype(str) == e]
            if r.empty:
                cells.append(f"<td>{fmt.DASH}</td>")
                continue
            r = r.iloc[0]
            if bool(r.get("suppressed", False)):
                cells.append(f"<td>{_cell(None, True, r.get('suppression'), ctx.min_cell)}</td>")
            else:
                n = "" if fmt.missing(r.get("n")) else f" <small>(n = {fmt.count(r['n'])})</small>"
                cells.append(f'<td class="num">{fmt.value(r["value"], str(r["unit"]))}{n}</td>')
        body.append(f"<tr><td>{html.escape(label)}</td>{''.join(cells)}</tr>")
    caption = html.escape(_("This event beside the other training events"))
    indicator = html.escape(pgettext("table header", "Indicator"))
    return f'<table class="dataframe report-table"><caption>{caption}</caption><thead><tr><th>{indicator}</th>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def capacity(ctx) -> Section:
    """Organisational capacity from baseline to endline, by domain (levels per organisation)."""
    from pipeline.analysis import capacity as cap_mod

    cb = _instrument(ctx, "ratings")
    if cb is None:
        return _absent("capacity", _("Organisational capacity"), _("organisational capacity self-assessment"))
    levels = cap_mod.domain_levels(ctx.responses[cb.instrument], cb, ctx.min_cell)
    levels = levels.loc[~levels["suppressed"] & levels["mean"].notna()]
    wave_label = {w: ctx.wave_label(cb.instrument, w, default=w) for w in cb.waves}
    waves = [wave_label[w] for w in cb.waves if w in set(levels["wave"])]
    domain = [_domain_label(ctx, cb, d, english) for d, english in zip(levels["domain"], levels["domain_label"])]
    frame = levels.assign(wave=levels["wave"].map(wave_label), domain=domain, score=levels["mean"], n=levels["raters"])
    cons = frame.groupby(["domain", "wave"], sort=False, as_index=False).agg(score=("score", "mean"), n=("partner", "nunique")).assign(group=_("Consortium (mean of organisations)"))
    own = frame.loc[frame["partner"].astype(str) == ctx.partner] if ctx.partner else frame
    shown = pd.concat([cons, own.rename(columns={"partner": "group"})[["group", "domain", "wave", "score", "n"]]], ignore_index=True)
    rng = next(iter(cb.items)).response_scale if cb.items else None
    score_range = (rng.min, rng.max) if rng is not None else (float(shown["score"].min()), float(shown["score"].max()))
    axis = _("capacity level ({low} to {high}; higher = stronger)").format(low=_level(score_range[0]), high=_level(score_range[1]))
    fig = figures.capacity_by_domain(shown, waves, score_range, axis)
    first, last = waves[0], waves[-1]
    listed = shown if ctx.partner else cons  # the figure shows every organisation; the table the consortium (or this partner too)
    piv = listed.loc[listed["wave"].isin([first, last])].pivot_table(index=["group", "domain"], columns="wave", values="score", sort=False).reset_index()
    piv.columns.name = None
    if first in piv and last in piv:
        piv["change"] = piv[last] - piv[first]
    for col in (first, last, "change"):  # levels with two decimals in the language's digits
        if col in piv:
            piv[col] = [fmt.num(v, 2) for v in piv[col].round(2)]
    piv = piv.rename(columns={"group": pgettext("table header", "group"), "domain": pgettext("table header", "domain"), "change": pgettext("table header", "change")})
    intro = _(
        "Capacity self-assessment by several staff raters per organisation, on a rubric from the lowest to the highest "
        "level per domain; an organisation's score is the mean of its raters (groups of fewer than "
        "{k} raters are hidden). With one row per organisation the report shows levels and changes, "
        "not p-values: five organisations are not a sample to test."
    ).format(k=fmt.count(ctx.min_cell))
    caption = _("Capacity by domain, {first} and {last}").format(first=first, last=last)
    return Section(
        "capacity",
        _("Organisational capacity"),
        [
            _md(intro),
            fig,
            # the consortium's levels are in the chart and the framework; a partner's report adds its own table
            *([_html(tables.to_html(piv, caption=caption))] if ctx.partner else []),
        ],
    )


def _domain_label(ctx, cb, domain: str, english: str) -> str:
    """A capacity domain (an item or the overall scale) in the report's language."""
    if any(sc.id == domain for sc in cb.scales):
        return ctx.measure_label(cb.instrument, scale=domain, default=english)
    return ctx.measure_label(cb.instrument, item=domain, default=english)


def _level(x) -> str:
    """An end of a rubric's range: "1", "4", "2.5" ("2,5")."""
    return fmt.count(x) if float(x).is_integer() else fmt.num(x, 1)


def network_frames(ties: pd.DataFrame, consortium) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Edges and nodes for :func:`pipeline.report.figures.network_drawing` from the network survey's rows."""
    from pipeline.analysis import networks as net

    edges = net.edges_table(net.prepare_ties(ties, consortium), consortium)
    nodes = [{"id": p.code, "label": p.code, "type": p.type, "country": p.country, "partner": True} for p in consortium.partners]
    others = edges.loc[~edges["target_is_partner"].astype(bool)].drop_duplicates("target")
    nodes += [{"id": r.target, "label": r.target_name, "type": r.target_type, "country": r.target_country, "partner": False} for r in others.itertuples(index=False)]
    return edges, pd.DataFrame(nodes)


#: How the network section counts, stated once (the rule itself is the analysis layer's).
NETWORK_TEXT = N_(
    "Ties the organisations reported, by level (local, national, international), with new and cross-border ties. "
    "**How ties are counted:** {rule} The results framework counts the same way, so its tie indicators are the "
    "numbers below. With a handful of partners, counts of ties say more than centrality measures. Organisations are "
    "not people, so no suppression applies here."
)

#: network_counts.csv column -> the table's heading (in English; translated where shown).
NETWORK_HEADINGS = {
    "wave": N_("Survey"),
    # TRANSLATORS: table heading: the number of ties (working relations an organisation named).
    "ties": N_("Ties"),
    # TRANSLATORS: table heading: the number of local ties.
    "local": N_("Local"),
    # TRANSLATORS: table heading: the number of national ties.
    "national": N_("National"),
    # TRANSLATORS: table heading: the number of international ties.
    "international": N_("International"),
    # TRANSLATORS: table heading: the number of ties with an organisation in another country.
    "cross_border": N_("Cross-border"),
    "public_authority": N_("With public authorities"),
    "formal_agreement": N_("Formal agreements"),
    "new_ties": N_("New since first survey"),
    "links": N_("Links (pairs, counted once)"),
    "organisations_reached": N_("Organisations reached"),
}


def network_table(counts: pd.DataFrame, codebook, partner: str = "") -> pd.DataFrame:
    """The rows of ``network_counts.csv`` a report shows (the consortium's, or one
    partner's), with headings in words; counts print as whole numbers."""
    rows = counts.loc[counts["group"].astype(str).eq(partner)] if partner else counts.loc[counts["group_by"].eq(CONSORTIUM)]
    labels = {w: i18n.localized(codebook.wave_labels[w], f"{codebook.instrument}: wave {w}") if codebook.wave_labels.get(w) else w for w in codebook.waves}
    cols = [c for c in NETWORK_HEADINGS if c in rows.columns and rows[c].notna().any()]
    out = rows[cols].copy()
    for c in cols:
        out[c] = [labels.get(v, v) for v in out[c]] if c == "wave" else [fmt.count(v) for v in out[c]]
    return out.rename(columns={c: _(heading) for c, heading in NETWORK_HEADINGS.items()})


def networks(ctx) -> Section:
    """The partnership network: ties by level, new and cross-border ties, drawings before and after."""
    cb = _instrument(ctx, "ties")
    if cb is None:
        return _absent("networks", _("Networks"), _("partnership network survey"))
    edges, orgs = network_frames(ctx.responses[cb.instrument], ctx.consortium)
    if ctx.partner:
        edges = edges.loc[(edges["source"].astype(str) == ctx.partner) | (edges["target"].astype(str) == ctx.partner)]
    waves = [w for w in cb.waves if w in set(edges["wave"])]
    parts = [_md(_(NETWORK_TEXT).format(rule=_(TIE_RULE)))]
    counts = _read(ctx, Files.NETWORK_COUNTS)
    if counts is not None and len(counts):
        caption = _("Ties by wave named by {partner}").format(partner=ctx.partner) if ctx.partner else _("Ties by wave")
        parts.append(_html(tables.to_html(network_table(counts, cb, ctx.partner), caption=caption)))
    if len(waves) >= 2:
        wave_labels = {w: ctx.wave_label(cb.instrument, w, default=w) for w in (waves[0], waves[-1])}
        parts.append(figures.network_drawing(edges, orgs, waves=(waves[0], waves[-1]), wave_labels=wave_labels))
    return Section("networks", _("Networks"), parts)


def activities(ctx) -> Section:
    """Activities delivered and people reached, by type, country and each headcount breakdown (suppressed)."""
    cb = _instrument(ctx, "register")
    if cb is None or not cb.headcounts:
        return _absent("activities", _("Activities and reach"), _("activity register"))
    act = ctx.responses[cb.instrument]
    if ctx.partner:
        act = act.loc[act["partner"].astype(str) == ctx.partner]
    hc = cb.headcounts[0]
    total = hc.total
    if "activity_type" in act.columns:
        kind = act["activity_type"].astype(str).map(lambda v: ctx.choice_label(cb.instrument, "activity_type", v, default=fmt.words(v)))
    else:
        kind = pd.Series(pgettext("kind of activity", "activity"), index=act.index)
    n_act, n_countries, n_part = len(act), act["country"].nunique(), int(act[total].sum())
    summary = _("{activities} in {countries}, {participations} in all (a person who came to two activities counts twice). Counts come from the activity register.").format(
        activities=ngettext("{n} activity", "{n} activities", n_act).format(n=fmt.count(n_act)),
        countries=ngettext("{n} country", "{n} countries", n_countries).format(n=fmt.count(n_countries)),
        participations=ngettext("{n} participation", "{n} participations", n_part).format(n=fmt.count(n_part)),
    )
    parts = [_md(summary)]
    participants = pgettext("table header", "participants")
    by_type = act.assign(kind=kind).groupby("kind", as_index=False).agg(activities=(total, "size"), participants=(total, "sum"))
    by_type["activities"] = [fmt.count(v) for v in by_type["activities"]]
    by_type["participants"] = [fmt.count(v) for v in by_type["participants"]]
    by_type = by_type.rename(columns={"kind": pgettext("table header", "activity type"), "activities": pgettext("table header", "activities"), "participants": participants})
    parts.append(_html(tables.to_html(by_type, caption=_("Activities and participations by type"))))
    by_country = act.groupby("country", as_index=False)[total].sum().rename(columns={"country": "category", total: "participants"})
    by_country["category"] = [ctx.country_name(str(c)) for c in by_country["category"]]
    breakdowns = [("country", by_country)]
    for name, cats in hc.by.items():
        breakdowns.append((name, pd.DataFrame({"category": [fmt.words(c) for c in cats], "participants": [int(act[col].sum()) for col in cats.values()]})))
    side = []
    for name, t in breakdowns:
        label = fmt.words(name)
        t = suppress(t.assign(_f=1), ["participants"], [], ctx.min_cell, family_cols=["_f"])
        t["participants"] = [_cell(v, sup, k, ctx.min_cell) for v, sup, k in zip(t["participants"], t["suppressed"], t["suppression"])]
        shown = t.drop(columns=["_f", "suppressed", "suppression"]).rename(columns={"category": label, "participants": participants})
        side.append(tables.to_html(shown, caption=_("Participations by {breakdown}").format(breakdown=label)))
    parts.append(_html('<div class="side">' + "".join(side) + "</div>"))
    legend = _("*{fewer}*: a group below the minimum size; *{hidden}*: a second group hidden so that the total does not reveal the first.").format(fewer=_fewer(ctx.min_cell), hidden=_hidden())
    parts.append(_md(legend))
    return Section("activities", _("Activities and reach"), parts)
