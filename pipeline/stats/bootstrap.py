"""Bootstrap confidence intervals (percentile and BCa), seeded for reproducible reports.

See :mod:`pipeline.stats` for the conventions every statistic follows."""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from pipeline.i18n import N_
from pipeline.stats._base import DEFAULT_SEED, NAN, _align, _as_1d_float, _check_confidence, _register, _Result

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
    name=N_("Bootstrap confidence interval (percentile or BCa)"),
    formula=(
        N_(
            "resample people with replacement B times, compute the statistic on each resample; percentile: CI = the "
            "alpha/2 and 1 - alpha/2 quantiles of the B values; BCa: the quantiles at Phi(z0 + (z0 + z_q) / (1 - a (z0 + z_q))), "
            "z0 = Phi^-1(share of values below the estimate), a = jackknife skewness / 6"
        )
    ),
    reference=(
        "Efron, B. (1987). Better bootstrap confidence intervals. Journal of the American Statistical Association, "
        "82(397), 171-185. Efron, B., & Tibshirani, R. J. (1993). An introduction to the bootstrap. Chapman & Hall/CRC."
    ),
    notes=(
        N_(
            "Paired samples are resampled by person (rows together), independent samples "
            "separately. Missing values are dropped (paired: the whole pair). Quantiles are "
            "linear interpolations (R type 7). Reproducible with the seed (NumPy Generator)."
        )
    ),
)
def bootstrap_ci(
    data,
    statistic: str | Callable = "mean",
    n_resamples: int = 5000,
    confidence: float = 0.95,
    seed: int | None = DEFAULT_SEED,
    paired: bool = False,
    method: str = "percentile",
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
    method : {"percentile", "bca"}, default "percentile"
        ``"bca"``: bias-corrected and accelerated interval (Efron 1987; Efron &
        Tibshirani 1993, ch. 14), for one sample or paired samples: the percentiles are
        shifted by the bias correction :math:`z_0` (share of bootstrap values below the
        estimate, ties counted half) and the acceleration :math:`a` (jackknife skewness:
        :math:`a = \\sum (\\bar\\theta - \\theta_{(i)})^3 / (6 [\\sum (\\bar\\theta - \\theta_{(i)})^2]^{3/2})`),
        :math:`\\alpha_1 = \\Phi(z_0 + (z_0 + z_{\\alpha/2}) / (1 - a (z_0 + z_{\\alpha/2})))`
        and likewise for :math:`1 - \\alpha/2`. Corrects much of the percentile and t
        intervals' under-coverage with skewed data.

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
    if method not in ("percentile", "bca"):
        raise ValueError(f"method must be 'percentile' or 'bca'; got {method!r}")
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, numbers.Integral) or n_resamples < 1:
        raise ValueError(f"n_resamples must be a positive whole number; got {n_resamples!r}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
        raise TypeError(f"seed must be a whole number or None; got {seed!r}")
    raw = list(data) if isinstance(data, tuple) else [data]
    if paired:  # Series are lined up by person (index) before resampling rows together
        raw = _align({f"data[{i}]": s for i, s in enumerate(raw)})
    samples = [_as_1d_float(s, f"data[{i}]") for i, s in enumerate(raw)]
    if isinstance(statistic, str):
        table = _ONE_SAMPLE_STATISTICS if len(samples) == 1 else _TWO_SAMPLE_STATISTICS
        if statistic not in table:
            raise ValueError(f"statistic {statistic!r} is not available for {len(samples)} sample(s); choose one of {sorted(table)} or pass a function")
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
    if method == "bca" and len(samples) > 1 and not paired:
        raise ValueError("method='bca' needs one sample or paired samples (the jackknife leaves out one person)")
    seed_out = None if seed is None else int(seed)
    if min(s.size for s in samples) < 2:
        return BootstrapCI(NAN, NAN, NAN, n, int(n_resamples), seed_out, method, "fewer than 2 observations")

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
        return BootstrapCI(estimate, NAN, NAN, n, int(n_resamples), seed_out, method, "statistic undefined (not finite) on the data or some resamples")
    a = 1 - confidence
    levels = [a / 2, 1 - a / 2]
    if method == "bca":
        levels = _bca_levels(func, samples, estimate, values, a)
        if levels is None:
            return BootstrapCI(estimate, NAN, NAN, n, int(n_resamples), seed_out, method, "BCa undefined (no spread in the bootstrap or jackknife values)")
    low, high = np.quantile(values, levels)
    return BootstrapCI(estimate, float(low), float(high), n, int(n_resamples), seed_out, method, None)


def _bca_levels(func: Callable, samples: list[np.ndarray], estimate: float, values: np.ndarray, alpha: float) -> list[float] | None:
    """The BCa percentile levels (Efron & Tibshirani 1993, eq. 14.9-14.15)."""
    from scipy.special import ndtr, ndtri

    share_below = (np.sum(values < estimate) + 0.5 * np.sum(values == estimate)) / values.size
    if not 0 < share_below < 1:
        return None
    z0 = float(ndtri(share_below))
    n = samples[0].size
    keep = ~np.eye(n, dtype=bool)  # row i: everyone but person i
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        jack = _apply_statistic(func, [np.broadcast_to(s, (n, n))[keep].reshape(n, n - 1) for s in samples])
    dev = jack.mean() - jack
    denom = 6 * np.sum(dev**2) ** 1.5
    if not np.isfinite(jack).all() or denom == 0:
        return None
    acc = float(np.sum(dev**3) / denom)
    out = []
    for level in (alpha / 2, 1 - alpha / 2):
        z = z0 + ndtri(level)
        out.append(float(ndtr(z0 + z / (1 - acc * z))))
    return out
