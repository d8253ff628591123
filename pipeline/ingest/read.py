"""Read survey exports (CSV, XLSX) into frames of text, and map columns to the codebook.

Every cell is read as text so that the raw value is what a quarantine line
shows (with ``categorical``, a column of few distinct texts as a categorical of them,
:mod:`pipeline.ingest.categories`); types are set in :mod:`pipeline.ingest.validate`. Rows are numbered as a
spreadsheet shows them: the header is row 1, the first answer row is row 2.

What a file can be (each case has a test in ``tests/ingest/test_read.py``):

* **Encodings**: UTF-8 with or without BOM; UTF-16 (Excel's "Unicode text", with
  or without BOM); a Greek, Cyrillic, Turkish, Arabic or Hebrew code page when
  charset-normalizer finds one (:func:`detect_code_page`); anything else is read as
  Windows-1252 (cp1252), or Latin-1 for the five bytes cp1252 leaves undefined, and
  the choice is reported. A dataset
  may declare its ``encoding`` in ``datasets.yaml`` (for instance ``cp1253`` for a
  Greek Windows export).
* **Delimiters**: comma, semicolon or tab, sniffed from the header line.
* **XLSX**: the first sheet, or the one a dataset declares (``sheet:``); other
  sheets are reported; merged cells in the header row stop the run.

A file that cannot be used at all raises :class:`~pipeline.errors.InputError`
(exit code 2): missing, empty, header only, binary, not a table. Rows that cannot
be read as rows of the table (too many or too few values, a value longer than a
spreadsheet cell can hold, the row cut off at the end of a truncated file) are
*rejected*: they go to the quarantine with a reason and count as rows read, so
that rows read = rows kept + rows quarantined still holds. A rejected row's
content is never copied into the quarantine (it may hold personal data that
de-identification would have removed): the line names the row, the column where
it can, and what is wrong.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.config import DEFAULT_LIMITS, Limits
from pipeline.errors import InputError
from pipeline.ingest.categories import is_categorical, read_table
from pipeline.instruments.codebook import Codebook
from pipeline.schema import SOURCE_FILE, SOURCE_ROW, Reason

FIRST_DATA_ROW = 2  # the header is row 1

#: The longest text a spreadsheet cell holds (Excel's limit). A longer value is not a
#: survey answer: its row is quarantined (``value_too_long``).
MAX_CELL_CHARS = 32_767
#: Share of control characters (other than tab, line feed, carriage return) above
#: which decoded bytes are taken for binary data rather than text.
MAX_CONTROL_SHARE = 0.01

#: Reasons for rows rejected while reading (the quarantine's ``reason`` column).
READ_REASONS = {r.value: r.description for r in Reason if r.stage == "read"}

#: File signatures of formats that are not CSV, with what to tell the user.
SIGNATURES = (
    (b"PK\x03\x04", "a zip archive (an .xlsx workbook saved under another name?); give it the .xlsx extension or export CSV"),
    (b"\xd0\xcf\x11\xe0", "an old Excel .xls workbook; save it as .xlsx or CSV"),
    (b"%PDF", "a PDF document, not a table"),
    (b"\x89PNG", "a PNG image, not a table"),
    (b"\xff\xd8\xff", "a JPEG image, not a table"),
    (b"\x1f\x8b", "a gzip archive; unpack it first"),
)


@dataclass
class RawExport:
    """A file as read: text cells, source row numbers, and what was noticed.

    ``rejected`` lists rows that could not be read as rows of the table, one dict
    per row with ``source_row``, ``column``, ``reason`` and ``detail``.
    """

    name: str
    frame: pd.DataFrame
    encoding: str = "utf-8"
    delimiter: str = ","
    warnings: list[str] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    sheet: str | None = None
    #: Codebook columns (names after ingestion) the file does not have (set by map_columns).
    absent: tuple[str, ...] = ()

    @property
    def rows_read(self) -> int:
        """Rows that held something: rows of the frame plus rejected rows."""
        return len(self.frame) + len(self.rejected)


def read_export(path: str | Path, name: str | None = None, *, sheet: str | None = None, encoding: str | None = None, limits: Limits = DEFAULT_LIMITS, categorical: bool = False) -> RawExport:
    """Read one export file as text.

    Parameters
    ----------
    path : path
        A ``.csv``/``.tsv``/``.txt`` (see the module docstring for encodings and
        delimiters) or ``.xlsx`` file.
    name : str, optional
        How messages name the file (the manifest's relative path); the path by default.
    sheet : str, optional
        The worksheet of an ``.xlsx`` file; the first by default.
    encoding : str, optional
        A Python codec name that overrides detection for a CSV file.
    limits : Limits, optional
        The file size, rows, columns and (for a workbook) unpacked size read at most
        (:class:`pipeline.config.Limits`, the registry's ``limits:``).
    categorical : bool, optional
        Columns with few distinct values as pandas categoricals of their texts, where
        pyarrow reads the file (see :mod:`pipeline.ingest.categories`); text otherwise.

    Returns
    -------
    RawExport
        ``frame`` has the file's columns as text (empty cells are missing) plus
        ``_source_file`` and ``_source_row``; ``rejected`` the rows that could not be read.

    Raises
    ------
    InputError
        The file is missing, empty, header only, binary, not a table, or larger than a limit.
    """
    path = Path(path)
    name = name or str(path)
    if not path.is_file():
        raise InputError(name, "file not found")
    size = path.stat().st_size
    if size == 0:
        raise InputError(name, "file is empty")
    if size > limits.max_file_mb * 1_000_000:
        raise InputError(
            name, f"the file has {size / 1e6:,.0f} MB, more than the limit max_file_mb = {limits.max_file_mb:,}; not read. Raise it in the registry's 'limits:' if this is really one export"
        )
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        raw = _read_xlsx(path, name, sheet, limits)
    elif suffix in (".csv", ".txt", ".tsv"):
        _check_header_width(path, name, limits)
        raw = _read_csv(path, name, encoding, categorical)
        if raw.rows_read > limits.max_rows:
            raise InputError(
                name, f"the file has {raw.rows_read:,} rows, more than the limit max_rows = {limits.max_rows:,}; not read. Raise it in the registry's 'limits:' if this is really one export"
            )
    elif suffix == ".xls":
        raise InputError(name, "old Excel .xls workbooks are not read; save it as .xlsx or CSV")
    else:
        raise InputError(name, f"unsupported file type {suffix!r}; expected .csv or .xlsx")
    frame = raw.frame
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.columns.duplicated().any():
        dup = sorted(set(frame.columns[frame.columns.duplicated()]))
        raise InputError(name, f"the header repeats column name(s) {dup}; each column needs its own name", row=1)
    frame = _r_export(frame, raw, name)
    if _hxl_row(frame):
        raw.warnings.append(f"{name}: row {int(frame[SOURCE_ROW].iloc[0])} holds HXL hashtags (#...), not answers: KoboToolbox's hashtag row, skipped and not counted as a row read")
        frame = frame.iloc[1:].reset_index(drop=True)
    # Blank lines hold no answer: they are not rows read, but they keep their number
    # so that the rows after them are numbered as a spreadsheet shows them.
    data = frame.drop(columns=[SOURCE_ROW])
    blank = data.isna().all(axis=1) if len(data.columns) else pd.Series(True, index=frame.index)
    if blank.any():
        raw.warnings.append(f"{name}: {int(blank.sum())} blank line(s) skipped")
        frame = frame.loc[~blank].reset_index(drop=True)
    frame.insert(0, SOURCE_FILE, name)
    raw.frame = frame
    if raw.rows_read == 0:
        raise InputError(name, "the file has a header but no rows of answers")
    return raw


# ---------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------


def _check_header_width(path: Path, name: str, limits: Limits) -> None:
    """Refuse a header with more columns than the limit before the table is built (a
    frame of a million columns takes minutes even with no row)."""
    with path.open("rb") as fh:
        head = fh.read(8 * limits.max_columns + 65536)
    line = head.split(b"\n", 1)[0]
    if line.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16: every other byte is zero
        line = line.replace(b"\x00", b"")
    width = 1 + max(line.count(d) for d in (b",", b";", b"\t"))
    if width > limits.max_columns:
        raise InputError(name, f"the header has more than {limits.max_columns:,} columns (the limit max_columns); not read", row=1)


def decode(data: bytes, name: str, encoding: str | None = None) -> tuple[str, str]:
    """Bytes of a text export -> (text, encoding name), or :class:`InputError`.

    Order: a declared ``encoding``; a byte-order mark (UTF-8, UTF-16); UTF-16 without
    a mark (every other byte zero); UTF-8; a detected Greek, Cyrillic, Turkish, Arabic or
    Hebrew code page (:func:`detect_code_page`); Windows-1252; Latin-1. Known binary formats
    and decoded text with more than 1% control characters are refused.
    """
    if encoding:
        try:
            return _check_text(data.decode(encoding), name, encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise InputError(name, f"cannot read the file as the declared encoding {encoding!r}: {exc}") from None
    for magic, what in SIGNATURES:
        if data.startswith(magic):
            raise InputError(name, f"not a CSV file: it is {what}")
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data[3:], "utf-8", name), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16", name), "utf-16"
    head = data[:4096]
    if b"\x00" in head:
        even, odd = head[0::2], head[1::2]
        if odd.count(0) > 0.4 * len(odd) and even.count(0) == 0:
            return _strict(data, "utf-16-le", name), "utf-16-le"
        if even.count(0) > 0.4 * len(even) and odd.count(0) == 0:
            return _strict(data, "utf-16-be", name), "utf-16-be"
        raise InputError(name, "not a text file (it contains NUL bytes); expected a CSV export or an .xlsx workbook")
    try:
        return _check_text(data.decode("utf-8"), name, "utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    detected = detect_code_page(data)
    if detected is not None:
        return _check_text(data.decode(detected), name, detected), detected
    for enc in ("cp1252", "latin-1"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        return _check_text(text, name, enc), enc
    raise InputError(name, "cannot decode the file")  # latin-1 decodes any bytes; kept for safety


#: Code pages of scripts other than the Latin alphabet of Western Europe (and Turkish,
#: whose six letters cp1252 reads as others), as Python names them: a file in one of them,
#: undeclared, read as Windows-1252 would keep mojibake ("ÅëëçíéêÜ" for "Ελληνικά").
OTHER_CODE_PAGES = {
    "cp1253": "Greek",
    "iso8859_7": "Greek",
    "cp1251": "Cyrillic",
    "koi8_r": "Cyrillic",
    "koi8_u": "Cyrillic",
    "iso8859_5": "Cyrillic",
    "mac_cyrillic": "Cyrillic",
    "cp1254": "Turkish",
    "iso8859_9": "Turkish",
    "cp1256": "Arabic",
    "iso8859_6": "Arabic",
    "cp1255": "Hebrew",
    "iso8859_8": "Hebrew",
}


def detect_code_page(data: bytes) -> str | None:
    """The code page of a text that is not UTF-8, when it is one of :data:`OTHER_CODE_PAGES`.

    charset-normalizer (a maintained detector) decodes a sample with Windows-1252 and with
    each page of :data:`OTHER_CODE_PAGES`, one at a time (its own search stops at the first
    plausible page, which for Greek text can be a Cyrillic one), and scores each reading:
    how much of it is mess (letters of two scripts mixed, odd symbols) and how well its
    letter frequencies fit a language. The least messy, most coherent reading wins, and
    Windows-1252 wins ties. Returns None when Windows-1252 wins (the Western rule then
    applies) or no page reads the whole file.
    """
    from charset_normalizer import from_bytes

    sample = data[:262_144]
    scored = []
    for rank, page in enumerate(("cp1252", *OTHER_CODE_PAGES)):
        best = from_bytes(sample, cp_isolation=[page]).best()
        if best is not None:
            scored.append((round(best.chaos, 3), -round(best.coherence, 3), rank, page))
    if not scored:
        return None
    page = min(scored)[3]
    if page == "cp1252":
        return None
    try:
        data.decode(page)
    except UnicodeDecodeError:
        return None
    return page


_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: A blank line (LF or CRLF line ends), searched in one pass over the bytes.
_BLANK_LINE = re.compile(rb"\n\r?\n")


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        return _check_text(data.decode(encoding), name, encoding)
    except UnicodeDecodeError as exc:
        raise InputError(name, f"the file starts like {encoding} text but byte {exc.start} is not valid {encoding}") from None


def _check_text(text: str, name: str, encoding: str) -> str:
    text = text.lstrip("\ufeff")
    sample = text[:65536]
    controls = len(_CONTROLS.findall(sample))
    if sample and controls > MAX_CONTROL_SHARE * len(sample):
        raise InputError(name, f"not a text file ({controls} control characters in the first {len(sample)}); expected a CSV export or an .xlsx workbook")
    return text


def sniff_delimiter(text: str) -> str:
    """The delimiter of the header line: the most frequent of ``,``, ``;`` and tab."""
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] > 0 else ","


_ENCODING_NOTES = {
    "cp1252": "not UTF-8; read as Windows-1252 (cp1252), which reads Latin-1 (ISO-8859-1) text the same",
    "latin-1": "not UTF-8 and not Windows-1252; read as Latin-1 (ISO-8859-1): check accented letters",
    "utf-16": "UTF-16 text (as Excel saves 'Unicode text'); read as such",
    "utf-16-le": "UTF-16 text without a byte-order mark; read as UTF-16 (little endian)",
    "utf-16-be": "UTF-16 text without a byte-order mark; read as UTF-16 (big endian)",
}


def _read_csv(path: Path, name: str, encoding: str | None, categorical: bool = False) -> RawExport:
    data = path.read_bytes()
    fast = _read_utf8_fast(data, name, categorical) if encoding is None else None
    rejected: list[dict] = []
    if fast is not None:
        frame, used, delimiter, ends_cleanly = fast
    else:
        text, used = decode(data, name, encoding)
        if not text.strip():
            raise InputError(name, "file holds no text")
        delimiter = sniff_delimiter(text)
        frame = None
        if used not in ("utf-8", "utf-8-sig") and "\n\n" not in text and "\n\r\n" not in text and _plain_header(text, delimiter):
            frame = _read_csv_fast(text.encode("utf-8"), delimiter, categorical)
        if frame is None:
            frame, rejected = _read_csv_careful(text, delimiter, name)
        else:
            frame.insert(0, SOURCE_ROW, range(FIRST_DATA_ROW, FIRST_DATA_ROW + len(frame)))
        ends_cleanly = text.endswith(("\n", "\r"))
    raw = RawExport(name, frame, encoding=used, delimiter=delimiter, rejected=rejected)
    if not ends_cleanly and not any(r["reason"] == "truncated_row" for r in rejected) and len(frame):
        raw.warnings.append(f"{name}: the file does not end with a line break (many tools write it so); its last row (row {int(frame[SOURCE_ROW].iloc[-1])}) has every column and was read")
    if used in _ENCODING_NOTES:
        raw.warnings.append(f"{name}: {_ENCODING_NOTES[used]}")
    elif used in OTHER_CODE_PAGES and not encoding:
        raw.warnings.append(f"{name}: not UTF-8; its text reads as {OTHER_CODE_PAGES[used]} in the code page {used} (detected). If letters look wrong, declare the file's 'encoding:' in datasets.yaml")
    if encoding:
        raw.warnings.append(f"{name}: read as {encoding}, as declared in the manifest")
    return raw


def _read_utf8_fast(data: bytes, name: str, categorical: bool = False):
    """The common case without decoding the whole file in Python: well-formed UTF-8
    (pyarrow checks every byte), no blank line, no overlong line, a plain header.

    Returns (frame, encoding, delimiter, ends with a line break), or None for the careful way.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096] or any(data.startswith(m) for m, _ in SIGNATURES):
        return None
    bom = data.startswith(b"\xef\xbb\xbf")
    body = data[3:] if bom else data
    head_bytes = body[:65536]
    try:
        head = head_bytes.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head_bytes) - 4:
            return None  # not UTF-8: decode() chooses the encoding and says so
        head = head_bytes[: exc.start].decode("utf-8")
    if not head.strip():
        return None
    _check_text(head, name, "utf-8")
    if _BLANK_LINE.search(body):
        return None
    delimiter = sniff_delimiter(head)
    if not _plain_header(head, delimiter):
        return None
    frame = _read_csv_fast(body, delimiter, categorical)
    if frame is None:
        return None
    frame.insert(0, SOURCE_ROW, range(FIRST_DATA_ROW, FIRST_DATA_ROW + len(frame)))
    return frame, "utf-8-sig" if bom else "utf-8", delimiter, body.endswith((b"\n", b"\r"))


