"""Attitude change in the community: change per scale and partner, the comparison
group (difference in differences), the tests side by side with individual change, and
yes/no items asked twice. Every number comes from ``indicators.csv`` (and
``baseline_balance.csv``); suppressed numbers read "hidden", never 0.

Every text is written in the report's language (:mod:`pipeline.i18n`): one catalogue
message per sentence, numbers through :mod:`pipeline.report.format`, scale and item
labels from the codebook's translations (``ctx.measure_label``). Texts the analyse stage
writes into ``indicators.csv`` in English (the family of a test, the reliable-change
method, McNemar's method, the partners with a comparison group) are read back and
written from the catalogue; a text this module does not know is shown as written.
"""

from __future__ import annotations

import pandas as pd

from pipeline import i18n
from pipeline.i18n import N_, _, ngettext, pgettext
from pipeline.report import figures, tables
from pipeline.report import format as fmt
from pipeline.report.narrative import comparison_cover as _cover
from pipeline.report.narrative import comparison_cover_text as _cover_text
from pipeline.report.narrative import inline as _inline
from pipeline.report.narrative import k_of_total as _k_of_total
from pipeline.report.narrative import reason_text
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
    _pre_post,
    _read,
    _rows,
    _scale_order,
    _section,
    _table,
    _where,
    study_design,
)
from pipeline.schema import COMPARISON_CHANGE, CONSORTIUM, DIFF_IN_DIFF, PAIRED_CHANGE, Files, first_waves, later_waves

ATTITUDES_TITLE = N_("Attitude change")
TABLES_TITLE = N_("Attitude change: tables")
NO_SURVEY = "before/after survey of the community"
NO_SURVEY_TEXT = N_("No before/after survey of the community in this data folder.")


def _title(cb) -> str:
    """A survey's title in the report's language (the instrument's name without one)."""
    return i18n.localized(cb.title, f"{cb.instrument}: title") if cb.title else cb.instrument


def _scale_label(ctx, cb, scale_id: str, default: str = "") -> str:
    return ctx.measure_label(cb.instrument, scale=scale_id, default=default or scale_id)


def _unit(cb, sc) -> str:
    return i18n.localized(sc.unit_labels or sc.unit, f"{cb.instrument}: unit of {sc.id}")


def _wave(ctx, cb, wave) -> str:
    return ctx.wave_label(cb.instrument, wave, default=str(wave))


def _row_label(ctx, cb, r) -> str:
    """The label of an ``indicators.csv`` row (a scale or a yes/no item) in the report's language."""
    item = r.get("item") if hasattr(r, "get") else None
    if isinstance(item, str) and item:
        return ctx.measure_label(cb.instrument, item=item, default=r["label"])
    return ctx.measure_label(cb.instrument, scale=r["scale"], default=r["label"])


