"""The bad-input catalogue: each case, its message (file, row, column, value) and exit code.

Exit code 0 when rows were only quarantined (the run goes on; ``quarantine.csv``
says why), 2 when the input cannot be used (one message, no traceback). Every
case also reconciles: rows read = rows kept + rows quarantined, per file.
Cases that validation already covers one by one (wrong types, out-of-range
values, codes not in the choice list, duplicates, dates outside the project
period, unknown partners) are in ``tests/ingest/test_validate.py``; here they are checked
through the command line as well.
"""

from __future__ import annotations

import os

import pandas as pd
import pytest

from pipeline.cli import main

PRE = "community_attitudes_pre.csv"
POST = "community_attitudes_post.csv"


def run_ingest(folder, build, capsys):
    code = main(["ingest", "--data", str(folder), "--build", str(build)])
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return code, out


def reconciles(build):
    rec = pd.read_csv(build / "reconciliation.csv")
    assert (rec["rows_read"] == rec["rows_kept"] + rec["rows_quarantined"]).all(), rec
    q = pd.read_csv(build / "quarantine.csv", dtype=str, keep_default_na=False)
    for name, g in q.groupby("source_file"):
        assert g["source_row"].nunique() == rec.set_index("source_file").loc[name, "rows_quarantined"]
    return rec.set_index("source_file"), q


# -- the input cannot be used: exit 2, one message naming the file -------------


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "file is empty"),
        (b"_uuid,respondent_id,partner\r\n", "has a header but no rows"),
        (bytes(range(256)) * 64, "not a text file"),
        (os.urandom(0) + bytes((7 * k * k + 13) % 256 for k in range(20000)), "not a text file"),
        (b"PK\x03\x04" + b"\x00" * 100, "it is a zip archive"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old Excel .xls"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
    ],
    ids=["empty", "header-only", "all-bytes", "garbage", "zip-named-csv", "xls-named-csv", "pdf"],
)
def test_unusable_files_exit_2(tiny_folder, tmp_path, capsys, content, message):
    (tiny_folder / POST).write_bytes(content)
    code, out = run_ingest(tiny_folder, tmp_path / "b", capsys)
    assert code == 2
    assert out.err.startswith(f"error: file {POST}")
    assert message in out.err


def test_missing_identifying_column_names_file_column_and_the_closest_names(tiny_folder, tmp_path, capsys):
    frame = pd.read_csv(tiny_folder / PRE, dtype=str, keep_default_na=False).rename(columns={"partner": "partner_code"})
    frame.to_csv(tiny_folder / PRE, index=False)
    code, out = run_ingest(tiny_folder, tmp_path / "b", capsys)
    assert code == 2
    assert f"file {PRE}, column 'partner': column(s) that identify respondents, waves or partners not found: 'partner' (did you mean 'partner_code'?)" in out.err
    assert "'start'" not in out.err  # not every column of the file


def test_a_missing_answer_column_is_a_warning_and_reads_as_not_asked(clean_folder, tmp_path, capsys):
    tiny_folder = clean_folder
    frame = pd.read_csv(tiny_folder / PRE, dtype=str, keep_default_na=False)
    from pipeline.config import SURVEYS_DIR
    from pipeline.instruments.codebook import load_codebook

    cb = load_codebook(SURVEYS_DIR / "community_attitudes.yaml")
    item = cb.items[0].column
    frame.drop(columns=[item]).to_csv(tiny_folder / PRE, index=False)
    code, out = run_ingest(tiny_folder, tmp_path / "b", capsys)
    assert code == 0
    assert "column(s) of the codebook are not in the file" in out.err and item in out.err
    rec, q = reconciles(tmp_path / "b")
    assert rec.loc[PRE, "rows_read"] == rec.loc[PRE, "rows_kept"] + rec.loc[PRE, "rows_quarantined"]
    assert q.empty and rec.loc[PRE, "rows_kept"] == len(frame)


# -- rows that cannot be read as rows: quarantined, exit 0 ------------------------


