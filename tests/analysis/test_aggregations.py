"""The results framework's aggregations on tiny tables worked by hand (issue 11, section 5).

Each test fails when the behaviour it names changes: one value per organisation, the
smaller wave's raters as the people counted, "no data" for a missing target, and
``where`` conditions that missing values never meet.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from pipeline.analysis import aggregations as ag
from pipeline.analysis import status as st
from pipeline.config import SURVEYS_DIR
from pipeline.instruments.codebook import load_codebook
from pipeline.instruments.registry import load_consortium

CONS = load_consortium(SURVEYS_DIR / "consortium.yaml")
CAPACITY = load_codebook(SURVEYS_DIR / "organisational_capacity.yaml")
CTX = ag.Context(CAPACITY, CONS, person_rows=True)


def ratings(data: dict) -> pd.DataFrame:
    rows = [{"partner": p, "wave": w, "respondent_id": f"{p}-{w}-{k}", "capacity": float(v)} for (p, w), vs in data.items() for k, v in enumerate(vs)]
    return pd.DataFrame(rows)


class TestOrgMean:
    def test_each_organisation_weighs_the_same_whatever_its_raters(self):
        # GR-THE: six raters all 4 -> 4; IT-PAL: one rater 1 -> 1; ES-VAL: 2, 3 -> 2.5.
        # Organisation level: (4 + 1 + 2.5) / 3 = 2.5. Pooling the 9 raters would give
        # (24 + 1 + 5) / 9 = 3.333..., which this test rejects.
        rows = ratings({("GR-THE", "endline"): [4] * 6, ("IT-PAL", "endline"): [1], ("ES-VAL", "endline"): [2, 3]})
        out = ag.agg_org_mean(rows, {"measure": "capacity", "wave": "endline"}, CTX)
        assert out["value"] == pytest.approx(2.5)
        assert out["n"] == 3  # organisations, not raters
        assert out["n_people"] == 9
        assert (out["value_min"], out["value_max"]) == (1.0, 4.0)

    def test_a_rater_without_an_answer_is_not_an_organisation_value(self):
        rows = ratings({("GR-THE", "endline"): [3, 3], ("IT-PAL", "endline"): [2]})
        rows.loc[len(rows)] = {"partner": "IT-PAL", "wave": "endline", "respondent_id": "x", "capacity": np.nan}
        out = ag.agg_org_mean(rows, {"measure": "capacity", "wave": "endline"}, CTX)
        assert out["value"] == pytest.approx(2.5) and out["n_people"] == 3


class TestOrgMeanChange:
    def test_counts_the_smaller_waves_people(self):
        # GR-THE 6 raters at baseline (mean 2), 2 at endline (mean 3): +1;
        # IT-PAL 5 at baseline (mean 1), 4 at endline (mean 2): +1.
        # Value (1 + 1) / 2 = 1; people: min(6 + 5, 2 + 4) = 6 (the smaller wave), not 11.
        rows = ratings(
            {
                ("GR-THE", "baseline"): [2] * 6,
                ("GR-THE", "endline"): [3, 3],
                ("IT-PAL", "baseline"): [1] * 5,
                ("IT-PAL", "endline"): [2] * 4,
            }
        )
        out = ag.agg_org_mean_change(rows, {"measure": "capacity", "from": "baseline", "to": "endline"}, CTX)
        assert out["value"] == pytest.approx(1.0) and out["n"] == 2
        assert out["n_pre"] == 11 and out["n_post"] == 6
        assert out["n_people"] == 6

    def test_an_organisation_rated_once_is_left_out(self):
        rows = ratings({("GR-THE", "baseline"): [2] * 5, ("GR-THE", "endline"): [4] * 5, ("ES-VAL", "baseline"): [1] * 9})
        out = ag.agg_org_mean_change(rows, {"measure": "capacity", "from": "baseline", "to": "endline"}, CTX)
        assert out["value"] == pytest.approx(2.0) and out["n"] == 1 and out["n_people"] == 5


class TestMissingTarget:
    RULE = st.StatusRule("once", "threshold", "x")
    BUILD = st.StatusRule("build", "linear_progress", "x", tolerance=0.8, final_from=0.9)

    @pytest.mark.parametrize("target", [None, math.nan, np.float64("nan"), pd.NA])
    @pytest.mark.parametrize("rule", [RULE, BUILD], ids=["threshold", "linear_progress"])
    def test_no_target_gives_no_data(self, target, rule):
        # value 3 against a target nobody set: neither achieved nor off track
        assert st.status(rule, 3.0, 0.0, target, elapsed=0.5) == st.NO_DATA

    @pytest.mark.parametrize("value", [None, math.nan, pd.NA])
    def test_no_value_gives_no_data(self, value):
        assert st.status(self.RULE, value, 0.0, 1.0) == st.NO_DATA

    def test_a_target_gives_a_status(self):
        assert st.status(self.RULE, 3.0, 0.0, 2.0) == st.ACHIEVED
        assert st.status(self.RULE, 1.0, 0.0, 2.0) == st.OFF_TRACK


class TestWhere:
    @pytest.mark.parametrize("dtype", ["object", "string", "category"])
    @pytest.mark.parametrize(
        ("op", "value", "expected"),
        [
            ("!=", "comparison", ["a", "b"]),
            ("not in", ["comparison"], ["a", "b"]),
            ("==", "participant", ["a", "b"]),
            ("in", ["participant", "comparison"], ["a", "b", "c"]),
        ],
    )
    def test_missing_values_meet_no_condition(self, dtype, op, value, expected):
        # rows a, b participants, c comparison, d and e missing: d, e never selected
        rows = pd.DataFrame({"id": list("abcde"), "took_part": pd.Series(["participant", "participant", "comparison", None, np.nan], dtype=dtype)})
        got = ag.where(rows, [{"column": "took_part", "op": op, "value": value}])
        assert got["id"].tolist() == expected

    @pytest.mark.parametrize(("op", "expected"), [("<", ["a"]), (">=", ["b"]), ("!=", ["a", "b"])])
    def test_missing_numbers_meet_no_condition(self, op, expected):
        rows = pd.DataFrame({"id": list("abc"), "score": [1.0, 5.0, np.nan]})
        assert ag.where(rows, [{"column": "score", "op": op, "value": 3}])["id"].tolist() == expected


class TestShareChange:
    """Share of people whose score changed by at least a threshold (issue 14)."""

    CA = load_codebook(SURVEYS_DIR / "community_attitudes.yaml")
    # changes: +1, 0, -1.5, +2.5, +0.9; p5 answered only before (not counted)
    ROWS = pd.DataFrame(
        {
            "respondent_id": ["p1", "p2", "p3", "p4", "p5", "p1", "p2", "p3", "p4", "p5x"],
            "wave": ["pre"] * 5 + ["post"] * 5,
            "attitudes": [3, 4, 5, 2, 6, 4, 4, 3.5, 4.5, 6.9],
        }
    )

    def test_increase_by_at_least_the_threshold(self):
        ctx = ag.Context(self.CA, CONS, person_rows=True)
        out = ag.agg_share_change(self.ROWS, {"measure": "attitudes", "from": "pre", "to": "post", "threshold": 1}, ctx)
        # +1 and +2.5 reach 1 (+0.9 does not): 2 of the 4 people with both waves
        assert out["n"] == 4 and out["value"] == pytest.approx(0.5)
        # Wilson 95% for 2/4: (2 + z^2/2 -/+ z sqrt(2*2/4 + z^2/4)) / (4 + z^2), z = 1.959964
        z = 1.959964
        half = z * math.sqrt(1 + z**2 / 4)
        assert (out["value_ci_low"], out["value_ci_high"]) == pytest.approx(((2 + z**2 / 2 - half) / (4 + z**2), (2 + z**2 / 2 + half) / (4 + z**2)), abs=1e-6)
        assert (out["wave_from"], out["wave_to"], out["n_people"]) == ("pre", "post", 4)

    def test_decrease(self):
        ctx = ag.Context(self.CA, CONS, person_rows=True)
        out = ag.agg_share_change(self.ROWS, {"measure": "attitudes", "from": "pre", "to": "post", "threshold": 1.5, "direction": "decrease"}, ctx)
        assert out["value"] == pytest.approx(1 / 4)  # -1.5 only

    @pytest.mark.parametrize(("p", "entry"), [({"threshold": 0}, "threshold"), ({"threshold": "1"}, "threshold"), ({"threshold": 1, "direction": "up"}, "direction")])
    def test_parameters_are_checked(self, p, entry):
        from pipeline.analysis.framework import _check_params
        from pipeline.errors import CodebookError

        with pytest.raises(CodebookError, match=f"x.formula.{entry}"):
            _check_params(ag.AGGREGATIONS["share_change"], {"measure": "attitudes", "from": "pre", "to": "post", **p}, self.CA, SURVEYS_DIR / "indicators.yaml", "x.formula")
