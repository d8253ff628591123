"""Report sections: the statistical tests and individual change of each scale (t-test,
Wilcoxon, Holm-adjusted p, reliable change, the random-effects estimate across partners) and
McNemar's test of each yes/no question asked twice.

Split from :mod:`pipeline.report.sections.attitudes` (the attitude change these tests
belong to), whose labels and hidden-cell helpers they share; the texts that
``indicators.csv`` publishes in English (families of tests, methods) are read back into
their parts and written from the catalogue.
"""

from __future__ import annotations

import re

import pandas as pd

from pipeline.i18n import N_, _, ngettext, pgettext
from pipeline.report import format as fmt
from pipeline.report.narrative import reason_text
from pipeline.report.sections.attitudes import NO_SURVEY_TEXT, _hidden_cell, _row_label, _scale_label
from pipeline.report.sections.base import _ci, _hidden, _missing, _n, _num, _p, _pct, _rows, _scale_order, _section, _table, _where
from pipeline.schema import CONSORTIUM, MCNEMAR, PAIRED_CHANGE, RANDOM_EFFECTS, first_waves

_FAMILY = re.compile(r"^(?P<instrument>\S+) (?P<analysis>\S+) (?P<wave_from>\S+) -> (?P<wave_to>\S+) tests by (?P<group_by>\S+) \((?P<n>\d+) tests\)$")


def _breakdown(code: str) -> str:
    """What the rows of a family of tests are grouped by, in words (the code when unknown)."""
    words = {
        "consortium": pgettext("breakdown of a family of tests", "consortium"),
        "partner": pgettext("breakdown of a family of tests", "partner"),
        "country": pgettext("breakdown of a family of tests", "country"),
        "gender": pgettext("breakdown of a family of tests", "gender"),
        "age_group": pgettext("breakdown of a family of tests", "age_group"),
        "group": pgettext("breakdown of a family of tests", "group"),
    }
    return words.get(code, code)


def _family_text(family: str) -> str:
    """A family of tests in the report's language; as written when its form is unknown."""
    m = _FAMILY.match(family)
    if not m:
        return family
    g = m.groupdict()
    n = int(g["n"])
    breakdown = _breakdown(g["group_by"])
    # TRANSLATORS: a family of tests for Holm's adjustment, as indicators.csv names it: {instrument},
    # {analysis} and the waves are codes of the data (keep them); {breakdown} is what the rows are grouped by.
    return ngettext(
        "{instrument} {analysis} {wave_from} -> {wave_to} tests by {breakdown} ({n} test)",
        "{instrument} {analysis} {wave_from} -> {wave_to} tests by {breakdown} ({n} tests)",
        n,
    ).format(instrument=g["instrument"], analysis=g["analysis"], wave_from=g["wave_from"], wave_to=g["wave_to"], breakdown=breakdown, n=fmt.count(n))


#: The reliable-change method as the analyse stage writes it (``reliable_change_method``,
#: :func:`pipeline.analysis.indicators._rc_method`), after "Jacobson & Truax (1991): ".
_RC_METHOD = re.compile(
    r"^RC = change / S_diff, S_diff = sqrt\(2\) \* SD_pre \* sqrt\(1 - r_xx\) = (?P<s_diff>[0-9.]+) "
    r"\((?P<source>.*); SD_pre: the SD at (?P<wave>'[^']*') of all paired participants\); "
    r"reliable if \|RC\| > (?P<threshold>[0-9.]+); 95% Wilson interval$"
)
#: The formula of S_diff, in symbols only (the same in every language).
_RC_FORMULA = "S_diff = sqrt(2) * SD_pre * sqrt(1 - r_xx)"
_RC_SAMPLE = re.compile(r"^r_xx = (?P<r_xx>[0-9.]+), Cronbach's alpha at (?P<wave>'[^']*') measured in the sample \(reliability\.csv\)(?:; the codebook gives (?P<nominal>[0-9.]+))?$")
_RC_CODEBOOK = re.compile(r"^r_xx = (?P<r_xx>[0-9.]+) from the codebook \(alpha could not be measured in the sample\)$")


def _as_written(number: str) -> str:
    """A number read from a text, written again in the report's language with as many decimals."""
    digits = len(number.split(".", 1)[1]) if "." in number else 0
    return _num(float(number), digits)