def _plain_header(text: str, delimiter: str) -> bool:
    """A header pyarrow reads as written: every name present and different (pandas would
    rename a repeated name ``x.1``, hiding it; the careful reader reports it)."""
    line = text.split("\n", 1)[0].rstrip("\r")
    try:
        names = next(csv.reader([line], delimiter=delimiter))
    except (csv.Error, StopIteration):
        return False
    names = [n.strip() for n in names]
    return all(names) and len(set(names)) == len(names)


def _read_csv_fast(payload: bytes, delimiter: str, categorical: bool = False) -> pd.DataFrame | None:
    """pyarrow's multithreaded reader, for well-formed UTF-8 files without blank lines
    (:func:`pipeline.ingest.categories.read_table`; with ``categorical``, the columns with
    few distinct values are categoricals of their texts).

    pyarrow skips blank lines (which would shift the row numbers) and stops at the
    first malformed line without saying where, so such files go to the careful reader;
    so do files with a value longer than a spreadsheet cell holds (the careful reader
    rejects their rows, ``value_too_long``).
    """
    try:
        frame = read_table(payload, delimiter, categorical)
    except Exception:  # any pyarrow complaint: let the careful reader explain it
        return None
    return None if _longest_value(frame) > MAX_CELL_CHARS else frame


def _longest_value(frame: pd.DataFrame) -> int:
    """The most characters in any cell of a frame of pyarrow strings and categoricals of
    text, 0 when it has none.

    A value's length in bytes (read from the offsets, no pass over the text) bounds
    its length in characters; characters are counted only in a column whose bytes
    reach :data:`MAX_CELL_CHARS`. A categorical's values are its categories.
    """
    import pyarrow
    import pyarrow.compute as pc

    longest = 0
    for name in frame.columns:
        column = frame[name]
        if is_categorical(column):
            values = pyarrow.chunked_array([pyarrow.array(column.cat.categories.to_numpy(dtype=object), type=pyarrow.large_string())])
        else:
            values = pyarrow.chunked_array(column.array.__arrow_array__())
        n = pc.max(pc.binary_length(values)).as_py() or 0
        if n > MAX_CELL_CHARS:
            n = pc.max(pc.utf8_length(values)).as_py() or 0
        longest = max(longest, n)
    return longest


