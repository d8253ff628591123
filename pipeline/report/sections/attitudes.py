"""Attitude change in the community: change per scale and partner, the comparison
group (difference in differences), the tests side by side with individual change, and
yes/no items asked twice. Every number comes from ``indicators.csv`` (and
``baseline_balance.csv``); suppressed numbers read "hidden", never 0.
"""

from __future__ import annotations

import pandas as pd

from pipeline.report import figures, tables
from pipeline.report import format as fmt
from pipeline.report.sections.base import (
    Section,
    _absent,
    _ci,
    _hidden,
    _html,
    _md,
    _missing,
    _n,
    _num,
    _ordered,
    _p,
    _partner_rows,
    _pct,
    _pre_post,
    _read,
    _rows,
    _scale_order,
    _section,
    _table,
    _where,
    study_design,
)
from pipeline.schema import COMPARISON_CHANGE, CONSORTIUM, DIFF_IN_DIFF, MCNEMAR, PAIRED_CHANGE, RANDOM_EFFECTS, Files, first_waves, later_waves


def attitude_change(ctx) -> Section:
    """Change per scale and per partner among participants (the first two waves): dumbbells
    and the forest plot. The tables behind them are in the annex (:func:`change_by_partner`)."""
    cbs = _pre_post(ctx)
    if not cbs:
        return _absent("attitudes", "Attitude change", "before/after survey of the community")
    parts = []
    for cb in cbs:
        ind = ctx.indicators.loc[ctx.indicators["instrument"] == cb.instrument]
        scales = [sc.id for sc in cb.scales]
        labels = {sc.id: sc.label.get("en", sc.id) for sc in cb.scales}
        parts.append(
            _md(
                f"### {fmt.text(cb.label())}\n\n**Who:** participants who answered both surveys (paired); the comparison group is in the next section. "
                f"Each scale's mean before and after, for the consortium and {'this partner' if ctx.partner else 'each partner'}; then the "
                "effect sizes d_z with their 95% intervals. The tables behind the charts, and the answers to each agreement item, are in the annex."
            )
        )
        shown = _partner_rows(first_waves(ind), ctx.partner)
        parts.append(figures.change_dumbbells(shown, scales, {sc.id: sc.unit for sc in cb.scales}, {sc.id: sc.range for sc in cb.scales}, labels, ctx.min_cell, highlight=ctx.partner))
        parts.append(
            figures.forest_plot(
                figures.effect_rows(ind, labels, only=ctx.partner),
                "Effect sizes by scale and partner (participants, paired)",
                "effect size d_z = mean change / SD of the changes (no unit)",
                ctx.min_cell,
            )
        )
    return Section("attitudes", "Attitude change", parts)


def change_by_partner(ctx) -> Section:
    """The tables behind the attitude charts: change by scale and partner, the answers to
    the agreement items of the paired participants, and the later waves."""
    cbs = _pre_post(ctx)
    if not cbs:
        return _absent("change_tables", "Attitude change: tables", "before/after survey of the community")
    parts = []
    for cb in cbs:
        ind = ctx.indicators.loc[ctx.indicators["instrument"] == cb.instrument]
        shown = _partner_rows(first_waves(ind), ctx.partner)
        parts.append(
            _md(
                f"### {fmt.text(cb.label())}\n\nChange is the mean of each person's score after minus before, with its 95% confidence interval (paired t). "
                "The effect size is d_z, the mean change divided by the standard deviation of the changes (Lakens 2013), "
                "with its 95% interval from the noncentral t distribution."
            )
        )
        parts.append(_html(tables.to_html(tables.format_indicators(shown, ctx.min_cell), caption=f"{cb.label()}: change by scale (participants, paired)")))
        likert = [i.id for i in cb.items if 3 <= len(i.response_scale.values) <= 7 and i.response_scale.labels]
        if likert:
            rs = cb.item(likert[0]).response_scale
            same = [i for i in likert if cb.item(i).response_scale.id == rs.id]
            resp = paired_participants(ctx.responses[cb.instrument], cb)
            sub = resp.loc[resp["partner"].astype(str) == ctx.partner] if ctx.partner else resp
            counts = tables.likert_counts(sub, cb, same, {w: cb.wave_labels[w].get("en", w) for w in cb.waves})
            who = f" at {ctx.partner}" if ctx.partner else ""
            parts.append(
                figures.likert_bars(
                    counts,
                    list(rs.values),
                    {k: v.get("en", str(k)) for k, v in rs.labels.items()},
                    ctx.min_cell,
                    title=f"Answers to the agreement items{who}, before and after (participants who answered both surveys)",
                )
            )
        parts += _later_waves(ctx, cb, ind)
    return Section("change_tables", "Attitude change: tables", parts)


