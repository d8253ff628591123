"""Validate answers against the codebook; quarantine the rows that fail.

The pandera schema is built from the codebook (:func:`build_schema`), never written
by hand per column, and applied lazily so that every failure of every row is
collected. A row with any failure is quarantined: it goes to the quarantine table
with one line per failure (source file, source row, column, value, reason, detail)
and is left out of the analysis; the other rows go on. Nothing is dropped without
a line in the quarantine table.

Reasons (``reason`` column of the quarantine table): :class:`pipeline.schema.Reason`, the one
list of them; ``docs/quarantine.md`` shows it as a table generated from that enum.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow
import pyarrow.compute as pa_compute

from pipeline.ingest.categories import category_values, is_categorical
from pipeline.ingest.pairing import unidentified
from pipeline.instruments.codebook import DROPPED_ROLES, Codebook
from pipeline.instruments.registry import Consortium
from pipeline.schema import QUARANTINE_COLUMNS, REASON_TEXT, SOURCE_FILE, SOURCE_ROW, WAVE

REASONS = REASON_TEXT


@dataclass(frozen=True)
class Validated:
    """Outcome of validation: the rows kept (typed) and the quarantine lines."""

    valid: pd.DataFrame
    quarantine: pd.DataFrame


def _codes_text(codes) -> str:
    codes = sorted(codes)
    runs, start, prev = [], codes[0], codes[0]
    for c in codes[1:] + [None]:
        if c is not None and c == prev + 1:
            prev = c
            continue
        runs.append(f"{start} to {prev}" if prev > start + 1 and start < 0 else f"{start}-{prev}" if prev > start + 1 else ", ".join(str(x) for x in range(start, prev + 1)))
        if c is not None:
            start = prev = c
    return ", ".join(runs)


def _to_float(raw: pd.Series) -> pd.Series:
    """Numbers from text: pyarrow's cast when every cell parses (the common case, fast),
    else pandas, after trimming spaces and reading a decimal comma as a point. A
    categorical column's categories are converted, once each."""
    if is_categorical(raw):
        return pd.Series(category_values(raw, lambda text: _to_float(text).to_numpy()), index=raw.index, dtype="float64")
    try:
        arr = pa_compute.cast(pyarrow.array(raw.astype("string[pyarrow]").array), pyarrow.float64())
        return pd.Series(arr.to_numpy(zero_copy_only=False), index=raw.index, dtype="float64")
    except (pyarrow.ArrowInvalid, pyarrow.ArrowNotImplementedError, TypeError):
        # each distinct text converted once (an answer column holds a handful of them)
        codes, uniques = pd.factorize(raw.astype("string"), use_na_sentinel=True)
        text = pd.Series(uniques, dtype="string").str.strip().str.replace(",", ".", regex=False)
        numbers = np.append(pd.to_numeric(text, errors="coerce").astype("float64").to_numpy(), np.nan)
        return pd.Series(numbers[codes], index=raw.index, dtype="float64")


def _stripped(values: pd.Series) -> pd.Series:
    """``values.astype("string").str.strip()``; the column itself when no value has
    white space around it (most columns: no second copy of the text in memory)."""
    text = values.astype("string")
    stripped = text.str.strip()
    same = (stripped == text).all()  # missing values compare as missing and are skipped
    return text if same else stripped