def _read_csv_careful(text: str, delimiter: str, name: str) -> tuple[pd.DataFrame, list[dict]]:
    """Python's csv module, one record at a time: every malformed row is named.

    Rows are numbered by record (a quoted value may span lines, as in a spreadsheet).
    """
    limit = csv.field_size_limit()
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    try:
        buf = io.StringIO(text, newline="")
        reader = csv.reader(buf, delimiter=delimiter, strict=True)
        try:
            header = next(reader)
        except csv.Error as exc:
            raise InputError(name, f"the header row is not readable CSV: {exc}", row=1) from None
        except StopIteration:
            raise InputError(name, "file holds no text") from None
        if not any(h.strip() for h in header):
            raise InputError(name, "the first row (the header) is empty", row=1)
        width = len(header)
        short_rows_allowed = bool({h.strip() for h in header} & ODK_CENTRAL_COLUMNS) and ends_cleanly_text(text)
        rows, numbers, rejected = [], [], []
        row = 1
        ends_cleanly = text.endswith(("\n", "\r"))
        while True:
            row += 1
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                if "unexpected end of data" in str(exc):
                    rejected.append(_reject(row, "", "truncated_row", f"row {row}: the file ends inside a quoted value that was never closed (the file was cut off, or a quote is missing)"))
                    break
                rejected.append(_reject(row, "", "malformed_row", f"row {row}: {exc} (a quote inside a value that is not doubled?)"))
                continue
            if not record or all(not v for v in record):
                rows.append([""] * width)  # a blank line keeps its number; read_export skips it
                numbers.append(row)
                continue
            long = next((k for k, v in enumerate(record) if len(v) > MAX_CELL_CHARS), None)
            if long is not None:
                col = header[long] if long < width else f"(beyond the header, value {long + 1})"
                rejected.append(_reject(row, col, "value_too_long", f"row {row}: a value of {len(record[long]):,} characters in column {col!r}; a spreadsheet cell holds at most {MAX_CELL_CHARS:,}"))
                continue
            if len(record) > width and not any(v.strip() for v in record[width:]):
                record = record[:width]  # empty values after the last column (KoboCAT's trailing comma)
            elif len(record) < width and short_rows_allowed:
                record = record + [""] * (width - len(record))  # ODK Central leaves out empty trailing fields
            if len(record) != width:
                if not ends_cleanly and buf.tell() >= len(text) and len(record) < width:
                    rejected.append(_reject(row, header[len(record) - 1] if record else "", "truncated_row", f"row {row}: the file ends after {len(record)} of {width} values (it was cut off)"))
                else:
                    rejected.append(
                        _reject(row, "", "wrong_field_count", f"row {row} has {len(record)} values but the header has {width} columns (a {_delim_name(delimiter)} inside an unquoted value?)")
                    )
                continue
            rows.append(record)
            numbers.append(row)
    finally:
        csv.field_size_limit(limit)
    columns = _name_columns(header)
    frame = pd.DataFrame(rows, columns=columns, dtype="string") if rows else pd.DataFrame({c: pd.Series(dtype="string") for c in columns})
    frame = frame.replace("", pd.NA)
    unnamed_empty = [c for c, h in zip(columns, header) if not h.strip() and frame[c].isna().all()]
    frame = frame.drop(columns=unnamed_empty)
    frame.insert(0, SOURCE_ROW, pd.array(numbers, dtype="int64"))
    return frame, rejected


