"""Tables for reports: counts, sample flow, formatted indicators.

Every table here is built from the processed data and passes through
:func:`pipeline.analysis.disclosure.suppress` before a reader sees it; a suppressed cell
reads "<k" (k the minimum), never 0.
"""

from __future__ import annotations

import math

import pandas as pd

from pipeline.analysis.disclosure import suppress
from pipeline.i18n import _, ngettext, pgettext
from pipeline.report import format as fmt
from pipeline.schema import CONSORTIUM, paired_rows

# The value of pipeline.analysis.indicators.CONSORTIUM, not imported from there: reports load
# this module in every kernel and should not pay for the statistics libraries.


def respondents_by(responses: pd.DataFrame, by: str, waves: tuple[str, ...], min_cell: int) -> pd.DataFrame:
    """Respondents kept per ``by`` value and wave, one row per value.

    A row with a count below ``min_cell`` is suppressed, and (since the totals are
    published) a second row when only one would be.
    """
    if by not in responses.columns:  # data without that breakdown (e.g. no partner field): one row for all
        responses = responses.assign(**{by: "all"})
    counts = responses.groupby([by, "wave"], observed=True).size().unstack("wave").reindex(columns=list(waves)).fillna(0).astype(int)
    counts = counts.reset_index().rename(columns={by: "group"}).assign(_family=1)
    return suppress(counts, list(waves), [], min_cell, family_cols=["_family"]).drop(columns="_family")


def flow_counts(responses: pd.DataFrame, reconciliation: pd.DataFrame, instrument: str, waves: tuple[str, str]) -> pd.DataFrame:
    """The sample flow of one pre/post instrument as ``step``, ``n`` (see :data:`pipeline.report.figures_flow.FLOW_STEPS`).

    ``read`` and ``quarantined`` count rows of the export files; ``kept``,
    ``matched``, ``first_only`` and ``second_only`` count respondents.
    """
    rec = reconciliation.loc[reconciliation["instrument"] == instrument]
    ids = {w: set(responses.loc[responses["wave"] == w, "respondent_id"]) for w in waves}
    first, second = waves
    rows = []
    for tag, w in (("first", first), ("second", second)):
        r = rec.loc[(rec["wave"] == w) | rec["wave"].isna()]  # a wide file (no wave): each of its rows holds every wave
        rows += [(f"read_{tag}", int(r["rows_read"].sum())), (f"quarantined_{tag}", int(r["rows_quarantined"].sum())), (f"kept_{tag}", len(ids[w]))]
    rows += [
        ("matched", len(ids[first] & ids[second])),
        ("first_only", len(ids[first] - ids[second])),
        ("second_only", len(ids[second] - ids[first])),
    ]
    return pd.DataFrame(rows, columns=["step", "n"])


def likert_counts(responses: pd.DataFrame, codebook, items: list[str], wave_labels: dict[str, str] | None = None) -> pd.DataFrame:
    """People per response level of each item and wave, for :func:`pipeline.report.figures.likert_bars`.

    Missing codes ("don't know", "refused") and empty answers are left out; the
    item's English text is the ``item`` column (negatively worded items say so).
    """
    rows = []
    for item_id in items:
        item = codebook.item(item_id)
        text = item.label.get("en", item_id)
        if item.reverse:
            text = _("{item} (negatively worded)").format(item=text)
        valid = set(item.response_scale.values)
        for w in codebook.waves:
            vals = responses.loc[responses["wave"] == w, item_id]
            vals = vals[vals.isin(valid)]
            label = (wave_labels or {}).get(w, w)
            for level in item.response_scale.values:
                rows.append((text, label, level, int((vals == level).sum())))
    return pd.DataFrame(rows, columns=["item", "wave", "level", "count"])


def fewer_than(min_cell: int) -> str:
    """What a hidden head count reads: "fewer than 5", in the report's language."""
    # TRANSLATORS: a table cell in place of a hidden head count of people ("fewer than 5").
    return ngettext("fewer than {k}", "fewer than {k}", min_cell).format(k=fmt.count(min_cell))


