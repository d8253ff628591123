"""Every published table of the example run: no cell describes fewer people than the minimum."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.analysis.framework import load_framework
from pipeline.config import EXAMPLE_DIR
from pipeline.workflow import analyse, ingest

#: Columns that count people, in any output table.
PEOPLE_COUNTS = ("n_pre", "n_post", "n_paired", "n_people")


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    out = tmp_path_factory.mktemp("example-build")
    ingest(EXAMPLE_DIR, out)
    analyse(out)
    return out


def test_no_published_cell_describes_fewer_people_than_the_minimum(build):
    import json

    k = json.loads((build / "run.json").read_text())["min_cell"]
    tables = sorted(build.glob("*.csv"))
    assert {p.name for p in tables} >= {"indicators.csv", "results_framework.csv"}
    checked = 0
    for path in tables:
        if path.name in ("quarantine.csv", "reconciliation.csv"):
            continue  # rows of files (not people described), published for data quality
        t = pd.read_csv(path)
        for col in PEOPLE_COUNTS:
            if col in t.columns:
                x = pd.to_numeric(t[col], errors="coerce")
                small = x.notna() & (x > 0) & (x < k)
                assert not small.any(), f"{path.name}: {col} below {k} in rows {list(t.index[small])}"
                checked += int(x.notna().sum())
        if "n" in t.columns and "n_unit" in t.columns:  # n counts people where its unit is people
            people = t["n_unit"].eq("people")
            x = pd.to_numeric(t.loc[people, "n"], errors="coerce")
            assert not ((x > 0) & (x < k)).any(), path.name
        if "suppressed" in t.columns:  # a hidden row shows no number, never 0
            hidden = t.loc[t["suppressed"].astype(bool)]
            numbers = [c for c in ("value", "mean_change", "n", *PEOPLE_COUNTS) if c in t.columns]
            assert hidden[numbers].isna().all().all(), path.name
    assert checked > 500


def test_every_result_and_indicator_is_in_the_outputs(build):
    fw = load_framework(EXAMPLE_DIR.parent / "indicators.yaml")
    res = pd.read_csv(build / "results_framework.csv")
    assert list(dict.fromkeys(res["result_id"])) == [r.id for r in fw.results]
    assert set(res["indicator_id"].dropna()) == {i.id for i in fw.indicators}
    assert set(res["status"]) <= {"achieved", "on track", "off track", "no data", "qualitative"}
    ind = pd.read_csv(build / "indicators.csv")
    fw_rows = ind.loc[ind["result_id"].notna()]
    assert set(fw_rows["indicator_id"]) == {i.id for i in fw.indicators}
    cons = fw_rows.loc[fw_rows["group_by"] == "consortium"]
    assert cons[["target", "status", "instrument"]].notna().all().all()
    # the community statistics rows are still there, without a result, and the one-off
    # feedback survey's level rows
    stats_rows = ind.loc[ind["result_id"].isna()]
    assert (stats_rows["indicator_id"].str.startswith("community_attitudes.") | stats_rows["analysis"].eq("level")).all()
    assert set(stats_rows.loc[stats_rows["analysis"].eq("level"), "instrument"]) == {"beneficiary_feedback"}


def test_the_planted_effects_come_out_as_statuses(build):
    res = pd.read_csv(build / "results_framework.csv").set_index("indicator_id")
    assert res.loc["meeting_attendance", "status"] == "off track"  # IT-PAL missed a meeting
    assert res.loc["meeting_attendance", "value"] == pytest.approx(19 / 20)
    assert res.loc["training_competence_gain", "status"] == "achieved"
    assert 0.6 < res.loc["training_competence_gain", "value"] < 1.1  # planted 0.9 on the latent scale
    assert res.loc["training_knowledge_gain", "value"] == pytest.approx(0.25, abs=0.08)  # planted 0.55 -> 0.80
    assert res.loc["capacity_change", "value"] == pytest.approx(0.57, abs=0.15)  # planted mean of domain gains
    ind = pd.read_csv(build / "indicators.csv")
    cap = ind.loc[(ind["indicator_id"] == "capacity_level") & (ind["group_by"] == "partner")].set_index("group")
    assert not cap["suppressed"].all()
    fb = ind.loc[(ind["indicator_id"] == "feedback_quality") & (ind["group_by"] == "partner")].set_index("group")
    assert fb.loc["IT-PAL", "value"] < fb.drop(index="IT-PAL")["value"].min()  # planted lower quality at IT-PAL
