"""The reports: papermill-executed notebooks made of :mod:`pipeline.report.sections`,
rendered to HTML and PDF (``build``), with the charts (``figures``), tables
(``tables``) and sentences (``narrative``) they show. Reads the tables the analyse
stage wrote to the build folder (``context``).
"""

from pipeline._exports import lazy

_EXPORTS = {
    "build_reports": "build",
    "plan": "build",
    "load_context": "context",
    "load_indicators": "context",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy(__name__, _EXPORTS)