def test_truncated_file_quarantines_the_cut_row(tiny_folder, tmp_path, capsys):
    path = tiny_folder / POST
    data = path.read_bytes()
    lines = data.split(b"\n")
    n_rows = len([l for l in lines[1:] if l])
    cut = data[: len(data) - len(lines[-2]) // 2 - 1]  # half of the last row is gone
    path.write_bytes(cut)
    code, out = run_ingest(tiny_folder, tmp_path / "b", capsys)
    assert code == 0
    rec, q = reconciles(tmp_path / "b")
    assert rec.loc[POST, "rows_read"] == n_rows
    line = q.loc[q["reason"] == "truncated_row"].iloc[0]
    assert int(line.source_row) == n_rows + 1 and line.source_file == POST
    assert "cut off" in line.detail


def test_truncated_inside_a_quoted_value(tmp_path, clean_folder, capsys):
    path = clean_folder / PRE
    text = path.read_text(encoding="utf-8").rstrip("\n")
    path.write_text(text + '\n"unfinished,quoted', encoding="utf-8")
    code, _ = run_ingest(clean_folder, tmp_path / "b", capsys)
    assert code == 0
    _, q = reconciles(tmp_path / "b")
    assert q["reason"].tolist() == ["truncated_row"]
    assert "never closed" in q["detail"].iloc[0]


def test_a_line_of_a_megabyte(clean_folder, tmp_path, capsys):
    path = clean_folder / PRE
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[3, "comment"] = "A" * (1 << 20)
    frame.to_csv(path, index=False, lineterminator="\n")
    code, _ = run_ingest(clean_folder, tmp_path / "b", capsys)
    assert code == 0
    rec, q = reconciles(tmp_path / "b")
    line = q.iloc[0]
    assert (int(line.source_row), line.column, line.reason) == (5, "comment", "value_too_long")
    assert "1,048,576 characters" in line.detail and line.value == ""  # the content is never copied
    assert rec.loc[PRE, "rows_kept"] == len(frame) - 1


def test_rows_with_too_many_values_and_broken_quotes(clean_folder, tmp_path, capsys):
    path = clean_folder / PRE
    lines = path.read_text(encoding="utf-8").split("\n")
    width = len(lines[0].split(","))
    lines[2] = lines[2] + ",surplus,values"
    cells = lines[5].split(",")
    cells[cells.index("local_resident") if "local_resident" in cells else 7] = '"local"_resident'
    lines[5] = ",".join(cells)
    path.write_text("\n".join(lines), encoding="utf-8")
    code, _ = run_ingest(clean_folder, tmp_path / "b", capsys)
    assert code == 0
    _, q = reconciles(tmp_path / "b")
    assert q[["source_row", "reason"]].values.tolist() == [["3", "wrong_field_count"], ["6", "malformed_row"]]
    assert f"has {width + 2} values but the header has {width} columns" in q["detail"].iloc[0]


def test_blank_lines_and_a_missing_final_line_break(clean_folder, tmp_path, capsys):
    path = clean_folder / PRE
    text = path.read_text(encoding="utf-8").rstrip("\n")
    lines = text.split("\n")
    lines.insert(4, "")
    lines.insert(4, ",,,,")
    path.write_text("\n".join(lines), encoding="utf-8")
    code, out = run_ingest(clean_folder, tmp_path / "b", capsys)
    assert code == 0
    assert "2 blank line(s) skipped" in out.err and "does not end with a line break" in out.err
    rec, q = reconciles(tmp_path / "b")
    assert q.empty and rec.loc[PRE, "rows_read"] == len(lines) - 3


# -- spreadsheets -----------------------------------------------------------------


def to_xlsx(folder, name, sheets: dict, merge: str | None = None):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, frame in sheets.items():
        ws = wb.create_sheet(title)
        ws.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            ws.append([None if v == "" else v for v in row])
    if merge:
        wb.worksheets[0].merge_cells(merge)
    xlsx = name.replace(".csv", ".xlsx")
    wb.save(folder / xlsx)
    manifest = (folder / "datasets.yaml").read_text(encoding="utf-8").replace(name, xlsx)
    (folder / "datasets.yaml").write_text(manifest, encoding="utf-8")
    return xlsx


def test_workbook_with_several_sheets_reads_the_first_and_says_so(clean_folder, tmp_path, capsys):
    frame = pd.read_csv(clean_folder / PRE, dtype=str, keep_default_na=False)
    xlsx = to_xlsx(clean_folder, PRE, {"Community attitudes": frame, "repeat_children": frame.iloc[:2, :3]})
    code, out = run_ingest(clean_folder, tmp_path / "b", capsys)
    assert code == 0
    assert "2 sheets ['Community attitudes', 'repeat_children']; read the first" in out.err
    rec, _ = reconciles(tmp_path / "b")
    assert rec.loc[xlsx, "rows_kept"] == len(frame)


def test_declared_sheet_and_an_unknown_sheet(clean_folder, tmp_path, capsys):
    frame = pd.read_csv(clean_folder / PRE, dtype=str, keep_default_na=False)
    xlsx = to_xlsx(clean_folder, PRE, {"Notes": pd.DataFrame({"about": ["exported 3 March"]}), "Data": frame})
    manifest = clean_folder / "datasets.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(f"file: {xlsx}", f"file: {xlsx}\n    sheet: Data"), encoding="utf-8")
    code, _ = run_ingest(clean_folder, tmp_path / "b", capsys)
    assert code == 0
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("sheet: Data", "sheet: Daten"), encoding="utf-8")
    code, out = run_ingest(clean_folder, tmp_path / "c", capsys)
    assert code == 2 and "no sheet 'Daten'; its sheets: ['Notes', 'Data']" in out.err


