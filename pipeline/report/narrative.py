"""Plain-language text for reports, written from the numbers.

Each function returns Markdown. Numbers come with their n and interval, and the
effect size is named (d_z: mean change divided by the SD of the changes).
"""

from __future__ import annotations

import math

import pandas as pd

from pipeline.i18n import N_
from pipeline.report import format as fmt
from pipeline.schema import CONSORTIUM, paired_rows

# The value of pipeline.analysis.indicators.CONSORTIUM, not imported from there: reports load
# this module in every kernel and should not pay for the statistics libraries.

#: (marked for the catalogue: the methods section shows it in the report's language)
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


_num = fmt.num


def change_sentence(row: dict, unit: str = "") -> str:
    """One sentence on one indicator row: levels, change with CI and n, d_z."""
    label = fmt.text(row["label"])
    if row.get("suppressed"):
        return f"- **{label}**: not shown, the group is smaller than the minimum size."
    if row.get("n_paired", 0) == 0 or pd.isna(row.get("mean_change")):
        return f"- **{label}**: not computed ({row.get('note') or 'no one answered both surveys'})."
    m = row["mean_change"]
    conf = int(round(100 * float(row.get("confidence", 0.95))))
    lo, hi = row["ci_low"], row["ci_high"]
    if lo > 0:
        verdict = "rose"
    elif hi < 0:
        verdict = "fell"
    else:
        verdict = "did not change clearly"
    unit_txt = f" ({fmt.text(unit)})" if unit else ""
    return (
        f"- **{label}**{unit_txt} {verdict}: from {_num(row['mean_pre'])} to {_num(row['mean_post'])} among the "
        f"{int(row['n_paired'])} people who answered both surveys; change {m:+.2f} "
        f"({conf}% CI {lo:.2f} to {hi:.2f}), effect size d_z = {_num(row['effect_size'])} "
        f"(95% CI {_num(row['effect_size_ci_low'])} to {_num(row['effect_size_ci_high'])})."
    )


def headlines(indicators: pd.DataFrame, units: dict[str, str]) -> str:
    """The consortium-level change of every scale, one bullet each."""
    indicators = paired_rows(indicators)
    rows = indicators.loc[indicators["group_by"] == CONSORTIUM]
    return "\n".join(change_sentence(r.to_dict(), units.get(r["scale"], "")) for _, r in rows.iterrows())


def partner_spread(indicators: pd.DataFrame, scale: str) -> str:
    """Which partners' intervals exclude zero, for one scale."""
    indicators = paired_rows(indicators)
    rows = indicators.loc[(indicators["scale"] == scale) & (indicators["group_by"] == "partner") & ~indicators["suppressed"].astype(bool)]
    up = sorted(rows.loc[rows["ci_low"] > 0, "group"])
    flat = sorted(rows.loc[(rows["ci_low"] <= 0) & (rows["ci_high"] >= 0), "group"])
    down = sorted(rows.loc[rows["ci_high"] < 0, "group"])
    parts = []
    if up:
        parts.append(f"rose clearly at {', '.join(map(fmt.text, up))}")
    if flat:
        parts.append(f"showed no clear change at {', '.join(map(fmt.text, flat))}")
    if down:
        parts.append(f"fell at {', '.join(map(fmt.text, down))}")
    return "; ".join(parts) if parts else "no partner group large enough to show"


#: Organisation types of the registry in words (acronyms keep their capitals).
ORG_TYPES = {"ngo": "NGO", "public_authority": "public authority", "university": "university"}


def title_page(ctx) -> str:
    """Title, project, period and partners."""
    cons = ctx.consortium
    t = fmt.text
    partners = "\n".join(f"| {t(p.code)} | {t(p.name)} | {t(p.country_name)} | {t(ORG_TYPES.get(p.type, p.type.replace('_', ' ')))} |" for p in cons.partners)
    return (
        f"# Evaluation report: {t(cons.title)}\n\n"
        f"**Project** {t(cons.project_id)} · {t(cons.programme)}" + (f" · {cons.start:%d %B %Y} to {cons.end:%d %B %Y}" if cons.start else "") + "\n\n"
        "| Code | Partner | Country | Type |\n|---|---|---|---|\n" + partners
    )


def measured(codebook, responses: pd.DataFrame) -> str:
    """What the instrument measured, scale by scale, and how scores are built."""
    lines = [
        f"## What was measured and with whom\n\n**{fmt.text(codebook.label())}** (codebook version {fmt.text(codebook.version)}), "
        f"asked {', '.join(fmt.text(fmt.lower_first(codebook.wave_labels[w].get('en', w))) for w in codebook.waves)}. "
        "Each scale's score is the mean of its items after reverse-keying negatively worded items; "
        "'don't know' and 'refused' never count as answers, and a score needs at least the share of answered items "
        "given below.\n",
        "| Scale | Items | Unit | Needs answered |\n|---|---|---|---|",
    ]
    for sc in codebook.scales:
        rev = [i for i in sc.items if codebook.item(i).reverse]
        items = f"{len(sc.items)}" + (f" ({len(rev)} reverse-keyed)" if rev else "")
        lines.append(f"| {fmt.text(sc.label.get('en', sc.id))} | {items} | {fmt.text(sc.unit)} | {math.ceil((sc.min_answered - 0.005) * len(sc.items))} of {len(sc.items)} |")
    return "\n".join(lines)


def summary(indicators: pd.DataFrame, codebook, n_partners: int) -> str:
    """Executive summary of one pre/post instrument, from the consortium rows."""
    sub = paired_rows(indicators).loc[lambda t: t["instrument"] == codebook.instrument]
    units = {sc.id: sc.unit for sc in codebook.scales}
    cons = sub.loc[sub["group_by"] == CONSORTIUM]
    n_pairs = int(cons["n_paired"].max()) if len(cons) and cons["n_paired"].notna().any() else 0
    lines = [
        f"Across the {n_partners} partners, {n_pairs} people answered the {fmt.text(fmt.lower_first(codebook.label()))} survey both before and after the activities.\n",
        headlines(sub, units),
        "",
        "By partner: " + "; ".join(f"*{fmt.text(fmt.lower_first(row['label']))}* {partner_spread(sub, row['scale'])}" for _, row in cons.iterrows()) + ".",
    ]
    return "\n".join(lines)
