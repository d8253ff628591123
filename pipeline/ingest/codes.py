"""Match the waves of a survey by self-generated identification codes.

Respondents who may not give their names build a code from stable facts (letters of a
parent's first name, birth month, digits of a house number). People misremember, so a
code is matched exactly first and then, among the codes left, to a code that differs in at
most ``max_differences`` elements. Ambiguous candidates are never matched: a wrong link
adds a stranger's change to someone else's, which is worse than a missing link.

:func:`match_codes` returns the matched pairs and the counts a flow diagram needs
(how many matched exactly, how many with tolerance, how many were set aside as ambiguous,
how many stayed unmatched on each side).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from itertools import combinations

import numpy as np
import pandas as pd

from pipeline.i18n import N_

__all__ = ["CodeMatch", "match_codes", "METHOD"]

MISSING = -1  # a missing element of a code (compares unequal to everything)
ABSENT = -2  # a position beyond the end of a shorter code

#: Description of the matching method for a report's methods appendix.
METHOD = {
    "name": N_("Matching of waves by self-generated identification codes"),
    "formula": (
        N_(
            "exact matching of unique codes, then pairing of the remaining codes whose Hamming "
            "distance over code elements is at most max_differences (a missing element counts "
            "as a difference), closest first; ambiguous candidates are rejected"
        )
    ),
    "reference": (
        "Yurek, L. A., Vasey, J., & Havens, D. S. (2008). The use of self-generated "
        "identification codes in longitudinal research. Evaluation Review, 32(5), 435-452. "
        "https://doi.org/10.1177/0193841X08316676. Poege, A. (2011). Persoenliche Codes bei "
        "Laengsschnittuntersuchungen III: Fehlertolerante Zuordnung unverschluesselter und "
        "verschluesselter selbstgenerierter Codes im empirischen Test. Methoden - Daten - "
        "Analysen, 5(1), 109-134."
    ),
    "notes": (
        N_(
            "A code occurring on both sides and more than once on either side is ambiguous and "
            "not matched. In the tolerant step a pre code with two or more equally close post "
            "candidates, or a post code claimed by several pre codes at the same distance, is "
            "not matched (nor is any code linked to them at that distance). No code is used "
            "twice. Text codes are compared without case and surrounding spaces by default."
        )
    ),
}


@dataclass(frozen=True, eq=False)
class CodeMatch:
    """Result of :func:`match_codes`.

    Attributes
    ----------
    pairs : pandas.DataFrame
        One row per matched pair: ``pre_index``, ``post_index`` (index labels of the
        inputs, or positions for lists) and ``distance`` (number of differing elements;
        0 = exact), in the order of the pre codes.
    n_pre, n_post : int
        Number of codes on each side (including empty ones).
    n_exact, n_tolerant : int
        Pairs matched exactly and with 1 to ``max_differences`` differences.
    n_ambiguous : int
        Pre codes left unmatched because their candidates were ambiguous (part of
        ``n_unmatched_pre``).
    n_unmatched_pre, n_unmatched_post : int
        Codes left without a partner on each side (ambiguous ones included).
    max_differences : int
        The tolerance used.
    n_ambiguous_post : int
        Post codes left unmatched because they were ambiguous.

    Notes
    -----
    Accounting identities: ``n_pre = n_exact + n_tolerant + n_unmatched_pre`` and
    ``n_post = n_exact + n_tolerant + n_unmatched_post``; ``n_ambiguous <=
    n_unmatched_pre`` and ``n_ambiguous_post <= n_unmatched_post``.
    """

    pairs: pd.DataFrame
    n_pre: int
    n_post: int
    n_exact: int
    n_tolerant: int
    n_ambiguous: int
    n_unmatched_pre: int
    n_unmatched_post: int
    max_differences: int
    n_ambiguous_post: int = 0

    @property
    def n_matched(self) -> int:
        """Number of matched pairs (exact and tolerant)."""
        return self.n_exact + self.n_tolerant

    @property
    def match_rate(self) -> float:
        """Share of pre codes matched to a post code (``nan`` with no pre codes)."""
        return self.n_matched / self.n_pre if self.n_pre else math.nan

    def to_dict(self) -> dict:
        """Counts, tolerance, match rate and the pairs as a list of records."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["pairs"] = self.pairs.to_dict(orient="records")
        out["match_rate"] = self.match_rate
        return out


