"""The technical annex's quality sections: the sample flow and rows read, kept and
quarantined; reliability and attrition; matching of waves by self-generated codes.
"""

from __future__ import annotations

import html

import pandas as pd

from pipeline import i18n
from pipeline.i18n import N_, _, ngettext, npgettext, pgettext
from pipeline.report import figures, tables
from pipeline.report import format as fmt
from pipeline.report.sections.base import (
    Section,
    _ci,
    _hidden,
    _html,
    _md,
    _missing,
    _n,
    _num,
    _ordered,
    _pct,
    _pre_post,
    _read,
    _scale_order,
    _section,
    _table,
    _where,
    in_sentence,
    list_separator,
)
from pipeline.schema import REASON_TEXT, Files


def _title(cb) -> str:
    """A survey's title in the report's language (the codebook's translation, else English)."""
    return i18n.localized(cb.title, f"{cb.instrument}: title") or cb.label()


def _wave(ctx, cb, wave) -> str:
    """A wave's label in the report's language ("Before the activities")."""
    return ctx.wave_label(cb.instrument, wave, default=cb.wave_labels.get(wave, {}).get("en", wave))


def _unexplained(ctx) -> list:
    """The results off track or on track that the consortium's commentary does not explain."""
    rf = ctx.results_framework
    if rf is None or rf.empty:
        return []
    notes = _read(ctx, Files.COMMENTARY)
    known = set(notes["id"]) if notes is not None else set()
    gaps = rf.loc[rf["status"].isin(["off track", "on track"]) & ~rf["indicator_id"].isin(known) & ~rf["result_id"].isin(known)]
    # TRANSLATORS: where the consortium's reasons are written; follows a sentence as "... has the consortium's reason {source}".
    source = _("in the data folder's <code>commentary.yaml</code>") if ctx.run.get("commentary") else _("in a <code>commentary.yaml</code> (the data folder has none)")
    if gaps.empty:
        text = _("<b>Reasons for the status:</b> every result off track or on track has the consortium's reason {source}.").format(source=source)
        return [_html(f"<p>{text}</p>")]
    items = "".join(
        f"<li>{html.escape(ctx.text('framework', r['indicator_id'], 'name', default=str(r['indicator'])))} ({html.escape(str(r['result_id']))}, {html.escape(_(str(r['status'])))})</li>"
        for r in gaps.to_dict("records")
    )
    text = ngettext(
        "<b>No explanation recorded</b> {source} for {n} indicator off track or on track:",
        "<b>No explanation recorded</b> {source} for {n} indicators off track or on track:",
        len(gaps),
    ).format(source=source, n=fmt.count(len(gaps)))
    return [_html(f"<p>{text}</p><ul>{items}</ul>")]


def _flow_by_arm(ctx, cb, resp) -> list:
    """People who answered each wave (all waves, the follow-up too), by group: participants and
    the comparison group (both arms of a randomised study), with small counts hidden."""
    field = cb.comparison_field
    if (field is None or field.name not in resp.columns) and len(cb.waves) < 3:
        return []
    waves = tuple(w for w in cb.waves if (resp["wave"] == w).any())
    if field is not None and field.name in resp.columns:
        value = ctx.choice_label(cb.instrument, field.name, field.comparison_value, default=" ").strip() if field.choice_labels.get(str(field.comparison_value)) else ""
        comparison = _("Comparison group ({answer})").format(answer=value) if value else _("Comparison group")
        arm = resp[field.name].astype("string").fillna("").eq(str(field.comparison_value)).map({True: comparison, False: _("Participants")})
        resp = resp.assign(_arm=arm)
    else:
        resp = resp.assign(_arm=_("All respondents"))
    by = tables.respondents_by(resp, "_arm", waves, ctx.min_cell)
    shown = pd.DataFrame({pgettext("table header", "group"): by["group"]})
    for w in waves:
        shown[_wave(ctx, cb, w)] = [
            tables.fewer_than(ctx.min_cell) if sup and k == "primary" else _("hidden") if sup else tables.small_count(v, ctx.min_cell) for v, sup, k in zip(by[w], by["suppressed"], by["suppression"])
        ]
    caption = _("People who answered each survey, by group: {survey}").format(survey=in_sentence(_title(cb)))
    return [_html(tables.to_html(shown, caption=caption))]


#: The sums of a partner's sample flow: respondents of a wave = matched + that wave only.
FLOW_SUMS = (("kept_first", ("matched", "first_only")), ("kept_second", ("matched", "second_only")))


