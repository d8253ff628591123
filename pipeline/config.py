"""Paths and defaults, resolved from the project root so nothing depends on the
current directory (cookiecutter-data-science's ``config.py`` idea)."""

from __future__ import annotations

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
