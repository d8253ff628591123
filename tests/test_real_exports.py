"""Real forms and exports that nobody on the team wrote, end to end (issue 9).

Each test imports the form (or, for exports published without their form, writes the
small codebook a user would write), ingests the export, analyses it, and asserts: no
traceback (every CLI call returns an exit code), rows read = kept + quarantined, how
many rows were kept and why the others were set aside. None of these exports has a
second wave, so each runs as a one-off survey (design ``cross_section``): analyse
gives no change indicators and says why, and gives the level of each scale or scored
item instead (``analysis = "level"``). Sources, licences and the subsets taken:
``tests/data/real/SOURCES.md``.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
import yaml

from pipeline.cli import main
from pipeline.instruments.codebook import load_codebook
from tests.real_corpus import REAL, end_to_end, kobo_asset_to_xlsform, r_sheets_to_xlsform


def copy(src, root, name=None):
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(src, root / (name or src.name))
    return root


# -- REACH Afghanistan 2018: a humanitarian form with skip logic -----------------------


@pytest.fixture(scope="module")
def afg_form(tmp_path_factory):
    d = REAL / "reach_afg"
    return r_sheets_to_xlsform(d / "test_questionnaire_questions.csv", d / "test_questionnaire_choices.csv", tmp_path_factory.mktemp("afg") / "afg.xlsx")


def test_reach_afghanistan_keeps_the_rows_its_skip_logic_allows(afg_form, tmp_path, capsys):
    root = copy(REAL / "reach_afg" / "testdata.csv", tmp_path / "data")
    run = end_to_end(root, tmp_path / "build", capsys, form=afg_form, instrument="afg", files=[{"file": "testdata.csv"}])
    assert run.codes == {"import-form": 0, "ingest": 0, "analyse": 0}
    cb = load_codebook(root / "afg.yaml")
    reason = next(f for f in cb.fields if f.id == "nonaccessmedicationreason")
    assert reason.required and reason.relevant == "( ( selected(${accessmedication},'no') ) )"
    assert run.read == 40 and run.kept == 4
    # The form in the source repository lost the group that asked the coping questions
    # only of households that had enough money for food: the 27 rows of households
    # that answered notmoneyfood = no leave them empty, and as required questions
    # without a condition they are missing. 14 households said they lacked access to
    # medication and gave no reason. The R cleaning wrote some codes as lower-case
    # labels ('pul-e khumri' for the code 'Pulekhumri') and renamed 'pakisthan' to
    # 'pakistan': those are not the form's codes (a case-only difference is read).
    assert run.reasons() == {"missing_required": 34, "invalid_choice": 22}
    # the data manager's copy keeps the values as typed; the published one withholds
    # what is not one of the form's codes
    q = run.private_quarantine
    assert {"pakistan", "pul-e khumri"} <= set(q.loc[q["reason"] == "invalid_choice", "value"])
    assert not {"pakistan", "pul-e khumri"} & set(run.quarantine["value"])
    missing = q.loc[q["reason"] == "missing_required"].groupby("column")["source_row"].nunique()
    assert missing["nonaccessmedicationreason"] == 14 and missing["borrowing"] == 27
    # skip logic at work: households with access to medication were not asked why not
    data = pd.read_csv(root / "testdata.csv", encoding="cp1252", dtype=str, keep_default_na=False)
    hidden = (data["accessmedication"] == "yes") & (data["nonaccessmedicationreason"] == "NA")
    assert hidden.sum() == 12
    assert not q.loc[q["column"] == "nonaccessmedicationreason", "source_row"].astype(int).isin(data.index[hidden] + 2).any()
    assert "written by R" in run.err and "in another letter case than the form's" in run.err
    # One wave: no change indicators, the level of each scored item instead (food
    # consumption days and the like: bounded integers of at most 11 values). 4 kept rows
    # are fewer than min_cell (5): every row is there, and every number is hidden (a
    # group where nobody answered shows n = 0: it describes nobody).
    assert "no before/after change indicators; the level of each scale or scored item" in run.err
    ind = run.indicators
    assert len(ind) and set(ind["analysis"]) == {"level"} and not (ind["n_pre"] > 0).any() and ind["mean_pre"].isna().all()
    assert ind.loc[ind["group_by"] == "consortium", "suppression"].eq("primary").all()
    assert "afg.cerealstubers.level" in set(ind["indicator_id"])
    # With min_cell 1 (a data manager's own look) the numbers show, and check against the data
    assert main(["ingest", "--data", str(root), "--build", str(tmp_path / "b1"), "--min-cell", "1"]) == 0
    assert main(["analyse", "--build", str(tmp_path / "b1")]) == 0
    ind1 = pd.read_csv(tmp_path / "b1" / "indicators.csv").set_index(["indicator_id", "group_by", "group"])
    kept = pd.read_parquet(tmp_path / "b1" / "responses" / "afg.parquet")
    whole = ind1.loc[("afg.cerealstubers.level", "consortium", "all")]
    assert whole["n_pre"] == kept["cerealstubers"].notna().sum() == 4
    assert whole["mean_pre"] == pytest.approx(kept["cerealstubers"].mean()) and whole["ci_low"] <= whole["mean_pre"] <= whole["ci_high"]


def test_without_skip_logic_the_same_rows_would_be_set_aside(afg_form, tmp_path, capsys):
    """The mutation the issue describes: relevant dropped, required kept."""
    root = copy(REAL / "reach_afg" / "testdata.csv", tmp_path / "data")
    run = end_to_end(root, tmp_path / "build", capsys, form=afg_form, instrument="afg", files=[{"file": "testdata.csv"}])
    doc = yaml.safe_load((root / "afg.yaml").read_text(encoding="utf-8"))
    for entry in doc["fields"] + doc["items"]:
        entry.pop("relevant", None)
    (root / "afg.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert main(["ingest", "--data", str(root), "--build", str(tmp_path / "b2")]) == 0
    rec = pd.read_csv(tmp_path / "b2" / "reconciliation.csv")
    assert int(rec["rows_kept"].sum()) < run.kept
    assert int(rec["rows_kept"].sum()) == 0


def test_reach_somalia_external_choices_repeated_names_and_r_cleaned_codes(tmp_path, capsys):
    d = REAL / "reach_som"
    form = r_sheets_to_xlsform(d / "kobo_questions.csv", d / "kobo_choices.csv", tmp_path / "som.xlsx")
    root = copy(d / "data.csv", tmp_path / "data")
    run = end_to_end(root, tmp_path / "build", capsys, form=form, instrument="som", files=[{"file": "data.csv"}])
    assert run.codes == {"import-form": 0, "ingest": 0, "analyse": 0}
    cb = load_codebook(root / "som.yaml")
    assert sum(1 for f in (*cb.fields, *cb.items) if f.relevant) > 150
    assert run.read == 25 and run.kept == 3
    # The form's choice names hold spaces ('woqooyi galbeed') where the data has
    # underscores, and a typographic apostrophe ('didn’t_know_vaccine') where the form
    # has a straight one: real disagreements, each quarantined with its value.
    assert run.reasons() == {"invalid_choice": 22, "missing_required": 1}
    assert {"woqooyi_galbeed", "didn’t_know_vaccine"} <= set(run.private_quarantine["value"])
    assert "(withheld)" in set(run.quarantine["value"])
    assert "'NA' value(s) read as empty" in run.err


# -- KoboToolbox (KoboCAT and KPI) exports ---------------------------------------------


def test_kobocat_transportation_trailing_comma_and_n_a(tmp_path, capsys):
    d = REAL / "kpi_transportation"
    root = copy(d / "transportation.csv", tmp_path / "data")
    run = end_to_end(root, tmp_path / "build", capsys, form=d / "transportation.xls", instrument="transportation", files=[{"file": "transportation.csv"}])
    assert run.codes == {"import-form": 0, "ingest": 0, "analyse": 0}
    assert (run.read, run.kept) == (4, 4) and run.reasons() == {}
    kept = pd.read_parquet(tmp_path / "build" / "responses" / "transportation.parquet")
    assert kept["available_transportation_types_to_referral_facility"].fillna("").tolist() == ["", "ambulance bicycle", "ambulance", "taxi other"]


def test_kobocat_wide_export_with_a_repeat(tmp_path, capsys):
    d = REAL / "kpi_tutorial_w_repeats"
    root = copy(d / "tutorial_w_repeats.csv", tmp_path / "data")
    run = end_to_end(root, tmp_path / "build", capsys, form=d / "tutorial_w_repeats.xls", instrument="tutorial", files=[{"file": "tutorial_w_repeats.csv"}])
    assert run.codes == {"import-form": 0, "ingest": 0, "analyse": 0}
    assert (run.read, run.kept) == (1, 1)
    assert "'n/a' cell(s)" in run.err
    assert "'children' (repeat): a repeat group" in (root / "tutorial.yaml").read_text(encoding="utf-8")  # named, left out


@pytest.mark.parametrize(
    "export, hxl",
    [("test_csv_export_english_labels.csv", True), ("test_csv_export_spanish_labels.csv", True), ("test_csv_export_english_labels_no_hxl.csv", False)],
)
def test_kpi_labels_exports_with_and_without_the_hxl_row(export, hxl, tmp_path, capsys):
    form = kobo_asset_to_xlsform(REAL / "formpack_grouped_translated" / "v1.json", tmp_path / "symmetry.xlsx")
    root = copy(REAL / "kpi_mock_data_exports" / export, tmp_path / "data")
    run = end_to_end(root, tmp_path / "build", capsys, form=form, instrument="symmetry", files=[{"file": export}])
    assert run.codes == {"import-form": 0, "ingest": 0, "analyse": 0}
    # the hashtag row is no respondent: 3 rows read, all kept
    assert (run.read, run.kept) == (3, 3) and run.reasons() == {}
    assert ("HXL hashtags" in run.err) == hxl
    kept = pd.read_parquet(tmp_path / "build" / "responses" / "symmetry.parquet")
    fluids = next(c for c in kept.columns if c.startswith("Do_you_have_body_flu"))
    assert sorted(kept[fluids]) == ["yes_and_some", "yes_and_some", "yes_and_some"] or kept[fluids].notna().all()


def test_three_copies_of_one_export_are_duplicate_submissions(tmp_path, capsys):
    form = kobo_asset_to_xlsform(REAL / "formpack_grouped_translated" / "v1.json", tmp_path / "symmetry.xlsx")
    root = tmp_path / "data"
    names = ["test_csv_export_english_labels.csv", "test_csv_export_spanish_labels.csv"]
    for n in names:
        copy(REAL / "kpi_mock_data_exports" / n, root)
    run = end_to_end(root, tmp_path / "build", capsys, form=form, instrument="symmetry", files=[{"file": n} for n in names])
    assert (run.read, run.kept) == (6, 3) and run.reasons() == {"duplicate_submission": 3}


def test_kobo_xlsx_export_with_dotted_groups_and_its_repeat_sheet(tmp_path, capsys):
    d = REAL / "unhcr_kobocruncher"
    root = copy(d / "data.xlsx", tmp_path / "data")
    run = end_to_end(root, tmp_path / "build", capsys, form=d / "sample_xlsform.xlsx", instrument="cruncher", files=[{"file": "data.xlsx"}])
    assert run.codes == {"import-form": 0, "ingest": 0, "analyse": 0}
    assert (run.read, run.kept) == (5, 5)
    kept = pd.read_parquet(tmp_path / "build" / "responses" / "cruncher.parquet")
    assert kept["country"].notna().all()  # 'profile.country' found by its group prefix
    # the repeat group's sheet is named for what it is, not read as submissions
    run = end_to_end(root, tmp_path / "build2", capsys, form=d / "sample_xlsform.xlsx", instrument="cruncher", files=[{"file": "data.xlsx", "sheet": "members"}])
    assert run.codes["ingest"] == 2 and "is the table of a repeat group" in run.err and "Traceback" not in run.err


# -- ODK Central ---------------------------------------------------------------------

ODK_CODEBOOK = """
instrument: {instrument}
design: cross_section
fields:
  - {{id: submission_id, role: submission_id, column: meta-instanceID, required: true}}
  - {{id: submission_time, role: submission_time, column: SubmissionDate, required: true}}
{more}
"""


def test_odk_central_group_paths_quoted_commas_and_every_type(tmp_path, capsys):
    d = REAL / "odk_central_backend_briefcase"
    root = copy(d / "structuredform.csv", tmp_path / "data")
    more = "  - {id: name, role: personal}\n  - {id: type, role: grouping, choices: [Apartment, Condo, House]}\n  - {id: city, role: attribute}\n"
    run = end_to_end(root, tmp_path / "build", capsys, form=None, instrument="odk", files=[{"file": "structuredform.csv"}], codebook_text=ODK_CODEBOOK.format(instrument="odk", more=more))
    assert run.codes == {"ingest": 0, "analyse": 0} and (run.read, run.kept) == (3, 3)
    kept = pd.read_parquet(tmp_path / "build" / "responses" / "odk.parquet")
    assert kept["city"].tolist() == ["Seattle, WA", "Portland, OR", "San Francisco, CA"] and "name" not in kept.columns

    root = copy(d / "all-data-types.csv", tmp_path / "data2")
    more = "  - {id: some_int, role: attribute, type: count}\n  - {id: some_decimal, role: attribute, type: number}\n  - {id: some_date, role: attribute, type: date}\n  - {id: some_barcode, role: attribute}\n"
    run = end_to_end(root, tmp_path / "build2", capsys, form=None, instrument="odk", files=[{"file": "all-data-types.csv"}], codebook_text=ODK_CODEBOOK.format(instrument="odk", more=more))
    assert (run.read, run.kept) == (1, 1)
    kept = pd.read_parquet(tmp_path / "build2" / "responses" / "odk.parquet")
    assert kept["some_barcode"].tolist() == ["000049499094"] and kept["some_decimal"].tolist() == [123.456]


def test_odk_central_rows_that_leave_out_empty_trailing_fields_are_short_rows(tmp_path, capsys):
    # No public export with such rows was found: the real file with its last field
    # (FormVersion) emptied and left out, as ODK Central writes it.
    d = REAL / "odk_central_backend_briefcase"
    text = (d / "structuredform.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    lines[2] = lines[2].rsplit(",", 1)[0]  # Bob's row: 15 of 16 values
    root = tmp_path / "data"
    root.mkdir()
    (root / "short.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    more = "  - {id: name, role: personal}\n  - {id: city, role: attribute}\n"
    run = end_to_end(root, tmp_path / "build", capsys, form=None, instrument="odk", files=[{"file": "short.csv"}], codebook_text=ODK_CODEBOOK.format(instrument="odk", more=more))
    assert (run.read, run.kept) == (3, 3) and run.reasons() == {}


def test_odk_central_rhomis_export_and_its_repeat_table(tmp_path, capsys):
    d = REAL / "odk_central_rhomis_demo"
    root = copy(d / "dec-demo.csv", tmp_path / "data")
    copy(d / "dec-demo-hh_pop_repeat.csv", root)
    more = (
        "  - {id: respondentsex, role: grouping, choices: [F, M, no_answer]}\n"
        "  - {id: count_people, role: attribute, type: count}\n"
        "  - {id: region, role: attribute}\n"
        "  - {id: education_level, role: attribute, choices: [No_school, primary, secondary, postsecondary, no_answer]}\n"
    )
    codebook = ODK_CODEBOOK.format(instrument="rhomis", more=more)
    run = end_to_end(root, tmp_path / "build", capsys, form=None, instrument="rhomis", files=[{"file": "dec-demo.csv"}], codebook_text=codebook)
    assert run.codes == {"ingest": 0, "analyse": 0} and (run.read, run.kept) == (10, 10)
    kept = pd.read_parquet(tmp_path / "build" / "responses" / "rhomis.parquet")
    assert kept["count_people"].tolist()[:3] == [474.0, 491.0, 864.0]
    run = end_to_end(root, tmp_path / "build2", capsys, form=None, instrument="rhomis", files=[{"file": "dec-demo-hh_pop_repeat.csv"}], codebook_text=codebook)
    assert run.codes["ingest"] == 2 and "is the table of a repeat group" in run.err


# -- Google Forms and LimeSurvey -------------------------------------------------------


def test_google_forms_month_first_timestamps(tmp_path, capsys):
    root = copy(REAL / "gforms_autistica" / "responses.csv", tmp_path / "data")
    codebook = """
