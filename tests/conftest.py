"""Shared fixtures: tiny data folders built in code, a fixed pseudonymisation key."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from pipeline.config import SURVEYS_DIR  # noqa: E402
from pipeline.example import simulate  # noqa: E402

TEST_KEY = "test-key-not-secret"


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
