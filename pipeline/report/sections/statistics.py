"""Report sections on the statistics: one function per section, each returning a
:class:`pipeline.report.sections.common.Section`.

The report notebook calls each in one cell (``sections.show(sections_stats.x(ctx))``),
for every before/after survey of the community in the build folder (a partner's report
shows the consortium beside that partner). Every number comes from the published tables of the run
(``indicators.csv``, ``reliability.csv``, ``attrition.csv``, ``code_matching.csv``), so
a reader can find it there; suppressed numbers read "hidden", never 0, and every
number comes with its n.

* :func:`comparison_group`: the difference in differences, what it can and cannot show
  (and, with a follow-up, the difference in differences of each later pair of waves).
* :func:`tests_and_individual_change`: the paired tests side by side, Holm-adjusted
  p-values, and the shares of people who reliably improved.
* :func:`yes_no_items`: McNemar's test of each yes/no item asked twice.
* :func:`measurement_quality`: reliability per wave and language version; attrition.
* :func:`code_matching`: how waves were matched by self-generated codes.
* :func:`methods_appendix`: each statistic used, its formula and reference, written
  from :data:`pipeline.stats.METHODS`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.report import format as fmt
from pipeline.schema import COMPARISON_CHANGE, CONSORTIUM, DIFF_IN_DIFF, MCNEMAR, PAIRED_CHANGE, Files, later_waves

#: Tables a section may read from the build folder (written by the analyse stage).


# --------------------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------------------


_missing = fmt.missing
_num = fmt.num
_pct = fmt.pct
_p = fmt.p_value
_n = fmt.count
_ci = fmt.interval


def _hidden(row, min_cell: int) -> str:
    return f"hidden (fewer than {min_cell} people)" if row["suppression"] == "primary" else "hidden (would reveal a smaller group)"


def _where(row) -> str:
    return "Consortium" if row["group_by"] == CONSORTIUM else str(row["group"])


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c).replace("|", "/") for c in r) + " |" for r in rows]
    return "\n".join(lines)


def _text(values: pd.Series) -> pd.Series:
    """Text cells with missing ones as "" (a column read as all-missing is float)."""
    return values.astype(object).where(values.notna(), "")


def _rows(ctx, codebook, analysis: str, later: bool = False) -> pd.DataFrame:
    """One instrument's rows of one ``analysis``: of its first two waves, or with
    ``later=True`` of its later pairs of waves (a follow-up)."""
    t = ctx.indicators
    if "analysis" not in t.columns:
        return t.iloc[0:0]
    sub = t.loc[(t["instrument"] == codebook.instrument) & (t["analysis"] == analysis) & (later_waves(t) == later)].copy()
    sub["suppressed"] = sub["suppressed"].astype(str).str.lower().eq("true")
    sub["suppression"] = _text(sub["suppression"])
    sub["note"] = _text(sub["note"])
    partner = getattr(ctx, "partner", "")
    if partner:  # a partner's report: the consortium beside this partner
        sub = sub.loc[sub["group_by"].ne("partner") | sub["group"].astype(str).eq(partner)]
    return sub


def _read(ctx, name: str) -> pd.DataFrame | None:
    path = Path(ctx.build_dir) / name
    if not path.is_file():
        return None
    frame = pd.read_csv(path, keep_default_na=True)
    for col in ("suppressed",):
        if col in frame.columns:
            frame[col] = frame[col].astype(str).str.lower().eq("true")
    for col in ("suppression", "note", "flag", "weakest_item"):
        if col in frame.columns:
            frame[col] = _text(frame[col])
    return frame


# --------------------------------------------------------------------------------------
# Comparison group
# --------------------------------------------------------------------------------------

DID_LIMITS = """\
**What the comparison can and cannot show.** The comparison group is made of people who
did not take part, surveyed at the same times. Influences that moved both groups alike
(news and events, the season, getting used to the questionnaire) cancel out in the
difference of the two changes, which a before/after comparison of participants alone cannot
do. The comparison group was not chosen at random, though: people who chose to take part may
differ from those who did not (more interest in the topic, more contact with refugees and
migrants), and such differences can make their answers change differently even without the
activities. The baseline levels above show how alike the two groups were at the start; a
difference in differences whose interval excludes zero is evidence for an effect of taking
part under the assumption that, without the activities, both groups would have changed alike
("parallel trends"), which these data cannot prove."""


def _comparison_group_md(ctx, codebook) -> str:
    """The difference in differences per scale: table, plain sentences, baseline, limits.

    Parameters
    ----------
    ctx : ReportContext
        The run (:func:`pipeline.report.context.load_context`).
    codebook : Codebook
        The pre/post instrument.

    Returns
    -------
    str
        Markdown: heading, explanation, a table of every ``diff_in_diff`` row
        (consortium and partners), one sentence per scale, baseline comparability and
        the design's limits. Without a comparison group, a short paragraph saying so.
    """
    rows = _rows(ctx, codebook, DIFF_IN_DIFF)
    head = ""
    if rows.empty:
        return head + ("No comparison group answered this survey, so the changes above are changes among participants only; the limits of a before/after comparison apply.")
    cons = rows.loc[rows["group_by"] == CONSORTIUM]
    cover = next((n for n in cons["note"] if n.startswith("partners with a comparison group")), "")
    partners = cover.split(": ", 1)[1] if ": " in cover else ""
    field = codebook.comparison_field
    who = ""
    if field is not None:
        value_label = field.choice_labels.get(field.comparison_value, {}).get("en", field.comparison_value)
        who = f" (in the data: {field.label.get('en', field.id)} = {value_label})"
    parts = [
        head,
        f"{f'At {partners}, p' if partners else 'P'}eople who did not take part in the activities answered "
        f"the same questionnaire at the same times: a comparison group{who}. The results before and after above describe **participants only**. The *difference in "
        "differences* is the participants' mean change minus the comparison group's mean change, with its "
        "95% confidence interval (Welch); its effect size g_change is the difference divided by the pooled "
        "SD of the change scores (Hedges' g). Each group's own change is shown with its 95% interval (paired t)."
        + (" The consortium rows pool the partners that have a comparison group." if partners else "")
        + "\n",
    ]
    table = [[r["label"], _where(r), *_did_cells(ctx, codebook, r)] for _, r in _ordered(rows, codebook).iterrows()]
    parts.append(_table(["Scale", "Where", *DID_COLUMNS], table))
    parts.append("")
    for _, r in cons.iterrows():
        parts.append(_did_sentence(r, ctx.min_cell))
    parts.append("")
    parts.append(_later_did_md(ctx, codebook))
    parts.append(_baseline(ctx, codebook, partners))
    parts.append("")
    parts.append(DID_LIMITS)
    return "\n".join(parts)


#: Columns of a difference-in-differences table after the scale and the group (:func:`_did_cells`).
DID_COLUMNS = [
    "Participants (n)",
    "Their change [95% CI]",
    "Comparison (n)",
    "Its change [95% CI]",
    "Difference in differences [95% CI]",
    "g_change [95% CI]",
    "p (Welch)",
    "p (Holm)",
]


def _did_cells(ctx, codebook, r) -> list[str]:
    """The :data:`DID_COLUMNS` cells of one ``diff_in_diff`` row; "hidden" when suppressed."""
    if r["suppressed"]:
        return [_hidden(r, ctx.min_cell)] + [""] * (len(DID_COLUMNS) - 1)
    part = _own_change(ctx.indicators, codebook, PAIRED_CHANGE, r, "n_paired")
    comp = _own_change(ctx.indicators, codebook, COMPARISON_CHANGE, r, "n_comparison")
    return [
        _n(r["n_paired"]),
        part or _num(r["change_participants"], signed=True),
        _n(r["n_comparison"]),
        comp or _num(r["change_comparison"], signed=True),
        f"{_num(r['mean_change'], signed=True)} {_ci(r['ci_low'], r['ci_high'])}",
        f"{_num(r['effect_size'])} {_ci(r['effect_size_ci_low'], r['effect_size_ci_high'])}",
        _p(r["p_value"]),
        _p(r["p_value_adjusted"]),
    ]


def _surveys(codebook, r) -> str:
    """The two surveys a row compares, in words ("Before the series → At the follow-up")."""
    label = {w: codebook.wave_labels.get(w, {}).get("en", w) for w in codebook.waves}
    return f"{label.get(r['wave_from'], r['wave_from'])} → {label.get(r['wave_to'], r['wave_to'])}"


def _later_did_md(ctx, codebook) -> str:
    """The difference in differences of each later pair of waves (a follow-up with the
    first and with the second survey): table and one sentence per scale; empty without."""
    rows = _rows(ctx, codebook, DIFF_IN_DIFF, later=True)
    if rows.empty:
        return ""
    waves = list(codebook.waves)
    pairs = [(waves[0], later) for later in waves[2:]] + [(waves[1], later) for later in waves[2:]]
    pairs = {p: k for k, p in enumerate([(waves[0], waves[1])] + sorted(pairs, key=lambda ab: (waves.index(ab[1]), waves.index(ab[0]))))} if len(waves) > 1 else {}
    rows = _ordered(rows.assign(_pair=[pairs.get(p, len(pairs)) for p in zip(rows["wave_from"], rows["wave_to"])]), codebook, first="_pair")
    # the surveys go with the scale, so that the table is no wider than the first one
    table = [[f"{r['label']}: {_surveys(codebook, r).lower()}", _where(r), *_did_cells(ctx, codebook, r)] for _, r in rows.iterrows()]
    sentences = []
    for _, r in rows.loc[rows["group_by"] == CONSORTIUM].iterrows():
        named = r.copy()
        named["label"] = f"{r['label']}, {_surveys(codebook, r).lower()}"
        sentences.append(_did_sentence(named, ctx.min_cell))
    return "\n".join(
        [
            "**Later waves.** The same comparison between a later survey and each earlier one: whether the "
            "participants' change up to the later survey, or since the second, differs from the comparison group's "
            "over the same surveys (each pair of surveys is a family of its own for Holm's adjustment).\n",
            _table(["Scale: surveys compared", "Where", *DID_COLUMNS], table),
            "",
            *sentences,
            "",
        ]
    )


def _own_change(indicators: pd.DataFrame, codebook, analysis: str, did_row, n_col: str) -> str:
    """A group's own change with its interval, when its pre/post row has the same people."""
    if "analysis" not in indicators.columns:
        return ""
    same_waves = pd.Series(True, index=indicators.index)
    for col in ("wave_from", "wave_to"):  # the same pair of waves as the difference in differences
        if col in indicators.columns and col in did_row.index:
            same_waves &= indicators[col].astype(str) == str(did_row[col])
    hit = indicators.loc[
        (indicators["instrument"] == codebook.instrument)
        & (indicators["analysis"] == analysis)
        & same_waves
        & (indicators["scale"] == did_row["scale"])
        & (indicators["group_by"] == did_row["group_by"])
        & (indicators["group"].astype(str) == str(did_row["group"]))
    ]
    if hit.empty or did_row["group_by"] == CONSORTIUM and analysis == PAIRED_CHANGE and str(did_row["note"]).startswith("partners with"):
        return ""  # the consortium row of participants covers partners without a comparison group too
    r = hit.iloc[0]
    if _missing(r["n_paired"]) or _missing(did_row[n_col]) or int(r["n_paired"]) != int(did_row[n_col]):
        return ""
    return f"{_num(r['mean_change'], signed=True)} {_ci(r['ci_low'], r['ci_high'])}"


