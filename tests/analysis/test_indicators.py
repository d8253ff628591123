"""Indicator rows: checked against R's documented output, suppression applied."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.analysis.indicators import COLUMNS, change_row, format_change, scale_change
from pipeline.config import SURVEYS_DIR
from pipeline.instruments.codebook import load_codebook

# R's sleep data (datasets::sleep): extra sleep under drug 1 and drug 2, same 10 patients.
SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]


def test_change_row_reproduces_r_t_test_on_sleep():
    # R: t.test(extra ~ group, data = sleep, paired = TRUE) takes group 1 minus group 2:
    #   t = -4.0621, df = 9, p-value = 0.002833, 95% CI -2.4598858 -0.7001142, mean difference -1.58.
    # Our change is post minus pre, so with pre = group 1 and post = group 2 the signs flip.
    row = change_row(pd.Series(SLEEP_1), pd.Series(SLEEP_2))
    assert row["n_paired"] == 10 and row["df"] == 9
    assert row["t"] == pytest.approx(4.0621, abs=1e-4)
    assert row["p_value"] == pytest.approx(0.002833, abs=1e-6)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((0.7001142, 2.4598858), abs=1e-6)
    assert row["mean_change"] == pytest.approx(1.58)
    # R: wilcox.test(sleep$extra[11:20], sleep$extra[1:10], paired = TRUE): V = 45, p-value = 0.009091
    # (normal approximation with continuity correction: there are ties and a zero difference)
    assert row["wilcoxon_v"] == 45
    assert row["wilcoxon_p_value"] == pytest.approx(0.009091, abs=1e-6)
    # d_z = mean(diff) / sd(diff) = 1.58 / 1.229995 (Lakens 2013, eq. 6)
    assert row["effect_size"] == pytest.approx(1.58 / np.std(np.subtract(SLEEP_2, SLEEP_1), ddof=1))
    assert row["effect_size_type"] == "d_z"


def test_missing_sides_count_for_their_wave_only():
    pre = pd.Series([1.0, 2.0, np.nan, 4.0, 5.0, 3.0])
    post = pd.Series([2.0, np.nan, 3.0, 5.0, 5.5, 3.2])
    row = change_row(pre, post)
    assert (row["n_pre"], row["n_post"], row["n_paired"]) == (5, 5, 4)


def test_scale_change_suppresses_small_groups():
    cb = load_codebook(SURVEYS_DIR / "community_attitudes.yaml")
    rng = np.random.default_rng(1)
    rows = []
    for k in range(40):
        partner = "GR-THE" if k < 37 else "IT-PAL"  # IT-PAL: 3 people
        for wave, shift in (("pre", 0.0), ("post", 0.5)):
            r = {"respondent_id": f"r{k}", "wave": wave, "partner": partner, "country": partner[:2], "gender": "female", "age_group": "30-44", "group": "local_resident", "language": "en"}
            for sc in cb.scales:
                r[sc.id] = rng.normal(3 + shift, 1)
            rows.append(r)
    table = scale_change(pd.DataFrame(rows), cb, min_cell=5)
    assert list(table.columns) == COLUMNS
    it = table.loc[(table["group_by"] == "partner") & (table["group"] == "IT-PAL")]
    assert it["suppressed"].all() and it["n_paired"].isna().all() and it["mean_change"].isna().all()
    # the only other partner is hidden too, or 40 - 37 would reveal IT-PAL
    gr = table.loc[(table["group_by"] == "partner") & (table["group"] == "GR-THE")]
    assert (gr["suppression"] == "secondary").all()
    cons = table.loc[table["group_by"] == "consortium"]
    assert not cons["suppressed"].any() and (cons["n_paired"] == 40).all()


def test_format_change_names_n_and_interval():
    text = format_change({"mean_change": 0.5, "ci_low": 0.2, "ci_high": 0.8, "n_paired": 40, "confidence": 0.95, "suppressed": False})
    assert text == "+0.50 (95% CI 0.20 to 0.80; n = 40 pairs)"
    assert "suppressed" in format_change({"suppressed": True})


# --------------------------------------------------------------------------------------
# Reliable change, Holm families, difference in differences, McNemar items, bad input
# --------------------------------------------------------------------------------------

from scipy import stats as sps  # noqa: E402
from statsmodels.stats.contingency_tables import mcnemar as sm_mcnemar  # noqa: E402
from statsmodels.stats.multitest import multipletests  # noqa: E402

from pipeline.analysis.indicators import adjust_families, instrument_indicators, reliable_cells  # noqa: E402

CB = load_codebook(SURVEYS_DIR / "community_attitudes.yaml")


def _scored(n_part=40, n_comp=30, seed=1, change_part=1.0, change_comp=0.2, partner=None):
    """Scored rows in the shape the pipeline writes: one row per person and wave."""
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(n_part + n_comp):
        comp = k >= n_part
        base = {s.id: rng.normal(5, 1.5) for s in CB.scales}
        items = {it: float(rng.integers(0, 2)) for it in ("sd_neighbour", "sd_colleague", "sd_friend", "sd_family")}
        for wave in ("pre", "post"):
            r = {
                "respondent_id": f"r{k}",
                "wave": wave,
                "partner": partner or ("GR-THE" if k % 2 else "ES-VAL"),
                "country": "GR",
                "gender": "female",
                "age_group": "30-44",
                "group": "local_resident",
                "language": "en",
                "took_part": "comparison" if comp else "participant",
            }
            shift = (change_comp if comp else change_part) if wave == "post" else 0.0
            for s in CB.scales:
                r[s.id] = base[s.id] + shift + rng.normal(0, 0.8)
            for it in CB.item_ids:
                r[it] = np.nan
            for it, v in items.items():
                r[it] = v if wave == "pre" else float(rng.random() < 0.3 + 0.5 * v)
            rows.append(r)
    return pd.DataFrame(rows)


def test_paired_rows_describe_participants_only_and_name_the_reliable_change_method():
    scored = _scored()
    table = instrument_indicators(scored, CB, min_cell=5)
    row = table.loc[(table["indicator_id"] == "community_attitudes.attitudes.change") & (table["group_by"] == "consortium")].iloc[0]
    assert row["n_paired"] == 40  # the 30 comparison respondents are not in the pre/post rows
    part = scored.loc[scored["took_part"] == "participant"].pivot(index="respondent_id", columns="wave", values="attitudes")
    # R: t.test(post, pre, paired = TRUE), here through scipy
    assert row["t"] == pytest.approx(sps.ttest_rel(part["post"], part["pre"]).statistic)
    # Jacobson & Truax by hand with the codebook's r_xx = 0.85 and the baseline SD
    s_diff = np.sqrt(2) * part["pre"].std(ddof=1) * np.sqrt(1 - 0.85)
    rc = (part["post"] - part["pre"]) / s_diff
    assert row["reliable_improved"] == pytest.approx((rc > 1.96).mean())
    assert row["reliable_unchanged"] == pytest.approx((rc.abs() <= 1.96).mean())
    assert "Jacobson & Truax (1991)" in row["reliable_change_method"] and "r_xx = 0.85" in row["reliable_change_method"]
    k = int((rc > 1.96).sum())
    low, high = sps.binomtest(k, 40).proportion_ci(method="wilson")
    assert (row["reliable_improved_ci_low"], row["reliable_improved_ci_high"]) == pytest.approx((low, high))


def test_reliable_cells_hide_shares_of_fewer_than_min_cell_people():
    cats = pd.Series(["improved"] * 12 + ["unchanged"] * 30 + ["worsened"] * 2 + [None])
    cells = reliable_cells(cats, "JT", min_cell=5)
    # 2 worsened are hidden, and so is "unchanged" (else 1 - improved - unchanged reveals them)
    assert np.isnan(cells["reliable_worsened"]) and np.isnan(cells["reliable_unchanged"])
    assert cells["reliable_improved"] == pytest.approx(12 / 44)
    assert "hidden" in cells["note"]
    cells = reliable_cells(pd.Series([None, None]), "JT", 5)
    assert np.isnan(cells["reliable_improved"]) and "not computed" in cells["note"]


def test_holm_family_is_one_instrument_one_analysis_one_breakdown():
    table = instrument_indicators(_scored(), CB, min_cell=5)
    families = table.loc[table["group_by"].isin(["consortium", "partner"])].groupby(["analysis", "group_by"])
    assert len(families) == 8  # paired_change, comparison_change, diff_in_diff, mcnemar x consortium, partner
    for (analysis, group_by), fam in families:
        p = fam["p_value"].dropna()
        # R: p.adjust(p, "holm"); statsmodels with the method named explicitly
        expected = multipletests(p.to_numpy(), method="holm")[1]
        assert fam.loc[p.index, "p_value_adjusted"].to_numpy() == pytest.approx(expected)
        assert (fam.loc[p.index, "p_adjust_method"] == "holm").all()
        assert fam.loc[p.index, "p_adjust_family"].str.endswith(f"({len(p)} tests)").all()


def test_adjust_families_leaves_missing_p_values_out_of_the_family():
    t = pd.DataFrame({"instrument": "x", "analysis": "paired_change", "group_by": "consortium", "p_value": [0.01, np.nan, 0.04]})
    out = adjust_families(t)
    assert out["p_value_adjusted"].tolist()[0] == pytest.approx(0.02) and np.isnan(out["p_value_adjusted"][1])
    assert out["p_adjust_family"][0] == "x paired_change tests by consortium (2 tests)"


def test_difference_in_differences_against_scipy_welch():
    scored = _scored()
    table = instrument_indicators(scored, CB, min_cell=5)
    did = table.loc[table["analysis"] == "diff_in_diff"].set_index(["scale", "group"])
    wide = scored.pivot(index="respondent_id", columns="wave", values="knowledge")
    change = wide["post"] - wide["pre"]
    took = scored.drop_duplicates("respondent_id").set_index("respondent_id")["took_part"]
    c1, c0 = change[took == "participant"], change[took == "comparison"]
    ref = sps.ttest_ind(c1, c0, equal_var=False)
    row = did.loc[("knowledge", "all")]
    assert row["mean_change"] == pytest.approx(c1.mean() - c0.mean())
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(tuple(ref.confidence_interval(0.95)))
    assert row["p_value"] == pytest.approx(ref.pvalue)
    assert (row["n_paired"], row["n_comparison"]) == (40, 30)
    assert (row["change_participants"], row["change_comparison"]) == pytest.approx((c1.mean(), c0.mean()))
    assert row["effect_size_type"].startswith("g_change")
    assert set(did.index.get_level_values("group")) == {"all", "ES-VAL", "GR-THE"}
    # the comparison group's own change, paired t as for participants
    own = table.loc[(table["indicator_id"] == "community_attitudes.knowledge.comparison_change") & (table["group_by"] == "consortium")].iloc[0]
    assert own["n_paired"] == 30 and own["mean_change"] == pytest.approx(c0.mean())
    pre0 = wide.loc[took == "comparison", "pre"]
    assert own["t"] == pytest.approx(sps.ttest_rel(wide.loc[took == "comparison", "post"], pre0).statistic)
    # reliable change with the participants' yardstick: S_diff from their baseline SD
    s_diff = np.sqrt(2) * wide.loc[took == "participant", "pre"].std(ddof=1) * np.sqrt(1 - 0.75)  # knowledge: r_xx = 0.75
    assert f"= {s_diff:.4g}" in own["reliable_change_method"]


def test_no_comparison_group_no_difference_in_differences_rows():
    scored = _scored().assign(took_part="participant")
    table = instrument_indicators(scored, CB, min_cell=5)
    assert not table["analysis"].eq("diff_in_diff").any()
    assert table.loc[table["analysis"] == "paired_change", "n_paired"].max() == 70


def test_mcnemar_items_against_statsmodels():
    scored = _scored()
    table = instrument_indicators(scored, CB, min_cell=5)
    mc = table.loc[table["analysis"] == "mcnemar"]
    assert set(mc["item"]) == {"sd_neighbour", "sd_colleague", "sd_friend", "sd_family"}
    row = mc.loc[(mc["item"] == "sd_friend") & (mc["group_by"] == "consortium")].iloc[0]
    part = scored.loc[scored["took_part"] == "participant"].pivot(index="respondent_id", columns="wave", values="sd_friend")
    b = int(((part["pre"] == 1) & (part["post"] == 0)).sum())
    c = int(((part["pre"] == 0) & (part["post"] == 1)).sum())
    a = int(((part["pre"] == 1) & (part["post"] == 1)).sum())
    d = int(((part["pre"] == 0) & (part["post"] == 0)).sum())
    exact = b + c < 25
    ref = sm_mcnemar([[a, b], [c, d]], exact=exact, correction=True)
    assert row["p_value"] == pytest.approx(ref.pvalue)
    assert row["test"].startswith("McNemar's test: " + ("exact" if exact else "chi-square"))
    assert row["mean_change"] == pytest.approx((c - b) / 40)
    assert row["mean_pre"] == pytest.approx(part["pre"].mean())
    assert row["scale"] == "social_acceptance" and row["unit"].startswith("share answering yes")


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_bad_input_gives_missing_statistics_with_reasons_never_a_crash():
    scored = _scored(n_part=6, n_comp=6, partner="GR-THE")
    # attitudes: NaN everywhere; knowledge: constant change (zero variance);
    # intentions: one participant pair only
    scored["attitudes"] = np.nan
    scored["knowledge"] = np.where(scored["wave"] == "post", 4.0, 3.0)
    scored.loc[scored["respondent_id"].isin([f"r{k}" for k in range(1, 6)]), "intentions"] = np.nan
    table = instrument_indicators(scored, CB, min_cell=1)
    cons = table.loc[table["group_by"] == "consortium"].set_index("indicator_id")
    row = cons.loc["community_attitudes.attitudes.change"]
    assert row["n_paired"] == 0 and np.isnan(row["mean_change"]) and "no complete pairs" in row["note"]
    row = cons.loc["community_attitudes.knowledge.change"]
    assert row["mean_change"] == 1 and np.isnan(row["t"]) and "zero variance" in row["note"]
    row = cons.loc["community_attitudes.intentions.change"]
    assert row["n_paired"] == 1 and np.isnan(row["t"]) and "fewer than 2 pairs" in row["note"]
    did = cons.loc["community_attitudes.attitudes.diff_in_diff"]
    assert np.isnan(did["mean_change"]) and "fewer than 2 people" in did["note"]
    # an empty frame (every row quarantined): rows with reasons, no crash
    empty = instrument_indicators(scored.iloc[0:0], CB, min_cell=5)
    assert (empty["group_by"] == "consortium").all() and (empty["note"] != "").all()


# --------------------------------------------------------------------------------------
# A follow-up: later pairs of waves
# --------------------------------------------------------------------------------------

import dataclasses  # noqa: E402

from pipeline.analysis.indicators import later_waves, wave_pairs  # noqa: E402

CB3 = dataclasses.replace(
    CB,
    waves=("pre", "post", "follow_up"),
    wave_labels={**CB.wave_labels, "follow_up": {"en": "Three months after the activities"}},
)


def _three_waves(seed=2):
    """``_scored()`` plus a follow-up: participants r0-r29 and comparison r40-r59 answer
    it; r0-r4 skipped the second survey; intentions was not asked at the follow-up."""
    scored = _scored()
    rng = np.random.default_rng(seed)
    pre = scored.loc[scored["wave"] == "pre"].set_index("respondent_id")
    later = pre.loc[[f"r{k}" for k in list(range(30)) + list(range(40, 60))]].reset_index()
    later["wave"] = "follow_up"
    for s in CB.scales:
        later[s.id] = later[s.id] + 0.6 + rng.normal(0, 0.8, len(later))
    later["intentions"] = np.nan
    for it in ("sd_neighbour", "sd_colleague", "sd_friend", "sd_family"):
        later[it] = (rng.random(len(later)) < 0.6).astype(float)
    skipped = scored["respondent_id"].isin([f"r{k}" for k in range(5)]) & (scored["wave"] == "post")
    return pd.concat([scored.loc[~skipped], later], ignore_index=True)


def test_wave_pairs_are_the_first_two_then_each_later_wave_with_the_first_and_the_second():
    assert wave_pairs(CB) == [("pre", "post")]
    assert wave_pairs(CB3) == [("pre", "post"), ("pre", "follow_up"), ("post", "follow_up")]
    four = dataclasses.replace(CB, waves=("a", "b", "c", "d"))
    assert wave_pairs(four) == [("a", "b"), ("a", "c"), ("b", "c"), ("a", "d"), ("b", "d")]


def test_a_follow_up_gives_rows_for_each_later_pair_of_waves():
    scored = _three_waves()
    table = instrument_indicators(scored, CB3, min_cell=5)
    assert list(table.columns) == COLUMNS
    cons = table.loc[table["group_by"] == "consortium"].set_index("indicator_id")
    # the first two waves: today's ids, r0-r4 lost their pair
    first = cons.loc["community_attitudes.attitudes.change"]
    assert (first["wave_from"], first["wave_to"], first["n_paired"]) == ("pre", "post", 35)
    part = scored.loc[scored["took_part"] == "participant"].pivot(index="respondent_id", columns="wave", values="attitudes")
    unhidden = instrument_indicators(scored, CB3, min_cell=1).query("group_by == 'consortium'").set_index("indicator_id")
    for (a, b), n in ((("pre", "follow_up"), 30), (("post", "follow_up"), 25)):
        row = cons.loc[f"community_attitudes.attitudes.change.{a}_{b}"]
        assert (row["analysis"], row["wave_from"], row["wave_to"]) == ("paired_change", a, b)
        both = part[[a, b]].dropna()
        assert row["n_paired"] == len(both) == n
        assert (row["n_pre"], row["n_post"]) == (part[a].notna().sum(), part[b].notna().sum())
        # R: t.test(later, earlier, paired = TRUE); our sign is later minus earlier
        ref = sps.ttest_rel(both[b], both[a])
        assert row["mean_change"] == pytest.approx((both[b] - both[a]).mean())
        assert row["t"] == pytest.approx(ref.statistic) and row["p_value"] == pytest.approx(ref.pvalue)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx(tuple(ref.confidence_interval(0.95)))
        d = both[b] - both[a]
        assert row["effect_size_type"] == "d_z" and row["effect_size"] == pytest.approx(d.mean() / d.std(ddof=1))
        assert row["effect_size_ci_low"] < row["effect_size"] < row["effect_size_ci_high"]
        assert not np.isnan(row["g_av"]) and not np.isnan(row["wilcoxon_p_value"])
        # reliable change against the earlier survey's SD of the pair (every share shown with min_cell=1)
        s_diff = np.sqrt(2) * both[a].std(ddof=1) * np.sqrt(1 - 0.85)
        shown = unhidden.loc[f"community_attitudes.attitudes.change.{a}_{b}"]
        assert shown["reliable_improved"] == pytest.approx(((d / s_diff) > 1.96).mean())
        assert shown["reliable_unchanged"] == pytest.approx(((d / s_diff).abs() <= 1.96).mean())
        assert f"the SD at '{a}'" in row["reliable_change_method"]
    # the comparison group's own change and the difference in differences, per later pair
    assert cons.loc["community_attitudes.attitudes.comparison_change.pre_follow_up", "n_paired"] == 20
    did = cons.loc["community_attitudes.attitudes.diff_in_diff.pre_follow_up"]
    assert (did["n_paired"], did["n_comparison"]) == (30, 20)
    assert cons.loc["community_attitudes.sd_friend.mcnemar.post_follow_up", "n_paired"] == 25
    # intentions was not asked at the follow-up: no rows for the later pairs, but the first two waves keep theirs
    intentions = table.loc[table["scale"] == "intentions", "indicator_id"]
    assert "community_attitudes.intentions.change" in set(intentions)
    assert not intentions.str.endswith("follow_up").any()
    # every row names its pair, and only the later pairs' ids carry it
    assert table[["wave_from", "wave_to"]].notna().all().all()
    assert (later_waves(table) == table["wave_to"].eq("follow_up")).all()
    # deterministic: the same table twice
    pd.testing.assert_frame_equal(table, instrument_indicators(scored, CB3, min_cell=5))


def test_each_pair_of_waves_is_its_own_holm_family():
    table = instrument_indicators(_three_waves(), CB3, min_cell=5)
    fam = table.loc[(table["analysis"] == "paired_change") & (table["group_by"] == "consortium") & (table["wave_to"] == "follow_up") & (table["wave_from"] == "pre")]
    p = fam["p_value"].dropna()
    assert len(p) == 3  # attitudes, social acceptance, knowledge: intentions was not asked at the follow-up
    assert fam.loc[p.index, "p_value_adjusted"].to_numpy() == pytest.approx(multipletests(p.to_numpy(), method="holm")[1])
    assert (fam["p_adjust_family"] == "community_attitudes paired_change pre -> follow_up tests by consortium (3 tests)").all()
    first = table.loc[(table["analysis"] == "paired_change") & (table["group_by"] == "consortium") & (table["wave_to"] == "post")]
    assert (first["p_adjust_family"] == "community_attitudes paired_change pre -> post tests by consortium (4 tests)").all()


def test_later_pairs_go_through_disclosure_control():
    scored = _three_waves()
    # only 3 people of ES-VAL answer the follow-up
    keep = ~((scored["wave"] == "follow_up") & (scored["partner"] == "ES-VAL") & ~scored["respondent_id"].isin(["r0", "r2", "r4"]))
    table = instrument_indicators(scored.loc[keep], CB3, min_cell=5)
    row = table.loc[(table["indicator_id"] == "community_attitudes.attitudes.change.pre_follow_up") & (table["group"] == "ES-VAL")].iloc[0]
    assert row["suppressed"] and row["suppression"] == "primary" and pd.isna(row["n_paired"]) and pd.isna(row["mean_change"])
    # the other partner would reveal it from the consortium total: hidden too
    other = table.loc[(table["indicator_id"] == "community_attitudes.attitudes.change.pre_follow_up") & (table["group"] == "GR-THE")].iloc[0]
    assert other["suppressed"] and other["suppression"] == "secondary"
    # the first two waves' rows of those partners are not touched
    first = table.loc[(table["indicator_id"] == "community_attitudes.attitudes.change") & (table["group_by"] == "partner")]
    assert not first["suppressed"].any()


def test_two_waves_or_a_follow_up_not_yet_collected_give_no_later_rows():
    two = instrument_indicators(_scored(), CB, min_cell=5)
    assert not later_waves(two).any()
    assert (two["wave_from"] == "pre").all() and (two["wave_to"] == "post").all()
    assert not two["indicator_id"].str.contains("follow_up").any()
    # a three-wave codebook before anybody answered the follow-up: the same rows as with two waves
    three = instrument_indicators(_scored(), CB3, min_cell=5)
    pd.testing.assert_frame_equal(three, two)
