"""Report sections on the statistics: numbers from the published tables, hidden never 0."""

from __future__ import annotations

import html

import pandas as pd
import pytest

from pipeline import stats
from pipeline.report import sections as sections_stats
from pipeline.report.context import load_context
from pipeline.report.sections.methods import methods_used
from pipeline.workflow import analyse
from tests.report.sections.conftest import three_waves


@pytest.fixture(scope="module")
def ctx(sections_build):
    return load_context(sections_build)


@pytest.fixture(scope="module")
def codebook(ctx):
    return ctx.codebooks["community_attitudes"]


def test_comparison_group_section_shows_the_published_difference_in_differences(ctx, codebook):
    text = sections_stats.comparison_group(ctx, codebook).text()
    assert text.startswith("Change compared with people who did not take part")
    assert "participants only" in text and "parallel trends" in text
    t = ctx.indicators
    row = t.loc[(t["indicator_id"] == "community_attitudes.knowledge.diff_in_diff") & (t["group_by"] == "consortium")].iloc[0]
    assert f"{row['mean_change']:+.2f} [{row['ci_low']:.2f}, {row['ci_high']:.2f}]" in text
    assert f"{int(row['n_paired'])} participants" in text and f"{int(row['n_comparison'])} in the comparison group" in text
    # every suppressed partner row reads "hidden", never a number
    hidden = t.loc[(t["analysis"] == "diff_in_diff") & t["suppressed"]]
    assert text.count("hidden (") >= len(hidden)


def test_without_a_comparison_group_the_section_says_so(ctx, codebook):
    plain = ctx.indicators.loc[ctx.indicators["analysis"] != "diff_in_diff"]
    other = type(ctx)(**{**ctx.__dict__, "indicators": plain})
    text = sections_stats.comparison_group(other, codebook).text()
    assert "No comparison group answered this survey" in text


def test_tests_and_individual_change_names_holm_and_reliable_change(ctx, codebook):
    text = sections_stats.tests_and_individual_change(ctx, codebook).text()
    t = ctx.indicators
    row = t.loc[(t["indicator_id"] == "community_attitudes.attitudes.change") & (t["group_by"] == "consortium")].iloc[0]
    # the reliability reliable change used: alpha measured in the sample (the codebook says 0.85)
    assert "Holm" in text and "Jacobson & Truax (1991)" in text and f"r_xx = {row['rc_reliability']:.2f}" in text
    assert f"| {int(row['n_paired'])} |" in text
    assert f"{round(100 * row['reliable_improved']):.0f}%" in text


def test_yes_no_items_table(ctx, codebook):
    text = sections_stats.yes_no_items(ctx, codebook).text()
    for it in ("sd_neighbour", "sd_colleague", "sd_friend", "sd_family"):
        assert codebook.item(it).label["en"] in text
    assert "McNemar" in text and "-0 " not in text and "[-0," not in text


def test_measurement_quality_flags_and_hides(ctx, codebook):
    text = sections_stats.measurement_quality(ctx, codebook).text()
    rel = pd.read_csv(ctx.build_dir / "reliability.csv")
    flagged = rel.loc[(rel["group_by"] == "all") & rel["flag"].notna(), "label"].unique()
    for label in flagged:
        assert label in text
    assert "below 0.70" in text and "Attrition" in text and "attrition.csv" in text
    if rel["suppressed"].any():
        assert "hidden" in text


def test_methods_appendix_is_written_from_the_registry(ctx, codebook):
    text = sections_stats.methods_appendix(ctx, codebook).text()
    used = methods_used(ctx, codebook)
    assert {"paired_change", "signed_rank", "adjust_p", "reliable_change", "diff_in_diff", "mcnemar", "cronbach_alpha", "omega", "attrition", "random_effects"} <= set(used)
    assert "Hartung-Knapp-Sidik-Jonkman" in text  # the random-effects interval is named where the methods are
    from pipeline.ingest.codes import METHOD as MATCH_METHOD

    for key in used:  # methods.csv, written by the analyse stage from the registry
        entry = MATCH_METHOD if key == "code_matching" else stats.METHODS[key]
        assert html.escape(entry["name"]) in text and html.escape(entry["reference"]) in text and html.escape(entry["formula"]) in text
    assert stats.METHODS["bootstrap_ci"]["name"] not in text  # not used by this report


def test_code_matching_section_gives_rate_and_tolerance(ctx, codebook):
    text = sections_stats.code_matching(ctx, codebook).text()
    table = pd.read_csv(ctx.build_dir / "code_matching.csv")
    row = table.iloc[0]
    assert text.startswith("Matching the two surveys by self-generated codes")
    assert "up to 1 element" in text and f"{round(100 * row['match_rate'])}%" in text
    assert "first letter of the mother's first name" in text
    for col in ("n_pre", "n_exact"):
        assert (f"| {int(row[col])} |" in text) or col in str(row["hidden"])
    methods = sections_stats.methods_appendix(ctx, codebook).text()
    assert "self-generated identification codes" in methods


