"""One BLAS thread for the small matrix problems the statistics solve.

The pipeline's matrices are tiny (a correlation matrix of 3-8 items, a design of a few
hundred rows). For them OpenBLAS's worker threads only cost time: each call wakes the
threads, which then spin waiting for work, and on a loaded machine the spinning and the
wake-ups take far longer than the arithmetic. The L-BFGS-B fit of :func:`omega` was the
worst case (issue 12): about 2-3 ms of CPU per iteration, nearly all of it in the threads.

A small problem runs on one thread anyway (OpenBLAS splits work only above a size
threshold), so the results do not depend on the limit; only the overhead goes.
"""

from __future__ import annotations

import functools
from contextlib import AbstractContextManager

from threadpoolctl import ThreadpoolController


@functools.cache
def _controller() -> ThreadpoolController:
    """The thread pools of the BLAS libraries loaded (NumPy's and SciPy's OpenBLAS).

    Made once: inspecting the loaded libraries takes about 1.5 ms, limiting them with a
    known controller about 0.01 ms."""
    import scipy.linalg  # noqa: F401  (loads SciPy's BLAS, so the controller sees it)

    return ThreadpoolController()


def one_blas_thread() -> AbstractContextManager:
    """A context manager under which the BLAS libraries use a single thread."""
    return _controller().limit(limits=1, user_api="blas")
