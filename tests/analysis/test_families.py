"""One family, one adjustment (issue 11, section 2): every published p-value belongs to a
named family and is Holm-adjusted within it, a results-framework row that repeats an
instrument's test carries that test's adjusted p-value, and the Wilcoxon p-values are
adjusted too. Holm's values are checked against statsmodels' multipletests with the
method named (R's p.adjust(p, "holm")) and against a family adjusted by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

from pipeline.analysis import families
from pipeline.analysis.framework import compute, parse_framework
from pipeline.analysis.indicators import instrument_tests
from pipeline.config import EXAMPLE_DIR, SURVEYS_DIR
from pipeline.instruments.registry import load_consortium
from pipeline.workflow import analyse, ingest
from tests.analysis.test_indicators import CB, _scored

CONS = load_consortium(SURVEYS_DIR / "consortium.yaml")
PARTICIPANTS = [{"column": "took_part", "op": "!=", "value": "comparison"}]


@pytest.fixture(scope="module")
def example_indicators(tmp_path_factory):
    out = tmp_path_factory.mktemp("example-build")
    ingest(EXAMPLE_DIR, out)
    return analyse(out)


def _framework(*measures, where=PARTICIPANTS):
    inds = [
        {
            "id": f"fw_{m}",
            "name": m,
            "definition": "d",
            "instrument": "community_attitudes",
            "formula": {"aggregation": "mean_change", "measure": m, "from": "pre", "to": "post", **({"where": where} if where else {})},
            "unit": "u",
            "target": 0.5,
            "status_rule": "once",
            "disaggregations": ["partner"],
        }
        for m in measures
    ]
    doc = {"status_rules": {"once": {"kind": "threshold", "description": "x"}}, "results": [{"id": "R", "result": "r", "indicators": inds}]}
    return parse_framework(doc, "fw.yaml", (SURVEYS_DIR,))


def test_hand_worked_family():
    # Holm by hand: p = 0.01, 0.04, 0.03 (m = 3) -> sorted 0.01*3 = 0.03, 0.03*2 = 0.06, 0.04*1 = 0.04 -> running max 0.06
    t = pd.DataFrame(
        {
            "instrument": "x",
            "analysis": "paired_change",
            "wave_from": "pre",
            "wave_to": "post",
            "group_by": "partner",
            "group": ["a", "b", "c"],
            "scale": "s",
            "n_paired": 10,
            "p_value": [0.01, 0.04, 0.03],
            "wilcoxon_p_value": [0.02, 0.5, 0.01],
        }
    )
    (out,) = families.adjust(t)
    assert out["p_value_adjusted"].tolist() == pytest.approx([0.03, 0.06, 0.06])
    assert out["wilcoxon_p_value_adjusted"].tolist() == pytest.approx([0.04, 0.5, 0.03])
    assert out["significant_adjusted"].tolist() == [True, False, False]
    assert (out["p_adjust_family"] == "x paired_change pre -> post tests by partner (3 tests)").all()


def test_framework_row_repeating_an_instrument_test_carries_its_adjusted_p():
    scored = _scored(n_part=60, n_comp=20, seed=3)
    tests = instrument_tests(scored, CB, min_cell=5)
    fw = _framework("attitudes", "intentions")
    rows = compute(fw, {"community_attitudes": scored}, CONS, 5, tests=tests)
    adjusted, _ = families.adjust(tests, rows)
    inst = adjusted.loc[adjusted["analysis"].eq("paired_change")].set_index(["scale", "group_by", "group"])
    fam = inst.xs("partner", level="group_by")
    # the instrument's family by partner: every scale x partner, Holm as R's p.adjust
    expected = multipletests(fam["p_value"].to_numpy(), method="holm")[1]
    assert fam["p_value_adjusted"].to_numpy() == pytest.approx(expected)
    assert fam["wilcoxon_p_value_adjusted"].to_numpy() == pytest.approx(multipletests(fam["wilcoxon_p_value"].to_numpy(), method="holm")[1])
    for _, r in rows.loc[rows["p_value"].notna()].iterrows():
        twin = inst.loc[(r["scale"], r["group_by"], r["group"])]
        assert r["p_value"] == pytest.approx(twin["p_value"], rel=1e-9)
        assert r["p_value_adjusted"] == twin["p_value_adjusted"]  # the same test, the same adjusted p
        assert r["wilcoxon_p_value_adjusted"] == twin["wilcoxon_p_value_adjusted"]
        assert r["p_adjust_family"] == twin["p_adjust_family"]
    # the framework's repeats are not counted twice: 4 scales at consortium level
    assert rows.loc[rows["group_by"] == "consortium", "p_adjust_family"].str.endswith("(4 tests)").all()


def test_a_framework_test_without_a_twin_joins_its_family():
    scored = _scored(n_part=60, n_comp=20, seed=3)
    tests = instrument_tests(scored, CB, min_cell=5)
    # no `where`: participants and the comparison group together, a test the instrument rows do not run
    rows = compute(_framework("attitudes", where=None), {"community_attitudes": scored}, CONS, 5, tests=tests)
    adjusted, rows = families.adjust(tests, rows)
    cons = rows.loc[rows["group_by"] == "consortium"].iloc[0]
    assert cons["n_paired"] == 80 and cons["p_adjust_family"].endswith("(5 tests)")
    fam = adjusted.loc[adjusted["analysis"].eq("paired_change") & adjusted["group_by"].eq("consortium")]
    p = np.append(fam["p_value"].to_numpy(), cons["p_value"])
    expected = multipletests(p, method="holm")[1]
    assert cons["p_value_adjusted"] == pytest.approx(expected[-1])
    assert fam["p_value_adjusted"].to_numpy() == pytest.approx(expected[:-1])


def test_every_published_p_value_of_the_example_is_adjusted(example_indicators):
    t = example_indicators
    for col, adj in (("p_value", "p_value_adjusted"), ("wilcoxon_p_value", "wilcoxon_p_value_adjusted")):
        has = t[col].notna()
        assert has.any() and t.loc[has, adj].notna().all(), col
        assert (t.loc[has, "p_adjust_method"] == "holm").all() and t.loc[has, "p_adjust_family"].str.contains("tests by").all()
    assert t.loc[t["p_value_adjusted"].notna(), "significant_adjusted"].notna().all()


def test_the_family_is_defined_in_the_methods_registry():
    from pipeline.stats import METHODS

    notes = METHODS["adjust_p"]["notes"]
    assert "A family is one instrument, one kind of test" in notes and "Each test counts once" in notes and "Wilcoxon" in notes
    assert families.DEFINITION in notes
