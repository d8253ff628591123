"""Read survey exports (CSV, XLSX) into frames of text, and map columns to the codebook.

Every cell is read as text so that the raw value is what a quarantine line
shows; types are set in :mod:`pipeline.validate`. Rows are numbered as a
spreadsheet shows them: the header is row 1, the first answer row is row 2.
A file that cannot be used at all raises :class:`~pipeline.errors.InputError`.
"""

from __future__ import annotations

import csv
import io
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .codebook import Codebook
from .errors import InputError

#: Encodings tried in order; the first that decodes the whole file is used.
ENCODINGS = ("utf-8-sig", "cp1252")
SOURCE_FILE = "_source_file"
SOURCE_ROW = "_source_row"
FIRST_DATA_ROW = 2  # the header is row 1


@dataclass
class RawExport:
    """A file as read: text cells, source row numbers, and what was noticed."""

    name: str
    frame: pd.DataFrame
    encoding: str = "utf-8"
    delimiter: str = ","
    warnings: list[str] = field(default_factory=list)


def read_export(path: str | Path, name: str | None = None) -> RawExport:
    """Read one export file as text.

    Parameters
    ----------
    path : path
        A ``.csv`` (comma, semicolon or tab separated; UTF-8 with or without BOM,
        or cp1252) or ``.xlsx`` file.
    name : str, optional
        How messages name the file (the manifest's relative path); the path by default.

    Returns
    -------
    RawExport
        ``frame`` has the file's columns as text (empty cells are missing) plus
        ``_source_file`` and ``_source_row``.

    Raises
    ------
    InputError
        The file is missing, empty, not a table, or not text in a known encoding.
    """
    path = Path(path)
    name = name or str(path)
    if not path.is_file():
        raise InputError(name, "file not found")
    if path.stat().st_size == 0:
        raise InputError(name, "file is empty")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        raw = _read_xlsx(path, name)
    elif suffix in (".csv", ".txt", ".tsv"):
        raw = _read_csv(path, name)
    else:
        raise InputError(name, f"unsupported file type {suffix!r}; expected .csv or .xlsx")
    frame = raw.frame
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.columns.duplicated().any():
        dup = sorted(set(frame.columns[frame.columns.duplicated()]))
        raise InputError(name, f"the header repeats column name(s) {dup}")
    frame.insert(0, SOURCE_ROW, range(FIRST_DATA_ROW, FIRST_DATA_ROW + len(frame)))
    frame.insert(0, SOURCE_FILE, name)
    # Blank lines hold no answer: they are not rows read, but they keep their number
    # so that the rows after them are numbered as a spreadsheet shows them.
    blank = frame.drop(columns=[SOURCE_FILE, SOURCE_ROW]).isna().all(axis=1)
    if blank.any():
        raw.warnings.append(f"{name}: {int(blank.sum())} blank line(s) skipped")
        raw.frame = frame.loc[~blank].reset_index(drop=True)
    return raw


def _decode(path: Path, name: str) -> tuple[str, str]:
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise InputError(name, "not a text file (it contains NUL bytes); expected a CSV export or an .xlsx workbook")
    for enc in ENCODINGS:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise InputError(name, f"cannot decode the file as any of {list(ENCODINGS)}")


def _sniff_delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] > 0 else ","


def _read_csv(path: Path, name: str) -> RawExport:
    text, encoding = _decode(path, name)
    if not text.strip():
        raise InputError(name, "file holds no text")
    delimiter = _sniff_delimiter(text)
    frame = _read_csv_fast(text, delimiter) if encoding == "utf-8-sig" else None
    if frame is None:
        frame = _read_csv_careful(text, delimiter, name)
    raw = RawExport(name, frame, encoding=encoding, delimiter=delimiter)
    if encoding == "cp1252":
        raw.warnings.append(f"{name}: not UTF-8; read as Windows-1252 (cp1252)")
    return raw


def _read_csv_fast(text: str, delimiter: str) -> pd.DataFrame | None:
    """pyarrow's multithreaded reader, for well-formed files without blank lines.

    pyarrow skips blank lines (which would shift the row numbers) and stops at the
    first malformed line without saying where, so such files go to the careful reader.
    """
    if "\n\n" in text or "\n\r\n" in text:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return pd.read_csv(
                io.BytesIO(text.lstrip("\ufeff").encode("utf-8")),
                sep=delimiter,
                engine="pyarrow",
                dtype="string[pyarrow]",
                keep_default_na=False,
                na_values=[""],
            )
    except Exception:  # any pyarrow complaint: let the careful reader explain it
        return None


def _read_csv_careful(text: str, delimiter: str, name: str) -> pd.DataFrame:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return pd.read_csv(
                io.StringIO(text),
                sep=delimiter,
                dtype=str,
                keep_default_na=False,
                na_values=[""],
                quoting=csv.QUOTE_MINIMAL,
                skip_blank_lines=False,
            )
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(name, f"not a readable table: {str(exc).strip().splitlines()[-1]}") from None


def _read_xlsx(path: Path, name: str) -> RawExport:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frame = pd.read_excel(path, sheet_name=0, dtype=str, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise InputError(name, f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from None
    return RawExport(name, frame, encoding="xlsx", delimiter="")


def map_columns(raw: RawExport, codebook: Codebook) -> pd.DataFrame:
    """Rename export columns to codebook ids and check that required ones are there.

    Items and fields with ``required: true`` must be present; a column that is
    absent stops the run (:class:`InputError` naming the file, the column and the
    columns found). Optional fields that are absent become empty columns. Columns
    the codebook does not know are left out, with a warning on ``raw.warnings``.

    Returns
    -------
    DataFrame
        ``_source_file``, ``_source_row`` and one column per codebook field and item,
        in codebook order, named by :attr:`pipeline.codebook.Field.name` and item id.
    """
    frame = raw.frame
    present = set(frame.columns)
    wanted = [(f.column, f.name, f.required) for f in codebook.fields] + [(i.column, i.id, True) for i in codebook.items]
    missing = [col for col, _, required in wanted if required and col not in present]
    if missing:
        found = [c for c in frame.columns if c not in (SOURCE_FILE, SOURCE_ROW)]
        raise InputError(
            raw.name,
            f"required column(s) {missing} not found. Columns in the file: {found}",
            column=missing[0],
        )
    known = {col for col, _, _ in wanted} | {SOURCE_FILE, SOURCE_ROW}
    extra = [c for c in frame.columns if c not in known]
    if extra:
        raw.warnings.append(f"{raw.name}: column(s) not in the codebook {codebook.instrument!r} were left out: {extra}")
    out = {SOURCE_FILE: frame[SOURCE_FILE], SOURCE_ROW: frame[SOURCE_ROW]}
    for col, cid, _ in wanted:
        out[cid] = frame[col] if col in present else pd.Series(pd.NA, index=frame.index, dtype="string")
    return pd.DataFrame(out)