def hidden_secondary() -> str:
    """What a cell hidden to protect a smaller group reads."""
    return _("hidden (secondary)")


def small_count(n, min_cell: int) -> str:
    """A head count as published: "fewer than k" for 1 to k - 1, else the number."""
    if n is None or (isinstance(n, float) and math.isnan(n)) or n is pd.NA:
        return "–"
    n = int(n)
    return fewer_than(min_cell) if 0 < n < min_cell else fmt.count(n)


def sample_flow(responses: pd.DataFrame, reconciliation: pd.DataFrame, instrument: str, waves: tuple[str, str]) -> pd.DataFrame:
    """The sample flow of one pre/post instrument (CONSORT-like), consortium level.

    Stages: rows read in each wave's files, rows quarantined, respondents kept,
    respondents matched across the two waves, seen only in the first (lost) or only
    in the second wave.
    """
    rec = reconciliation.loc[reconciliation["instrument"] == instrument]
    first, second = waves
    ids = {w: set(responses.loc[responses["wave"] == w, "respondent_id"]) for w in waves}
    matched = ids[first] & ids[second]
    rows = [
        (_("Rows in the exports before the activities"), int(rec.loc[rec["wave"] == first, "rows_read"].sum())),
        ("  " + _("of which quarantined (see data quality)"), int(rec.loc[rec["wave"] == first, "rows_quarantined"].sum())),
        (_("Respondents before the activities"), len(ids[first])),
        (_("Rows in the exports after the activities"), int(rec.loc[rec["wave"] == second, "rows_read"].sum())),
        ("  " + _("of which quarantined (see data quality)"), int(rec.loc[rec["wave"] == second, "rows_quarantined"].sum())),
        (_("Respondents after the activities"), len(ids[second])),
        (_("Matched: answered before and after"), len(matched)),
        (_("Answered before only (lost to follow-up)"), len(ids[first] - ids[second])),
        (_("Answered after only (no baseline)"), len(ids[second] - ids[first])),
    ]
    return pd.DataFrame(rows, columns=["stage", "n"])


_fmt = fmt.num
_fmt_p = fmt.p_value


def format_indicators(table: pd.DataFrame, min_cell: int, group_by: tuple[str, ...] = (CONSORTIUM, "partner")) -> pd.DataFrame:
    """Indicator rows as a reader sees them: n, means, change with CI, effect size named, p.

    Suppressed rows read "fewer than k" in place of every number.
    """
    rows = []
    table = paired_rows(table)
    sub = table.loc[table["group_by"].isin(group_by)]
    for r in sub.itertuples(index=False):
        conf = int(round(100 * float(r.confidence))) if not pd.isna(r.confidence) else 95
        if bool(r.suppressed):
            hidden = fewer_than(min_cell) if r.suppression == "primary" else hidden_secondary()
            rows.append([r.label, _group_label(r.group_by, r.group), hidden, "–", "–", "–", "–", "–"])
            continue
        change = _value_interval(r.mean_change, r.ci_low, r.ci_high, signed=True)
        rows.append(
            [
                r.label,
                _group_label(r.group_by, r.group),
                fmt.count(r.n_paired),
                _fmt(r.mean_pre),
                _fmt(r.mean_post),
                change,
                _value_interval(r.effect_size, r.effect_size_ci_low, r.effect_size_ci_high),
                _fmt_p(r.p_value),
            ]
        )
    return pd.DataFrame(
        rows,
        columns=[
            pgettext("table header", "Scale"),
            pgettext("table header", "Group"),
            pgettext("table header", "n (pairs)"),
            pgettext("table header", "Mean before"),
            pgettext("table header", "Mean after"),
            pgettext("table header", "Change [{level}% CI]").format(level=fmt.count(conf)),
            pgettext("table header", "d_z [95% CI]"),
            pgettext("table header", "p (paired t)"),
        ],
    )


def _value_interval(x, lo, hi, signed: bool = False) -> str:
    """A value and its interval as the tables always wrote them ("0.25 [0.10, 0.40]"; "–"
    for a missing end), in the report's language."""
    return f"{_fmt(x, signed=signed)} [{_fmt(lo)}{fmt.interval_separator()}{_fmt(hi)}]"