def test_no_code_matching_no_section(ctx, codebook, tmp_path):
    import shutil

    build = tmp_path / "b"
    shutil.copytree(ctx.build_dir, build)
    pd.read_csv(build / "code_matching.csv").iloc[0:0].to_csv(build / "code_matching.csv", index=False)
    analyse(build)  # methods.csv is written by the analyse stage from what the run used
    other = type(ctx)(**{**ctx.__dict__, "build_dir": build})
    section = sections_stats.code_matching(other, codebook)
    assert not section.available and "No survey in this data folder was matched" in section.text()
    assert "self-generated identification codes" not in sections_stats.methods_appendix(other, codebook).text()


def test_later_waves_are_shown_only_when_a_follow_up_was_compared(ctx, codebook):

    from pipeline.report import sections

    # two waves: no heading, no empty table
    assert "Later waves" not in sections.change_by_partner(ctx).text()
    assert "Later waves" not in sections_stats.comparison_group(ctx, codebook).text()
    # the same people answer a third time
    three, cb3 = three_waves(ctx)
    table = three.indicators
    text = sections.change_by_partner(three).text()  # the annex's tables behind the attitude charts
    assert text.count("#### Later waves") == 1 and "Before the activities → Three months later" in text
    assert "After the activities → Three months later" in text and "d_z [95% CI]" in text
    for suffix in ("pre_follow_up", "post_follow_up"):
        row = table.loc[(table["indicator_id"] == f"community_attitudes.attitudes.change.{suffix}") & (table["group_by"] == "consortium")].iloc[0]
        assert f"<td>{int(row['n_paired'])}</td>" in text
        assert f"{row['mean_change']:+.2f} [{row['ci_low']:.2f}, {row['ci_high']:.2f}]" in text
        assert f"{row['effect_size']:.2f} [{row['effect_size_ci_low']:.2f}, {row['effect_size_ci_high']:.2f}]" in text
    # hidden partner rows read "fewer than" or "hidden", never a number
    later = table.loc[table["indicator_id"].str.endswith("follow_up") & (table["analysis"] == "paired_change") & (table["group_by"] == "partner")]
    assert text.count("fewer than") + text.count("hidden (secondary)") >= int(later["suppressed"].sum())
    # the first two waves' table and the summary are unchanged by the follow-up
    assert sections.executive_summary(three).text() == sections.executive_summary(ctx).text()
    did = sections_stats.comparison_group(three, cb3).text()
    assert "**Later waves.**" in did
    row = table.loc[(table["indicator_id"] == "community_attitudes.knowledge.diff_in_diff.pre_follow_up") & (table["group_by"] == "consortium")].iloc[0]
    assert f"{row['mean_change']:+.2f} [{row['ci_low']:.2f}, {row['ci_high']:.2f}]" in did
    assert sections_stats.tests_and_individual_change(three, cb3).text() == sections_stats.tests_and_individual_change(ctx, codebook).text()


@pytest.mark.parametrize(
    ("part", "comp", "lo", "hi", "words"),
    [
        (0.82, 0.04, 0.58, 0.98, "participants' scores rose by 0.82, the comparison group's rose by 0.04: participants' scores rose 0.78 more than"),
        (0.30, 0.50, -0.35, -0.05, "participants' scores rose by 0.30, the comparison group's rose by 0.50: participants' scores rose 0.20 less than"),
        (-0.10, -0.40, 0.10, 0.50, "participants' scores fell by 0.10, the comparison group's fell by 0.40: participants' scores fell 0.30 less than"),
        (-0.40, -0.10, -0.50, -0.10, "participants' scores fell by 0.40, the comparison group's fell by 0.10: participants' scores fell 0.30 more than"),
        (0.82, -0.09, 0.64, 1.18, "participants' scores rose by 0.82, the comparison group's fell by 0.09: the participants' change lies 0.91 above"),
        (-0.20, 0.30, -0.80, -0.20, "participants' scores fell by 0.20, the comparison group's rose by 0.30: the participants' change lies 0.50 below"),
        (0.40, 0.0, 0.10, 0.70, "participants' scores rose by 0.40, the comparison group's stayed the same: the participants' change lies 0.40 above"),
        (-0.05, -0.10, -0.20, 0.30, "participants' scores fell by 0.05, the comparison group's fell by 0.10: the two changes cannot be told apart (difference +0.05)"),
    ],
)
def test_difference_in_differences_words_follow_the_signs_of_both_changes(part, comp, lo, hi, words):
    from pipeline.report.sections.attitudes import did_verdict

    text = did_verdict(part, comp, part - comp, lo, hi)
    assert text.startswith(words), text
    if part < 0 and comp < 0:
        assert "rose" not in text  # never "rose by X more" when both groups fell
    if lo <= 0 <= hi:
        assert "more" not in text and "less" not in text
    assert "not significant after Holm" in did_verdict(part, comp, part - comp, lo, hi, significant=False) or lo <= 0 <= hi


