"""Validation's gaps named in issue 9: each test fails when one line of
``pipeline/ingest/validate.py`` is broken the way the issue describes.

* a quarantined row must not stay among the valid rows: :func:`validate` itself, not only
  the workflow's later clean-up by source row, leaves it out;
* an answer of spaces to a required question is empty;
* a head-count breakdown that falls short of its total (not only one that exceeds it)
  does not add up.
"""

from __future__ import annotations

import pandas as pd

from pipeline.ingest.deidentify import load_key
from pipeline.ingest.validate import validate
from pipeline.instruments.registry import load_data_folder
from pipeline.schema import SOURCE_FILE, SOURCE_ROW
from pipeline.workflow import ingest_folder, read_instrument
from tests.framework_data import clean_frames, write_any_folder

REG = "activity_register.csv"


def folder_with(tmp_path, change):
    frames = clean_frames(files=(REG,))
    frames[REG] = change(frames[REG].copy())
    return write_any_folder(tmp_path / "data", frames)


def test_validate_itself_leaves_quarantined_rows_out_of_the_valid_rows(tmp_path):
    def fn(frame):
        frame.loc[2, "activity_type"] = "party"  # invalid_choice
        frame.loc[5, "p_male"] = "-1"  # invalid_count
        return frame

    root = folder_with(tmp_path, fn)
    folder = load_data_folder(root)
    instrument = next(iter(folder.codebooks))
    frame, counts, _, _, absent = read_instrument(folder, instrument, load_key())
    checked = validate(frame, folder.codebooks[instrument], folder.consortium, absent=absent)
    bad = set(zip(checked.quarantine["source_file"], checked.quarantine["source_row"].astype(int)))
    assert bad == {(REG, 4), (REG, 7)}
    kept = set(zip(checked.valid[SOURCE_FILE], checked.valid[SOURCE_ROW].astype(int)))
    assert not bad & kept
    assert len(checked.valid) == counts[REG] - 2


def test_an_answer_of_spaces_to_a_required_question_is_missing(tmp_path):
    def fn(frame):
        frame.loc[6, "activity_id"] = "   "
        return frame

    result = ingest_folder(folder_with(tmp_path, fn))
    q = result.quarantine
    assert q[["source_row", "column", "reason"]].values.tolist() == [[8, "activity_id", "missing_required"]]
    assert result.reconciliation["rows_quarantined"].sum() == 1


def test_a_breakdown_short_of_its_total_does_not_add_up(tmp_path):
    def fn(frame):
        col = "p_female" if int(frame.loc[3, "p_female"]) > 0 else "p_male"
        frame.loc[3, col] = str(int(frame.loc[3, col]) - 1)
        return frame

    result = ingest_folder(folder_with(tmp_path, fn))
    q = result.quarantine
    assert q[["source_row", "column", "reason"]].values.tolist() == [[5, "participants_total", "counts_do_not_add_up"]]
    assert pd.api.types.is_integer_dtype(q["source_row"])


def test_a_range_with_a_negative_bound_reads_between():
    from pipeline.ingest.validate import _detail
    from pipeline.instruments.codebook import parse_codebook
    from pipeline.instruments.registry import Consortium

    cb = parse_codebook({"instrument": "t", "design": "cross_section", "response_scales": {"r": {"values": {"min": -100, "max": 100}}}, "items": [{"id": "change", "response_scale": "r"}]})
    cons = Consortium("p", "p", "", None, None, 5, ())
    assert _detail("out_of_range", "change", "150", cb, cons) == "change must be between -100 and 100; found '150'"


def test_a_folder_without_a_registry_does_not_borrow_the_example(tmp_path, capsys):
    from pipeline.cli import main

    (tmp_path / "t.yaml").write_text("instrument: t\ndesign: cross_section\nfields:\n  - {id: submission_time, role: submission_time}\n  - {id: partner, role: partner}\n", encoding="utf-8")
    # 2024: outside the bundled example's project period, which must not apply here
    (tmp_path / "a.csv").write_text("submission_time,partner\n2024-05-01,ORG-A\n2024-06-01,ORG-B\n", encoding="utf-8")
    (tmp_path / "datasets.yaml").write_text("datasets:\n  - {file: a.csv, instrument: t}\n", encoding="utf-8")
    assert main(["ingest", "--data", str(tmp_path), "--build", str(tmp_path / "build")]) == 0
    err = capsys.readouterr().err
    assert "names no consortium registry" in err and "partners ['ORG-A', 'ORG-B']" in err
    rec = pd.read_csv(tmp_path / "build" / "reconciliation.csv")
    assert rec["rows_kept"].tolist() == [2]
    assert "ORG-B" in (tmp_path / "build" / "consortium.yaml").read_text(encoding="utf-8")
    assert main(["analyse", "--build", str(tmp_path / "build")]) == 0


def test_analyse_a_pre_post_instrument_without_a_respondent_id_says_why(tmp_path, capsys):
    from pipeline.cli import main

    (tmp_path / "t.yaml").write_text(
        "instrument: t\nfields:\n  - {id: submission_time, role: submission_time}\nresponse_scales:\n  r: {values: {min: 1, max: 5}}\n"
        "items:\n  - {id: q1, response_scale: r}\n  - {id: q2, response_scale: r}\nscales:\n  - {id: s, items: [q1, q2]}\n",
        encoding="utf-8",
    )
    for wave in ("pre", "post"):
        rows = "\n".join(f"2025-0{k % 9 + 1}-01,{k % 5 + 1},{(k + 1) % 5 + 1}" for k in range(12))
        (tmp_path / f"{wave}.csv").write_text(f"submission_time,q1,q2\n{rows}\n", encoding="utf-8")
    (tmp_path / "datasets.yaml").write_text("datasets:\n  - {file: pre.csv, instrument: t, wave: pre}\n  - {file: post.csv, instrument: t, wave: post}\n", encoding="utf-8")
    assert main(["ingest", "--data", str(tmp_path), "--build", str(tmp_path / "build")]) == 0
    capsys.readouterr()
    assert main(["analyse", "--build", str(tmp_path / "build")]) == 0
    err = capsys.readouterr().err
    assert "no field with role respondent_id" in err and "design: cross_section" in err
