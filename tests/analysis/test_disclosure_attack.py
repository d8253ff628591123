"""An attack on what is published together: no hidden count of 1 to min_cell - 1 people
can be rebuilt by subtraction along the published sums (tests/attack.py), on the example
and on drawn data with many small groups; the published quarantine holds nothing typed."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.analysis.disclosure import MC_COUNTS, RC_COUNTS, WITHHELD, protect_indicators, public_quarantine, suppress
from pipeline.analysis.indicators import COUNT_COLUMNS, VALUE_COLUMNS
from pipeline.config import EXAMPLE_DIR
from pipeline.example.community import simulate
from pipeline.workflow import analyse, ingest
from tests.attack import Reader, attack
from tests.conftest import write_folder


def _parents(build):
    r = pd.read_parquet(build / "responses" / "community_attitudes.parquet")
    return {("partner", str(p)): ("country", str(c)) for p, c in r[["partner", "country"]].drop_duplicates().itertuples(index=False)}


@pytest.fixture(scope="module")
def example_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("attack-example")
    ingest(EXAMPLE_DIR, out)
    analyse(out)
    return out


def test_the_example_gives_nothing_away(example_build):
    k = json.loads((example_build / "run.json").read_text())["min_cell"]
    assert attack(example_build, k, _parents(example_build)) == []


def test_the_issue_examples_are_hidden(example_build):
    t = pd.read_csv(example_build / "indicators.csv")
    # training_competence_gain by gender: the total minus the published groups is no longer 2 people
    g = t.loc[(t["indicator_id"] == "training_competence_gain") & t["group_by"].isin(["consortium", "gender"])]
    total = g.loc[g["group_by"] == "consortium", "n_people"].iloc[0]
    shown = g.loc[(g["group_by"] == "gender") & g["n_people"].notna(), "n_people"].sum()
    assert total - shown == 0 or total - shown >= 5
    # attitudes, DE-LEI: improved and worsened can no longer be worked out
    row = t.loc[(t["indicator_id"] == "community_attitudes.attitudes.change") & (t["group"] == "DE-LEI")].iloc[0]
    assert sum(pd.isna(row[f"reliable_{c}"]) for c in ("improved", "unchanged", "worsened")) != 1


@pytest.mark.parametrize("seed", [3, 29])
def test_drawn_data_with_many_small_groups_gives_nothing_away(tmp_path, seed):
    folder = write_folder(tmp_path / "data", simulate(seed=seed, scale=0.12, plant=False))
    build = tmp_path / "build"
    ingest(folder, build)
    analyse(build)
    t = pd.read_csv(build / "indicators.csv")
    assert t["suppressed"].sum() > 5  # the draw does have small groups
    k = json.loads((build / "run.json").read_text())["min_cell"]
    assert attack(build, k, _parents(build)) == []


def test_the_attack_finds_what_old_rules_published():
    """The attack is not blind: the issue's cases, as the tables showed them before."""
    gender = pd.DataFrame(
        {
            "indicator_id": "x",
            "analysis": "paired_change",
            "group_by": ["consortium", "gender", "gender", "gender", "gender"],
            "group": ["all", "female", "male", "other", "no_answer"],
            "n_paired": [60, 32, 26, np.nan, np.nan],  # 60 - 58 = 2 people
        }
    )
    for col in ("n_pre", "n_post", "mean_pre", "mean_post", "mean_change", "ci_low", "reliable_improved", "reliable_unchanged", "reliable_worsened"):
        gender[col] = np.nan
    from tests.attack import _indicator_reader

    reader = Reader()
    _indicator_reader(reader, gender, {})
    assert any("2 people" in f for f in reader.run(5))
    # McNemar: b and c from the difference, its Wald interval and n (b = 3, c = 10, n = 50)
    b, c, n = 3, 10, 50
    d = (c - b) / n
    se = np.sqrt((b + c) - (c - b) ** 2 / n) / n
    mc = gender.iloc[:1].assign(analysis="mcnemar", n_paired=n, mean_change=d, ci_low=d - 1.959963984540054 * se, group_by="partner", group="P")
    reader = Reader()
    _indicator_reader(reader, mc, {})
    reader.run(5)
    assert reader.known[("x", "partner", "P", "b")] == 3 and reader.known[("x", "partner", "P", "c")] == 10


# -- the protection, cell by cell ---------------------------------------------------


def _rows(specs):
    """Indicator rows with the private counts behind their shares."""
    rows = []
    for spec in specs:
        r = dict.fromkeys([*COUNT_COLUMNS, *VALUE_COLUMNS], np.nan)
        r.update(indicator_id="i", analysis="paired_change", note="", test="")
        r.update(spec)
        rows.append(r)
    return pd.DataFrame(rows)


