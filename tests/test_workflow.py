"""The ingest and analyse stages on the bundled example and on tiny fixtures."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.example.community import PLANTED as COMMUNITY_PLANTED
from pipeline.example.framework import PLANTED as FRAMEWORK_PLANTED
from pipeline.workflow import analyse, ingest, ingest_folder

PLANTED = {**COMMUNITY_PLANTED, **FRAMEWORK_PLANTED}  # every file of the bundled example


@pytest.fixture(scope="module")
def example_result():
    from pipeline.config import EXAMPLE_DIR

    return ingest_folder(EXAMPLE_DIR, key=b"module-key")


def test_example_quarantine_counts_are_exactly_the_planted_ones(example_result):
    q = example_result.quarantine
    found = {name: g.groupby("reason")["source_row"].nunique().to_dict() for name, g in q.groupby("source_file")}
    assert found == PLANTED


def test_every_row_is_accounted_for(example_result):
    rec = example_result.reconciliation
    assert (rec["rows_read"] == rec["rows_kept"] + rec["rows_quarantined"]).all()
    assert rec["rows_quarantined"].sum() == sum(sum(v.values()) for v in PLANTED.values())


def test_no_personal_data_passes_ingestion(example_result):
    from pipeline.config import EXAMPLE_DIR

    raw = pd.read_csv(EXAMPLE_DIR / "community_attitudes_pre.csv", dtype=str, keep_default_na=False)
    kept = example_result.responses["community_attitudes"]
    assert not {"full_name", "phone", "comment"} & set(kept.columns)
    text = kept.astype(str).to_csv() + example_result.quarantine.to_csv()
    for value in raw["full_name"].loc[raw["full_name"] != ""].head(50):
        assert value not in text
    for value in raw.loc[raw["respondent_id"] != "", "respondent_id"].head(50):
        assert value not in text
    # the self-generated codes of the anonymous partner are used for matching, then dropped
    assert not {"code_mother", "code_birth_month", "code_house", "code_birthplace"} & set(kept.columns)
    assert kept["respondent_id"].notna().all() and kept["respondent_id"].str.fullmatch(r"[0-9a-f]{16}").all()


def test_country_comes_from_the_registry(example_result):
    kept = example_result.responses["community_attitudes"]
    assert kept.groupby("partner")["country"].unique().map(list).to_dict() == {
        "DE-LEI": ["DE"],
        "ES-VAL": ["ES"],
        "GR-THE": ["GR"],
        "IT-PAL": ["IT"],
        "PT-LIS": ["PT"],
    }


def test_same_input_same_output_byte_for_byte(tiny_folder, tmp_path):
    outs = []
    for k in range(2):
        build = tmp_path / f"build{k}"
        ingest(tiny_folder, build)
        analyse(build)
        outs.append(build)
    for rel in ("indicators.csv", "quarantine.csv", "reconciliation.csv", "responses/community_attitudes.parquet", "run.json"):
        assert (outs[0] / rel).read_bytes() == (outs[1] / rel).read_bytes(), rel


def test_inputs_are_named_relative_to_the_data_folder_wherever_the_run_starts(tiny_folder, tmp_path, monkeypatch):
    """run.json (and so the published manifest and provenance table) names each input
    relative to the data folder, the repository's codebooks as surveys/..., never by an
    absolute path of the machine, and alike whichever folder the run was started from."""
    import json

    keys = []
    for k, cwd in enumerate((tmp_path, tiny_folder)):
        monkeypatch.chdir(cwd)
        build = tmp_path / f"build{k}"
        ingest(tiny_folder, build)
        keys.append(sorted(json.loads((build / "run.json").read_text(encoding="utf-8"))["inputs"]))
    assert keys[0] == keys[1]
    assert "community_attitudes_post.csv" in keys[0]
    assert not any(k.startswith("/") or ".." in k for k in keys[0]), keys[0]


def test_a_failed_ingest_leaves_the_last_good_build(tiny_folder, tmp_path):
    from pipeline.errors import InputError

    build = tmp_path / "build"
    ingest(tiny_folder, build)
    analyse(build)
    before = {p.name: p.read_bytes() for p in build.glob("*.csv")}
    (tiny_folder / "community_attitudes_post.csv").write_text("only,two\ncolumns,here\n", encoding="utf-8")
    with pytest.raises(InputError):
        ingest(tiny_folder, build)
    assert {p.name: p.read_bytes() for p in build.glob("*.csv")} == before
    assert not list(tmp_path.glob(".build.staging-*"))


def test_indicators_of_the_example_find_the_planted_effects(tmp_path):
    from pipeline.config import EXAMPLE_DIR

    build = tmp_path / "b"
    ingest(EXAMPLE_DIR, build)
    table = analyse(build)
    table = table.loc[table["result_id"].isna()]  # the instrument's statistics, not the results framework's rows
    part = table.loc[(table["group_by"] == "partner") & (table["analysis"] == "paired_change")].set_index(["scale", "group"])
    # planted: DE-LEI has no true change in attitudes; ES-VAL and GR-THE the largest
    assert part.loc[("attitudes", "DE-LEI"), "ci_low"] < 0 < part.loc[("attitudes", "DE-LEI"), "ci_high"]
    assert part.loc[("attitudes", "ES-VAL"), "ci_low"] > 0
    assert part.loc[("knowledge", "GR-THE"), "ci_low"] > 0
    cons = table.loc[(table["group_by"] == "consortium") & (table["analysis"] == "paired_change")]
    assert (cons["effect_size_type"] == "d_z").all()
    assert cons["n_paired"].min() > 600
    # planted comparison group at ES-VAL and GR-THE with a small general trend only
    # (pipeline.example.community.COMPARISON_EFFECTS): the difference in differences is positive
    # where the partner's planted effect is large, and it is computed there only.
    did = table.loc[table["analysis"] == "diff_in_diff"]
    assert set(did.loc[did["group_by"] == "partner", "group"]) == {"ES-VAL", "GR-THE"}
    did = did.set_index(["scale", "group"])
    assert did.loc[("attitudes", "ES-VAL"), "ci_low"] > 0 and did.loc[("knowledge", "all"), "ci_low"] > 0
    assert did.loc[("attitudes", "all"), "note"] == "partners with a comparison group: ES-VAL, GR-THE (2 of 5 partners; the participants compared are theirs only)"


def test_bad_input_reaches_indicators_csv_as_reasons_not_crashes(clean_folder, tmp_path):
    """NaN everywhere for one scale, a partner with a single pair: empty statistics with a note."""
    att = ["att_economy", "att_culture", "att_place", "att_jobs"]
    path = clean_folder / "community_attitudes_post.csv"
    post = pd.read_csv(path, dtype=str, keep_default_na=False)
    post[att] = ""  # nobody answered the attitude items after the activities
    post.to_csv(path, index=False, lineterminator="\n")
    build = tmp_path / "b"
    ingest(clean_folder, build)
    analyse(build)
    table = pd.read_csv(build / "indicators.csv", keep_default_na=True)
    row = table.loc[(table["indicator_id"] == "community_attitudes.attitudes.change") & (table["group_by"] == "consortium")].iloc[0]
    assert row["n_paired"] == 0 and pd.isna(row["mean_change"]) and pd.isna(row["t"]) and pd.isna(row["p_value_adjusted"])
    assert "no complete pairs" in row["note"]
    did = table.loc[(table["indicator_id"] == "community_attitudes.attitudes.diff_in_diff") & (table["group_by"] == "consortium")].iloc[0]
    assert pd.isna(did["mean_change"]) and "fewer than 2 people" in did["note"]
    rel = pd.read_csv(build / "reliability.csv")
    post_rel = rel.loc[(rel["scale"] == "attitudes") & (rel["wave"] == "post") & (rel["group_by"] == "all")].iloc[0]
    assert pd.isna(post_rel["alpha"]) and "fewer than 2 respondents" in post_rel["note"]