def _flow_hidden(n: dict, min_cell: int) -> set[str]:
    """The steps of a sample flow table to hide: counts of 1 to ``min_cell - 1`` people,
    and the total of any sum of which exactly one term is hidden (the total minus the
    other term would give it back: 292 respondents after, 289 matched, "fewer than 5"
    after only)."""
    hidden = {s for s, v in n.items() if 0 < int(v) < min_cell}
    changed = True
    while changed:
        changed = False
        for total, terms in FLOW_SUMS:
            if total in n and total not in hidden and sum(t in hidden for t in terms) == 1:
                hidden.add(total)
                changed = True
    return hidden


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
        labels = tuple(_wave(ctx, cb, w) for w in waves)
        if ctx.partner:  # rows read and quarantined are known per file, not per partner
            people = flow.loc[~flow["step"].str.startswith(("read_", "quarantined_"))]
            names = {
                "kept_first": _("{survey}: respondents").format(survey=labels[0]),
                "kept_second": _("{survey}: respondents").format(survey=labels[1]),
                "matched": _("Matched: answered both"),
                "first_only": _("{survey} only (lost to follow-up)").format(survey=labels[0]),
                "second_only": _("{survey} only (no baseline)").format(survey=labels[1]),
            }
            hidden = _flow_hidden(dict(zip(people["step"], people["n"])), ctx.min_cell)
            shown = pd.DataFrame(
                {
                    pgettext("table header", "stage"): [names[s] for s in people["step"]],
                    pgettext("table header", "people"): [
                        _("hidden") if s in hidden and not 0 < int(v) < ctx.min_cell else tables.small_count(v, ctx.min_cell) for s, v in zip(people["step"], people["n"])
                    ],
                }
            )
            caption = _("Sample flow at {partner}: {survey} (rows received are counted per file below)").format(partner=ctx.partner, survey=in_sentence(_title(cb)))
            parts.append(_html(tables.to_html(shown, caption=caption)))
        else:
            title = _("Sample flow: {survey}").format(survey=in_sentence(_title(cb)))
            parts.append(figures.sample_flow_diagram(flow, waves=labels, min_cell=ctx.min_cell, title=title))
            parts += _flow_by_arm(ctx, cb, resp)
    rec = ctx.reconciliation.copy()
    for col in ("rows_read", "rows_kept"):
        rec[col] = [tables.small_count(v, ctx.min_cell) for v in rec[col]]
    # quarantined rows as they are: quarantine.csv lists each of them (reason, column and row,
    # no answer typed by a respondent), so hiding a small count here would hide nothing
    rec["rows_quarantined"] = [fmt.count(v) for v in rec["rows_quarantined"]]
    rec = rec.rename(columns={c: _(h) for c, h in RECONCILIATION_HEADERS.items()})
    parts.append(_html(tables.to_html(rec, caption=_("Rows read = rows kept + rows quarantined, per file"))))
    q = tables.quarantine_summary(ctx.quarantine)
    if len(q):
        q["rows"] = [fmt.count(v) for v in q["rows"]]
        # the reason's code (as quarantine.csv names it) and what it means, in the report's language
        q.insert(2, "meaning", [_(REASON_TEXT[r]) if r in REASON_TEXT else "" for r in q["reason"].astype(str)])
        q = q.rename(columns={c: _(h) for c, h in QUARANTINE_HEADERS.items()})
        parts.append(_html(tables.to_html(q, caption=_("Quarantined rows by file and reason"))))
    else:
        parts.append(_md(_("No row was quarantined.")))
    k = ctx.min_cell
    parts.append(
        _md(
            ngettext(
                "Quarantined counts are rows of the exports set aside, printed as they are: `{file}` publishes each of them, "
                "with its reason but none of the answers typed in it. Other counts from 1 to {k_minus_1} read *fewer than {k}*: "
                "no published number describes fewer than {k} person.",
                "Quarantined counts are rows of the exports set aside, printed as they are: `{file}` publishes each of them, "
                "with its reason but none of the answers typed in it. Other counts from 1 to {k_minus_1} read *fewer than {k}*: "
                "no published number describes fewer than {k} people.",
                k,
            ).format(file=Files.QUARANTINE, k_minus_1=fmt.count(k - 1), k=fmt.count(k))
        )
    )
    parts += _unexplained(ctx)
    return Section("quality", _("Data quality"), parts)


