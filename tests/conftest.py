"""Shared fixtures: tiny data folders built in code, a fixed pseudonymisation key."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from pipeline.config import SURVEYS_DIR  # noqa: E402
from pipeline.example.community import simulate  # noqa: E402

TEST_KEY = "test-key-not-secret-0123456789abcdef"


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch):
    """Every test runs with a known key, so no key file is written into the repository."""
    monkeypatch.setenv("IMPACT_PSEUDONYM_KEY", TEST_KEY)
    return TEST_KEY.encode()


def write_folder(root: Path, frames: dict, consortium: Path | None = None) -> Path:
    """A data folder: the given exports (name -> frame of text), a manifest, the registry."""
    root.mkdir(parents=True, exist_ok=True)
    lines = [f"consortium: {consortium or SURVEYS_DIR / 'consortium.yaml'}", "datasets:"]
    for name, frame in frames.items():
        frame.to_csv(root / name, index=False, lineterminator="\n")
        wave = "pre" if "_pre" in name else "post"
        lines += [f"  - file: {name}", "    instrument: community_attitudes", f"    wave: {wave}"]
    (root / "datasets.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


@pytest.fixture
def tiny_folder(tmp_path) -> Path:
    """About 60 respondents before, 45 after, with the planted bad rows of the example."""
    return write_folder(tmp_path / "data", simulate(seed=7, scale=0.25))


@pytest.fixture
def clean_folder(tmp_path) -> Path:
    """A small data folder with no bad rows."""
    return write_folder(tmp_path / "clean", simulate(seed=11, scale=0.25, plant=False))


@pytest.fixture
def example_copy(tmp_path) -> Path:
    """A copy of the bundled example folder, safe to modify."""
    dst = tmp_path / "example"
    shutil.copytree(SURVEYS_DIR / "example", dst)
    text = (dst / "datasets.yaml").read_text(encoding="utf-8").replace("../consortium.yaml", str(SURVEYS_DIR / "consortium.yaml"))
    (dst / "datasets.yaml").write_text(text, encoding="utf-8")
    return dst


def pytest_report_header(config):
    return f"pseudonymisation key for tests: fixed ({'set' if os.environ.get('IMPACT_PSEUDONYM_KEY') else 'per test'})"


# --------------------------------------------------------------------------- report fixture
#: Personal data planted in the report fixture's exports; no output may contain any of it.
PLANTED = {
    "full_name": ["Zebulon Quartermaine", "Philippa Oyelaran-Smith", "Wendeline Brightwater"],
    "phone": ["+30 699 555 0147", "+39 347 555 0199", "0049 151 5550123"],
    "comment": ["mail me at zebulon.q@example.org", "call 0049 151 5550123 please", "philippa.os@example.net"],
}


def _plant(frame, columns) -> None:
    for col in columns:
        for i, value in enumerate(PLANTED[col]):
            frame.loc[i, col] = value


def report_folder(root: Path) -> Path:
    """The bundled example with a small community survey, and recognisable personal data
    planted in the community and the staff-training exports (no output may contain it)."""
    import pandas as pd

    folder = root / "data"
    shutil.copytree(SURVEYS_DIR / "example", folder)
    manifest = (folder / "datasets.yaml").read_text(encoding="utf-8")
    manifest = manifest.replace("../consortium.yaml", str(SURVEYS_DIR / "consortium.yaml")).replace("../indicators.yaml", str(SURVEYS_DIR / "indicators.yaml"))
    (folder / "datasets.yaml").write_text(manifest, encoding="utf-8")
    for name, frame in simulate(seed=3, scale=0.2).items():
        _plant(frame, ("full_name", "phone", "comment"))
        frame.to_csv(folder / name, index=False, lineterminator="\n")
    path = folder / "staff_training_pre.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    _plant(frame, ("full_name", "comment"))
    frame.to_csv(path, index=False, lineterminator="\n")
    return folder