def coerce_types(frame: pd.DataFrame, codebook: Codebook) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Give item columns numbers and the submission time a timestamp.

    A cell that holds text but does not convert is set missing in the typed frame
    and reported as a failure (``not_a_number`` / ``invalid_date``) with its raw value.

    Returns
    -------
    typed : DataFrame
        A new frame; items are float64 (missing as NaN), ``submission_time`` is
        ``datetime64[us]`` (UTC, without time zone), other fields are strings.
    failures : DataFrame
        Columns ``index, column, value, reason``.
    """
    typed = frame.copy(deep=False)  # copy-on-write: columns are replaced, never changed in place
    failures = []
    for item in codebook.items:
        raw = frame[item.id]
        if item.response_scale.codes:  # text codes of a named-choice list (strongly_agree -> 5)
            codes = {k.casefold(): str(v) for k, v in item.response_scale.codes.items()}
            raw = raw.map(lambda v: codes.get(v.strip().casefold(), v) if isinstance(v, str) else v)
        num = _to_float(raw)
        bad = raw.notna() & num.isna()
        if bad.any():
            failures.append(pd.DataFrame({"index": frame.index[bad], "column": item.id, "value": raw[bad].astype(str), "reason": "not_a_number"}))
        typed[item.id] = num
    if "submission_time" in frame.columns:
        raw = frame["submission_time"]
        ts = pd.to_datetime(raw, errors="coerce", utc=True, format="ISO8601")
        ts = ts.dt.tz_localize(None).astype("datetime64[us]")
        bad = raw.notna() & ts.isna()
        if bad.any():
            failures.append(pd.DataFrame({"index": frame.index[bad], "column": "submission_time", "value": raw[bad].astype(str), "reason": "invalid_date"}))
        typed["submission_time"] = ts
    for f in codebook.fields:
        name = f.name
        if name in typed.columns and name != "submission_time":
            typed[name] = _stripped(typed[name])
    fail = pd.concat(failures, ignore_index=True) if failures else pd.DataFrame(columns=["index", "column", "value", "reason"])
    return typed, fail


def build_schema(codebook: Codebook, consortium: Consortium) -> pa.DataFrameSchema:
    """The pandera schema of one instrument's typed rows, built from its codebook.

    Each check's ``error`` is the quarantine reason code, so failures map to reasons
    without parsing messages.
    """
    columns: dict[str, pa.Column] = {}
    for f in codebook.fields:
        name = f.name
        if f.role in DROPPED_ROLES:
            continue
        if f in codebook.typed_fields:  # typed and checked by coerce_field_types
            continue
        checks = []
        if f.role == "partner":
            checks.append(pa.Check.isin(list(consortium.partner_codes), error="unknown_partner"))
        elif f.choices is not None:
            checks.append(pa.Check.isin(list(f.choices), error="invalid_choice"))
        elif f.choices_from == "partners":
            checks.append(pa.Check.isin(list(consortium.partner_codes), error="unknown_partner"))
        if f.role == "submission_time" and consortium.start is None:  # no project period to check
            columns[name] = pa.Column("datetime64[us]", nullable=True)
            continue
        if f.role == "submission_time":
            lo = pd.Timestamp(consortium.start)
            hi = pd.Timestamp(consortium.end) + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
            columns[name] = pa.Column("datetime64[us]", pa.Check.in_range(lo, hi, error="outside_project_period"), nullable=True)
            continue
        unique = f.role == "submission_id"
        columns[name] = pa.Column("string", checks, nullable=True, unique=unique, report_duplicates="exclude_first" if unique else "all")
    for item in codebook.items:
        columns[item.id] = pa.Column("float64", pa.Check.isin(list(item.response_scale.valid_codes), error="out_of_range"), nullable=True)
    return pa.DataFrameSchema(columns, strict=False, coerce=False)


def validate(frame: pd.DataFrame, codebook: Codebook, consortium: Consortium, absent: dict[str, tuple[str, ...]] | None = None) -> Validated:
    """Validate one instrument's de-identified rows (all its files and waves together).

    Parameters
    ----------
    frame : DataFrame
        Output of :func:`pipeline.ingest.read.map_columns` and :func:`pipeline.ingest.deidentify.deidentify`
        for every file of the instrument, concatenated in manifest order, with a ``wave`` column.
    codebook, consortium
        The instrument and the registry (partner codes, project period).
    absent : dict, optional
        Per source file, the columns it does not have: their questions were not asked
        there, so a required one is not missing in that file's rows.

    Returns
    -------
    Validated
        ``valid``: typed rows without any failure; ``quarantine``: one line per failure.
    """
    frame = frame.reset_index(drop=True)
    typed, failures = coerce_types(frame, codebook)
    typed, field_failures = coerce_field_types(frame, typed, codebook, consortium)
    parts = [failures, field_failures, row_checks(typed, codebook)]
    # Required fields that are empty (where their skip logic shows them).
    for f in codebook.fields:
        name = f.name
        if f.required and name in frame.columns:
            empty = frame[name].isna() | frame[name].astype("string").str.strip().eq("").fillna(False)
            if f.relevant and empty.any():
                empty &= shown_rows(frame, f.relevant, codebook)
            not_asked = [k for k, names in (absent or {}).items() if name in names]
            if not_asked:
                empty &= ~frame[SOURCE_FILE].isin(not_asked)
            if empty.any():
                parts.append(pd.DataFrame({"index": typed.index[empty], "column": name, "value": "", "reason": "missing_required"}))
    # Pairing by code: a row needs its identifier or an element of its code.
    lacking = unidentified(frame, codebook)
    if lacking.any():
        parts.append(pd.DataFrame({"index": typed.index[lacking], "column": "respondent_id", "value": "", "reason": "missing_required"}))
    # The schema: codes, choices, registry, period, duplicate submissions.
    parts.append(schema_failures(build_schema(codebook, consortium), typed))
    # One respondent, several submissions in one wave (duplicate submissions set aside first).
    if "respondent_id" in typed.columns:
        dup_sub = set()
        for p in parts:
            if len(p):
                dup_sub.update(p.loc[p["reason"] == "duplicate_submission", "index"].tolist())
        candidates = typed.loc[~typed.index.isin(dup_sub) & typed["respondent_id"].notna(), [WAVE, "respondent_id"]]
        twice = _duplicated(candidates)
        if twice.any():
            rows = candidates.loc[twice]
            parts.append(pd.DataFrame({"index": rows.index, "column": "respondent_id", "value": rows["respondent_id"].astype(str), "reason": "duplicate_respondent"}))
    fails = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) else pd.DataFrame(columns=["index", "column", "value", "reason"])
    fails["index"] = fails["index"].astype(int)
    bad = np.zeros(len(typed), dtype=bool)
    bad[fails["index"].to_numpy()] = True
    quarantine = _quarantine_table(fails, frame, codebook, consortium)
    valid = keep_rows(typed, ~bad, release=True)  # typed is this function's own: each column freed once copied
    return Validated(valid=valid, quarantine=quarantine)


def schema_failures(schema: pa.DataFrameSchema, typed: pd.DataFrame) -> pd.DataFrame:
    """Apply the schema lazily; one failure per row, column and failed check.

    A column's checks (codes, choices, registry, period) look at one value at a
    time, so pandera checks each column's distinct values, the columns with few of
    them together in one small frame, and the rows holding a value that failed are
    the failures; the dtype is the typed frame's own. Uniqueness (a submission id
    seen before: ``duplicate_submission``, every copy after the first) is pandera's
    rule on the whole column: ``Series.duplicated(keep="first")``. Returns columns
    ``index, column, value, reason``.
    """
    parts, few, many = [], {}, {}
    for name, column in schema.columns.items():
        if name not in typed.columns:
            continue
        values = typed[name]
        if column.checks:
            distinct = pd.Series(pd.unique(values), dtype=values.dtype)
            (few if len(distinct) <= _FEW_VALUES else many)[name] = distinct
        if column.unique and (again := _seen_before(values)).any():
            parts.append(pd.DataFrame({"index": typed.index[again], "column": name, "value": values[again].astype(str).to_numpy(), "reason": "duplicate_submission"}))
    groups = [few] if few else []
    groups += [{name: distinct} for name, distinct in many.items()]
    for group in groups:
        length = max(len(d) for d in group.values())
        # pad with a value of the column itself: a repeated value fails or passes as it did once
        frame = pd.DataFrame({name: d.iloc[np.minimum(np.arange(length), len(d) - 1)].reset_index(drop=True) for name, d in group.items()})
        try:
            pa.DataFrameSchema({name: schema.columns[name] for name in group}, strict=False, coerce=False).validate(frame, lazy=True)
        except pa.errors.SchemaErrors as exc:
            fc = exc.failure_cases
            fc = fc[fc["index"].notna() & fc["column"].isin(list(group))]
            for (name, check), failed in fc.groupby(["column", "check"], sort=False):
                values = typed[name]
                rows = values.isin(frame[name].iloc[failed["index"].astype(int).to_numpy()])
                parts.append(pd.DataFrame({"index": typed.index[rows], "column": name, "value": values[rows].astype(str).to_numpy(), "reason": check}))
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["index", "column", "value", "reason"])


#: Columns with at most this many distinct values are checked together in one frame.
_FEW_VALUES = 1_000


def _seen_before(values: pd.Series) -> np.ndarray:
    """``values.duplicated(keep="first")`` as a boolean array (a missing value repeats a
    missing one), from integer codes: codes are given in order of first appearance, so a
    row repeats an earlier one where its code is not above every code before it
    (pandas' ``duplicated`` of pyarrow strings took twice as long)."""
    codes, _ = pd.factorize(values, use_na_sentinel=False)
    before = np.maximum.accumulate(np.concatenate(([-1], codes[:-1]))) if len(codes) else codes
    return codes <= before


def _duplicated(frame: pd.DataFrame) -> pd.Series:
    """``frame.duplicated(keep=False)`` of two columns, through integer codes (missing equals missing)."""
    a, _ = pd.factorize(frame.iloc[:, 0], use_na_sentinel=True)
    b, _ = pd.factorize(frame.iloc[:, 1], use_na_sentinel=True)
    key = (a.astype(np.int64) + 1) * (int(b.max(initial=-1)) + 2) + (b.astype(np.int64) + 1)
    return pd.Series(key, index=frame.index).duplicated(keep=False)


def keep_rows(frame: pd.DataFrame, keep: np.ndarray, release: bool = False) -> pd.DataFrame:
    """``frame.loc[keep].reset_index(drop=True)`` that shares the text with ``frame``.

    A text column (pyarrow strings) becomes the runs of kept rows as slices of the
    column itself, which copy nothing: quarantining a few rows of a large file does
    not hold its text twice in memory. Other columns are copied as by ``loc``; with
    ``release``, each column is taken out of ``frame`` once copied (``frame`` is left
    without columns), so that a column's copy and the column are in memory together,
    not every column twice.
    """
    import pyarrow

    keep = np.asarray(keep, dtype=bool)
    if keep.all():
        return frame.reset_index(drop=True)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], keep.view(np.int8), [0]))))
    runs = list(zip(edges[0::2].tolist(), edges[1::2].tolist()))
    out = {}
    columns = frame.columns
    for name in columns:
        values = frame.pop(name).array if release else frame[name].array
        if isinstance(values, pd.arrays.ArrowStringArray):
            whole = pyarrow.chunked_array(values.__arrow_array__())
            pieces = [chunk for a, b in runs for chunk in whole.slice(a, b - a).chunks]
            out[name] = pd.array(pyarrow.chunked_array(pieces, type=whole.type), dtype=values.dtype)
        else:
            out[name] = values[keep]
    return pd.DataFrame(out, columns=columns, copy=False)