#: The headers of the table of rows read, kept and quarantined: the columns of ``reconciliation.csv``
#: as the data manager knows them (English reads the column names; a translation may use words).
RECONCILIATION_HEADERS = {
    # TRANSLATORS: table headers that are column names of a published CSV (source_file, rows_read, ...); translate as plain words ("file", "rows read").
    "source_file": N_("source_file"),
    "instrument": N_("instrument"),
    "wave": N_("wave"),
    "rows_read": N_("rows_read"),
    "rows_kept": N_("rows_kept"),
    "rows_quarantined": N_("rows_quarantined"),
}
#: The headers of the table of quarantined rows by reason.
QUARANTINE_HEADERS = {"source_file": N_("source_file"), "reason": N_("reason"), "meaning": N_("what it means"), "rows": N_("rows")}

QUALITY_TITLE = N_("Measurement quality: reliability and attrition")


#: Populations of ``attrition.csv``, as words in the report's language.
POPULATIONS = {"participants": N_("participants"), "comparison group": N_("comparison group")}
#: Alpha and omega below this are flagged (as ``reliability.csv`` flags them).
RELIABILITY_FLOOR = 0.70
#: A standardised baseline difference above this (in absolute value) is flagged.
ATTRITION_SMD = 0.2


def _population(value) -> str:
    return _(POPULATIONS[value]) if value in POPULATIONS else fmt.text(value)


