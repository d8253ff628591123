"""A comparison group: the difference in differences, and attrition (who left between waves).

See :mod:`pipeline.stats` for the conventions every statistic follows."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps

from pipeline.i18n import N_
from pipeline.stats._base import _R_CORE, NAN, OVERFLOW, _align, _as_1d_float, _as_binary, _check_confidence, _essentially_constant, _finite, _join, _mean, _register, _Result

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
    name=N_("Difference in differences of mean change (Welch interval)"),
    formula=(
        N_(
            "change = post - pre; estimate = mean change (treated) - mean change (control); "
            "SE = sqrt(v1/n1 + v0/n0), Welch-Satterthwaite df; g = d * (1 - 3 / (4 (n1 + n0) - 9)), "
            "d = estimate / s_p, s_p the pooled SD of the change scores; CI of g: "
            "(d +/- t_{1-alpha/2, Welch df} * SE_d) * the same correction, "
            "SE_d^2 = (v1/n1 + v0/n0) / s_p^2 + d^2 * Var(s_p^2) / (4 s_p^4), "
            "Var(s_p^2) = 2 ((n1-1) v1^2 + (n0-1) v0^2) / (n1 + n0 - 2)^2 (valid under unequal variances)"
        )
    ),
    reference=(
        "Welch, B. L. (1947). The generalization of 'Student's' problem when several "
        "different population variances are involved. Biometrika, 34(1-2), 28-35. Hedges, "
        "L. V. (1981). Distribution theory for Glass's estimator of effect size and related "
        "estimators. Journal of Educational Statistics, 6(2), 107-128. Bonett, D. G. (2008). "
        "Confidence intervals for standardized linear contrasts of means. Psychological "
        "Methods, 13(2), 99-109. Angrist, J. D., & "
        "Pischke, J.-S. (2009). Mostly harmless econometrics. Princeton University Press. "
        f"{_R_CORE} (t.test(change ~ group), Welch)."
    ),
    notes=(
        N_(
            "Rows with a missing pre, post or group are dropped. The Welch interval equals the "
            "interval of an OLS regression of change on group with HC2 standard errors. The "
            "comparison group must be comparable at baseline (see attrition / baseline SMD)."
        )
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
    The interval of ``g`` does not assume equal variances (the pooled noncentral t
    interval does, and covered 81-85% with unequal groups): it is
    :math:`d \\pm t_{1-\\alpha/2, df_W} SE_d`, times the same correction, with Welch's
    df and the delta-method standard error of :math:`d = \\hat\\delta / s_p` under
    unequal variances, :math:`SE_d^2 = (v_1/n_1 + v_0/n_0)/s_p^2 + d^2 Var(s_p^2)/(4 s_p^4)`,
    :math:`Var(s_p^2) = 2(\\nu_1 v_1^2 + \\nu_0 v_0^2)/(\\nu_1 + \\nu_0)^2`,
    :math:`\\nu = n - 1` (Bonett 2008's approach, for the pooled standardiser).
    """
    confidence = _check_confidence(confidence)
    pre, post, treated = _align({"pre": pre, "post": post, "treated": treated})
    x = _as_1d_float(pre, "pre")
    y = _as_1d_float(post, "post")
    g = _as_binary(_as_1d_float(treated, "treated"), "treated")
    if not x.size == y.size == g.size:
        raise ValueError(f"pre, post and treated must have the same length; got {x.size}, {y.size} and {g.size}")
    keep = ~(np.isnan(x) | np.isnan(y) | np.isnan(g))
    with np.errstate(over="ignore", invalid="ignore"):
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
        with np.errstate(all="ignore"):
            v1, v0 = float(c1.var(ddof=1)), float(c0.var(ddof=1))
            se = math.sqrt(v1 / n1 + v0 / n0) if _finite(v1, v0) else NAN
        if not _finite(m1, m0, v1, v0, se):
            reasons.append(OVERFLOW)
            m1, m0, estimate = (v if math.isfinite(v) else NAN for v in (m1, m0, estimate))
        elif _essentially_constant(se, m1, m0):
            reasons.append(N_("change scores have zero variance in both groups"))
        else:
            df = se**4 / ((v1 / n1) ** 2 / (n1 - 1) + (v0 / n0) ** 2 / (n0 - 1))
            t = estimate / se
            p_value = float(2 * sps.t.sf(abs(t), df))
            q = float(sps.t.ppf(0.5 + confidence / 2, df))
            ci_low, ci_high = estimate - q * se, estimate + q * se
            sd_pooled = math.sqrt(((n1 - 1) * v1 + (n0 - 1) * v0) / (n1 + n0 - 2))
            correction = 1 - 3 / (4 * (n1 + n0) - 9)
            d = estimate / sd_pooled
            es = d * correction
            # unequal variances: delta-method SE of d = estimate / s_p with Welch's df
            # (the SE of the estimate and the sampling variance of the pooled SD each
            # group contributes), not the pooled noncentral t, which assumes equal
            # variances and under-covers with unequal groups
            nu1, nu0 = n1 - 1, n0 - 1
            var_sp2 = 2 * (nu1 * v1**2 + nu0 * v0**2) / (nu1 + nu0) ** 2
            se_d = math.sqrt((v1 / n1 + v0 / n0) / sd_pooled**2 + d**2 * var_sp2 / (4 * sd_pooled**4))
            half = q * se_d
            es_lo, es_hi = (d - half) * correction, (d + half) * correction
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

