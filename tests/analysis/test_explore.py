"""Analyst helpers on hand-worked fixtures: change on a subset, two groups' change,
publishing any table (attacked by subtraction), comparing two runs."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from pipeline.analysis.explore import change_table, compare_change, compare_runs, publish_table
from pipeline.errors import PipelineError
from pipeline.instruments.codebook import parse_codebook
from tests.attack import Reader

CODEBOOK = parse_codebook(
    {
        "instrument": "mini",
        "response_scales": {"l5": {"values": {"min": 1, "max": 5}}},
        "fields": [
            {"id": "rid", "role": "respondent_id"},
            {"id": "partner", "role": "partner"},
            {"id": "gender", "role": "grouping", "choices": ["female", "male"]},
        ],
        "items": [{"id": "q1", "response_scale": "l5"}, {"id": "q2", "response_scale": "l5"}],
        "scales": [{"id": "s1", "items": ["q1"], "reliability": 0.8}, {"id": "s2", "items": ["q2"], "reliability": 0.8}],
    },
    "mini.yaml",
)
# partner A: s1 changes [1, 2, 0, 1, 1, 1], s2 changes [0, 1, 0, 0, 1, 0]; partner B: s1 changes [0, 0, 1, 0, 0, 1]
PRE_A1, POST_A1 = [2, 3, 3, 4, 2, 3], [3, 5, 3, 5, 3, 4]
PRE_A2, POST_A2 = [3, 3, 4, 2, 2, 3], [3, 4, 4, 2, 3, 3]
PRE_B1, POST_B1 = [1, 5, 1, 5, 3, 3], [1, 5, 2, 5, 3, 4]


def _frame() -> pd.DataFrame:
    rows = []
    for k in range(6):
        g = "female" if k < 3 else "male"
        rows.append({"respondent_id": f"a{k}", "wave": "pre", "partner": "A", "gender": g, "s1": PRE_A1[k], "s2": PRE_A2[k]})
        rows.append({"respondent_id": f"a{k}", "wave": "post", "partner": "A", "gender": g, "s1": POST_A1[k], "s2": POST_A2[k]})
        rows.append({"respondent_id": f"b{k}", "wave": "pre", "partner": "B", "gender": g, "s1": PRE_B1[k], "s2": 3})
        rows.append({"respondent_id": f"b{k}", "wave": "post", "partner": "B", "gender": g, "s1": POST_B1[k], "s2": 3})
    out = pd.DataFrame(rows)
    out["q1"], out["q2"] = out["s1"], out["s2"]
    out[["s1", "s2"]] = out[["s1", "s2"]].astype(float)
    return out


# ----------------------------------------------------------------------------- change_table
def test_change_on_a_subset_is_hand_worked_and_named():
    t = change_table(_frame(), CODEBOOK, min_cell=5, where={"partner": "A"})
    s1 = t.query("scale == 's1'").iloc[0]
    # changes 1, 2, 0, 1, 1, 1: mean 1, SD sqrt(0.4), SE sqrt(0.4 / 6); R: qt(0.975, 5) = 2.570582
    se = math.sqrt(0.4 / 6)
    assert s1["n_paired"] == 6 and s1["mean_change"] == pytest.approx(1.0)
    assert (s1["ci_low"], s1["ci_high"]) == pytest.approx((1 - 2.570582 * se, 1 + 2.570582 * se), abs=1e-6)
    assert s1["t"] == pytest.approx(1 / se) and s1["p_value"] == pytest.approx(0.0117248, abs=1e-6)
    # the subset names its rows, not "consortium"
    assert set(t["group_by"]) == {"subset"} and set(t["group"]) == {"partner = A"} and set(t["subset"]) == {"partner = A"}
    # Holm over the table's 2 tests: p(s1) = 0.0117248 -> 2 x; p(s2) = 0.1746878 stays (it is larger)
    s2 = t.query("scale == 's2'").iloc[0]
    assert s2["p_value"] == pytest.approx(0.1746878, abs=1e-6)
    assert s1["p_value_adjusted"] == pytest.approx(2 * 0.0117248, abs=1e-6) and s2["p_value_adjusted"] == pytest.approx(0.1746878, abs=1e-6)
    assert s1["p_adjust_family"] == "partner = A: mini paired_change pre -> post tests by subset (2 tests)" and s1["p_adjust_method"] == "holm"


def test_subset_keeps_the_consortium_yardstick_unless_told():
    frame = _frame()
    # S_diff = sqrt(2) * SD_pre * sqrt(1 - 0.8); SD_pre of s1 over all 12 participants vs partner A's 6
    sd_all, sd_a = np.std(PRE_A1 + PRE_B1, ddof=1), np.std(PRE_A1, ddof=1)
    consortium = change_table(frame, CODEBOOK, 5, where={"partner": "A"}, scales="s1")
    own = change_table(frame, CODEBOOK, 5, where={"partner": "A"}, scales="s1", yardstick="subset")
    assert f"{math.sqrt(2) * sd_all * math.sqrt(0.2):.4g}" in consortium.at[0, "reliable_change_method"]
    assert f"{math.sqrt(2) * sd_a * math.sqrt(0.2):.4g}" in own.at[0, "reliable_change_method"]
    assert consortium.at[0, "rc_yardstick"].startswith("consortium") and own.at[0, "rc_yardstick"] == "subset (partner = A)"


def test_breakdown_within_a_subset_is_suppressed_when_small():
    t = change_table(_frame(), CODEBOOK, 5, where="partner == 'A'", by="gender", scales=["s1"])
    by = t.query("group_by == 'gender'")
    assert sorted(by["group"]) == ["female", "male"] and by["suppressed"].all() and by["mean_change"].isna().all()
    assert t.query("group_by == 'subset'")["group"].item() == "partner == 'A'"


def test_bad_arguments_are_named():
    with pytest.raises(PipelineError, match="no column 'town'"):
        change_table(_frame(), CODEBOOK, 5, where={"town": "x"})
    with pytest.raises(PipelineError, match="no scale"):
        change_table(_frame(), CODEBOOK, 5, scales=["nope"])
    with pytest.raises(PipelineError, match="two of the codebook's waves"):
        change_table(_frame(), CODEBOOK, 5, waves=("pre", "later"))


# ----------------------------------------------------------------------------- compare_change
def test_compare_change_hand_worked_and_against_scipy_welch():
    c = compare_change(_frame(), CODEBOOK, "s1", by="partner", groups=("A", "B"), min_cell=5).iloc[0]
    # A: mean 1, var 0.4; B: changes 0,0,1,0,0,1: mean 1/3, var 4/15; SE = sqrt(0.4/6 + (4/15)/6) = 1/3, t = 2
    assert (c["n_a"], c["n_b"]) == (6, 6)
    assert c["difference"] == pytest.approx(2 / 3) and c["t"] == pytest.approx(2.0)
    a = np.array(POST_A1) - np.array(PRE_A1)
    b = np.array(POST_B1) - np.array(PRE_B1)
    ref = sps.ttest_ind(a, b, equal_var=False)
    lo, hi = ref.confidence_interval(0.95)
    assert c["p_value"] == pytest.approx(ref.pvalue) and c["df"] == pytest.approx(ref.df)
    assert (c["ci_low"], c["ci_high"]) == pytest.approx((lo, hi))
    assert c["effect_size_type"].startswith("Hedges' g")


def test_compare_change_within_a_subset_suppresses_small_groups():
    c = compare_change(_frame(), CODEBOOK, "s1", by="gender", groups=("female", "male"), min_cell=5, where={"partner": "A"}).iloc[0]
    assert c["suppressed"] and math.isnan(c["difference"]) and "fewer than 5 pairs" in c["note"]
    with pytest.raises(PipelineError, match="no paired participants in group"):
        compare_change(_frame(), CODEBOOK, "s1", by="gender", groups=("female", "other"), min_cell=5)


# ----------------------------------------------------------------------------- publish_table
def _read(table: pd.DataFrame, n: str = "n") -> Reader:
    """What a reader of the published table knows: each shown count, and that the groups add up."""
    reader = Reader()
    groups = [g for g in table["group"] if g != "all"]
    for _, r in table.iterrows():
        if pd.notna(r[n]):
            reader.read(("n", r["group"]), float(r[n]))
        if "share_yes" in table.columns and pd.notna(r["share_yes"]) and pd.notna(r[n]):
            reader.read(("yes", r["group"]), float(r["share_yes"]) * float(r[n]))
            reader.read(("no", r["group"]), (1 - float(r["share_yes"])) * float(r[n]))
    reader.add_sum(("n", "all"), [("n", g) for g in groups], "groups to total")
    if "share_yes" in table.columns:
        reader.add_sum(("yes", "all"), [("yes", g) for g in groups], "yes to total")
        reader.add_sum(("no", "all"), [("no", g) for g in groups], "no to total")
        for g in [*groups, "all"]:
            reader.add_sum(("n", g), [("yes", g), ("no", g)], f"row {g}")
    return reader


def _drawn(counts, yes=None) -> pd.DataFrame:
    rows = [{"group": "all", "n": sum(counts), "mean": 3.0, "note": ""}]
    rows += [{"group": f"g{i}", "n": c, "mean": 3.0 + i / 10, "note": f"{c} answered"} for i, c in enumerate(counts)]
    t = pd.DataFrame(rows)
    if yes is not None:
        t["n_yes"] = [sum(yes), *yes]
        t["share_yes"] = t["n_yes"] / t["n"]
    return t


def test_the_attack_finds_what_a_raw_table_gives_away():
    raw = _drawn([20, 17, 3]).assign(n=lambda t: t["n"].where(t["group"] != "g2"))  # only the small row hidden
    assert any("g2" in f for f in _read(raw).run(5))


def test_published_table_survives_subtraction():
    out = publish_table(_drawn([20, 17, 3]), "n", min_cell=5, total={"group": "all"})
    assert out.set_index("group")["suppression"].to_dict() == {"all": "", "g0": "", "g1": "secondary", "g2": "primary"}
    assert _read(out).run(5) == []
    assert out.loc[out["group"] == "g2", "mean"].isna().all() and not out["note"].str.contains("3 answered").any()


def test_shares_within_rows_and_notes():
    out = publish_table(_drawn([20, 30, 25], yes=[18, 10, 12]), "n", min_cell=5, total={"group": "all"}, shares={"share_yes": "n_yes"})
    assert "n_yes" not in out.columns and not out["suppressed"].any()
    # g0: 2 said no -> hidden; then the total's shares would give it back: another row's share goes too
    assert pd.isna(out.loc[out["group"] == "g0", "share_yes"]).all()
    assert out["share_yes"].isna().sum() >= 2
    assert _read(out).run(5) == []
    notes = out.set_index("group")["note"]
    assert notes["g2"] == "25 answered"  # no number below 5, nothing hidden: kept
    assert notes["g0"].startswith("share_yes hidden: fewer than 5 people")


@pytest.mark.parametrize("seed", range(40))
def test_drawn_tables_survive_subtraction(seed):
    rng = np.random.default_rng(seed)
    counts = [int(c) for c in rng.integers(0, 25, size=int(rng.integers(2, 6)))]
    yes = [int(rng.integers(0, c + 1)) for c in counts]
    out = publish_table(_drawn(counts, yes), "n", min_cell=5, total={"group": "all"}, shares={"share_yes": "n_yes"})
    assert _read(out).run(5) == [], out
    shown = pd.to_numeric(out["n"], errors="coerce")
    assert not ((shown > 0) & (shown < 5)).any()


def test_publish_names_missing_columns():
    with pytest.raises(PipelineError, match=r"no column\(s\) \['people'\]"):
        publish_table(_drawn([5, 6]), "people")


# ----------------------------------------------------------------------------- compare_runs
def _run(folder, rows, inputs, data_dir):
    folder.mkdir(parents=True)
    pd.DataFrame(rows).to_csv(folder / "indicators.csv", index=False)
    (folder / "run.json").write_text(json.dumps({"data_dir": data_dir, "inputs": inputs}), encoding="utf-8")
    return folder


def test_compare_runs(tmp_path):
    base = {"indicator_id": "x.s.change", "group_by": "consortium", "group": "all", "mean_change": 0.5, "value": np.nan, "status": np.nan, "suppressed": False}
    fw = {"indicator_id": "R1.1", "group_by": "consortium", "group": "all", "mean_change": np.nan, "value": 0.4, "status": "on_track", "suppressed": False}
    part = {"indicator_id": "x.s.change", "group_by": "partner", "group": "P1", "mean_change": 0.2, "value": np.nan, "status": np.nan, "suppressed": False}
    a = _run(tmp_path / "a", [base, fw, part], {"data/x_pre.csv": "1", "data/x_post.csv": "2", "surveys/x.yaml": "3"}, "data")
    b = _run(
        tmp_path / "b",
        [base, {**fw, "status": "off_track", "value": 0.3}, {**part, "mean_change": np.nan, "suppressed": True}],
        {"/elsewhere/export/x_pre.csv": "1", "/elsewhere/export/x_post.csv": "9", "/root/surveys/x.yaml": "3"},
        "/elsewhere/export",
    )
    out = compare_runs(a, b)
    ind = out["indicators"].set_index("indicator_id")
    assert list(ind.index) == ["R1.1", "x.s.change"]
    assert ind.loc["R1.1", "what"] == "value, status" and ind.loc["R1.1", "status_after"] == "off_track"
    assert ind.loc["x.s.change", "what"] == "mean_change, suppressed" and ind.loc["x.s.change", "group"] == "P1"
    # inputs keyed by file name in the data folder: only the changed export is listed
    assert out["inputs"].to_dict("records") == [{"file": "x_post.csv", "before": "2", "after": "9", "what": "changed"}]


def test_compare_runs_reads_report_folders_too(tmp_path):
    row = {"indicator_id": "x.s.change", "group_by": "consortium", "group": "all", "mean_change": 0.5, "suppressed": False}
    folders = []
    for name, digest, change in (("a", "1", 0.5), ("b", "2", 0.25)):
        folder = tmp_path / name
        folder.mkdir()
        pd.DataFrame([{**row, "mean_change": change}]).to_csv(folder / "indicators.csv", index=False)
        manifest = {"inputs": {f"/runs/{name}/data/x_pre.csv": digest}, "parameters": {"data_dir": f"/runs/{name}/data"}}
        (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        folders.append(folder)
    out = compare_runs(*folders)
    assert out["indicators"]["what"].tolist() == ["mean_change"]
    assert out["inputs"]["file"].tolist() == ["x_pre.csv"]
