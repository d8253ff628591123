"""Named statistics for pre/post evaluations, each with its formula and source.

Every function takes plain arrays (lists, NumPy arrays or pandas Series) and returns a
frozen result dataclass with a ``to_dict()`` method. A result that can be undefined
carries ``reason``: ``None`` when every statistic was computed, otherwise a short plain
sentence ("fewer than 2 pairs", "differences have zero variance") and the statistics that
could not be computed are ``nan`` -- never a silent 0, never an exception for a property
of the data. Wrong arguments (different lengths, unknown method names, text where numbers
belong) raise ``ValueError`` or ``TypeError``.

Conventions
-----------
* Change is always ``post - pre``: a positive change is an increase.
* Pairs with a missing value on either side are dropped (and counted where the result has
  ``n_dropped``).
* R is the reference implementation; the R call each function reproduces is named in its
  docstring and the tests check against R's documented output.

The registry :data:`METHODS` describes each public statistic (name, formula, full
reference, how ties, zeros and missing values are handled) for a report's methods
appendix; :func:`methods_table` returns it as a table.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd
from scipy import optimize
from scipy import stats as sps

__all__ = [
    "METHODS",
    "DEFAULT_SEED",
    "methods_table",
    "PairedChange",
    "paired_change",
    "SignedRank",
    "signed_rank",
    "McNemar",
    "mcnemar",
    "mcnemar_table",
    "PairedProportions",
    "paired_proportions",
    "ProportionCI",
    "proportion_ci",
    "ReliableChange",
    "reliable_change",
    "Alpha",
    "cronbach_alpha",
    "Omega",
    "omega",
    "DiffInDiff",
    "diff_in_diff",
    "Attrition",
    "attrition",
    "AdjustedP",
    "adjust_p",
    "BootstrapCI",
    "bootstrap_ci",
]

#: Seed used by :func:`bootstrap_ci` unless another is given, so reports are reproducible.
DEFAULT_SEED = 20_240_601

NAN = math.nan

# --------------------------------------------------------------------------------------
# Registry of methods (for the methods appendix of a report)
# --------------------------------------------------------------------------------------

#: Public function name -> {"name", "formula", "reference", "notes"}.
METHODS: dict[str, dict] = {}

_LAKENS_2013 = (
    "Lakens, D. (2013). Calculating and reporting effect sizes to facilitate cumulative "
    "science: a practical primer for t-tests and ANOVAs. Frontiers in Psychology, 4, 863. "
    "https://doi.org/10.3389/fpsyg.2013.00863"
)
_R_CORE = (
    "R Core Team (2024). R: A language and environment for statistical computing. "
    "R Foundation for Statistical Computing, Vienna, Austria. https://www.R-project.org/"
)


def _register(*, name: str, formula: str, reference: str, notes: str):
    """Record a public statistic in :data:`METHODS` under its function name."""

    def decorate(func):
        METHODS[func.__name__] = {
            "name": name,
            "formula": formula,
            "reference": reference,
            "notes": notes,
        }
        return func

    return decorate


def methods_table() -> pd.DataFrame:
    """The methods registry as a table, one row per public statistic.

    Returns
    -------
    pandas.DataFrame
        Columns ``function``, ``name``, ``formula``, ``reference``, ``notes``.
    """
    rows = [{"function": key, **entry} for key, entry in METHODS.items()]
    return pd.DataFrame(rows, columns=["function", "name", "formula", "reference", "notes"])


# --------------------------------------------------------------------------------------
# Result base class and input helpers
# --------------------------------------------------------------------------------------


def _plain(value):
    """Turn NumPy/pandas values into plain Python objects for ``to_dict``."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, pd.DataFrame):
        return value.to_dict(orient="records")
    if isinstance(value, pd.Series):
        return {k: _plain(v) for k, v in value.items()}
    return value


class _Result:
    """Mixin giving result dataclasses a ``to_dict`` of plain Python values."""

    def to_dict(self) -> dict:
        """The result's fields as a dict of plain Python values (NaN stays NaN)."""
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}


def _join(reasons: list[str]) -> str | None:
    return "; ".join(dict.fromkeys(reasons)) if reasons else None


def _as_1d_float(x, name: str) -> np.ndarray:
    """A one-dimensional float array from a list, array or Series; missing -> NaN.

    Raises TypeError for text or other non-numeric values, ValueError for other shapes
    and for infinite values.
    """
    if x is None or isinstance(x, (str, bytes, dict, set, pd.DataFrame)):
        raise TypeError(
            f"{name} must be a one-dimensional sequence of numbers (list, array or Series); "
            f"got {type(x).__name__}"
        )
    if isinstance(x, (pd.Series, pd.Index)) and (
        pd.api.types.is_numeric_dtype(x.dtype) or pd.api.types.is_bool_dtype(x.dtype)
    ):
        out = x.to_numpy(dtype=float, na_value=np.nan)
    else:
        arr = x.to_numpy(dtype=object) if isinstance(x, (pd.Series, pd.Index)) else np.asarray(x)
        if arr.ndim != 1:
            raise ValueError(f"{name} must be one-dimensional; got shape {arr.shape}")
        if arr.dtype.kind in "biuf":
            out = arr.astype(float)
        elif arr.dtype.kind == "O":
            out = np.empty(arr.size, dtype=float)
            for i, v in enumerate(arr):
                if v is None or v is pd.NA or v is pd.NaT:
                    out[i] = np.nan
                elif isinstance(v, (numbers.Real, np.bool_)):
                    out[i] = float(v)
                else:
                    raise TypeError(f"{name} must be numeric; found {v!r} at position {i}")
        else:
            raise TypeError(f"{name} must be numeric; got values of type {arr.dtype}")
    if out.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional; got shape {out.shape}")
    if np.isinf(out).any():
        raise ValueError(f"{name} contains infinite values")
    return out


def _paired(pre, post) -> tuple[np.ndarray, np.ndarray, int]:
    """Complete pairs of ``pre`` and ``post`` and the number of pairs dropped."""
    x = _as_1d_float(pre, "pre")
    y = _as_1d_float(post, "post")
    if x.size != y.size:
        raise ValueError(
            "pre and post must have the same length (one entry per person); "
            f"got {x.size} and {y.size}"
        )
    keep = ~(np.isnan(x) | np.isnan(y))
    return x[keep], y[keep], int((~keep).sum())


def _as_binary(x: np.ndarray, name: str) -> np.ndarray:
    """Check that non-missing values are 0 or 1 (True/False)."""
    values = x[~np.isnan(x)]
    bad = np.setdiff1d(np.unique(values), [0.0, 1.0])
    if bad.size:
        raise ValueError(f"{name} must hold 0/1 (or True/False) answers; found {bad[:5].tolist()}")
    return x


def _check_confidence(confidence) -> float:
    if isinstance(confidence, bool) or not isinstance(confidence, numbers.Real):
        raise TypeError(f"confidence must be a number between 0 and 1; got {confidence!r}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1 (e.g. 0.95); got {confidence}")
    return float(confidence)


def _mean(x: np.ndarray) -> float:
    return float(x.mean()) if x.size else NAN


def _sd(x: np.ndarray) -> float:
    return float(x.std(ddof=1)) if x.size >= 2 else NAN


def _essentially_constant(se: float, *means: float) -> bool:
    """R's t.test check: the standard error is zero relative to the mean(s)."""
    scale = max((abs(m) for m in means), default=0.0)
    return not se > 10 * np.finfo(float).eps * scale


# --------------------------------------------------------------------------------------
# Paired change: t-test and effect sizes
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PairedChange(_Result):
    """Result of :func:`paired_change` (change = post - pre)."""

    n: int
    n_dropped: int
    mean_pre: float
    mean_post: float
    sd_pre: float
    sd_post: float
    r: float
    mean_change: float
    ci_low: float
    ci_high: float
    t: float
    df: float
    p_value: float
    d_z: float
    d_z_ci_low: float
    d_z_ci_high: float
    d_av: float
    g_av: float
    reason: str | None


