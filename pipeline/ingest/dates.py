"""Dates and times as survey tools write them, turned into ISO 8601 text.

Validation reads ISO 8601 (``2025-03-03``, ``2025-03-03T10:00:00+01:00``). Real exports
also carry:

* Google Sheets downloads in the spreadsheet's locale: ``22/01/2026 21:29:50`` (day
  first) or ``8/21/2019 13:10:31`` (month first), and ``2025/03/03 9:01:15 AM GMT+1``;
* ``2023/11/13 4:20:37 pm CET`` (12-hour clock, a time-zone abbreviation);
* Excel serial day numbers (``45678.5`` = 2025-01-21 12:00; 45292 = 2024-01-01) where a date cell was
  saved as a number;
* ODK's ISO 8601 with offsets (``2021-12-07T19:19:26.772Z``), already readable.

:func:`normalise` rewrites a column's values it can read into ISO text and leaves the
others as they are (validation then reports them as ``invalid_date`` with the value as
typed). Day and month order of ``a/b/yyyy`` dates comes from the dataset's
``date_format`` or ``dayfirst`` in ``datasets.yaml`` when declared; otherwise from the
data: a first number above 12 settles day first, a second number above 12 month first.
Where nothing settles it, the file's dates are read day first (as most of the world
writes them) and a note says so; where the file holds both kinds, the note says that
the order cannot be settled, and the dates are left for validation to report.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

#: Time-zone abbreviations seen in exports -> offset from UTC in hours. Ambiguous ones
#: (IST, CST outside the Americas) are not read; a value carrying them stays as typed.
ZONES = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "WET": 0,
    "WEST": 1,
    "BST": 1,
    "CET": 1,
    "CEST": 2,
    "EET": 2,
    "EEST": 3,
    "MSK": 3,
    "TRT": 3,
    "EAT": 3,
    "WAT": 1,
    "CAT": 2,
    "SAST": 2,
    "AST": 3,
    "EST": -5,
    "EDT": -4,
    "CST": -6,
    "CDT": -5,
    "PST": -8,
    "PDT": -7,
}

#: ``a/b/yyyy`` or ``a.b.yyyy`` or ``a-b-yyyy`` with an optional time (24-hour or am/pm) and zone.
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([AaPp]\.?[Mm]\.?)?)?\s*(?:(?:GMT|UTC)?([+-]\d{1,2})(?::?(\d{2}))?|([A-Za-z]{1,5}))?$")
#: ``yyyy/mm/dd h:mm:ss am ZONE`` (Google Sheets in some locales; KoboToolbox's labels export).
_YMD = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([AaPp]\.?[Mm]\.?)?)?\s*(?:(?:GMT|UTC)([+-]\d{1,2})(?::?(\d{2}))?|([A-Za-z]{1,5}))?$")
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")
#: Excel's day 0 (its serials count days from 1899-12-30, after its 1900 leap-year bug).
EXCEL_EPOCH = dt.datetime(1899, 12, 30)
SERIAL_RANGE = (20_000, 80_000)  # 1954-10-03 to 2119-01-10: a date of a survey, not a count


def _iso(y, mo, d, h, mi, s, ampm, off_h, off_m, zone) -> str | None:
    try:
        day = dt.date(int(y), int(mo), int(d))
    except ValueError:
        return None
    if h is None:
        return day.isoformat()
    hour = int(h)
    if ampm:
        pm = ampm[0].lower() == "p"
        if not 1 <= hour <= 12:
            return None
        hour = (hour % 12) + (12 if pm else 0)
    if hour > 23 or int(mi) > 59 or int(s or 0) > 59:
        return None
    text = f"{day.isoformat()}T{hour:02d}:{int(mi):02d}:{int(s or 0):02d}"
    if off_h is not None:
        sign = "-" if off_h.startswith("-") else "+"
        return f"{text}{sign}{abs(int(off_h)):02d}:{int(off_m or 0):02d}"
    if zone:
        if zone.upper() not in ZONES:
            return None
        z = ZONES[zone.upper()]
        return f"{text}{'-' if z < 0 else '+'}{abs(z):02d}:00"
    return text


def parse_one(text: str, dayfirst: bool | None = True) -> str | None:
    """One value as ISO 8601 text, or None when it is not a date this module reads.

    >>> parse_one("22/01/2026 21:29:50")
    '2026-01-22T21:29:50'
    >>> parse_one("8/21/2019 13:10:31", dayfirst=False)
    '2019-08-21T13:10:31'
    >>> parse_one("2023/11/13 4:20:37 pm CET")
    '2023-11-13T16:20:37+01:00'
    >>> parse_one("45678.5")
    '2025-01-21T12:00:00'
    """
    t = str(text).strip()
    m = _YMD.match(t)
    if m:
        y, mo, d, *rest = m.groups()
        return _iso(y, mo, d, *rest)
    m = _DMY.match(t)
    if m:
        a, b, y, *rest = m.groups()
        d, mo = (a, b) if dayfirst is not False else (b, a)
        return _iso(y, mo, d, *rest)
    if _SERIAL.match(t):
        x = float(t)
        if SERIAL_RANGE[0] <= x <= SERIAL_RANGE[1]:
            stamp = EXCEL_EPOCH + dt.timedelta(days=x)
            stamp = stamp.replace(microsecond=0) + dt.timedelta(seconds=round(stamp.microsecond / 1e6))
            return stamp.date().isoformat() if x.is_integer() else stamp.isoformat()
    return None


def day_order(values) -> tuple[bool | None, str]:
    """Whether the ``a/b/yyyy`` dates among ``values`` are day first, from the data.

    Returns (True, why) when a first number above 12 settles day first, (False, why)
    for a second number above 12 (month first), (None, why) when nothing settles it or
    both kinds occur.
    """
    first = second = 0
    example_first = example_second = ""
    for v in values:
        m = _DMY.match(str(v).strip())
        if not m:
            continue
        a, b = int(m.group(1)), int(m.group(2))
        if a > 12 >= b:
            first += 1
            example_first = example_first or str(v)
        elif b > 12 >= a:
            second += 1
            example_second = example_second or str(v)
    if first and second:
        return None, f"both day-first dates ({example_first!r}) and month-first dates ({example_second!r})"
    if first:
        return True, f"day first, as {example_first!r} shows"
    if second:
        return False, f"month first, as {example_second!r} shows"
    return None, "no day above 12"


def normalise(col: pd.Series, name: str, column: str, date_format: str | None = None, dayfirst: bool | None = None) -> tuple[pd.Series, list[str]]:
    """A column of dates as ISO 8601 text where it can be read; notes for the run's summary.

    ISO 8601 values are left untouched (so an export in ISO form is read exactly as
    before). ``date_format`` (a ``strftime`` pattern such as ``%d/%m/%Y %H:%M:%S``) reads
    every other value; ``dayfirst`` settles the order of ``a/b/yyyy`` dates.
    """
    text = col.astype("string")
    iso = pd.to_datetime(text, errors="coerce", utc=True, format="ISO8601")
    other = text.notna() & iso.isna() & text.str.strip().ne("").fillna(False)
    if not other.any():
        return col, []
    notes = []
    values = text[other]
    if date_format:
        parsed = pd.to_datetime(values, errors="coerce", format=date_format)
        good = parsed.notna()
        out = text.copy()
        out[values.index[good]] = [p.isoformat() for p in parsed[good]]
        return out, [f"{name}: {column}: {int(good.sum())} value(s) read with date_format {date_format!r}"]
    order, why = day_order(values.unique())
    slashed = values.str.strip().str.match(_DMY.pattern).fillna(False)
    if dayfirst is not None:
        if order is not None and order != dayfirst:
            notes.append(f"{name}: {column}: datasets.yaml says dayfirst: {dayfirst}, but the data reads {why}; the declaration was followed")
        order = dayfirst
    elif slashed.any():
        if why.startswith("both"):
            notes.append(f"{name}: {column}: the order of day and month cannot be settled ({why}); those dates were left for validation to report; declare date_format in datasets.yaml")
            values = values[~slashed]
        elif order is None:
            order = True
            notes.append(
                f"{name}: {column}: dates such as {values[slashed].iloc[0]!r} could be day/month or month/day and no day above 12 settles it; read day first. Declare 'dayfirst: false' in datasets.yaml if the export is month first"
            )
        else:
            notes.append(f"{name}: {column}: dates read {why}")
    parsed = {u: parse_one(u, order) for u in values.unique()}
    out = text.copy()
    mapped = values.map(lambda v: parsed.get(v) or v)
    out[mapped.index] = mapped
    n = sum(1 for v in values if parsed.get(v))
    if n:
        notes.append(f"{name}: {column}: {n} date(s) not in ISO 8601 form were read (for example {values.iloc[0]!r} as {parsed.get(values.iloc[0])!r})")
    return out, notes


def normalise_frame(frame: pd.DataFrame, codebook, name: str, date_format: str | None = None, dayfirst: bool | None = None) -> tuple[pd.DataFrame, list[str]]:
    """:func:`normalise` applied to the submission time and every ``date`` field of a mapped export."""
    columns = [f.name for f in codebook.fields if (f.role == "submission_time" or f.type == "date") and f.name in frame.columns]
    notes: list[str] = []
    for c in columns:
        new, more = normalise(frame[c], name, c, date_format, dayfirst)
        if more:
            frame = frame.assign(**{c: new})
            notes += more
    return frame, notes
