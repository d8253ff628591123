"""Tests of pipeline.ingest.codes: hand-built cases for each rule, a brute-force oracle and
property tests."""

from __future__ import annotations

import string
import time
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.ingest.codes import METHOD, CodeMatch, match_codes


def pair_set(res: CodeMatch) -> set[tuple]:
    return set(zip(res.pairs["pre_index"], res.pairs["post_index"], res.pairs["distance"]))


def check_accounting(res: CodeMatch) -> None:
    matched = len(res.pairs)
    assert res.n_exact + res.n_tolerant == matched
    assert res.n_pre == res.n_exact + res.n_tolerant + res.n_unmatched_pre
    assert res.n_post == res.n_exact + res.n_tolerant + res.n_unmatched_post
    assert 0 <= res.n_ambiguous <= res.n_unmatched_pre
    assert 0 <= res.n_ambiguous_post <= res.n_unmatched_post
    assert res.pairs["pre_index"].is_unique and res.pairs["post_index"].is_unique
    assert (res.pairs["distance"] == 0).sum() == res.n_exact
    assert (res.pairs["distance"] <= res.max_differences).all()


# --------------------------------------------------------------------------------------
# Hand-built cases, one per rule
# --------------------------------------------------------------------------------------


class TestExactStep:
    def test_unique_codes_match_exactly(self):
        res = match_codes(["AB01", "CD02", "EF03"], ["EF03", "AB01", "ZZ99"], max_differences=0)
        assert pair_set(res) == {(0, 1, 0), (2, 0, 0)}
        assert (res.n_exact, res.n_tolerant, res.n_ambiguous) == (2, 0, 0)
        assert (res.n_unmatched_pre, res.n_unmatched_post) == (1, 1)
        assert res.match_rate == pytest.approx(2 / 3)
        check_accounting(res)

    def test_code_repeated_in_pre_is_ambiguous(self):
        res = match_codes(["AB01", "AB01", "CD02"], ["AB01", "CD02"])
        assert pair_set(res) == {(2, 1, 0)}
        assert res.n_ambiguous == 2 and res.n_ambiguous_post == 1
        check_accounting(res)

    def test_code_repeated_in_post_is_ambiguous(self):
        res = match_codes(["AB01", "CD02"], ["AB01", "CD02", "AB01"])
        assert pair_set(res) == {(1, 1, 0)}
        assert res.n_ambiguous == 1 and res.n_ambiguous_post == 2
        check_accounting(res)

    def test_ambiguous_exact_codes_take_no_part_in_tolerant_step(self):
        # AB01 is ambiguous (twice in pre); AB02 in post is one element away from both
        # but they are out of the pool; AB02 stays unmatched.
        res = match_codes(["AB01", "AB01"], ["AB01", "AB02"])
        assert res.pairs.empty and res.n_ambiguous == 2 and res.n_unmatched_post == 2
        check_accounting(res)

    def test_duplicates_absent_from_the_other_side_are_not_exact_ambiguous(self):
        # XY12 twice in pre, not in post: no exact conflict, but in the tolerant step post
        # XY13 is claimed by both at distance 1 -> ambiguous.
        res = match_codes(["XY12", "XY12"], ["XY13"])
        assert res.pairs.empty and res.n_ambiguous == 2 and res.n_ambiguous_post == 1

    def test_missing_code_matches_nothing(self):
        res = match_codes(["AB01", None, np.nan, ""], ["AB01", None])
        assert pair_set(res) == {(0, 0, 0)}
        assert res.n_unmatched_pre == 3 and res.n_unmatched_post == 1 and res.n_ambiguous == 0
        check_accounting(res)


