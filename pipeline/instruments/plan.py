"""The activity plan: what the project said it would do, to set the activity register against.

A data folder may hold ``activity_plan.yaml``, copied from the application (its work
plan). Each entry plans a number of activities of one kind hosted by one partner,
within a window of dates, with the participants expected in all of them together::

    entries:
      - activity_type: jste            # a kind of the activity register's codebook
        partner: GR-THE                # the host: a partner code of the registry
        number: 1                      # activities planned
        from: 2025-04-01               # first and last day of the planned window
        to: 2025-04-30
        participants: 30               # participants planned (all of them together)

The plan holds no text a reader sees: a report names its kinds of activity with the
register codebook's answer labels (translated there) and its hosts with the registry,
so it has nothing to translate (the framework and the commentary do: see
:func:`pipeline.instruments.yaml_io.read_text`).

The file is checked like any input: an unknown kind, partner or key, a number that is
not a whole number >= 1, a date that is not a date or a window that ends before it
starts, or two entries for the same kind and host stop the run with a message naming
the file and the entry. The analyse stage compares it with the register
(:func:`pipeline.analysis.activities.against_plan`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from pipeline.errors import CodebookError

#: The file name in a data folder.
FILE_NAME = "activity_plan.yaml"
#: Columns of the checked table.
COLUMNS = ["activity_type", "partner", "number", "from", "to", "participants"]
_KEYS = set(COLUMNS)


def find(data_dir: str | Path) -> Path | None:
    """The plan of a data folder, or None when it has none."""
    path = Path(data_dir) / FILE_NAME
    return path if path.is_file() else None


def _whole(value, path, where, what) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise CodebookError(path, where, f"{value!r} is not a whole number >= 0 ({what})")
    return int(value)


def _date(value, path, where) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise CodebookError(path, where, f"{value!r} is not a date (write YYYY-MM-DD)") from None


def load_plan(path: str | Path, kinds: set[str], partners: set[str]) -> pd.DataFrame:
    """Read and check ``activity_plan.yaml``.

    Parameters
    ----------
    path : path
        The file.
    kinds : set of str
        The kinds of activity of the register's codebook (``activity_type`` choices).
    partners : set of str
        The partner codes of the registry.

    Returns
    -------
    DataFrame
        :data:`COLUMNS`, one row per entry, in the file's order; dates as ``YYYY-MM-DD``.

    Raises
    ------
    CodebookError
        Naming the file, the entry and what is wrong.
    """
    from pipeline.instruments.yaml_io import read_entries

    path = Path(path)
    entries = read_entries(path, ", ".join(COLUMNS))
    if entries is None:
        return pd.DataFrame(columns=COLUMNS)
    rows, seen = [], set()
    for i, e in entries:
        entry = f"entries[{i}]"
        unknown = sorted(set(map(str, e)) - _KEYS)
        if unknown:
            raise CodebookError(path, entry, f"unknown key(s) {unknown}; an entry has {COLUMNS}")
        missing = [k for k in COLUMNS if e.get(k) in (None, "")]
        if missing:
            raise CodebookError(path, entry, f"missing {missing}")
        kind, partner = str(e["activity_type"]), str(e["partner"])
        entry = f"entries[{i}] ({kind}, {partner})"
        if kind not in kinds:
            raise CodebookError(path, f"{entry}.activity_type", f"unknown kind of activity {kind!r}; the register knows {', '.join(sorted(kinds))}")
        if partner not in partners:
            raise CodebookError(path, f"{entry}.partner", f"unknown partner {partner!r}; known codes: {', '.join(sorted(partners))}")
        if (kind, partner) in seen:
            raise CodebookError(path, entry, f"a second entry for {kind} hosted by {partner}; keep one (add up the numbers)")
        seen.add((kind, partner))
        number = _whole(e["number"], path, f"{entry}.number", "activities planned")
        if number < 1:
            raise CodebookError(path, f"{entry}.number", "plan at least one activity, or leave the entry out")
        participants = _whole(e["participants"], path, f"{entry}.participants", "participants planned")
        first, last = _date(e["from"], path, f"{entry}.from"), _date(e["to"], path, f"{entry}.to")
        if last < first:
            raise CodebookError(path, f"{entry}.to", f"the window ends ({last}) before it starts ({first})")
        rows.append({"activity_type": kind, "partner": partner, "number": number, "from": first.isoformat(), "to": last.isoformat(), "participants": participants})
    return pd.DataFrame(rows, columns=COLUMNS)
