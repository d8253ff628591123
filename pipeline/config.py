"""Paths and defaults, resolved from the project root so nothing depends on the
current directory (cookiecutter-data-science's ``config.py`` idea)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SURVEYS_DIR = ROOT / "surveys"
EXAMPLE_DIR = SURVEYS_DIR / "example"
NOTEBOOKS_DIR = ROOT / "notebooks"
BUILD_DIR = ROOT / "build"
REPORTS_DIR = ROOT / "reports"

#: Default smallest number of people a published number may describe.
DEFAULT_MIN_CELL = 5

#: Environment variable that holds the pseudonymisation key.
KEY_ENV = "IMPACT_PSEUDONYM_KEY"
#: Folder of charts drawn in this run, for the report kernels (set by pipeline.report.build).
FIGURE_CACHE_ENV = "IMPACT_FIGURE_CACHE"
#: Key file used when the environment variable is not set (git-ignored, mode 600).
KEY_FILE = ROOT / ".impact_key"
#: Seconds a run waits for another run writing the same build or output folder before it refuses.
LOCK_WAIT_ENV = "IMPACT_LOCK_WAIT"
DEFAULT_LOCK_WAIT = 30.0


@dataclass(frozen=True)
class Limits:
    """What one run reads at most: each limit refuses a file (a clear message naming the
    file and the limit, exit code 2) long before the machine runs out of memory. The
    defaults are far above any real survey export (a large KoboToolbox export has tens of
    thousands of rows and a few hundred columns); a registry may change them in its
    ``limits:`` section (see ``docs/data-folder.md``)."""

    #: Size of one export file on disk (CSV or XLSX), in MB.
    max_file_mb: int = 1000
    #: Rows of answers in one export file.
    max_rows: int = 1_000_000
    #: Columns of one export file.
    max_columns: int = 5_000
    #: Total uncompressed size of the parts of one XLSX workbook (a zip archive), in MB:
    #: checked before anything is unpacked, so a zip bomb is refused unread.
    max_xlsx_uncompressed_mb: int = 1000
    #: Quarantine lines (one per bad cell) of one export file; past it, one line per
    #: further quarantined row says that its cells were not listed one by one.
    max_quarantine_lines: int = 10_000

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


DEFAULT_LIMITS = Limits()