class TestTolerantStep:
    def test_one_difference(self):
        res = match_codes(["MA0312", "JO1107"], ["MA0313", "JO1107"])
        assert pair_set(res) == {(0, 0, 1), (1, 1, 0)}
        assert (res.n_exact, res.n_tolerant) == (1, 1)
        check_accounting(res)

    def test_two_differences_need_max_two(self):
        assert match_codes(["MA0312"], ["MB0311"], max_differences=1).pairs.empty
        res = match_codes(["MA0312"], ["MB0311"], max_differences=2)
        assert pair_set(res) == {(0, 0, 2)}

    def test_pre_with_two_equally_close_candidates_is_ambiguous(self):
        res = match_codes(["ABC"], ["ABD", "ABE"])
        assert res.pairs.empty and res.n_ambiguous == 1 and res.n_ambiguous_post == 2
        check_accounting(res)

    def test_post_claimed_by_several_pre_at_same_distance_is_ambiguous(self):
        res = match_codes(["ABX", "ABY", "QRS"], ["ABC", "QRS"])
        assert pair_set(res) == {(2, 1, 0)}
        assert res.n_ambiguous == 2 and res.n_ambiguous_post == 1
        check_accounting(res)

    def test_closer_candidate_wins(self):
        # ABC is 1 away from ABD and 2 away from AXE: not ambiguous, matched to ABD.
        res = match_codes(["ABC"], ["AXE", "ABD"], max_differences=2)
        assert pair_set(res) == {(0, 1, 1)}
        assert res.n_ambiguous == 0

    def test_post_claimed_at_different_distances_goes_to_the_closest(self):
        res = match_codes(["ABD", "AXE"], ["ABC"], max_differences=2)
        assert pair_set(res) == {(0, 0, 1)}
        assert res.n_ambiguous == 0 and res.n_unmatched_pre == 1

    def test_a_code_is_never_used_twice(self):
        # ABC exact-matches ABC; ABD (pre) is one away from ABC (post) but that is taken.
        res = match_codes(["ABC", "ABD"], ["ABC"])
        assert pair_set(res) == {(0, 0, 0)}
        check_accounting(res)

    def test_missing_element_counts_as_a_difference(self):
        res = match_codes(["A?C"], ["ABC"], max_differences=0)
        assert res.pairs.empty
        res = match_codes(["A?C"], ["ABC"], max_differences=1)
        assert pair_set(res) == {(0, 0, 1)}
        # two codes with the same element missing are not identical
        res = match_codes(["A?C"], ["A?C"], max_differences=1)
        assert pair_set(res) == {(0, 0, 1)}
        assert match_codes(["A??"], ["A??"], max_differences=1).pairs.empty

    def test_unequal_lengths_count_the_lacking_positions(self):
        res = match_codes(["ABCD"], ["ABC"], max_differences=1)
        assert pair_set(res) == {(0, 0, 1)}
        assert match_codes(["ABCDE"], ["ABC"], max_differences=1).pairs.empty
        # one over-long code elsewhere does not spoil the exact matches of the others
        res = match_codes(["AB1", "CD2", "EF3XYZ"], ["AB1", "CD2"], max_differences=1)
        assert pair_set(res) == {(0, 0, 0), (1, 1, 0)}

    def test_max_differences_at_least_code_length(self):
        res = match_codes(["AB"], ["XY"], max_differences=2)
        assert pair_set(res) == {(0, 0, 2)}


class TestInputForms:
    def test_tuples_and_dataframes(self):
        pre = [("ma", 3, "12"), ("jo", 11, "07")]
        post = [("MA", 3, "12"), ("jo", 12, "07")]
        res = match_codes(pre, post)
        assert pair_set(res) == {(0, 0, 0), (1, 1, 1)}
        pre_df = pd.DataFrame(pre, columns=["name", "month", "house"], index=["r1", "r2"])
        post_df = pd.DataFrame(post, columns=["name", "month", "house"], index=[101, 102])
        res_df = match_codes(pre_df, post_df)
        assert pair_set(res_df) == {("r1", 101, 0), ("r2", 102, 1)}
        assert list(res_df.pairs.columns) == ["pre_index", "post_index", "distance"]

    def test_dataframe_missing_element(self):
        pre = pd.DataFrame({"a": ["x", "y"], "b": [1, None]})
        post = pd.DataFrame({"a": ["x", "y"], "b": [1, 2]})
        assert pair_set(match_codes(pre, post)) == {(0, 0, 0), (1, 1, 1)}

    def test_series_index_names_rows(self):
        pre = pd.Series(["AB1", "CD2"], index=[10, 20])
        post = pd.Series(["CD2", "AB1"], index=["p", "q"])
        assert pair_set(match_codes(pre, post)) == {(10, "q", 0), (20, "p", 0)}

    def test_case_and_spaces(self):
        assert pair_set(match_codes([" ab12 "], ["AB12"])) == {(0, 0, 0)}
        assert match_codes(["ab12"], ["AB12"], case_sensitive=True, max_differences=0).pairs.empty
        assert pair_set(match_codes(["AB_2"], ["AB12"], missing_chars="_")) == {(0, 0, 1)}

    def test_empty_inputs(self):
        res = match_codes([], [])
        assert res.pairs.empty and res.n_pre == 0 and np.isnan(res.match_rate)
        res = match_codes(["AB"], [])
        assert res.n_unmatched_pre == 1 and res.match_rate == 0.0

    def test_bad_arguments(self):
        with pytest.raises(ValueError, match="max_differences"):
            match_codes(["A"], ["A"], max_differences=-1)
        with pytest.raises(TypeError, match="max_differences"):
            match_codes(["A"], ["A"], max_differences=1.5)
        with pytest.raises(TypeError, match="sequence of codes"):
            match_codes("ABC", ["ABC"])
        with pytest.raises(TypeError, match=r"pre_codes\[1\]"):
            match_codes(["ABC", 12], ["ABC"])
        with pytest.raises(ValueError, match="unique"):
            match_codes(pd.Series(["A", "B"], index=[1, 1]), ["A"])

    def test_to_dict_and_method(self):
        d = match_codes(["AB1"], ["AB2"]).to_dict()
        assert d["pairs"] == [{"pre_index": 0, "post_index": 0, "distance": 1}]
        assert d["match_rate"] == 1.0 and d["max_differences"] == 1
        assert set(METHOD) == {"name", "formula", "reference", "notes"}