def _scale_order(codebook) -> dict:
    return {sc.id: k for k, sc in enumerate(codebook.scales)}


def _ordered(rows: pd.DataFrame, codebook, first: str = "scale") -> pd.DataFrame:
    """Rows in codebook order of scales, the consortium row before the partners."""
    keyed = rows.assign(_s=rows["scale"].map(_scale_order(codebook)), _c=rows["group_by"].ne(CONSORTIUM))
    by = ["_s", "_c", "group"] if first == "scale" else [first, "_s", "_c", "group"]
    return keyed.sort_values(by, kind="stable").drop(columns=["_s", "_c"])


def _did_sentence(r, min_cell: int) -> str:
    if r["suppressed"]:
        return f"- **{r['label']}**: not shown, a group is smaller than {min_cell} people."
    if _missing(r["mean_change"]) or _missing(r["ci_low"]):
        return f"- **{r['label']}**: not computed ({r['note'] or 'too few people'})."
    d, lo, hi = r["mean_change"], r["ci_low"], r["ci_high"]
    if lo > 0:
        verdict = f"participants' scores rose by {d:.2f} more than the comparison group's"
    elif hi < 0:
        verdict = f"participants' scores rose by {-d:.2f} less than the comparison group's"
    else:
        verdict = f"participants' change and the comparison group's cannot be told apart (difference {d:+.2f})"
    return (
        f"- **{r['label']}**: {verdict} (95% CI {lo:+.2f} to {hi:+.2f}; {int(r['n_paired'])} participants "
        f"changed by {r['change_participants']:+.2f}, {int(r['n_comparison'])} in the comparison group by "
        f"{r['change_comparison']:+.2f}; g_change = {_num(r['effect_size'])})."
    )


