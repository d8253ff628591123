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


# -- publishing is one switch: a kill at any step leaves the old run or the new run ------------

#: A child process that publishes NEW over the folder and SIGKILLs itself at file-system
#: step ``k`` of :func:`pipeline.outputs.publish` (each link, copy, mode change, folder
#: made, rename or exchange is a step); k = 0 never kills.
PUBLISH_CHILD = r"""
import os, signal, sys
from pathlib import Path
import pipeline.outputs as o
from pipeline.report.build import _report_output

target, new, kill_at = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
if sys.argv[4] == "fallback":  # a system without an atomic exchange: two renames
    o._exchange = lambda a, b: False
steps = [0]

def step(fn):
    def wrapped(*a, **kw):
        steps[0] += 1
        if steps[0] == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        out = fn(*a, **kw)
        steps[0] += 1
        if steps[0] == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        return out
    return wrapped

with o.staging(target) as tmp:
    for p in sorted(new.rglob("*")):
        if p.is_file():
            (tmp / p.relative_to(new)).parent.mkdir(parents=True, exist_ok=True)
            (tmp / p.relative_to(new)).write_bytes(p.read_bytes())
    for name in ("link", "rename", "chmod", "replace"):
        setattr(o.os, name, step(getattr(o.os, name)))
    o.shutil.copy2 = step(o.shutil.copy2)
    o.shutil.rmtree = step(o.shutil.rmtree)  # the old folder, removed after the switch
    o._exchange = step(o._exchange)
    previous = o.json.loads((target / "manifest.json").read_text())["outputs"] if (target / "manifest.json").is_file() else []
    o.publish(tmp, target, previous=[*previous, "manifest.json"], replaces=_report_output)
print(steps[0])
"""


def _run_folder(root: Path, files: dict[str, str]) -> Path:
    """A report folder as a run writes it: the files and a manifest.json of their SHA-256."""
    from pipeline.outputs import sha256, write_json

    root.mkdir(parents=True)
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    write_json({"outputs": {rel: sha256(root / rel) for rel in files}}, root / "manifest.json")
    return root


def _one_whole_run(folder: Path) -> dict[str, bytes]:
    """The folder's files; asserts they are exactly its manifest's outputs (plus the README nobody wrote)."""
    import json

    from pipeline.outputs import sha256

    files = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["outputs"]
    assert files == {*manifest, "manifest.json", "README.md"}, files ^ {*manifest, "manifest.json", "README.md"}
    assert all(sha256(folder / rel) == digest for rel, digest in manifest.items())
    return {rel: (folder / rel).read_bytes() for rel in sorted(files)}


@pytest.mark.parametrize("switch", ["exchange", "fallback"])
def test_a_kill_at_every_step_of_publish_leaves_the_old_run_or_the_new_run(tmp_path, switch):
    old = _run_folder(tmp_path / "old", {"consortium_report.html": "old report", "partner_GR-THE.html": "old partner", "indicators.csv": "old"})
    new = _run_folder(tmp_path / "new", {"consortium_report.html": "new report", "training_A1.html": "new training", "indicators.csv": "new"})
    out = tmp_path / "reports"
    shutil.copytree(old, out)
    (out / "README.md").write_text("kept: nobody writes it\n", encoding="utf-8")
    (out / "stale.pdf").write_text("an older run's file that no manifest lists\n", encoding="utf-8")
    readme = (out / "README.md").read_bytes()
    whole_old = {**{p.name: p.read_bytes() for p in old.iterdir()}, "README.md": readme}
    whole_new = {**{p.name: p.read_bytes() for p in new.iterdir()}, "README.md": readme}
    child = [sys.executable, "-c", PUBLISH_CHILD, str(out), str(new)]
    done = subprocess.run([*child, "0", switch], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert _one_whole_run(out) == whole_new  # the stale PDF is gone, the README kept
    n_steps = int(done.stdout)
    assert n_steps >= 8  # the README's link, the mode, the switch, the old folder's removal
    seen = set()
    for k in range(1, n_steps + 1):
        shutil.rmtree(out)
        shutil.copytree(old, out)
        (out / "README.md").write_bytes(readme)
        proc = subprocess.run([*child, str(k), switch], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert proc.returncode == -signal.SIGKILL, (k, proc.stderr)
        remove_stale_staging(out)  # what the next run does first
        after = _one_whole_run(out)
        assert after in (whole_old, whole_new), k
        seen.add("new" if after == whole_new else "old")
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".reports.")] == []
    assert seen == {"old", "new"}  # killed before the switch: the old run; after it: the new one


