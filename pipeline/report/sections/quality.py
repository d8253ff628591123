"""The technical annex's quality sections: the sample flow and rows read, kept and
quarantined; reliability and attrition; matching of waves by self-generated codes.
"""

from __future__ import annotations

import html

import pandas as pd

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
)
from pipeline.schema import Files


def _unexplained(ctx) -> list:
    """The results off track or on track that the consortium's commentary does not explain."""
    rf = ctx.results_framework
    if rf is None or rf.empty:
        return []
    notes = _read(ctx, Files.COMMENTARY)
    known = set(notes["id"]) if notes is not None else set()
    gaps = rf.loc[rf["status"].isin(["off track", "on track"]) & ~rf["indicator_id"].isin(known) & ~rf["result_id"].isin(known)]
    source = "the data folder's <code>commentary.yaml</code>" if ctx.run.get("commentary") else "a <code>commentary.yaml</code> (the data folder has none)"
    if gaps.empty:
        return [_html(f"<p><b>Reasons for the status:</b> every result off track or on track has the consortium's reason in {source}.</p>")]
    items = "".join(f"<li>{html.escape(str(r['indicator']))} ({html.escape(str(r['result_id']))}, {html.escape(str(r['status']))})</li>" for r in gaps.to_dict("records"))
    return [_html(f"<p><b>No explanation recorded</b> in {source} for {len(gaps)} indicator{'s' if len(gaps) != 1 else ''} off track or on track:</p><ul>{items}</ul>")]


def _flow_by_arm(ctx, cb, resp) -> list:
    """People who answered each wave (all waves, the follow-up too), by group: participants and
    the comparison group (both arms of a randomised study), with small counts hidden."""
    field = cb.comparison_field
    if (field is None or field.name not in resp.columns) and len(cb.waves) < 3:
        return []
    waves = tuple(w for w in cb.waves if (resp["wave"] == w).any())
    if field is not None and field.name in resp.columns:
        value = field.choice_labels.get(str(field.comparison_value), {}).get("en", "")
        comparison = f"Comparison group ({value})" if value else "Comparison group"
        arm = resp[field.name].astype("string").fillna("").eq(str(field.comparison_value)).map({True: comparison, False: "Participants"})
        resp = resp.assign(_arm=arm)
    else:
        resp = resp.assign(_arm="All respondents")
    by = tables.respondents_by(resp, "_arm", waves, ctx.min_cell)
    shown = pd.DataFrame({"group": by["group"]})
    for w in waves:
        shown[cb.wave_labels.get(w, {}).get("en", w)] = [
            f"fewer than {ctx.min_cell}" if sup and k == "primary" else "hidden" if sup else tables.small_count(v, ctx.min_cell) for v, sup, k in zip(by[w], by["suppressed"], by["suppression"])
        ]
    return [_html(tables.to_html(shown, caption=f"People who answered each survey, by group: {fmt.lower_first(cb.label())}"))]


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
        labels = tuple(cb.wave_labels[w].get("en", w) for w in waves)
        if ctx.partner:  # rows read and quarantined are known per file, not per partner
            people = flow.loc[~flow["step"].str.startswith(("read_", "quarantined_"))]
            names = {
                "kept_first": f"{labels[0]}: respondents",
                "kept_second": f"{labels[1]}: respondents",
                "matched": "Matched: answered both",
                "first_only": f"{labels[0]} only (lost to follow-up)",
                "second_only": f"{labels[1]} only (no baseline)",
            }
            hidden = _flow_hidden(dict(zip(people["step"], people["n"])), ctx.min_cell)
            shown = pd.DataFrame(
                {
                    "stage": [names[s] for s in people["step"]],
                    "people": ["hidden" if s in hidden and not 0 < int(v) < ctx.min_cell else tables.small_count(v, ctx.min_cell) for s, v in zip(people["step"], people["n"])],
                }
            )
            parts.append(_html(tables.to_html(shown, caption=f"Sample flow at {ctx.partner}: {fmt.lower_first(cb.label())} (rows received are counted per file below)")))
        else:
            parts.append(figures.sample_flow_diagram(flow, waves=labels, min_cell=ctx.min_cell, title=f"Sample flow: {fmt.lower_first(cb.label())}"))
            parts += _flow_by_arm(ctx, cb, resp)
    rec = ctx.reconciliation.copy()
    for col in ("rows_read", "rows_kept"):
        rec[col] = [tables.small_count(v, ctx.min_cell) for v in rec[col]]
    # quarantined rows as they are: quarantine.csv lists each of them (reason, column and row,
    # no answer typed by a respondent), so hiding a small count here would hide nothing
    rec["rows_quarantined"] = [fmt.count(v) for v in rec["rows_quarantined"]]
    parts.append(_html(tables.to_html(rec, caption="Rows read = rows kept + rows quarantined, per file")))
    q = tables.quarantine_summary(ctx.quarantine)
    if len(q):
        q["rows"] = [fmt.count(v) for v in q["rows"]]
        parts.append(_html(tables.to_html(q, caption="Quarantined rows by file and reason")))
    else:
        parts.append(_md("No row was quarantined."))
    parts.append(
        _md(
            f"Quarantined counts are rows of the exports set aside, printed as they are: `{Files.QUARANTINE}` publishes each of them, "
            f"with its reason but none of the answers typed in it. Other counts from 1 to {ctx.min_cell - 1} read *fewer than {ctx.min_cell}*: "
            f"no published number describes fewer than {ctx.min_cell} people."
        )
    )
    parts += _unexplained(ctx)
    return Section("quality", "Data quality", parts)