def paired_participants(resp: pd.DataFrame, cb) -> pd.DataFrame:
    """The rows of participants (not the comparison group) who answered both of the first
    two surveys: the population the change charts describe."""
    if cb.comparison_field is not None and cb.comparison_field.name in resp.columns:
        value = str(cb.comparison_field.comparison_value)
        resp = resp.loc[resp[cb.comparison_field.name].astype("string").fillna("").ne(value)]
    first, second = cb.waves[0], cb.waves[1]
    both = set(resp.loc[resp["wave"] == first, "respondent_id"]) & set(resp.loc[resp["wave"] == second, "respondent_id"])
    return resp.loc[resp["respondent_id"].isin(both) & resp["wave"].isin([first, second])]


LATER_WAVES = (
    "#### Later waves\n\n"
    "The same people compared again at a later survey: the later survey with the first and with the second "
    "({pairs}), among the participants who answered both surveys of each pair. Change is the later score minus "
    "the earlier one, with its 95% confidence interval (paired t); the effect size is d_z, the mean change divided "
    "by the standard deviation of the changes (Lakens 2013), with its 95% interval from the noncentral t "
    "distribution. In `indicators.csv` each pair of surveys is a family of its own for Holm's adjustment of the "
    "p-values. A question not asked at a later survey is not shown."
)


def _later_waves(ctx, cb, ind: pd.DataFrame) -> list:
    """The "Later waves" table of one instrument: participants' change between each later
    pair of waves (a follow-up with the first and with the second survey), for the
    consortium and the partners shown; nothing when the instrument has no later rows."""
    if "analysis" not in ind.columns:
        return []
    later = _partner_rows(ind.loc[later_waves(ind) & ind["analysis"].eq(PAIRED_CHANGE)], ctx.partner)
    if later.empty:
        return []
    waves = {w: k for k, w in enumerate(cb.waves)}
    scales = {sc.id: k for k, sc in enumerate(cb.scales)}
    later = later.assign(
        _to=later["wave_to"].map(waves),
        _from=later["wave_from"].map(waves),
        _s=later["scale"].map(scales),
        _c=later["group_by"].ne(CONSORTIUM),
    ).sort_values(["_to", "_from", "_s", "_c", "group"], kind="stable")
    labels = {w: cb.wave_labels.get(w, {}).get("en", w) for w in cb.waves}
    pairs = ", ".join(dict.fromkeys(f"{fmt.text(fmt.lower_first(labels[a]))} → {fmt.text(fmt.lower_first(labels[b]))}" for a, b in zip(later["wave_from"], later["wave_to"])))
    text = LATER_WAVES.format(pairs=pairs)
    if (later_waves(ind) & ind["analysis"].eq(DIFF_IN_DIFF)).any():
        text += " The comparison group's change between the same surveys, and the difference in differences, are in *Change compared with people who did not take part*."
    return [
        _md(text),
        _html(tables.to_html(tables.format_later_waves(later, ctx.min_cell, labels), caption=f"{cb.label()}: later waves")),
    ]


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

DID_LIMITS_RANDOMISED = """\
**What the comparison can and cannot show.** People were assigned to the activity or to the
control condition at random, so the two groups differ at the start by chance only, and
influences that moved both groups alike cancel out in the difference of the two changes.
The difference in differences therefore estimates the effect of the assignment. It can still
be biased when people left the study unevenly (see the attrition check in the annex), and
it describes the people who agreed to take part in the study, not everyone."""


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
        who = f" (in the data: {fmt.text(field.label.get('en', field.id))} = {fmt.text(value_label)})"
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
    parts.append(DID_LIMITS_RANDOMISED if study_design(ctx, codebook)["design"] == "randomised" else DID_LIMITS)
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
    table = [[f"{r['label']}: {fmt.lower_first(_surveys(codebook, r))}", _where(r), *_did_cells(ctx, codebook, r)] for _, r in rows.iterrows()]
    sentences = []
    for _, r in rows.loc[rows["group_by"] == CONSORTIUM].iterrows():
        named = r.copy()
        named["label"] = f"{r['label']}, {fmt.lower_first(_surveys(codebook, r))}"  # escaped by _did_sentence
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


