"""What the report says about privacy: what never reached it, and the small-group check.

One call, :func:`privacy_section`, gives the report's privacy section (a
:class:`pipeline.report.sections.base.Section`): which fields were dropped or transformed at
ingestion (from the codebooks), what de-identification did in this run (from the
run's notes), the suppression minimum, and what crossing grouping fields would
reveal (:func:`pipeline.analysis.disclosure.combination_check`), which is why the report
breaks results down by one field at a time.
"""

from __future__ import annotations

import re

from pipeline import i18n
from pipeline.analysis.disclosure import combination_check
from pipeline.i18n import _, ngettext, npgettext, pgettext
from pipeline.report import format as fmt
from pipeline.report.tables import small_count, to_html

_TRANSFORMS = ("were removed", "became age groups", "gave no age group")
#: Designs with one row per person answering: the ones whose grouping fields describe people.
PERSON_DESIGNS = ("paired_pre_post", "repeated", "cross_section")

#: The run's notes on de-identification (:func:`pipeline.ingest.deidentify.deidentify_with_notes`),
#: read back so a report in another language can say them in its own words.
_NOTES = (
    ("redacted", re.compile(r"^(?:(?P<file>.+?): )?(?P<n>\d+) answer\(s\) to '(?P<field>[^']+)' held e-mail addresses or phone numbers; they were removed$")),
    ("age_groups", re.compile(r"^(?:(?P<file>.+?): )?(?P<n>\d+) birth date\(s\) in '(?P<field>[^']+)' became age groups in '(?P<group>[^']+)' and were dropped$")),
    (
        "no_age_group",
        re.compile(
            r"^(?:(?P<file>.+?): )?(?P<n>\d+) birth date\(s\) in '(?P<field>[^']+)' gave no age group \(not a date, no submission date, or an age outside (?P<bands>.+)\); the age group was left empty$"
        ),
    ),
)


def _note(warning: str) -> str:
    """A de-identification note of the run in the report's language (as the run wrote it in English)."""
    if i18n.active() == i18n.SOURCE_LANGUAGE:
        return warning
    for kind, pattern in _NOTES:
        m = pattern.match(warning)
        if m is None:
            continue
        n, field = int(m["n"]), m["field"]
        if kind == "redacted":
            text = ngettext(
                "{n} answer to '{field}' held e-mail addresses or phone numbers; they were removed",
                "{n} answers to '{field}' held e-mail addresses or phone numbers; they were removed",
                n,
            ).format(n=fmt.count(n), field=field)
        elif kind == "age_groups":
            text = ngettext(
                "{n} birth date in '{field}' became an age group in '{group}' and was dropped",
                "{n} birth dates in '{field}' became age groups in '{group}' and were dropped",
                n,
            ).format(n=fmt.count(n), field=field, group=m["group"])
        else:
            text = ngettext(
                "{n} birth date in '{field}' gave no age group (not a date, no submission date, or an age outside {bands}); the age group was left empty",
                "{n} birth dates in '{field}' gave no age group (not a date, no submission date, or an age outside {bands}); the age group was left empty",
                n,
            ).format(n=fmt.count(n), field=field, bands=m["bands"])
        return f"{m['file']}: {text}" if m["file"] else text
    return warning


def _names(fields) -> str:
    names = []
    for f in fields:
        label = i18n.localized(f.label, f"field {f.id}") if isinstance(f.label, dict) else ""
        label = (label or f.id).split(" (")[0]
        # English reads the labels in lower case inside the sentence; other languages keep
        # their capitals (German nouns)
        names.append(label.lower() if i18n.active() in (i18n.SOURCE_LANGUAGE, i18n.PSEUDO) else label)
    return ", ".join(names) or _("none")


def _title(cb) -> str:
    return i18n.localized(cb.title, f"{cb.instrument}: title") or cb.label()


