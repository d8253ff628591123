"""Yes/no items asked twice: McNemar's test, the change of a paired proportion, and the interval of one share.

See :mod:`pipeline.stats` for the conventions every statistic follows."""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps

from pipeline.i18n import N_
from pipeline.stats._base import _R_CORE, METHODS, NAN, _as_binary, _check_confidence, _paired, _register, _Result

# --------------------------------------------------------------------------------------
# McNemar's test
# --------------------------------------------------------------------------------------

#: Below this many discordant pairs McNemar's test uses the exact binomial test.
MCNEMAR_EXACT_BELOW = 25


@dataclass(frozen=True)
class McNemar(_Result):
    """Result of :func:`mcnemar` / :func:`mcnemar_table`.

    ``b`` = count(pre = 1, post = 0), ``c`` = count(pre = 0, post = 1).
    """

    n: int
    b: int
    c: int
    statistic: float
    p_value: float
    method: str
    reason: str | None


_MCNEMAR_NOTES = N_(
    "Table [[a, b], [c, d]] with rows pre (1, 0) and columns post (1, 0): a = 1->1, "
    "b = 1->0, c = 0->1, d = 0->0. The switch between the two tests: with fewer than 25 "
    "discordant pairs (b + c < 25) the exact two-sided binomial test of b out of b + c at "
    "p = 1/2 (statistic = min(b, c)); with 25 or more, McNemar's chi-square with Edwards' "
    "continuity correction, df = 1, as R's mcnemar.test, which (like R) applies no "
    "correction when b = c (statistic 0, p = 1). R's mcnemar.test has no exact option: the "
    "exact test below 25 discordant pairs is our choice, as in statsmodels' mcnemar(exact=True). "
    "Pairs with a missing answer are dropped."
)


def _mcnemar_counts(a: int, b: int, c: int, d: int) -> McNemar:
    n = a + b + c + d
    discordant = b + c
    if n == 0:
        return McNemar(0, b, c, NAN, NAN, "not computed", "no complete pairs")
    if discordant < MCNEMAR_EXACT_BELOW:
        method = "exact binomial (statistic = min(b, c))"
        if discordant == 0:
            return McNemar(n, b, c, NAN, NAN, method, "no discordant pairs (b + c = 0)")
        p_value = float(sps.binomtest(b, discordant, 0.5).pvalue)
        return McNemar(n, b, c, float(min(b, c)), min(1.0, p_value), method, None)
    if b == c:
        # R's mcnemar.test corrects for continuity only when the table is not symmetric
        # (`correct && any(x - t(x) != 0)`): with b = c the statistic is 0 and p = 1.
        return McNemar(n, b, c, 0.0, 1.0, "chi-square, no continuity correction as b = c (df = 1)", None)
    statistic = (abs(b - c) - 1) ** 2 / discordant
    p_value = float(sps.chi2.sf(statistic, 1))
    return McNemar(n, b, c, float(statistic), p_value, "chi-square with continuity correction (df = 1)", None)


@_register(
    name=N_("McNemar's test for a binary item asked twice"),
    formula=(N_("b + c < 25: exact two-sided binomial test of b successes in b + c trials, p = 1/2; b + c >= 25: chi2 = (|b - c| - 1)^2 / (b + c), df = 1, and chi2 = 0 (p = 1) when b = c")),
    reference=(
        "McNemar, Q. (1947). Note on the sampling error of the difference between "
        "correlated proportions or percentages. Psychometrika, 12(2), 153-157. Edwards, "
        "A. L. (1948). Note on the 'correction for continuity' in testing the significance "
        "of the difference between correlated proportions. Psychometrika, 13(3), 185-187. "
        f"Agresti, A. (1990). Categorical data analysis. Wiley, pp. 350-354. {_R_CORE} "
        "(mcnemar.test)."
    ),
    notes=_MCNEMAR_NOTES,
)
def mcnemar(pre, post) -> McNemar:
    """McNemar's test for a yes/no item asked of the same people twice.

    Parameters
    ----------
    pre, post : array-like of 0/1 or bool
        Answers at the two waves, aligned by position; 1 (True) = yes. Pairs with a
        missing answer are dropped. Other values raise ``ValueError``.

    Returns
    -------
    McNemar
        ``n`` complete pairs, ``b`` = count(pre = 1, post = 0), ``c`` = count(pre = 0,
        post = 1), ``statistic``, two-sided ``p_value``, ``method``.

    Notes
    -----
    In the 2 x 2 table with rows pre and columns post, both ordered (1, 0)::

                  post=1  post=0
        pre=1       a       b
        pre=0       c       d

    only the discordant pairs b and c carry information. When :math:`b + c < 25` the
    exact binomial test is used: two-sided ``scipy.stats.binomtest(b, b + c, 0.5)``,
    reported with ``statistic = min(b, c)``. Otherwise McNemar's (1947) chi-square with
    Edwards' (1948) continuity correction, as R's ``mcnemar.test`` (default
    ``correct = TRUE``):

    .. math:: \\chi^2 = (|b - c| - 1)^2 / (b + c), \\quad df = 1.

    See Also
    --------
    mcnemar_table : the same test from the four counts.
    """
    x, y, _ = _paired(pre, post)
    _as_binary(x, "pre")
    _as_binary(y, "post")
    a = int(np.sum((x == 1) & (y == 1)))
    b = int(np.sum((x == 1) & (y == 0)))
    c = int(np.sum((x == 0) & (y == 1)))
    d = int(np.sum((x == 0) & (y == 0)))
    return _mcnemar_counts(a, b, c, d)