def _baseline(ctx, codebook, partners: str) -> str:
    """Baseline means of participants and comparison group, where both exist
    (``baseline_balance.csv``, written by the analyse stage)."""
    table = _read(ctx, Files.BASELINE_BALANCE)
    if table is None or table.empty:
        return ""
    table = table.loc[table["instrument"] == codebook.instrument]
    if table.empty:
        return ""
    rows = []
    for r in table.sort_values("scale", key=lambda c: c.map(_scale_order(codebook)), kind="stable").to_dict("records"):
        if r["suppressed"]:
            rows.append([r["label"], f"hidden (fewer than {ctx.min_cell} people)", "", ""])
            continue
        rows.append([r["label"], f"{_num(r['mean_participants'])} (n = {_n(r['n_participants'])})", f"{_num(r['mean_comparison'])} (n = {_n(r['n_comparison'])})", _num(r["smd"], signed=True)])
    return (
        f"**How alike were the groups at the start?** First-survey means{f' at {partners}' if partners else ''} "
        "(standardised difference: participants minus comparison group, in pooled SDs; above 0.2 "
        "in absolute value the groups differed noticeably at the start):\n\n" + _table(["Scale", "Participants", "Comparison group", "Standardised difference"], rows)
    )


# --------------------------------------------------------------------------------------
# Tests side by side and individual change
# --------------------------------------------------------------------------------------


