"""What the report says about privacy: what never reached it, and the small-group check.

One call, :func:`privacy_section`, gives the report's privacy section as Markdown:
which fields were dropped or transformed at ingestion (from the codebooks), what
de-identification did in this run (from the run's notes), the suppression
minimum, and what crossing grouping fields would reveal
(:func:`pipeline.disclosure.combination_check`), which is why the report breaks
results down by one field at a time.
"""

from __future__ import annotations

from .disclosure import combination_check
from .tables import to_html

_TRANSFORMS = ("were removed", "became age groups", "gave no age group")


def _names(fields) -> str:
    return ", ".join((f.label.get("en") or f.id).split(" (")[0].lower() for f in fields) or "none"


def privacy_section(ctx) -> str:
    """The report's privacy section (Markdown with an HTML table), for every instrument of the run."""
    parts = [
        "## Privacy",
        "",
        "Respondents' personal data never reach this report or its tables. When the exports were read:",
        "",
    ]
    for inst, cb in sorted(ctx.codebooks.items()):
        dropped = cb.fields_by_role("personal")
        free = cb.fields_by_role("free_text")
        birth = cb.fields_by_role("birth_date")
        line = f"- *{cb.label('en')}*: dropped unread: {_names(dropped)}"
        if free:
            line += f"; kept with e-mail addresses and phone numbers removed: {_names(free)}"
        if birth:
            line += f"; turned into age groups, then dropped: {_names(birth)}"
        parts.append(line + ".")
    parts += [
        "- Participant numbers were replaced by keyed pseudonyms (HMAC-SHA256), so the two waves can be matched without them.",
    ]
    done = [w for w in ctx.run.get("warnings", []) if any(t in w for t in _TRANSFORMS)]
    parts += [f"- {w}" for w in done]
    k = ctx.min_cell
    parts += ["", f"No number in this report describes fewer than {k} people: smaller groups are hidden, never shown as zero."]
    for inst, cb in sorted(ctx.codebooks.items()):
        frame = ctx.responses.get(inst)
        if frame is None or frame.empty:
            continue
        fields = [c for c in ("partner", *[f.name for f in cb.grouping_fields if f.name != "language"]) if c in frame.columns]
        if len(fields) < 2:
            continue
        check = combination_check(frame, fields, k)
        worst = check.iloc[-1]
        parts += [
            "",
            f"Breakdowns are published one field at a time. Crossing fields would create small groups in which people "
            f"could be recognised: crossing {worst['fields']} gives {int(worst['small_groups'])} of {int(worst['groups'])} groups "
            f"with fewer than {k} people, so no table crosses them.",
            "",
            to_html(
                check.rename(columns={"fields": "Fields crossed", "groups": "Groups", "small_groups": f"Groups of fewer than {k}", "people_in_small_groups": "People in them"}),
                caption=f"{cb.label('en')}: groups made by crossing fields (not published as tables; people counts below {k} hidden)",
            ),
        ]
    return "\n".join(parts)
