"""Random-effects summary across sites (partners): DerSimonian-Laird or REML, with tau^2, I^2
and a prediction interval.

See :mod:`pipeline.stats` for the conventions every statistic follows."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps

from pipeline.i18n import N_
from pipeline.stats._base import NAN, _as_1d_float, _check_confidence, _register, _Result

_META_METHODS = ("reml", "dl")
_META_TESTS = ("z", "knha")


@dataclass(frozen=True)
class RandomEffects(_Result):
    """Result of :func:`random_effects`."""

    k: int
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    z: float
    p_value: float
    tau2: float
    i2: float
    q: float
    q_p_value: float
    pi_low: float
    pi_high: float
    fixed_estimate: float
    fixed_se: float
    method: str
    test: str
    df: float
    reason: str | None


def _dl_tau2(y: np.ndarray, v: np.ndarray) -> float:
    w = 1 / v
    mu = np.sum(w * y) / np.sum(w)
    q = float(np.sum(w * (y - mu) ** 2))
    c = np.sum(w) - np.sum(w**2) / np.sum(w)
    return max(0.0, (q - (y.size - 1)) / c)


def _reml_tau2(y: np.ndarray, v: np.ndarray, start: float) -> float:
    """REML estimate of tau^2 by Fisher scoring (Viechtbauer 2005, eq. 12), truncated at 0."""
    tau2 = max(start, 0.0)
    for _ in range(200):
        w = 1 / (v + tau2)
        mu = np.sum(w * y) / np.sum(w)
        # REML score equation: tau2 = sum(w^2 ((y - mu)^2 - v)) / sum(w^2) + 1 / sum(w)
        new = float(np.sum(w**2 * ((y - mu) ** 2 - v)) / np.sum(w**2) + 1 / np.sum(w))
        new = max(new, 0.0)
        if abs(new - tau2) < 1e-12 * max(1.0, tau2):
            return new
        tau2 = new
    return tau2


@_register(
    name=N_("Random-effects summary across partners (REML or DerSimonian-Laird), with tau^2, I^2 and a prediction interval"),
    formula=(
        N_(
            "y_i = site estimate, v_i its squared SE; w_i = 1 / (v_i + tau^2); mu = sum(w_i y_i) / sum(w_i), "
            "SE = 1 / sqrt(sum w_i), CI = mu +/- z_{1-alpha/2} SE; Hartung-Knapp-Sidik-Jonkman (test = 'knha'): "
            "SE_HK = sqrt(sum(w_i (y_i - mu)^2) / ((k - 1) sum w_i)), CI = mu +/- t_{1-alpha/2, k-1} SE_HK, t test with k - 1 df; Q = sum((y_i - mu_FE)^2 / v_i), df = k - 1; "
            "DL: tau^2 = max(0, (Q - (k - 1)) / (sum(1/v) - sum(1/v^2) / sum(1/v))); REML: Fisher scoring; "
            "I^2 = tau^2 / (tau^2 + s^2), s^2 = (k - 1) sum(1/v) / ((sum 1/v)^2 - sum(1/v^2)) (= (Q - (k - 1)) / Q with DL); prediction interval = mu +/- t_{1-alpha/2, k-2} sqrt(tau^2 + SE^2)"
        )
    ),
    reference=(
        "DerSimonian, R., & Laird, N. (1986). Meta-analysis in clinical trials. Controlled Clinical Trials, "
        "7(3), 177-188. Viechtbauer, W. (2005). Bias and efficiency of meta-analytic variance estimators in "
        "the random-effects model. Journal of Educational and Behavioral Statistics, 30(3), 261-293. "
        "Higgins, J. P. T., & Thompson, S. G. (2002). Quantifying heterogeneity in a meta-analysis. "
        "Statistics in Medicine, 21(11), 1539-1558. Higgins, J. P. T., Thompson, S. G., & Spiegelhalter, "
        "D. J. (2009). A re-evaluation of random-effects meta-analysis. Journal of the Royal Statistical "
        "Society A, 172(1), 137-159. Viechtbauer, W. (2010). Conducting meta-analyses in R with the metafor "
        "package. Journal of Statistical Software, 36(3), 1-48 (rma(yi, vi, method = 'REML' / 'DL', test = 'knha')). "
        "Hartung, J., & Knapp, G. (2001). A refined method for the meta-analysis of controlled clinical trials with "
        "binary outcome. Statistics in Medicine, 20(24), 3875-3889. Sidik, K., & Jonkman, J. N. (2002). A simple "
        "confidence interval for meta-analysis. Statistics in Medicine, 21(21), 3153-3159. IntHout, J., Ioannidis, "
        "J. P. A., & Borm, G. F. (2014). The Hartung-Knapp-Sidik-Jonkman method for random effects meta-analysis is "
        "straightforward and considerably outperforms the standard DerSimonian-Laird method. BMC Medical Research "
        "Methodology, 14, 25."
    ),
    notes=(
        N_(
            "Respondents are nested in partners: the pooled consortium estimate treats them as independent, "
            "this summary treats each partner as a site whose true change may differ (tau^2 = between-partner "
            "variance; I^2 = share of the variation in the partners' estimates beyond chance). The prediction "
            "interval says where a new partner's change would fall; it needs at least 3 partners. With few "
            "partners tau^2 is imprecise, and the normal (z) interval is too narrow: with test = 'knha' the interval "
            "and test use the Hartung-Knapp-Sidik-Jonkman standard error and a t distribution with k - 1 df, as the "
            "pipeline's random-effects rows do. Checked against metafor's documented output for dat.bcg (REML, DL) and "
            "metafor's rma(method = 'DL', test = 'knha') output recorded in statsmodels' tests."
        )
    ),
)
def random_effects(estimates, variances, method: str = "reml", confidence: float = 0.95, test: str = "z") -> RandomEffects:
    """Random-effects meta-analysis of site estimates, as metafor's ``rma(yi, vi, method = ...)``.

    Parameters
    ----------
    estimates : array-like of float
        One estimate per site (partner), e.g. the mean change.
    variances : array-like of float
        Their sampling variances (squared standard errors), all positive.
    method : {"reml", "dl"}, default "reml"
        Estimator of the between-site variance tau^2: restricted maximum likelihood
        (Viechtbauer 2005) or DerSimonian & Laird's (1986) method of moments.
    confidence : float, default 0.95
        Level of the confidence and prediction intervals.
    test : {"z", "knha"}, default "z"
        How the interval and test of ``estimate`` are made: the normal approximation
        (metafor's default), or the Hartung-Knapp-Sidik-Jonkman adjustment
        (metafor's ``test = "knha"``): the standard error scaled by the weighted
        residual variance of the sites, a t distribution with k - 1 df. Recommended
        with few sites (IntHout et al. 2014).

    Returns
    -------
    RandomEffects
        ``k`` sites, ``estimate`` with ``se``, ``ci_low``/``ci_high``, the test statistic
        ``z`` (a t statistic with ``df`` = k - 1 under "knha"; ``df`` is infinite under "z"),
        ``p_value``; ``tau2``, ``i2`` (0-1), Cochran's ``q`` with ``q_p_value``;
        the prediction interval ``pi_low``/``pi_high`` (t with k - 2 df; NaN for k < 3);
        the fixed-effect (inverse-variance) ``fixed_estimate`` and ``fixed_se``.

    Notes
    -----
    Sites with a missing estimate or variance are left out. ``statsmodels``'
    ``combine_effects(method_re="dl")`` gives the same DL values; the tests check both
    estimators against metafor's documented output for the BCG vaccine trials.
    """
    if method not in _META_METHODS:
        raise ValueError(f"method must be one of {_META_METHODS}; got {method!r}")
    if test not in _META_TESTS:
        raise ValueError(f"test must be one of {_META_TESTS}; got {test!r}")
    confidence = _check_confidence(confidence)
    y = _as_1d_float(estimates, "estimates")
    v = _as_1d_float(variances, "variances")
    if y.size != v.size:
        raise ValueError(f"estimates and variances must have the same length (one per site); got {y.size} and {v.size}")
    keep = ~(np.isnan(y) | np.isnan(v))
    y, v = y[keep], v[keep]
    if (v <= 0).any():
        raise ValueError("variances must be positive (a site with a zero standard error cannot be weighted)")
    k = int(y.size)
    nan = dict(estimate=NAN, se=NAN, ci_low=NAN, ci_high=NAN, z=NAN, p_value=NAN, tau2=NAN, i2=NAN, q=NAN, q_p_value=NAN, pi_low=NAN, pi_high=NAN, fixed_estimate=NAN, fixed_se=NAN)
    if k < 2:
        return RandomEffects(k=k, method=method, test=test, df=NAN, reason=N_("fewer than 2 partners to combine"), **nan)
    w_fe = 1 / v
    fixed = float(np.sum(w_fe * y) / np.sum(w_fe))
    fixed_se = float(1 / math.sqrt(np.sum(w_fe)))
    q = float(np.sum(w_fe * (y - fixed) ** 2))
    tau2 = _dl_tau2(y, v)
    if method == "reml":
        tau2 = _reml_tau2(y, v, tau2)
    w = 1 / (v + tau2)
    mu = float(np.sum(w * y) / np.sum(w))
    se = float(1 / math.sqrt(np.sum(w)))
    if test == "knha":  # Hartung & Knapp (2001), Sidik & Jonkman (2002); metafor's test = "knha"
        df = float(k - 1)
        se = float(math.sqrt(np.sum(w * (y - mu) ** 2) / ((k - 1) * np.sum(w))))
        zq = float(sps.t.ppf(0.5 + confidence / 2, df))
    else:
        df = math.inf
        zq = float(sps.norm.ppf(0.5 + confidence / 2))
    z = mu / se if se > 0 else NAN
    # Higgins & Thompson (2002): I^2 = tau^2 / (tau^2 + s^2), s^2 the typical within-site
    # variance; with DL's tau^2 this is (Q - (k - 1)) / Q (metafor computes it this way)
    s2 = (k - 1) * np.sum(w_fe) / (np.sum(w_fe) ** 2 - np.sum(w_fe**2))
    i2 = float(tau2 / (tau2 + s2))
    pi_low = pi_high = NAN
    reason = None
    if k >= 3:
        half = float(sps.t.ppf(0.5 + confidence / 2, k - 2)) * math.sqrt(tau2 + se**2)
        pi_low, pi_high = mu - half, mu + half
    else:
        reason = N_("prediction interval needs at least 3 partners")
    return RandomEffects(
        k=k,
        estimate=mu,
        se=se,
        ci_low=mu - zq * se,
        ci_high=mu + zq * se,
        z=float(z),
        p_value=float(2 * (sps.t.sf(abs(z), df) if test == "knha" else sps.norm.sf(abs(z)))),
        tau2=float(tau2),
        i2=float(i2),
        q=q,
        q_p_value=float(sps.chi2.sf(q, k - 1)),
        pi_low=float(pi_low),
        pi_high=float(pi_high),
        fixed_estimate=fixed,
        fixed_se=fixed_se,
        method=method,
        test=test,
        df=df,
        reason=reason,
    )