QUALITY_TITLE = "Measurement quality: reliability and attrition"


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
    parts = []
    if rel is not None:
        rel = rel.loc[rel["instrument"] == codebook.instrument]
        order = _scale_order(codebook)
        waves = {w: k for k, w in enumerate(codebook.waves)}
        overall = rel.loc[rel["group_by"] == "all"].sort_values(["scale", "wave"], key=lambda s: s.map(order) if s.name == "scale" else s.map(waves))
        table = []
        for _, r in overall.iterrows():
            lang = rel.loc[(rel["group_by"] == "language") & (rel["scale"] == r["scale"]) & (rel["wave"] == r["wave"])]
            shown = lang.loc[~lang["suppressed"]]
            low = shown.loc[shown["flag"] != "", "group"].tolist()
            table.append(
                [
                    r["label"],
                    str(codebook.wave_labels.get(r["wave"], {}).get("en", r["wave"])),
                    _n(r["n"]),
                    _n(r["k"]),
                    f"{_num(r['alpha'])} {_ci(r['alpha_ci_low'], r['alpha_ci_high'])}",
                    _num(r["omega"]),
                    "below 0.70" if r["flag"] else "ok",
                    f"{r['weakest_item']} ({_num(r['weakest_item_total'])})" if r["weakest_item"] else "–",
                    f"{len(shown)} shown, {len(lang) - len(shown)} hidden" + (f"; below 0.70: {', '.join(low)}" if low else ""),
                ]
            )
        flagged = overall.loc[overall["flag"] != "", "label"].unique().tolist()
        parts += [
            "**Reliability.** Cronbach's alpha (with Feldt's 95% interval) says how consistently a scale's "
            "items measure the same thing; McDonald's omega does the same without assuming every item "
            "counts equally (shown for scales of three or more items). Values below 0.70 are flagged: "
            "scores of such a scale carry much measurement error, so individual changes (reliable change) "
            "and small group differences should be read with care. The weakest item is the one that "
            "correlates least with the rest of its scale (corrected item-total correlation). Alpha is also "
            "computed for each language version of the questionnaire; versions answered by fewer than "
            f"{ctx.min_cell} people are hidden (full table: `reliability.csv`).\n",
            _table(["Scale", "Survey", "n", "Items", "Alpha [95% CI]", "Omega", "Alpha", "Weakest item (r)", "Language versions"], table),
            "",
            (f"Flagged: {', '.join(flagged)} (alpha below 0.70 in at least one survey)." if flagged else "No scale falls below 0.70."),
            "",
        ]
    if att is not None:
        att = att.loc[att["instrument"] == codebook.instrument]
        att = att.assign(_p=att["population"].map({"participants": 0}).fillna(1))
        table = []
        for _, r in _ordered(att.loc[att["group_by"] == "consortium"], codebook, first="_p").iterrows():
            if r["suppressed"]:
                table.append([r["label"], r["population"], _where(r), _hidden(r, ctx.min_cell), "", "", "", ""])
                continue
            table.append(
                [
                    r["label"],
                    r["population"],
                    _where(r),
                    _n(r["n_completed"]),
                    _n(r["n_dropped"]),
                    f"{_num(r['mean_completed'])} / {_num(r['mean_dropped'])}",
                    _num(r["smd"], signed=True),
                    "possible bias" if r["flag"] else ("–" if _missing(r["smd"]) else "ok"),
                ]
            )
        flagged = att.loc[(att["flag"] != "") & (att["group_by"] == "consortium")]
        by_partner = att.loc[(att["flag"] != "") & (att["group_by"] == "partner")]
        partner_sentence = (
            "By partner, flagged: "
            + "; ".join(
                f"{fmt.text(r['group'])} ({fmt.text(fmt.lower_first(r['label']))}, {fmt.text(r['population'])}, {r['smd']:+.2f})" for _, r in _ordered(by_partner, codebook, first="_p").iterrows()
            )
            + "."
            if len(by_partner)
            else "No partner's difference exceeds 0.2."
        )
        sentence = (
            "At consortium level the people who stayed differed at baseline from those who left on: "
            + "; ".join(f"{fmt.text(fmt.lower_first(r['label']))} ({fmt.text(r['population'])}, {r['smd']:+.2f})" for _, r in flagged.iterrows())
            + ". Where those who left started lower (a positive difference), the pre/post change of those who "
            "stayed may not hold for everyone who started."
            if len(flagged)
            else "At consortium level, nobody's baseline differs by more than 0.2 SD between those who stayed and those who left."
        )
        parts += [
            "**Attrition.** Not everyone with a score in the first survey has one in the second (they did not answer it, or left the scale blank). If those who "
            "left differed from those who stayed, the change of those who stayed may not describe everyone. "
            "The standardised difference compares their first-survey scores (stayed minus left, in pooled "
            "SDs); above 0.2 in absolute value it is flagged as a possible bias (full table: `attrition.csv`).\n",
            _table(["Scale", "Population", "Where", "Stayed (n)", "Left (n)", "Baseline mean stayed / left", "Standardised difference", ""], table),
            "",
            sentence,
            "",
            partner_sentence + " (Per partner: `attrition.csv`.)",
        ]
    return "\n".join(parts)