# --------------------------------------------------------------------------------------
# Reading codes
# --------------------------------------------------------------------------------------


def _is_missing(value) -> bool:
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip() == ""


def _clean_element(value, case_sensitive: bool):
    if _is_missing(value):
        return None
    if isinstance(value, str):
        value = value.strip()
        return value if case_sensitive else value.casefold()
    return value


def _clean_column(values: pd.Series, case_sensitive: bool) -> list:
    """:func:`_clean_element` of every value of one column, vectorised when all are text."""
    present = values.notna()
    if present.any() and values[present].map(type).eq(str).all():
        text = values.astype("string").str.strip()
        if not case_sensitive:
            text = text.str.casefold()
        text = text.where(text.notna() & text.ne(""), None)
        return [None if v is None or v is pd.NA else v for v in text.astype(object).tolist()]
    return [_clean_element(v, case_sensitive) for v in values.tolist()]


def _code_rows(codes, name: str, missing_chars: str, case_sensitive: bool):
    """Codes as (labels, list of element tuples with None for a missing element)."""
    if isinstance(codes, (str, bytes)) or codes is None:
        raise TypeError(f"{name} must be a sequence of codes (list, Series, array) or a DataFrame; got {type(codes).__name__}")
    if isinstance(codes, pd.DataFrame):
        labels = codes.index
        rows = list(zip(*(_clean_column(codes[c], case_sensitive) for c in codes.columns))) if len(codes.columns) else [()] * len(codes)
    else:
        if isinstance(codes, np.ndarray) and codes.ndim == 2:
            return _code_rows(pd.DataFrame(codes), name, missing_chars, case_sensitive)
        labels = codes.index if isinstance(codes, pd.Series) else pd.RangeIndex(len(codes))
        rows = []
        for i, code in enumerate(codes):
            if isinstance(code, str):
                text = code.strip()
                rows.append(tuple(None if ch in missing_chars or ch.isspace() else (ch if case_sensitive else ch.casefold()) for ch in text))
            elif isinstance(code, (tuple, list)):
                rows.append(tuple(_clean_element(v, case_sensitive) for v in code))
            elif _is_missing(code):
                rows.append(())
            else:
                raise TypeError(f"{name}[{i}] must be a string, a tuple/list of elements or missing; got {code!r}")
    if not labels.is_unique:
        raise ValueError(f"the index of {name} must be unique to name matched rows")
    return labels, rows


def _encode(pre_rows, post_rows) -> tuple[np.ndarray, np.ndarray]:
    """Integer matrices of the codes, one column per element position.

    Both sides share one coding per position: ``>= 0`` an element, ``MISSING`` (-1) a
    missing element, ``ABSENT`` (-2) a position beyond the end of a shorter code.
    """
    width = max((len(r) for r in [*pre_rows, *post_rows]), default=0)
    n_pre = len(pre_rows)
    both = pre_rows + post_rows
    matrix = np.full((len(both), width), MISSING, dtype=np.int64)
    for j in range(width):
        column = pd.array([row[j] if j < len(row) else None for row in both], dtype=object)
        codes, _ = pd.factorize(column, use_na_sentinel=True)
        matrix[:, j] = codes
    lengths = np.array([len(r) for r in both], dtype=np.int64)
    matrix[np.arange(width)[np.newaxis, :] >= lengths[:, np.newaxis]] = ABSENT
    return matrix[:n_pre], matrix[n_pre:]