def test_a_share_of_fewer_than_min_cell_improved_is_hidden_with_its_interval():
    t = _rows(
        [
            {
                "group_by": "consortium",
                "group": "all",
                "n_paired": 93,
                "reliable_improved": 3 / 93,
                "reliable_improved_ci_low": 0.01,
                "reliable_improved_ci_high": 0.09,
                "reliable_unchanged": 60 / 93,
                "reliable_worsened": 30 / 93,
                RC_COUNTS["improved"]: 3,
                RC_COUNTS["unchanged"]: 60,
                RC_COUNTS["worsened"]: 30,
            }
        ]
    )
    out = protect_indicators(t, COUNT_COLUMNS, VALUE_COLUMNS, 5)
    r = out.iloc[0]
    assert pd.isna(r["reliable_improved"]) and pd.isna(r["reliable_improved_ci_low"]) and pd.isna(r["reliable_improved_ci_high"])
    assert pd.isna(r["reliable_unchanged"]) or pd.isna(r["reliable_worsened"])  # or 1 minus the others gives it back
    assert r["n_paired"] == 93


def test_reliable_change_is_protected_across_partners():
    """improved: consortium 20 = A 8 + B 9 + C 3; hiding C alone would leave 20 - 17 = 3."""
    spec = [("consortium", "all", 100, 20, 70, 10), ("partner", "A", 40, 8, 28, 4), ("partner", "B", 30, 9, 18, 3), ("partner", "C", 30, 3, 24, 3)]
    t = _rows(
        [
            {"group_by": by, "group": g, "n_paired": n, **{f"reliable_{c}": v / n for c, v in zip(("improved", "unchanged", "worsened"), (i, u, w))}, **dict(zip(RC_COUNTS.values(), (i, u, w)))}
            for by, g, n, i, u, w in spec
        ]
    )
    out = protect_indicators(t, COUNT_COLUMNS, VALUE_COLUMNS, 5)
    for cat in ("improved", "unchanged", "worsened"):
        col = out[f"reliable_{cat}"] * out["n_paired"]
        known = col.iloc[1:].notna()
        rest = col.iloc[0] - col.iloc[1:][known].sum() if pd.notna(col.iloc[0]) else np.nan
        assert np.isnan(rest) or rest == 0 or rest >= 5, (cat, out[["group", f"reliable_{cat}"]])
    assert not out["suppressed"].iloc[0] and pd.notna(out["reliable_improved"].iloc[0])  # the total stays


def _mc(a, b, c, d, group="all", by="consortium"):
    n = a + b + c + d
    return {
        "group_by": by,
        "group": group,
        "analysis": "mcnemar",
        "n_paired": n,
        "n_pre": n,
        "n_post": n,
        "mean_pre": (a + b) / n,
        "mean_post": (a + c) / n,
        "mean_change": (c - b) / n,
        "ci_low": -0.1,
        "ci_high": 0.1,
        "p_value": 0.5,
        "p_value_adjusted": 0.5,
        "effect_size_ci_low": -0.1,
        "effect_size_ci_high": 0.1,
        **dict(zip(MC_COUNTS.values(), (a, b, c, d))),
    }


def test_mcnemar_shares_are_hidden_when_only_the_later_wave_is_small():
    out = protect_indicators(_rows([_mc(a=2, b=20, c=1, d=27)]), COUNT_COLUMNS, VALUE_COLUMNS, 5)  # yes before 22, yes after 3
    r = out.iloc[0]
    assert pd.isna(r["mean_post"]) and pd.isna(r["mean_pre"])  # the pre share and the difference give the post one


def test_mcnemar_interval_is_hidden_when_few_changed_answer():
    out = protect_indicators(_rows([_mc(a=20, b=3, c=12, d=15)]), COUNT_COLUMNS, VALUE_COLUMNS, 5)
    r = out.iloc[0]
    for col in ("ci_low", "ci_high", "p_value", "p_value_adjusted", "effect_size_ci_low"):
        assert pd.isna(r[col]), col
    assert r["mean_change"] == pytest.approx(9 / 50) and r["n_paired"] == 50


def test_mcnemar_counts_are_protected_across_partners():
    """b: consortium 13 = A 7 + B 6 + C 0 ... and partner D's 3 would be 13 - 10 without more hiding."""
    t = _rows([_mc(30, 16, 20, 34), _mc(10, 7, 6, 7, "A", "partner"), _mc(10, 6, 7, 7, "B", "partner"), _mc(10, 3, 7, 20, "C", "partner")])
    out = protect_indicators(t, COUNT_COLUMNS, VALUE_COLUMNS, 5)
    assert out["ci_low"].iloc[1:].isna().sum() >= 2  # C's interval and another partner's
    assert pd.notna(out["ci_low"].iloc[0])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=30), min_size=2, max_size=10), st.integers(min_value=0, max_value=8), st.integers(min_value=2, max_value=6))