def _moved(x: float) -> str:
    """ "rose by 0.82", "fell by 0.10" or "stayed the same", from the sign of a change (2 decimals)."""
    if round(float(x), 2) == 0:
        return "stayed the same"
    return f"{'rose' if x > 0 else 'fell'} by {abs(float(x)):.2f}"


def did_verdict(change_participants: float, change_comparison: float, diff: float, ci_low: float, ci_high: float, significant=None) -> str:
    """The words of a difference in differences, written from the signs of both changes.

    Each group's change is described by its own sign ("rose by", "fell by", "stayed the
    same"), and the difference in words that hold for that combination: both rose,
    "rose 0.78 more (less)"; both fell, "fell 0.20 less (more)"; otherwise the
    participants' change "lies 0.91 above (below)" the comparison group's. When the interval includes 0 the two changes "cannot be told apart";
    when ``significant`` (the family-adjusted test, ``significant_adjusted``) is False
    although the interval excludes 0, that is said too.
    """
    part, comp = _moved(change_participants), _moved(change_comparison)
    both = f"participants' scores {part}, the comparison group's {comp}"
    if ci_low <= 0 <= ci_high:
        return f"{both}: the two changes cannot be told apart (difference {diff:+.2f})"
    up_p, up_c = round(change_participants, 2) > 0, round(change_comparison, 2) > 0
    down_p, down_c = round(change_participants, 2) < 0, round(change_comparison, 2) < 0
    size = f"{abs(diff):.2f}"
    if up_p and up_c:
        how = f"participants' scores rose {size} {'more' if diff > 0 else 'less'} than the comparison group's"
    elif down_p and down_c:
        how = f"participants' scores fell {size} {'less' if diff > 0 else 'more'} than the comparison group's"
    else:
        how = f"the participants' change lies {size} {'above' if diff > 0 else 'below'} the comparison group's"
    text = f"{both}: {how}"
    if significant is not None and not _missing(significant) and str(significant).lower() in ("false", "0", "0.0"):
        text += ", though not significant after Holm's adjustment within its family of tests"
    return text


def _did_sentence(r, min_cell: int) -> str:
    if r["suppressed"]:
        return f"- **{fmt.text(r['label'])}**: not shown, a group is smaller than {min_cell} people."
    if _missing(r["mean_change"]) or _missing(r["ci_low"]):
        return f"- **{fmt.text(r['label'])}**: not computed ({r['note'] or 'too few people'})."
    d, lo, hi = r["mean_change"], r["ci_low"], r["ci_high"]
    verdict = did_verdict(r["change_participants"], r["change_comparison"], d, lo, hi, r.get("significant_adjusted"))
    note = str(r.get("note") or "")
    cover = note.split("; ")[0] if note.startswith("partners with a comparison group") else ""
    where = ""
    if cover:  # "partners with a comparison group: ES-VAL, GR-THE (2 of 5 partners; the participants compared are theirs only)"
        where = f" Comparison group from {cover.split(': ', 1)[1].split(' (')[0]} ({cover.split(' (', 1)[1].split(';')[0]}): the difference describes their participants only."
    return (
        f"- **{fmt.text(r['label'])}**: {verdict} (difference {d:+.2f}, 95% CI {lo:+.2f} to {hi:+.2f}; {int(r['n_paired'])} participants, "
        f"{int(r['n_comparison'])} in the comparison group; g_change = {_num(r['effect_size'])}).{fmt.text(where)}"
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
            _random_effects_md(ctx, codebook),
        ]
    )


