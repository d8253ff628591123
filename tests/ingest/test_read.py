"""Reading exports: delimiters, encodings, XLSX; files that cannot be used."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.config import SURVEYS_DIR
from pipeline.errors import InputError
from pipeline.ingest.read import map_columns, read_export
from pipeline.instruments.codebook import load_codebook

CB = load_codebook(SURVEYS_DIR / "community_attitudes.yaml")


def test_rows_are_numbered_as_a_spreadsheet_shows_them(tmp_path):
    f = tmp_path / "a.csv"
    f.write_text("x,y\n1,2\n\n3,4\n", encoding="utf-8")
    raw = read_export(f)
    assert raw.frame["_source_row"].tolist() == [2, 4]  # row 3 is blank
    assert any("blank" in w for w in raw.warnings)


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_delimiters(tmp_path, sep):
    f = tmp_path / "a.csv"
    f.write_text(sep.join(["x", "y"]) + "\n" + sep.join(["1", "é"]) + "\n", encoding="utf-8")
    assert read_export(f).frame[["x", "y"]].values.tolist() == [["1", "é"]]


def test_bom_and_cp1252(tmp_path):
    f = tmp_path / "bom.csv"
    f.write_bytes("\ufeffx,y\n1,Müller\n".encode("utf-8"))
    assert list(read_export(f).frame.columns[2:]) == ["x", "y"]
    g = tmp_path / "win.csv"
    g.write_bytes("x,y\n1,Müller\n".encode("cp1252"))
    raw = read_export(g)
    assert raw.frame.loc[0, "y"] == "Müller"
    assert raw.encoding == "cp1252" and any("Windows-1252" in w for w in raw.warnings)


def test_xlsx(tmp_path):
    f = tmp_path / "a.xlsx"
    pd.DataFrame({"x": [1, 2], "y": ["a", "b"]}).to_excel(f, index=False)
    raw = read_export(f)
    assert raw.frame["x"].tolist() == ["1", "2"]
    assert raw.frame["_source_row"].tolist() == [2, 3]


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "file not found"),
        (b"", "file is empty"),
        (b"\x00\x01\x02binary\x00", "not a text file"),
        (b"   \n\n", "holds no text"),
    ],
)
def test_unusable_files(tmp_path, content, message):
    f = tmp_path / "x.csv"
    if content is not None:
        f.write_bytes(content)
    with pytest.raises(InputError, match=message) as err:
        read_export(f, name="x.csv")
    assert err.value.file == "x.csv"


def test_broken_xlsx(tmp_path):
    f = tmp_path / "x.xlsx"
    f.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputError, match="not a readable .xlsx"):
        read_export(f)


def test_missing_columns_stop_only_when_they_identify_respondents(tmp_path):
    f = tmp_path / "a.csv"
    f.write_text("_uuid,_submission_time,partner_code,respondent_id,att_economy\nu,2025-03-03T10:00:00,GR-THE,r1,5\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        map_columns(read_export(f, name="a.csv"), CB)
    msg = str(err.value)
    assert "a.csv" in msg and "'partner' (did you mean 'partner_code'?)" in msg and "att_economy" not in msg
    f.write_text("_uuid,_submission_time,partner,respondent_id,att_economy\nu,2025-03-03T10:00:00,GR-THE,r1,5\n", encoding="utf-8")
    raw = read_export(f, name="a.csv")
    mapped = map_columns(raw, CB)
    assert "att_culture" in raw.absent and mapped["att_culture"].isna().all() and mapped["att_economy"].tolist() == ["5"]
    assert any("column(s) of the codebook are not in the file" in w for w in raw.warnings)


def test_unknown_columns_are_left_out_with_a_warning(tmp_path, clean_folder):
    src = clean_folder / "community_attitudes_pre.csv"
    frame = pd.read_csv(src, dtype=str).assign(shoe_size="42")
    frame.to_csv(src, index=False)
    raw = read_export(src, name="pre.csv")
    mapped = map_columns(raw, CB)
    assert "shoe_size" not in mapped.columns
    assert any("shoe_size" in w for w in raw.warnings)
    # personal fields are still there at this stage; deidentify drops them
    assert "full_name" in mapped.columns
