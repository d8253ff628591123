"""Real data nobody here wrote: Murrar & Brauer (2018), through the whole pipeline.

The data stay outside the repository (``../shared/data/murrar.csv``; source and reference in ``surveys/murrar/murrar.yaml``);
where that folder is absent the tests say so and are skipped. Each expected value is
computed here directly with scipy from the CSV file, independently of the pipeline.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from scipy import stats as sps

from pipeline.config import ROOT, SURVEYS_DIR
from pipeline.workflow import analyse, ingest

DATA = ROOT.parent / "shared" / "data"
MANIFEST = SURVEYS_DIR / "murrar" / "datasets.yaml"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def raw():
    path = DATA / "murrar.csv"
    if not path.is_file():
        pytest.skip(f"reference data absent: {path} not found (../shared/data is provided in CI, not in the repository)")
    return pd.read_csv(path)


@pytest.fixture(scope="module")
def table(raw, tmp_path_factory):
    import os

    os.environ.setdefault("IMPACT_PSEUDONYM_KEY", "module-key-not-secret-0123456789abcdef")
    build = tmp_path_factory.mktemp("murrar") / "build"
    result = ingest(DATA, build, manifest=MANIFEST)
    rec = result.reconciliation.iloc[0]
    assert (rec["rows_read"], rec["rows_kept"], rec["rows_quarantined"]) == (193, 193, 0)
    table = analyse(build).set_index(["indicator_id", "group_by"])
    table.attrs["build"] = build
    return table


def _changes(raw, condition, before="arab_t0", after="arab_t1"):
    both = raw.loc[raw["condition"] == condition].dropna(subset=[before, after])
    return both[before], both[after]


def test_change_in_the_treatment_group(raw, table):
    pre, post = _changes(raw, 1)
    ref = sps.ttest_rel(post, pre)  # R: t.test(arab_t1, arab_t0, paired = TRUE) for condition 1
    ci = ref.confidence_interval(0.95)
    row = table.loc[("murrar.warmth_arab.change", "consortium")]
    assert row["n_paired"] == len(pre) == 86
    assert row["mean_change"] == pytest.approx((post - pre).mean(), rel=1e-12)
    assert row["t"] == pytest.approx(ref.statistic, rel=1e-10)
    assert row["p_value"] == pytest.approx(ref.pvalue, rel=1e-8)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((ci.low, ci.high), rel=1e-10)
    assert row["effect_size"] == pytest.approx((post - pre).mean() / (post - pre).std(ddof=1), rel=1e-10)
    w = sps.wilcoxon(post, pre, zero_method="wilcox", correction=True, method="asymptotic")  # R's rule with ties/zeros
    assert row["wilcoxon_p_value"] == pytest.approx(w.pvalue, rel=1e-10)


def test_change_in_the_control_group(raw, table):
    pre, post = _changes(raw, 0)
    ref = sps.ttest_rel(post, pre)
    ci = ref.confidence_interval(0.95)
    row = table.loc[("murrar.warmth_arab.comparison_change", "consortium")]
    assert row["n_paired"] == len(pre) == 87
    assert row["mean_change"] == pytest.approx((post - pre).mean(), rel=1e-12)
    assert row["t"] == pytest.approx(ref.statistic, rel=1e-10)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((ci.low, ci.high), rel=1e-10)


def test_difference_in_differences(raw, table):
    c1 = _changes(raw, 1)[1] - _changes(raw, 1)[0]
    c0 = _changes(raw, 0)[1] - _changes(raw, 0)[0]
    ref = sps.ttest_ind(c1, c0, equal_var=False)  # R: t.test(change ~ condition), Welch
    ci = ref.confidence_interval(0.95)
    row = table.loc[("murrar.warmth_arab.diff_in_diff", "consortium")]
    assert (row["n_paired"], row["n_comparison"]) == (len(c1), len(c0))
    assert row["mean_change"] == pytest.approx(c1.mean() - c0.mean(), rel=1e-12)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((ci.low, ci.high), rel=1e-10)
    assert row["p_value"] == pytest.approx(ref.pvalue, rel=1e-8)
    assert row["df"] == pytest.approx(ref.df, rel=1e-10)
    assert (row["change_participants"], row["change_comparison"]) == pytest.approx((c1.mean(), c0.mean()))
    # what the pipeline finds: warmth towards Arabs rose among those who watched the
    # intervention series and not in the control group, and the difference excludes zero
    assert row["ci_low"] > 0
    assert table.loc[("murrar.warmth_arab.comparison_change", "consortium"), "ci_low"] < 0


@pytest.mark.parametrize(
    ("before", "after", "suffix", "n"),
    [("arab_t0", "arab_t2", "pre_follow_up", 84), ("arab_t1", "arab_t2", "post_follow_up", 75)],
)
def test_change_to_the_follow_up_in_the_treatment_group(raw, table, before, after, suffix, n):
    pre, post = _changes(raw, 1, before, after)  # pairs with both values present
    ref = sps.ttest_rel(post, pre)  # R: t.test(arab_t2, arab_t0 (or arab_t1), paired = TRUE); later minus earlier
    ci = ref.confidence_interval(0.95)
    row = table.loc[(f"murrar.warmth_arab.change.{suffix}", "consortium")]
    assert (row["analysis"], row["wave_from"], row["wave_to"]) == ("paired_change", *suffix.split("_", 1))
    assert row["n_paired"] == len(pre) == n
    assert row["mean_change"] == pytest.approx((post - pre).mean(), rel=1e-12)
    assert row["t"] == pytest.approx(ref.statistic, rel=1e-10)
    assert row["df"] == ref.df == n - 1
    assert row["p_value"] == pytest.approx(ref.pvalue, rel=1e-8)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((ci.low, ci.high), rel=1e-10)
    assert row["effect_size"] == pytest.approx((post - pre).mean() / (post - pre).std(ddof=1), rel=1e-10)
    w = sps.wilcoxon(post, pre, zero_method="wilcox", correction=True, method="asymptotic")  # R's rule with ties/zeros
    assert row["wilcoxon_p_value"] == pytest.approx(w.pvalue, rel=1e-10)
    # one test per family (only warmth towards Arabs was asked at the follow-up): Holm leaves p as it is
    assert row["p_value_adjusted"] == pytest.approx(row["p_value"])
    assert row["p_adjust_family"] == f"murrar paired_change {row['wave_from']} -> {row['wave_to']} tests by consortium (1 tests)"


@pytest.mark.parametrize(("before", "suffix"), [("arab_t0", "pre_follow_up"), ("arab_t1", "post_follow_up")])
def test_change_to_the_follow_up_in_the_control_group_and_the_difference(raw, table, before, suffix):
    pre, post = _changes(raw, 0, before, "arab_t2")
    ref = sps.ttest_rel(post, pre)
    row = table.loc[(f"murrar.warmth_arab.comparison_change.{suffix}", "consortium")]
    assert row["n_paired"] == len(pre)
    assert row["t"] == pytest.approx(ref.statistic, rel=1e-10)
    c1 = _changes(raw, 1, before, "arab_t2")[1] - _changes(raw, 1, before, "arab_t2")[0]
    ref = sps.ttest_ind(c1, post - pre, equal_var=False)  # R: t.test(change ~ condition), Welch
    did = table.loc[(f"murrar.warmth_arab.diff_in_diff.{suffix}", "consortium")]
    assert (did["n_paired"], did["n_comparison"]) == (len(c1), len(pre))
    assert did["mean_change"] == pytest.approx(c1.mean() - (post - pre).mean(), rel=1e-12)
    assert (did["ci_low"], did["ci_high"]) == pytest.approx(tuple(ref.confidence_interval(0.95)), rel=1e-10)


def test_no_follow_up_rows_for_a_question_not_asked_at_the_follow_up(table):
    ids = set(table.index.get_level_values("indicator_id"))
    assert "murrar.warmth_white.change" in ids
    assert not {i for i in ids if i.startswith("murrar.warmth_white.") and i.endswith("follow_up")}
    first = table.loc[("murrar.warmth_white.change", "consortium")]
    assert (first["wave_from"], first["wave_to"]) == ("pre", "post")


def test_single_item_scales_say_why_reliability_is_missing(table):
    row = table.loc[("murrar.warmth_arab.change", "consortium")]
    assert pd.isna(row["reliable_improved"]) and "no reliability" in row["note"]


def test_the_report_runs_on_data_without_partners_or_dates(table, tmp_path):
    from pipeline.report.build import build_reports

    out = tmp_path / "out"
    published = build_reports(table.attrs["build"], out, jobs=1)
    assert "consortium_report.html" in published
    page = (out / "consortium_report.html").read_text(encoding="utf-8")
    row = table.loc[("murrar.warmth_arab.diff_in_diff", "consortium")]
    assert "Change compared with people who did not take part" in page
    assert f"{row['mean_change']:+.2f} [{row['ci_low']:.2f}, {row['ci_high']:.2f}]" in page
    # the follow-up: a "Later waves" table with n, the change and d_z with their intervals
    assert "Later waves" in page and "At the follow-up (4-6 weeks after)" in page
    for suffix in ("pre_follow_up", "post_follow_up"):
        later = table.loc[(f"murrar.warmth_arab.change.{suffix}", "consortium")]
        assert f"<td>{int(later['n_paired'])}</td>" in page
        assert f"{later['mean_change']:+.2f} [{later['ci_low']:.2f}, {later['ci_high']:.2f}]" in page
        assert f"{later['effect_size']:.2f} [{later['effect_size_ci_low']:.2f}, {later['effect_size_ci_high']:.2f}]" in page
        did = table.loc[(f"murrar.warmth_arab.diff_in_diff.{suffix}", "consortium")]
        assert f"{did['mean_change']:+.2f} [{did['ci_low']:.2f}, {did['ci_high']:.2f}]" in page


def test_both_arms_and_the_follow_up_are_shown(raw, table):
    """The sample flow gives both arms at all three waves (counted here from the CSV), and a
    chart draws the two arms across the waves."""
    from pipeline.report import sections
    from pipeline.report.context import load_context

    ctx = load_context(table.attrs["build"])
    flow = sections.data_quality(ctx).text()
    for condition, name in ((1, "Participants"), (0, "Comparison group")):
        arm = raw.loc[raw["condition"] == condition]
        counts = [int(arm["arab_t0"].notna().sum()), int(arm["arab_t1"].notna().sum()), int(arm["arab_t2"].notna().sum())]
        row = flow[flow.index(f"<td>{name}") :].split("</tr>")[0]
        assert [int(c) for c in re.findall(r"<td>(\d+)</td>", row)] == counts
    charts = [p for p in sections.comparison_group(ctx).parts if hasattr(p, "savefig")]
    assert len(charts) == 1 and "comparison group at each survey" in charts[0]._suptitle.get_text()
