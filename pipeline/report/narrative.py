"""Plain-language text for reports, written from the numbers.

Each function returns Markdown in the report's language (:mod:`pipeline.i18n`): every
sentence is one catalogue message with named placeholders, numbers are written by
:mod:`pipeline.report.format` (a decimal comma in Italian). Numbers come with their n and
interval, and the effect size is named (d_z: mean change divided by the SD of the changes).
"""

from __future__ import annotations

import math
import re

import pandas as pd

from pipeline import i18n
from pipeline.i18n import N_, _, ngettext, pgettext
from pipeline.report import format as fmt
from pipeline.schema import CONSORTIUM, paired_rows

# The value of pipeline.analysis.indicators.CONSORTIUM, not imported from there: reports load
# this module in every kernel and should not pay for the statistics libraries.

#: (marked for the catalogue: the methods section shows it in the report's language,
#: ``_(DESIGN_LIMITS)`` or :func:`design_limits`)
DESIGN_LIMITS = N_("""\
**What a before/after comparison can and cannot show.** These results compare the
answers of the same people before and after the activities. They show whether and how
much answers changed. Without a comparison group of similar people who did not take
part, they cannot show that the activities *caused* the change: news and events,
the season, the wish to give the expected answer after taking part, regression of
extreme answers towards the middle, and who chose to answer the second survey can
all move the numbers too. A change whose confidence interval excludes zero is
unlikely to be chance alone; whether it is due to the project is a judgement the
design leaves open. Where a survey includes a comparison group, the report shows
the difference between the two groups' changes, which rules out influences that
affected both groups alike.""")


def design_limits() -> str:
    """What a before/after comparison can and cannot show, in the report's language."""
    return _(DESIGN_LIMITS)


_num = fmt.num


def inline(text) -> str:
    """A label inside a sentence: first word in lower case (:func:`fmt.lower_first`), except
    in German, where every noun keeps its capital ("Einstellungen", "Nachbefragung")."""
    return str(text) if i18n.active() == "de" else fmt.lower_first(text)


def _count_of(row: dict, col: str) -> int:
    try:
        return int(row[col])
    except (KeyError, TypeError, ValueError):
        return 0


def change_sentence(row: dict, unit: str = "") -> str:
    """One sentence on one indicator row: levels, change with CI and n, d_z.

    ``row["label"]`` is shown as given: the caller passes the label in the report's
    language (``ctx.measure_label``); ``unit`` likewise.
    """
    label = fmt.text(row["label"])
    if row.get("suppressed"):
        return f"- **{label}**: " + _("not shown, the group is smaller than the minimum size.")
    if row.get("n_paired", 0) == 0 or pd.isna(row.get("mean_change")):
        reason = reason_text(row.get("note")) or _("no one answered both surveys")
        return f"- **{label}**: " + _("not computed ({reason}).").format(reason=reason)
    lo, hi = row["ci_low"], row["ci_high"]
    n = _count_of(row, "n_paired")
    subject = f"**{label}**" + (f" ({fmt.text(unit)})" if unit else "")
    values = {
        "subject": subject,
        "before": _num(row["mean_pre"]),
        "after": _num(row["mean_post"]),
        "n": fmt.count(n),
        "change": _num(row["mean_change"], signed=True),
        "level": fmt.pct(float(row.get("confidence", 0.95))),
        "low": _num(lo),
        "high": _num(hi),
        "d": _num(row["effect_size"]),
        "d_low": _num(row["effect_size_ci_low"]),
        "d_high": _num(row["effect_size_ci_high"]),
    }
    if lo > 0:
        # TRANSLATORS: {subject} is a scale's name in bold, perhaps with its unit in brackets;
        # {level} is the confidence level ("95%"); {low} and {high} the ends of its interval.
        text = ngettext(
            "{subject} rose: from {before} to {after} among the {n} person who answered both surveys; change {change} ({level} CI {low} to {high}), effect size d_z = {d} (95% CI {d_low} to {d_high}).",
            "{subject} rose: from {before} to {after} among the {n} people who answered both surveys; change {change} ({level} CI {low} to {high}), effect size d_z = {d} (95% CI {d_low} to {d_high}).",
            n,
        )
    elif hi < 0:
        text = ngettext(
            "{subject} fell: from {before} to {after} among the {n} person who answered both surveys; change {change} ({level} CI {low} to {high}), effect size d_z = {d} (95% CI {d_low} to {d_high}).",
            "{subject} fell: from {before} to {after} among the {n} people who answered both surveys; change {change} ({level} CI {low} to {high}), effect size d_z = {d} (95% CI {d_low} to {d_high}).",
            n,
        )
    else:
        text = ngettext(
            "{subject} did not change clearly: from {before} to {after} among the {n} person who answered both surveys; change {change} ({level} CI {low} to {high}), effect size d_z = {d} (95% CI {d_low} to {d_high}).",
            "{subject} did not change clearly: from {before} to {after} among the {n} people who answered both surveys; change {change} ({level} CI {low} to {high}), effect size d_z = {d} (95% CI {d_low} to {d_high}).",
            n,
        )
    return "- " + text.format(**values)