def format_later_waves(table: pd.DataFrame, min_cell: int, wave_labels: dict[str, str]) -> pd.DataFrame:
    """Rows of later pairs of waves (a follow-up) as a reader sees them, in the given order:
    the surveys compared, n, the change with its CI and d_z with its CI.

    ``wave_labels`` maps a wave id to its words ("Before the series"); suppressed rows
    read "fewer than k" in place of every number.
    """
    rows = []
    for r in table.itertuples(index=False):
        surveys = f"{wave_labels.get(r.wave_from, r.wave_from)} → {wave_labels.get(r.wave_to, r.wave_to)}"
        if bool(r.suppressed):
            hidden = fewer_than(min_cell) if r.suppression == "primary" else hidden_secondary()
            rows.append([r.label, _group_label(r.group_by, r.group), surveys, hidden, "–", "–"])
            continue
        rows.append(
            [
                r.label,
                _group_label(r.group_by, r.group),
                surveys,
                fmt.count(r.n_paired),
                _value_interval(r.mean_change, r.ci_low, r.ci_high, signed=True),
                _value_interval(r.effect_size, r.effect_size_ci_low, r.effect_size_ci_high),
            ]
        )
    return pd.DataFrame(
        rows,
        columns=[
            pgettext("table header", "Scale"),
            pgettext("table header", "Group"),
            pgettext("table header", "Surveys compared"),
            pgettext("table header", "n (pairs)"),
            pgettext("table header", "Change [95% CI]"),
            pgettext("table header", "d_z [95% CI]"),
        ],
    )


def _group_label(group_by: str, group: str) -> str:
    return _("Consortium") if group_by == CONSORTIUM else str(group)


def quarantine_summary(quarantine: pd.DataFrame) -> pd.DataFrame:
    """Quarantined rows by file and reason (rows, not failures: a row may fail twice)."""
    if quarantine.empty:
        return pd.DataFrame(columns=["source_file", "reason", "rows"])
    out = quarantine.groupby(["source_file", "reason"], sort=True)["source_row"].nunique().rename("rows").reset_index()
    return out


def to_html(frame: pd.DataFrame, caption: str = "", escape: bool = True) -> str:
    """A table as report HTML (no index; missing cells as an en dash).

    ``escape=False`` is for frames whose cells already are HTML (escaped by their maker).
    The caption is text (a label from the data may be in it): always escaped.
    """
    html = frame.to_html(index=False, na_rep="–", classes="report-table", border=0, escape=escape)
    if caption:  # pandas writes border="0" before the class, or (pandas 3) leaves it out
        start = html.index(">", html.index("<table")) + 1
        html = html[:start] + f"<caption>{fmt.html_text(caption)}</caption>" + html[start:]
    return html


def provenance(run: dict) -> pd.DataFrame:
    """Input files of a run with their SHA-256 (first 16 hex digits shown)."""
    rows = [(path, digest[:16]) for path, digest in sorted(run.get("inputs", {}).items())]
    return pd.DataFrame(rows, columns=[pgettext("table header", "file"), pgettext("table header", "sha256 (first 16)")])


def banded_body(rows: list[str]) -> str:
    """Table rows as ``<tbody>`` groups in which each band row (``<tr class="criterion">``)
    travels with the row after it: WeasyPrint ignores ``break-after: avoid`` on a row,
    but keeps a ``<tbody class="keep">`` whole (``break-inside: avoid`` in report.css),
    so no band heading is left alone at the foot of a page."""
    out, k = ["<tbody>"], 0
    while k < len(rows):
        if rows[k].startswith('<tr class="criterion"'):
            out.append('</tbody><tbody class="keep">' + "".join(rows[k : k + 2]) + "</tbody><tbody>")
            k += 2
        else:
            out.append(rows[k])
            k += 1
    out.append("</tbody>")
    return "".join(out).replace("<tbody></tbody>", "")
