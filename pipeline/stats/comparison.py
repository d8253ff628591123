"""A comparison group: the difference in differences, and attrition (who left between waves).

See :mod:`pipeline.stats` for the conventions every statistic follows."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps

from pipeline.stats._base import _R_CORE, NAN, _as_1d_float, _as_binary, _check_confidence, _essentially_constant, _join, _mean, _register, _Result
from pipeline.stats.paired import _nct_ncp_interval

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
        raise ValueError(f"pre, post and treated must have the same length; got {x.size}, {y.size} and {g.size}")
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
    name="Attrition check: standardised mean difference at baseline",
    formula=("SMD = (mean baseline of completers - mean baseline of drop-outs) / pooled SD, pooled SD = sqrt(((n1-1) s1^2 + (n0-1) s0^2) / (n1 + n0 - 2)); flag if |SMD| > 0.2"),
    reference=(
        "Cohen, J. (1988). Statistical power analysis for the behavioral sciences (2nd "
        "ed.). Lawrence Erlbaum. Austin, P. C. (2009). Balance diagnostics for comparing "
        "the distribution of baseline covariates between treatment groups in "
        "propensity-score matched samples. Statistics in Medicine, 28(25), 3083-3107."
    ),
    notes=("People without a baseline score are left out. The flag is False when the SMD cannot be computed; reason then says why."),
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
