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


# --------------------------------------------------------------------------- report fixture
#: Personal data planted in the report fixture's exports; no output may contain any of it.
PLANTED = {
    "full_name": ["Zebulon Quartermaine", "Philippa Oyelaran-Smith", "Wendeline Brightwater"],
    "phone": ["+30 699 555 0147", "+39 347 555 0199", "0049 151 5550123"],
    "comment": ["mail me at zebulon.q@example.org", "call 0049 151 5550123 please", "philippa.os@example.net"],
}

TRAINING_CODEBOOK = """\
instrument: staff_training
version: "test"
title: {en: Staff training (test instrument)}
languages: [en]
design: paired_pre_post
waves:
  - {id: pre, label: {en: Before the training}}
  - {id: post, label: {en: After the training}}
fields:
  - {id: submission_id, role: submission_id, column: _uuid, required: true}
  - {id: submission_time, role: submission_time, column: _submission_time, required: true}
  - {id: respondent_id, role: respondent_id, required: true}
  - {id: partner, role: partner, required: true}
  - {id: activity_id, role: grouping, choices: [JSTE-1]}
  - {id: full_name, role: personal}
  - {id: email, role: personal}
response_scales:
  agree: {values: {min: 1, max: 5}, missing: {9: refused}}
items:
  - {id: c_law, response_scale: agree, label: {en: I can explain the basics of asylum law.}}
  - {id: c_interp, response_scale: agree, label: {en: I can work well with interpreters.}}
scales:
  - {id: competence, label: {en: Self-assessed competence}, items: [c_law, c_interp], min_answered: 0.5, range: [1, 5], unit: mean agreement (1-5)}
"""


def training_exports(n: int = 24, seed: int = 5):
    """Pre and post exports of one training event (JSTE-1), with planted personal data."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    partners = ["GR-THE", "IT-PAL", "ES-VAL", "DE-LEI", "PT-LIS"]
    frames = {}
    for w, shift, day in (("pre", 0, "2025-05-05T09:00:00"), ("post", 1, "2025-05-09T16:00:00")):
        rows = []
        for i in range(n):
            base = 2 + (i % 3) * 0.5 + shift
            rows.append({
                "_uuid": f"{w}-{i:04d}", "_submission_time": day, "respondent_id": f"STAFF-{i:03d}", "partner": partners[i % 5],
                "activity_id": "JSTE-1", "full_name": PLANTED["full_name"][i % 3], "email": PLANTED["comment"][0].split()[-1],
                "c_law": str(int(np.clip(round(base + rng.normal(0, 0.6)), 1, 5))), "c_interp": str(int(np.clip(round(base + rng.normal(0, 0.6)), 1, 5))),
            })
        frames[f"staff_training_{w}.csv"] = pd.DataFrame(rows)
    return frames


def section_tables(build: Path) -> None:
    """Tidy tables of the sections whose instruments are not on this branch (see pipeline.sections.TABLES)."""
    import pandas as pd

    t = build / "tables"
    t.mkdir(parents=True, exist_ok=True)
    partners = ["GR-THE", "IT-PAL", "ES-VAL", "DE-LEI", "PT-LIS"]
    pd.DataFrame([
        ("More positive attitudes in the community", "attitudes_change", "Mean change in attitudes", "points (0-10)", 0, 0.5, 0.56, 900, "achieved"),
        ("Better-skilled staff", "jste_competence", "Share of staff reporting higher competence", "%", 0, 70, 55, 24, "on track"),
        ("Denser networks", "new_ties", "New cross-border ties", "ties", 0, 20, 6, None, "off track"),
        ("Multiplier effects", "orgs_reached", "External organisations reached", "organisations", 0, 30, None, None, "no data"),
    ], columns=["result", "indicator_id", "indicator", "unit", "baseline", "target", "value", "n", "status"]).to_csv(t / "results_framework.csv", index=False)
    rows = [(p, d, w, 1.5 + i * 0.3 + k * 0.7, 4) for i, p in enumerate(partners) for d in ("Governance", "Staff skills", "Partnerships") for k, w in enumerate(("Baseline", "Endline"))]
    pd.DataFrame(rows, columns=["partner", "domain", "wave", "score", "n_raters"]).to_csv(t / "capacity.csv", index=False)
    orgs = [(p, p, "ngo", p[:2], True) for p in partners] + [(f"ext-{i}", f"External {i}", ["ngo", "public_authority", "university", "other"][i % 4], ["GR", "IT", "ES", "DE", "PT"][i % 5], False) for i in range(8)]
    pd.DataFrame(orgs, columns=["id", "label", "type", "country", "partner"]).to_csv(t / "network_organisations.csv", index=False)
    ties = [("baseline", p, f"ext-{i}", "local", "information") for i, p in enumerate(partners)]
    ties += [("endline", p, f"ext-{i}", "local", "joint_activity") for i, p in enumerate(partners)]
    ties += [("endline", partners[i], partners[(i + 1) % 5], "international", "formal_agreement") for i in range(5)]
    pd.DataFrame(ties, columns=["wave", "source", "target", "level", "intensity"]).to_csv(t / "network_ties.csv", index=False)
    acts = [(f"A{i}", ["jste", "local_activity", "multiplier_event"][i % 3], partners[i % 5], partners[i % 5][:2], g, s, 6 + i) for i in range(6) for g in ("local_resident", "refugee_migrant") for s in ("female", "male")]
    acts.append(("A9", "local_activity", "PT-LIS", "PT", "staff", "other", 2))  # a group of 2: must be hidden
    pd.DataFrame(acts, columns=["activity_id", "activity_type", "partner", "country", "participant_group", "gender", "participants"]).to_csv(t / "activities.csv", index=False)


def report_folder(root: Path) -> Path:
    """Community survey (with planted personal data) and one training event, as a data folder."""
    frames = simulate(seed=3, scale=0.2)
    for name, frame in frames.items():
        for col, values in PLANTED.items():
            for i, v in enumerate(values):
                frame.loc[i, col] = v
    folder = write_folder(root / "data", frames)
    (folder / "staff_training.yaml").write_text(TRAINING_CODEBOOK, encoding="utf-8")
    lines = (folder / "datasets.yaml").read_text(encoding="utf-8").splitlines()
    for name, frame in training_exports().items():
        frame.to_csv(folder / name, index=False, lineterminator="\n")
        lines += [f"  - file: {name}", "    instrument: staff_training", f"    wave: {'pre' if '_pre' in name else 'post'}"]
    (folder / "datasets.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder
