"""Methods and limitations, provenance and the methods appendix (``methods.csv``,
written by the analyse stage from the statistics registry)."""

from __future__ import annotations

import datetime as dt
import re

from pipeline import i18n
from pipeline.i18n import N_, _, ngettext, pgettext
from pipeline.report import format as fmt
from pipeline.report import narrative, tables
from pipeline.report.sections.base import (
    Section,
    _html,
    _md,
    _read,
    list_separator,
)
from pipeline.report.sections.results import rules_text
from pipeline.schema import Files


def methods(ctx) -> Section:
    """The design's limits and the statistics used, named with their references."""
    text = [
        _(narrative.DESIGN_LIMITS),
        "",
        _(
            "**Statistics.** Mean change (after minus before) of the people who answered both surveys, with its 95% "
            "confidence interval from the t distribution; paired t-test (as R's `t.test(post, pre, paired = TRUE)`); "
            "Wilcoxon signed-rank test as R's `wilcox.test(paired = TRUE)` (zeros dropped, normal approximation with "
            "continuity correction when there are ties); effect size d_z = mean change / SD of the changes with its 95% "
            "interval from the noncentral t distribution, and g_av (d_av with Hedges' correction) in `indicators.csv` "
            "(Lakens 2013, *Frontiers in Psychology* 4:863)."
        ),
        "",
        ngettext(
            "**Disclosure control.** No published number describes fewer than {k} person: smaller groups are "
            "hidden (primary suppression), and where a total would reveal a hidden group, the next smallest group is hidden "
            "too (secondary suppression; Hundepool et al. 2012, *Statistical Disclosure Control*). Names, contacts and free "
            "text never pass ingestion; identifiers are replaced by keyed pseudonyms (HMAC-SHA256).",
            "**Disclosure control.** No published number describes fewer than {k} people: smaller groups are "
            "hidden (primary suppression), and where a total would reveal a hidden group, the next smallest group is hidden "
            "too (secondary suppression; Hundepool et al. 2012, *Statistical Disclosure Control*). Names, contacts and free "
            "text never pass ingestion; identifiers are replaced by keyed pseudonyms (HMAC-SHA256).",
            ctx.min_cell,
        ).format(k=fmt.count(ctx.min_cell)),
    ]
    parts = [_md("\n".join(text))]
    rules = rules_text(ctx)
    if rules:
        heading = _("How the results framework's statuses are decided.")
        parts.append(_html(f"<p><b>{heading}</b></p><ul>{rules}</ul>"))
    return Section("methods", _("Methods and limitations"), parts)


def code_version() -> str:
    """The git commit of the code (with ``+changes`` for a dirty tree), or "unknown"."""
    return fmt.short_version()


def provenance(ctx, parameters: dict | None = None) -> Section:
    """Input file hashes, code version, parameters and date of the report."""
    from pipeline import __version__

    params = {_("minimum group size"): ctx.min_cell, _("data folder"): ctx.run.get("data_dir", ""), **(parameters or {})}
    listed = list_separator().join(f"{k} = `{v}`" for k, v in params.items() if v != "")
    text = _(
        "Produced on {date} by impact-pipeline {version}, code version `{code}`. Parameters: {parameters}. "
        "The report folder's `manifest.json` adds library versions, the run time and the hash of every output."
    ).format(date=fmt.date(dt.datetime.now(dt.UTC).date()), version=__version__, code=code_version(), parameters=listed)
    caption = _("Input files and their SHA-256 (first 16 hex digits)")
    return Section("provenance", _("Provenance"), [_md(text), _html(tables.to_html(tables.provenance(ctx.run), caption=caption))])


def methods_used(ctx, codebook=None) -> list[str]:
    """The keys of the statistics behind the run's published numbers (``methods.csv``)."""
    table = _read(ctx, Files.METHODS)
    return [] if table is None else table["key"].tolist()


APPENDIX_TITLE = N_("Methods appendix")


def methods_appendix(ctx, codebook=None):
    """Every statistic the report uses, from the code's own metadata."""
    return Section("appendix", _(APPENDIX_TITLE), [_html(_appendix_html(ctx, codebook))])


def published_text(text: str) -> str:
    """A text ``methods.csv`` publishes in English, in the report's language: the catalogue's
    translation of the whole text, else of the two marked texts it joins at a sentence's end
    (the adjustment's notes are the definition of a family, shown on its own too, and a
    sentence of their own); as written when the catalogue has neither."""
    out = _(text)
    if out != text or i18n.active() == i18n.SOURCE_LANGUAGE:
        return out
    for m in re.finditer(r"(?<=\.) ", text):
        head, tail = text[: m.start()], text[m.end() :]
        if _(head) != head and _(tail) != tail:
            return f"{_(head)} {_(tail)}"
    return text


def _appendix_html(ctx, codebook=None) -> str:
    """The appendix as HTML: references name their DOI and URL as text, not as links,
    so that the report stays self-contained (nothing to follow or fetch)."""
    import html as _h

    table = _read(ctx, Files.METHODS)
    entries = [] if table is None else table.to_dict("records")
    intro = _(
        "The statistics behind the numbers of this report, as the pipeline computes them "
        "(<code>pipeline/stats/</code>; tested against R's documented output and published examples). "
        "Change is always after minus before. Where a statistic cannot be computed (for instance fewer than "
        "two pairs, or no variation), the tables leave it empty and <code>indicators.csv</code> says why in its "
        "<code>note</code> column."
    )
    out = [f"<p>{intro}</p>"]
    formula, handled, references = pgettext("methods appendix", "Formula:"), _("How data are handled:"), pgettext("methods appendix", "References:")
    for k, e in enumerate(entries, 1):
        # methods.csv holds the registry's English (marked for the catalogue where it is
        # written: pipeline.stats, pipeline.ingest.codes); formulas keep their notation, references stay as written
        out.append(
            f"<p><strong>{fmt.count(k)}. {_h.escape(published_text(e['name']))}</strong></p><ul>"
            f"<li><em>{formula}</em> <code>{_h.escape(published_text(e['formula']))}</code></li>"
            f"<li><em>{handled}</em> {_h.escape(published_text(e['notes']))}</li>"
            f"<li><em>{references}</em> {_h.escape(e['reference'])}</li></ul>"
        )
    return "\n".join(out)