def _nct_ncp_interval(t: float, df: float, confidence: float) -> tuple[float, float]:
    """Confidence interval for the noncentrality parameter of a noncentral t.

    Finds ``ncp_low`` with ``P(T <= t | ncp_low) = 1 - alpha/2`` and ``ncp_high`` with
    ``P(T <= t | ncp_high) = alpha/2`` by root finding (the CDF decreases in ncp).
    Returns NaNs when the CDF cannot be evaluated (extreme t). A negative t is solved
    as its mirror image, ``P(T <= -t | -ncp) = 1 - P(T <= t | ncp)``, because scipy's
    noncentral t is more reliable in the upper tail.
    """
    if t < 0:
        lo, hi = _nct_ncp_interval(-t, df, confidence)
        return -hi, -lo
    alpha = 1 - confidence

    def solve(target: float) -> float:
        def f(ncp):
            cdf = sps.nct.cdf(t, df, ncp)
            if not np.isfinite(cdf):  # scipy's cdf can fail far in a tail where sf works
                cdf = 1 - sps.nct.sf(t, df, ncp)
            return cdf - target

        step = 2.0 + abs(t) / 4
        lo, hi = t - step, t + step
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            for _ in range(60):
                f_lo, f_hi = f(lo), f(hi)
                if not (np.isfinite(f_lo) and np.isfinite(f_hi)):
                    return NAN
                if f_lo > 0 > f_hi:
                    return optimize.brentq(f, lo, hi, xtol=1e-12, rtol=1e-12, maxiter=500)
                if f_lo <= 0:
                    lo -= step
                if f_hi >= 0:
                    hi += step
                step *= 2
        return NAN

    return solve(1 - alpha / 2), solve(alpha / 2)


@_register(
    name="Paired t-test on the change (post - pre), with Cohen's d_z and d_av / Hedges' g_av",
    formula=(
        "diff = post - pre; t = mean(diff) / (sd(diff) / sqrt(n)), df = n - 1; "
        "CI = mean(diff) +/- t_{1-alpha/2, n-1} * sd(diff) / sqrt(n); "
        "d_z = mean(diff) / sd(diff), CI from the noncentral t (ncp limits / sqrt(n)); "
        "d_av = mean(diff) / ((sd_pre + sd_post) / 2); g_av = d_av * (1 - 3 / (4 * 2n - 9))"
    ),
    reference=(
        "Student (1908). The probable error of a mean. Biometrika, 6(1), 1-25. "
        f"{_LAKENS_2013}. Cumming, G., & Finch, S. (2001). A primer on the understanding, "
        "use, and calculation of confidence intervals that are based on central and "
        "noncentral distributions. Educational and Psychological Measurement, 61(4), "
        f"532-574. {_R_CORE} (t.test(post, pre, paired = TRUE))."
    ),
    notes=(
        "Pairs with a missing wave are dropped and counted. Change without a comparison "
        "group shows change, not that the activity caused it. d_av uses the arithmetic "
        "mean of the two SDs (Lakens 2013), not the root-mean-square SD."
    ),
)
def paired_change(pre, post, confidence: float = 0.95) -> PairedChange:
    """Mean change from pre to post with its paired t-test and effect sizes.

    Reproduces R's ``t.test(post, pre, paired = TRUE)`` and adds the effect sizes of
    Lakens (2013).

    Parameters
    ----------
    pre, post : array-like of float
        Scores of the same people at the two waves, aligned by position. Pairs with a
        missing value on either side are dropped (counted in ``n_dropped``).
    confidence : float, default 0.95
        Level of the confidence intervals.

    Returns
    -------
    PairedChange
        ``mean_change`` (post - pre) with its t interval ``ci_low``/``ci_high``, ``t``,
        ``df``, two-sided ``p_value``; ``r`` the pre/post Pearson correlation; ``d_z`` with
        its noncentral-t interval; ``d_av`` and ``g_av``. ``reason`` says why a statistic
        is ``nan`` ("fewer than 2 pairs", "differences have zero variance", ...).

    Notes
    -----
    With :math:`d_i = post_i - pre_i`, :math:`\\bar d` and :math:`s_d` their mean and SD:

    * :math:`t = \\bar d / (s_d / \\sqrt{n})`, :math:`df = n - 1`;
    * :math:`d_z = \\bar d / s_d = t / \\sqrt{n}`. Its interval inverts the noncentral t
      distribution (Cumming & Finch 2001): the limits of the noncentrality parameter
      :math:`\\lambda` solve :math:`P(T_{n-1,\\lambda} \\le t) = 1 - \\alpha/2` and
      :math:`\\alpha/2`, and the interval of :math:`d_z` is :math:`\\lambda / \\sqrt{n}`;
    * :math:`d_{av} = \\bar d / ((s_{pre} + s_{post}) / 2)` and
      :math:`g_{av} = d_{av} (1 - 3 / (4 (n + n) - 9))` (Lakens 2013, eq. 10 and the
      Hedges correction with :math:`n_1 = n_2 = n`).

    pingouin's ``compute_effsize(paired=True)`` divides by the root-mean-square SD
    :math:`\\sqrt{(s_{pre}^2 + s_{post}^2)/2}`; that is not Lakens' :math:`d_{av}`, so it
    is not used here.

    As in R, the t statistic is undefined when the differences are (essentially)
    constant: the standard error is below ``10 * eps * |mean(diff)|``.

    References
    ----------
    Lakens, D. (2013). Calculating and reporting effect sizes to facilitate cumulative
    science: a practical primer for t-tests and ANOVAs. Frontiers in Psychology, 4, 863.

    Examples
    --------
    >>> res = paired_change([9, 7, 8, 9, 8, 9, 9, 10, 9, 9], [9, 6, 7, 8, 7, 9, 8, 8, 8, 7])
    >>> round(res.t, 2), round(res.d_z, 2)
    (-4.74, -1.5)
    """
    confidence = _check_confidence(confidence)
    x, y, n_dropped = _paired(pre, post)
    n = int(x.size)
    diff = y - x
    reasons: list[str] = []

    mean_pre, mean_post, mean_change = _mean(x), _mean(y), _mean(diff)
    sd_pre, sd_post, sd_diff = _sd(x), _sd(y), _sd(diff)
    r = ci_low = ci_high = t = df = p_value = NAN
    d_z = d_z_lo = d_z_hi = d_av = g_av = NAN

    if n < 2:
        reasons.append("no complete pairs" if n == 0 else "fewer than 2 pairs")
    else:
        df = float(n - 1)
        se = sd_diff / math.sqrt(n)
        if _essentially_constant(se, mean_change):
            reasons.append("differences have zero variance")
        else:
            t = mean_change / se
            p_value = float(2 * sps.t.sf(abs(t), df))
            q = float(sps.t.ppf(0.5 + confidence / 2, df))
            ci_low, ci_high = mean_change - q * se, mean_change + q * se
            d_z = mean_change / sd_diff
            ncp_lo, ncp_hi = _nct_ncp_interval(t, df, confidence)
            d_z_lo, d_z_hi = ncp_lo / math.sqrt(n), ncp_hi / math.sqrt(n)
            if math.isnan(d_z_lo) or math.isnan(d_z_hi):
                reasons.append("noncentral t interval of d_z could not be computed")
        if sd_pre > 0 and sd_post > 0:
            r = float(np.corrcoef(x, y)[0, 1])
        else:
            reasons.append("pre or post scores have zero variance (r undefined)")
        # Lakens' d_av divides by the arithmetic mean of the two SDs. pingouin's
        # compute_effsize(paired=True) divides by the root-mean-square SD
        # sqrt((s_pre^2 + s_post^2) / 2) instead, which is not d_av.
        sd_av = (sd_pre + sd_post) / 2
        if sd_av > 0:
            d_av = mean_change / sd_av
            g_av = d_av * (1 - 3 / (4 * (n + n) - 9))
        else:
            reasons.append("pre and post scores have zero variance (d_av undefined)")

    return PairedChange(
        n=n,
        n_dropped=n_dropped,
        mean_pre=mean_pre,
        mean_post=mean_post,
        sd_pre=sd_pre,
        sd_post=sd_post,
        r=r,
        mean_change=mean_change,
        ci_low=float(ci_low),
        ci_high=float(ci_high),
        t=float(t),
        df=df,
        p_value=p_value,
        d_z=float(d_z),
        d_z_ci_low=float(d_z_lo),
        d_z_ci_high=float(d_z_hi),
        d_av=float(d_av),
        g_av=float(g_av),
        reason=_join(reasons),
    )


