"""What the report says about privacy: what never reached it, and the small-group check.

One call, :func:`privacy_section`, gives the report's privacy section (a
:class:`pipeline.report.sections.base.Section`): which fields were dropped or transformed at
ingestion (from the codebooks), what de-identification did in this run (from the
run's notes), the suppression minimum, and what crossing grouping fields would
reveal (:func:`pipeline.analysis.disclosure.combination_check`), which is why the report
breaks results down by one field at a time.
"""

from __future__ import annotations

from pipeline.analysis.disclosure import combination_check
from pipeline.report import format as fmt
from pipeline.report.tables import small_count, to_html

_TRANSFORMS = ("were removed", "became age groups", "gave no age group")
#: Designs with one row per person answering: the ones whose grouping fields describe people.
PERSON_DESIGNS = ("paired_pre_post", "repeated", "cross_section")


def _names(fields) -> str:
    return ", ".join((f.label.get("en") or f.id).split(" (")[0].lower() for f in fields) or "none"


def privacy_text(ctx) -> str:
    """The section's text: what was dropped, redacted, turned into age groups, pseudonymised."""
    lines = ["Respondents' personal data never reach this report or its tables. When the exports were read:", ""]
    for _, cb in sorted(ctx.codebooks.items()):
        dropped, free, birth = (cb.fields_by_role(r) for r in ("personal", "free_text", "birth_date"))
        if not (dropped or free or birth):
            continue
        line = f"- *{fmt.text(cb.label('en'))}*: dropped unread: {_names(dropped)}"
        if free:
            line += f"; kept with e-mail addresses and phone numbers removed: {_names(free)}"
        if birth:
            line += f"; turned into age groups, then dropped: {_names(birth)}"
        lines.append(line + ".")
    lines.append("- Participant numbers were replaced by keyed pseudonyms (HMAC-SHA256), so the waves can be matched without them.")
    lines += [f"- {w}" for w in ctx.run.get("warnings", []) if any(t in w for t in _TRANSFORMS)]
    k = ctx.min_cell
    lines += [
        "",
        f"No number in this report or its tables describes fewer than {k} people, directly or by subtraction:",
        "",
        f"- A group, or a share within a group (reliably improved, unchanged or worsened; yes or no), of 1 to {k - 1} people is hidden, never shown as zero.",
        "- Published numbers add up: the groups of a breakdown (gender, age group, partner, ...) to the consortium, "
        "partners to their country, the shares of a row to its n. Wherever the total minus the numbers shown would "
        f"leave fewer than {k} people (a hidden group alone, several hidden groups together, or people who gave no "
        "answer), the next smallest group or share is hidden too, across all the tables published together. "
        "A total is never hidden to protect a group.",
        "- Statistics that would give a hidden count back are hidden with it: the interval and test of a yes/no question "
        f"where fewer than {k} people changed their answer in one direction, the interval of a hidden share.",
        "- The list of rows set aside (quarantine) names the file, row, column and reason; it shows a value only where "
        "it is one of the codebook's codes or a short number, never what a respondent typed, and no submission ids.",
    ]
    return "\n".join(lines)


def privacy_section(ctx):
    """The report's privacy section, for every person-level instrument of the run (or one partner's rows)."""
    from pipeline.report.sections.base import Section, _html, _md

    k = ctx.min_cell
    parts = [_md(privacy_text(ctx))]
    for inst, cb in sorted(ctx.codebooks.items()):
        frame = ctx.responses.get(inst)
        if cb.design not in PERSON_DESIGNS or frame is None or frame.empty:
            continue
        if ctx.partner and "partner" in frame.columns:
            frame = frame.loc[frame["partner"].astype(str) == ctx.partner]
        fields = [c for c in ("partner", *[f.name for f in cb.grouping_fields if f.name != "language"]) if c in frame.columns and not (ctx.partner and c == "partner")]
        if len(fields) < 2 or frame.empty:
            continue
        check = combination_check(frame, fields, k)
        worst = check.iloc[-1]
        check["people_in_small_groups"] = [small_count(v, k) for v in check["people_in_small_groups"]]
        parts.append(
            _md(
                f"*{fmt.text(cb.label('en'))}*: crossing the grouping fields would create small groups in which people could be "
                f"recognised: {worst['fields']} gives {int(worst['small_groups'])} of {int(worst['groups'])} groups with fewer "
                f"than {k} people. That is why results are broken down by one field at a time, and why every count shown "
                f"passes the minimum."
            )
        )
        parts.append(
            _html(
                to_html(
                    check.rename(columns={"fields": "Fields crossed", "groups": "Groups", "small_groups": f"Groups of fewer than {k}", "people_in_small_groups": "People in them"}),
                    caption=f"{cb.label('en')}: groups made by crossing fields (a check, not a breakdown)",
                )
            )
        )
    return Section("privacy", "Privacy", parts)
