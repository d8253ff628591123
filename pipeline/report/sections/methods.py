"""Methods and limitations, provenance and the methods appendix (``methods.csv``,
written by the analyse stage from the statistics registry)."""

from __future__ import annotations

import datetime as dt

from pipeline.report import format as fmt
from pipeline.report import narrative, tables
from pipeline.report.sections.base import (
    Section,
    _html,
    _md,
    _read,
)
from pipeline.report.sections.results import rules_text
from pipeline.schema import Files


def methods(ctx) -> Section:
    """The design's limits and the statistics used, named with their references."""
    text = [
        narrative.DESIGN_LIMITS,
        "",
        "**Statistics.** Mean change (after minus before) of the people who answered both surveys, with its 95% "
        "confidence interval from the t distribution; paired t-test (as R's `t.test(post, pre, paired = TRUE)`); "
        "Wilcoxon signed-rank test as R's `wilcox.test(paired = TRUE)` (zeros dropped, normal approximation with "
        "continuity correction when there are ties); effect size d_z = mean change / SD of the changes with its 95% "
        "interval from the noncentral t distribution, and g_av (d_av with Hedges' correction) in `indicators.csv` "
        "(Lakens 2013, *Frontiers in Psychology* 4:863).",
        "",
        f"**Disclosure control.** No published number describes fewer than {ctx.min_cell} people: smaller groups are "
        "hidden (primary suppression), and where a total would reveal a hidden group, the next smallest group is hidden "
        "too (secondary suppression; Hundepool et al. 2012, *Statistical Disclosure Control*). Names, contacts and free "
        "text never pass ingestion; identifiers are replaced by keyed pseudonyms (HMAC-SHA256).",
    ]
    parts = [_md("\n".join(text))]
    rules = rules_text(ctx)
    if rules:
        parts.append(_html(f"<p><b>How the results framework's statuses are decided.</b></p><ul>{rules}</ul>"))
    return Section("methods", "Methods and limitations", parts)


def code_version() -> str:
    """The git commit of the code (with ``+changes`` for a dirty tree), or "unknown"."""
    return fmt.short_version()


def provenance(ctx, parameters: dict | None = None) -> Section:
    """Input file hashes, code version, parameters and date of the report."""
    from pipeline import __version__

    params = {"minimum group size": ctx.min_cell, "data folder": ctx.run.get("data_dir", ""), **(parameters or {})}
    text = (
        f"Produced on {dt.datetime.now(dt.UTC):%d %B %Y} by impact-pipeline {__version__}, code version "
        f"`{code_version()}`. Parameters: " + "; ".join(f"{k} = `{v}`" for k, v in params.items() if v != "") + ". "
        "The report folder's `manifest.json` adds library versions, the run time and the hash of every output."
    )
    return Section("provenance", "Provenance", [_md(text), _html(tables.to_html(tables.provenance(ctx.run), caption="Input files and their SHA-256 (first 16 hex digits)"))])


def methods_used(ctx, codebook=None) -> list[str]:
    """The keys of the statistics behind the run's published numbers (``methods.csv``)."""
    table = _read(ctx, Files.METHODS)
    return [] if table is None else table["key"].tolist()


APPENDIX_TITLE = "Methods appendix"


def methods_appendix(ctx, codebook=None):
    """Every statistic the report uses, from the code's own metadata."""
    return Section("appendix", APPENDIX_TITLE, [_html(_appendix_html(ctx, codebook))])


def _appendix_html(ctx, codebook=None) -> str:
    """The appendix as HTML: references name their DOI and URL as text, not as links,
    so that the report stays self-contained (nothing to follow or fetch)."""
    import html as _h

    table = _read(ctx, Files.METHODS)
    entries = [] if table is None else table.to_dict("records")
    out = [
        "<p>The statistics behind the numbers of this report, as the pipeline computes them "
        "(<code>pipeline/stats/</code>; tested against R's documented output and published examples). "
        "Change is always after minus before. Where a statistic cannot be computed (for instance fewer than "
        "two pairs, or no variation), the tables leave it empty and <code>indicators.csv</code> says why in its "
        "<code>note</code> column.</p>"
    ]
    for k, e in enumerate(entries, 1):
        out.append(
            f"<p><strong>{k}. {_h.escape(e['name'])}</strong></p><ul>"
            f"<li><em>Formula:</em> <code>{_h.escape(e['formula'])}</code></li>"
            f"<li><em>How data are handled:</em> {_h.escape(e['notes'])}</li>"
            f"<li><em>References:</em> {_h.escape(e['reference'])}</li></ul>"
        )
    return "\n".join(out)