#: Columns only an ODK Central export has: its rows may leave out empty trailing fields.
ODK_CENTRAL_COLUMNS = {"SubmissionDate", "meta-instanceID", "KEY", "SubmitterID", "ReviewState"}


def ends_cleanly_text(text: str) -> bool:
    """A file that ends with a line break was not cut off: a short row is then a row, not a truncation."""
    return text.endswith(("\n", "\r"))


def _r_export(frame: pd.DataFrame, raw: RawExport, name: str) -> pd.DataFrame:
    """A table re-written by R's ``write.csv``: an unnamed first column of row names
    1, 2, 3 ... and ``NA`` for a missing value. The row names are dropped and ``NA``
    read as empty (R writes a missing value so, unquoted; a text "NA" it quotes)."""
    data = [c for c in frame.columns if c != SOURCE_ROW]
    if not data or data[0] not in ("", "(unnamed column 1)") or not len(frame):
        return frame
    first = frame[data[0]]
    if first.isna().any() or not first.astype(str).tolist() == [str(k) for k in range(1, len(frame) + 1)]:
        return frame
    frame = frame.drop(columns=[data[0]])
    values = frame.drop(columns=[SOURCE_ROW])
    n = int(values.eq("NA").sum().sum())
    frame[values.columns] = values.mask(values.eq("NA").fillna(False))
    raw.warnings.append(f"{name}: written by R (row names in the first column, dropped); {n} 'NA' value(s) read as empty")
    return frame


