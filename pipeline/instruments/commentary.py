"""The consortium's commentary: why a result is where it is, and what is done about it.

A data folder may hold ``commentary.yaml``, written by the consortium, not by
respondents. Each entry names a result or an indicator of the results framework and
gives the reason for its status and the corrective action, with the partner who wrote
it and the date::

    entries:
      - id: meeting_attendance        # an indicator id or a result id of indicators.yaml
        reason: >
          One partner missed the Lisbon meeting: its coordinator was on sick leave.
        action: The partner joined the next meeting online and hosts the final one.
        partner: PT-LIS               # a partner code of the registry
        date: 2026-11-25              # when it was written (YYYY-MM-DD)

The reason and the action may be written in several languages, English required (the
published ``commentary.csv`` is in English; a report in another language prints its
own, :func:`commentary_texts`)::

        reason:
          en: One partner missed the Lisbon meeting.
          it: Un partner non ha partecipato alla riunione di Lisbona.

The file is checked like any input: an unknown id, partner or key, a date that is
not a date, an empty reason or a repeated id stops the run with a message naming
the file and the entry. A result without an entry reads "no explanation recorded"
in the report, and the data-quality section lists those gaps.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from pipeline.errors import CodebookError

#: The file name in a data folder.
FILE_NAME = "commentary.yaml"
#: Columns of the checked table (``commentary.csv`` in the build folder).
COLUMNS = ["id", "reason", "action", "partner", "date"]
_KEYS = {"id", "reason", "action", "partner", "date"}
_REQUIRED = ("id", "reason", "action", "partner", "date")


def find(data_dir: str | Path) -> Path | None:
    """The commentary file of a data folder, or None when it has none."""
    path = Path(data_dir) / FILE_NAME
    return path if path.is_file() else None


def load_commentary(path: str | Path, ids: set[str], partners: set[str]) -> pd.DataFrame:
    """Read and check ``commentary.yaml``.

    Parameters
    ----------
    path : path
        The file.
    ids : set of str
        The result and indicator ids of the results framework.
    partners : set of str
        The partner codes of the registry.

    Returns
    -------
    DataFrame
        :data:`COLUMNS`, one row per entry, in the file's order.

    Raises
    ------
    CodebookError
        Naming the file, the entry and what is wrong.
    """
    return _load(path, ids, partners)[0]


def commentary_texts(path: str | Path, ids: set[str], partners: set[str]) -> list[dict[str, str]]:
    """The reason and the action of every entry in every language the file gives, as rows
    of the build folder's ``texts.csv`` (source ``commentary``, entry: the entry's id,
    fields ``reason`` and ``action``). Checked as :func:`load_commentary` checks them."""
    return _load(path, ids, partners)[1]


def _load(path: str | Path, ids: set[str], partners: set[str]) -> tuple[pd.DataFrame, list[dict[str, str]]]:
    from pipeline.i18n import SOURCE_LANGUAGE
    from pipeline.instruments.yaml_io import read_entries, read_text, squeeze, text_rows

    path = Path(path)
    entries = read_entries(path, "id, reason, action, partner, date")
    if entries is None:
        return pd.DataFrame(columns=COLUMNS), []
    rows, seen, texts = [], set(), []
    for i, e in entries:
        entry = f"entries[{i}]"
        unknown = sorted(set(e) - _KEYS)
        if unknown:
            raise CodebookError(path, entry, f"unknown key(s) {unknown}; an entry has {sorted(_KEYS)}")
        missing = [k for k in _REQUIRED if e.get(k) in (None, "")]
        if missing:
            raise CodebookError(path, entry, f"missing {missing}: every entry names the result or indicator, the reason, the action, the partner who wrote it and the date")
        rid = str(e["id"])
        entry = f"entries[{i}] ({rid})"
        if rid not in ids:
            raise CodebookError(path, f"{entry}.id", f"{rid!r} is neither a result nor an indicator of the results framework; known: {', '.join(sorted(ids))}")
        if rid in seen:
            raise CodebookError(path, f"{entry}.id", f"{rid!r} has two entries; keep one (write both reasons into it)")
        seen.add(rid)
        partner = str(e["partner"])
        if partner not in partners:
            raise CodebookError(path, f"{entry}.partner", f"unknown partner {partner!r}; known codes: {', '.join(sorted(partners))}")
        date = e["date"]
        if not isinstance(date, dt.date):
            try:
                date = dt.date.fromisoformat(str(date))
            except ValueError:
                raise CodebookError(path, f"{entry}.date", f"{e['date']!r} is not a date (write YYYY-MM-DD)") from None
        said = {k: read_text(e[k], path, f"{entry}.{k}", squeeze) for k in ("reason", "action")}
        texts += text_rows("commentary", rid, said)
        rows.append({"id": rid, "reason": said["reason"][SOURCE_LANGUAGE], "action": said["action"][SOURCE_LANGUAGE], "partner": partner, "date": date.isoformat()})
    return pd.DataFrame(rows, columns=COLUMNS), texts