# --------------------------------------------------------------------------------------
# Wilcoxon signed-rank test
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignedRank(_Result):
    """Result of :func:`signed_rank` (differences post - pre)."""

    n: int
    n_zero: int
    statistic: float
    p_value: float
    rank_biserial: float
    method: str
    reason: str | None


def _signrank_pmf(n: int) -> np.ndarray:
    """Null distribution of the signed-rank sum V for n untied, non-zero differences.

    ``pmf[v] = P(V = v)``, built by adding one rank at a time (each rank is positive with
    probability 1/2); R's ``dsignrank``.
    """
    pmf = np.zeros(n * (n + 1) // 2 + 1)
    pmf[0] = 1.0
    top = 0
    for rank in range(1, n + 1):
        shifted = np.zeros_like(pmf)
        shifted[rank : top + rank + 1] = pmf[: top + 1]
        pmf = 0.5 * (pmf + shifted)
        top += rank
    return pmf


@_register(
    name="Wilcoxon signed-rank test (paired), with the matched-pairs rank-biserial correlation",
    formula=(
        "diff = post - pre, zeros dropped; V = sum of the ranks of |diff| where diff > 0; "
        "exact null distribution if n < 50 and no ties or zeros, else "
        "z = (V - n(n+1)/4 - 0.5 sign) / sqrt(n(n+1)(2n+1)/24 - sum(t^3 - t)/48); "
        "r_rb = (sum of positive ranks - sum of negative ranks) / (n(n+1)/2)"
    ),
    reference=(
        "Wilcoxon, F. (1945). Individual comparisons by ranking methods. Biometrics "
        "Bulletin, 1(6), 80-83. Hollander, M., Wolfe, D. A., & Chicken, E. (2014). "
        "Nonparametric statistical methods (3rd ed.). Wiley. Kerby, D. S. (2014). The "
        "simple difference formula: an approach to teaching nonparametric correlation. "
        f"Comprehensive Psychology, 3, 11.IT.3.1. {_R_CORE} "
        "(wilcox.test(post, pre, paired = TRUE))."
    ),
    notes=(
        "Zero differences are dropped (Wilcoxon's method, as R); tied absolute "
        "differences get average ranks. With ties or zeros the p-value uses the normal "
        "approximation with continuity correction and the tie-corrected variance, as R. "
        "scipy.stats.wilcoxon's defaults (exact distribution despite ties, no continuity "
        "correction) do not match R."
    ),
)
def signed_rank(pre, post, correct: bool = True, exact: bool | None = None) -> SignedRank:
    """Wilcoxon signed-rank test of post against pre, as R's ``wilcox.test``.

    Reproduces ``wilcox.test(post, pre, paired = TRUE, correct = correct, exact = exact)``.

    Parameters
    ----------
    pre, post : array-like of float
        Scores of the same people at the two waves, aligned by position; pairs with a
        missing value are dropped.
    correct : bool, default True
        Continuity correction of the normal approximation.
    exact : bool or None, default None
        ``None``: exact distribution when fewer than 50 non-zero differences and no ties
        or zeros (R's rule). ``True``: exact whenever there are no ties or zeros.
        ``False``: always the normal approximation.

    Returns
    -------
    SignedRank
        ``n`` differences used (zeros dropped), ``n_zero`` zeros dropped, ``statistic``
        R's V (sum of the ranks of the positive differences, post > pre), two-sided
        ``p_value``, ``rank_biserial`` and ``method`` ("exact", "normal approximation with
        continuity correction" or "normal approximation").

    Notes
    -----
    Differences :math:`d_i = post_i - pre_i`; zeros are dropped (Wilcoxon 1945) and
    :math:`|d_i|` ranked with average ranks for ties. :math:`V = \\sum_{d_i > 0} R_i`.
    Normal approximation (R, Hollander & Wolfe):

    .. math::

        z = \\frac{V - n(n+1)/4 - 0.5\\,\\mathrm{sign}(V - n(n+1)/4)}
                  {\\sqrt{n(n+1)(2n+1)/24 - \\sum_j (t_j^3 - t_j)/48}}

    with :math:`t_j` the sizes of the groups of tied ranks. Exact: R's ``psignrank``
    doubled, capped at 1.

    The matched-pairs rank-biserial correlation (Kerby 2014) is
    :math:`r = (R_+ - R_-) / (R_+ + R_-)`, positive when post tends to exceed pre.

    scipy's ``wilcoxon`` does not match R by default (it used the exact distribution even
    with ties and zeros and has no continuity correction by default); this function
    computes R's rule directly. R's example ``wilcox.test(extra ~ group, data = sleep,
    paired = TRUE)`` gives p = 0.009091; the tests check it.

    Examples
    --------
    >>> res = signed_rank([1, 2, 3, 4, 5, 6], [2, 4, 6, 8, 10, 12])
    >>> res.statistic, res.p_value, res.method
    (21.0, 0.03125, 'exact')
    """
    if exact is not None and not isinstance(exact, (bool, np.bool_)):
        raise TypeError(f"exact must be True, False or None; got {exact!r}")
    x, y, _ = _paired(pre, post)
    diff = y - x
    zero = diff == 0
    n_zero = int(zero.sum())
    diff = diff[~zero]
    n = int(diff.size)
    if n == 0:
        reason = "no complete pairs" if n_zero == 0 else "all differences are zero"
        return SignedRank(0, n_zero, NAN, NAN, NAN, "not computed", reason)

    # Computed directly rather than with scipy.stats.wilcoxon, whose defaults do not match
    # R (exact distribution despite ties/zeros, no continuity correction): R drops zeros,
    # uses the exact null only without ties or zeros, else the normal approximation with
    # continuity and tie corrections. Checked against R's documented outputs in the tests.
    ranks = sps.rankdata(np.abs(diff))
    v = float(ranks[diff > 0].sum())
    total = n * (n + 1) / 2
    rank_biserial = (v - (total - v)) / total
    _, tie_sizes = np.unique(ranks, return_counts=True)
    has_ties = bool((tie_sizes > 1).any())
    want_exact = (n < 50) if exact is None else bool(exact)

    if want_exact and not has_ties and n_zero == 0:
        pmf = _signrank_pmf(n)
        k = int(round(v))
        tail = pmf[k:].sum() if v > n * (n + 1) / 4 else pmf[: k + 1].sum()
        p_value = min(1.0, 2 * float(tail))
        method = "exact"
    else:
        z = v - n * (n + 1) / 4
        sigma = math.sqrt(n * (n + 1) * (2 * n + 1) / 24 - np.sum(tie_sizes**3 - tie_sizes) / 48)
        correction = 0.5 * np.sign(z) if correct else 0.0
        z = (z - correction) / sigma
        p_value = float(2 * min(sps.norm.cdf(z), sps.norm.sf(z)))
        method = (
            "normal approximation with continuity correction" if correct else "normal approximation"
        )
    return SignedRank(n, n_zero, v, p_value, float(rank_biserial), method, None)


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


_MCNEMAR_NOTES = (
    "Table [[a, b], [c, d]] with rows pre (1, 0) and columns post (1, 0): a = 1->1, "
    "b = 1->0, c = 0->1, d = 0->0. Exact two-sided binomial test of b out of b + c at "
    "p = 1/2 when b + c < 25 (statistic = min(b, c)); otherwise McNemar's chi-square with "
    "continuity correction, df = 1 (as R's mcnemar.test). Pairs with a missing answer are "
    "dropped."
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
    statistic = (abs(b - c) - 1) ** 2 / discordant
    p_value = float(sps.chi2.sf(statistic, 1))
    return McNemar(
        n, b, c, float(statistic), p_value, "chi-square with continuity correction (df = 1)", None
    )


@_register(
    name="McNemar's test for a binary item asked twice",
    formula=(
        "exact: two-sided binomial test of b successes in b + c trials, p = 1/2 "
        "(b + c < 25); otherwise chi2 = (|b - c| - 1)^2 / (b + c), df = 1"
    ),
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
    name="McNemar's test from the 2 x 2 counts",
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
    name="Difference of two paired proportions (yes after minus yes before), Wald interval",
    formula=(
        "share_pre = (a + b) / n, share_post = (a + c) / n, difference = (c - b) / n; "
        "SE = sqrt((b + c) - (c - b)^2 / n) / n; CI = difference +/- z_{1-alpha/2} * SE"
    ),
    reference=(
        "Agresti, A. (2002). Categorical data analysis (2nd ed.). Wiley, section 10.1.1 "
        "(the presidential approval example: 0.59 approve before, 0.55 after, SE 0.0095)."
    ),
    notes=(
        "Same 2 x 2 table as McNemar's test (a = 1->1, b = 1->0, c = 0->1, d = 0->0); "
        "pairs with a missing answer are dropped. The Wald interval is poor with very few "
        "discordant pairs; the test beside it (McNemar, exact when b + c < 25) is then the "
        "better guide."
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
        reason = "no discordant pairs (b + c = 0)" if b + c == 0 else "everyone changed the same way"
    return PairedProportions(n, float(x.mean()), float(y.mean()), float(difference),
                             float(ci_low), float(ci_high), float(se), reason)


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
    name="Wilson score interval of a share",
    formula=(
        "p = count / n; CI = (p + z^2/(2n) +/- z * sqrt(p(1 - p)/n + z^2/(4n^2))) / "
        "(1 + z^2/n), z = z_{1-alpha/2}"
    ),
    reference=(
        "Wilson, E. B. (1927). Probable inference, the law of succession, and statistical "
        "inference. Journal of the American Statistical Association, 22(158), 209-212. "
        "Newcombe, R. G. (1998). Two-sided confidence intervals for the single proportion: "
        "comparison of seven methods. Statistics in Medicine, 17(8), 857-872. "
        f"{_R_CORE} "
        "(prop.test(count, n, correct = FALSE))."
    ),
    notes=(
        "Used for the share of people who reliably improved. Computed with statsmodels' "
        "proportion_confint(method='wilson')."
    ),
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


# --------------------------------------------------------------------------------------
# Reliable change index
# --------------------------------------------------------------------------------------

_RC_METHODS = ("jacobson_truax", "maassen")
_RC_CATEGORIES = ["improved", "unchanged", "worsened"]


@dataclass(frozen=True, eq=False)
class ReliableChange(_Result):
    """Result of :func:`reliable_change`.

    ``table`` has one row per input row: ``pre``, ``post``, ``rc`` and ``category``
    (improved / unchanged / worsened; missing where a wave is missing).
    """

    table: pd.DataFrame
    n: int
    share_improved: float
    share_unchanged: float
    share_worsened: float
    s_diff: float
    reason: str | None
    method: str
    threshold: float


@_register(
    name="Reliable Change Index",
    formula=(
        "RC = (post - pre) / S_diff; Jacobson & Truax: S_diff = sqrt(2) * s_pre * "
        "sqrt(1 - r_xx); Maassen: S_diff = sqrt((s_pre^2 + s_post^2) * (1 - r_xx)); "
        "reliable improvement if RC > 1.96 (higher is better)"
    ),
    reference=(
        "Jacobson, N. S., & Truax, P. (1991). Clinical significance: a statistical approach "
        "to defining meaningful change in psychotherapy research. Journal of Consulting and "
        "Clinical Psychology, 59(1), 12-19. Maassen, G. H. (2004). The standard error in the "
        "Jacobson and Truax Reliable Change Index: the classical approach to the assessment "
        "of reliable change. Journal of the International Neuropsychological Society, "
        "10(6), 888-893."
    ),
    notes=(
        "s_pre (and s_post) default to the SDs of the complete pairs; r_xx is the scale's "
        "reliability (e.g. Cronbach's alpha). Shares are of people with both waves; |RC| "
        "equal to the threshold counts as unchanged."
    ),
)
def reliable_change(
    pre,
    post,
    reliability: float,
    sd_pre: float | None = None,
    threshold: float = 1.96,
    method: str = "jacobson_truax",
    *,
    sd_post: float | None = None,
    higher_is_better: bool = True,
) -> ReliableChange:
    """Reliable Change Index of each person and the shares who improved or worsened.

    Parameters
    ----------
    pre, post : array-like of float
        Scores of the same people at the two waves, aligned by position. A pandas Series
        ``pre`` lends its index to the table.
    reliability : float
        The scale's reliability :math:`r_{xx}` (test-retest or internal consistency),
        strictly between 0 and 1. ``nan`` gives a result with a reason.
    sd_pre : float, optional
        SD of the pre-test scores (e.g. of a norm group). Default: SD of ``pre`` over the
        complete pairs.
    threshold : float, default 1.96
        |RC| above which a change is reliable (1.96: 95%).
    method : {"jacobson_truax", "maassen"}
        Standard error of the difference, see Notes.
    sd_post : float, optional
        SD of the post-test scores for ``method="maassen"``; default from the data.
    higher_is_better : bool, default True
        Whether a higher score is better ("improved" means RC > threshold) or worse
        ("improved" means RC < -threshold).

    Returns
    -------
    ReliableChange
        ``table`` (pre, post, rc, category), ``n`` complete pairs, ``share_improved``,
        ``share_unchanged``, ``share_worsened``, ``s_diff``, ``reason``, ``method``,
        ``threshold``.

    Notes
    -----
    Jacobson & Truax (1991): :math:`RC = (x_{post} - x_{pre}) / S_{diff}`,
    :math:`S_{diff} = \\sqrt{2}\\,SE`, :math:`SE = s_{pre}\\sqrt{1 - r_{xx}}`.
    Maassen (2004), for unequal variances:
    :math:`S_{diff} = \\sqrt{(s_{pre}^2 + s_{post}^2)(1 - r_{xx})}`.
    """
    if method not in _RC_METHODS:
        raise ValueError(f"method must be one of {_RC_METHODS}; got {method!r}")
    for name, value in (("reliability", reliability), ("threshold", threshold)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name} must be a number; got {value!r}")
    if not threshold > 0:
        raise ValueError(f"threshold must be positive; got {threshold}")
    if not math.isnan(reliability) and not 0 < reliability < 1:
        raise ValueError(f"reliability must be between 0 and 1 (exclusive); got {reliability}")
    for name, value in (("sd_pre", sd_pre), ("sd_post", sd_post)):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, numbers.Real) or not value >= 0
        ):
            raise ValueError(f"{name} must be a non-negative number or None; got {value!r}")

    x = _as_1d_float(pre, "pre")
    y = _as_1d_float(post, "post")
    if x.size != y.size:
        raise ValueError(
            f"pre and post must have the same length; got {x.size} and {y.size}"
        )
    index = pre.index if isinstance(pre, pd.Series) else pd.RangeIndex(x.size)
    complete = ~(np.isnan(x) | np.isnan(y))
    n = int(complete.sum())
    s_pre = float(sd_pre) if sd_pre is not None else _sd(x[complete])
    s_post = float(sd_post) if sd_post is not None else _sd(y[complete])

    reasons: list[str] = []
    s_diff = NAN
    if n == 0:
        reasons.append("no complete pairs")
    elif math.isnan(reliability):
        reasons.append("reliability is missing")
    elif math.isnan(s_pre) or (method == "maassen" and math.isnan(s_post)):
        reasons.append("fewer than 2 pairs to estimate the SD")
    else:
        if method == "jacobson_truax":
            s_diff = math.sqrt(2) * s_pre * math.sqrt(1 - reliability)
        else:
            s_diff = math.sqrt((s_pre**2 + s_post**2) * (1 - reliability))
        if s_diff == 0:
            reasons.append("the SD of the scores is zero")
            s_diff = NAN

    rc = (y - x) / s_diff if not math.isnan(s_diff) else np.full(x.size, NAN)
    better = rc if higher_is_better else -rc
    labels = np.where(
        better > threshold, "improved", np.where(better < -threshold, "worsened", "unchanged")
    )
    category = pd.Categorical(np.where(np.isnan(rc), None, labels), categories=_RC_CATEGORIES)
    table = pd.DataFrame({"pre": x, "post": y, "rc": rc, "category": category}, index=index)
    if math.isnan(s_diff):
        shares = (NAN, NAN, NAN)
    else:
        counts = table["category"].value_counts()
        shares = tuple(float(counts[c] / n) for c in _RC_CATEGORIES)
    return ReliableChange(
        table=table,
        n=n,
        share_improved=shares[0],
        share_unchanged=shares[1],
        share_worsened=shares[2],
        s_diff=float(s_diff),
        reason=_join(reasons),
        method=method,
        threshold=float(threshold),
    )


# --------------------------------------------------------------------------------------
# Reliability: Cronbach's alpha and McDonald's omega
# --------------------------------------------------------------------------------------


def _as_item_frame(items) -> pd.DataFrame:
    """Items as a float DataFrame (rows = respondents, columns = items)."""
    if isinstance(items, pd.DataFrame):
        frame = items
    else:
        if isinstance(items, (str, bytes)) or items is None:
            raise TypeError(f"items must be a DataFrame or 2-D array; got {type(items).__name__}")
        arr = np.asarray(items)
        if arr.ndim != 2:
            raise ValueError(
                f"items must be two-dimensional (respondents x items); got shape {arr.shape}"
            )
        frame = pd.DataFrame(arr)
    out = {}
    for col in frame.columns:
        try:
            out[col] = _as_1d_float(frame[col], f"item {col!r}")
        except TypeError as err:
            raise TypeError(f"all items must be numeric: {err}") from None
    return pd.DataFrame(out, index=frame.index, columns=frame.columns)


@dataclass(frozen=True, eq=False)
class Alpha(_Result):
    """Result of :func:`cronbach_alpha`."""

    alpha: float
    ci_low: float
    ci_high: float
    n: int
    k: int
    item_total: pd.Series
    reason: str | None


@_register(
    name="Cronbach's alpha with Feldt's confidence interval",
    formula=(
        "alpha = k/(k-1) * (1 - sum(item variances) / variance(total)); CI: "
        "1 - (1 - alpha) * F_{1-a/2} and 1 - (1 - alpha) * F_{a/2}, F with n - 1 and "
        "(n - 1)(k - 1) df; corrected item-total r = corr(item, sum of the other items)"
    ),
    reference=(
        "Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests. "
        "Psychometrika, 16(3), 297-334. Feldt, L. S., Woodruff, D. J., & Salih, F. A. "
        "(1987). Statistical inference for coefficient alpha. Applied Psychological "
        "Measurement, 11(1), 93-103."
    ),
    notes=(
        "Listwise deletion by default (n = complete respondents); with listwise=False the "
        "covariances are pairwise and n counts respondents with at least one answer (as "
        "pingouin.cronbach_alpha and psych::alpha(use = 'pairwise')). Alpha below 0.70 "
        "should be flagged in the report."
    ),
)
def cronbach_alpha(items, confidence: float = 0.95, listwise: bool = True) -> Alpha:
    """Cronbach's alpha with Feldt's interval and corrected item-total correlations.

    Parameters
    ----------
    items : pandas.DataFrame or 2-D array
        Rows are respondents, columns are items (already reverse-keyed).
    confidence : float, default 0.95
        Level of Feldt's interval.
    listwise : bool, default True
        Drop respondents with any missing item (``True``) or use pairwise-complete
        covariances (``False``).

    Returns
    -------
    Alpha
        ``alpha``, ``ci_low``, ``ci_high``, ``n`` respondents, ``k`` items,
        ``item_total`` (Series of corrected item-total correlations indexed by item),
        ``reason``.

    Notes
    -----
    With :math:`C` the item covariance matrix,
    :math:`\\alpha = \\frac{k}{k-1}\\left(1 - \\frac{\\mathrm{tr}\\,C}{\\mathbf 1' C \\mathbf 1}\\right)`
    (Cronbach 1951). Feldt et al. (1987):
    :math:`[1 - (1-\\alpha) F_{1-a/2}(n-1, (n-1)(k-1)),\\; 1 - (1-\\alpha) F_{a/2}(\\cdot)]`,
    the same formula as ``pingouin.cronbach_alpha``. The corrected item-total correlation
    of item :math:`j` is its correlation with the sum of the other items, computed from
    :math:`C` (psych's ``r.drop``).

    pingouin's documented example, ``pg.cronbach_alpha(data=pg.read_dataset(
    "cronbach_alpha"), items="Items", scores="Scores", subject="Subj")``, gives 0.5917
    [0.195, 0.840]; the tests check it. (pingouin's listwise option computes Feldt's
    interval with the number of rows *before* deletion; here ``n`` is the number of
    complete respondents, so that interval is wider.)
    """
    confidence = _check_confidence(confidence)
    frame = _as_item_frame(items)
    k = frame.shape[1]
    data = frame.dropna(how="any") if listwise else frame.dropna(how="all")
    n = int(len(data))
    empty_item_total = pd.Series(NAN, index=frame.columns, dtype=float, name="item_total")
    if k < 2:
        return Alpha(NAN, NAN, NAN, n, k, empty_item_total, "fewer than 2 items")
    if n < 2:
        reason = "fewer than 2 respondents" + (" with every item answered" if listwise else "")
        return Alpha(NAN, NAN, NAN, n, k, empty_item_total, reason)

    cov = data.cov().to_numpy()
    if np.isnan(cov).any():
        return Alpha(NAN, NAN, NAN, n, k, empty_item_total,
                     "too few respondents answered some pairs of items")
    total_var = cov.sum()
    item_var = np.diag(cov)
    row_sums = cov.sum(axis=1)
    rest_var = total_var - 2 * row_sums + item_var
    denom = item_var * rest_var
    with np.errstate(divide="ignore", invalid="ignore"):
        item_r = np.where(denom > 0, (row_sums - item_var) / np.sqrt(np.where(denom > 0, denom, 1)), NAN)
    item_r = np.clip(item_r, -1.0, 1.0)  # rounding can push a perfect correlation past 1
    item_total = pd.Series(item_r, index=frame.columns, dtype=float, name="item_total")
    reasons = []
    if not total_var > 0:
        return Alpha(NAN, NAN, NAN, n, k, item_total, "total score has zero variance")
    if np.isnan(item_r).any():
        constant = [str(c) for c, v in zip(frame.columns, item_var) if not v > 0]
        reasons.append(
            f"item(s) with zero variance: {', '.join(constant)} (item-total r undefined)"
            if constant else "item-total correlation undefined for some items"
        )
    alpha = k / (k - 1) * (1 - item_var.sum() / total_var)
    a = 1 - confidence
    df1, df2 = n - 1, (n - 1) * (k - 1)
    ci_low = 1 - (1 - alpha) * sps.f.ppf(1 - a / 2, df1, df2)
    ci_high = 1 - (1 - alpha) * sps.f.ppf(a / 2, df1, df2)
    return Alpha(float(alpha), float(ci_low), float(ci_high), n, k, item_total, _join(reasons))


@dataclass(frozen=True)
class Omega(_Result):
    """Result of :func:`omega`."""

    omega: float
    n: int
    k: int
    reason: str | None


def _one_factor_ml(corr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Maximum-likelihood one-factor solution of a correlation matrix.

    The algorithm of R's ``factanal`` (Joreskog 1967): the uniquenesses ``psi`` minimise
    the concentrated ML discrepancy by L-BFGS-B within [0.005, 1]; loadings are the
    first eigenvector of ``Psi^-1/2 R Psi^-1/2`` scaled by ``sqrt(max(e1 - 1, 0))``.
    Returns (loadings, uniquenesses), loadings signed to have a positive sum.
    """
    p = corr.shape[0]

    def eig(psi):
        scale = 1 / np.sqrt(psi)
        return np.linalg.eigh(corr * np.outer(scale, scale))

    def objective(psi):
        values = eig(psi)[0][:-1]  # all but the largest eigenvalue
        return -(np.sum(np.log(values) - values) - 1 + p)

    def loadings(psi):
        values, vectors = eig(psi)
        return np.sqrt(psi) * vectors[:, -1] * math.sqrt(max(values[-1] - 1, 0.0))

    def gradient(psi):
        lam = loadings(psi)
        g = np.outer(lam, lam) + np.diag(psi) - corr
        return np.diag(g) / psi**2

    start = (1 - 0.5 / p) / np.diag(np.linalg.inv(corr))
    fit = optimize.minimize(
        objective,
        np.clip(start, 0.005, 1.0),
        jac=gradient,
        method="L-BFGS-B",
        bounds=[(0.005, 1.0)] * p,
        options={"ftol": 1e-14, "gtol": 1e-10, "maxiter": 2000},
    )
    psi = fit.x
    lam = loadings(psi)
    if lam.sum() < 0:
        lam = -lam
    return lam, psi


@_register(
    name="McDonald's omega total (one-factor model)",
    formula=(
        "omega = (sum_j lambda_j)^2 / ((sum_j lambda_j)^2 + sum_j psi_j), with loadings "
        "lambda_j and unique variances psi_j of a one-factor maximum-likelihood model on "
        "the raw-score covariances"
    ),
    reference=(
        "McDonald, R. P. (1999). Test theory: a unified treatment. Lawrence Erlbaum. "
        "Joreskog, K. G. (1967). Some contributions to maximum likelihood factor analysis. "
        "Psychometrika, 32(4), 443-482."
    ),
    notes=(
        "Listwise deletion; needs at least 3 items and more complete respondents than "
        "items. The ML fit is R factanal's algorithm (uniquenesses bounded below by "
        "0.005); omega refers to the unweighted sum (or mean) of the raw items."
    ),
)
def omega(items) -> Omega:
    """McDonald's omega total of a scale from a one-factor maximum-likelihood model.

    Parameters
    ----------
    items : pandas.DataFrame or 2-D array
        Rows are respondents, columns are items (already reverse-keyed). Respondents with
        a missing item are dropped.

    Returns
    -------
    Omega
        ``omega``, ``n`` complete respondents, ``k`` items, ``reason``.

    Notes
    -----
    A one-factor (congeneric) model :math:`\\Sigma = \\lambda\\lambda' + \\Psi` is fitted by
    maximum likelihood with R ``factanal``'s algorithm (Joreskog 1967) to the item
    correlation matrix; as ML is scale-invariant the raw-score loadings and unique
    variances are :math:`s_j\\lambda_j` and :math:`s_j^2\\psi_j`. Then (McDonald 1999)

    .. math::

        \\omega = \\frac{(\\sum_j s_j\\lambda_j)^2}{(\\sum_j s_j\\lambda_j)^2 + \\sum_j s_j^2\\psi_j},

    the share of the variance of the unweighted sum score due to the common factor. When
    the model holds exactly with equal raw loadings (tau-equivalence), omega equals
    Cronbach's alpha.
    """
    frame = _as_item_frame(items)
    k = frame.shape[1]
    data = frame.dropna(how="any").to_numpy()
    n = int(data.shape[0])
    if k < 3:
        return Omega(NAN, n, k, "fewer than 3 items")
    if n <= k:
        return Omega(NAN, n, k, "fewer complete respondents than items + 1")
    sd = data.std(axis=0, ddof=1)
    if not (sd > 0).all():
        return Omega(NAN, n, k, "an item has zero variance")
    corr = np.corrcoef(data, rowvar=False)
    if np.linalg.eigvalsh(corr)[0] <= 1e-10:
        return Omega(NAN, n, k, "item correlation matrix is singular")
    lam, psi = _one_factor_ml(corr)
    common = (sd * lam).sum() ** 2
    unique = (sd**2 * psi).sum()
    return Omega(float(common / (common + unique)), n, k, None)


# --------------------------------------------------------------------------------------
# Comparison group: difference in differences
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiffInDiff(_Result):
    """Result of :func:`diff_in_diff` (estimate = change of treated - change of controls)."""

    n_treated: int
    n_control: int
    change_treated: float
    change_control: float
    estimate: float
    ci_low: float
    ci_high: float
    t: float
    df: float
    p_value: float
    effect_size: float
    effect_size_type: str
    reason: str | None
    effect_size_ci_low: float = NAN
    effect_size_ci_high: float = NAN


_DID_EFFECT_SIZE = "Hedges' g (pooled SD of change scores)"


@_register(
    name="Difference in differences of mean change (Welch interval)",
    formula=(
        "change = post - pre; estimate = mean change (treated) - mean change (control); "
        "SE = sqrt(v1/n1 + v0/n0), Welch-Satterthwaite df; g = estimate / pooled SD of "
        "the change scores * (1 - 3 / (4 (n1 + n0) - 9)); CI of g: noncentral t limits of "
        "the pooled t = d / sqrt(1/n1 + 1/n0), df = n1 + n0 - 2, times sqrt(1/n1 + 1/n0) "
        "and the same correction"
    ),
    reference=(
        "Welch, B. L. (1947). The generalization of 'Student's' problem when several "
        "different population variances are involved. Biometrika, 34(1-2), 28-35. Hedges, "
        "L. V. (1981). Distribution theory for Glass's estimator of effect size and related "
        "estimators. Journal of Educational Statistics, 6(2), 107-128. Steiger, J. H., & "
        "Fouladi, R. T. (1997). Noncentrality interval estimation and the evaluation of "
        "statistical models. In L. L. Harlow et al. (Eds.), What if there were no "
        "significance tests? (pp. 221-257). Erlbaum. Angrist, J. D., & "
        "Pischke, J.-S. (2009). Mostly harmless econometrics. Princeton University Press. "
        f"{_R_CORE} (t.test(change ~ group), Welch)."
    ),
    notes=(
        "Rows with a missing pre, post or group are dropped. The Welch interval equals the "
        "interval of an OLS regression of change on group with HC2 standard errors. The "
        "comparison group must be comparable at baseline (see attrition / baseline SMD)."
    ),
)
def diff_in_diff(pre, post, treated, confidence: float = 0.95) -> DiffInDiff:
    """Difference in differences: mean change of participants minus that of controls.

    Equivalent to R's Welch ``t.test(change ~ group)`` on the change scores, with the
    sign treated minus control.

    Parameters
    ----------
    pre, post : array-like of float
        Scores at the two waves, aligned by position.
    treated : array-like of bool or 0/1
        1 (True) for participants, 0 (False) for the comparison group.
    confidence : float, default 0.95
        Level of the confidence interval.

    Returns
    -------
    DiffInDiff
        Group sizes, mean changes, ``estimate`` with Welch ``ci_low``/``ci_high``, ``t``,
        ``df``, ``p_value``, ``effect_size`` and ``effect_size_type`` (Hedges' g with the
        pooled SD of the change scores), ``reason``.

    Notes
    -----
    With change scores :math:`c = post - pre`, group means :math:`\\bar c_1, \\bar c_0`,
    variances :math:`v_1, v_0` and sizes :math:`n_1, n_0`:
    :math:`\\hat\\delta = \\bar c_1 - \\bar c_0`, :math:`SE = \\sqrt{v_1/n_1 + v_0/n_0}`,
    :math:`df = SE^4 / \\sum_g (v_g/n_g)^2/(n_g - 1)` (Welch 1947);
    :math:`g = \\hat\\delta / s_p \\cdot (1 - 3/(4(n_1+n_0) - 9))` with
    :math:`s_p^2 = ((n_1-1)v_1 + (n_0-1)v_0)/(n_1+n_0-2)` (Hedges 1981).
    The interval of ``g`` inverts the noncentral t distribution of the pooled-variance
    statistic :math:`t_p = d / \\sqrt{1/n_1 + 1/n_0}` with :math:`n_1 + n_0 - 2` df
    (Steiger & Fouladi 1997; R's ``MBESS::ci.smd``) and applies the same correction to
    both limits.
    """
    confidence = _check_confidence(confidence)
    x = _as_1d_float(pre, "pre")
    y = _as_1d_float(post, "post")
    g = _as_binary(_as_1d_float(treated, "treated"), "treated")
    if not x.size == y.size == g.size:
        raise ValueError(
            "pre, post and treated must have the same length; "
            f"got {x.size}, {y.size} and {g.size}"
        )
    keep = ~(np.isnan(x) | np.isnan(y) | np.isnan(g))
    change = (y - x)[keep]
    group = g[keep] == 1
    c1, c0 = change[group], change[~group]
    n1, n0 = int(c1.size), int(c0.size)
    m1, m0 = _mean(c1), _mean(c0)
    estimate = m1 - m0 if n1 and n0 else NAN
    ci_low = ci_high = t = df = p_value = es = es_lo = es_hi = NAN
    reasons = []
    if n1 < 2 or n0 < 2:
        which = [name for name, size in (("participant", n1), ("comparison", n0)) if size < 2]
        reasons.append(f"fewer than 2 people with both waves in the {' and '.join(which)} group")
    else:
        v1, v0 = c1.var(ddof=1), c0.var(ddof=1)
        se = math.sqrt(v1 / n1 + v0 / n0)
        if _essentially_constant(se, m1, m0):
            reasons.append("change scores have zero variance in both groups")
        else:
            df = se**4 / ((v1 / n1) ** 2 / (n1 - 1) + (v0 / n0) ** 2 / (n0 - 1))
            t = estimate / se
            p_value = float(2 * sps.t.sf(abs(t), df))
            q = float(sps.t.ppf(0.5 + confidence / 2, df))
            ci_low, ci_high = estimate - q * se, estimate + q * se
            sd_pooled = math.sqrt(((n1 - 1) * v1 + (n0 - 1) * v0) / (n1 + n0 - 2))
            correction = 1 - 3 / (4 * (n1 + n0) - 9)
            es = estimate / sd_pooled * correction
            scale = math.sqrt(1 / n1 + 1 / n0)
            ncp_lo, ncp_hi = _nct_ncp_interval(estimate / sd_pooled / scale, n1 + n0 - 2, confidence)
            es_lo, es_hi = ncp_lo * scale * correction, ncp_hi * scale * correction
            if math.isnan(es_lo) or math.isnan(es_hi):
                reasons.append("noncentral t interval of the effect size could not be computed")
    return DiffInDiff(
        n_treated=n1,
        n_control=n0,
        change_treated=m1,
        change_control=m0,
        estimate=float(estimate),
        ci_low=float(ci_low),
        ci_high=float(ci_high),
        t=float(t),
        df=float(df),
        p_value=float(p_value),
        effect_size=float(es),
        effect_size_type=_DID_EFFECT_SIZE,
        reason=_join(reasons),
        effect_size_ci_low=float(es_lo),
        effect_size_ci_high=float(es_hi),
    )


# --------------------------------------------------------------------------------------
# Attrition
# --------------------------------------------------------------------------------------

#: |SMD| above which attrition may bias the comparison (METHODS.md).
ATTRITION_SMD_FLAG = 0.2


@dataclass(frozen=True)
class Attrition(_Result):
    """Result of :func:`attrition`."""

    n_completed: int
    n_dropped: int
    mean_completed: float
    mean_dropped: float
    smd: float
    flag: bool
    reason: str | None


@_register(
    name="Attrition check: standardised mean difference at baseline",
    formula=(
        "SMD = (mean baseline of completers - mean baseline of drop-outs) / pooled SD, "
        "pooled SD = sqrt(((n1-1) s1^2 + (n0-1) s0^2) / (n1 + n0 - 2)); flag if |SMD| > 0.2"
    ),
    reference=(
        "Cohen, J. (1988). Statistical power analysis for the behavioral sciences (2nd "
        "ed.). Lawrence Erlbaum. Austin, P. C. (2009). Balance diagnostics for comparing "
        "the distribution of baseline covariates between treatment groups in "
        "propensity-score matched samples. Statistics in Medicine, 28(25), 3083-3107."
    ),
    notes=(
        "People without a baseline score are left out. The flag is False when the SMD "
        "cannot be computed; reason then says why."
    ),
)
def attrition(baseline_scores, completed) -> Attrition:
    """Do people who answered both waves differ at baseline from those who dropped out?

    Parameters
    ----------
    baseline_scores : array-like of float
        First-wave scores of everyone who answered the first wave.
    completed : array-like of bool or 0/1
        1 (True) if the person also answered the second wave.

    Returns
    -------
    Attrition
        Group sizes and means, ``smd`` (completers minus drop-outs, in pooled SDs),
        ``flag`` = ``|smd| > 0.2`` (False when the SMD is undefined), ``reason``.

    Notes
    -----
    :math:`SMD = (\\bar x_c - \\bar x_d) / s_p`,
    :math:`s_p^2 = ((n_c - 1)s_c^2 + (n_d - 1)s_d^2)/(n_c + n_d - 2)` (Cohen 1988); a
    standardised difference above 0.2 in absolute value suggests attrition bias
    (Austin 2009 uses 0.1 for balance; METHODS.md agrees on 0.2).
    """
    x = _as_1d_float(baseline_scores, "baseline_scores")
    done = _as_binary(_as_1d_float(completed, "completed"), "completed")
    if x.size != done.size:
        raise ValueError(
            f"baseline_scores and completed must have the same length; got {x.size} and {done.size}"
        )
    keep = ~(np.isnan(x) | np.isnan(done))
    xc, xd = x[keep & (done == 1)], x[keep & (done == 0)]
    nc, nd = int(xc.size), int(xd.size)
    mc, md = _mean(xc), _mean(xd)
    smd = NAN
    reason = None
    if nc == 0 or nd == 0:
        reason = "nobody dropped out" if nd == 0 else "nobody completed both waves"
        if nc == 0 and nd == 0:
            reason = "no baseline scores"
    elif nc + nd <= 2:
        reason = "too few people to estimate the SD (need 3 or more)"
    else:
        ss = ((xc - mc) ** 2).sum() + ((xd - md) ** 2).sum()
        sd_pooled = math.sqrt(ss / (nc + nd - 2))
        if sd_pooled > 0:
            smd = (mc - md) / sd_pooled
        else:
            reason = "baseline scores have zero variance"
    return Attrition(nc, nd, mc, md, float(smd), bool(abs(smd) > ATTRITION_SMD_FLAG), reason)


# --------------------------------------------------------------------------------------
# Multiple comparisons
# --------------------------------------------------------------------------------------

_ADJUST_METHODS = {
    "holm": "Holm (1979) step-down",
    "fdr_bh": "Benjamini-Hochberg (1995) false discovery rate",
    "bonferroni": "Bonferroni",
}


def _p_adjust(p: np.ndarray, method: str) -> np.ndarray:
    """R's ``p.adjust`` for complete p-values (no missing values)."""
    m = p.size
    if method == "bonferroni":
        return np.minimum(1.0, m * p)
    if method == "holm":
        order = np.argsort(p, kind="stable")
        adjusted = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    else:  # fdr_bh: i runs from m down to 1 over the p-values sorted decreasingly
        order = np.argsort(-p, kind="stable")
        adjusted = np.minimum(1.0, np.minimum.accumulate(m / np.arange(m, 0, -1) * p[order]))
    out = np.empty(m)
    out[order] = adjusted
    return out


@dataclass(frozen=True, eq=False)
class AdjustedP(_Result):
    """Result of :func:`adjust_p`: adjusted p-values in the input order."""

    p_adjusted: np.ndarray
    method: str


@_register(
    name="Adjustment of p-values for a family of indicators",
    formula=(
        "holm: p_(i) * (m - i + 1), running maximum, capped at 1; fdr_bh: p_(i) * m / i, "
        "running minimum from the largest, capped at 1; bonferroni: p * m, capped at 1"
    ),
    reference=(
        "Holm, S. (1979). A simple sequentially rejective multiple test procedure. "
        "Scandinavian Journal of Statistics, 6(2), 65-70. Benjamini, Y., & Hochberg, Y. "
        "(1995). Controlling the false discovery rate: a practical and powerful approach to "
        "multiple testing. Journal of the Royal Statistical Society B, 57(1), 289-300. "
        f"{_R_CORE} (p.adjust)."
    ),
    notes=(
        "m counts the non-missing p-values only; missing p-values stay missing (as R's "
        "p.adjust). Computed with R's p.adjust formulas; the tests check them against "
        "statsmodels' multipletests with the method named explicitly (its default is "
        "Holm-Sidak, not Holm)."
    ),
)
def adjust_p(p_values, method: str = "holm") -> AdjustedP:
    """Adjust a family of p-values for multiple comparisons, as R's ``p.adjust``.

    Parameters
    ----------
    p_values : array-like of float
        The family's p-values; ``nan`` (a statistic that could not be computed) stays
        ``nan`` and is not counted in the family.
    method : {"holm", "fdr_bh", "bonferroni"}, default "holm"
        Holm's step-down method (controls the family-wise error rate),
        Benjamini-Hochberg (false discovery rate) or Bonferroni.

    Returns
    -------
    AdjustedP
        ``p_adjusted`` (read-only array, input order) and ``method``.

    Notes
    -----
    With the :math:`m` sorted p-values :math:`p_{(1)} \\le \\dots \\le p_{(m)}`: Holm
    :math:`\\tilde p_{(i)} = \\max_{j \\le i} \\min(1, (m - j + 1) p_{(j)})`;
    Benjamini-Hochberg :math:`\\tilde p_{(i)} = \\min_{j \\ge i} \\min(1, m p_{(j)} / j)`.
    Computed with the formulas of R's ``p.adjust`` (``src/library/stats/R/p.adjust.R``).
    ``statsmodels.stats.multitest.multipletests`` gives the same values when the method is
    passed explicitly (its default, ``"hs"``, is Holm-Sidak, not Holm), and the tests check
    that; it is not called here because it runs a full garbage collection on every call,
    which made adjusting the many families of an indicator table take seconds.

    Examples
    --------
    >>> adjust_p([0.01, 0.02, 0.03, 0.04, 0.05]).p_adjusted.round(2).tolist()
    [0.05, 0.08, 0.09, 0.09, 0.09]
    """
    if method not in _ADJUST_METHODS:
        raise ValueError(f"method must be one of {sorted(_ADJUST_METHODS)}; got {method!r}")
    p = _as_1d_float(p_values, "p_values")
    present = ~np.isnan(p)
    if ((p[present] < 0) | (p[present] > 1)).any():
        raise ValueError("p_values must lie between 0 and 1")
    out = np.full(p.size, NAN)
    if present.any():
        out[present] = _p_adjust(p[present], method)
    out.setflags(write=False)
    return AdjustedP(out, method)


# --------------------------------------------------------------------------------------
# Bootstrap
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BootstrapCI(_Result):
    """Result of :func:`bootstrap_ci`."""

    estimate: float
    ci_low: float
    ci_high: float
    n: int
    n_resamples: int
    seed: int | None
    method: str
    reason: str | None = None


def _mean_difference(a, b, axis=-1):
    return np.mean(b, axis=axis) - np.mean(a, axis=axis)


def _median_difference(a, b, axis=-1):
    return np.median(b, axis=axis) - np.median(a, axis=axis)


def _sd_axis(a, axis=-1):
    return np.std(a, axis=axis, ddof=1)


_ONE_SAMPLE_STATISTICS: dict[str, Callable] = {"mean": np.mean, "median": np.median, "sd": _sd_axis}
_TWO_SAMPLE_STATISTICS: dict[str, Callable] = {
    "mean_difference": _mean_difference,
    "median_difference": _median_difference,
}

#: Largest number of resampled values held in memory at once by :func:`bootstrap_ci`.
_BOOTSTRAP_BLOCK = 2_000_000


def _apply_statistic(func: Callable, samples: list[np.ndarray]) -> np.ndarray:
    """Apply ``func`` to 2-D resamples (one row each) along the last axis."""
    n_rows = samples[0].shape[0]
    try:
        values = np.asarray(func(*samples, axis=-1), dtype=float)
    except TypeError:
        values = None
    if values is None or values.shape != (n_rows,):
        values = np.array([func(*(s[i] for s in samples)) for i in range(n_rows)], dtype=float)
    return values


@_register(
    name="Percentile bootstrap confidence interval",
    formula=(
        "resample people with replacement B times, compute the statistic on each "
        "resample; CI = the alpha/2 and 1 - alpha/2 quantiles of the B values"
    ),
    reference=(
        "Efron, B., & Tibshirani, R. J. (1993). An introduction to the bootstrap. Chapman & "
        "Hall/CRC."
    ),
    notes=(
        "Paired samples are resampled by person (rows together), independent samples "
        "separately. Missing values are dropped (paired: the whole pair). Quantiles are "
        "linear interpolations (R type 7). Reproducible with the seed (NumPy Generator)."
    ),
)
def bootstrap_ci(
    data,
    statistic: str | Callable = "mean",
    n_resamples: int = 5000,
    confidence: float = 0.95,
    seed: int | None = DEFAULT_SEED,
    paired: bool = False,
) -> BootstrapCI:
    """Percentile bootstrap confidence interval of a statistic, vectorised.

    Parameters
    ----------
    data : array-like or tuple of array-likes
        One sample (a 1-D list, array or Series) or a *tuple* of samples. With
        ``paired=True`` the samples of the tuple must have equal lengths and are
        resampled together by position (person); otherwise each is resampled on its own.
    statistic : str or callable, default "mean"
        A name -- ``"mean"``, ``"median"``, ``"sd"`` for one sample; ``"mean_difference"``
        or ``"median_difference"`` (second sample minus first) for two -- or a function
        called as ``statistic(*samples, axis=-1)`` on 2-D arrays (one resample per row)
        returning one value per row, like ``numpy.mean``. A function without an ``axis``
        argument is called once per resample on 1-D arrays (slower).
    n_resamples : int, default 5000
        Number of bootstrap resamples.
    confidence : float, default 0.95
        Level of the interval.
    seed : int or None, default DEFAULT_SEED
        Seed of the NumPy Generator; the same seed gives the same interval.
    paired : bool, default False
        Resample the samples of a tuple together (paired data).

    Returns
    -------
    BootstrapCI
        ``estimate`` (statistic on the data), ``ci_low``, ``ci_high``, ``n`` (people; for
        independent samples the total over samples), ``n_resamples``, ``seed``,
        ``method`` ("percentile") and ``reason``.

    Notes
    -----
    The resample indices for a block of resamples are drawn at once (an
    ``(B, n)`` integer matrix) and the statistic is applied along the last axis. The
    interval is the :math:`\\alpha/2` and :math:`1 - \\alpha/2` quantiles of the bootstrap
    distribution (Efron & Tibshirani 1993, ch. 13).
    """
    confidence = _check_confidence(confidence)
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, numbers.Integral) or n_resamples < 1:
        raise ValueError(f"n_resamples must be a positive whole number; got {n_resamples!r}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
        raise TypeError(f"seed must be a whole number or None; got {seed!r}")
    raw = list(data) if isinstance(data, tuple) else [data]
    samples = [_as_1d_float(s, f"data[{i}]") for i, s in enumerate(raw)]
    if isinstance(statistic, str):
        table = _ONE_SAMPLE_STATISTICS if len(samples) == 1 else _TWO_SAMPLE_STATISTICS
        if statistic not in table:
            raise ValueError(
                f"statistic {statistic!r} is not available for {len(samples)} sample(s); "
                f"choose one of {sorted(table)} or pass a function"
            )
        func = table[statistic]
    elif callable(statistic):
        func = statistic
    else:
        raise TypeError(f"statistic must be a name or a function; got {statistic!r}")

    if paired:
        if len(samples) < 2:
            raise ValueError("paired=True needs a tuple of at least two samples")
        if len({s.size for s in samples}) != 1:
            raise ValueError(f"paired samples must have equal lengths; got {[s.size for s in samples]}")
        keep = ~np.any([np.isnan(s) for s in samples], axis=0)
        samples = [s[keep] for s in samples]
        n = int(samples[0].size)
    else:
        samples = [s[~np.isnan(s)] for s in samples]
        n = int(sum(s.size for s in samples))
    method = "percentile"
    seed_out = None if seed is None else int(seed)
    if min(s.size for s in samples) < 2:
        return BootstrapCI(NAN, NAN, NAN, n, int(n_resamples), seed_out, method,
                           "fewer than 2 observations")

    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        estimate = float(_apply_statistic(func, [s[np.newaxis, :] for s in samples])[0])
        rng = np.random.default_rng(seed)
        width = sum(s.size for s in samples) if not paired else n * len(samples)
        block = max(1, min(int(n_resamples), _BOOTSTRAP_BLOCK // max(width, 1)))
        values = np.empty(int(n_resamples))
        for start in range(0, int(n_resamples), block):
            b = min(block, int(n_resamples) - start)
            if paired:
                idx = rng.integers(0, n, size=(b, n))
                resampled = [s[idx] for s in samples]
            else:
                resampled = [s[rng.integers(0, s.size, size=(b, s.size))] for s in samples]
            values[start : start + b] = _apply_statistic(func, resampled)
    if not math.isfinite(estimate) or not np.isfinite(values).all():
        return BootstrapCI(estimate, NAN, NAN, n, int(n_resamples), seed_out, method,
                           "statistic undefined (not finite) on the data or some resamples")
    a = 1 - confidence
    low, high = np.quantile(values, [a / 2, 1 - a / 2])
    return BootstrapCI(estimate, float(low), float(high), n, int(n_resamples), seed_out, method, None)