def _count(value, name: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a whole number of people; got {value!r}")
    if not float(value).is_integer() or value < 0:
        raise ValueError(f"{name} must be a non-negative whole number; got {value!r}")
    return int(value)


@_register(
    name=N_("McNemar's test from the 2 x 2 counts"),
    formula=METHODS["mcnemar"]["formula"],
    reference=METHODS["mcnemar"]["reference"],
    notes=_MCNEMAR_NOTES,
)
def mcnemar_table(a: int, b: int, c: int, d: int) -> McNemar:
    """McNemar's test from the counts of the 2 x 2 table of pre by post.

    Parameters
    ----------
    a, b, c, d : int
        ``a`` = (pre 1, post 1), ``b`` = (pre 1, post 0), ``c`` = (pre 0, post 1),
        ``d`` = (pre 0, post 0): the table ``[[a, b], [c, d]]`` with rows pre and columns
        post, both ordered (1, 0).

    Returns
    -------
    McNemar
        As :func:`mcnemar`.

    Examples
    --------
    Agresti (1990, p. 350), the example of R's ``mcnemar.test`` help page: approval of the
    President in two surveys a month apart (approve = 1).

    >>> res = mcnemar_table(794, 150, 86, 570)
    >>> round(res.statistic, 3), f"{res.p_value:.3e}"
    (16.818, '4.115e-05')
    """
    return _mcnemar_counts(_count(a, "a"), _count(b, "b"), _count(c, "c"), _count(d, "d"))


# --------------------------------------------------------------------------------------
# Paired proportions and the interval of one share
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PairedProportions(_Result):
    """Result of :func:`paired_proportions` (difference = share after - share before)."""

    n: int
    share_pre: float
    share_post: float
    difference: float
    ci_low: float
    ci_high: float
    se: float
    reason: str | None


@_register(
    name=N_("Difference of two paired proportions (yes after minus yes before), Wald interval"),
    formula=(N_("share_pre = (a + b) / n, share_post = (a + c) / n, difference = (c - b) / n; SE = sqrt((b + c) - (c - b)^2 / n) / n; CI = difference +/- z_{1-alpha/2} * SE")),
    reference=("Agresti, A. (2002). Categorical data analysis (2nd ed.). Wiley, section 10.1.1 (the presidential approval example: 0.59 approve before, 0.55 after, SE 0.0095)."),
    notes=(
        N_(
            "Same 2 x 2 table as McNemar's test (a = 1->1, b = 1->0, c = 0->1, d = 0->0); "
            "pairs with a missing answer are dropped. The Wald interval is poor with very few "
            "discordant pairs; the test beside it (McNemar, exact when b + c < 25) is then the "
            "better guide."
        )
    ),
)
def paired_proportions(pre, post, confidence: float = 0.95) -> PairedProportions:
    """Change in the share answering yes when the same people answer twice.

    Parameters
    ----------
    pre, post : array-like of 0/1 or bool
        Answers at the two waves, aligned by position (1 = yes); pairs with a missing
        answer are dropped.
    confidence : float, default 0.95
        Level of the Wald interval.

    Returns
    -------
    PairedProportions
        ``n`` complete pairs, ``share_pre``, ``share_post``, ``difference`` (after minus
        before) with ``ci_low``/``ci_high`` and ``se``; ``reason`` when undefined.

    Notes
    -----
    With the table of :func:`mcnemar` (b = yes -> no, c = no -> yes) the difference of the
    dependent proportions is :math:`(c - b)/n` with estimated variance
    :math:`[(b + c) - (c - b)^2/n] / n^2` (Agresti 2002, eq. 10.2).

    Examples
    --------
    Agresti (2002, section 10.1.1), approval of the President in two surveys (the
    data of R's ``?mcnemar.test``): 0.59 approved before, 0.55 after.

    >>> res = paired_proportions([1] * 944 + [0] * 656,
    ...                          [1] * 794 + [0] * 150 + [1] * 86 + [0] * 570)
    >>> round(res.difference, 3), round(res.se, 4)
    (-0.04, 0.0095)
    """
    confidence = _check_confidence(confidence)
    x, y, _ = _paired(pre, post)
    _as_binary(x, "pre")
    _as_binary(y, "post")
    n = int(x.size)
    if n == 0:
        return PairedProportions(0, NAN, NAN, NAN, NAN, NAN, NAN, "no complete pairs")
    b = float(np.sum((x == 1) & (y == 0)))
    c = float(np.sum((x == 0) & (y == 1)))
    difference = (c - b) / n
    se = math.sqrt(max((b + c) - (c - b) ** 2 / n, 0.0)) / n
    reason = None
    if se > 0:
        q = float(sps.norm.ppf(0.5 + confidence / 2))
        ci_low, ci_high = difference - q * se, difference + q * se
    else:
        ci_low = ci_high = NAN
        reason = N_("no discordant pairs (b + c = 0)") if b + c == 0 else N_("everyone changed the same way")
    return PairedProportions(n, float(x.mean()), float(y.mean()), float(difference), float(ci_low), float(ci_high), float(se), reason)


@dataclass(frozen=True)
class ProportionCI(_Result):
    """Result of :func:`proportion_ci`."""

    count: int
    n: int
    share: float
    ci_low: float
    ci_high: float
    method: str
    reason: str | None


@_register(
    name=N_("Wilson score interval of a share"),
    formula=(N_("p = count / n; CI = (p + z^2/(2n) +/- z * sqrt(p(1 - p)/n + z^2/(4n^2))) / (1 + z^2/n), z = z_{1-alpha/2}")),
    reference=(
        "Wilson, E. B. (1927). Probable inference, the law of succession, and statistical "
        "inference. Journal of the American Statistical Association, 22(158), 209-212. "
        "Newcombe, R. G. (1998). Two-sided confidence intervals for the single proportion: "
        "comparison of seven methods. Statistics in Medicine, 17(8), 857-872. "
        f"{_R_CORE} "
        "(prop.test(count, n, correct = FALSE))."
    ),
    notes=(N_("Used for the share of people who reliably improved. Computed with statsmodels' proportion_confint(method='wilson').")),
)
def proportion_ci(count: int, n: int, confidence: float = 0.95) -> ProportionCI:
    """A share and its Wilson score interval, as R's ``prop.test(count, n, correct = FALSE)``.

    Parameters
    ----------
    count, n : int
        People with the property and people in all (``0 <= count <= n``).
    confidence : float, default 0.95
        Level of the interval.

    Returns
    -------
    ProportionCI
        ``share`` = count / n with ``ci_low``/``ci_high``; ``reason`` when ``n`` is 0.

    Examples
    --------
    Newcombe (1998, Table I, method 3): 81 of 263 gives 0.2553 to 0.3662.

    >>> res = proportion_ci(81, 263)
    >>> round(res.share, 4), round(res.ci_low, 4), round(res.ci_high, 4)
    (0.308, 0.2553, 0.3662)
    """
    from statsmodels.stats.proportion import proportion_confint

    confidence = _check_confidence(confidence)
    count, n = _count(count, "count"), _count(n, "n")
    if count > n:
        raise ValueError(f"count ({count}) cannot exceed n ({n})")
    if n == 0:
        return ProportionCI(0, 0, NAN, NAN, NAN, "wilson", "nobody to count")
    low, high = proportion_confint(count, n, alpha=1 - confidence, method="wilson")
    return ProportionCI(count, n, count / n, float(low), float(high), "wilson", None)