def _quality_md(ctx, codebook) -> str:
    """Reliability of each scale per wave and language version, and attrition.

    Returns
    -------
    str
        Markdown: alpha with Feldt's interval and omega per scale and wave (flagged below
        0.70), the language versions below 0.70 or hidden, the weakest item, and the
        attrition table (flagged above 0.2 in absolute value), each with plain sentences.
    """
    rel = _read(ctx, Files.RELIABILITY)
    att = _read(ctx, Files.ATTRITION)
    floor, smd = fmt.num(RELIABILITY_FLOOR), fmt.num(ATTRITION_SMD, 1)

    def label(r) -> str:
        return ctx.measure_label(codebook.instrument, scale=r["scale"], default=str(r["label"]))

    parts = []
    if rel is not None:
        rel = rel.loc[rel["instrument"] == codebook.instrument]
        order = _scale_order(codebook)
        waves = {w: k for k, w in enumerate(codebook.waves)}
        overall = rel.loc[rel["group_by"] == "all"].sort_values(["scale", "wave"], key=lambda s: s.map(order) if s.name == "scale" else s.map(waves))
        table = []
        for _k, r in overall.iterrows():
            lang = rel.loc[(rel["group_by"] == "language") & (rel["scale"] == r["scale"]) & (rel["wave"] == r["wave"])]
            shown = lang.loc[~lang["suppressed"]]
            low = shown.loc[shown["flag"] != "", "group"].tolist()
            versions = _("{shown} shown, {hidden} hidden").format(shown=fmt.count(len(shown)), hidden=fmt.count(len(lang) - len(shown)))
            if low:
                versions = _("{versions}; below {threshold}: {languages}").format(versions=versions, threshold=floor, languages=", ".join(low))
            table.append(
                [
                    label(r),
                    _wave(ctx, codebook, r["wave"]),
                    _n(r["n"]),
                    _n(r["k"]),
                    f"{_num(r['alpha'])} {_ci(r['alpha_ci_low'], r['alpha_ci_high'])}",
                    _num(r["omega"]),
                    _("below {threshold}").format(threshold=floor) if r["flag"] else _("ok"),
                    f"{r['weakest_item']} ({_num(r['weakest_item_total'])})" if r["weakest_item"] else "–",
                    versions,
                ]
            )
        flagged = list(dict.fromkeys(label(r) for _k, r in overall.loc[overall["flag"] != ""].iterrows()))
        parts += [
            _(
                "**Reliability.** Cronbach's alpha (with Feldt's 95% interval) says how consistently a scale's "
                "items measure the same thing; McDonald's omega does the same without assuming every item "
                "counts equally (shown for scales of three or more items). Values below {threshold} are flagged: "
                "scores of such a scale carry much measurement error, so individual changes (reliable change) "
                "and small group differences should be read with care. The weakest item is the one that "
                "correlates least with the rest of its scale (corrected item-total correlation). Alpha is also "
                "computed for each language version of the questionnaire; versions answered by fewer than "
                "{k} people are hidden (full table: `{file}`)."
            ).format(threshold=floor, k=fmt.count(ctx.min_cell), file=Files.RELIABILITY)
            + "\n",
            _table(
                [
                    pgettext("table header", "Scale"),
                    pgettext("table header", "Survey"),
                    "n",
                    pgettext("table header", "Items"),
                    pgettext("table header", "Alpha [95% CI]"),
                    pgettext("table header", "Omega"),
                    pgettext("table header", "Alpha"),
                    pgettext("table header", "Weakest item (r)"),
                    pgettext("table header", "Language versions"),
                ],
                table,
            ),
            "",
            (
                _("Flagged: {scales} (alpha below {threshold} in at least one survey).").format(scales=", ".join(flagged), threshold=floor)
                if flagged
                else _("No scale falls below {threshold}.").format(threshold=floor)
            ),
            "",
        ]
    if att is not None:
        att = att.loc[att["instrument"] == codebook.instrument]
        att = att.assign(_p=att["population"].map({"participants": 0}).fillna(1))
        table = []
        for _k, r in _ordered(att.loc[att["group_by"] == "consortium"], codebook, first="_p").iterrows():
            if r["suppressed"]:
                table.append([label(r), _population(r["population"]), _where(r), _hidden(r, ctx.min_cell), "", "", "", ""])
                continue
            table.append(
                [
                    label(r),
                    _population(r["population"]),
                    _where(r),
                    _n(r["n_completed"]),
                    _n(r["n_dropped"]),
                    f"{_num(r['mean_completed'])} / {_num(r['mean_dropped'])}",
                    _num(r["smd"], signed=True),
                    _("possible bias") if r["flag"] else ("–" if _missing(r["smd"]) else _("ok")),
                ]
            )
        flagged = att.loc[(att["flag"] != "") & (att["group_by"] == "consortium")]
        by_partner = att.loc[(att["flag"] != "") & (att["group_by"] == "partner")]
        if len(by_partner):
            listed = list_separator().join(
                _("{partner} ({scale}, {population}, {difference})").format(
                    partner=fmt.text(r["group"]), scale=fmt.text(in_sentence(label(r))), population=fmt.text(_population(r["population"])), difference=_num(r["smd"], signed=True)
                )
                for _k, r in _ordered(by_partner, codebook, first="_p").iterrows()
            )
            partner_sentence = _("By partner, flagged: {list}. (Per partner: `{file}`.)").format(list=listed, file=Files.ATTRITION)
        else:
            partner_sentence = _("No partner's difference exceeds {threshold}. (Per partner: `{file}`.)").format(threshold=smd, file=Files.ATTRITION)
        if len(flagged):
            listed = list_separator().join(
                _("{scale} ({population}, {difference})").format(scale=fmt.text(in_sentence(label(r))), population=fmt.text(_population(r["population"])), difference=_num(r["smd"], signed=True))
                for _k, r in flagged.iterrows()
            )
            sentence = _(
                "At consortium level the people who stayed differed at baseline from those who left on: {list}. "
                "Where those who left started lower (a positive difference), the pre/post change of those who "
                "stayed may not hold for everyone who started."
            ).format(list=listed)
        else:
            sentence = _("At consortium level, nobody's baseline differs by more than {threshold} SD between those who stayed and those who left.").format(threshold=smd)
        parts += [
            _(
                "**Attrition.** Not everyone with a score in the first survey has one in the second (they did not answer it, or left the scale blank). If those who "
                "left differed from those who stayed, the change of those who stayed may not describe everyone. "
                "The standardised difference compares their first-survey scores (stayed minus left, in pooled "
                "SDs); above {threshold} in absolute value it is flagged as a possible bias (full table: `{file}`)."
            ).format(threshold=smd, file=Files.ATTRITION)
            + "\n",
            _table(
                [
                    pgettext("table header", "Scale"),
                    pgettext("table header", "Population"),
                    pgettext("table header", "Where"),
                    pgettext("table header", "Stayed (n)"),
                    pgettext("table header", "Left (n)"),
                    pgettext("table header", "Baseline mean stayed / left"),
                    pgettext("table header", "Standardised difference"),
                    "",
                ],
                table,
            ),
            "",
            sentence,
            "",
            partner_sentence,
        ]
    return "\n".join(parts)


CODES_TITLE = N_("Matching the two surveys by self-generated codes")


def _code_elements(ctx, codebook, published: str) -> str:
    """The code's elements in the report's language (the codebook's field labels), or as
    ``code_matching.csv`` names them when the codebook lists none."""
    fields = codebook.code_fields
    if not fields:
        return str(published)
    return list_separator().join(i18n.localized(f.label, f"{codebook.instrument}: field {f.id}") or f.id for f in fields)


