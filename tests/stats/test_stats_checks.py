"""Small fixes of issue 11 (section 5) in pipeline.stats, each against a value worked by hand or R's code.

* McNemar with b = c: R's ``mcnemar.test`` applies the continuity correction only when
  the table is not symmetric (``src/library/stats/R/mcnemar.test.R``:
  ``YATES <- if (correct && (r == 2) && any(x - t(x) != 0)) 1 else 0``), so b = c = 13
  gives McNemar's chi-squared = 0, df = 1, p-value = 1.
* Series with different indexes are lined up by person or refused, never paired by position.
* Numbers so large that an intermediate overflows give NaN with a reason, never t = 0, p = 1.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from pipeline import stats
from pipeline.stats import METHODS, mcnemar, mcnemar_table


class TestMcNemarSymmetric:
    def test_b_equals_c_13_as_r(self):
        # R: mcnemar.test(matrix(c(40, 13, 13, 30), 2)) -> McNemar's chi-squared = 0, df = 1, p-value = 1
        res = mcnemar_table(40, 13, 13, 30)
        assert res.statistic == 0.0 and res.p_value == 1.0
        assert "no continuity correction" in res.method

    def test_b_close_to_c_keeps_the_correction(self):
        # b = 13, c = 14: (|13 - 14| - 1)^2 / 27 = 0 by hand, p = 1; b = 12, c = 15: (3 - 1)^2 / 27 = 4/27
        assert mcnemar_table(0, 13, 14, 0).statistic == 0.0
        res = mcnemar_table(0, 12, 15, 0)
        assert res.statistic == pytest.approx(4 / 27) and res.method.startswith("chi-square with continuity correction")

    def test_from_answers(self):
        pre = [1] * 13 + [0] * 13 + [1] * 5
        post = [0] * 13 + [1] * 13 + [1] * 5
        res = mcnemar(pre, post)
        assert (res.b, res.c, res.statistic, res.p_value) == (13, 13, 0.0, 1.0)

    def test_the_switch_is_named_in_the_methods_registry(self):
        for name in ("mcnemar", "mcnemar_table"):
            text = METHODS[name]["formula"] + " " + METHODS[name]["notes"]
            assert "b + c < 25" in text and "b = c" in text and "exact" in text


class TestSeriesAlignment:
    def test_same_people_in_another_order_are_lined_up(self):
        pre = pd.Series([1.0, 2.0, 3.0, 4.0], index=["a", "b", "c", "d"])
        post = pd.Series([5.0, 1.5, 2.0, 3.5], index=["d", "a", "b", "c"])  # a: +0.5, b: 0, c: +0.5, d: +1
        res = stats.paired_change(pre, post)
        assert res.mean_change == pytest.approx(0.5)
        assert res.sd_pre == pytest.approx(np.std([1, 2, 3, 4], ddof=1))
        # by position it would be 5-1, 1.5-2, 2-3, 3.5-4: mean 0.75; this test rejects it
        assert stats.signed_rank(pre, post).n == 3  # one zero dropped (b)
        assert stats.reliable_change(pre, post, 0.8).table.loc["d", "post"] == 5.0

    @pytest.mark.parametrize(
        "call",
        [
            lambda pre, post: stats.paired_change(pre, post),
            lambda pre, post: stats.signed_rank(pre, post),
            lambda pre, post: stats.mcnemar(pre.clip(0, 1), post.clip(0, 1)),
            lambda pre, post: stats.paired_proportions(pre.clip(0, 1), post.clip(0, 1)),
            lambda pre, post: stats.reliable_change(pre, post, 0.8),
            lambda pre, post: stats.diff_in_diff(pre, post, pd.Series([1, 0, 1], index=pre.index)),
            lambda pre, post: stats.bootstrap_ci((pre, post), "mean_difference", paired=True, n_resamples=10),
        ],
    )
    def test_different_people_are_refused_with_a_message(self, call):
        pre = pd.Series([1.0, 0.0, 1.0], index=[10, 11, 12])
        post = pd.Series([0.0, 1.0, 1.0], index=[11, 12, 13])
        with pytest.raises(ValueError, match="different indexes"):
            call(pre, post)

    def test_repeated_labels_are_refused(self):
        with pytest.raises(ValueError, match="repeated labels"):
            stats.paired_change(pd.Series([1.0, 2.0], index=[1, 1]), pd.Series([1.0, 3.0], index=[2, 1]))

    def test_arrays_pair_by_position(self):
        assert stats.paired_change(np.array([1.0, 2.0, 3.0]), pd.Series([2.0, 2.5, 5.0], index=[7, 8, 9])).mean_change == pytest.approx(7 / 6)


class TestOverflow:
    BIG = [1e308, -1e308, 1.5e308, -1.2e308]

    def test_paired_change_gives_nan_with_a_reason(self):
        res = stats.paired_change(self.BIG, [-v for v in self.BIG])
        assert math.isnan(res.t) and math.isnan(res.p_value) and math.isnan(res.ci_low)
        assert "not finite" in res.reason

    def test_diff_in_diff(self):
        res = stats.diff_in_diff(self.BIG, [-v for v in self.BIG], [1, 1, 0, 0])
        assert math.isnan(res.t) and math.isnan(res.p_value) and "not finite" in res.reason

    def test_attrition(self):
        res = stats.attrition(self.BIG, [1, 1, 0, 0])
        assert math.isnan(res.smd) and not res.flag and "not finite" in res.reason

    def test_reliable_change(self):
        res = stats.reliable_change(self.BIG, [-v for v in self.BIG], 0.8)
        assert math.isnan(res.share_unchanged) and "not finite" in res.reason

    def test_ordinary_numbers_are_untouched(self):
        assert stats.paired_change([1, 2, 3], [2, 4, 5]).reason is None
