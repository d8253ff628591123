"""What every section shares: the :class:`Section` a section function returns, how a
notebook shows it, and the helpers that select and read a run's published rows.

A report notebook is a list of cells of the form ``sections.show(sections.x(ctx))``;
each section function takes the run's context (:class:`pipeline.report.context.ReportContext`)
and formats the tables the analyse stage wrote to the build folder. Sections format;
they do not compute (numbers are written by :mod:`pipeline.report.format`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.i18n import N_, _, ngettext, pgettext
from pipeline.report import figures
from pipeline.report import format as fmt
from pipeline.schema import CONSORTIUM, later_waves

#: Statuses of the results framework, in the order a summary lists them.
#: (codes of the analyse stage, marked for the catalogue: ``_(status)`` where shown).
STATUS = (N_("achieved"), N_("on track"), N_("off track"), N_("no data"))


KIRKPATRICK = ("reaction", "learning", "behaviour", "results")


@dataclass
class Section:
    """A report section: its title and its parts, displayed in order."""

    id: str
    title: str
    parts: list = field(default_factory=list)
    available: bool = True

    def text(self) -> str:
        """All text of the section (Markdown and HTML sources), for checks."""
        out = [self.title]
        for p in self.parts:
            if hasattr(p, "savefig"):  # a figure: its title and caption
                out.append(f"{figures.title_of(p)} {figures.caption_of(p)}")
            else:
                out.append(str(getattr(p, "data", p)))
        return "\n".join(out)


def show(section: Section, ctx=None) -> None:
    """Display a section in a notebook: its heading, then each part.

    With ``ctx``, a section without data is not shown: its title is kept in
    ``ctx.extras["not_covered"]`` for the one "not covered" line (:func:`pipeline.report.sections.summary.not_covered`).
    """
    from IPython.display import Markdown, display

    if ctx is not None and not section.available:
        ctx.extras.setdefault("not_covered", []).append(section.title)
        return
    display(Markdown(f"## {fmt.text(section.title)}"))
    for part in section.parts:
        if hasattr(part, "savefig"):
            figures.show(part)
        else:
            display(part)


def _md(text: str):
    from IPython.display import Markdown

    return Markdown(text)


def _html(text: str):
    from IPython.display import HTML

    return HTML(text)


#: What a section without data says, one whole sentence per kind of data (a translation
#: may need the noun's gender or case: "Keine Vorher-Nachher-Befragung", "Kein Ergebnisrahmen").
ABSENT = {
    "before/after survey of the community": N_("No before/after survey of the community in this data folder."),
    "results framework (datasets.yaml names no framework)": N_("No results framework (datasets.yaml names no framework) in this data folder."),
    "staff-training data": N_("No staff-training data in this data folder."),
    "organisational capacity self-assessment": N_("No organisational capacity self-assessment in this data folder."),
    "partnership network survey": N_("No partnership network survey in this data folder."),
    "activity register": N_("No activity register in this data folder."),
    "survey results to summarise": N_("No survey results to summarise in this data folder."),
    "qualitative evidence log (voices)": N_("No qualitative evidence log (voices) in this data folder."),
    "activity plan (activity_plan.yaml)": N_("No activity plan (activity_plan.yaml) in this data folder."),
}


def absent_text(what: str) -> str:
    """The sentence of a section without data, in the report's language: the whole
    sentence of :data:`ABSENT` for a known kind of data, else a sentence around ``what``."""
    if what in ABSENT:
        return _(ABSENT[what])
    # TRANSLATORS: {what} names data the section needs, e.g. "data for training event 'JSTE1'".
    return _("No {what} in this data folder.").format(what=what)


def _absent(sid: str, title: str, what: str = "", message: str = "") -> Section:
    """A section without data: its title and one sentence (``message``, already in the
    report's language, or :func:`absent_text` of ``what``)."""
    return Section(sid, _(title), [_md(f"*{message or absent_text(what)}*")], available=False)


def _pre_post(ctx) -> list:
    """Codebooks of pre/post surveys of the community (not trainings), in name order."""
    out = []
    for name in sorted(ctx.codebooks):
        cb = ctx.codebooks[name]
        resp = ctx.responses.get(name)
        if cb.design == "paired_pre_post" and resp is not None and "activity_id" not in resp.columns:
            out.append(cb)
    return out


def _partner_rows(ind: pd.DataFrame, partner: str) -> pd.DataFrame:
    keep = ind["group_by"].eq(CONSORTIUM)
    if partner:
        keep |= ind["group_by"].eq("partner") & ind["group"].astype(str).eq(partner)
    else:
        keep |= ind["group_by"].eq("partner")
    return ind.loc[keep]


def _scope(ctx) -> str:
    return f"{fmt.text(ctx.partner_name(ctx.partner))} ({fmt.text(ctx.partner)})" if ctx.partner else _("the consortium")


def _instrument(ctx, design: str):
    """The first codebook of a design with responses in the build folder, or None."""
    for name in sorted(ctx.codebooks):
        if ctx.codebooks[name].design == design and name in ctx.responses:
            return ctx.codebooks[name]
    return None


def safe_name(value: str) -> str:
    """A file-name-safe form of an id (letters, digits, ``-`` and ``_``); an id longer
    than 80 characters keeps its first 80 and a digest of the whole (a file name holds
    at most 255 bytes)."""
    name = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in str(value))
    if len(name) > 80:
        import hashlib

        name = f"{name[:80]}-{hashlib.sha256(str(value).encode('utf-8')).hexdigest()[:12]}"
    return name


