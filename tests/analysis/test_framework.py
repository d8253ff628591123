"""The results framework: the file is checked, every indicator computed by hand, statuses at their boundaries."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
import yaml

from pipeline.analysis import status as st
from pipeline.analysis.aggregations import wilson
from pipeline.analysis.framework import compute, load_framework, parse_framework, results_table
from pipeline.config import SURVEYS_DIR
from pipeline.errors import CodebookError
from pipeline.instruments.registry import load_consortium

FRAMEWORK = SURVEYS_DIR / "indicators.yaml"
CONS = load_consortium(SURVEYS_DIR / "consortium.yaml")
SEEDS = sorted((SURVEYS_DIR.parents[1] / "shared" / "seeds").glob("*.txt")) if (SURVEYS_DIR.parents[1] / "shared").is_dir() else []


def doc():
    return yaml.safe_load(FRAMEWORK.read_text(encoding="utf-8"))


class TestTheFile:
    def test_loads_every_result_with_indicators_or_a_reason(self):
        fw = load_framework(FRAMEWORK)
        assert [r.id for r in fw.results][:2] == ["M1", "M2"] and len(fw.results) == 17
        for r in fw.results:
            assert r.indicators or (r.type == "qualitative" and r.reason and r.evidence)
        assert {i.instrument for i in fw.indicators} == {
            "activity_register",
            "partnership_network",
            "community_attitudes",
            "staff_training",
            "organisational_capacity",
            "beneficiary_feedback",
        }
        levels = {i.kirkpatrick for i in fw.indicators if i.instrument == "staff_training"}
        assert levels == {"reaction", "learning", "behaviour"}

    def test_every_expected_result_of_the_project_text_is_listed(self):
        fw = load_framework(FRAMEWORK)
        listed = " ".join(" ".join(r.text.split()) for r in fw.results).lower()
        expected = [
            "Serving good examples of activities for social integration",
            "To inform the relevant staff",
            "To enhance the capacity of the organization",
            "To develop networks and links at local, national and international level",
            "To develop cross-border communication and collaboration",
            "Fostering equity, social cohesion",
            "A more modern dynamic",
            "Increased quality of actions",
            "Raising awareness of the community",
            "Development of closer cooperation",
            "coordination mechanism",
        ]
        for text in expected:
            assert text.lower() in listed, text


def bad(path, change):
    d = doc()
    change(d)
    with pytest.raises(CodebookError) as err:
        parse_framework(d, "fw.yaml", (SURVEYS_DIR,))
    return str(err.value)


def ind(d, rid, iid):
    res = next(r for r in d["results"] if r["id"] == rid)
    return next(i for i in res["indicators"] if i["id"] == iid)


@pytest.mark.parametrize(
    "change, entry, words",
    [
        (lambda d: ind(d, "E5", "training_reaction").update(instrument="staff_survey"), "(training_reaction).instrument", "unknown instrument 'staff_survey'"),
        (lambda d: ind(d, "E5", "training_reaction")["formula"].update(measure="reactions"), "(training_reaction).formula.measure", "no column 'reactions'"),
        (lambda d: ind(d, "E5", "training_reaction")["formula"].update(wave="after"), "(training_reaction).formula.wave", "'after' is not a wave"),
        (lambda d: ind(d, "E5", "training_reaction")["formula"].update(aggregation="median"), "(training_reaction).formula.aggregation", "expected one of"),
        (lambda d: ind(d, "E5", "training_reaction").update(disaggregations=["region"]), "(training_reaction).disaggregations", "unknown column(s) ['region']"),
        (lambda d: ind(d, "E5", "jstes_held")["formula"]["where"][0].update(value="training"), "(jstes_held).formula.where[0].value", "['training'] not among the choices"),
        (lambda d: ind(d, "E5", "jstes_held").update(status_rule="strict"), "(jstes_held).status_rule", "unknown status rule 'strict'"),
        (lambda d: ind(d, "E5", "jstes_held").update(dac_criterion="efficacy"), "(jstes_held).dac_criterion", "expected one of"),
        (lambda d: ind(d, "E5", "jstes_held").pop("target"), "results[6] (E5).indicators[0]", "missing key(s) ['target']"),
        (lambda d: ind(d, "E6", "capacity_change")["formula"].update(measure="cap_finance"), "(capacity_change).formula.measure", "no column 'cap_finance'"),
        (lambda d: ind(d, "E9", "partner_density").update(disaggregations=["partner"]), "(partner_density).disaggregations", "not broken down"),
        (lambda d: ind(d, "E8", "new_ties")["formula"].update(aggregation="org_mean_change", measure="level", to="endline"), "(new_ties).formula", "no parameter(s) ['key']"),
        (lambda d: d["results"][3].pop("evidence"), "results[3] (E2)", "needs ['evidence']"),
    ],
)
def test_a_bad_entry_is_named(change, entry, words):
    msg = bad(FRAMEWORK, change)
    assert msg.startswith("fw.yaml: ") and entry in msg and words in msg, msg


class TestStatus:
    threshold = st.StatusRule("t", "threshold", "x")
    linear = st.StatusRule("l", "linear_progress", "x", tolerance=0.8, final_from=0.9)

    @pytest.mark.parametrize("value, expected", [(0.5, "achieved"), (0.4999, "off track"), (0.8, "achieved"), (None, "no data"), (float("nan"), "no data")])
    def test_threshold_at_its_boundary(self, value, expected):
        assert st.status(self.threshold, value, 0, 0.5) == expected

    def test_decrease_reaches_from_above(self):
        assert st.status(self.threshold, 10, 20, 10, "decrease") == "achieved"
        assert st.status(self.threshold, 10.01, 20, 10, "decrease") == "off track"

    @pytest.mark.parametrize(
        "value, elapsed, expected",
        [
            (40, 0.5, "on track"),  # progress 0.4 = 0.8 x 0.5 exactly
            (39.9, 0.5, "off track"),
            (100, 0.2, "achieved"),
            (89, 0.8999, "on track"),  # 0.89 >= 0.8 x 0.8999
            (89, 0.9, "off track"),  # data final from 90% of the period
            (0, 0.0, "on track"),  # nothing expected yet
        ],
    )
    def test_linear_progress_at_its_boundaries(self, value, elapsed, expected):
        assert st.status(self.linear, value, 0, 100, "increase", elapsed) == expected

    def test_progress_counts_from_the_baseline(self):
        assert st.progress(30, 20, 40) == pytest.approx(0.5)
        assert st.status(self.linear, 30, 20, 40, "increase", 0.6) == "on track"  # 0.5 >= 0.48
        assert st.status(self.linear, 30, 20, 40, "increase", 0.7) == "off track"  # 0.5 < 0.56

    def test_ci_bound_judges_on_the_cautious_side(self):
        rule = st.StatusRule("c", "threshold", "x", compare="ci_bound")
        assert st.status(rule, 0.6, 0, 0.5, ci_low=0.45, ci_high=0.75) == "off track"
        assert st.status(rule, 0.6, 0, 0.5, ci_low=0.5, ci_high=0.75) == "achieved"
        assert st.status(rule, 0.6, 0, 0.5) == "achieved"  # no interval: the estimate

    def test_elapsed_share(self):
        assert st.elapsed_share(dt.date(2026, 1, 1), dt.date(2025, 1, 1), dt.date(2026, 12, 31)) == pytest.approx(365 / 729)
        assert st.elapsed_share(dt.date(2027, 6, 1), dt.date(2025, 1, 1), dt.date(2026, 12, 31)) == 1.0


# ---------------------------------------------------------------------------
# Values on small fixtures, computed by hand
# ---------------------------------------------------------------------------

RULES = {"once": {"kind": "threshold", "description": "x"}, "build": {"kind": "linear_progress", "description": "x", "tolerance": 0.8, "final_from": 0.9}}


def framework(*indicators, rule="once"):
    inds = []
    for k, (instrument, formula, extra) in enumerate(indicators):
        inds.append({"id": f"i{k}", "name": f"i{k}", "definition": "d", "instrument": instrument, "formula": formula, "unit": "u", "target": extra.pop("target", 1), "status_rule": rule, **extra})
    return parse_framework({"status_rules": RULES, "results": [{"id": "R", "result": "r", "indicators": inds}]}, "fw.yaml", (SURVEYS_DIR,))


def register():
    rows = [
        # id, partner, type, attending, refugees, locals, staff, external, female, male, other, ext orgs
        ("A1", "GR-THE", "local_activity", "GR-THE", 10, 8, 2, 0, 12, 6, 2, 1),
        ("A2", "GR-THE", "local_activity", "GR-THE", 4, 10, 1, 1, 9, 7, 0, 0),
        ("A3", "IT-PAL", "local_activity", "IT-PAL", 6, 6, 0, 0, 6, 6, 0, 2),
        ("M1", "ES-VAL", "transnational_meeting", "GR-THE IT-PAL ES-VAL DE-LEI", 0, 0, 9, 0, 5, 4, 0, 0),
        ("M2", "PT-LIS", "transnational_meeting", "GR-THE IT-PAL ES-VAL DE-LEI PT-LIS", 0, 0, 11, 0, 6, 5, 0, 0),
    ]
    out = []
    for aid, p, kind, att, r, l, s, e, f, m, o, orgs in rows:
        total = r + l + s + e
        out.append(
            {
                "wave": "register",
                "activity_id": aid,
                "partner": p,
                "country": CONS.country_of()[p],
                "activity_type": kind,
                "partners_attending": att,
                "participants_total": total,
                "p_refugee_migrant": r,
                "p_local_resident": l,
                "p_partner_staff": s,
                "p_external_org": e,
                "p_female": f,
                "p_male": m,
                "p_gender_other": o,
                "p_age_under_18": 0,
                "p_age_18_29": total,
                "p_age_30_44": 0,
                "p_age_45_64": 0,
                "p_age_65_plus": 0,
                "external_organisations": orgs,
                "start_date": pd.Timestamp("2025-06-01"),
                "end_date": pd.Timestamp("2025-06-01"),
            }
        )
    frame = pd.DataFrame(out)
    for c in frame.columns:
        if c.startswith("p_") or c in ("participants_total", "external_organisations"):
            frame[c] = frame[c].astype("float64")
    return frame


LOCAL = [{"column": "activity_type", "value": "local_activity"}]


def rows_of(table, iid):
    return table.loc[table["indicator_id"] == iid].set_index(["group_by", "group"])


def test_register_counts_sums_and_breakdowns_by_hand():
    fw = framework(
        ("activity_register", {"aggregation": "count_rows", "where": LOCAL}, {"disaggregations": ["partner"], "target": 3}),
        ("activity_register", {"aggregation": "sum", "headcount": "participants", "where": LOCAL}, {"disaggregations": ["gender", "group"]}),
        ("activity_register", {"aggregation": "sum", "headcount": "participants", "category": "refugee_migrant", "where": LOCAL}, {}),
        ("activity_register", {"aggregation": "attendance_rate", "column": "partners_attending", "where": [{"column": "activity_type", "value": "transnational_meeting"}]}, {"target": 1.0}),
        ("activity_register", {"aggregation": "count_distinct", "column": "partners_attending"}, {"target": 5}),
        ("activity_register", {"aggregation": "sum", "column": "external_organisations", "where": LOCAL}, {}),
    )
    t = compute(fw, {"activity_register": register()}, CONS, 5)
    i0 = rows_of(t, "i0")
    assert i0.loc[("consortium", "all"), "value"] == 3 and i0.loc[("partner", "GR-THE"), "value"] == 2 and i0.loc[("partner", "IT-PAL"), "value"] == 1
    assert i0.loc[("consortium", "all"), "status"] == "achieved"
    assert not i0["suppressed"].any()  # activities are not people
    i1 = rows_of(t, "i1")
    # total 20 + 16 + 12 = 48; female 12 + 9 + 6 = 27, male 19, other 2 (primary), smallest other (male) secondary
    assert i1.loc[("consortium", "all"), "value"] == 48
    assert i1.loc[("gender", "female"), "value"] == 27
    assert i1.loc[("gender", "other_or_not_stated"), "suppression"] == "primary" and pd.isna(i1.loc[("gender", "other_or_not_stated"), "value"])
    assert i1.loc[("gender", "male"), "suppression"] == "secondary"
    # by group: refugees 20, locals 24, staff 3 (primary), external 1 (primary): two hidden, no secondary needed
    assert i1.loc[("group", "refugee_migrant"), "value"] == 20 and i1.loc[("group", "local_resident"), "value"] == 24
    assert set(i1.loc[[("group", "partner_staff"), ("group", "external_org")], "suppression"]) == {"primary"}
    assert rows_of(t, "i2").loc[("consortium", "all"), "value"] == 20
    i3 = rows_of(t, "i3").loc[("consortium", "all")]
    assert i3["value"] == pytest.approx(9 / 10) and i3["status"] == "off track"  # PT-LIS missed the first meeting
    assert rows_of(t, "i4").loc[("consortium", "all"), "value"] == 5
    assert rows_of(t, "i5").loc[("consortium", "all"), "value"] == 3 and pd.isna(rows_of(t, "i5").loc[("consortium", "all"), "n_people"])


def ties():
    rows = [
        # wave, partner, organisation, type, level, country, intensity, joined
        ("baseline", "GR-THE", "Thessaloniki Food Bank", "ngo", "local", "GR", "information_exchange", "no"),
        ("baseline", "GR-THE", "Associação Lisboa Acolhe", "ngo", "international", "PT", "joint_activity", "no"),
        ("baseline", "IT-PAL", "Palermo Youth Centre", "ngo", "local", "IT", "joint_activity", "no"),
        ("endline", "GR-THE", "thessaloniki  food bank", "ngo", "local", "GR", "joint_activity", "yes"),
        ("endline", "GR-THE", "Associação Lisboa Acolhe", "ngo", "international", "PT", "formal_agreement", "no"),
        ("endline", "GR-THE", "City of Graz, Integration Office", "public_authority", "international", "AT", "information_exchange", "yes"),
        ("endline", "IT-PAL", "Ankommen Leipzig e.V.", "ngo", "international", "DE", "joint_activity", "no"),
        ("endline", "DE-LEI", "Comune di Palermo, Servizio Inclusione", "public_authority", "international", "IT", "joint_activity", "no"),
        ("endline", "PT-LIS", "City of Graz, Integration Office", "public_authority", "international", "AT", "information_exchange", "yes"),
    ]
    f = pd.DataFrame(rows, columns=["wave", "partner", "organisation", "org_type", "level", "org_country", "intensity", "joined_coordination"])
    f["country"] = f["partner"].map(CONS.country_of())
    return f


def test_network_indicators_by_hand():
    fw = framework(
        ("partnership_network", {"aggregation": "count_new", "key": ["partner", "organisation"], "from": "baseline", "to": "endline"}, {"disaggregations": ["partner"]}),
        (
            "partnership_network",
            {"aggregation": "count_rows", "wave": "latest", "where": [{"column": "cross_border", "value": "yes"}]},
            {"baseline": {"measured_at": "baseline"}, "target": {"above_baseline": 3}},
        ),
        ("partnership_network", {"aggregation": "network", "measure": "partner_density", "wave": "endline"}, {"baseline": {"measured_at": "baseline"}}),
        ("partnership_network", {"aggregation": "network", "measure": "organisations_reached", "wave": "endline"}, {}),
        (
            "partnership_network",
            {"aggregation": "count_distinct", "column": "organisation", "wave": "endline", "where": [{"column": "joined_coordination", "value": "yes"}, {"column": "partner_tie", "value": "no"}]},
            {},
        ),
    )
    t = compute(fw, {"partnership_network": ties()}, CONS, 5)
    new = rows_of(t, "i0")
    # the food bank is the same organisation typed differently: GR-THE's only new tie is Graz; IT-PAL: Leipzig; DE-LEI: Palermo; PT-LIS: Graz
    assert new.loc[("consortium", "all"), "value"] == 4 and new.loc[("partner", "GR-THE"), "value"] == 1
    cb = rows_of(t, "i1").loc[("consortium", "all")]
    assert (cb["baseline"], cb["value"], cb["target"]) == (1, 5, 4) and cb["status"] == "achieved"
    dens = rows_of(t, "i2").loc[("consortium", "all")]
    # endline partner pairs: GR-PT, IT-DE (named by both sides: one tie) -> 2 of 10; baseline GR-PT: 1 of 10
    assert dens["value"] == pytest.approx(0.2) and dens["baseline"] == pytest.approx(0.1)
    assert rows_of(t, "i3").loc[("consortium", "all"), "value"] == 2  # food bank, Graz
    assert rows_of(t, "i4").loc[("consortium", "all"), "value"] == 2  # food bank, Graz (named by two partners)


def ratings():
    # partner, wave, raters' capacity scores
    data = {
        ("GR-THE", "baseline"): [2, 2, 3, 2, 2, 3],
        ("GR-THE", "endline"): [3, 3, 3, 2, 3],
        ("IT-PAL", "baseline"): [1, 2, 2, 2, 1],
        ("IT-PAL", "endline"): [2, 2, 3, 2],
        ("ES-VAL", "baseline"): [3, 3, 3, 3, 3],
    }
    rows = [{"partner": p, "wave": w, "respondent_id": f"{p}{w}{k}", "capacity": float(v), "cap_digital": float(v)} for (p, w), vs in data.items() for k, v in enumerate(vs)]
    return pd.DataFrame(rows)


def test_organisation_level_change_by_hand():
    fw = framework(("organisational_capacity", {"aggregation": "org_mean_change", "measure": "capacity", "from": "baseline", "to": "latest"}, {"disaggregations": ["partner"], "target": 0.5}))
    t = rows_of(compute(fw, {"organisational_capacity": ratings()}, CONS, 5), "i0")
    gr = 14 / 5 - 14 / 6
    it = 9 / 4 - 8 / 5
    cons = t.loc[("consortium", "all")]
    assert cons["value"] == pytest.approx((gr + it) / 2) and cons["n"] == 2  # ES-VAL has no endline
    assert (cons["value_min"], cons["value_max"]) == (pytest.approx(gr), pytest.approx(it))
    assert pd.isna(cons["value_ci_low"]) and pd.isna(cons["p_value"])  # no inference on five organisations
    assert t.loc[("partner", "GR-THE"), "value"] == pytest.approx(gr)
    assert t.loc[("partner", "IT-PAL"), "suppression"] == "primary"  # four raters at endline
    assert cons["status"] == "achieved"


def test_mean_change_reproduces_r_paired_t_test():
    # R: with(sleep, t.test(extra[group == 2], extra[group == 1], paired = TRUE))
    # mean difference 1.58, 95% CI 0.7001142 to 2.4598858, t = 4.0621, df = 9, p-value = 0.002833
    g1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
    g2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]
    rows = pd.DataFrame({"respondent_id": [f"p{k}" for k in range(10)] * 2, "wave": ["pre"] * 10 + ["post"] * 10, "competence": g1 + g2, "partner": "GR-THE"})
    fw = framework(("staff_training", {"aggregation": "mean_change", "measure": "competence", "from": "pre", "to": "post"}, {"target": 1.0}))
    r = rows_of(compute(fw, {"staff_training": rows}, CONS, 5), "i0").loc[("consortium", "all")]
    assert r["value"] == pytest.approx(1.58)
    assert (r["value_ci_low"], r["value_ci_high"]) == (pytest.approx(0.7001142, abs=1e-6), pytest.approx(2.4598858, abs=1e-6))
    assert r["t"] == pytest.approx(4.0621, abs=1e-4) and r["df"] == 9 and r["p_value"] == pytest.approx(0.002833, abs=1e-6)
    assert r["effect_size_type"] == "d_z" and r["effect_size"] == pytest.approx(1.58 / np.std(np.subtract(g2, g1), ddof=1))
    assert r["status"] == "achieved" and r["n_people"] == 10


def test_share_with_wilson_interval_as_newcombe():
    # Newcombe (1998), Statistics in Medicine 17:857-872, Table I: 81/263 -> Wilson 0.2553 to 0.3662
    lo, hi = wilson(81, 263)
    assert (lo, hi) == (pytest.approx(0.2553, abs=5e-5), pytest.approx(0.3662, abs=5e-5))
    rows = pd.DataFrame({"wave": "feedback", "partner": "GR-THE", "fb_quality": [5.0] * 81 + [3.0] * 182 + [np.nan] * 7})
    fw = framework(("beneficiary_feedback", {"aggregation": "share", "measure": "fb_quality", "condition": {"op": ">=", "value": 4}}, {"target": 0.3}))
    r = rows_of(compute(fw, {"beneficiary_feedback": rows}, CONS, 5), "i0").loc[("consortium", "all")]
    assert r["value"] == pytest.approx(81 / 263) and r["n"] == 263 and r["status"] == "achieved"


def test_mean_with_t_interval_and_small_groups_hidden():
    x = [4.0, 5.0, 3.0, 4.0, 4.0, 5.0, 2.0]
    rows = pd.DataFrame({"wave": "feedback", "partner": ["GR-THE"] * 5 + ["IT-PAL"] * 2, "quality_of_actions": x})
    fw = framework(("beneficiary_feedback", {"aggregation": "mean", "measure": "quality_of_actions"}, {"disaggregations": ["partner"], "target": 4.0}))
    t = rows_of(compute(fw, {"beneficiary_feedback": rows}, CONS, 5), "i0")
    m, s = np.mean(x), np.std(x, ddof=1)
    half = 2.446912 * s / np.sqrt(7)  # qt(0.975, 6) = 2.446912
    cons = t.loc[("consortium", "all")]
    assert cons["value"] == pytest.approx(m) and cons["value_ci_low"] == pytest.approx(m - half, abs=1e-6)
    assert cons["status"] == "off track"  # 3.857 < 4
    assert t.loc[("partner", "IT-PAL"), "suppression"] == "primary" and t.loc[("partner", "GR-THE"), "suppression"] == "secondary"


def test_no_data_when_the_instrument_is_absent_or_too_small():
    fw = framework(
        ("beneficiary_feedback", {"aggregation": "mean", "measure": "quality_of_actions"}, {}),
        ("activity_register", {"aggregation": "count_rows"}, {}),
    )
    rows = pd.DataFrame({"wave": "feedback", "partner": "GR-THE", "quality_of_actions": [4.0, 5.0, 4.0]})
    t = compute(fw, {"beneficiary_feedback": rows}, CONS, 5).set_index("indicator_id")
    assert t.loc["i0", "status"] == "no data" and bool(t.loc["i0", "suppressed"]) and pd.isna(t.loc["i0", "value"])
    assert t.loc["i1", "status"] == "no data" and "no activity_register data" in t.loc["i1", "note"]


def test_adding_an_indicator_needs_only_yaml(tmp_path):
    d = doc()
    d["results"][0]["indicators"].append(
        {
            "id": "multiplier_participants_women",
            "name": "Women at multiplier events",
            "definition": "Women counted at multiplier events.",
            "instrument": "activity_register",
            "unit": "people",
            "target": 60,
            "status_rule": "cumulative",
            "formula": {"aggregation": "sum", "headcount": "participants", "category": "female", "where": [{"column": "activity_type", "value": "multiplier_event"}]},
        }
    )
    path = tmp_path / "indicators.yaml"
    path.write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    fw = load_framework(path, (SURVEYS_DIR,))
    t = compute(fw, {"activity_register": register().assign(activity_type="multiplier_event")}, CONS, 5)
    r = t.loc[(t["indicator_id"] == "multiplier_participants_women") & (t["group_by"] == "consortium")].iloc[0]
    assert r["value"] == 12 + 9 + 6 + 5 + 6
    res = results_table(fw, t)
    assert "multiplier_participants_women" in set(res["indicator_id"])
    others = res.loc[res["result_type"].eq("quantitative") & res["instrument"].ne("activity_register"), "status"]
    assert set(others) == {"no data"} and set(res.loc[res["result_type"].eq("qualitative"), "status"]) == {"qualitative"}
