"""Reliability: the reliable change index (Jacobson & Truax), Cronbach's alpha and McDonald's omega.

See :mod:`pipeline.stats` for the conventions every statistic follows."""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize
from scipy import stats as sps

from pipeline.i18n import N_
from pipeline.stats._base import NAN, OVERFLOW, _align, _as_1d_float, _check_confidence, _finite, _join, _register, _Result, _sd, one_blas_thread

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
    name=N_("Reliable Change Index"),
    formula=(
        N_(
            "RC = (post - pre) / S_diff; Jacobson & Truax: S_diff = sqrt(2) * s_pre * "
            "sqrt(1 - r_xx); Maassen: S_diff = sqrt((s_pre^2 + s_post^2) * (1 - r_xx)); "
            "reliable improvement if RC > 1.96 (higher is better)"
        )
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
        N_(
            "s_pre (and s_post) default to the SDs of the complete pairs; r_xx is the scale's "
            "reliability (e.g. Cronbach's alpha). Shares are of people with both waves; |RC| "
            "equal to the threshold counts as unchanged."
        )
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
        if value is not None and (isinstance(value, bool) or not isinstance(value, numbers.Real) or not value >= 0):
            raise ValueError(f"{name} must be a non-negative number or None; got {value!r}")

    pre, post = _align({"pre": pre, "post": post})
    x = _as_1d_float(pre, "pre")
    y = _as_1d_float(post, "post")
    if x.size != y.size:
        raise ValueError(f"pre and post must have the same length; got {x.size} and {y.size}")
    index = pre.index if isinstance(pre, pd.Series) else pd.RangeIndex(x.size)
    complete = ~(np.isnan(x) | np.isnan(y))
    n = int(complete.sum())
    s_pre = float(sd_pre) if sd_pre is not None else _sd(x[complete])
    s_post = float(sd_post) if sd_post is not None else _sd(y[complete])

    reasons: list[str] = []
    s_diff = NAN
    if n == 0:
        reasons.append(N_("no complete pairs"))
    elif math.isnan(reliability):
        reasons.append(N_("reliability is missing"))
    elif math.isnan(s_pre) or (method == "maassen" and math.isnan(s_post)):
        reasons.append(N_("fewer than 2 pairs to estimate the SD"))
    else:
        if method == "jacobson_truax":
            s_diff = math.sqrt(2) * s_pre * math.sqrt(1 - reliability)
        else:
            s_diff = math.sqrt((s_pre**2 + s_post**2) * (1 - reliability))
        if not _finite(s_diff):
            reasons.append(OVERFLOW)
            s_diff = NAN
        elif s_diff == 0:
            reasons.append(N_("the SD of the scores is zero"))
            s_diff = NAN

    with np.errstate(over="ignore", invalid="ignore"):
        rc = (y - x) / s_diff if not math.isnan(s_diff) else np.full(x.size, NAN)
    if not math.isnan(s_diff) and not np.isfinite(rc[complete]).all():
        reasons.append(OVERFLOW)
        s_diff, rc = NAN, np.full(x.size, NAN)
    better = rc if higher_is_better else -rc
    labels = np.where(better > threshold, "improved", np.where(better < -threshold, "worsened", "unchanged"))
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
            raise ValueError(f"items must be two-dimensional (respondents x items); got shape {arr.shape}")
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
    name=N_("Cronbach's alpha with Feldt's confidence interval"),
    formula=(
        N_(
            "alpha = k/(k-1) * (1 - sum(item variances) / variance(total)); CI: "
            "1 - (1 - alpha) * F_{1-a/2} and 1 - (1 - alpha) * F_{a/2}, F with n - 1 and "
            "(n - 1)(k - 1) df; corrected item-total r = corr(item, sum of the other items)"
        )
    ),
    reference=(
        "Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests. "
        "Psychometrika, 16(3), 297-334. Feldt, L. S., Woodruff, D. J., & Salih, F. A. "
        "(1987). Statistical inference for coefficient alpha. Applied Psychological "
        "Measurement, 11(1), 93-103."
    ),
    notes=(
        N_(
            "Listwise deletion by default (n = complete respondents); with listwise=False the "
            "covariances are pairwise and n counts respondents with at least one answer (as "
            "pingouin.cronbach_alpha and psych::alpha(use = 'pairwise')). Alpha below 0.70 "
            "should be flagged in the report."
        )
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
        return Alpha(NAN, NAN, NAN, n, k, empty_item_total, "too few respondents answered some pairs of items")
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
        reasons.append(f"item(s) with zero variance: {', '.join(constant)} (item-total r undefined)" if constant else N_("item-total correlation undefined for some items"))
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

    # one BLAS thread: on a p x p problem the worker threads cost ~100x the arithmetic
    with one_blas_thread():
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
    name=N_("McDonald's omega total (one-factor model)"),
    formula=(
        N_("omega = (sum_j lambda_j)^2 / ((sum_j lambda_j)^2 + sum_j psi_j), with loadings lambda_j and unique variances psi_j of a one-factor maximum-likelihood model on the raw-score covariances")
    ),
    reference=(
        "McDonald, R. P. (1999). Test theory: a unified treatment. Lawrence Erlbaum. Joreskog, K. G. (1967). Some contributions to maximum likelihood factor analysis. Psychometrika, 32(4), 443-482."
    ),
    notes=(
        N_(
            "Listwise deletion; needs at least 3 items and more complete respondents than "
            "items. The ML fit is R factanal's algorithm (uniquenesses bounded below by "
            "0.005); omega refers to the unweighted sum (or mean) of the raw items."
        )
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
