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
