"""Validation: each kind of bad row is quarantined with its reason, file, row, column and value."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.workflow import ingest_folder

PRE = "community_attitudes_pre.csv"
POST = "community_attitudes_post.csv"


def edit(folder, name, fn):
    path = folder / name
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = fn(frame)
    frame.to_csv(path, index=False, lineterminator="\n")
    return frame


def set_cell(row, column, value):
    def fn(frame):
        frame.loc[row, column] = value
        return frame

    return fn


def only_line(result):
    assert len(result.quarantine) == 1, result.quarantine.to_string()
    return result.quarantine.iloc[0]


@pytest.mark.parametrize(
    "column, value, reason, detail",
    [
        ("att_economy", "11", "out_of_range", "att_economy must be one of 0-10; or a missing code 77, 88; found '11'"),
        ("kn_rights", "3.5", "out_of_range", "found '3.5'"),
        ("sd_family", "yes", "not_a_number", "sd_family must be one of 0, 1"),
        ("partner", "XX-NEW", "unknown_partner", "known codes: GR-THE"),
        ("gender", "dunno", "invalid_choice", "gender must be one of female, male, other, no_answer"),
        ("_submission_time", "2027-02-01T10:00:00", "outside_project_period", "outside the project period 2025-01-01 to 2026-12-31"),
        ("_submission_time", "yesterday", "invalid_date", "'yesterday' is not a date"),
        ("respondent_id", "", "missing_required", "respondent_id is required"),
    ],
)
def test_each_bad_value(clean_folder, column, value, reason, detail):
    edit(clean_folder, PRE, set_cell(4, column, value))
    result = ingest_folder(clean_folder)
    line = only_line(result)
    assert (line.source_file, line.source_row, line.reason) == (PRE, 6, reason)  # frame row 4 = spreadsheet row 6
    expected_column = {"_submission_time": "submission_time"}.get(column, column)
    assert line.column == expected_column
    assert line.value == value
    assert detail in line.detail


def test_duplicate_submission_keeps_the_first(clean_folder, pseudonym_key):
    from pipeline.ingest.deidentify import pseudonymise

    def dup(frame):
        return pd.concat([frame, frame.iloc[[3]]], ignore_index=True)

    frame = edit(clean_folder, POST, dup)
    result = ingest_folder(clean_folder)
    line = only_line(result)
    assert (line.reason, line.source_row, line.column) == ("duplicate_submission", len(frame) + 1, "submission_id")
    # the submission id is pseudonymised at ingestion (a _uuid finds the identified submission)
    assert line.value == pseudonymise(pd.Series([frame.iloc[3]["_uuid"]]), pseudonym_key).iloc[0] != frame.iloc[3]["_uuid"]


def test_same_respondent_twice_in_a_wave_quarantines_both(clean_folder):
    frame = edit(clean_folder, PRE, lambda f: f)
    edit(clean_folder, PRE, set_cell(9, "respondent_id", frame.loc[2, "respondent_id"]))
    result = ingest_folder(clean_folder)
    q = result.quarantine
    assert q["reason"].tolist() == ["duplicate_respondent", "duplicate_respondent"]
    assert q["source_row"].tolist() == [4, 11]
    # the value shown is the pseudonym, never the identifier from the file
    assert frame.loc[2, "respondent_id"] not in q["value"].tolist()


def test_a_row_with_two_problems_is_one_row_with_two_lines(clean_folder):
    def two(frame):
        frame.loc[1, "att_jobs"] = "-1"
        frame.loc[1, "bi_avoid"] = "0"
        return frame

    edit(clean_folder, PRE, two)
    result = ingest_folder(clean_folder)
    assert sorted(result.quarantine["column"]) == ["att_jobs", "bi_avoid"]
    rec = result.reconciliation.set_index("source_file")
    assert rec.loc[PRE, "rows_quarantined"] == 1


def test_missing_codes_are_valid_but_not_scored(clean_folder):
    edit(clean_folder, PRE, set_cell(0, "att_economy", "88"))
    result = ingest_folder(clean_folder)
    assert result.quarantine.empty


def test_clean_folder_has_no_quarantine_and_reconciles(clean_folder):
    result = ingest_folder(clean_folder)
    assert result.quarantine.empty
    rec = result.reconciliation
    assert (rec["rows_read"] == rec["rows_kept"] + rec["rows_quarantined"]).all()