def test_no_family_gives_away_a_small_group_and_the_total_is_never_picked(ns, residual, k):
    """Drawn families (a total that may include people in no group): after suppression the
    total minus the published groups is 0 or at least k, and the total is never secondary."""
    total = sum(ns) + residual
    t = pd.DataFrame({"m": "x", "group_by": ["consortium", *["g"] * len(ns)], "group": ["all", *[f"v{i}" for i in range(len(ns))]], "n": [total, *ns]})
    out = suppress(t, ["n"], [], k, family_cols=["m", "group_by"], total_mask=t["group_by"].eq("consortium"))
    assert out["suppression"].iloc[0] in ("", "primary")
    if not out["suppressed"].iloc[0]:
        rest = total - out["n"].iloc[1:].fillna(0).sum()
        assert rest == 0 or rest >= k, out


def test_secondary_never_picks_a_total_even_when_it_is_the_cheapest():
    # a family with its total inside: total 9 = 3 + 6; the only other group is bigger than nothing
    t = pd.DataFrame({"f": "x", "group_by": ["all", "l", "l"], "group": ["all", "a", "b"], "n": [9, 3, 6]})
    out = suppress(t, ["n"], [], 5, family_cols=["f"], total_mask=t["group_by"].eq("all"))
    assert out["suppression"].tolist() == ["", "primary", "secondary"]


# -- the published quarantine ---------------------------------------------------------


def test_the_published_quarantine_holds_no_typed_value():
    q = pd.DataFrame(
        {
            "instrument": "s",
            "source_file": "f.csv",
            "source_row": [2, 3, 4, 5, 6, 7, 8, 9],
            "wave": "pre",
            "column": ["att", "gender", "partner", "submission_id", "att", "att", "gender", "att"],
            "value": ["Zebulon Quackenbush", "Mariana Silva, Rua das Flores 12", "Fatima Haddad", "bae0c31b-89ad-490b-9aed-0fa09a6714ee", "5551234", "12", "female", ""],
            "reason": ["not_a_number", "invalid_choice", "unknown_partner", "duplicate_submission", "out_of_range", "out_of_range", "duplicate_record", "missing_required"],
            "detail": [
                "found 'Zebulon Quackenbush'",
                "found 'Mariana Silva, Rua das Flores 12'",
                "'Fatima Haddad'",
                "id 'bae0c31b-89ad-490b-9aed-0fa09a6714ee'",
                "found '5551234'",
                "found '12'",
                "x 'female'",
                "att is required but empty",
            ],
        }
    )
    out = public_quarantine(q, {"s": {"female", "male", "1", "2"}})
    text = out.to_csv(index=False)
    for secret in ("Zebulon", "Quackenbush", "Mariana", "Flores", "Fatima", "bae0c31b", "5551234"):
        assert secret not in text, secret
    assert out["value"].tolist() == [WITHHELD] * 5 + ["12", "female", ""]
    assert out[["source_row", "column", "reason"]].equals(q[["source_row", "column", "reason"]])


def test_a_protected_switch_is_never_turned_off():
    """A total that is also a term of another sum (here the cheapest one to hide) stays published."""
    from pipeline.analysis.disclosure import Cells, protect

    cells = Cells()
    cells.add("everyone", 29, (("elsewhere",),))
    cells.add("total", 6, (("row", "total"),))
    cells.add("big", 20, (("row", "big"),))
    cells.add("small", 3, (("row", "small"),))
    cells.protected |= {("elsewhere",), ("row", "total")}
    cells.margin("everyone", ["total", "big", "small"])
    primary, off = protect(cells, 5)
    assert primary == {("row", "small")} and off == {("row", "small"), ("row", "big")}


def test_partners_are_protected_within_their_country():
    """A (3) and B (20) are the German partners: hiding C (the smallest other partner) would
    leave A = DE - B; with the partners' countries, B is hidden instead."""
    t = pd.DataFrame(
        {
            "m": "x",
            "group_by": ["consortium", "partner", "partner", "partner", "partner", "country", "country"],
            "group": ["all", "A", "B", "C", "D", "DE", "FR"],
            "n": [63, 3, 20, 10, 30, 23, 40],
        }
    )
    parents = {("partner", "A"): ("country", "DE"), ("partner", "B"): ("country", "DE"), ("partner", "C"): ("country", "FR"), ("partner", "D"): ("country", "FR")}
    out = suppress(t, ["n"], [], 5, family_cols=["m", "group_by"], total_mask=t["group_by"].eq("consortium"), parents=parents)
    assert out["suppression"].tolist() == ["", "primary", "secondary", "", "", "", ""]