def _labelled(ctx, cb, rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` with their ``label`` in the report's language."""
    if rows.empty:
        return rows
    return rows.assign(label=[_row_label(ctx, cb, r) for _i, r in rows.iterrows()])


def _hidden_cell() -> str:
    return pgettext("suppressed cell", "hidden")


def attitude_change(ctx) -> Section:
    """Change per scale and per partner among participants (the first two waves): dumbbells
    and the forest plot. The tables behind them are in the annex (:func:`change_by_partner`)."""
    cbs = _pre_post(ctx)
    if not cbs:
        return _absent("attitudes", ATTITUDES_TITLE, NO_SURVEY)
    parts = []
    for cb in cbs:
        ind = ctx.indicators.loc[ctx.indicators["instrument"] == cb.instrument]
        scales = [sc.id for sc in cb.scales]
        labels = {sc.id: _scale_label(ctx, cb, sc.id) for sc in cb.scales}
        who = _("**Who:** participants who answered both surveys (paired); the comparison group is in the next section.")
        if ctx.partner:
            what = _("Each scale's mean before and after, for the consortium and this partner; then the effect sizes d_z with their 95% intervals.")
        else:
            what = _("Each scale's mean before and after, for the consortium and each partner; then the effect sizes d_z with their 95% intervals.")
        where = _("The tables behind the charts, and the answers to each agreement item, are in the annex.")
        parts.append(_md(f"### {fmt.text(_title(cb))}\n\n{who} {what} {where}"))
        shown = _partner_rows(first_waves(ind), ctx.partner)
        parts.append(figures.change_dumbbells(shown, scales, {sc.id: _unit(cb, sc) for sc in cb.scales}, {sc.id: sc.range for sc in cb.scales}, labels, ctx.min_cell, highlight=ctx.partner))
        parts.append(
            figures.forest_plot(
                figures.effect_rows(ind, labels, only=ctx.partner),
                _("Effect sizes by scale and partner (participants, paired)"),
                _("effect size d_z = mean change / SD of the changes (no unit)"),
                ctx.min_cell,
            )
        )
    return Section("attitudes", _(ATTITUDES_TITLE), parts)


def change_by_partner(ctx) -> Section:
    """The tables behind the attitude charts: change by scale and partner, the answers to
    the agreement items of the paired participants, and the later waves."""
    cbs = _pre_post(ctx)
    if not cbs:
        return _absent("change_tables", TABLES_TITLE, NO_SURVEY)
    parts = []
    for cb in cbs:
        ind = ctx.indicators.loc[ctx.indicators["instrument"] == cb.instrument]
        shown = _labelled(ctx, cb, _partner_rows(first_waves(ind), ctx.partner))
        how = _(
            "Change is the mean of each person's score after minus before, with its 95% confidence interval (paired t). "
            "The effect size is d_z, the mean change divided by the standard deviation of the changes (Lakens 2013), "
            "with its 95% interval from the noncentral t distribution."
        )
        parts.append(_md(f"### {fmt.text(_title(cb))}\n\n{how}"))
        caption = _("{survey}: change by scale (participants, paired)").format(survey=_title(cb))
        parts.append(_html(tables.to_html(tables.format_indicators(shown, ctx.min_cell), caption=caption)))
        likert = [i.id for i in cb.items if 3 <= len(i.response_scale.values) <= 7 and i.response_scale.labels]
        if likert:
            rs = cb.item(likert[0]).response_scale
            same = [i for i in likert if cb.item(i).response_scale.id == rs.id]
            resp = paired_participants(ctx.responses[cb.instrument], cb)
            sub = resp.loc[resp["partner"].astype(str) == ctx.partner] if ctx.partner else resp
            counts = tables.likert_counts(sub, cb, same, {w: _wave(ctx, cb, w) for w in cb.waves})
            if ctx.partner:
                title = _("Answers to the agreement items at {partner}, before and after (participants who answered both surveys)").format(partner=ctx.partner)
            else:
                title = _("Answers to the agreement items, before and after (participants who answered both surveys)")
            parts.append(
                figures.likert_bars(
                    counts,
                    list(rs.values),
                    {k: i18n.localized(v, f"{cb.instrument}: answer {k} of {rs.id}") if v else str(k) for k, v in rs.labels.items()},
                    ctx.min_cell,
                    title=title,
                )
            )
        parts += _later_waves(ctx, cb, ind)
    return Section("change_tables", _(TABLES_TITLE), parts)


def paired_participants(resp: pd.DataFrame, cb) -> pd.DataFrame:
    """The rows of participants (not the comparison group) who answered both of the first
    two surveys: the population the change charts describe."""
    if cb.comparison_field is not None and cb.comparison_field.name in resp.columns:
        value = str(cb.comparison_field.comparison_value)
        resp = resp.loc[resp[cb.comparison_field.name].astype("string").fillna("").ne(value)]
    first, second = cb.waves[0], cb.waves[1]
    both = set(resp.loc[resp["wave"] == first, "respondent_id"]) & set(resp.loc[resp["wave"] == second, "respondent_id"])
    return resp.loc[resp["respondent_id"].isin(both) & resp["wave"].isin([first, second])]


#: The "Later waves" paragraph (``{pairs}``: the pairs of surveys compared, in words).
LATER_WAVES = N_(
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
    labels = {w: _wave(ctx, cb, w) for w in cb.waves}
    pairs = ", ".join(dict.fromkeys(f"{fmt.text(_inline(labels[a]))} → {fmt.text(_inline(labels[b]))}" for a, b in zip(later["wave_from"], later["wave_to"])))
    heading = _("Later waves")
    text = f"#### {heading}\n\n" + _(LATER_WAVES).format(pairs=pairs)
    if (later_waves(ind) & ind["analysis"].eq(DIFF_IN_DIFF)).any():
        # TRANSLATORS: {section} is the title of the section on the comparison group, in italics.
        text += " " + _("The comparison group's change between the same surveys, and the difference in differences, are in {section}.").format(section="*" + _(COMPARISON_TITLE) + "*")
    caption = _("{survey}: later waves").format(survey=_title(cb))
    return [
        _md(text),
        _html(tables.to_html(tables.format_later_waves(_labelled(ctx, cb, later), ctx.min_cell, labels), caption=caption)),
    ]


DID_LIMITS = N_(
    """\
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
)

DID_LIMITS_RANDOMISED = N_(
    """\
**What the comparison can and cannot show.** People were assigned to the activity or to the
control condition at random, so the two groups differ at the start by chance only, and
influences that moved both groups alike cancel out in the difference of the two changes.
The difference in differences therefore estimates the effect of the assignment. It can still
be biased when people left the study unevenly (see the attrition check in the annex), and
it describes the people who agreed to take part in the study, not everyone."""
)


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
    if rows.empty:
        return _("No comparison group answered this survey, so the changes above are changes among participants only; the limits of a before/after comparison apply.")
    cons = rows.loc[rows["group_by"] == CONSORTIUM]
    cover = next((n for n in cons["note"] if n.startswith("partners with a comparison group")), "")
    partners = _cover_text(cover)
    field = codebook.comparison_field
    who = ""
    if field is not None:
        value_label = ctx.choice_label(codebook.instrument, field.name, field.comparison_value, default=str(field.comparison_value))
        field_label = i18n.localized(field.label, f"{codebook.instrument}: field {field.id}") if field.label else field.id
        # TRANSLATORS: the column and the answer that mark the comparison group in the data.
        who = " " + _("(in the data: {field} = {value})").format(field=fmt.text(field_label), value=fmt.text(value_label))
    if partners:
        # TRANSLATORS: {partners} names the partners with a comparison group; {who} is empty or
        # " (in the data: ...)" with its leading space: put it right after "a comparison group".
        first = _("At {partners}, people who did not take part in the activities answered the same questionnaire at the same times: a comparison group{who}.").format(partners=partners, who=who)
    else:
        # TRANSLATORS: {who} is empty or " (in the data: ...)" with its leading space: put it right after "a comparison group".
        first = _("People who did not take part in the activities answered the same questionnaire at the same times: a comparison group{who}.").format(who=who)
    sentences = [
        first,
        _("The results before and after above describe **participants only**."),
        _(
            "The *difference in differences* is the participants' mean change minus the comparison group's mean change, with its "
            "95% confidence interval (Welch); its effect size g_change is the difference divided by the pooled "
            "SD of the change scores (Hedges' g)."
        ),
        _("Each group's own change is shown with its 95% interval (paired t)."),
    ]
    if partners:
        sentences.append(_("The consortium rows pool the partners that have a comparison group."))
    parts = ["", " ".join(sentences) + "\n"]
    table = [[_row_label(ctx, codebook, r), _where(r), *_did_cells(ctx, codebook, r)] for _i, r in _ordered(rows, codebook).iterrows()]
    parts.append(_table([pgettext("table header", "Scale"), pgettext("table header", "Where"), *did_columns()], table))
    parts.append("")
    for _i, r in cons.iterrows():
        named = r.copy()
        named["label"] = _row_label(ctx, codebook, r)
        parts.append(_did_sentence(named, ctx.min_cell))
    parts.append("")
    parts.append(_later_did_md(ctx, codebook))
    parts.append(_baseline(ctx, codebook, partners))
    parts.append("")
    parts.append(_(DID_LIMITS_RANDOMISED) if study_design(ctx, codebook)["design"] == "randomised" else _(DID_LIMITS))
    return "\n".join(parts)


#: Columns of a difference-in-differences table after the scale and the group (:func:`_did_cells`),
#: in English; :func:`did_columns` gives them in the report's language.
DID_COLUMNS = [
    N_("Participants (n)"),
    N_("Their change [95% CI]"),
    N_("Comparison (n)"),
    N_("Its change [95% CI]"),
    N_("Difference in differences [95% CI]"),
    N_("g_change [95% CI]"),
    N_("p (Welch)"),
    N_("p (Holm)"),
]


def did_columns() -> list[str]:
    """:data:`DID_COLUMNS` in the report's language."""
    return [_(c) for c in DID_COLUMNS]


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


def _surveys(codebook, r, ctx=None) -> str:
    """The two surveys a row compares, in words ("Before the series → At the follow-up")."""
    if ctx is not None:
        label = {w: _wave(ctx, codebook, w) for w in codebook.waves}
    else:
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
    table = [[f"{_row_label(ctx, codebook, r)}: {_inline(_surveys(codebook, r, ctx))}", _where(r), *_did_cells(ctx, codebook, r)] for _i, r in rows.iterrows()]
    sentences = []
    for _i, r in rows.loc[rows["group_by"] == CONSORTIUM].iterrows():
        named = r.copy()
        named["label"] = f"{_row_label(ctx, codebook, r)}, {_inline(_surveys(codebook, r, ctx))}"  # escaped by _did_sentence
        sentences.append(_did_sentence(named, ctx.min_cell))
    lead = _(
        "**Later waves.** The same comparison between a later survey and each earlier one: whether the "
        "participants' change up to the later survey, or since the second, differs from the comparison group's "
        "over the same surveys (each pair of surveys is a family of its own for Holm's adjustment)."
    )
    return "\n".join(
        [
            lead + "\n",
            _table([pgettext("table header", "Scale: surveys compared"), pgettext("table header", "Where"), *did_columns()], table),
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


def _sign(x: float) -> int:
    """-1, 0 or +1: the direction of a change as the report writes it (2 decimals)."""
    x = round(float(x), 2)
    return (x > 0) - (x < 0)


#: Both groups' changes in words, one whole clause per combination of directions
#: (participants, comparison group): "rose by", "fell by", "stayed the same".
_BOTH = {
    (1, 1): N_("participants' scores rose by {p}, the comparison group's rose by {c}"),
    (1, -1): N_("participants' scores rose by {p}, the comparison group's fell by {c}"),
    (1, 0): N_("participants' scores rose by {p}, the comparison group's stayed the same"),
    (-1, 1): N_("participants' scores fell by {p}, the comparison group's rose by {c}"),
    (-1, -1): N_("participants' scores fell by {p}, the comparison group's fell by {c}"),
    (-1, 0): N_("participants' scores fell by {p}, the comparison group's stayed the same"),
    (0, 1): N_("participants' scores stayed the same, the comparison group's rose by {c}"),
    (0, -1): N_("participants' scores stayed the same, the comparison group's fell by {c}"),
    (0, 0): N_("participants' scores stayed the same, the comparison group's stayed the same"),
}


def _both(change_participants: float, change_comparison: float) -> str:
    """Each group's change in words ("participants' scores rose by 0.82, the comparison group's fell by 0.09")."""
    message = _BOTH[(_sign(change_participants), _sign(change_comparison))]
    return _(message).format(p=_num(abs(float(change_participants))), c=_num(abs(float(change_comparison))))


def did_verdict(change_participants: float, change_comparison: float, diff: float, ci_low: float, ci_high: float, significant=None) -> str:
    """The words of a difference in differences, written from the signs of both changes.

    Each group's change is described by its own sign ("rose by", "fell by", "stayed the
    same"), and the difference in words that hold for that combination: both rose,
    "rose 0.78 more (less)"; both fell, "fell 0.20 less (more)"; otherwise the
    participants' change "lies 0.91 above (below)" the comparison group's. When the interval includes 0 the two changes "cannot be told apart";
    when ``significant`` (the family-adjusted test, ``significant_adjusted``) is False
    although the interval excludes 0, that is said too.
    """
    both = _both(change_participants, change_comparison)
    if ci_low <= 0 <= ci_high:
        how = _("the two changes cannot be told apart (difference {difference})").format(difference=_num(diff, signed=True))
        return f"{both}: {how}"
    up_p, up_c = _sign(change_participants) > 0, _sign(change_comparison) > 0
    down_p, down_c = _sign(change_participants) < 0, _sign(change_comparison) < 0
    size = _num(abs(float(diff)))
    if up_p and up_c:
        how = _("participants' scores rose {size} more than the comparison group's") if diff > 0 else _("participants' scores rose {size} less than the comparison group's")
    elif down_p and down_c:
        how = _("participants' scores fell {size} less than the comparison group's") if diff > 0 else _("participants' scores fell {size} more than the comparison group's")
    else:
        how = _("the participants' change lies {size} above the comparison group's") if diff > 0 else _("the participants' change lies {size} below the comparison group's")
    text = f"{both}: {how.format(size=size)}"
    if significant is not None and not _missing(significant) and str(significant).lower() in ("false", "0", "0.0"):
        # TRANSLATORS: added at the end of the clause on the difference between the two groups' changes.
        text += _(", though not significant after Holm's adjustment within its family of tests")
    return text


def _did_sentence(r, min_cell: int) -> str:
    label = f"- **{fmt.text(r['label'])}**: "
    if r["suppressed"]:
        return label + ngettext("not shown, a group is smaller than {k} person.", "not shown, a group is smaller than {k} people.", min_cell).format(k=fmt.count(min_cell))
    if _missing(r["mean_change"]) or _missing(r["ci_low"]):
        return label + _("not computed ({reason}).").format(reason=reason_text(r["note"]) or _("too few people"))
    d, lo, hi = r["mean_change"], r["ci_low"], r["ci_high"]
    verdict = did_verdict(r["change_participants"], r["change_comparison"], d, lo, hi, r.get("significant_adjusted"))
    where = ""
    cover = _cover(r.get("note"))
    if cover:  # "partners with a comparison group: ES-VAL, GR-THE (2 of 5 partners; the participants compared are theirs only)"
        where = " " + _("Comparison group from {partners} ({k_of_total}): the difference describes their participants only.").format(partners=cover["codes"], k_of_total=_k_of_total(cover))
    n_part, n_comp = int(r["n_paired"]), int(r["n_comparison"])
    # TRANSLATORS: {participants} is "414 participants", {comparison} "172 in the comparison group".
    text = _("{verdict} (difference {difference}, 95% CI {low} to {high}; {participants}, {comparison}; g_change = {g}).").format(
        verdict=verdict,
        difference=_num(d, signed=True),
        low=_num(lo, signed=True),
        high=_num(hi, signed=True),
        participants=ngettext("{n} participant", "{n} participants", n_part).format(n=fmt.count(n_part)),
        comparison=ngettext("{n} in the comparison group", "{n} in the comparison group", n_comp).format(n=fmt.count(n_comp)),
        g=_num(r["effect_size"]),
    )
    return label + text + fmt.text(where)


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
        label = _scale_label(ctx, codebook, r["scale"], r["label"])
        if r["suppressed"]:
            rows.append([label, ngettext("hidden (fewer than {k} person)", "hidden (fewer than {k} people)", ctx.min_cell).format(k=fmt.count(ctx.min_cell)), "", ""])
            continue
        rows.append([label, f"{_num(r['mean_participants'])} (n = {_n(r['n_participants'])})", f"{_num(r['mean_comparison'])} (n = {_n(r['n_comparison'])})", _num(r["smd"], signed=True)])
    if partners:
        # TRANSLATORS: {partners} names the partners with a comparison group; {threshold} is 0.2.
        lead = _(
            "**How alike were the groups at the start?** First-survey means at {partners} (standardised difference: participants minus "
            "comparison group, in pooled SDs; above {threshold} in absolute value the groups differed noticeably at the start):"
        ).format(partners=partners, threshold=_num(0.2, 1))
    else:
        lead = _(
            "**How alike were the groups at the start?** First-survey means (standardised difference: participants minus "
            "comparison group, in pooled SDs; above {threshold} in absolute value the groups differed noticeably at the start):"
        ).format(threshold=_num(0.2, 1))
    header = [pgettext("table header", "Scale"), pgettext("table header", "Participants"), pgettext("table header", "Comparison group"), pgettext("table header", "Standardised difference")]
    return lead + "\n\n" + _table(header, rows)


#: The family of a test as ``p_adjust_family`` gives it (:mod:`pipeline.analysis.families`):
#: "community_attitudes paired_change pre -> post tests by consortium (4 tests)".
COMPARISON_TITLE = N_("Change compared with people who did not take part")


def comparison_group(ctx, codebook=None):
    """The difference in differences per scale, baseline comparability and the design's limits;
    with three or more waves, a chart of both groups across the waves."""
    section = _section(ctx, codebook, "comparison", COMPARISON_TITLE, _comparison_group_md, NO_SURVEY_TEXT)
    if section.available:
        for cb in [codebook] if codebook is not None else _pre_post(ctx):
            points = _arm_points(ctx, cb)
            if len(points):
                section.parts.append(figures.arms_by_wave(points, [_wave(ctx, cb, w) for w in cb.waves]))
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
    label = {w: _wave(ctx, cb, w) for w in cb.waves}
    out = []
    for _i, r in rows.iterrows():
        arm = "comparison" if r["analysis"] == COMPARISON_CHANGE else "participants"
        scale = next((sc for sc in cb.scales if sc.id == r["scale"]), None)
        base = {"scale": _scale_label(ctx, cb, scale.id) if scale else r["scale"], "unit": _unit(cb, scale) if scale else r["unit"], "arm": arm, "n": r["n_paired"]}
        if r["wave_to"] == cb.waves[1]:
            out.append({**base, "wave": label[first], "mean": r["mean_pre"]})
        out.append({**base, "wave": label[r["wave_to"]], "mean": r["mean_post"]})
    return pd.DataFrame(out)