def _hxl_row(frame: pd.DataFrame) -> bool:
    """KoboToolbox's HXL hashtag row (``#loc+name``, ``#beneficiary``) under the header."""
    if not len(frame):
        return False
    first = frame.drop(columns=[SOURCE_ROW]).iloc[0].dropna().astype(str).str.strip()
    first = first[first != ""]
    return len(first) > 0 and bool(first.str.fullmatch(r"#[A-Za-z][\w+]*").all())


def _name_columns(header: list[str]) -> list[str]:
    out = []
    for k, h in enumerate(header):
        out.append(h if h.strip() else f"(unnamed column {k + 1})")
    return out


def _delim_name(d: str) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab"}.get(d, repr(d))


def _reject(row: int, column: str, reason: str, detail: str) -> dict:
    return {"source_row": row, "column": column, "value": "", "reason": reason, "detail": detail}


# ---------------------------------------------------------------------------
# XLSX
# ---------------------------------------------------------------------------


def _cell_text(value) -> str | None:
    """A cell as text, as a spreadsheet shows it: 3 not 3.0, dates in ISO form."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    text = str(value)
    return text if text != "" else None


def check_workbook_size(path: Path, name: str, limits: Limits) -> None:
    """Refuse a workbook whose parts unpack to more than the limit, before anything is unpacked.

    An ``.xlsx`` file is a zip archive: a few megabytes can unpack to gigabytes (a zip
    bomb). The sizes come from the archive's directory; :mod:`zipfile` stops a part that
    unpacks to more than its declared size (a CRC error), so a lying directory gains nothing.
    """
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(name, f"not a readable .xlsx workbook (it is not a zip archive: {exc})") from None
    total = sum(p.file_size for p in parts)
    cap = limits.max_xlsx_uncompressed_mb * 1_000_000
    if total > cap:
        raise InputError(
            name,
            f"the workbook unpacks to {total / 1e6:,.0f} MB, more than the limit max_xlsx_uncompressed_mb = {limits.max_xlsx_uncompressed_mb:,} "
            "(a zip bomb, or an export far larger than a survey's); not read. Export CSV, or raise the limit in the registry's 'limits:'",
        )


def _read_xlsx(path: Path, name: str, sheet: str | None, limits: Limits = DEFAULT_LIMITS) -> RawExport:
    """A worksheet read by its content, row by row (openpyxl's read-only mode).

    The sheet's declared dimension is not trusted: a 15 KB file with one cell at
    XFD1048576 declares 17 billion cells, and only the rows and cells the file holds
    are read. A formula cell without its cached result rejects its row
    (``formula_without_value``) rather than reading as an empty answer.
    """
    import openpyxl
    from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

    class CellParser(WorkSheetParser):
        def parse_cell(self, element):
            cell = super().parse_cell(element)
            # a formula whose text result is "" keeps an empty <v> with t="str"; without a
            # <v>, or with an empty one of another type, the workbook holds no result
            if cell["value"] is None and element.find(FORMULA_TAG) is not None and not (element.get("t") == "str" and element.find(VALUE_TAG) is not None):
                cell["data_type"] = "formula_without_value"
            return cell

    check_workbook_size(path, name, limits)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise InputError(name, f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from None
    try:
        return _read_sheet(wb, CellParser, name, sheet, limits)
    finally:
        wb.close()


def _read_sheet(wb, parser_class, name: str, sheet: str | None, limits: Limits) -> RawExport:
    notes = []
    if sheet is not None:
        if sheet not in wb.sheetnames:
            raise InputError(name, f"the workbook has no sheet {sheet!r}; its sheets: {wb.sheetnames}")
        ws = wb[sheet]
    else:
        ws = wb.worksheets[0]
        if len(wb.sheetnames) > 1:
            notes.append(f"{name}: the workbook has {len(wb.sheetnames)} sheets {wb.sheetnames}; read the first, {ws.title!r} (name another with 'sheet:' in datasets.yaml)")
    records, numbers, beyond, rejected = [], [], [], []
    header, width, blank, last = None, 0, 0, 1
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with ws._get_source() as source:  # openpyxl's own streaming parser, without its fill-up to the declared dimension
                parser = parser_class(source, ws._shared_strings, data_only=True, epoch=wb.epoch, date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
                for index, cells in parser.parse():
                    if header is None:
                        if index != 1 or not any(c["value"] is not None for c in cells):
                            raise InputError(name, f"sheet {ws.title!r} is empty or its first row (the header) is empty", row=1)
                        header = _xlsx_header(cells, name, limits)
                        width = len(header)
                        continue
                    blank += max(0, index - last - 1)  # rows the file leaves out are blank lines
                    last = index
                    texts: list = [None] * width
                    formula = None
                    for c in cells:
                        col = c["column"]
                        if c["data_type"] == "formula_without_value" and formula is None and col <= width:
                            formula = col
                        if c["value"] is None:
                            continue
                        if col > width:
                            if not beyond or beyond[-1] != index:
                                beyond.append(index)
                            continue
                        texts[col - 1] = _cell_text(c["value"])
                    if formula is not None:
                        column = header[formula - 1] or f"(unnamed column {formula})"
                        rejected.append(_reject(index, column, Reason.FORMULA_WITHOUT_VALUE.value, f"row {index}: column {column!r} holds a formula whose result the workbook does not keep"))
                    elif all(t is None for t in texts):
                        blank += 1
                    else:
                        records.append(texts)
                        numbers.append(index)
                    if len(records) + len(rejected) > limits.max_rows:
                        raise InputError(
                            name, f"the sheet {ws.title!r} has more than {limits.max_rows:,} rows (the limit max_rows); not read. Raise it in the registry's 'limits:' if this is really one export"
                        )
                merged = [r for r in (parser.merged_cells.mergeCell if parser.merged_cells else [])]
    except InputError:
        raise
    except Exception as exc:  # a broken sheet part (bad XML, a shared string that is not there)
        raise InputError(name, f"sheet {ws.title!r} is not readable ({type(exc).__name__}: {exc})") from None
    if header is None:
        raise InputError(name, f"sheet {ws.title!r} is empty or its first row (the header) is empty", row=1)
    _check_merged(merged, header, ws.title, name, notes)
    if beyond:
        notes.append(f"{name}: rows {beyond[:5]} hold values to the right of the last named column; they were left out")
    if blank:
        notes.append(f"{name}: {blank} blank line(s) skipped")
    if rejected:
        notes.append(
            f"{name}: {len(rejected)} row(s) hold formulas whose results the workbook does not keep (saved by a program that does not calculate); quarantined. Open and save the workbook in Excel or LibreOffice"
        )
    columns = _name_columns(header)
    frame = pd.DataFrame(records, columns=columns, dtype="string") if records else pd.DataFrame({c: pd.Series(dtype="string") for c in columns})
    frame.insert(0, SOURCE_ROW, pd.array(numbers, dtype="int64"))
    # openpyxl itself cuts cell text at 32,767 characters (a workbook cannot hold more),
    # so no row of a workbook is rejected for a value too long.
    return RawExport(name, frame, encoding="xlsx", delimiter="", warnings=notes, rejected=rejected, sheet=ws.title)


def _xlsx_header(cells: list[dict], name: str, limits: Limits) -> list[str]:
    """The header row's names, up to the last named column."""
    named = [c for c in cells if _cell_text(c["value"]) is not None]
    width = max(c["column"] for c in named)
    if width > limits.max_columns:
        raise InputError(name, f"the header names a column at position {width:,}, more than the limit max_columns = {limits.max_columns:,}; not read", row=1)
    header = [""] * width
    for c in named:
        header[c["column"] - 1] = _cell_text(c["value"]) or ""
    return header


def _check_merged(merged, header: list[str], title: str, name: str, notes: list[str]) -> None:
    from openpyxl.worksheet.cell_range import CellRange

    ranges = sorted((CellRange(m.ref) for m in merged), key=lambda r: (r.min_row, r.min_col))
    in_header = [r for r in ranges if r.min_row == 1]
    if in_header:
        r = in_header[0]
        raise InputError(
            name,
            f"sheet {title!r}: the header row has merged cells ({', '.join(str(x) for x in in_header)}); "
            "an export needs one header row with one name per column: unmerge the cells or export again from the survey tool",
            row=1,
            column=header[r.min_col - 1] if r.min_col <= len(header) else None,
        )
    if ranges:
        notes.append(f"{name}: sheet {title!r} has merged cells {[str(r) for r in ranges][:5]}; only the first cell of each holds the value")


# ---------------------------------------------------------------------------
# Columns
# ---------------------------------------------------------------------------


def map_columns(raw: RawExport, codebook: Codebook, dialect=None) -> pd.DataFrame:
    """Rename export columns to codebook ids and check that required ones are there.

    Each codebook field and item is looked up in the file's header by its
    ``column``, its id, its ``aliases`` and its labels, and (for exports of a survey
    tool, see :mod:`pipeline.ingest.dialects`) without the group prefix the tool adds
    (``group_a/q1``, ``group_a-q1``). Items and fields with ``required: true`` must
    be found; a column that is absent stops the run (:class:`InputError` naming the
    file, the column and the columns found). Optional fields that are absent become
    empty columns. Columns the codebook does not know are left out, with a warning
    on ``raw.warnings`` (tool metadata columns are left out silently).

    Returns
    -------
    DataFrame
        ``_source_file``, ``_source_row`` and one column per codebook field and item,
        in codebook order, named by :attr:`pipeline.instruments.codebook.Field.name` and item id.
    """
    from pipeline.ingest.dialects import resolve_columns

    return resolve_columns(raw, codebook, dialect)