def _code_matching_md(ctx, codebook) -> str:
    """How many respondents were matched across waves by their self-generated code.

    Returns
    -------
    str
        Markdown: a table per pair of waves (codes before and after, matched exactly,
        matched with tolerance, set aside as ambiguous, unmatched, match rate), a
        sentence with the match rate and the tolerance used, and what it means for the
        results; empty when the instrument does not pair by code.
    """
    table = _read(ctx, Files.CODE_MATCHING)
    if table is None or table.empty:
        return ""
    table = table.loc[table["instrument"] == codebook.instrument]
    if table.empty:
        return ""
    hidden = tables.fewer_than(ctx.min_cell)
    count_cols = ["n_pre", "n_post", "n_exact", "n_tolerant", "n_ambiguous", "n_unmatched_pre", "n_unmatched_post"]
    labels = {w: in_sentence(_wave(ctx, codebook, w)) for w in codebook.waves}

    def cell(r, c):
        return hidden if c in str(r["hidden"]).split() else _n(r[c])

    rows, sentences = [], []
    for _k, r in table.iterrows():
        k = int(r["max_differences"])
        before, after = labels.get(r["wave_from"], r["wave_from"]), labels.get(r["wave_to"], r["wave_to"])
        rows.append(
            [
                f"{before} -> {after}",
                *[cell(r, c) for c in count_cols],
                _pct(r["match_rate"]) if not _missing(r["match_rate"]) else _("hidden"),
            ]
        )
        share = _pct(r["match_rate"]) if not _missing(r["match_rate"]) else _("a hidden share")
        sentences.append(
            ngettext(
                "Of {n_pre} codes given {before}, {share} were matched to a code given {after}: {n_exact} exactly and "
                "{n_tolerant} allowing up to {k} differing element (the tolerance used); {n_ambiguous} were set aside as ambiguous.",
                "Of {n_pre} codes given {before}, {share} were matched to a code given {after}: {n_exact} exactly and "
                "{n_tolerant} allowing up to {k} differing elements (the tolerance used); {n_ambiguous} were set aside as ambiguous.",
                k,
            ).format(
                n_pre=cell(r, "n_pre"),
                before=before,
                share=share,
                after=after,
                n_exact=cell(r, "n_exact"),
                n_tolerant=cell(r, "n_tolerant"),
                k=fmt.count(k),
                n_ambiguous=cell(r, "n_ambiguous"),
            )
        )
    k = int(table["max_differences"].iloc[0])
    return "\n".join(
        [
            ngettext(
                "Where respondents gave no participant number (an anonymous questionnaire), they built a code from facts only "
                "they know ({elements}), and their surveys were matched by that code: exactly first, then "
                "allowing **up to {k} element** to differ, because people misremember. A code with two "
                "equally close candidates, or one that another code claims as well, is not matched: a wrong match would mix two "
                "people's answers. Codes are matched within the same partner. The codes serve for matching only and are not stored "
                "or published.",
                "Where respondents gave no participant number (an anonymous questionnaire), they built a code from facts only "
                "they know ({elements}), and their surveys were matched by that code: exactly first, then "
                "allowing **up to {k} elements** to differ, because people misremember. A code with two "
                "equally close candidates, or one that another code claims as well, is not matched: a wrong match would mix two "
                "people's answers. Codes are matched within the same partner. The codes serve for matching only and are not stored "
                "or published.",
                k,
            ).format(elements=_code_elements(ctx, codebook, table["elements"].iloc[0]), k=fmt.count(k))
            + "\n",
            _table(
                [
                    pgettext("table header", "Surveys"),
                    pgettext("table header", "Codes before"),
                    pgettext("table header", "Codes after"),
                    pgettext("table header", "Matched exactly"),
                    npgettext("table header", "Matched with up to {k} difference", "Matched with up to {k} differences", k).format(k=fmt.count(k)),
                    pgettext("table header", "Ambiguous (not matched)"),
                    pgettext("table header", "Unmatched before"),
                    pgettext("table header", "Unmatched after"),
                    pgettext("table header", "Match rate (of codes before)"),
                ],
                rows,
            ),
            "",
            *sentences,
            "",
            _(
                "Unmatched codes belong to people who did not answer again, or whose code changed too much to be matched "
                "safely; their answers count in the levels of each survey but not in the change, as with anyone who answered "
                "only once."
            ),
        ]
    )


def measurement_quality(ctx, codebook=None):
    """Reliability per wave and language version; attrition."""
    return _section(ctx, codebook, "quality", QUALITY_TITLE, _quality_md, N_("No before/after survey of the community in this data folder."))


def code_matching(ctx, codebook=None):
    """The match rate and tolerance of matching by self-generated codes."""
    return _section(ctx, codebook, "codes", CODES_TITLE, _code_matching_md, N_("No survey in this data folder was matched by self-generated codes."))