def shown_rows(frame: pd.DataFrame, expression: str, codebook: Codebook) -> pd.Series:
    """Where a ``relevant`` expression holds, row by row (its references are the
    codebook's field and item ids; the loader checked that each is a kept column)."""
    from pipeline.instruments.relevant import parse, shown

    columns = {f.id: f.name for f in codebook.fields} | {i.id: i.id for i in codebook.items}
    return shown(frame, parse(expression), columns)


def _detail(reason: str, column: str, value: str, codebook: Codebook, consortium: Consortium) -> str:
    special = _field_detail(reason, column, value, codebook, consortium)
    if special:
        return special
    if reason in ("out_of_range", "not_a_number") and column in codebook.item_ids:
        rs = codebook.item(column).response_scale
        miss = f"; or a missing code {_codes_text(list(rs.missing))}" if rs.missing else ""
        values = list(rs.values)
        if min(values) < 0 and len(values) > 2 and values == list(range(min(values), max(values) + 1)):  # not "-100-100"
            return f"{column} must be between {min(values)} and {max(values)}{miss}; found {value!r}"
        return f"{column} must be one of {_codes_text(values)}{miss}; found {value!r}"
    if reason == "unknown_partner":
        return f"partner code {value!r} is not in the registry; known codes: {', '.join(consortium.partner_codes)}"
    if reason == "invalid_choice":
        field = next(f for f in codebook.fields if f.name == column)
        return f"{column} must be one of {', '.join(field.choices)}; found {value!r}"
    if reason == "outside_project_period":
        return f"submitted {value}, outside the project period {consortium.start} to {consortium.end}"
    if reason == "invalid_date":
        return f"submission time {value!r} is not a date"
    if reason == "missing_required":
        if column == "respondent_id" and codebook.pairing == "code":
            return "respondent_id is required when every element of the identification code is empty too: the row cannot be paired"
        return f"{column} is required but empty"
    if reason == "duplicate_submission":
        return f"submission id {value!r} was seen before; the first copy is kept"
    if reason == "duplicate_respondent":
        return f"respondent (pseudonym {value}) has several submissions in this wave; all are quarantined"
    return REASONS.get(reason, reason)