def _tests_md(ctx, codebook) -> str:
    """The paired tests of every scale, Holm-adjusted, and the shares who reliably changed.

    Returns
    -------
    str
        Markdown: a consortium-level table (n, t-test p, Holm p, Wilcoxon p, d_z, g_av,
        share reliably improved with its interval, unchanged, worsened) and a partner
        table of the share reliably improved, with the methods in words.
    """
    rows = _rows(ctx, codebook, PAIRED_CHANGE)
    if rows.empty:
        return ""
    order = _scale_order(codebook)
    cons = rows.loc[rows["group_by"] == CONSORTIUM].sort_values("scale", key=lambda s: s.map(order))
    family = next((f for f in cons.get("p_adjust_family", pd.Series(dtype=str)).fillna("") if f), "")
    table = []
    for _, r in cons.iterrows():
        if r["suppressed"]:
            table.append([r["label"], _hidden(r, ctx.min_cell)] + [""] * 8)
            continue
        table.append(
            [
                r["label"],
                _n(r["n_paired"]),
                _p(r["p_value"]),
                _p(r["p_value_adjusted"]),
                _p(r["wilcoxon_p_value"]),
                f"{_num(r['effect_size'])} {_ci(r['effect_size_ci_low'], r['effect_size_ci_high'])}",
                _num(r["g_av"]),
                f"{_pct(r['reliable_improved'])} {_ci(100 * r['reliable_improved_ci_low'], 100 * r['reliable_improved_ci_high'], 0) if not _missing(r['reliable_improved']) else ''}".strip(),
                _share_or_hidden(r, "reliable_unchanged"),
                _share_or_hidden(r, "reliable_worsened"),
            ]
        )
    method = next((m for m in cons["reliable_change_method"].fillna("") if m), "")
    partner = rows.loc[rows["group_by"] == "partner"]
    ptable = []
    for code in sorted(partner["group"].unique()):
        line = [code]
        for sc in codebook.scales:
            hit = partner.loc[(partner["group"] == code) & (partner["scale"] == sc.id)]
            if hit.empty:
                line.append("–")
                continue
            r = hit.iloc[0]
            if r["suppressed"]:
                line.append("hidden")
            elif _missing(r["reliable_improved"]):
                line.append("hidden" if "hidden" in r["note"] else "–")
            else:
                line.append(f"{_pct(r['reliable_improved'])} of {_n(r['n_paired'])}")
        ptable.append(line)
    not_computed = sorted({n.split("reliable change not computed: ", 1)[1].split(";")[0] for n in cons["note"] if "reliable change not computed" in n})
    partner_part = (
        [
            "",
            "Share of participants who reliably improved, by partner (of the people who answered both surveys):\n",
            _table(["Partner", *[sc.label.get("en", sc.id) for sc in codebook.scales]], ptable),
        ]
        if ptable
        else []
    )
    return "\n".join(
        [
            "Each scale's change among participants, tested two ways: the paired t-test (on the mean "
            "change) and the Wilcoxon signed-rank test (on the ranks of the changes; it does not assume "
            "the changes are normally distributed). Because several scales are tested, p-values are also "
            "shown adjusted with Holm's method within the family of tests they belong to: one instrument, one "
            f"kind of test, one pair of surveys, one breakdown{f' (here: {family})' if family else ''}. "
            "d_z is the mean change divided by the SD of the changes; g_av the mean change divided by the "
            "average SD of the two surveys, with Hedges' small-sample correction (Lakens 2013).\n",
            "*Reliable change* asks, person by person, whether a change is larger than the questionnaire's "
            "measurement error could produce: the Reliable Change Index (RC) of Jacobson & Truax (1991), "
            f"{method.split(': ', 1)[1] if ': ' in method else 'see the methods appendix'}. Shares describing fewer than "
            f"{ctx.min_cell} people are hidden.\n",
            _table(["Scale", "n (pairs)", "p (t-test)", "p (Holm)", "p (Wilcoxon)", "d_z [95% CI]", "g_av", "Reliably improved [95% CI]", "Unchanged", "Reliably worsened"], table),
            *([f"\nReliable change is not computed where {'; '.join(not_computed)}."] if not_computed else []),
            *partner_part,
        ]
    )