_missing = fmt.missing


_num = fmt.num


_pct = fmt.pct


_p = fmt.p_value


_n = fmt.count


_ci = fmt.interval


def _hidden(row, min_cell: int) -> str:
    if row["suppression"] == "primary":
        return ngettext("hidden (fewer than {k} person)", "hidden (fewer than {k} people)", min_cell).format(k=fmt.count(min_cell))
    return _("hidden (would reveal a smaller group)")


def _where(row) -> str:
    return _("Consortium") if row["group_by"] == CONSORTIUM else str(row["group"])


def survey_title(cb) -> str:
    """A survey's title in the report's language (the codebook's translation, else English)."""
    from pipeline import i18n

    return i18n.localized(cb.title, f"{cb.instrument}: title") or cb.label()


#: Languages whose nouns keep their capital inside a sentence (German: "Einstellungen der Nachbarschaft").
CAPITALISED_NOUNS = ("de",)


def in_sentence(label) -> str:
    """A label inside a sentence, in the report's language: its first word in lower case
    (:func:`pipeline.report.format.lower_first`) except in a language whose nouns are
    capitalised, where it reads as written."""
    from pipeline import i18n

    return str(label) if i18n.active() in CAPITALISED_NOUNS else fmt.lower_first(label)


def list_separator() -> str:
    """What separates the items of a list whose items may hold commas: "; " (Greek writes
    the semicolon as a question mark, so its separator is the upper stop "· ")."""
    # TRANSLATORS: the separator between the items of a list (in English a semicolon and a space); Greek: "· ".
    return pgettext("list separator", "; ")


def _table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table; every header and cell is text (labels from the data among them),
    escaped here (:func:`pipeline.report.format.text`), never markup."""
    lines = ["| " + " | ".join(fmt.text(h, line_start=False) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(fmt.text(str(c).replace("|", "/"), line_start=False) for c in r) + " |" for r in rows]
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


def _scale_order(codebook) -> dict:
    return {sc.id: k for k, sc in enumerate(codebook.scales)}


def _ordered(rows: pd.DataFrame, codebook, first: str = "scale") -> pd.DataFrame:
    """Rows in codebook order of scales, the consortium row before the partners."""
    keyed = rows.assign(_s=rows["scale"].map(_scale_order(codebook)), _c=rows["group_by"].ne(CONSORTIUM))
    by = ["_s", "_c", "group"] if first == "scale" else [first, "_s", "_c", "group"]
    return keyed.sort_values(by, kind="stable").drop(columns=["_s", "_c"])


def _section(ctx, codebook, sid: str, title: str, build, absent: str):
    """A Section of ``build(ctx, cb)`` for ``codebook`` or every pre/post community survey."""
    cbs = [codebook] if codebook is not None else _pre_post(ctx)
    parts = []
    for cb in cbs:
        text = build(ctx, cb)
        if text:
            parts.append(_md((f"### {fmt.text(survey_title(cb))}\n\n" if len(cbs) > 1 else "") + text))
    if not parts:
        return Section(sid, _(title), [_md(f"*{_(absent)}*")], available=False)
    return Section(sid, _(title), parts)


def study_design(ctx, codebook) -> dict:
    """The design the data folder declares (``run.json``'s ``study_design``), or the one its
    data imply: ``comparison_group`` when the survey has a comparison field, else ``pre_post``."""
    declared = ctx.run.get("study_design") or {}
    if declared.get("design"):
        return declared
    return {"design": "comparison_group" if codebook.comparison_field is not None else "pre_post", "unit": ""}