def privacy_text(ctx) -> str:
    """The section's text: what was dropped, redacted, turned into age groups, pseudonymised."""
    from pipeline.report.sections.base import list_separator

    lines = [_("Respondents' personal data never reach this report or its tables. When the exports were read:"), ""]
    for _name, cb in sorted(ctx.codebooks.items()):
        dropped, free, birth = (cb.fields_by_role(r) for r in ("personal", "free_text", "birth_date"))
        if not (dropped or free or birth):
            continue
        steps = [_("dropped unread: {fields}").format(fields=_names(dropped))]
        if free:
            steps.append(_("kept with e-mail addresses and phone numbers removed: {fields}").format(fields=_names(free)))
        if birth:
            steps.append(_("turned into age groups, then dropped: {fields}").format(fields=_names(birth)))
        lines.append(f"- *{fmt.text(_title(cb))}*: " + list_separator().join(steps) + ".")
    lines.append("- " + _("Participant numbers were replaced by keyed pseudonyms (HMAC-SHA256), so the waves can be matched without them."))
    lines += [f"- {_note(w)}" for w in ctx.run.get("warnings", []) if any(t in w for t in _TRANSFORMS)]
    k = ctx.min_cell
    values = {"k": fmt.count(k), "k_minus_1": fmt.count(k - 1)}
    lines += [
        "",
        ngettext(
            "No number in this report or its tables describes fewer than {k} person, directly or by subtraction:",
            "No number in this report or its tables describes fewer than {k} people, directly or by subtraction:",
            k,
        ).format(**values),
        "",
        "- "
        + ngettext(
            "A group, or a share within a group (reliably improved, unchanged or worsened; yes or no), of 1 to {k_minus_1} person is hidden, never shown as zero.",
            "A group, or a share within a group (reliably improved, unchanged or worsened; yes or no), of 1 to {k_minus_1} people is hidden, never shown as zero.",
            k - 1,
        ).format(**values),
        "- "
        + ngettext(
            "Published numbers add up: the groups of a breakdown (gender, age group, partner, ...) to the consortium, "
            "partners to their country, the shares of a row to its n. Wherever the total minus the numbers shown would "
            "leave fewer than {k} person (a hidden group alone, several hidden groups together, or people who gave no "
            "answer), the next smallest group or share is hidden too, across all the tables published together. "
            "A total is never hidden to protect a group.",
            "Published numbers add up: the groups of a breakdown (gender, age group, partner, ...) to the consortium, "
            "partners to their country, the shares of a row to its n. Wherever the total minus the numbers shown would "
            "leave fewer than {k} people (a hidden group alone, several hidden groups together, or people who gave no "
            "answer), the next smallest group or share is hidden too, across all the tables published together. "
            "A total is never hidden to protect a group.",
            k,
        ).format(**values),
        "- "
        + ngettext(
            "Statistics that would give a hidden count back are hidden with it: the interval and test of a yes/no question "
            "where fewer than {k} person changed their answer in one direction, the interval of a hidden share.",
            "Statistics that would give a hidden count back are hidden with it: the interval and test of a yes/no question "
            "where fewer than {k} people changed their answer in one direction, the interval of a hidden share.",
            k,
        ).format(**values),
        "- "
        + _(
            "The list of rows set aside (quarantine) names the file, row, column and reason; it shows a value only where "
            "it is one of the codebook's codes or a short number, never what a respondent typed, and no submission ids."
        ),
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
        for col in ("groups", "small_groups"):
            check[col] = [fmt.count(v) for v in check[col]]
        sentence = ngettext(
            "crossing the grouping fields would create small groups in which people could be "
            "recognised: {fields} gives {small} of {groups} groups with fewer "
            "than {k} person. That is why results are broken down by one field at a time, and why every count shown "
            "passes the minimum.",
            "crossing the grouping fields would create small groups in which people could be "
            "recognised: {fields} gives {small} of {groups} groups with fewer "
            "than {k} people. That is why results are broken down by one field at a time, and why every count shown "
            "passes the minimum.",
            k,
        ).format(fields=worst["fields"], small=fmt.count(worst["small_groups"]), groups=fmt.count(worst["groups"]), k=fmt.count(k))
        parts.append(_md(f"*{fmt.text(_title(cb))}*: {sentence}"))
        headers = {
            "fields": pgettext("table header", "Fields crossed"),
            "groups": pgettext("table header", "Groups"),
            "small_groups": npgettext_header(k),
            "people_in_small_groups": pgettext("table header", "People in them"),
        }
        caption = _("{survey}: groups made by crossing fields (a check, not a breakdown)").format(survey=_title(cb))
        parts.append(_html(to_html(check.rename(columns=headers), caption=caption)))
    return Section("privacy", _("Privacy"), parts)


def npgettext_header(k: int) -> str:
    """The header of the column of small groups: "Groups of fewer than 5"."""
    return npgettext("table header", "Groups of fewer than {k}", "Groups of fewer than {k}", k).format(k=fmt.count(k))