def _share_or_hidden(r, col: str) -> str:
    if _missing(r[col]) and "hidden" in r["note"]:
        return "hidden"
    return _pct(r[col])


# --------------------------------------------------------------------------------------
# Yes/no items asked twice
# --------------------------------------------------------------------------------------


def _yes_no_md(ctx, codebook) -> str:
    """McNemar's test of each yes/no item asked twice, at consortium level and per partner.

    Returns
    -------
    str
        Markdown: per item the share answering yes before and after among the people who
        answered both times, the change with its interval, McNemar's p (method named) and
        the Holm-adjusted p; empty when the instrument has no yes/no item.
    """
    rows = _rows(ctx, codebook, MCNEMAR)
    if rows.empty:
        return ""
    item_order = {it.id: k for k, it in enumerate(codebook.items)}
    rows = rows.loc[rows["group_by"].isin([CONSORTIUM, "partner"])]
    rows = rows.assign(_o=rows["item"].map(item_order), _c=rows["group_by"].ne(CONSORTIUM)).sort_values(["_o", "_c", "group"])
    table = []
    for _, r in rows.iterrows():
        if r["suppressed"]:
            table.append([r["label"], _where(r), _hidden(r, ctx.min_cell), "", "", "", "", ""])
            continue
        table.append(
            [
                r["label"],
                _where(r),
                _n(r["n_paired"]),
                _share_or_hidden(r, "mean_pre"),
                _share_or_hidden(r, "mean_post"),
                f"{_num(100 * r['mean_change'], 0, signed=True) if not _missing(r['mean_change']) else '–'} points {_ci(100 * r['ci_low'], 100 * r['ci_high'], 0) if not _missing(r['ci_low']) else ''}".strip(),
                _p(r["p_value"]),
                _p(r["p_value_adjusted"]),
            ]
        )
    methods = sorted({t.split(": ", 1)[1] for t in rows["test"].dropna() if ": " in t})
    return "\n".join(
        [
            "For each yes/no question, the share of participants answering *yes* before and after, among "
            "those who answered it both times, and the change in percentage points with its 95% interval "
            "(Wald, Agresti 2002). McNemar's test looks only at the people who changed their answer: "
            f"{'; '.join(methods) or 'see the methods appendix'}. A share is hidden where fewer than "
            f"{ctx.min_cell} people answered yes (or no).\n",
            _table(["Question", "Where", "n (pairs)", "Yes before", "Yes after", "Change [95% CI]", "p (McNemar)", "p (Holm)"], table),
        ]
    )


