"""Analyses an analyst asks for, each in one call, with the pipeline's own statistics.

* :func:`change_table`: the change of each scale on any subset and breakdown, rows
  named after the subset, p-values Holm-adjusted within the table's families, reliable
  change measured with the consortium's yardstick, small groups suppressed.
* :func:`compare_change`: two groups' change compared (difference in change with its
  Welch interval and Hedges' g).
* :func:`publish_table`: any table through the pipeline's disclosure control.
* :func:`compare_runs`: what changed between two runs.

From a notebook the same functions are methods of the run's context
(``ctx.change_table``, ``ctx.compare_change``, ``ctx.publish``; see ``docs/analysts.md``).
Statistics come from :mod:`pipeline.analysis.indicators` and :mod:`pipeline.stats`;
nothing is computed here that the published indicators compute differently.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.analysis import indicators as ind
from pipeline.analysis.disclosure import SUPPRESSED, parents_of, row_cells
from pipeline.errors import PipelineError
from pipeline.instruments.codebook import Codebook
from pipeline.schema import CONSORTIUM, Files

#: ``group_by`` of the row that covers the whole subset of a :func:`change_table`.
SUBSET = "subset"


# ----------------------------------------------------------------------------- subsets
def _condition_name(where) -> str:
    if where is None:
        return CONSORTIUM
    if isinstance(where, str):
        return where
    if isinstance(where, Mapping):
        parts = []
        for col, value in where.items():
            if isinstance(value, (list, tuple, set)):
                parts.append(f"{col} in {', '.join(map(str, value))}")
            else:
                parts.append(f"{col} = {value}")
        return " & ".join(parts)
    raise PipelineError(f"where= must be a pandas query string or a mapping column -> value (or list of values), got {where!r}")


def select(scored: pd.DataFrame, where) -> pd.DataFrame:
    """The rows of ``scored`` that meet ``where``.

    ``where`` is None (all rows), a mapping ``{column: value}`` or ``{column: [values]}``
    (every condition must hold), or a :meth:`pandas.DataFrame.query` string
    (``"partner == 'GR-THE' and gender == 'female'"``). A column that is not in the
    responses raises :class:`~pipeline.errors.PipelineError` naming it.
    """
    if where is None:
        return scored
    if isinstance(where, str):
        try:
            return scored.query(where)
        except Exception as exc:  # pandas raises several kinds for a bad expression
            raise PipelineError(f"where={where!r} could not be evaluated on the responses: {exc}; columns: {', '.join(scored.columns)}") from None
    _condition_name(where)  # checks the type
    keep = pd.Series(True, index=scored.index)
    for col, value in where.items():
        if col not in scored.columns:
            raise PipelineError(f"where: no column {col!r} in the responses; columns: {', '.join(scored.columns)}")
        values = list(value) if isinstance(value, (list, tuple, set)) else [value]
        keep &= scored[col].astype("string").isin([str(v) for v in values]).fillna(False).astype(bool)
    return scored.loc[keep]


def _waves(codebook: Codebook, waves) -> tuple[str, str]:
    waves = tuple(waves) if waves is not None else tuple(codebook.waves[:2])
    if len(waves) != 2 or any(w not in codebook.waves for w in waves):
        raise PipelineError(f"{codebook.instrument}: waves= must be two of the codebook's waves {list(codebook.waves)}, got {waves!r}")
    return waves  # type: ignore[return-value]


def _scales(codebook: Codebook, scales):
    if scales is None:
        return list(codebook.scales)
    names = [scales] if isinstance(scales, str) else list(scales)
    known = {s.id: s for s in codebook.scales}
    unknown = [s for s in names if s not in known]
    if unknown:
        raise PipelineError(f"{codebook.instrument}: no scale(s) {unknown}; scales: {', '.join(known)}")
    return [known[s] for s in names]


def change_table(
    scored: pd.DataFrame,
    codebook: Codebook,
    min_cell: int,
    where=None,
    by: str | Sequence[str] | None = None,
    scales: str | Sequence[str] | None = None,
    waves: Sequence[str] | None = None,
    name: str | None = None,
    yardstick: str = "consortium",
) -> pd.DataFrame:
    """Participants' change of each scale on a subset of respondents, overall and by breakdowns.

    The same statistics as the published ``paired_change`` rows (mean change with its
    t interval, paired t and Wilcoxon tests, d_z and g_av with intervals, reliable
    change shares, attrition check; :mod:`pipeline.analysis.indicators`), computed on
    the respondents that meet ``where``.

    Parameters
    ----------
    scored : DataFrame
        The instrument's responses (``ctx.responses[instrument]``).
    codebook : Codebook
    min_cell : int
        Smallest group a number may describe: smaller groups are suppressed (with
        secondary suppression across the table's breakdowns).
    where : mapping or str, optional
        The subset: ``{"partner": "GR-THE", "gender": "female"}`` or a query string.
        Rows meeting it at either wave are kept, so use fields that do not change
        between waves (a person's partner, gender, group).
    by : str or list of str, optional
        Breakdowns within the subset (columns of the responses); none by default.
    scales : str or list of str, optional
        Scale ids; every scale by default.
    waves : (str, str), optional
        The two waves compared; the codebook's first two by default.
    name : str, optional
        How the rows name the subset; by default the ``where`` condition written out.
    yardstick : {"consortium", "subset"}
        Reliable change compares each person's change with S_diff, made from the
        reliability (Cronbach's alpha at the first wave) and the participants' SD at the
        first wave. ``"consortium"`` (default) takes both from all the instrument's
        respondents, as the published partner rows do, so a subset's shares compare
        with the consortium's; ``"subset"`` measures them in the subset.

    Returns
    -------
    DataFrame
        The columns of ``indicators.csv`` after a ``subset`` column (the subset's name
        on every row). The row covering the whole subset has ``group_by = "subset"``
        and ``group`` = its name (not "consortium"); breakdown rows have the
        breakdown's column and value. ``p_adjust_family`` names the family Holm
        adjusted over: the tests of one breakdown of this table (the subset's own
        rows form one family, each breakdown another), not the published table's.
    """
    if yardstick not in ("consortium", "subset"):
        raise PipelineError(f"yardstick= must be 'consortium' or 'subset', got {yardstick!r}")
    waves = _waves(codebook, waves)
    chosen = _scales(codebook, scales)
    groups = [by] if isinstance(by, str) else list(by or [])
    missing = [g for g in groups if g not in scored.columns]
    if missing:
        raise PipelineError(f"by: no column(s) {missing} in the {codebook.instrument} responses; columns: {', '.join(scored.columns)}")
    subset = select(scored, where)
    label = name or _condition_name(where)
    if subset.empty:
        raise PipelineError(f"{codebook.instrument}: no responses meet where={where!r}")
    rows = ind._paired_change_rows(subset, codebook, min_cell, waves, scales=chosen, groups=groups, yardstick=scored if yardstick == "consortium" else None)
    rows = ind._stamp(rows, codebook, waves)
    table = ind.publish_indicators(ind.adjust_families(ind.rows_table(rows)), min_cell, parents_of(subset))
    whole = table["group_by"].eq(CONSORTIUM)
    if where is not None or name is not None:
        table.loc[whole, "group_by"] = SUBSET
        table.loc[whole, "group"] = label
    family = table["p_adjust_family"].fillna("").astype(str)
    if where is not None or name is not None:
        family = family.str.replace(f" by {CONSORTIUM} (", f" by {SUBSET} (", regex=False)
    table["p_adjust_family"] = [f"{label}: {f}" if f else "" for f in family]
    table["rc_yardstick"] = "consortium (all respondents of the instrument)" if yardstick == "consortium" else f"subset ({label})"
    table.insert(0, SUBSET, label)
    return table.reset_index(drop=True)


# ----------------------------------------------------------------------------- two groups
COMPARE_COLUMNS = [
    "subset",
    "scale",
    "by",
    "group_a",
    "group_b",
    "wave_from",
    "wave_to",
    "n_a",
    "n_b",
    "change_a",
    "change_b",
    "difference",
    "ci_low",
    "ci_high",
    "confidence",
    "t",
    "df",
    "p_value",
    "test",
    "effect_size",
    "effect_size_type",
    "effect_size_ci_low",
    "effect_size_ci_high",
    "suppressed",
    "note",
]


def compare_change(
    scored: pd.DataFrame,
    codebook: Codebook,
    scale: str,
    by: str,
    groups: Sequence[str],
    min_cell: int,
    where=None,
    waves: Sequence[str] | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Compare two groups' change: (mean change of ``groups[0]``) - (mean change of ``groups[1]``).

    Participants only (the comparison group of the codebook is left out), paired
    respondents only, a person's group taken at the first wave. The difference with
    its Welch interval, Welch's t-test and Hedges' g of the change scores with its
    interval come from :func:`pipeline.stats.diff_in_diff` (which is R's
    ``t.test(change ~ group)``), with group A in the place of "treated".

    Parameters
    ----------
    scored, codebook : the instrument's responses and codebook.
    scale : str
        A scale id.
    by : str
        The column that holds the groups (``gender``, ``partner``, ``group``...).
    groups : (str, str)
        The two values of ``by`` compared: A minus B.
    min_cell : int
        Both groups need at least this many pairs, else the row is suppressed.
    where : optional
        A subset first (:func:`select`): women against men at one partner is
        ``where={"partner": "GR-THE"}, by="gender", groups=("female", "male")``.
    waves : (str, str), optional
        The codebook's first two by default.

    Returns
    -------
    DataFrame
        One row (:data:`COMPARE_COLUMNS`): n and mean change of each group, the
        difference with its interval, t, df, p (one test, not adjusted), Hedges' g.
    """
    from pipeline import stats

    waves = _waves(codebook, waves)
    (sc,) = _scales(codebook, scale)
    if by not in scored.columns:
        raise PipelineError(f"by: no column {by!r} in the {codebook.instrument} responses; columns: {', '.join(scored.columns)}")
    groups = [str(g) for g in groups]
    if len(groups) != 2 or groups[0] == groups[1]:
        raise PipelineError(f"groups= must be two different values of {by!r}, got {groups!r}")
    subset = select(scored, where)
    pairs = ind._participant_pairs(subset, codebook, sc.id, waves, (by,))
    pairs = pairs.loc[pairs[waves[0]].notna() & pairs[waves[1]].notna()]
    member = pairs[by].astype("string")
    known = sorted(set(member.dropna()))
    absent = [g for g in groups if g not in known]
    if absent:
        raise PipelineError(f"{by}: no paired participants in group(s) {absent}; groups with pairs: {', '.join(known) or 'none'}")
    pairs = pairs.loc[member.isin(groups).fillna(False).astype(bool)]
    res = stats.diff_in_diff(pairs[waves[0]].to_numpy(float), pairs[waves[1]].to_numpy(float), (pairs[by].astype(str) == groups[0]).to_numpy(float), confidence=confidence)
    row = {
        "subset": _condition_name(where),
        "scale": sc.id,
        "by": by,
        "group_a": groups[0],
        "group_b": groups[1],
        "wave_from": waves[0],
        "wave_to": waves[1],
        "n_a": res.n_treated,
        "n_b": res.n_control,
        "change_a": res.change_treated,
        "change_b": res.change_control,
        "difference": res.estimate,
        "ci_low": res.ci_low,
        "ci_high": res.ci_high,
        "confidence": confidence,
        "t": res.t,
        "df": res.df,
        "p_value": res.p_value,
        "test": "Welch t-test of the change scores (A - B)",
        "effect_size": res.effect_size,
        "effect_size_type": res.effect_size_type,
        "effect_size_ci_low": res.effect_size_ci_low,
        "effect_size_ci_high": res.effect_size_ci_high,
        "suppressed": False,
        "note": res.reason or "",
    }
    small = [g for g, n in zip(groups, (res.n_treated, res.n_control), strict=True) if 0 < n < min_cell]
    if small:
        for col in ("n_a", "n_b", "change_a", "change_b", "difference", "ci_low", "ci_high", "t", "df", "p_value", "effect_size", "effect_size_ci_low", "effect_size_ci_high"):
            row[col] = math.nan
        row["suppressed"] = True
        row["note"] = f"suppressed: fewer than {min_cell} pairs in {', '.join(small)}"
    return pd.DataFrame([row], columns=COMPARE_COLUMNS)


# ----------------------------------------------------------------------------- publishing
def publish_table(
    table: pd.DataFrame,
    count_columns: str | Sequence[str],
    value_columns: Sequence[str] | None = None,
    min_cell: int = 5,
    by: str | None = None,
    total: Mapping | None = None,
    shares: Mapping[str, str] | None = None,
    note_column: str | None = "note",
) -> pd.DataFrame:
    """Any table an analyst made, with the pipeline's disclosure control, in one call.

    * **Rows** (primary): a row whose smallest positive count is below ``min_cell``
      has its counts and values blanked (missing, never 0): ``suppressed = True``,
      ``suppression = "primary"``.
    * **Differencing** (secondary): the rows of a breakdown add up to its total (the
      row given by ``total``, or, without one, a total published elsewhere, which a
      reader is assumed to know). Wherever a reader could work out a hidden row by
      subtraction, or the people of several hidden rows together number 1 to
      ``min_cell - 1``, the smallest other row is hidden too (``"secondary"``). ``by``
      names the column that says which breakdown a row belongs to (rows by gender and
      rows by age group in one table add up separately); without it, all rows but the
      total form one breakdown.
    * **Shares within a row**: ``shares`` maps each share column to the column with its
      count (``{"share_improved": "n_improved"}``, out of the row's first count column).
      A share whose count, or the rest of the row, is 1 to ``min_cell - 1`` people, or
      that would reveal such a group by subtraction across rows, is blanked. The count
      columns named in ``shares`` are dropped (they are the private numbers).
    * **Notes**: ``note_column`` is replaced on every row where something was hidden,
      and on rows whose note states a number from 1 to ``min_cell - 1`` (a note such as
      "3 answered 'refused'" gives a count away).

    This is :func:`pipeline.analysis.disclosure.protect` (Hundepool et al. 2012,
    chapter 5) on the cells of this one table: a table that can be subtracted from
    another published table (the same people by another breakdown) needs both in one
    table.

    Parameters
    ----------
    table : DataFrame
    count_columns : str or list of str
        Columns holding numbers of people (the first is the row's n).
    value_columns : list of str, optional
        Columns describing the row's people (means, intervals); by default every
        numeric column that is not a count or a share.
    min_cell : int, default 5
    by : str, optional
    total : mapping, optional
        ``{column: value}`` of the total row (``{"group": "all"}``).
    shares : mapping, optional
    note_column : str, optional

    Returns
    -------
    DataFrame
        A copy (index reset) with blanked cells and ``suppressed`` / ``suppression`` columns.
    """
    from pipeline.analysis.disclosure import _Seeded, _suppress, blank

    counts = [count_columns] if isinstance(count_columns, str) else list(count_columns)
    shares = dict(shares or {})
    private = list(dict.fromkeys(shares.values()))
    missing = [c for c in [*counts, *shares, *private, *([by] if by else []), *(total or {})] if c not in table.columns]
    if missing:
        raise PipelineError(f"publish: no column(s) {missing} in the table; columns: {', '.join(map(str, table.columns))}")
    if not isinstance(min_cell, int) or min_cell < 1:
        raise PipelineError(f"publish: min_cell must be a whole number >= 1, got {min_cell!r}")
    out = table.reset_index(drop=True).copy()
    numeric = [c for c in out.columns if pd.api.types.is_numeric_dtype(out[c]) and not pd.api.types.is_bool_dtype(out[c])]
    values = list(value_columns) if value_columns is not None else [c for c in numeric if c not in counts and c not in private]
    totals = pd.Series(False, index=out.index)
    if total:
        totals = pd.Series(True, index=out.index)
        for col, value in total.items():
            totals &= out[col].astype(str).eq(str(value))
        if not totals.any():
            raise PipelineError(f"publish: no total row with {dict(total)}")
    out["_measure"] = "table"
    out["_by"] = out[by].astype(str) if by else "rows"
    out.loc[totals, "_by"] = "_total"
    cells = row_cells(out, counts, min_cell, ["_measure", "_by"], totals, breakdown="_by")
    n = pd.to_numeric(out[counts[0]], errors="coerce")
    t = out.index[totals.to_numpy()][0] if totals.any() else None
    for share, count in shares.items():
        k = pd.to_numeric(out[count], errors="coerce")
        for i in out.index:
            if pd.isna(k[i]) or pd.isna(n[i]):
                continue
            cells.add((i, share), int(k[i]), (("share", i, share), ("row", i)))
            cells.add((i, share, "rest"), int(n[i] - k[i]))
            cells.margin((i, counts[0]), [(i, share), (i, share, "rest")])
        for fam, idx in out.loc[~totals].groupby("_by", sort=False).groups.items():
            for part in (share, (share, "rest")):
                key = lambda i, part=part: (i, part) if part == share else (i, share, "rest")
                parts = [key(i) for i in idx if key(i) in cells.values]
                if not parts:
                    continue
                if t is not None and key(t) in cells.values:
                    cells.margin(key(t), parts)
                else:  # the total is published elsewhere: known to a reader
                    tkey = ("elsewhere", fam, part)
                    cells.add(tkey, sum(cells.values[p] for p in parts), (("elsewhere",),))
                    cells.protected.add(("elsewhere",))
                    cells.margin(tkey, parts)
    published, off = _suppress(out, counts, [c for c in values if c in out.columns], min_cell, cells=_Seeded(cells, set()))
    why = f"fewer than {min_cell} people, or it would reveal such a group by subtraction"
    reasons = {i: f"suppressed: {why}" for i in published.index[published[SUPPRESSED].astype(bool).to_numpy()]}
    for share in shares:
        hide = [i for i in published.index if ("share", i, share) in off and not published.at[i, SUPPRESSED]]
        if hide:
            published = blank(published, hide, [share])
            for i in hide:
                reasons[i] = f"{reasons[i]}; " if i in reasons else ""
                reasons[i] += f"{share} hidden: {why}"
    if note_column and note_column in published.columns:
        notes = published[note_column].astype(object).where(published[note_column].notna(), "").astype(str)
        small = notes.str.findall(r"\d+").map(lambda nums: any(0 < int(x) < min_cell for x in nums))
        notes = notes.where(~small, f"note hidden: it stated a number below {min_cell}")
        for i, reason in reasons.items():
            notes.at[i] = reason  # the note may state what was hidden
        published[note_column] = notes
    return published.drop(columns=["_measure", "_by", *private])


# ----------------------------------------------------------------------------- two runs
def _inputs_by_name(run: dict) -> dict[str, str]:
    """Input hashes keyed by file name relative to the data folder (codebooks and the
    registry by their file name), not by the path ingest happened to be run from."""
    data_dir = Path(str(run.get("data_dir", "")))
    out = {}
    for path, digest in (run.get("inputs") or {}).items():
        p = Path(path)
        try:
            key = p.relative_to(data_dir).as_posix()
        except ValueError:
            key = p.name
        out[key] = digest
    return out


def _run_inputs(folder: Path) -> dict:
    """``run.json`` of a build folder, or the inputs and data folder of a report folder's ``manifest.json``."""
    if (folder / Files.RUN).is_file():
        return json.loads((folder / Files.RUN).read_text(encoding="utf-8"))
    if (folder / Files.MANIFEST).is_file():
        manifest = json.loads((folder / Files.MANIFEST).read_text(encoding="utf-8"))
        return {"inputs": manifest.get("inputs", {}), "data_dir": (manifest.get("parameters") or {}).get("data_dir", "")}
    return {}


def compare_runs(before: str | Path, after: str | Path, tolerance: float = 1e-9) -> dict[str, pd.DataFrame]:
    """What changed between two runs (two build folders, or two report folders with the
    same tables). A relative folder is read from the working directory, else from the
    project root (as ``load_context`` does).

    Returns
    -------
    dict of DataFrame
        ``indicators``: one row per indicator row (``indicator_id``, ``group_by``,
        ``group``) whose value, status or suppression changed, or that is only in one
        run: the value before and after (``mean_change`` or ``value``), ``status`` and
        ``suppressed`` before and after, and ``what`` changed.
        ``inputs``: files whose content changed, or that are only in one run, keyed by
        file name in the data folder (so two runs started from different folders compare).
    """
    from pipeline.config import ROOT

    # a relative folder that is not in the working directory is read from the project root
    before, after = (Path(f) if Path(f).is_absolute() or Path(f).exists() else ROOT / f for f in (before, after))
    tables = []
    for folder in (before, after):
        path = folder / Files.INDICATORS
        if not path.is_file():
            raise PipelineError(f"compare_runs: no {Files.INDICATORS} in {str(folder.absolute())!r}")
        wanted = ("indicator_id", "group_by", "group", "mean_change", "value", "status", "suppressed")
        tables.append(pd.read_csv(path, usecols=lambda c: c in wanted))
    keys = ["indicator_id", "group_by", "group"]
    merged = tables[0].merge(tables[1], on=keys, how="outer", suffixes=("_before", "_after"), indicator=True)
    rows = []
    for _, r in merged.iterrows():
        what = []
        if r["_merge"] != "both":
            what.append("only before" if r["_merge"] == "left_only" else "only after")
        else:
            for col in ("mean_change", "value"):
                a, b = r.get(f"{col}_before"), r.get(f"{col}_after")
                if a is None and b is None:
                    continue
                if pd.isna(a) != pd.isna(b) or (pd.notna(a) and abs(float(a) - float(b)) > tolerance):
                    what.append(col)
            for col in ("status", "suppressed"):
                a, b = r.get(f"{col}_before"), r.get(f"{col}_after")
                if (pd.isna(a) and pd.isna(b)) or a == b:
                    continue
                what.append(col)
        if what:
            row = {k: r[k] for k in keys}
            for col in ("mean_change", "value", "status", "suppressed"):
                for side in ("before", "after"):
                    row[f"{col}_{side}"] = r.get(f"{col}_{side}", np.nan)
            row["what"] = ", ".join(what)
            rows.append(row)
    columns = [*keys, *(f"{c}_{s}" for c in ("mean_change", "value", "status", "suppressed") for s in ("before", "after")), "what"]
    runs = [_run_inputs(folder) for folder in (before, after)]
    a, b = (_inputs_by_name(run) for run in runs)
    inputs = [
        {"file": f, "before": a.get(f, ""), "after": b.get(f, ""), "what": "changed" if f in a and f in b else ("only before" if f in a else "only after")}
        for f in sorted(set(a) | set(b))
        if a.get(f) != b.get(f)
    ]
    return {"indicators": pd.DataFrame(rows, columns=columns), "inputs": pd.DataFrame(inputs, columns=["file", "before", "after", "what"])}


__all__ = ["change_table", "compare_change", "compare_runs", "publish_table", "select", "SUBSET"]