CODES_TITLE = "Matching the two surveys by self-generated codes"


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
    hidden = f"fewer than {ctx.min_cell}"
    count_cols = ["n_pre", "n_post", "n_exact", "n_tolerant", "n_ambiguous", "n_unmatched_pre", "n_unmatched_post"]
    labels = {w: fmt.lower_first(codebook.wave_labels.get(w, {}).get("en", w)) for w in codebook.waves}

    def cell(r, c):
        return hidden if c in str(r["hidden"]).split() else _n(r[c])

    rows, sentences = [], []
    for _, r in table.iterrows():
        k = int(r["max_differences"])
        rows.append(
            [
                f"{labels.get(r['wave_from'], r['wave_from'])} -> {labels.get(r['wave_to'], r['wave_to'])}",
                *[cell(r, c) for c in count_cols],
                _pct(r["match_rate"]) if not _missing(r["match_rate"]) else "hidden",
            ]
        )
        sentences.append(
            f"Of {cell(r, 'n_pre')} codes given {labels.get(r['wave_from'], r['wave_from'])}, "
            f"{_pct(r['match_rate']) if not _missing(r['match_rate']) else 'a hidden share'} were matched to a code given "
            f"{labels.get(r['wave_to'], r['wave_to'])}: {cell(r, 'n_exact')} exactly and {cell(r, 'n_tolerant')} allowing up to "
            f"{k} differing element{'s' if k != 1 else ''} (the tolerance used); {cell(r, 'n_ambiguous')} were set aside as ambiguous."
        )
    k = int(table["max_differences"].iloc[0])
    return "\n".join(
        [
            "Where respondents gave no participant number (an anonymous questionnaire), they built a code from facts only "
            f"they know ({table['elements'].iloc[0]}), and their surveys were matched by that code: exactly first, then "
            f"allowing **up to {k} element{'s' if k != 1 else ''}** to differ, because people misremember. A code with two "
            "equally close candidates, or one that another code claims as well, is not matched: a wrong match would mix two "
            "people's answers. Codes are matched within the same partner. The codes serve for matching only and are not stored "
            "or published.\n",
            _table(
                [
                    "Surveys",
                    "Codes before",
                    "Codes after",
                    "Matched exactly",
                    f"Matched with up to {k} difference{'s' if k != 1 else ''}",
                    "Ambiguous (not matched)",
                    "Unmatched before",
                    "Unmatched after",
                    "Match rate (of codes before)",
                ],
                rows,
            ),
            "",
            *sentences,
            "",
            "Unmatched codes belong to people who did not answer again, or whose code changed too much to be matched "
            "safely; their answers count in the levels of each survey but not in the change, as with anyone who answered "
            "only once.",
        ]
    )


def measurement_quality(ctx, codebook=None):
    """Reliability per wave and language version; attrition."""
    return _section(ctx, codebook, "quality", QUALITY_TITLE, _quality_md, "No before/after survey of the community in this data folder.")


def code_matching(ctx, codebook=None):
    """The match rate and tolerance of matching by self-generated codes."""
    return _section(ctx, codebook, "codes", CODES_TITLE, _code_matching_md, "No survey in this data folder was matched by self-generated codes.")
