"""Wide exports: one row per person, each item in one column per wave.

Some data come with all waves side by side (``q1_t0, q1_t1, q1_t2``), as research
data sets and spreadsheets kept by hand often do. A codebook with ``layout: wide``
gives each item its column per wave (``columns: {pre: q1_t0, post: q1_t1}``);
:func:`wide_to_long` turns such a file into the rows the rest of the pipeline reads:
one per person and wave, with the person's fields repeated. Every long row keeps the
file row it came from, so a quarantine line still names the row a spreadsheet shows,
and a person whose answer fails validation at one wave is set aside as a whole
(:func:`pipeline.workflow.ingest_folder`), so that rows read = kept + quarantined.
"""

from __future__ import annotations

import pandas as pd

from pipeline.errors import InputError
from pipeline.ingest.read import SOURCE_FILE, SOURCE_ROW, RawExport
from pipeline.instruments.codebook import Codebook
from pipeline.schema import WAVE


def wide_to_long(raw: RawExport, codebook: Codebook) -> pd.DataFrame:
    """One row per person and wave from an export with one row per person.

    Parameters
    ----------
    raw : RawExport
        The file as read (:func:`pipeline.ingest.read.read_export`).
    codebook : Codebook
        A codebook with ``layout: wide``.

    Returns
    -------
    DataFrame
        ``_source_file``, ``_source_row``, ``wave``, one column per field (named as
        :func:`pipeline.ingest.read.map_columns` names them) and per item. A person has a
        row for each wave at which they answered at least one item; a person who
        answered nothing keeps one row, at the first wave, so that they are counted.

    Raises
    ------
    InputError
        A required field or an item's wave column is absent (the message names the
        file, the columns missing and the columns found).
    """
    if not codebook.is_wide:
        raise ValueError(f"codebook {codebook.instrument!r} does not have layout: wide")
    frame = raw.frame
    present = set(frame.columns)
    wanted = [f.column for f in codebook.fields if f.required] + [c for it in codebook.items for c in it.columns.values()]
    missing = [c for c in wanted if c not in present]
    if missing:
        found = [c for c in frame.columns if c not in (SOURCE_FILE, SOURCE_ROW)]
        raise InputError(raw.name, f"required column(s) {missing} not found. Columns in the file: {found}", column=missing[0])
    known = {f.column for f in codebook.fields} | {c for it in codebook.items for c in it.columns.values()} | {SOURCE_FILE, SOURCE_ROW}
    extra = [c for c in frame.columns if c not in known]
    if extra:
        raw.warnings.append(f"{raw.name}: column(s) not in the codebook {codebook.instrument!r} were left out: {extra}")
    empty = pd.Series(pd.NA, index=frame.index, dtype="string")
    fields = {f.name: frame[f.column] if f.column in present else empty for f in codebook.fields}
    parts, answered_any = [], pd.Series(False, index=frame.index)
    for k, wave in enumerate(codebook.waves):
        items = {it.id: frame[it.columns[wave]] if wave in it.columns else empty for it in codebook.items}
        answered = pd.DataFrame(items).notna().any(axis=1)
        part = pd.DataFrame({SOURCE_FILE: frame[SOURCE_FILE], SOURCE_ROW: frame[SOURCE_ROW], WAVE: wave, **fields, **items})
        parts.append(part.assign(_keep=answered, _order=k))
        answered_any |= answered
    first = parts[0]
    first["_keep"] = first["_keep"] | ~answered_any  # nobody disappears: no answer at all keeps the first row
    out = pd.concat(parts, ignore_index=True)
    out = out.loc[out["_keep"]].sort_values([SOURCE_ROW, "_order"], kind="stable")
    return out.drop(columns=["_keep", "_order"]).reset_index(drop=True)