# --------------------------------------------------------------------------------------
# Measurement quality: reliability and attrition
# --------------------------------------------------------------------------------------


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
            "By partner, flagged: " + "; ".join(f"{r['group']} ({r['label'].lower()}, {r['population']}, {r['smd']:+.2f})" for _, r in _ordered(by_partner, codebook, first="_p").iterrows()) + "."
            if len(by_partner)
            else "No partner's difference exceeds 0.2."
        )
        sentence = (
            "At consortium level the people who stayed differed at baseline from those who left on: "
            + "; ".join(f"{r['label'].lower()} ({r['population']}, {r['smd']:+.2f})" for _, r in flagged.iterrows())
            + ". Where those who left started lower (a positive difference), the pre/post change of those who "
            "stayed may not hold for everyone who started."
            if len(flagged)
            else "At consortium level, nobody's baseline differs by more than 0.2 SD between those who stayed and those who left."
        )
        parts += [
            "**Attrition.** Not everyone who answered the first survey answered the second. If those who "
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


# --------------------------------------------------------------------------------------
# Matching by self-generated codes
# --------------------------------------------------------------------------------------


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
    labels = {w: codebook.wave_labels.get(w, {}).get("en", w).lower() for w in codebook.waves}

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


# --------------------------------------------------------------------------------------
# Methods appendix
# --------------------------------------------------------------------------------------


def methods_used(ctx, codebook=None) -> list[str]:
    """The keys of the statistics behind the run's published numbers (``methods.csv``)."""
    table = _read(ctx, Files.METHODS)
    return [] if table is None else table["key"].tolist()


# --------------------------------------------------------------------------------------
# The sections (one notebook cell each)
# --------------------------------------------------------------------------------------

COMPARISON_TITLE = "Change compared with people who did not take part"
TESTS_TITLE = "Statistical tests and individual change"
YES_NO_TITLE = "Yes/no questions asked twice"
QUALITY_TITLE = "Measurement quality: reliability and attrition"
CODES_TITLE = "Matching the two surveys by self-generated codes"
APPENDIX_TITLE = "Methods appendix"


def _section(ctx, codebook, sid: str, title: str, build, absent: str):
    """A Section of ``build(ctx, cb)`` for ``codebook`` or every pre/post community survey."""
    from pipeline.report.sections.common import Section, _md, _pre_post

    cbs = [codebook] if codebook is not None else _pre_post(ctx)
    parts = []
    for cb in cbs:
        text = build(ctx, cb)
        if text:
            parts.append(_md((f"### {cb.label()}\n\n" if len(cbs) > 1 else "") + text))
    if not parts:
        return Section(sid, title, [_md(f"*{absent}*")], available=False)
    return Section(sid, title, parts)


def comparison_group(ctx, codebook=None):
    """The difference in differences per scale, baseline comparability and the design's limits."""
    return _section(ctx, codebook, "comparison", COMPARISON_TITLE, _comparison_group_md, "No before/after survey of the community in this data folder.")


def tests_and_individual_change(ctx, codebook=None):
    """t-test, Wilcoxon and Holm-adjusted p side by side; the shares who reliably changed."""
    return _section(ctx, codebook, "tests", TESTS_TITLE, _tests_md, "No before/after survey of the community in this data folder.")


def yes_no_items(ctx, codebook=None):
    """McNemar's test of each yes/no item asked twice."""
    return _section(ctx, codebook, "yes_no", YES_NO_TITLE, _yes_no_md, "No yes/no question was asked twice in this data folder.")


def measurement_quality(ctx, codebook=None):
    """Reliability per wave and language version; attrition."""
    return _section(ctx, codebook, "quality", QUALITY_TITLE, _quality_md, "No before/after survey of the community in this data folder.")


def code_matching(ctx, codebook=None):
    """The match rate and tolerance of matching by self-generated codes."""
    return _section(ctx, codebook, "codes", CODES_TITLE, _code_matching_md, "No survey in this data folder was matched by self-generated codes.")


def methods_appendix(ctx, codebook=None):
    """Every statistic the report uses, from the code's own metadata."""
    from pipeline.report.sections.common import Section, _html

    return Section("appendix", APPENDIX_TITLE, [_html(_appendix_html(ctx, codebook))])


def _appendix_html(ctx, codebook=None) -> str:
    """The appendix as HTML: references name their DOI and URL as text, not as links,
    so that the report stays self-contained (nothing to follow or fetch)."""
    import html as _h

    table = _read(ctx, Files.METHODS)
    entries = [] if table is None else table.to_dict("records")
    out = [
        "<p>The statistics behind the numbers of this report, as the pipeline computes them "
        "(<code>pipeline/stats/</code>; tested against R's documented output and published examples). "
        "Change is always after minus before. Where a statistic cannot be computed (for instance fewer than "
        "two pairs, or no variation), the tables leave it empty and <code>indicators.csv</code> says why in its "
        "<code>note</code> column.</p>"
    ]
    for k, e in enumerate(entries, 1):
        out.append(
            f"<p><strong>{k}. {_h.escape(e['name'])}</strong></p><ul>"
            f"<li><em>Formula:</em> <code>{_h.escape(e['formula'])}</code></li>"
            f"<li><em>How data are handled:</em> {_h.escape(e['notes'])}</li>"
            f"<li><em>References:</em> {_h.escape(e['reference'])}</li></ul>"
        )
    return "\n".join(out)