#: Why a number was not computed, as the statistics write it (``note`` of ``indicators.csv``,
#: parts separated by "; "), marked for the catalogue: :func:`reason_text` shows them.
REASONS = frozenset(
    (
        N_("no complete pairs"),
        N_("fewer than 2 pairs"),
        N_("differences have zero variance"),
        N_("all differences are zero"),
        N_("noncentral t interval of d_z could not be computed"),
        N_("pre or post scores have zero variance (r undefined)"),
        N_("pre and post scores have zero variance (d_av undefined)"),
        N_("reliability is missing"),
        N_("fewer than 2 pairs to estimate the SD"),
        N_("the SD of the scores is zero"),
        N_("no reliability: alpha could not be measured and the codebook gives none"),
        N_("intermediate results are not finite (values too large to compute with)"),
        N_("change scores have zero variance in both groups"),
        N_("no discordant pairs (b + c = 0)"),
        N_("everyone changed the same way"),
        N_("fewer than 2 partners to combine"),
        N_("prediction interval needs at least 3 partners"),
    )
)


def reason_text(note) -> str:
    """A note of the statistics in the report's language: each known part translated, an
    unknown part as written (English); "" for no note."""
    if fmt.missing(note) or not str(note).strip():
        return ""
    return "; ".join(_(part) if part in REASONS else part for part in str(note).split("; "))


def headlines(indicators: pd.DataFrame, units: dict[str, str], labels: dict[str, str] | None = None) -> str:
    """The consortium-level change of every scale, one bullet each (``labels``: scale id ->
    label in the report's language; the table's label otherwise)."""
    indicators = paired_rows(indicators)
    rows = indicators.loc[indicators["group_by"] == CONSORTIUM]
    out = []
    for _i, r in rows.iterrows():
        row = r.to_dict()
        row["label"] = (labels or {}).get(r["scale"], r["label"])
        out.append(change_sentence(row, units.get(r["scale"], "")))
    return "\n".join(out)


def partner_spread(indicators: pd.DataFrame, scale: str) -> str:
    """Which partners' intervals exclude zero, for one scale."""
    indicators = paired_rows(indicators)
    rows = indicators.loc[(indicators["scale"] == scale) & (indicators["group_by"] == "partner") & ~indicators["suppressed"].astype(bool)]
    up = sorted(rows.loc[rows["ci_low"] > 0, "group"])
    flat = sorted(rows.loc[(rows["ci_low"] <= 0) & (rows["ci_high"] >= 0), "group"])
    down = sorted(rows.loc[rows["ci_high"] < 0, "group"])
    parts = []
    if up:
        # TRANSLATORS: these follow a scale's name ("*attitudes* rose clearly at ES-VAL, GR-THE"),
        # joined by "; "; {partners} is a list of partner codes.
        parts.append(_("rose clearly at {partners}").format(partners=", ".join(map(fmt.text, up))))
    if flat:
        parts.append(_("showed no clear change at {partners}").format(partners=", ".join(map(fmt.text, flat))))
    if down:
        parts.append(_("fell at {partners}").format(partners=", ".join(map(fmt.text, down))))
    return "; ".join(parts) if parts else _("no partner group large enough to show")


#: Organisation types of the registry in words (acronyms keep their capitals), marked for
#: the catalogue: shown with ``_()``.
ORG_TYPES = {"ngo": N_("NGO"), "public_authority": N_("public authority"), "university": N_("university")}


def org_type(code: str) -> str:
    """A partner's organisation type in words, in the report's language."""
    return _(ORG_TYPES[code]) if code in ORG_TYPES else str(code).replace("_", " ")


def title_page(ctx) -> str:
    """Title, project, period and partners."""
    cons = ctx.consortium
    t = fmt.text
    partners = "\n".join(f"| {t(p.code)} | {t(p.name)} | {t(ctx.country_name(p.country))} | {t(org_type(p.type))} |" for p in cons.partners)
    # TRANSLATORS: a CLDR date pattern for the project's start and end on the title page
    # (d: day, dd: day with two digits, MMMM: month's name, y: year); quote words: 'de'.
    pattern = _("dd MMMM y")
    period = _("{start} to {end}").format(start=fmt.date(cons.start, pattern), end=fmt.date(cons.end, pattern)) if cons.start else ""
    heading = _("Evaluation report: {title}").format(title=t(i18n.localized(cons.title_labels or cons.title)))
    project = _("**Project** {id} · {programme}").format(id=t(cons.project_id), programme=t(i18n.localized(cons.programme)))
    header = [pgettext("table header", "Code"), pgettext("table header", "Partner"), pgettext("table header", "Country"), pgettext("table header", "Type")]
    return f"# {heading}\n\n{project}" + (f" · {period}" if period else "") + "\n\n" + "| " + " | ".join(header) + " |\n|---|---|---|---|\n" + partners


