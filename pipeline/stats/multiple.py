"""Multiple comparisons: adjusted p-values within a family (R's ``p.adjust``).

See :mod:`pipeline.stats` for the conventions every statistic follows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipeline.i18n import N_
from pipeline.stats._base import _R_CORE, NAN, _as_1d_float, _register, _Result

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


#: Which p-values are adjusted together (the pipeline's families: pipeline.analysis.families).
FAMILY_DEFINITION = N_(
    "P-values are adjusted for multiple comparisons with Holm's method within families. "
    "A family is one instrument, one kind of test (paired change, comparison-group change, "
    "difference in differences, yes/no items), one pair of waves and one breakdown "
    "(consortium, partner, country, gender, ...): for example the paired t-tests of the "
    "community survey's scales, pre to post, by partner. Each test counts once: a "
    "results-framework indicator that repeats an instrument's test carries the same "
    "adjusted p-value. The Wilcoxon signed-rank p-values of the same tests are adjusted "
    "the same way, as a family of their own. A family's size counts every test run, "
    "including those later hidden by disclosure control. A change is called significant "
    "only where its adjusted p-value is below 0.05 (significant_adjusted in indicators.csv)."
)


@dataclass(frozen=True, eq=False)
class AdjustedP(_Result):
    """Result of :func:`adjust_p`: adjusted p-values in the input order."""

    p_adjusted: np.ndarray
    method: str


@_register(
    name=N_("Adjustment of p-values for a family of indicators"),
    formula=(N_("holm: p_(i) * (m - i + 1), running maximum, capped at 1; fdr_bh: p_(i) * m / i, running minimum from the largest, capped at 1; bonferroni: p * m, capped at 1")),
    reference=(
        "Holm, S. (1979). A simple sequentially rejective multiple test procedure. "
        "Scandinavian Journal of Statistics, 6(2), 65-70. Benjamini, Y., & Hochberg, Y. "
        "(1995). Controlling the false discovery rate: a practical and powerful approach to "
        "multiple testing. Journal of the Royal Statistical Society B, 57(1), 289-300. "
        f"{_R_CORE} (p.adjust)."
    ),
    # two marked texts (the family's definition is shown on its own too); the report's
    # appendix translates each of them
    notes=FAMILY_DEFINITION
    + " "
    + N_(
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
