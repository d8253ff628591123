"""Columns with few distinct values read dictionary-encoded (categoricals): same values, same
quarantine, same published rows as when every cell is read as text."""

from __future__ import annotations

import pandas as pd
import pandas.testing as pdt
import pytest

import pipeline.ingest.categories as categories
import pipeline.workflow as workflow
from pipeline.ingest.categories import all_text, as_text, category_values, concat, is_categorical
from pipeline.ingest.read import read_export
from pipeline.ingest.validate import _to_float
from pipeline.workflow import ingest_folder

from .test_validate import PRE, edit, set_cell


def _export(tmp_path, rows: int = 200):
    """A CSV file: an answer column of a few values (some typed oddly, some empty) and a unique id."""
    answers = ["1", "2", "05", " 3", "", "4", "5"]
    lines = ["id,answer,note"] + [f"id-{k},{answers[k % len(answers)]},{'x' if k % 50 == 0 else ''}" for k in range(rows)]
    path = tmp_path / "export.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_low_variety_columns_are_read_as_categories_with_the_same_values(tmp_path):
    path = _export(tmp_path)
    as_read = read_export(path, categorical=True).frame
    text = read_export(path).frame
    assert is_categorical(as_read["answer"]) and is_categorical(as_read["note"])
    assert not is_categorical(as_read["id"]) and as_read["id"].dtype == text["id"].dtype
    assert not any(is_categorical(text[c]) for c in text.columns)
    pdt.assert_frame_equal(all_text(as_read), text)
    assert as_read["answer"].iloc[2] == "05" and as_read["answer"].iloc[3] == " 3"  # as typed
    assert as_read["answer"].isna().sum() == text["answer"].isna().sum() > 0


def test_a_value_too_long_in_a_categorical_column_still_goes_to_the_careful_reader(tmp_path):
    lines = ["id,answer"] + [f"{k},{'y' * 40_000 if k == 7 else 'a'}" for k in range(100)]
    path = tmp_path / "long.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    raw = read_export(path, categorical=True)
    assert [r["reason"] for r in raw.rejected] == ["value_too_long"]
    assert raw.rows_read == 100


def test_as_text_keeps_missing_values_and_leaves_text_alone():
    cat = pd.Series(pd.Categorical(["b", None, "a", "b"]), index=[3, 4, 5, 6])
    text = as_text(cat)
    assert text.dtype == "string" and list(text.index) == [3, 4, 5, 6]
    assert text.tolist() == ["b", pd.NA, "a", "b"]
    plain = pd.Series(["x"], dtype="string")
    assert as_text(plain) is plain


def test_concat_unites_categories_and_falls_back_to_text():
    a = pd.DataFrame({"item": pd.Categorical(["1", "2"]), "mixed": pd.Categorical(["x", "y"])})
    b = pd.DataFrame({"item": pd.Categorical(["3", None, "1"]), "mixed": pd.Series(["z", "x", None], dtype="string")})
    both = concat([a, b])
    assert is_categorical(both["item"])
    assert both["item"].astype(object).where(both["item"].notna(), None).tolist() == ["1", "2", "3", None, "1"]
    assert both["mixed"].dtype == "string" and both["mixed"].tolist() == ["x", "y", "z", "x", pd.NA]


def test_category_values_converts_only_the_categories_used():
    seen = []

    def convert(text):
        seen.append(sorted(text.tolist()))
        return _to_float(text).to_numpy()

    values = pd.Series(pd.Categorical(["5", "n/a", "12", None, "5"]))
    values = values.mask(values.eq("n/a"))  # KoboCAT's n/a set missing: its category stays, unused
    out = category_values(values, convert)
    assert seen == [["12", "5"]]
    assert out[0] == 5 and out[2] == 12 and pd.isna(out[1]) and pd.isna(out[3])


def test_to_float_of_a_categorical_equals_to_float_of_its_text():
    for cells in (["1", "2", None, "2"], ["1", " 3", "3,5", "x", None]):  # the fast cast; the fallback (spaces, decimal comma)
        text = pd.Series(cells, dtype="string")
        cat = text.astype("category")
        pdt.assert_series_equal(_to_float(cat), _to_float(text))


@pytest.fixture
def frames_seen(monkeypatch):
    """The frames validation was given, by run."""
    seen = []
    validate = workflow.validate

    def spy(frame, *args, **kwargs):
        seen.append(frame.dtypes.to_dict())
        return validate(frame, *args, **kwargs)

    monkeypatch.setattr(workflow, "validate", spy)
    return seen


def _as_text_only(monkeypatch):
    monkeypatch.setattr(categories, "low_variety", lambda payload, delimiter: set())


def test_quarantine_and_rows_are_the_same_with_categories_as_with_text(clean_folder, frames_seen, monkeypatch):
    # bad values inside columns read as categoricals: out of range, not a number, an unknown
    # partner, a choice not in the list; each quarantined row by row, the value as typed
    for row, column, value in [(3, "att_economy", "11"), (4, "sd_family", "yes"), (5, "att_economy", "11"), (6, "partner", "XX-NEW"), (7, "gender", "dunno"), (8, "kn_rights", " 3")]:
        edit(clean_folder, PRE, set_cell(row, column, value))
    with_categories = ingest_folder(clean_folder)
    assert is_categorical(pd.Series(dtype=frames_seen[0]["att_economy"])), "the items should reach validation as categoricals"
    assert not is_categorical(pd.Series(dtype=frames_seen[0]["partner"])), "fields are text after column mapping"
    _as_text_only(monkeypatch)
    as_text_only = ingest_folder(clean_folder)
    assert not any(is_categorical(pd.Series(dtype=d)) for d in frames_seen[1].values())
    q = with_categories.quarantine
    assert sorted(q.loc[q.column == "att_economy", "source_row"]) == [5, 7]  # row by row: frame rows 3 and 5
    assert set(q.loc[q.column == "att_economy", "value"]) == {"11"}
    assert q.loc[q.column == "sd_family", "value"].tolist() == ["yes"]
    assert q.loc[q.column == "partner", "value"].tolist() == ["XX-NEW"]
    pdt.assert_frame_equal(with_categories.quarantine, as_text_only.quarantine)
    pdt.assert_frame_equal(with_categories.private_quarantine, as_text_only.private_quarantine)
    pdt.assert_frame_equal(with_categories.reconciliation, as_text_only.reconciliation)
    for instrument, frame in with_categories.responses.items():
        pdt.assert_frame_equal(frame, as_text_only.responses[instrument])
        assert not any(is_categorical(frame[c]) for c in frame.columns)
    kept = with_categories.responses["community_attitudes"]
    assert kept.loc[(kept["_source_file"] == PRE) & (kept["_source_row"] == 10), "kn_rights"].tolist() == [3.0]  # " 3" read as 3


def test_bytes_that_are_not_utf8_in_a_categorical_column_are_not_read_as_utf8(tmp_path):
    # past the first 64 KB, which the reader decodes itself: pyarrow's dictionary read checks UTF-8 too
    lines = ["id,answer"] + [f"{k},a" for k in range(20_000)]
    path = tmp_path / "latin.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode() + b"20001,caf\xe9\n")
    raw = read_export(path, categorical=True)
    assert raw.encoding == "cp1252"
    assert raw.frame["answer"].iloc[-1] == "café"
    pdt.assert_frame_equal(all_text(raw.frame), read_export(path).frame)
