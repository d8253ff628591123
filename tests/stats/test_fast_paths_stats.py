"""The fast paths of the statistics (issue 12) give the same numbers as the plain calls."""

from __future__ import annotations

import numpy as np
from scipy import stats as sps
from threadpoolctl import threadpool_info

from pipeline.stats._base import one_blas_thread
from pipeline.stats.paired import _nct_cdf


def test_the_noncentral_t_cdf_is_scipys_to_the_last_bit():
    rng = np.random.default_rng(12)
    for _ in range(3000):
        t = float(rng.choice([rng.normal() * 3, rng.uniform(0, 150)]))
        df = float(rng.integers(1, 300)) if rng.random() < 0.7 else float(rng.uniform(0.5, 300))
        ncp = float(t + rng.normal() * 6)
        a, b = sps.nct.cdf(t, df, ncp), _nct_cdf(t, df, ncp)
        assert a == b or (np.isnan(a) and np.isnan(b))
    # outside the direct path: what cdf gives
    assert _nct_cdf(np.inf, 10.0, 1.0) == sps.nct.cdf(np.inf, 10.0, 1.0) == 1.0
    assert np.isnan(_nct_cdf(1.0, 0.0, 1.0)) and np.isnan(_nct_cdf(1.0, 5.0, np.nan))


def _blas_threads() -> list[int]:
    return [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]


def test_one_blas_thread_limits_blas_and_gives_it_back():
    before = _blas_threads()
    with one_blas_thread():
        assert set(_blas_threads()) <= {1}
    assert _blas_threads() == before