def _quarantine_table(fails: pd.DataFrame, raw: pd.DataFrame, codebook: Codebook, consortium: Consortium) -> pd.DataFrame:
    """One line per failure; ``value`` is the cell as it was in the file (before typing).

    Up to the registry's ``max_quarantine_lines`` per file (:class:`pipeline.config.Limits`):
    past it, each further quarantined row gets one line, its first failure, whose detail
    says how many more were not listed, so that a file where every cell is wrong costs one
    line per row, not one per cell (rows read = kept + quarantined still holds, in rows).
    """
    if fails.empty:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "source_row" else "string") for c in QUARANTINE_COLUMNS})
    fails = fails.sort_values(["index", "column", "reason"], kind="stable").drop_duplicates(["index", "column", "reason"])
    # the file of each failure's row (not of every row: 200,000 Python strings took 17 MB at the peak)
    fails, more = _capped(fails, raw[SOURCE_FILE].take(fails["index"].to_numpy()).to_numpy(), consortium.limits.max_quarantine_lines)
    rows = raw.loc[fails["index"].to_numpy(), [SOURCE_FILE, SOURCE_ROW, WAVE]]
    as_read = [raw.at[i, c] if c in raw.columns else v for i, c, v in zip(fails["index"], fails["column"], fails["value"])]
    q = pd.DataFrame(
        {
            "source_file": rows[SOURCE_FILE].to_numpy(),
            "source_row": rows[SOURCE_ROW].astype("int64").to_numpy(),
            "wave": rows[WAVE].to_numpy(),
            "column": fails["column"].to_numpy(),
            "value": as_read,
            "reason": fails["reason"].to_numpy(),
        }
    )
    q["value"] = ["" if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) else _clean_value(v) for v in q["value"]]
    q["detail"] = [_detail(r, c, v, codebook, consortium) for r, c, v in zip(q["reason"], q["column"], q["value"])]
    if more is not None and (more > 0).any():
        cap = consortium.limits.max_quarantine_lines
        note = [f" (and {n} more in this row, not listed: past max_quarantine_lines = {cap:,})" if n else "" for n in more]
        q["detail"] = [d + x for d, x in zip(q["detail"], note)]
    return q[QUARANTINE_COLUMNS].reset_index(drop=True).astype({"source_row": "int64"})