def _text_codes(values: pd.Series, case_sensitive: bool) -> np.ndarray | None:
    """Codes of :func:`_clean_column`'s values when every value is text or missing:
    one code per distinct cleaned text, numbered by first appearance, ``MISSING`` for a
    missing element. Each distinct text is cleaned once. None for any other column."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if not all(isinstance(u, str) for u in uniques.tolist()):
        return None
    text = pd.Series(uniques, dtype="string").str.strip()
    if not case_sensitive:
        text = text.str.casefold()
    merged, _ = pd.factorize(text.where(text.ne("")), use_na_sentinel=True)
    return np.append(merged, MISSING)[codes]


def _encode_frames(pre_codes, post_codes, case_sensitive: bool):
    """:func:`_code_rows` and :func:`_encode` at once, column by column, for two
    DataFrames of text with the same number of columns; None otherwise.

    Gives the same matrices: one code per distinct element and position (numbered
    by first appearance, pre rows first), ``MISSING`` for a missing element.
    """
    if not (isinstance(pre_codes, pd.DataFrame) and isinstance(post_codes, pd.DataFrame)) or pre_codes.shape[1] != post_codes.shape[1]:
        return None
    for name, codes in (("pre_codes", pre_codes), ("post_codes", post_codes)):
        if not codes.index.is_unique:
            raise ValueError(f"the index of {name} must be unique to name matched rows")
    n_pre = len(pre_codes)
    matrix = np.full((n_pre + len(post_codes), pre_codes.shape[1]), MISSING, dtype=np.int64)
    for j in range(pre_codes.shape[1]):
        both = pd.concat([pre_codes.iloc[:, j], post_codes.iloc[:, j]], ignore_index=True)
        codes = _text_codes(both, case_sensitive)
        if codes is None:
            return None
        matrix[:, j] = codes
    return (pre_codes.index, matrix[:n_pre]), (post_codes.index, matrix[n_pre:])


def _distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise number of differing positions; a missing element always differs."""
    return ((a != b) | (a == MISSING) | (b == MISSING)).sum(axis=1)


def _row_keys(matrix: np.ndarray) -> np.ndarray | None:
    """One integer per row that orders rows as their values do, position by position
    (mixed radix), or None when it would not fit in 64 bits; sorting one key is
    much faster than sorting rows."""
    if not matrix.size:
        return None
    low = int(matrix.min())
    sizes = [int(v) - low + 1 for v in matrix.max(axis=0)]
    if math.prod(sizes) >= 2**62:
        return None
    key = np.zeros(matrix.shape[0], dtype=np.int64)
    for j, size in enumerate(sizes):
        key = key * size + (matrix[:, j] - low)
    return key


def _row_groups(*blocks: np.ndarray) -> list[np.ndarray]:
    """Common group ids for identical rows across several integer matrices."""
    stacked = np.vstack(blocks)
    if stacked.shape[1] == 0:
        ids = np.zeros(stacked.shape[0], dtype=np.int64)
    elif (key := _row_keys(stacked)) is not None:
        _, ids = np.unique(key, return_inverse=True)
    else:
        _, ids = np.unique(stacked, axis=0, return_inverse=True)
        ids = ids.ravel()
    out, start = [], 0
    for block in blocks:
        out.append(ids[start : start + block.shape[0]])
        start += block.shape[0]
    return out


# --------------------------------------------------------------------------------------
# Matching steps
# --------------------------------------------------------------------------------------


def _exact_step(pre: np.ndarray, post: np.ndarray, usable_pre, usable_post):
    """Exact matches of complete codes; codes repeated on a side are ambiguous.

    Returns (pairs as (p, q) arrays, ambiguous pre mask, ambiguous post mask).
    """
    complete_pre = usable_pre & (pre != MISSING).all(axis=1)
    complete_post = usable_post & (post != MISSING).all(axis=1)
    p_idx = np.flatnonzero(complete_pre)
    q_idx = np.flatnonzero(complete_post)
    amb_pre = np.zeros(pre.shape[0], dtype=bool)
    amb_post = np.zeros(post.shape[0], dtype=bool)
    if p_idx.size == 0 or q_idx.size == 0:
        return (np.empty(0, np.int64), np.empty(0, np.int64)), amb_pre, amb_post
    g_pre, g_post = _row_groups(pre[p_idx], post[q_idx])
    n_groups = int(max(g_pre.max(), g_post.max())) + 1
    count_pre = np.bincount(g_pre, minlength=n_groups)
    count_post = np.bincount(g_post, minlength=n_groups)
    on_both = (count_pre > 0) & (count_post > 0)
    unique = on_both & (count_pre == 1) & (count_post == 1)
    ambiguous = on_both & ~unique
    amb_pre[p_idx[ambiguous[g_pre]]] = True
    amb_post[q_idx[ambiguous[g_post]]] = True
    # one pre and one post row per unique group: pair them by group id
    p_sel = p_idx[unique[g_pre]]
    q_sel = q_idx[unique[g_post]]
    order_p = np.argsort(g_pre[unique[g_pre]], kind="stable")
    order_q = np.argsort(g_post[unique[g_post]], kind="stable")
    return (p_sel[order_p], q_sel[order_q]), amb_pre, amb_post