def test_merged_header_cells_stop_the_run(clean_folder, tmp_path, capsys):
    frame = pd.read_csv(clean_folder / PRE, dtype=str, keep_default_na=False)
    to_xlsx(clean_folder, PRE, {"Sheet1": frame}, merge="I1:L1")
    code, out = run_ingest(clean_folder, tmp_path / "b", capsys)
    assert code == 2
    assert f"row 1, column {frame.columns[8]!r}" in out.err and "merged cells (I1:L1)" in out.err


# -- the waves ------------------------------------------------------------------


def test_second_wave_answers_without_a_first_wave_are_kept_and_reported(clean_folder, tmp_path, capsys):
    import re

    def unmatched(build):
        code, out = run_ingest(clean_folder, build, capsys)
        assert code == 0
        found = re.search(r"(\d+) respondent\(s\) answered 'post' without a 'pre' answer", out.err)
        return int(found.group(1)) if found else 0

    before = unmatched(tmp_path / "a")
    pre = pd.read_csv(clean_folder / PRE, dtype=str, keep_default_na=False)
    post = pd.read_csv(clean_folder / POST, dtype=str, keep_default_na=False)
    both = sorted((set(post["respondent_id"]) & set(pre["respondent_id"])) - {""})
    pre.loc[pre["respondent_id"] != both[0]].to_csv(clean_folder / PRE, index=False)
    assert unmatched(tmp_path / "b") == before + 1
    _, q = reconciles(tmp_path / "b")
    assert q.empty  # reported, not quarantined


# -- formula injection -----------------------------------------------------------


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x.example","click")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\t=1+1"])
def test_formula_text_is_neutralised_in_every_csv_written(clean_folder, tmp_path, capsys, text):
    frame = pd.read_csv(clean_folder / PRE, dtype=str, keep_default_na=False)
    frame.loc[2, "gender"] = text
    frame.to_csv(clean_folder / PRE, index=False)
    code, _ = run_ingest(clean_folder, tmp_path / "b", capsys)
    assert code == 0
    for csv_file in (tmp_path / "b").rglob("*.csv"):
        for line in csv_file.read_text(encoding="utf-8").splitlines():
            for cell in line.split(","):
                assert not cell.lstrip('"').startswith(("=", "+", "@", "\t")) or cell.lstrip('"').startswith("'"), (csv_file.name, cell)
    q = pd.read_csv(tmp_path / "b" / "quarantine.csv", dtype=str, keep_default_na=False)
    assert q["value"].iloc[0] == "'" + text


def test_a_repeated_column_name_stops_the_run(clean_folder, tmp_path, capsys):
    path = clean_folder / PRE
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[0] = lines[0].replace("att_place", "att_economy")
    path.write_text("\n".join(lines), encoding="utf-8")
    code, out = run_ingest(clean_folder, tmp_path / "b", capsys)
    assert code == 2
    assert f"file {PRE}, row 1: the header repeats column name(s) ['att_economy']" in out.err