#: |SMD| above which attrition may bias the comparison (docs/methods.md).
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
    name=N_("Attrition check: standardised mean difference at baseline"),
    formula=(N_("SMD = (mean baseline of completers - mean baseline of drop-outs) / pooled SD, pooled SD = sqrt(((n1-1) s1^2 + (n0-1) s0^2) / (n1 + n0 - 2)); flag if |SMD| > 0.2")),
    reference=(
        "Cohen, J. (1988). Statistical power analysis for the behavioral sciences (2nd "
        "ed.). Lawrence Erlbaum. Austin, P. C. (2009). Balance diagnostics for comparing "
        "the distribution of baseline covariates between treatment groups in "
        "propensity-score matched samples. Statistics in Medicine, 28(25), 3083-3107."
    ),
    notes=(N_("People without a baseline score are left out. The flag is False when the SMD cannot be computed; reason then says why.")),
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
    (Austin 2009 uses 0.1 for balance; docs/methods.md uses 0.2).
    """
    baseline_scores, completed = _align({"baseline_scores": baseline_scores, "completed": completed})
    x = _as_1d_float(baseline_scores, "baseline_scores")
    done = _as_binary(_as_1d_float(completed, "completed"), "completed")
    if x.size != done.size:
        raise ValueError(f"baseline_scores and completed must have the same length; got {x.size} and {done.size}")
    keep = ~(np.isnan(x) | np.isnan(done))
    xc, xd = x[keep & (done == 1)], x[keep & (done == 0)]
    nc, nd = int(xc.size), int(xd.size)
    mc, md = _mean(xc), _mean(xd)
    smd = NAN
    reason = None
    if nc == 0 or nd == 0:
        reason = N_("nobody dropped out") if nd == 0 else N_("nobody completed both waves")
        if nc == 0 and nd == 0:
            reason = N_("no baseline scores")
    elif nc + nd <= 2:
        reason = N_("too few people to estimate the SD (need 3 or more)")
    else:
        with np.errstate(all="ignore"):
            ss = float(((xc - mc) ** 2).sum() + ((xd - md) ** 2).sum())
        sd_pooled = math.sqrt(ss / (nc + nd - 2)) if _finite(ss) else NAN
        if not _finite(mc, md, sd_pooled):
            reason = OVERFLOW
        elif sd_pooled > 0:
            smd = (mc - md) / sd_pooled
        else:
            reason = N_("baseline scores have zero variance")
    return Attrition(nc, nd, mc, md, float(smd), bool(abs(smd) > ATTRITION_SMD_FLAG), reason)


# --------------------------------------------------------------------------------------
# Attrition-robust check: inverse-probability-of-retention weights
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionWeighted(_Result):
    """Result of :func:`retention_weighted_change`."""

    n: int
    n_retained: int
    completers_estimate: float
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    max_weight: float
    reason: str | None


@_register(
    name=N_("Attrition-robust check: mean change weighted by the inverse probability of retention"),
    formula=(
        N_(
            "p_i = P(answered the later wave | first-wave answers), logistic regression on the first-wave "
            "covariates of everyone who answered the first wave; w_i = 1 / p_i for the retained; "
            "estimate = sum(w_i change_i) / sum(w_i); SE^2 = sum(w_i^2 (change_i - estimate)^2) / (sum w_i)^2; "
            "CI = estimate +/- z_{1-alpha/2} SE"
        )
    ),
    reference=(
        "Robins, J. M., Rotnitzky, A., & Zhao, L. P. (1995). Analysis of semiparametric regression models "
        "for repeated outcomes in the presence of missing data. Journal of the American Statistical "
        "Association, 90(429), 106-121. Seaman, S. R., & White, I. R. (2013). Review of inverse probability "
        "weighting for dealing with missing data. Statistical Methods in Medical Research, 22(3), 278-295."
    ),
    notes=(
        N_(
            "Valid if dropping out depends only on the first-wave answers used in the model (missing at "
            "random given them); it cannot correct for reasons unrelated to them. The standard error treats "
            "the weights as known (a sandwich estimator of the weighted mean); large weights (max_weight) "
            "make the estimate unstable. Shown beside the completers-only estimate, not instead of it."
        )
    ),
)
def retention_weighted_change(covariates, retained, change, confidence: float = 0.95) -> RetentionWeighted:
    """Mean change among completers, reweighted to the first wave by inverse probability of retention.

    Parameters
    ----------
    covariates : 2-D array-like (people x covariates)
        First-wave answers of everyone who answered the first wave (e.g. scale scores,
        partner indicators). People with a missing covariate are left out.
    retained : array-like of bool or 0/1
        1 if the person answered the later wave.
    change : array-like of float
        The change (later minus first wave) of the retained; ignored for the others.
    confidence : float, default 0.95

    Returns
    -------
    RetentionWeighted
        ``n`` people in the model, ``n_retained``, the unweighted ``completers_estimate``,
        the weighted ``estimate`` with ``se`` and interval, ``max_weight``, ``reason``.
    """
    # the GLM module itself: statsmodels.api imports the whole library (~0.4-1 s of CPU)
    from statsmodels.genmod.families import Binomial
    from statsmodels.genmod.generalized_linear_model import GLM
    from statsmodels.tools.sm_exceptions import PerfectSeparationError

    confidence = _check_confidence(confidence)
    x = np.asarray(covariates, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2:
        raise ValueError(f"covariates must be two-dimensional (people x covariates); got shape {x.shape}")
    r = _as_binary(_as_1d_float(retained, "retained"), "retained")
    d = _as_1d_float(change, "change")
    if not x.shape[0] == r.size == d.size:
        raise ValueError(f"covariates, retained and change must have one entry per person; got {x.shape[0]}, {r.size} and {d.size}")
    keep = ~(np.isnan(x).any(axis=1) | np.isnan(r) | ((r == 1) & np.isnan(d)))
    x, r, d = x[keep], r[keep] == 1, d[keep]
    n, n_ret = int(r.size), int(r.sum())
    completers = _mean(d[r])
    empty = dict(estimate=NAN, se=NAN, ci_low=NAN, ci_high=NAN, max_weight=NAN)
    if n_ret < 2 or n_ret == n:
        why = "nobody dropped out" if n_ret == n and n else "fewer than 2 people answered both waves"
        return RetentionWeighted(n, n_ret, completers, reason=why, **empty)
    varying = x.std(axis=0) > 0
    design = np.column_stack([np.ones(n), (x[:, varying] - x[:, varying].mean(axis=0)) / x[:, varying].std(axis=0)])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = GLM(r.astype(float), design, family=Binomial()).fit()
        p = np.asarray(fit.predict(design))
    except (np.linalg.LinAlgError, ValueError, PerfectSeparationError) as err:  # pragma: no cover - depends on statsmodels' messages
        return RetentionWeighted(n, n_ret, completers, reason=f"retention model could not be fitted ({err.__class__.__name__})", **empty)
    if not np.isfinite(p).all() or (p[r] <= 1e-6).any():
        return RetentionWeighted(n, n_ret, completers, reason=N_("retention model separates completers from drop-outs (weights undefined)"), **empty)
    w = 1 / p[r]
    dr = d[r]
    est = float(np.sum(w * dr) / np.sum(w))
    se = float(math.sqrt(np.sum(w**2 * (dr - est) ** 2)) / np.sum(w))
    z = float(sps.norm.ppf(0.5 + confidence / 2))
    return RetentionWeighted(n, n_ret, completers, est, se, est - z * se, est + z * se, float(w.max() / w.mean()), None)