def _candidates(pre, post, p_idx, q_idx, max_differences):
    """Candidate pairs within ``max_differences`` elements, found by blocking.

    Two codes differing in at most k positions agree on every position outside some
    set S of k positions, so they share the key "code without the positions in S"
    (with no missing element among the kept positions; the end of a shorter code is a
    value like any other here). Each of the C(width, k) sets S
    is one blocking pass, joined with a merge; exact distances are checked afterwards.
    """
    width = pre.shape[1]
    k = min(max_differences, width)
    found = []
    for dropped in combinations(range(width), k):
        keep = [j for j in range(width) if j not in dropped]
        a = pre[np.ix_(p_idx, keep)]
        b = post[np.ix_(q_idx, keep)]
        ok_a = (a != MISSING).all(axis=1)
        ok_b = (b != MISSING).all(axis=1)
        if not ok_a.any() or not ok_b.any():
            continue
        g_a, g_b = _row_groups(a[ok_a], b[ok_b])
        left = pd.DataFrame({"g": g_a, "p": p_idx[ok_a]})
        right = pd.DataFrame({"g": g_b, "q": q_idx[ok_b]})
        found.append(left.merge(right, on="g")[["p", "q"]])
    if not found:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int64)
    cand = pd.concat(found, ignore_index=True).drop_duplicates()
    p = cand["p"].to_numpy(np.int64)
    q = cand["q"].to_numpy(np.int64)
    distance = _distances(pre[p], post[q])
    close = distance <= max_differences
    return p[close], q[close], distance[close]


def _tolerant_step(pre, post, free_pre, free_post, max_differences):
    """Pair the remaining codes, closest distance first, rejecting ambiguous links.

    At each distance d = 1..max_differences the links at distance d among codes still
    free form a bipartite graph; a link whose two codes have no other link at that
    distance is a match. Every other code with a link at distance d is ambiguous and
    leaves the pool.
    """
    matched_p, matched_q, matched_d = [], [], []
    amb_pre = np.zeros(pre.shape[0], dtype=bool)
    amb_post = np.zeros(post.shape[0], dtype=bool)
    if max_differences < 1 or pre.shape[1] == 0:
        return (np.array(matched_p, np.int64), np.array(matched_q, np.int64), np.array(matched_d, np.int64)), amb_pre, amb_post
    p_all, q_all, d_all = _candidates(pre, post, np.flatnonzero(free_pre), np.flatnonzero(free_post), max_differences)
    free_pre, free_post = free_pre.copy(), free_post.copy()
    for d in range(1, max_differences + 1):
        at_d = (d_all == d) & free_pre[p_all] & free_post[q_all]
        p, q = p_all[at_d], q_all[at_d]
        if p.size == 0:
            continue
        deg_p = np.bincount(p, minlength=pre.shape[0])
        deg_q = np.bincount(q, minlength=post.shape[0])
        single = (deg_p[p] == 1) & (deg_q[q] == 1)
        matched_p.extend(p[single])
        matched_q.extend(q[single])
        matched_d.extend([d] * int(single.sum()))
        amb_pre[p[~single]] = True
        amb_post[q[~single]] = True
        free_pre[p] = False
        free_post[q] = False
    return (np.array(matched_p, np.int64), np.array(matched_q, np.int64), np.array(matched_d, np.int64)), amb_pre, amb_post


