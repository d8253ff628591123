"""Wide exports (one row per person, a column per item and wave) become long rows."""

from __future__ import annotations

import pytest

from pipeline.errors import CodebookError, InputError
from pipeline.ingest.read import read_export
from pipeline.ingest.wide import wide_to_long
from pipeline.instruments.codebook import parse_codebook
from pipeline.workflow import ingest_folder

WIDE = {
    "instrument": "wide_mini",
    "layout": "wide",
    "waves": ["pre", "post", "follow_up"],
    "response_scales": {"t": {"values": {"min": 0, "max": 100}}},
    "fields": [
        {"id": "pid", "role": "respondent_id", "required": True},
        {"id": "arm", "role": "comparison", "choices": ["1", "0"], "comparison_value": "0", "required": True},
    ],
    "items": [
        {"id": "warmth", "response_scale": "t", "columns": {"pre": "w0", "post": "w1", "follow_up": "w2"}},
        {"id": "other", "response_scale": "t", "columns": {"pre": "o0", "post": "o1"}},
    ],
    "scales": [{"id": "warmth", "items": ["warmth"], "min_answered": 1}],
}

CSV = """pid,arm,w0,w1,w2,o0,o1,extra
1,1,50,60,,40,45,x
2,0,70,,,,,y
3,1,,,,,,z
4,1,55,150,60,50,50,w
"""


def test_codebook_checks_per_wave_columns():
    cb = parse_codebook(WIDE, "wide.yaml")
    assert cb.is_wide and cb.item("other").columns == {"pre": "o0", "post": "o1"}
    bad = {**WIDE, "items": [{"id": "warmth", "response_scale": "t", "columns": {"pre": "w0", "later": "w9"}}], "scales": []}
    with pytest.raises(CodebookError) as err:
        parse_codebook(bad, "wide.yaml")
    assert err.value.entry == "items[0].columns" and "later" in str(err.value)
    with pytest.raises(CodebookError, match="layout: wide"):
        parse_codebook({**WIDE, "layout": "long"}, "wide.yaml")
    with pytest.raises(CodebookError, match="unknown layout"):
        parse_codebook({**WIDE, "layout": "diagonal"}, "wide.yaml")


def test_one_row_per_person_and_answered_wave(tmp_path):
    (tmp_path / "w.csv").write_text(CSV, encoding="utf-8")
    raw = read_export(tmp_path / "w.csv", name="w.csv")
    long = wide_to_long(raw, parse_codebook(WIDE, "wide.yaml"))
    got = long[["_source_row", "wave", "warmth", "other"]].astype(object).where(long[["_source_row", "wave", "warmth", "other"]].notna(), None)
    assert [tuple(r) for r in got.itertuples(index=False)] == [
        (2, "pre", "50", "40"),
        (2, "post", "60", "45"),
        (3, "pre", "70", None),
        (4, "pre", None, None),  # answered nothing: kept once, so the row is counted
        (5, "pre", "55", "50"),
        (5, "post", "150", "50"),
        (5, "follow_up", "60", None),
    ]
    assert list(long.columns[:3]) == ["_source_file", "_source_row", "wave"]
    assert any("extra" in w for w in raw.warnings)


def test_missing_wave_column_names_file_and_column(tmp_path):
    (tmp_path / "w.csv").write_text(CSV.replace("w1,", "wX,"), encoding="utf-8")
    raw = read_export(tmp_path / "w.csv", name="w.csv")
    with pytest.raises(InputError) as err:
        wide_to_long(raw, parse_codebook(WIDE, "wide.yaml"))
    assert err.value.column == "w1" and "w.csv" in str(err.value)


def test_a_bad_answer_at_one_wave_sets_the_person_aside_and_rows_reconcile(tmp_path):
    import yaml

    (tmp_path / "w.csv").write_text(CSV, encoding="utf-8")
    (tmp_path / "wide_mini.yaml").write_text(yaml.safe_dump(WIDE), encoding="utf-8")
    (tmp_path / "reg.yaml").write_text("project: {id: X, title: X, min_cell_size: 1}\npartners: [{code: A, name: A, type: ngo, country: DE}]\n", encoding="utf-8")
    (tmp_path / "datasets.yaml").write_text("consortium: reg.yaml\ndatasets:\n  - file: w.csv\n    instrument: wide_mini\n", encoding="utf-8")
    result = ingest_folder(tmp_path, key=b"k")
    rec = result.reconciliation.iloc[0]
    assert (rec["rows_read"], rec["rows_kept"], rec["rows_quarantined"]) == (4, 3, 1)
    q = result.quarantine.iloc[0]
    assert (q["source_row"], q["wave"], q["column"], q["value"], q["reason"]) == (5, "post", "warmth", "150", "out_of_range")
    kept = result.responses["wide_mini"]
    assert sorted(kept["_source_row"].unique()) == [2, 3, 4]  # person in row 5 left out at every wave
    assert "extra" not in kept.columns and "pid" not in kept.columns
