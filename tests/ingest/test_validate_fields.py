"""Validation of typed fields and row checks: registers, ties, ratings, knowledge tests."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.workflow import ingest_folder
from tests.framework_data import clean_frames, write_any_folder

REG = "activity_register.csv"
NET = "partnership_network_baseline.csv"


def folder_with(tmp_path, name, change):
    frames = clean_frames(files=(name,))
    frames[name] = change(frames[name].copy())
    return write_any_folder(tmp_path / "data", frames)


def only_line(result):
    assert len(result.quarantine) == 1, result.quarantine.to_string()
    return result.quarantine.iloc[0]


def set_cells(row, **values):
    def fn(frame):
        for col, value in values.items():
            frame.loc[row, col] = value
        return frame

    return fn


@pytest.mark.parametrize(
    "values, column, reason, detail",
    [
        ({"p_male": "-2"}, "p_male", "invalid_count", "whole number >= 0; found '-2'"),
        ({"p_male": "3.5"}, "p_male", "invalid_count", "found '3.5'"),
        ({"p_male": "many"}, "p_male", "not_a_number", "found 'many'"),
        ({"start_date": "next week"}, "start_date", "invalid_date", "'next week' is not a date"),
        ({"start_date": "2024-12-30"}, "start_date", "outside_project_period", "outside the project period 2025-01-01 to 2026-12-31"),
        ({"partners_attending": "GR-THE XX-YYY"}, "partners_attending", "unknown_partner", "found 'GR-THE XX-YYY'"),
        ({"activity_type": "party"}, "activity_type", "invalid_choice", "found 'party'"),
        ({"activity_id": ""}, "activity_id", "missing_required", "required but empty"),
    ],
)
def test_each_bad_value_in_the_register(tmp_path, values, column, reason, detail):
    def fn(frame):
        frame = set_cells(6, **values)(frame)
        if "start_date" in values:  # keep the end date after the start when only the start is wrong
            frame.loc[6, "end_date"] = frame.loc[6, "end_date"] if values["start_date"] != "2024-12-30" else "2025-01-02"
        return frame

    result = ingest_folder(folder_with(tmp_path, REG, fn))
    line = only_line(result)
    assert (line.source_file, line.source_row, line.column, line.reason) == (REG, 8, column, reason)
    assert line.value == next(iter(values.values()))
    assert detail in line.detail


def test_counts_must_add_up_to_the_total_for_each_breakdown(tmp_path):
    def fn(frame):
        frame.loc[3, "p_female"] = str(int(frame.loc[3, "p_female"]) + 1)
        return frame

    line = only_line(ingest_folder(folder_with(tmp_path, REG, fn)))
    assert (line.source_row, line.column, line.reason) == (5, "participants_total", "counts_do_not_add_up")
    assert "gender: p_female + p_male + p_gender_other" in line.detail


def test_end_before_start(tmp_path):
    line = only_line(ingest_folder(folder_with(tmp_path, REG, set_cells(2, start_date="2025-09-10", end_date="2025-09-08"))))
    assert (line.column, line.reason, line.value) == ("end_date", "dates_out_of_order", "2025-09-08")


def test_a_repeated_record_keeps_the_first(tmp_path):
    def fn(frame):
        return pd.concat([frame, frame.iloc[[4]]], ignore_index=True)

    result = ingest_folder(folder_with(tmp_path, REG, fn))
    line = only_line(result)
    n = len(clean_frames(files=(REG,))[REG])
    assert (line.reason, line.source_row) == ("duplicate_record", n + 2)


def test_a_tie_named_twice_with_other_case_and_spaces_is_one_tie(tmp_path):
    def fn(frame):
        copy = frame.iloc[[0]].copy()
        copy["organisation"] = "  " + copy["organisation"].str.upper() + "  "
        copy["_uuid"] = "another-submission"
        return pd.concat([frame, copy], ignore_index=True)

    line = only_line(ingest_folder(folder_with(tmp_path, NET, fn)))
    assert line.reason == "duplicate_record" and line.column == "organisation"


def test_the_same_organisation_may_be_named_by_two_partners(tmp_path):
    def fn(frame):
        copy = frame.loc[frame["level"].eq("local")].iloc[[0]].copy()  # an organisation only one partner names
        copy["partner"] = "PT-LIS" if copy["partner"].iloc[0] != "PT-LIS" else "GR-THE"
        copy["_uuid"] = "another-submission"
        return pd.concat([frame, copy], ignore_index=True)

    assert ingest_folder(folder_with(tmp_path, NET, fn)).quarantine.empty


def test_typed_columns_and_read_equals_kept_plus_quarantined(tmp_path):
    result = ingest_folder(write_any_folder(tmp_path / "d", clean_frames(files=(REG, NET))))
    reg = result.responses["activity_register"]
    assert str(reg["start_date"].dtype).startswith("datetime64") and reg["participants_total"].dtype == "float64"
    assert set(reg["wave"]) == {"register"}  # the only wave of a register, without a wave in the manifest
    rec = result.reconciliation
    assert (rec["rows_read"] == rec["rows_kept"] + rec["rows_quarantined"]).all() and rec["rows_quarantined"].sum() == 0


def test_personal_fields_never_pass_ingestion(tmp_path):
    frames = clean_frames()
    result = ingest_folder(write_any_folder(tmp_path / "all", frames))
    personal = {"full_name", "email", "comment", "rater_name", "contact_person", "contact_email", "respondent_name", "recorded_by", "notes", "name", "phone"}
    for instrument, kept in result.responses.items():
        assert not personal & set(kept.columns), instrument
    text = "".join(k.astype(str).to_csv() for k in result.responses.values())
    for name, col in (("staff_training_pre.csv", "full_name"), ("organisational_capacity_baseline.csv", "rater_name"), ("partnership_network_endline.csv", "contact_person")):
        for value in frames[name][col].loc[frames[name][col] != ""].head(20):
            assert value not in text, value
    for value in frames["staff_training_pre.csv"]["respondent_id"].head(20):  # staff codes are pseudonymised
        assert value not in text


def test_knowledge_test_is_scored_right_or_wrong(tmp_path):
    frames = clean_frames(files=("staff_training_pre.csv",))
    raw = frames["staff_training_pre.csv"]
    result = ingest_folder(write_any_folder(tmp_path / "t", frames))
    scored = result.responses["staff_training"].sort_values("_source_row")
    key = {"kt_refugee": 2, "kt_refoulement": 4, "kt_subsidiary": 3, "kt_interpreter": 1, "kt_trauma_sign": 1, "kt_trauma_informed": 3, "kt_intercultural": 2, "kt_inclusive": 4}
    answers = raw[list(key)].replace("", None).astype(float)
    right = pd.DataFrame({k: (answers[k] == v).astype(float).where(answers[k].notna()) for k, v in key.items()})
    n_answered = right.notna().sum(axis=1)
    expected = (right.sum(axis=1) / n_answered).where(n_answered >= 6)
    assert scored["knowledge_test"].to_numpy() == pytest.approx(expected.to_numpy(), nan_ok=True)
