"""The command line: clear messages and exit codes, never a traceback for bad input."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pipeline.cli import main


def run(*args):
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, timeout=120)


def test_missing_column_exits_2_with_file_and_column(tiny_folder, tmp_path):
    path = tiny_folder / "community_attitudes_pre.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    drop = header.index("partner")
    path.write_text("\n".join(",".join(c for k, c in enumerate(l.split(",")) if k != drop) for l in lines) + "\n", encoding="utf-8")
    proc = run("ingest", "--data", str(tiny_folder), "--build", str(tmp_path / "b"))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "community_attitudes_pre.csv" in proc.stderr and "'partner'" in proc.stderr


def test_unreadable_file_exits_2(tiny_folder, tmp_path):
    (tiny_folder / "community_attitudes_post.csv").write_bytes(b"\x00\xff\x00garbage" * 100)
    proc = run("ingest", "--data", str(tiny_folder), "--build", str(tmp_path / "b"))
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: file community_attitudes_post.csv: not a text file")
    assert "Traceback" not in proc.stderr


def test_missing_data_folder_and_manifest(tmp_path, capsys):
    assert main(["ingest", "--data", str(tmp_path / "nowhere"), "--build", str(tmp_path / "b")]) == 2
    assert "data folder not found" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["ingest", "--data", str(tmp_path / "empty"), "--build", str(tmp_path / "b")]) == 2
    assert "datasets.yaml" in capsys.readouterr().err


def test_quarantine_only_exits_0_and_reconciles(tiny_folder, tmp_path, capsys):
    assert main(["ingest", "--data", str(tiny_folder), "--build", str(tmp_path / "b")]) == 0
    out = capsys.readouterr().out
    assert "rows read =" in out and "quarantined" in out


def test_analyse_before_ingest_is_a_clear_error(tmp_path, capsys):
    assert main(["analyse", "--build", str(tmp_path / "none")]) == 2
    assert "run the ingest stage first" in capsys.readouterr().err


@pytest.mark.parametrize("args", [["--help"], ["ingest", "--help"], ["report", "--help"]])
def test_help(args, capsys):
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 0


# -- folders that cannot be written, a smaller data folder, two runs at once --------------------

import contextlib  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

KEY = {"IMPACT_PSEUDONYM_KEY": "cli-tests-cli-tests-cli-tests-cli-tests"}


def run_env(*args, env=None, timeout=300):
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, timeout=timeout, env={**os.environ, **KEY, **(env or {})})


@contextlib.contextmanager
def read_only(folder: Path):
    """``folder`` made read-only: mode 555, or for root (whom modes do not stop) immutable."""
    if os.geteuid() == 0:
        if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode:
            pytest.skip("running as root on a file system without chattr +i: a folder cannot be made read-only")
        undo = ["chattr", "-i", str(folder)]
    else:
        folder.chmod(0o555)
        undo = None
    try:
        yield folder
    finally:
        subprocess.run(undo, check=True) if undo else folder.chmod(0o755)


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_read_only_build_folder_is_a_message_not_a_traceback(tiny_folder, tmp_path):
    build = tmp_path / "b"
    assert run_env("ingest", "--data", str(tiny_folder), "--build", str(build)).returncode == 0
    before = files_of(build)
    with read_only(build):
        proc = run_env("ingest", "--data", str(tiny_folder), "--build", str(build))
        analysed = run_env("analyse", "--build", str(build))
    for p in (proc, analysed):
        assert p.returncode == 2, p.stderr
        assert "Traceback" not in p.stderr
        assert f"cannot write the build folder {build}: permission denied" in p.stderr
    assert files_of(build) == before


def test_read_only_output_folder_is_a_message_and_the_reports_stay(tiny_folder, tmp_path):
    build, out = tmp_path / "b", tmp_path / "reports"
    assert run_env("ingest", "--data", str(tiny_folder), "--build", str(build)).returncode == 0
    assert run_env("analyse", "--build", str(build)).returncode == 0
    out.mkdir()
    (out / "consortium_report.html").write_text("the last good run's report\n", encoding="utf-8")
    with read_only(out):
        proc = run_env("report", "--build", str(build), "--out", str(out))
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert f"cannot write the output folder {out}: permission denied" in proc.stderr
    assert files_of(out) == {"consortium_report.html": b"the last good run's report\n"}


def test_a_read_only_parent_folder_is_a_message(tiny_folder, tmp_path):
    parent = tmp_path / "shared"
    parent.mkdir()
    with read_only(parent):
        proc = run_env("ingest", "--data", str(tiny_folder), "--build", str(parent / "b"))
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "permission denied" in proc.stderr and str(parent) in proc.stderr


def test_reingesting_a_smaller_data_folder_removes_the_instruments_it_no_longer_has(tiny_folder, tmp_path):
    from pipeline.config import EXAMPLE_DIR

    build = tmp_path / "b"
    assert run_env("ingest", "--data", str(EXAMPLE_DIR), "--build", str(build)).returncode == 0
    assert run_env("analyse", "--build", str(build)).returncode == 0
    assert len(list((build / "responses").glob("*.parquet"))) > 1
    assert (build / "results_framework.csv").is_file()
    proc = run_env("ingest", "--data", str(tiny_folder), "--build", str(build))
    assert proc.returncode == 0, proc.stderr
    # only this data folder's instrument; the analysis of the data read before is gone with it
    assert sorted(p.name for p in (build / "responses").glob("*.parquet")) == ["community_attitudes.parquet"]
    assert not (build / "indicators.csv").exists() and not (build / "results_framework.csv").exists()
    proc = run_env("analyse", "--build", str(build))
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    import pandas as pd

    assert set(pd.read_csv(build / "indicators.csv")["instrument"]) == {"community_attitudes"}


def test_a_second_run_into_a_busy_build_folder_refuses_or_waits(tiny_folder, tmp_path):
    from pipeline.outputs import run_lock

    build = tmp_path / "b"
    assert run_env("ingest", "--data", str(tiny_folder), "--build", str(build)).returncode == 0
    before = files_of(build)
    with run_lock(build, "build folder"):  # another run holds the build folder
        refused = run_env("analyse", "--build", str(build), env={"IMPACT_LOCK_WAIT": "0.5"})
        waiting = subprocess.Popen(
            [sys.executable, "-m", "pipeline", "analyse", "--build", str(build)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **KEY, "IMPACT_LOCK_WAIT": "120"},
        )
        time.sleep(3)
        assert waiting.poll() is None  # still waiting for the lock
        assert files_of(build) == before
    assert refused.returncode == 3
    assert "Traceback" not in refused.stderr
    assert f"another run (process {os.getpid()}" in refused.stderr and f"is writing the build folder {build}" in refused.stderr
    assert "IMPACT_LOCK_WAIT" in refused.stderr
    _, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, err  # ran once the lock was free
    assert (build / "indicators.csv").is_file()