def test_ten_thousand_codes_quickly():
    rng = np.random.default_rng(0)
    alphabet = np.array(list(string.ascii_uppercase + string.digits))
    pre = ["".join(rng.choice(alphabet, 6)) for _ in range(10_000)]
    post = []
    for code in pre:
        chars = list(code)
        if rng.random() < 0.3:
            chars[rng.integers(6)] = rng.choice(alphabet)
        post.append("".join(chars))
    order = rng.permutation(10_000)
    post = [post[i] for i in order]
    start = time.perf_counter()
    res = match_codes(pre, post, max_differences=1)
    assert time.perf_counter() - start < 5
    check_accounting(res)
    assert res.match_rate > 0.99
    # every match is the right person (post position order[j] came from pre order[j])
    assert (order[res.pairs["post_index"].to_numpy()] == res.pairs["pre_index"].to_numpy()).all()


# --------------------------------------------------------------------------------------
# Brute-force oracle and properties
# --------------------------------------------------------------------------------------


def _distance(a: str, b: str, missing: str = "?") -> int:
    width = max(len(a), len(b))
    a, b = a.ljust(width, missing), b.ljust(width, missing)
    return sum(x != y or x == missing or y == missing for x, y in zip(a, b))


def oracle(pre: list[str], post: list[str], k: int) -> set[tuple]:
    """The matching rules written out directly, comparing every pair (O(n^2))."""
    cp, cq = Counter(pre), Counter(post)
    pairs, free_p, free_q = set(), set(), set()
    for i, code in enumerate(pre):
        complete = "?" not in code and code != ""
        if complete and cq[code] and cp[code] == 1 and cq[code] == 1:
            pairs.add((i, post.index(code), 0))
        elif not (complete and cq[code]) and code.strip("?"):
            free_p.add(i)
    taken_q = {q for _, q, _ in pairs}
    for j, code in enumerate(post):
        complete = "?" not in code and code != ""
        if j not in taken_q and not (complete and cp[code]) and code.strip("?"):
            free_q.add(j)
    for d in range(1, k + 1):
        links = [(i, j) for i in sorted(free_p) for j in sorted(free_q) if _distance(pre[i], post[j]) == d]
        deg_p = Counter(i for i, _ in links)
        deg_q = Counter(j for _, j in links)
        for i, j in links:
            if deg_p[i] == 1 and deg_q[j] == 1:
                pairs.add((i, j, d))
        free_p -= {i for i, _ in links}
        free_q -= {j for _, j in links}
    return pairs


codes = st.text(alphabet="ABC?", min_size=0, max_size=4)


@settings(max_examples=200, deadline=None)
@given(st.lists(codes, max_size=15), st.lists(codes, max_size=15), st.integers(0, 3))
def test_matches_brute_force_oracle(pre, post, k):
    res = match_codes(pre, post, max_differences=k)
    assert pair_set(res) == oracle(pre, post, k)
    check_accounting(res)
    # stated distances are the real ones
    for i, j, d in pair_set(res):
        assert _distance(pre[i], post[j]) == d


@settings(max_examples=100, deadline=None)
@given(st.lists(codes, max_size=15), st.lists(codes, max_size=15), st.integers(0, 2))
def test_symmetric_in_the_two_waves(pre, post, k):
    forward = pair_set(match_codes(pre, post, max_differences=k))
    backward = pair_set(match_codes(post, pre, max_differences=k))
    assert forward == {(i, j, d) for j, i, d in backward}


@settings(max_examples=100, deadline=None)
@given(st.lists(codes, max_size=15), st.lists(codes, max_size=15), st.randoms(use_true_random=False))
def test_row_order_does_not_matter(pre, post, rnd):
    perm = list(range(len(post)))
    rnd.shuffle(perm)
    shuffled = pd.Series([post[i] for i in perm], index=perm)
    assert pair_set(match_codes(pre, shuffled)) == pair_set(match_codes(pre, post))


@settings(max_examples=100, deadline=None)
@given(st.sets(st.text(alphabet=string.ascii_uppercase + string.digits, min_size=4, max_size=4), max_size=40), st.data())
def test_exact_only_with_unique_codes_returns_identical_codes(universe, data):
    universe = sorted(universe)
    pre = data.draw(st.lists(st.sampled_from(universe), unique=True) if universe else st.just([]))
    post = data.draw(st.lists(st.sampled_from(universe), unique=True) if universe else st.just([]))
    res = match_codes(pre, post, max_differences=0)
    expected = {(i, post.index(c), 0) for i, c in enumerate(pre) if c in post}
    assert pair_set(res) == expected
    assert res.n_exact == len(set(pre) & set(post)) and res.n_tolerant == 0 and res.n_ambiguous == 0
    check_accounting(res)