def _random_effects_md(ctx, codebook) -> str:
    """The change across partners as sites (the ``random_effects`` rows): estimate with its
    Hartung-Knapp-Sidik-Jonkman interval beside the pooled change, the prediction interval
    for a new partner, tau^2 and I^2. Empty in a partner's report or without such rows."""
    ind = ctx.indicators
    if ctx.partner or "analysis" not in ind.columns:
        return ""
    rows = first_waves(ind.loc[(ind["instrument"] == codebook.instrument) & ind["analysis"].eq(RANDOM_EFFECTS)])
    rows = rows.loc[~rows["suppressed"].astype(bool) & rows["mean_change"].notna()]
    if rows.empty:
        return ""
    pooled = first_waves(ind.loc[(ind["instrument"] == codebook.instrument) & ind["analysis"].eq(PAIRED_CHANGE) & ind["group_by"].eq(CONSORTIUM)]).set_index("scale")["mean_change"]
    table = []
    for _, r in rows.sort_values("scale", key=lambda c: c.map(_scale_order(codebook))).iterrows():
        whole = pooled.get(r["scale"])
        table.append(
            [
                r["label"],
                f"{_num(r['mean_change'], signed=True)} {_ci(r['ci_low'], r['ci_high'])}",
                _num(whole, signed=True) if whole is not None else "–",
                _ci(r["pi_low"], r["pi_high"]) if not _missing(r["pi_low"]) else "–",
                _num(r["tau2"], 3),
                _pct(r["i2"]),
                f"{_num(r['effect_size'])} {_ci(r['effect_size_ci_low'], r['effect_size_ci_high'])}",
                _n(r["k_partners"]),
            ]
        )
    return "\n".join(
        [
            "",
            "**Across partners.** Respondents are grouped in partners: the pooled change counts everyone alike, so a large "
            "partner weighs most. Here each partner is a site and the partners' changes are combined (random effects, REML; "
            "the interval with the Hartung-Knapp-Sidik-Jonkman adjustment, as few partners take part). The prediction interval "
            "is where a new partner's change would fall; I² is the share of the differences between partners beyond chance. "
            "Where the prediction interval includes 0, the change could be nil or reversed at a new partner.\n",
            _table(["Scale", "Across partners [95% CI]", "Pooled", "New partner [95% PI]", "tau²", "I²", "d_z across partners [95% CI]", "Partners"], table),
        ]
    )


def _share_or_hidden(r, col: str) -> str:
    if _missing(r[col]) and "hidden" in r["note"]:
        return "hidden"
    return _pct(r[col])


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


COMPARISON_TITLE = "Change compared with people who did not take part"


TESTS_TITLE = "Statistical tests and individual change"


YES_NO_TITLE = "Yes/no questions asked twice"


def comparison_group(ctx, codebook=None):
    """The difference in differences per scale, baseline comparability and the design's limits;
    with three or more waves, a chart of both groups across the waves."""
    section = _section(ctx, codebook, "comparison", COMPARISON_TITLE, _comparison_group_md, "No before/after survey of the community in this data folder.")
    if section.available:
        for cb in [codebook] if codebook is not None else _pre_post(ctx):
            points = _arm_points(ctx, cb)
            if len(points):
                section.parts.append(figures.arms_by_wave(points, [cb.wave_labels.get(w, {}).get("en", w) for w in cb.waves]))
    return section


def _arm_points(ctx, cb) -> pd.DataFrame:
    """Consortium means of participants and the comparison group at each wave, read from the
    published change rows (first wave and second from the first pair; each later wave from the
    pair first -> it). Empty with fewer than three waves or without a comparison group."""
    ind = ctx.indicators
    if len(cb.waves) < 3 or "analysis" not in ind.columns:
        return pd.DataFrame()
    first = cb.waves[0]
    rows = ind.loc[(ind["instrument"] == cb.instrument) & (ind["group_by"] == CONSORTIUM) & ~ind["suppressed"].astype(bool) & (ind["wave_from"] == first)]
    rows = rows.loc[rows["analysis"].isin(["paired_change", COMPARISON_CHANGE])]
    if not (rows["analysis"] == COMPARISON_CHANGE).any():
        return pd.DataFrame()
    label = {w: cb.wave_labels.get(w, {}).get("en", w) for w in cb.waves}
    out = []
    for _, r in rows.iterrows():
        arm = "comparison" if r["analysis"] == COMPARISON_CHANGE else "participants"
        scale = next((sc for sc in cb.scales if sc.id == r["scale"]), None)
        base = {"scale": scale.label.get("en", r["scale"]) if scale else r["scale"], "unit": r["unit"], "arm": arm, "n": r["n_paired"]}
        if r["wave_to"] == cb.waves[1]:
            out.append({**base, "wave": label[first], "mean": r["mean_pre"]})
        out.append({**base, "wave": label[r["wave_to"]], "mean": r["mean_post"]})
    return pd.DataFrame(out)


def tests_and_individual_change(ctx, codebook=None):
    """t-test, Wilcoxon and Holm-adjusted p side by side; the shares who reliably changed."""
    return _section(ctx, codebook, "tests", TESTS_TITLE, _tests_md, "No before/after survey of the community in this data folder.")


def yes_no_items(ctx, codebook=None):
    """McNemar's test of each yes/no item asked twice."""
    return _section(ctx, codebook, "yes_no", YES_NO_TITLE, _yes_no_md, "No yes/no question was asked twice in this data folder.")