def test_difference_in_differences_sentence_names_the_partners_of_the_comparison_group(ctx, codebook):
    text = sections_stats.comparison_group(ctx, codebook).text()
    t = ctx.indicators
    cons = t.loc[(t["analysis"] == "diff_in_diff") & (t["group_by"] == "consortium") & (t["wave_to"] == "post")]
    cover = cons["note"].iloc[0]
    k_of_n = cover.split(" (", 1)[1].split(";")[0]  # "2 of 5 partners"
    assert k_of_n.endswith("partners") and " of " in k_of_n
    assert text.count(f"Comparison group from {cover.split(': ', 1)[1].split(' (')[0]} ({k_of_n})") == len(cons)
    assert "rose by" in text or "fell by" in text


def test_tests_section_gives_the_change_across_partners(ctx, codebook):
    text = sections_stats.tests_and_individual_change(ctx, codebook).text()
    t = ctx.indicators
    pooled = t.loc[(t["analysis"] == "random_effects") & (t["wave_to"] == "post") & (t["instrument"] == codebook.instrument)]
    assert len(pooled) == len(codebook.scales) and "Hartung-Knapp-Sidik-Jonkman" in text
    for r in pooled.itertuples():
        whole = t.loc[(t["indicator_id"] == f"{codebook.instrument}.{r.scale}.change") & (t["group_by"] == "consortium")].iloc[0]
        line = next(x for x in text.splitlines() if x.startswith(f"| {r.label} | {r.mean_change:+.2f} ["))
        assert f"[{r.ci_low:.2f}, {r.ci_high:.2f}] | {whole['mean_change']:+.2f} | [{r.pi_low:.2f}, {r.pi_high:.2f}]" in line
        assert f"| {round(100 * r.i2):.0f}% |" in line and f"| {int(r.k_partners)} |" in line
    mine = type(ctx)(**{**ctx.__dict__, "partner": sorted(t.loc[t["group_by"] == "partner", "group"])[0]})
    assert "Across partners" not in sections_stats.tests_and_individual_change(mine, codebook).text()


def test_summary_headline_gives_the_published_change_across_partners(ctx, codebook):
    """Each scale's headline in the executive summary carries one clause with the published
    random-effects row: its change [HKSJ interval], I² and the prediction interval; the
    pooled change (all participants) follows right below it."""
    text = html.unescape(sections_stats.executive_summary(ctx).text())
    t = ctx.indicators
    pooled = t.loc[(t["analysis"] == "random_effects") & (t["wave_to"] == "post") & (t["instrument"] == codebook.instrument) & ~t["suppressed"].astype(bool)]
    assert len(pooled) == len(codebook.scales)
    for r in pooled.itertuples():
        head = text.split(f'<th colspan="6">{r.label}', 1)[1].split("</th>", 1)[0]
        assert f"across the {int(r.k_partners)} partners (random effects): {r.mean_change:+.2f} [{r.ci_low:.2f}, {r.ci_high:.2f}]" in head
        assert f"I² = {round(100 * r.i2):.0f}%" in head
        assert f"a new partner's change could lie between {r.pi_low:+.2f} and {r.pi_high:+.2f}" in head
        after = text.split(f'<th colspan="6">{r.label}', 1)[1].split('<tr class="criterion">', 1)[0]
        assert "All participants" in after
    partner = load_context(ctx.build_dir, partner=sorted(t.loc[t["group_by"] == "partner", "group"].astype(str))[0])
    assert "random effects" not in sections_stats.executive_summary(partner).text()


def test_data_quality_prints_quarantined_rows_as_quarantine_csv_lists_them(ctx):
    """Rows read and kept are printed, so a small quarantine count hidden beside them would
    come back by subtraction: the section prints each file's quarantined rows, and the rows
    per reason, as they are (quarantine.csv lists every one) and says they are rows."""
    from bs4 import BeautifulSoup

    from pipeline.report.tables import quarantine_summary

    text = sections_stats.data_quality(ctx).text()
    tables = {t.find("caption").get_text(strip=True): t for t in BeautifulSoup(text, "html.parser").find_all("table") if t.find("caption")}
    shown = [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in tables["Rows read = rows kept + rows quarantined, per file"].find_all("tr")[1:]]
    rec = ctx.reconciliation
    assert [r[-1] for r in shown] == [f"{int(v):,}" for v in rec["rows_quarantined"]]
    assert any(0 < v < ctx.min_cell for v in rec["rows_quarantined"]), "the example should have a small quarantine count to show"
    by_reason = [[td.get_text(strip=True) for td in tr.find_all("td")][-1] for tr in tables["Quarantined rows by file and reason"].find_all("tr")[1:]]
    public = ctx.quarantine.groupby(["source_file", "reason"], sort=True)["source_row"].nunique()
    assert by_reason == [str(v) for v in public] and len(quarantine_summary(ctx.quarantine)) == len(public)
    assert "rows of the exports set aside, printed as they are" in text and "quarantine.csv" in text