instrument: autistica
design: cross_section
fields:
  - {id: submission_time, role: submission_time, column: Timestamp, required: true}
  - {id: consent, role: attribute, choices: ["Yes", "No"], required: true, aliases: ["I understand that the information I provide in this form will be made publicly available."]}
  - {id: needs, role: personal, aliases: ["Q1: What information would you like us to know about your needs, priorities, desires and concerns for the citizen science platform?"]}
response_scales:
  yesno: {values: [0, 1], labels: {0: "No", 1: "Yes"}}
items:
  - {id: use, response_scale: yesno, aliases: ["Q3: Can we use the information above to inform how we design and build the platform?"]}
"""
    run = end_to_end(root, tmp_path / "build", capsys, form=None, instrument="autistica", files=[{"file": "responses.csv"}], codebook_text=codebook)
    assert run.codes == {"ingest": 0, "analyse": 0}
    assert (run.read, run.kept) == (42, 42) and run.reasons() == {}
    assert "dates read month first, as '8/21/2019 13:10:31' shows" in run.err
    kept = pd.read_parquet(tmp_path / "build" / "responses" / "autistica.parquet")
    assert str(kept["submission_time"].iloc[0]) == "2019-08-21 13:10:31"
    # A one-off survey: its scored item gets a level row (Google Forms writes the label
    # 'Yes', read as the code 1); all 42 agreed, so the interval is the point itself.
    (row,) = run.indicators.loc[run.indicators["indicator_id"] == "autistica.use.level"].to_dict("records")
    assert row["analysis"] == "level" and row["group_by"] == "consortium" and row["n_pre"] == 42
    assert (row["mean_pre"], row["sd_pre"], row["ci_low"], row["ci_high"], row["df"]) == (1.0, 0.0, 1.0, 1.0, 41.0)


def test_limesurvey_remote_control_export(tmp_path, capsys):
    root = copy(REAL / "limesurvey_pulsemanager_rc2" / "mock_get_ls_data_export_responses.csv", tmp_path / "data", "responses.csv")
    items = "\n".join(f"  - {{id: vis{k}, column: 'q1[vis{k}]', response_scale: agree5}}" for k in range(1, 8))
    codebook = f"""