def match_codes(
    pre_codes,
    post_codes,
    max_differences: int = 1,
    *,
    missing_chars: str = "?",
    case_sensitive: bool = False,
) -> CodeMatch:
    """Match self-generated identification codes of two waves.

    Parameters
    ----------
    pre_codes, post_codes : sequence or pandas.DataFrame
        The codes of each wave, in one of three forms:

        * a list, array or Series of strings: each character is one element
          (``"MA0312"`` has six elements); characters in ``missing_chars`` and spaces
          inside a code are missing elements;
        * a list, array or Series of tuples/lists: each item is one element
          (``("MA", 3, "12")`` has three); ``None``/NaN/"" is a missing element;
        * a DataFrame (or 2-D array) with one column per element.

        A missing code (``None``/NaN, or only missing elements) matches nothing. When
        two codes have unequal lengths, each position the shorter one lacks counts as a
        difference. Rows are named by the index of a Series/DataFrame, otherwise by
        position.
    max_differences : int, default 1
        Largest number of differing elements for a tolerant match (0: exact only).
    missing_chars : str, default "?"
        Characters standing for an unknown element in string codes.
    case_sensitive : bool, default False
        Compare text elements with their case (default: ignore case and surrounding
        spaces).

    Returns
    -------
    CodeMatch
        ``pairs`` (pre_index, post_index, distance) and the counts; ``match_rate`` =
        matched / n_pre.

    Notes
    -----
    1. **Exact step.** Complete codes (no missing element) that occur exactly once on
       each side are matched. A code occurring on both sides and more than once on
       either side is ambiguous: none of its rows is matched and they take no part in
       the tolerant step.
    2. **Tolerant step.** Among the codes left, the distance of two codes is the number
       of element positions where they differ (Hamming distance; a missing element on
       either side counts as a difference). For d = 1, ..., ``max_differences``: a pre
       and a post code at distance d are matched when neither has another free code at
       distance d. A pre code with two or more equally close candidates, a post code
       claimed by several pre codes at the same distance, and every code linked to them
       at that distance are ambiguous and left unmatched.

    Candidates are found by blocking, not by comparing all pairs: codes within k
    differences share the key "code without positions S" for some set S of k
    positions, so each of the C(width, k) sets is one hash join. With
    ``max_differences=1`` and 10,000 codes a side this takes well under a second. The
    result does not depend on the order of the rows.

    Examples
    --------
    >>> res = match_codes(["MA03", "JO11", "KE07"], ["MA03", "JO12", "XX99"])
    >>> res.pairs.to_dict(orient="list")
    {'pre_index': [0, 1], 'post_index': [0, 1], 'distance': [0, 1]}
    >>> res.n_exact, res.n_tolerant, res.n_unmatched_pre, round(res.match_rate, 3)
    (1, 1, 1, 0.667)
    """
    if isinstance(max_differences, bool) or not isinstance(max_differences, (int, np.integer)):
        raise TypeError(f"max_differences must be a whole number; got {max_differences!r}")
    if max_differences < 0:
        raise ValueError(f"max_differences must be 0 or more; got {max_differences}")
    if not isinstance(missing_chars, str):
        raise TypeError(f"missing_chars must be a string of characters; got {missing_chars!r}")
    max_differences = int(max_differences)
    encoded = _encode_frames(pre_codes, post_codes, case_sensitive)
    if encoded is not None:  # columns of text (as ingestion gives them): no tuple per row
        (pre_labels, pre), (post_labels, post) = encoded
    else:
        pre_labels, pre_rows = _code_rows(pre_codes, "pre_codes", missing_chars, case_sensitive)
        post_labels, post_rows = _code_rows(post_codes, "post_codes", missing_chars, case_sensitive)
        pre, post = _encode(pre_rows, post_rows)
    n_pre, n_post = pre.shape[0], post.shape[0]

    usable_pre = (pre >= 0).any(axis=1) if pre.shape[1] else np.zeros(n_pre, bool)
    usable_post = (post >= 0).any(axis=1) if post.shape[1] else np.zeros(n_post, bool)
    (ep, eq), amb_pre, amb_post = _exact_step(pre, post, usable_pre, usable_post)

    free_pre = usable_pre & ~amb_pre
    free_post = usable_post & ~amb_post
    free_pre[ep] = False
    free_post[eq] = False
    (tp, tq, td), amb_pre_t, amb_post_t = _tolerant_step(pre, post, free_pre, free_post, max_differences)
    amb_pre |= amb_pre_t
    amb_post |= amb_post_t

    p = np.concatenate([ep, tp])
    q = np.concatenate([eq, tq])
    d = np.concatenate([np.zeros(ep.size, np.int64), td])
    order = np.lexsort((q, p))
    p, q, d = p[order], q[order], d[order]
    pairs = pd.DataFrame(
        {
            "pre_index": pre_labels[p] if p.size else pre_labels[:0],
            "post_index": post_labels[q] if q.size else post_labels[:0],
            "distance": d.astype(np.int64),
        }
    )
    n_matched = int(p.size)
    return CodeMatch(
        pairs=pairs,
        n_pre=int(n_pre),
        n_post=int(n_post),
        n_exact=int(ep.size),
        n_tolerant=int(tp.size),
        n_ambiguous=int(amb_pre.sum()),
        n_unmatched_pre=int(n_pre - n_matched),
        n_unmatched_post=int(n_post - n_matched),
        max_differences=max_differences,
        n_ambiguous_post=int(amb_post.sum()),
    )
