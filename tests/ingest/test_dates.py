"""Dates as survey tools write them (issue 9, point 3). The corpus holds only Google
Forms' month-first timestamps (tests/test_real_exports.py); the other forms the issue
names are tested here with the literal strings the tools write."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.errors import CodebookError
from pipeline.ingest.dates import day_order, normalise, parse_one
from pipeline.instruments.registry import load_data_folder


@pytest.mark.parametrize(
    "text, dayfirst, iso",
    [
        ("22/01/2026 21:29:50", True, "2026-01-22T21:29:50"),  # Google Sheets, a day-first locale
        ("22/01/2026", True, "2026-01-22"),
        ("8/21/2019 13:10:31", False, "2019-08-21T13:10:31"),  # Google Sheets, en-US
        ("2023/11/13 4:20:37 pm CET", True, "2023-11-13T16:20:37+01:00"),
        ("2023/11/13 12:05:00 am CEST", True, "2023-11-13T00:05:00+02:00"),
        ("2025/03/03 9:01:15 AM GMT+1", True, "2025-03-03T09:01:15+01:00"),
        ("2025/03/03 9:01:15 PM GMT-05:30", True, "2025-03-03T21:01:15-05:30"),
        ("13.11.2023 08:00", True, "2023-11-13T08:00:00"),
        ("45292", True, "2024-01-01"),  # Excel serial: 1 January 2024 is day 45292
        ("45292.75", True, "2024-01-01T18:00:00"),
    ],
)
def test_formats_real_tools_write(text, dayfirst, iso):
    assert parse_one(text, dayfirst) == iso


@pytest.mark.parametrize("text", ["31/02/2025", "2023/11/13 4:20:37 pm IST", "13:00 yesterday", "12345", "2025/13/01", "1/1/2025 25:00"])
def test_what_is_not_a_date_stays_unread(text):
    assert parse_one(text) is None


def test_iso_values_are_left_as_they_are():
    col = pd.Series(["2021-12-07T19:19:26.772Z", "2025-03-01", None], dtype="string")
    out, notes = normalise(col, "f.csv", "submission_time")
    assert out is col and notes == []


def test_day_order_from_a_day_above_twelve():
    assert day_order(["3/4/2025", "22/01/2026"])[0] is True
    assert day_order(["3/4/2025", "8/21/2019"])[0] is False
    assert day_order(["3/4/2025", "5/6/2025"]) == (None, "no day above 12")
    assert day_order(["22/01/2026", "8/21/2019"])[0] is None


def test_ambiguous_and_contradictory_files_are_reported():
    out, notes = normalise(pd.Series(["3/4/2025 10:00:00", "5/6/2025 11:00:00"], dtype="string"), "f.csv", "submission_time")
    assert out.tolist() == ["2025-04-03T10:00:00", "2025-06-05T11:00:00"]
    assert "no day above 12 settles it; read day first" in notes[0]
    out, notes = normalise(pd.Series(["3/4/2025", "5/6/2025"], dtype="string"), "f.csv", "submission_time", dayfirst=False)
    assert out.tolist() == ["2025-03-04", "2025-05-06"] and not any("settles" in n for n in notes)
    out, notes = normalise(pd.Series(["22/01/2026", "8/21/2019"], dtype="string"), "f.csv", "submission_time")
    assert out.tolist() == ["22/01/2026", "8/21/2019"]  # left for validation to report as invalid_date
    assert "cannot be settled" in notes[0]
    out, notes = normalise(pd.Series(["22/01/2026 21:29"], dtype="string"), "f.csv", "t", dayfirst=False)
    assert "the declaration was followed" in notes[0] and out.tolist() == ["22/01/2026 21:29"]


def test_a_declared_date_format_reads_every_value():
    out, notes = normalise(pd.Series(["01-22-2026 21h29"], dtype="string"), "f.csv", "t", date_format="%m-%d-%Y %Hh%M")
    assert out.tolist() == ["2026-01-22T21:29:00"] and "date_format" in notes[0]


def test_datasets_yaml_declares_date_format_and_dayfirst(tmp_path):
    (tmp_path / "t.yaml").write_text("instrument: t\ndesign: cross_section\nfields: [{id: submission_time, role: submission_time}]\n", encoding="utf-8")
    (tmp_path / "a.csv").write_text("submission_time\n22/01/2026\n", encoding="utf-8")
    (tmp_path / "datasets.yaml").write_text("datasets:\n  - {file: a.csv, instrument: t, dayfirst: true, date_format: '%d/%m/%Y'}\n", encoding="utf-8")
    ds = load_data_folder(tmp_path).datasets[0]
    assert (ds.dayfirst, ds.date_format) == (True, "%d/%m/%Y")
    (tmp_path / "datasets.yaml").write_text("datasets:\n  - {file: a.csv, instrument: t, dayfirst: sometimes}\n", encoding="utf-8")
    with pytest.raises(CodebookError, match="dayfirst"):
        load_data_folder(tmp_path)


def test_a_day_first_export_ingests(tmp_path):
    from pipeline.workflow import ingest_folder

    (tmp_path / "t.yaml").write_text(
        "instrument: t\ndesign: cross_section\nfields:\n  - {id: submission_time, role: submission_time, column: Timestamp}\n  - {id: q, role: attribute, choices: ['Yes', 'No']}\n",
        encoding="utf-8",
    )
    (tmp_path / "a.csv").write_text("Timestamp,q\n22/01/2026 21:29:50,Yes\n03/02/2026 09:00:00,No\n", encoding="utf-8")
    (tmp_path / "datasets.yaml").write_text("datasets:\n  - {file: a.csv, instrument: t}\n", encoding="utf-8")
    result = ingest_folder(tmp_path)
    kept = result.responses["t"]
    assert [str(t) for t in kept["submission_time"]] == ["2026-01-22 21:29:50", "2026-02-03 09:00:00"]
    assert any("day first, as '22/01/2026 21:29:50' shows" in w for w in result.warnings)