def measured(codebook, responses: pd.DataFrame) -> str:
    """What the instrument measured, scale by scale, and how scores are built."""
    inst = codebook.instrument
    title = i18n.localized(codebook.title, f"{inst}: title") if codebook.title else inst
    waves = ", ".join(fmt.text(inline(i18n.localized(codebook.wave_labels[w], f"{inst}: wave {w}") if codebook.wave_labels.get(w) else w)) for w in codebook.waves)
    heading = _("What was measured and with whom")
    intro = _("**{title}** (codebook version {version}), asked {waves}.").format(title=fmt.text(title), version=fmt.text(codebook.version), waves=waves)
    rule = _(
        "Each scale's score is the mean of its items after reverse-keying negatively worded items; "
        "'don't know' and 'refused' never count as answers, and a score needs at least the share of answered items "
        "given below."
    )
    header = [pgettext("table header", "Scale"), pgettext("table header", "Items"), pgettext("table header", "Unit"), pgettext("table header", "Needs answered")]
    lines = [f"## {heading}\n\n{intro} {rule}\n", "| " + " | ".join(header) + " |\n|---|---|---|---|"]
    for sc in codebook.scales:
        rev = [i for i in sc.items if codebook.item(i).reverse]
        k = len(sc.items)
        items = fmt.count(k) if not rev else ngettext("{n} ({k} reverse-keyed)", "{n} ({k} reverse-keyed)", len(rev)).format(n=fmt.count(k), k=fmt.count(len(rev)))
        needed = math.ceil((sc.min_answered - 0.005) * k)
        label = i18n.localized(sc.label, f"{inst}: scale {sc.id}") if sc.label else sc.id
        unit = i18n.localized(sc.unit_labels or sc.unit, f"{inst}: unit of {sc.id}")
        lines.append(f"| {fmt.text(label)} | {items} | {fmt.text(unit)} | " + _("{needed} of {total}").format(needed=fmt.count(needed), total=fmt.count(k)) + " |")
    return "\n".join(lines)


def summary(indicators: pd.DataFrame, codebook, n_partners: int) -> str:
    """Executive summary of one pre/post instrument, from the consortium rows."""
    inst = codebook.instrument
    sub = paired_rows(indicators).loc[lambda t: t["instrument"] == inst]
    units = {sc.id: i18n.localized(sc.unit_labels or sc.unit, f"{inst}: unit of {sc.id}") for sc in codebook.scales}
    labels = {sc.id: i18n.localized(sc.label, f"{inst}: scale {sc.id}") for sc in codebook.scales if sc.label}
    cons = sub.loc[sub["group_by"] == CONSORTIUM]
    n_pairs = int(cons["n_paired"].max()) if len(cons) and cons["n_paired"].notna().any() else 0
    title = i18n.localized(codebook.title, f"{inst}: title") if codebook.title else inst
    # TRANSLATORS: {survey} is the survey's title, in lower case where the language allows.
    lead = ngettext(
        "Across the {partners} partners, {n} person answered the {survey} survey both before and after the activities.",
        "Across the {partners} partners, {n} people answered the {survey} survey both before and after the activities.",
        n_pairs,
    ).format(partners=fmt.count(n_partners), n=fmt.count(n_pairs), survey=fmt.text(inline(title)))
    spread = "; ".join(f"*{fmt.text(inline(labels.get(row['scale'], row['label'])))}* {partner_spread(sub, row['scale'])}" for _i, row in cons.iterrows())
    lines = [
        lead + "\n",
        headlines(sub, units, labels),
        "",
        _("By partner: {list}.").format(list=spread),
    ]
    return "\n".join(lines)


#: The note of a consortium row pooling the partners with a comparison group, as the analyse
#: stage writes it (:data:`pipeline.analysis.notes.PARTNERS_WITH_COMPARISON`): read back into
#: its parts, for the attitude sections and the executive summary alike.
_COVER = re.compile(r"^partners with a comparison group: (?P<codes>.+?) \((?P<k>\d+) of (?P<total>\d+) partners; the participants compared are theirs only\)")


def comparison_cover(note) -> dict | None:
    """The partners with a comparison group of a consortium row's note, or None."""
    m = _COVER.match(str(note or ""))
    return m.groupdict() if m else None


def k_of_total(cover: dict) -> str:
    """ "2 of 5 partners", in the report's language."""
    total = int(cover["total"])
    return ngettext("{k} of {total} partner", "{k} of {total} partners", total).format(k=fmt.count(int(cover["k"])), total=fmt.count(total))


def comparison_cover_text(note) -> str:
    """The partners with a comparison group in words ("ES-VAL, GR-THE (2 of 5 partners; the
    participants compared are theirs only)"); "" without; the note's text when unknown."""
    note = str(note or "")
    if not note.startswith("partners with a comparison group"):
        return ""
    cover = comparison_cover(note)
    if cover is None:
        return note.split(": ", 1)[1] if ": " in note else ""
    # TRANSLATORS: {partners} is a list of partner codes, {k_of_total} "2 of 5 partners".
    return _("{partners} ({k_of_total}; the participants compared are theirs only)").format(partners=cover["codes"], k_of_total=k_of_total(cover))