def _rc_method_text(method: str) -> str:
    """How reliable change was judged, in the report's language (the part of
    ``reliable_change_method`` after "Jacobson & Truax (1991): "); as written when unknown."""
    m = _RC_METHOD.match(method)
    if not m:
        return method
    source = m["source"]
    sample, codebook = _RC_SAMPLE.match(source), _RC_CODEBOOK.match(source)
    if sample and sample["nominal"]:
        source = _("r_xx = {r_xx}, Cronbach's alpha at {wave} measured in the sample (reliability.csv); the codebook gives {nominal}").format(
            r_xx=_as_written(sample["r_xx"]), wave=sample["wave"], nominal=_as_written(sample["nominal"])
        )
    elif sample:
        source = _("r_xx = {r_xx}, Cronbach's alpha at {wave} measured in the sample (reliability.csv)").format(r_xx=_as_written(sample["r_xx"]), wave=sample["wave"])
    elif codebook:
        source = _("r_xx = {r_xx} from the codebook (alpha could not be measured in the sample)").format(r_xx=_as_written(codebook["r_xx"]))
    else:
        return method
    # TRANSLATORS: the Reliable Change Index's formula and rule; keep the symbols (RC, S_diff, SD_pre, r_xx); {formula} is S_diff's formula;
    # {wave} is the code of the first survey in quotes; {source} says where r_xx comes from.
    return _("RC = change / S_diff, {formula} = {s_diff} ({source}; SD_pre: the SD at {wave} of all paired participants); reliable if |RC| > {threshold}; 95% Wilson interval").format(
        formula=_RC_FORMULA, s_diff=_as_written(m["s_diff"]), source=source, wave=m["wave"], threshold=_as_written(m["threshold"])
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
    for _i, r in cons.iterrows():
        label = _row_label(ctx, codebook, r)
        if r["suppressed"]:
            table.append([label, _hidden(r, ctx.min_cell)] + [""] * 8)
            continue
        table.append(
            [
                label,
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
                line.append(_hidden_cell())
            elif _missing(r["reliable_improved"]):
                line.append(_hidden_cell() if "hidden" in r["note"] else "–")
            else:
                # TRANSLATORS: a share of the people of a partner, e.g. "9% of 145".
                line.append(_("{share} of {n}").format(share=_pct(r["reliable_improved"]), n=_n(r["n_paired"])))
        ptable.append(line)
    not_computed = sorted({n.split("reliable change not computed: ", 1)[1].split(";")[0] for n in cons["note"] if "reliable change not computed" in n})
    partner_part = (
        [
            "",
            _("Share of participants who reliably improved, by partner (of the people who answered both surveys):") + "\n",
            _table([pgettext("table header", "Partner"), *[_scale_label(ctx, codebook, sc.id) for sc in codebook.scales]], ptable),
        ]
        if ptable
        else []
    )
    tested = _(
        "Each scale's change among participants, tested two ways: the paired t-test (on the mean "
        "change) and the Wilcoxon signed-rank test (on the ranks of the changes; it does not assume "
        "the changes are normally distributed)."
    )
    if family:
        # TRANSLATORS: {family} names the family of tests, e.g. "community_attitudes paired_change pre -> post tests by consortium (4 tests)".
        holm = _(
            "Because several scales are tested, p-values are also shown adjusted with Holm's method within the family of tests "
            "they belong to: one instrument, one kind of test, one pair of surveys, one breakdown (here: {family})."
        ).format(family=_family_text(family))
    else:
        holm = _(
            "Because several scales are tested, p-values are also shown adjusted with Holm's method within the family of tests "
            "they belong to: one instrument, one kind of test, one pair of surveys, one breakdown."
        )
    sizes = _("d_z is the mean change divided by the SD of the changes; g_av the mean change divided by the average SD of the two surveys, with Hedges' small-sample correction (Lakens 2013).")
    how = _rc_method_text(method.split(": ", 1)[1]) if ": " in method else _("see the methods appendix")
    # TRANSLATORS: {method} is the Reliable Change Index's formula and rule.
    reliable = _(
        "*Reliable change* asks, person by person, whether a change is larger than the questionnaire's "
        "measurement error could produce: the Reliable Change Index (RC) of Jacobson & Truax (1991), {method}."
    ).format(method=how)
    hidden = ngettext("Shares describing fewer than {k} person are hidden.", "Shares describing fewer than {k} people are hidden.", ctx.min_cell).format(k=fmt.count(ctx.min_cell))
    header = [
        pgettext("table header", "Scale"),
        pgettext("table header", "n (pairs)"),
        pgettext("table header", "p (t-test)"),
        pgettext("table header", "p (Holm)"),
        pgettext("table header", "p (Wilcoxon)"),
        pgettext("table header", "d_z [95% CI]"),
        "g_av",
        pgettext("table header", "Reliably improved [95% CI]"),
        pgettext("table header", "Unchanged"),
        pgettext("table header", "Reliably worsened"),
    ]
    # TRANSLATORS: {reasons} are the reasons reliable change could not be computed ("no complete pairs").
    missing = _("Reliable change is not computed where {reasons}.").format(reasons="; ".join(reason_text(n) for n in not_computed))
    return "\n".join(
        [
            f"{tested} {holm} {sizes}\n",
            f"{reliable} {hidden}\n",
            _table(header, table),
            *([f"\n{missing}"] if not_computed else []),
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
    for _i, r in rows.sort_values("scale", key=lambda c: c.map(_scale_order(codebook))).iterrows():
        whole = pooled.get(r["scale"])
        table.append(
            [
                _row_label(ctx, codebook, r),
                f"{_num(r['mean_change'], signed=True)} {_ci(r['ci_low'], r['ci_high'])}",
                _num(whole, signed=True) if whole is not None else "–",
                _ci(r["pi_low"], r["pi_high"]) if not _missing(r["pi_low"]) else "–",
                _num(r["tau2"], 3),
                _pct(r["i2"]),
                f"{_num(r['effect_size'])} {_ci(r['effect_size_ci_low'], r['effect_size_ci_high'])}",
                _n(r["k_partners"]),
            ]
        )
    text = _(
        "**Across partners.** Respondents are grouped in partners: the pooled change counts everyone alike, so a large "
        "partner weighs most. Here each partner is a site and the partners' changes are combined (random effects, REML; "
        "the interval with the Hartung-Knapp-Sidik-Jonkman adjustment, as few partners take part). The prediction interval "
        "is where a new partner's change would fall; I² is the share of the differences between partners beyond chance. "
        "Where the prediction interval includes 0, the change could be nil or reversed at a new partner."
    )
    header = [
        pgettext("table header", "Scale"),
        pgettext("table header", "Across partners [95% CI]"),
        pgettext("table header", "Pooled"),
        pgettext("table header", "New partner [95% PI]"),
        "tau²",
        "I²",
        pgettext("table header", "d_z across partners [95% CI]"),
        pgettext("table header", "Partners"),
    ]
    return "\n".join(["", text + "\n", _table(header, table)])


def _share_or_hidden(r, col: str) -> str:
    if _missing(r[col]) and "hidden" in r["note"]:
        return _hidden_cell()
    return _pct(r[col])


#: McNemar's methods as the statistics name them (``test`` of ``indicators.csv`` after
#: "McNemar's test: "), marked for the catalogue.
MCNEMAR_METHODS = frozenset(
    (
        N_("chi-square with continuity correction (df = 1)"),
        N_("chi-square, no continuity correction as b = c (df = 1)"),
        N_("exact binomial (statistic = min(b, c))"),
    )
)


def _points(change, interval: str) -> str:
    """A change in percentage points with its interval ("+3 points [0, 7]"), singular for one point."""
    if _missing(change):
        k, shown = 2, "–"
    else:
        shown = _num(100 * change, 0, signed=True)
        k = abs(int(round(100 * float(change))))
    if interval:
        # TRANSLATORS: a change in percentage points with its interval, e.g. "+3 points [0, 7]".
        return ngettext("{change} point {interval}", "{change} points {interval}", k).format(change=shown, interval=interval)
    return ngettext("{change} point", "{change} points", k).format(change=shown)


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
    for _i, r in rows.iterrows():
        label = _row_label(ctx, codebook, r)
        if r["suppressed"]:
            table.append([label, _where(r), _hidden(r, ctx.min_cell), "", "", "", "", ""])
            continue
        table.append(
            [
                label,
                _where(r),
                _n(r["n_paired"]),
                _share_or_hidden(r, "mean_pre"),
                _share_or_hidden(r, "mean_post"),
                _points(r["mean_change"], _ci(100 * r["ci_low"], 100 * r["ci_high"], 0) if not _missing(r["ci_low"]) else ""),
                _p(r["p_value"]),
                _p(r["p_value_adjusted"]),
            ]
        )
    methods = sorted({t.split(": ", 1)[1] for t in rows["test"].dropna() if ": " in t})
    shown = "; ".join(_(m) if m in MCNEMAR_METHODS else m for m in methods) or _("see the methods appendix")
    intro = _(
        "For each yes/no question, the share of participants answering *yes* before and after, among "
        "those who answered it both times, and the change in percentage points with its 95% interval "
        "(Wald, Agresti 2002)."
    )
    # TRANSLATORS: {methods} names the form of McNemar's test used ("chi-square with continuity correction (df = 1)").
    mcnemar = _("McNemar's test looks only at the people who changed their answer: {methods}.").format(methods=shown)
    hidden = ngettext("A share is hidden where fewer than {k} person answered yes (or no).", "A share is hidden where fewer than {k} people answered yes (or no).", ctx.min_cell).format(
        k=fmt.count(ctx.min_cell)
    )
    header = [
        pgettext("table header", "Question"),
        pgettext("table header", "Where"),
        pgettext("table header", "n (pairs)"),
        pgettext("table header", "Yes before"),
        pgettext("table header", "Yes after"),
        pgettext("table header", "Change [95% CI]"),
        pgettext("table header", "p (McNemar)"),
        pgettext("table header", "p (Holm)"),
    ]
    return "\n".join([f"{intro} {mcnemar} {hidden}\n", _table(header, table)])


TESTS_TITLE = N_("Statistical tests and individual change")


YES_NO_TITLE = N_("Yes/no questions asked twice")


NO_YES_NO_TEXT = N_("No yes/no question was asked twice in this data folder.")


def tests_and_individual_change(ctx, codebook=None):
    """t-test, Wilcoxon and Holm-adjusted p side by side; the shares who reliably changed."""
    return _section(ctx, codebook, "tests", TESTS_TITLE, _tests_md, NO_SURVEY_TEXT)


def yes_no_items(ctx, codebook=None):
    """McNemar's test of each yes/no item asked twice."""
    return _section(ctx, codebook, "yes_no", YES_NO_TITLE, _yes_no_md, NO_YES_NO_TEXT)