#: A child process that ingests DATA into BUILD and SIGKILLs itself at file-system step
#: ``k`` of the ingest stage's publish (k = 0 never kills).
INGEST_CHILD = r"""
import os, signal, sys
from pathlib import Path
import pipeline.outputs as o
import pipeline.workflow as w

data, build, kill_at = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
steps = [0]

def step(fn):
    def wrapped(*a, **kw):
        for _ in range(2):  # before and after the call
            steps[0] += 1
            if steps[0] == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)
            if _ == 0:
                out = fn(*a, **kw)
        return out
    return wrapped

real_publish = w.publish

def publish(*a, **kw):
    for name in ("link", "rename", "chmod", "replace"):
        setattr(o.os, name, step(getattr(o.os, name)))
    o.shutil.copy2 = step(o.shutil.copy2)
    o.shutil.rmtree = step(o.shutil.rmtree)
    o._exchange = step(o._exchange)
    return real_publish(*a, **kw)

w.publish = publish
w.ingest(data, build)
print(steps[0])
"""


def test_a_kill_inside_ingests_publish_never_mixes_two_runs(tmp_path):
    """The issue's case: a new quarantine.csv beside an old reconciliation.csv. Killed at
    every step of ingest's publish, the build folder is the old ingest (with its analysis)
    or the new one (whose analysis is still to be done), whole."""
    from pipeline.example.community import simulate
    from tests.conftest import write_folder

    data = write_folder(tmp_path / "data", {k: v.loc[v["partner"] == "GR-THE"] for k, v in simulate(seed=7, scale=0.25).items()})
    build, old = tmp_path / "build", tmp_path / "old"
    env = {**os.environ, "IMPACT_PSEUDONYM_KEY": "failure-safety-key-not-secret-0123456789"}
    for stage in (["ingest", "--data", str(data)], ["analyse"]):
        done = subprocess.run([sys.executable, "-m", "pipeline", *stage, "--build", str(build)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
    shutil.copytree(build, old)
    whole_old = snapshot(old)
    path = data / "community_attitudes_post.csv"  # more rows quarantined: quarantine.csv and reconciliation.csv change
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[:10, "att_economy"] = "not a number"
    frame.to_csv(path, index=False, lineterminator="\n")
    child = [sys.executable, "-c", INGEST_CHILD, str(data), str(build)]
    done = subprocess.run([*child, "0"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    whole_new = snapshot(build)
    assert {k.replace(str(build), "") for k in whole_new} < {k.replace(str(old), "") for k in whole_old}  # no analysis yet
    new_rec = (build / "reconciliation.csv").read_bytes()
    assert new_rec != (old / "reconciliation.csv").read_bytes()
    seen = set()
    for k in range(1, int(done.stdout) + 1):
        shutil.rmtree(build)
        shutil.copytree(old, build)
        proc = subprocess.run([*child, str(k)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert proc.returncode == -signal.SIGKILL, (k, proc.stderr)
        remove_stale_staging(build)  # what the next run does first
        after = {key.replace(str(build), ""): v for key, v in snapshot(build).items()}
        if after == {key.replace(str(old), ""): v for key, v in whole_old.items()}:
            seen.add("old")
        else:
            assert after == {key.replace(str(build), ""): v for key, v in whole_new.items()}, k
            seen.add("new")
    assert seen == {"old", "new"}
