"""Shared ground of :mod:`pipeline.stats`: the methods registry, the result base class,
the input helpers every family uses, and one BLAS thread for small problems."""

from __future__ import annotations

import functools
import math
import numbers
from contextlib import AbstractContextManager
from dataclasses import fields

import numpy as np
import pandas as pd
from threadpoolctl import ThreadpoolController

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
_R_CORE = "R Core Team (2024). R: A language and environment for statistical computing. R Foundation for Statistical Computing, Vienna, Austria. https://www.R-project.org/"


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
        raise TypeError(f"{name} must be a one-dimensional sequence of numbers (list, array or Series); got {type(x).__name__}")
    if isinstance(x, (pd.Series, pd.Index)) and (pd.api.types.is_numeric_dtype(x.dtype) or pd.api.types.is_bool_dtype(x.dtype)):
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


def _align(values: dict[str, object]) -> list:
    """Line up pandas Series by their index before they are paired by position.

    ``values`` maps argument names to the arguments. When two or more are Series whose
    indexes differ, Series holding the same labels in another order are reordered to
    the first Series' index; Series with different labels (or repeated labels) are
    refused with a ValueError naming them: pairing them by position would pair the
    wrong people silently. Arrays and lists are left alone (they pair by position).
    """
    items = list(values.items())
    series = [(name, v) for name, v in items if isinstance(v, pd.Series)]
    if len(series) < 2:
        return [v for _, v in items]
    first_name, first = series[0]
    out = []
    for name, v in items:
        if not isinstance(v, pd.Series) or v.index.equals(first.index):
            out.append(v)
            continue
        if first.index.has_duplicates or v.index.has_duplicates:
            raise ValueError(
                f"{first_name} and {name} are pandas Series with different indexes and repeated labels; they cannot be lined up by person. Pass them with the same index (or as arrays in the same order)"
            )
        only_first = first.index.difference(v.index)
        only_other = v.index.difference(first.index)
        if len(only_first) or len(only_other):
            raise ValueError(
                f"{first_name} and {name} are pandas Series with different indexes ({len(only_first)} label(s) only in {first_name}, "
                f"e.g. {list(only_first[:3])}; {len(only_other)} only in {name}, e.g. {list(only_other[:3])}); pairing them by position "
                f"would pair different people. Align them first (e.g. {first_name}, {name} = {first_name}.align({name})) or pass arrays in the same order"
            )
        out.append(v.reindex(first.index))
    return out


def _finite(*values: float) -> bool:
    """Whether every intermediate result is a finite number (not inf, not nan from overflow)."""
    return all(math.isfinite(v) for v in values)


#: Reason given when an intermediate result overflows (values too large to compute with).
OVERFLOW = "intermediate results are not finite (values too large to compute with)"


def _paired(pre, post) -> tuple[np.ndarray, np.ndarray, int]:
    """Complete pairs of ``pre`` and ``post`` and the number of pairs dropped.

    Two pandas Series are lined up by index first (:func:`_align`)."""
    pre, post = _align({"pre": pre, "post": post})
    x = _as_1d_float(pre, "pre")
    y = _as_1d_float(post, "post")
    if x.size != y.size:
        raise ValueError(f"pre and post must have the same length (one entry per person); got {x.size} and {y.size}")
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
    """Mean (nan when empty; inf or nan on overflow, which callers check with :func:`_finite`)."""
    with np.errstate(all="ignore"):
        return float(x.mean()) if x.size else NAN


def _sd(x: np.ndarray) -> float:
    with np.errstate(all="ignore"):
        return float(x.std(ddof=1)) if x.size >= 2 else NAN


def _essentially_constant(se: float, *means: float) -> bool:
    """R's t.test check: the standard error is zero relative to the mean(s)."""
    scale = max((abs(m) for m in means), default=0.0)
    return not se > 10 * np.finfo(float).eps * scale


# --------------------------------------------------------------------------------------
# One BLAS thread for small problems
# --------------------------------------------------------------------------------------
# The pipeline's matrices are tiny (a correlation matrix of 3-8 items, a design of a few
# hundred rows). For them OpenBLAS's worker threads only cost time: each call wakes the
# threads, which then spin waiting for work, and on a loaded machine the spinning and the
# wake-ups take far longer than the arithmetic. The L-BFGS-B fit of omega was the worst
# case (issue 12): 2-3 ms of CPU per iteration, nearly all of it in the threads. A small
# problem runs on one thread anyway (OpenBLAS splits work only above a size threshold),
# so the results do not depend on the limit; only the overhead goes.


@functools.cache
def _blas_controller() -> ThreadpoolController:
    """The thread pools of the BLAS libraries loaded (NumPy's and SciPy's OpenBLAS).

    Made once: inspecting the loaded libraries takes about 1.5 ms, limiting them with a
    known controller about 0.01 ms."""
    import scipy.linalg  # noqa: F401  (loads SciPy's BLAS, so the controller sees it)

    return ThreadpoolController()


def one_blas_thread() -> AbstractContextManager:
    """A context manager under which the BLAS libraries use a single thread."""
    return _blas_controller().limit(limits=1, user_api="blas")