instrument: pulse
design: cross_section
fields:
  - {{id: submission_id, role: submission_id, column: id}}
  - {{id: submission_time, role: submission_time, column: submitdate}}
  - {{id: AgeGroup, role: grouping, choices: ["1", "2", "3", "4", "5", "6"]}}
  - {{id: Gender, role: grouping, choices: ["1", "2", "3"]}}
response_scales:
  agree5: {{values: {{min: 1, max: 5}}}}
items:
{items}
scales:
  - {{id: vision, items: [vis1, vis2, vis3, vis4, vis5, vis6, vis7]}}
"""
    run = end_to_end(root, tmp_path / "build", capsys, form=None, instrument="pulse", files=[{"file": "responses.csv"}], codebook_text=codebook)
    assert run.codes == {"ingest": 0, "analyse": 0}
    assert (run.read, run.kept) == (1, 1) and "LimeSurvey export" in run.err
    kept = pd.read_parquet(tmp_path / "build" / "responses" / "pulse.parquet")
    assert kept["vision"].tolist() == [1.0]


# -- forms without an export -------------------------------------------------------------


@pytest.mark.parametrize("form", ["unhcr_koboloader/form.xls", "ruodk_choicefilter/I8n_lang_choicefilter.xlsx"])
def test_forms_without_an_export_import_to_a_codebook_that_loads(form, tmp_path, capsys):
    out = tmp_path / "cb.yaml"
    assert main(["import-form", str(REAL / form), "--out", str(out)]) == 0
    cb = load_codebook(out)
    printed = capsys.readouterr().out
    assert "decided: design cross_section" in printed
    if form.startswith("unhcr"):
        # 414 survey rows, 124 with skip logic: kept where it can be evaluated
        assert sum(1 for f in (*cb.fields, *cb.items) if f.relevant) > 100
        assert "allow_choice_duplicates" in printed and "'labelReport' is not an XLSForm column" in printed
        assert not any(s for s in cb.scales)  # its groups are sections of a questionnaire, not scales
