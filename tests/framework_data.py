"""Helpers for tests of the results framework: small data folders of any instrument."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.config import SURVEYS_DIR
from pipeline.example.framework import simulate

#: Export file -> (instrument, wave) of the framework instruments' example files.
FILES = {
    "staff_training_pre.csv": ("staff_training", "pre"),
    "staff_training_post.csv": ("staff_training", "post"),
    "staff_training_follow_up.csv": ("staff_training", "follow_up"),
    "organisational_capacity_baseline.csv": ("organisational_capacity", "baseline"),
    "organisational_capacity_midterm.csv": ("organisational_capacity", "midterm"),
    "organisational_capacity_endline.csv": ("organisational_capacity", "endline"),
    "partnership_network_baseline.csv": ("partnership_network", "baseline"),
    "partnership_network_endline.csv": ("partnership_network", "endline"),
    "activity_register.csv": ("activity_register", None),
    "beneficiary_feedback.csv": ("beneficiary_feedback", None),
    "community_attitudes_pre.csv": ("community_attitudes", "pre"),
    "community_attitudes_post.csv": ("community_attitudes", "post"),
}


def write_any_folder(root: Path, frames: dict[str, pd.DataFrame], framework: Path | None = None) -> Path:
    """A data folder with the given exports (file name -> frame of text) and a manifest."""
    root.mkdir(parents=True, exist_ok=True)
    lines = [f"consortium: {SURVEYS_DIR / 'consortium.yaml'}"]
    if framework is not None:
        lines.append(f"framework: {framework}")
    lines.append("datasets:")
    for name, frame in frames.items():
        frame.to_csv(root / name, index=False, lineterminator="\n")
        instrument, wave = FILES[name]
        lines += [f"  - file: {name}", f"    instrument: {instrument}"] + ([f"    wave: {wave}"] if wave else [])
    (root / "datasets.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def clean_frames(seed: int = 5, files: tuple[str, ...] | None = None) -> dict[str, pd.DataFrame]:
    """The framework instruments' example exports without planted rows."""
    frames = simulate(seed, plant=False)
    return {k: v for k, v in frames.items() if files is None or k in files}