def _cross_tables(tmp_path, n_completed, n_dropped):
    ind = pd.DataFrame(
        {
            "indicator_id": "ca.attitudes.change",
            "analysis": "paired_change",
            "group_by": ["consortium", "partner", "partner"],
            "group": ["all", "AA", "BB"],
            "n_pre": [80, 40, 40],
            "n_post": [np.nan] * 3,
            "n_paired": [60, 30, 30],
        }
    )
    for col in ("mean_pre", "mean_post", "mean_change", "ci_low", "reliable_improved", "reliable_unchanged", "reliable_worsened"):
        ind[col] = np.nan
    att = pd.DataFrame(
        {
            "instrument": "ca",
            "scale": "attitudes",
            "population": "participants",
            "group_by": ["consortium", "partner", "partner"],
            "group": ["all", "AA", "BB"],
            "n_completed": n_completed,
            "n_dropped": n_dropped,
        }
    )
    ind.to_csv(tmp_path / "indicators.csv", index=False)
    att.to_csv(tmp_path / "attrition.csv", index=False)
    return attack(tmp_path, 5, {})


def test_attrition_and_indicators_together_are_attacked(tmp_path):
    # the old rule: completers = everyone who answered the second survey. AA's 33 completers
    # minus its 30 pairs = 3 people who answered without this scale (and their first-wave
    # mean from mean_completed and mean_pre): found only by reading both tables together
    found = _cross_tables(tmp_path, [66, 33, 33], [14, 7, 7])
    assert any("attrition.csv with indicators.csv" in f and "'AA', 'completed_without_score') = 3" in f for f in found), found
    # completers per scale are the pairs: nothing to subtract
    assert _cross_tables(tmp_path, [60, 30, 30], [20, 10, 10]) == []


def test_attrition_completers_are_the_pairs_of_the_change(example_build):
    att = pd.read_csv(example_build / "attrition.csv")
    t = pd.read_csv(example_build / "indicators.csv")
    kind = {"participants": "change", "comparison group": "comparison_change"}
    checked = 0
    for r in att.loc[~att["suppressed"]].itertuples():
        row = t.loc[(t["indicator_id"] == f"{r.instrument}.{r.scale}.{kind[r.population]}") & (t["group_by"] == r.group_by) & (t["group"].astype(str) == str(r.group))]
        if row.empty or pd.isna(row["n_paired"].iloc[0]):
            continue
        assert r.n_completed == row["n_paired"].iloc[0] and r.n_completed + r.n_dropped == row["n_pre"].iloc[0], (r.scale, r.population, r.group)
        assert r.mean_completed == pytest.approx(row["mean_pre"].iloc[0], rel=1e-9)
        checked += 1
    assert checked >= 20
    cons = t.loc[(t["indicator_id"] == "community_attitudes.attitudes.change") & (t["group_by"] == "consortium") & (t["wave_to"] == "post")].iloc[0]
    first = att.loc[(att["scale"] == "attitudes") & (att["population"] == "participants") & (att["group_by"] == "consortium")].iloc[0]
    assert cons["attrition_smd"] == pytest.approx(first["smd"], rel=1e-12)  # the summary's caveat and attrition.csv agree


FLOW_PAGE = """<table><thead><tr><th>stage</th><th>people</th></tr></thead><tbody>
<tr><td>Before: respondents</td><td>370</td></tr><tr><td>After: respondents</td><td>{after}</td></tr>
<tr><td>Matched: answered both</td><td>289</td></tr><tr><td>Before only (lost to follow-up)</td><td>81</td></tr>
<tr><td>After only (no baseline)</td><td>fewer than 5</td></tr></tbody></table>"""


def test_the_report_audit_finds_counts_nobody_published_and_flow_subtraction():
    from pipeline.report.sections.quality import _flow_hidden
    from tests.attack import flow_attack, unpublished_counts

    published = [pd.DataFrame({"n_paired": [886, 145], "mean_change": [0.5, 1234.0]})]
    page = "<p>Change among the 886 participants (n = 145 pairs); 1,234 people started.</p>"
    found = unpublished_counts({"r.html": page}, published)
    assert len(found) == 1 and "1234" in found[0]  # a count only the report knows; 1234 in a non-count column does not count
    # 292 respondents after, 289 matched, "fewer than 5" after only: 3 by subtraction
    assert flow_attack(FLOW_PAGE.format(after="292"), 5) == ["sample flow table 0: second_only = 3 rebuilt by subtraction"]
    assert flow_attack(FLOW_PAGE.format(after="hidden"), 5) == []
    n = {"kept_first": 370, "kept_second": 292, "matched": 289, "first_only": 81, "second_only": 3}
    assert _flow_hidden(n, 5) == {"second_only", "kept_second"}
    assert _flow_hidden({**n, "kept_second": 300, "second_only": 11}, 5) == set()
