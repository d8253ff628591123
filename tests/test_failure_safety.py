"""Same input, same output; a run that fails or is interrupted leaves the last good run's outputs.

``impact run`` is three stages, each published on its own when it succeeds: an
interruption in the report stage leaves the reports of the last good run, while
the build folder already holds the new ingest and analysis (as ``make`` would
redo only the report).

The interruption tests start ``impact run`` as a separate process, wait until the
report stage is writing into its staging folder (the stage that takes seconds),
and kill it with SIGKILL (no chance to clean up) or interrupt it with SIGINT (as
Ctrl-C does).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from pipeline.config import ROOT
from pipeline.outputs import remove_stale_staging, staging
from pipeline.schema import Files

pytestmark = pytest.mark.slow

TABLES = ("indicators.csv", "quarantine.csv", "reconciliation.csv")


def impact(*args, **kw):
    env = {**os.environ, "IMPACT_PSEUDONYM_KEY": "failure-safety-key-not-secret-0123456789"}
    return subprocess.Popen([sys.executable, "-m", "pipeline", *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def run_ok(data, build, out):
    proc = impact("run", "--data", str(data), "--build", str(build), "--out", str(out), "--jobs", "2")
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    return err


def snapshot(*folders: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for f in folders for p in sorted(f.rglob("*")) if p.is_file()}


def start_and_wait_for_report_staging(data, build, out):
    proc = impact("run", "--data", str(data), "--build", str(build), "--out", str(out), "--jobs", "1", start_new_session=True)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if list(out.parent.glob(f".{out.name}.staging-{proc.pid}-*")):
            time.sleep(1.0)  # well inside the notebook's execution
            return proc
        if proc.poll() is not None:
            raise AssertionError(f"the run ended before the report stage: {proc.communicate()}")
        time.sleep(0.02)
    proc.kill()
    raise AssertionError("the report stage never started")


def change_the_input(data):
    path = data / "community_attitudes_post.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[:10, "att_economy"] = "10"
    frame.to_csv(path, index=False, lineterminator="\n")


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    """Two good runs of the same input; then, on changed input, a run interrupted with
    SIGINT and one killed with SIGKILL, both in the report stage (one module-wide
    scenario: each full run executes the report notebooks)."""
    from pipeline.example.community import simulate
    from tests.conftest import write_folder

    root = tmp_path_factory.mktemp("safety")
    # one partner: the report set is the consortium report and one partner report
    data = write_folder(root / "data", {k: v.loc[v["partner"] == "GR-THE"] for k, v in simulate(seed=7, scale=0.25).items()})
    facts = {"root": root}
    for k in range(2):
        run_ok(data, root / f"build{k}", root / f"out{k}")
    build, out = root / "build0", root / "out0"
    facts["good"] = snapshot(out)
    facts["good_build"] = snapshot(build)
    change_the_input(data)
    for sig in (signal.SIGINT, signal.SIGKILL):
        # the build folder's chart and PDF cache would let the report stage finish within
        # the second the test waits: without it the stage is still running when the signal comes
        shutil.rmtree(build / Files.FIGURES, ignore_errors=True)
        proc = start_and_wait_for_report_staging(data, build, out)
        if sig == signal.SIGKILL:
            os.killpg(proc.pid, signal.SIGKILL)  # the run and its notebook kernel, no clean-up
        else:
            proc.send_signal(signal.SIGINT)  # as Ctrl-C does
        _, err = proc.communicate(timeout=120)
        facts[sig.name] = {"code": proc.returncode, "err": err, "after": snapshot(out), "staging": sorted(root.glob(".out0.staging-*"))}
    return facts


def test_two_runs_give_byte_identical_tables_and_report(scenario):
    import json

    root = scenario["root"]
    b0, b1, o0, o1 = root / "build0", root / "build1", root / "out0", root / "out1"
    for rel in (*TABLES, "responses/community_attitudes.parquet", "run.json"):
        assert scenario["good_build"][str(b0 / rel)] == (b1 / rel).read_bytes(), rel
    for rel in (*TABLES, "consortium_report.html"):
        assert scenario["good"][str(o0 / rel)] == (o1 / rel).read_bytes(), rel
    # the run time lives only in the manifest, which records the same output hashes
    m0 = json.loads(scenario["good"][str(o0 / "manifest.json")])
    m1 = json.loads((o1 / "manifest.json").read_text(encoding="utf-8"))
    assert {k: m0["outputs"][k] for k in TABLES} == {k: m1["outputs"][k] for k in TABLES}


def test_sigint_leaves_the_last_good_reports_and_no_staging_folder(scenario):
    facts = scenario["SIGINT"]
    assert facts["code"] == 130 and "outputs of the last good run are unchanged" in facts["err"]
    assert "Traceback" not in facts["err"]
    assert facts["after"] == scenario["good"]
    assert facts["staging"] == []


def test_sigkill_leaves_the_last_good_reports_and_the_next_run_cleans_up(scenario):
    facts = scenario["SIGKILL"]
    assert facts["code"] == -signal.SIGKILL
    assert facts["after"] == scenario["good"]
    assert len(facts["staging"]) == 1  # a killed run cannot clean up; the next run's staging() does:
    assert remove_stale_staging(scenario["root"] / "out0") == facts["staging"]


def test_stale_staging_of_a_live_process_is_kept(tmp_path):
    target = tmp_path / "reports"
    with staging(target) as mine:
        assert mine.name.startswith(f".reports.staging-{os.getpid()}-")
        assert remove_stale_staging(target) == []  # this process is alive
        assert mine.is_dir()
    dead = tmp_path / ".reports.staging-999999999-abc"
    dead.mkdir()
    assert remove_stale_staging(target) == [dead]