def _capped(fails: pd.DataFrame, files: np.ndarray, cap: int) -> tuple[pd.DataFrame, np.ndarray | None]:
    """The failures listed (every one of a row whose lines fit in its file's first ``cap``,
    else the row's first), and per line how many of its row's failures it stands for besides
    itself. ``files``: the source file of each failure (line by line, as ``fails``)."""
    file_of = pd.Series(files, index=fails.index)
    if int(file_of.value_counts().max()) <= cap:
        return fails, None
    position = file_of.groupby(file_of, sort=False).cumcount().to_numpy()
    last = pd.Series(position, index=fails.index).groupby(fails["index"].to_numpy()).transform("max").to_numpy()
    listed = last < cap  # the row's last line still within its file's first cap lines
    per_row = fails.groupby("index", sort=False)["index"].transform("size").to_numpy()
    first = ~fails["index"].duplicated().to_numpy()
    keep = listed | first
    more = np.where(listed, 0, per_row - 1)[keep]
    return fails.loc[keep], more


def _clean_value(v) -> str:
    """Numbers as they were typed (12, not 12.0); timestamps as ISO text."""
    if isinstance(v, (pd.Timestamp, dt.datetime)):
        return v.isoformat()
    text = str(v)
    if text.endswith(".0") and text[:-2].lstrip("-").isdigit():
        return text[:-2]
    return text


