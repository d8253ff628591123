"""Lazy re-exports for the layer packages.

Each layer's ``__init__`` names its public functions and classes without importing
their modules: ``from pipeline.analysis import status`` must not load scipy through
``pipeline.analysis.indicators``. A name is imported the first time it is used.
"""

from __future__ import annotations

from importlib import import_module


def lazy(package: str, exports: dict[str, str]):
    """``__getattr__`` and ``__dir__`` for ``package`` that import ``exports[name]``
    (a submodule of ``package``) on first use of ``name`` (PEP 562)."""

    def __getattr__(name: str):
        if name in exports:
            return getattr(import_module(f"{package}.{exports[name]}"), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__():
        return sorted(exports)

    return __getattr__, __dir__