# ---------------------------------------------------------------------------
# Typed fields and checks across a row (registers, ties, ratings)
# ---------------------------------------------------------------------------
#
# Fields with a ``type`` other than text or category (see
# :data:`pipeline.instruments.codebook.FIELD_TYPES`) are typed here, and the codebook's
# ``checks:`` and ``headcounts:`` are applied (their reasons: :class:`pipeline.schema.Reason`,
# stage ``fields``).


def _failures(index, column: str, values, reason: str) -> pd.DataFrame:
    return pd.DataFrame({"index": index, "column": column, "value": pd.Series(values, dtype=object).astype(str).to_numpy(), "reason": reason})


def coerce_field_types(raw: pd.DataFrame, typed: pd.DataFrame, codebook: Codebook, consortium: Consortium) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Type the ``date``, ``count``, ``number`` and ``multiple`` fields and check their values.

    * date: ISO 8601 date or date-time -> ``datetime64[us]``; ``invalid_date`` when it
      is not a date, ``outside_project_period`` when it falls outside the registry's period;
    * count: a whole number >= 0 -> float64 (missing as NaN); ``not_a_number`` or ``invalid_count``;
    * number: any number -> float64; ``not_a_number``;
    * multiple: codes separated by spaces, each one of ``choices`` (``invalid_choice``)
      or, with ``choices_from: partners``, of the registry (``unknown_partner``); kept as
      the codes joined by one space.

    Returns
    -------
    typed : DataFrame
        A new frame with those columns typed.
    failures : DataFrame
        Columns ``index, column, value, reason``.
    """
    typed = typed.copy(deep=False)  # copy-on-write: columns are replaced, never changed in place
    parts = []
    lo, hi = pd.Timestamp(consortium.start), pd.Timestamp(consortium.end) + pd.Timedelta(days=1)
    for f in codebook.typed_fields:
        name = f.name
        if name not in raw.columns:
            continue
        text = raw[name].astype("string").str.strip()
        given = text.notna() & text.ne("").fillna(False)
        if f.type == "date":
            ts = pd.to_datetime(text, errors="coerce", utc=True, format="ISO8601").dt.tz_localize(None).astype("datetime64[us]")
            bad = given & ts.isna()
            parts.append(_failures(raw.index[bad], name, text[bad], "invalid_date"))
            out = given & ts.notna() & ((ts < lo) | (ts >= hi))
            parts.append(_failures(raw.index[out], name, text[out], "outside_project_period"))
            typed[name] = ts
        elif f.type in ("count", "number"):
            num = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce").astype("float64")
            bad = given & num.isna()
            parts.append(_failures(raw.index[bad], name, text[bad], "not_a_number"))
            if f.type == "count":
                wrong = num.notna() & ((num < 0) | (num != np.floor(num)))
                parts.append(_failures(raw.index[wrong], name, text[wrong], "invalid_count"))
                num = num.where(~wrong)  # a wrong count is not added up with the others
            typed[name] = num
        elif f.type == "multiple":
            allowed = set(consortium.partner_codes) if f.choices_from == "partners" else set(f.choices or ())
            reason = "unknown_partner" if f.choices_from == "partners" else "invalid_choice"
            tokens = text.fillna("").str.split()
            bad = tokens.map(lambda ts: any(t not in allowed for t in ts)).astype(bool)
            parts.append(_failures(raw.index[bad], name, text[bad], reason))
            typed[name] = tokens.map(" ".join).where(given, pd.NA).astype("string")
    parts = [p for p in parts if len(p)]
    fail = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["index", "column", "value", "reason"])
    return typed, fail


def _normalise_key(values: pd.Series) -> pd.Series:
    """Text compared as a person would: case and repeated spaces ignored."""
    return values.astype("string").str.casefold().str.split().str.join(" ")


def row_checks(typed: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """The codebook's checks across fields: head counts, date order, unique records.

    Returns failures (``index, column, value, reason``); values are read from the
    typed frame, and the quarantine table shows the cell as it was in the file.
    """
    parts = []
    for h in codebook.headcounts:
        if h.total not in typed.columns:
            continue
        total = typed[h.total]
        for breakdown, cats in h.by.items():
            block = typed[list(cats.values())]
            complete = total.notna() & block.notna().all(axis=1)
            off = complete & (block.sum(axis=1) != total)
            parts.append(_failures(typed.index[off], h.total, total[off].map(lambda v: f"{v:g}"), "counts_do_not_add_up").assign(_breakdown=breakdown))
    for first, second in codebook.checks.date_order:
        if first in typed.columns and second in typed.columns:
            wrong = typed[first].notna() & typed[second].notna() & (typed[second] < typed[first])
            parts.append(_failures(typed.index[wrong], second, typed.loc[wrong, second].astype(str), "dates_out_of_order"))
    key = list(codebook.checks.unique_within_wave)
    if key and all(k in typed.columns for k in key):
        norm = pd.DataFrame({k: _normalise_key(typed[k]) for k in key}).assign(_wave=typed[WAVE].astype("string") if WAVE in typed.columns else "")
        complete = norm[key].notna().all(axis=1)
        repeat = complete & norm.duplicated(keep="first")
        parts.append(_failures(typed.index[repeat], key[-1], typed.loc[repeat, key[-1]], "duplicate_record"))
    parts = [p.drop(columns=[c for c in p.columns if c.startswith("_")]) for p in parts if len(p)]
    # one line per row and reason is enough when several breakdowns disagree
    fail = pd.concat(parts, ignore_index=True).drop_duplicates(["index", "column", "reason"]) if parts else pd.DataFrame(columns=["index", "column", "value", "reason"])
    return fail


def _field_detail(reason: str, column: str, value: str, codebook: Codebook, consortium: Consortium) -> str | None:
    """The detail of a quarantine line about a typed field or a row check, else None."""
    typed = {f.name: f for f in codebook.typed_fields}
    if reason == "counts_do_not_add_up":
        hc = next((h for h in codebook.headcounts if h.total == column), None)
        if hc is not None:
            ways = "; ".join(f"{b}: {' + '.join(c.values())}" for b, c in hc.by.items())
            return f"{column} is {value!r} but a breakdown of it adds up to another number ({ways})"
    if reason == "dates_out_of_order":
        pair = next((p for p in codebook.checks.date_order if p[1] == column), None)
        if pair:
            return f"{column} {value!r} is before {pair[0]}"
    if reason == "duplicate_record":
        key = ", ".join(codebook.checks.unique_within_wave)
        return f"the same ({key}) was already recorded in this wave, {column} {value!r}; the first record is kept"
    if column not in typed:
        return None
    f = typed[column]
    if reason == "invalid_date":
        return f"{column} {value!r} is not a date (expected YYYY-MM-DD)"
    if reason == "outside_project_period":
        return f"{column} {value} is outside the project period {consortium.start} to {consortium.end}"
    if reason == "not_a_number":
        return f"{column} must be a {'whole number >= 0' if f.type == 'count' else 'number'}; found {value!r}"
    if reason == "invalid_count":
        return f"{column} must be a whole number >= 0; found {value!r}"
    if reason in ("invalid_choice", "unknown_partner") and f.type == "multiple":
        allowed = consortium.partner_codes if f.choices_from == "partners" else (f.choices or ())
        return f"{column} must be codes among {', '.join(allowed)} separated by spaces; found {value!r}"
    return None
