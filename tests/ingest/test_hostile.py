"""Hostile and broken inputs (issue 15, the input side): each case is generated here (no
bomb is checked in), run through the command line in a child process with an address-space
limit and a timeout, and asserts the message, the exit code, the time and memory it took,
and that nothing outside the data and build folders was read or written.

Report injection, atomic publishing and the run lock are tested with the report stage.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from pipeline.config import ROOT, SURVEYS_DIR
from pipeline.errors import CodebookError
from pipeline.instruments.yaml_io import MAX_YAML_BYTES, parse_yaml, read_yaml
from tests.conftest import TEST_KEY

#: The address space a hostile case may use (the example itself needs ~300 MB of RSS).
MEMORY_LIMIT = int(1.5 * 2**30)
#: Seconds a hostile case may take: it must be refused early, not after minutes of work.
TIME_LIMIT = 90


@dataclass
class Run:
    code: int
    out: str
    err: str
    seconds: float

    @property
    def error(self) -> str:
        return "\n".join(line for line in self.err.splitlines() if line.startswith("error:"))


def cli(*args: str, env: dict | None = None, timeout: float = TIME_LIMIT) -> Run:
    """``impact <args>`` in a child process limited to :data:`MEMORY_LIMIT` of address space."""

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    environ = {**os.environ, "IMPACT_PSEUDONYM_KEY": TEST_KEY, **(env or {})}
    environ = {k: v for k, v in environ.items() if v is not None}
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, timeout=timeout, preexec_fn=limit, env=environ, cwd=ROOT)
    run = Run(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - start)
    assert "Traceback" not in run.err, run.err
    assert "MemoryError" not in run.err, run.err
    return run


def ingest(data: Path, build: Path, *extra: str, env: dict | None = None) -> Run:
    return cli("ingest", "--data", str(data), "--build", str(build), *extra, env=env)


def snapshot(folder: Path) -> dict[str, float]:
    """Every file under ``folder`` with its modification time (what a run may not touch)."""
    return {str(p): p.stat().st_mtime_ns for p in folder.rglob("*")} if folder.exists() else {}


@pytest.fixture
def world(tmp_path):
    """A data folder (a small copy of the example's community attitudes survey), an empty
    build folder, and an ``outside`` folder with a secret that no run may read."""
    data, outside = tmp_path / "data", tmp_path / "outside"
    data.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text("DB_PASSWORD=hunter2-do-not-print\nsecond line\n", encoding="utf-8")
    for wave in ("pre", "post"):
        src = SURVEYS_DIR / "example" / f"community_attitudes_{wave}.csv"
        lines = src.read_text(encoding="utf-8").splitlines(keepends=True)
        (data / src.name).write_text("".join(lines[:80]), encoding="utf-8")
    write_manifest(data)
    return data, tmp_path / "build", outside


def write_manifest(data: Path, files: dict[str, str] | None = None, consortium: str | None = None, extra: str = "") -> None:
    files = files or {"community_attitudes_pre.csv": "community_attitudes", "community_attitudes_post.csv": "community_attitudes"}
    lines = [f"consortium: {consortium or SURVEYS_DIR / 'consortium.yaml'}", "datasets:"]
    for name, instrument in files.items():
        lines += [f"  - file: {name}", f"    instrument: {instrument}", f"    wave: {'post' if 'post' in name else 'pre'}"]
    (data / "datasets.yaml").write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")


def assert_bounded(run: Run) -> None:
    assert run.seconds < TIME_LIMIT


# ---------------------------------------------------------------------------
# YAML: aliases, duplicate keys, size
# ---------------------------------------------------------------------------


def billion_laughs(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{k}: &a{k} [{','.join(f'*a{k - 1}' for _ in range(9))}]" for k in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_yaml_alias_bomb_is_refused_before_it_expands():
    start = time.monotonic()
    with pytest.raises(CodebookError, match=r"line 1: an anchor \(&a0\): YAML anchors and aliases are not read"):
        parse_yaml(billion_laughs(), "bomb.yaml")
    assert time.monotonic() - start < 1


def test_yaml_alias_alone_is_refused_with_its_line():
    with pytest.raises(CodebookError, match=r"x.yaml: line 2: an anchor"):
        parse_yaml("a: 1\nb: &b 2\nc: *b\n", "x.yaml")
    # text that only looks like an anchor is data
    assert parse_yaml("a: '&x *y'\nb: 2 * 3\n", "x.yaml") == {"a": "&x *y", "b": "2 * 3"}


@pytest.mark.parametrize(
    ("text", "line", "key"),
    [
        ("instrument: x\nwaves: [pre, post]\nitems: []\nwaves: [post, pre]\n", 4, "waves"),
        ("project:\n  id: A\n  title: t\n  id: B\n", 4, "id"),
        ("items:\n  - id: q1\n    reverse: true\n    reverse: false\n", 4, "reverse"),
    ],
    ids=["top", "nested", "in-a-list"],
)
def test_yaml_duplicate_keys_at_any_depth(text, line, key):
    with pytest.raises(CodebookError, match=rf"line {line}: duplicate key '{key}'"):
        parse_yaml(text, "dup.yaml")


def test_yaml_too_large_or_too_deep(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"# padding\n" * (MAX_YAML_BYTES // 10 + 1))
    with pytest.raises(CodebookError, match="bytes; a YAML file of this project is read up to"):
        read_yaml(big)
    deep = "".join(" " * k + f"k{k}:\n" for k in range(100)) + " " * 100 + "v\n"
    with pytest.raises(CodebookError, match="nested deeper than 64 levels"):
        parse_yaml(deep, "deep.yaml")


def test_codebook_with_a_second_waves_key_stops_the_run(world):
    """The case of the issue: a second ``waves:`` reversed the waves and flipped every sign."""
    data, build, _ = world
    text = (SURVEYS_DIR / "community_attitudes.yaml").read_text(encoding="utf-8")
    text += "\nwaves:\n  - id: post\n  - id: pre\n"
    (data / "community_attitudes.yaml").write_text(text, encoding="utf-8")
    line = text.count("\n", 0, text.rindex("\nwaves:")) + 2
    run = ingest(data, build)
    assert run.code == 2
    assert f"community_attitudes.yaml: line {line}: duplicate key 'waves' (first at line" in run.error
    assert not build.exists()


@pytest.mark.parametrize("where", ["title", "min_cell_size"])
def test_registry_alias_bomb_exits_2_quickly(world, tmp_path, where):
    data, build, _ = world
    text = (SURVEYS_DIR / "consortium.yaml").read_text(encoding="utf-8")
    bomb = billion_laughs(12).replace("\n", "\n  ")
    if where == "title":
        text = text.replace("  title: ", f"  {bomb}title: *a11\n  old_title: ", 1)
    else:
        text = text.replace("  min_cell_size: 5", f"  {bomb}min_cell_size: *a11", 1)
    (data / "consortium.yaml").write_text(text, encoding="utf-8")
    write_manifest(data, consortium="consortium.yaml")
    run = ingest(data, build)
    assert run.code == 2 and "consortium.yaml: line" in run.error and "an anchor (&a0)" in run.error
    assert run.seconds < 30


# ---------------------------------------------------------------------------
# Paths confined to the data folder
# ---------------------------------------------------------------------------


def test_file_outside_the_data_folder_is_not_read(world):
    data, build, outside = world
    before = snapshot(outside)
    write_manifest(data, {"../outside/secret.txt": "community_attitudes", "community_attitudes_post.csv": "community_attitudes"})
    run = ingest(data, build)
    assert run.code == 2
    assert "datasets[0].file: the file '../outside/secret.txt' lies outside the data folder" in run.error and "--allow-outside-data" in run.error
    assert "DB_PASSWORD" not in run.err + run.out and not build.exists()
    assert snapshot(outside) == before


def test_absolute_path_and_link_out_are_refused(world):
    data, build, outside = world
    shutil.copy(data / "community_attitudes_pre.csv", outside / "elsewhere.csv")
    write_manifest(data, {str(outside / "elsewhere.csv"): "community_attitudes", "community_attitudes_post.csv": "community_attitudes"})
    run = ingest(data, build)
    assert run.code == 2 and "lies outside the data folder" in run.error
    (data / "link.csv").symlink_to(outside / "secret.txt")
    write_manifest(data, {"link.csv": "community_attitudes", "community_attitudes_post.csv": "community_attitudes"})
    run = ingest(data, build)
    assert run.code == 2 and "the file 'link.csv' lies outside" in run.error and "DB_PASSWORD" not in run.err


def test_outside_file_with_the_flag_is_named_relative_to_the_data_folder(world):
    data, build, outside = world
    shutil.copy(data / "community_attitudes_pre.csv", outside / "elsewhere.csv")
    write_manifest(data, {str(outside / "elsewhere.csv"): "community_attitudes", "community_attitudes_post.csv": "community_attitudes"})
    run = ingest(data, build, "--allow-outside-data")
    assert run.code == 0, run.err
    rec = pd.read_csv(build / "reconciliation.csv")
    assert rec["source_file"].tolist() == ["../outside/elsewhere.csv", "community_attitudes_post.csv"]
    for table in ("reconciliation.csv", "quarantine.csv"):
        assert str(outside) not in (build / table).read_text(encoding="utf-8")


def test_instrument_that_is_a_path_is_neither_read_nor_written(world, tmp_path):
    data, build, outside = world
    (outside / "evil.yaml").write_text((SURVEYS_DIR / "community_attitudes.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    before = snapshot(tmp_path / "outside")
    write_manifest(data, {"community_attitudes_pre.csv": "../outside/evil"})
    for extra in ((), ("--allow-outside-data",)):  # a name is never a path, with or without the flag
        run = ingest(data, build, *extra)
        assert run.code == 2 and "'../outside/evil' is not an instrument name" in run.error
    assert snapshot(tmp_path / "outside") == before and not build.exists()
    assert not list(tmp_path.rglob("*.parquet"))


def test_registry_and_codebook_links_out_are_refused(world):
    data, build, outside = world
    shutil.copy(SURVEYS_DIR / "consortium.yaml", outside / "consortium.yaml")
    write_manifest(data, consortium="../outside/consortium.yaml")
    run = ingest(data, build)
    assert run.code == 2 and "consortium: the registry '../outside/consortium.yaml' lies outside the data folder" in run.error
    write_manifest(data)
    (outside / "community_attitudes.yaml").write_text((SURVEYS_DIR / "community_attitudes.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (data / "community_attitudes.yaml").symlink_to(outside / "community_attitudes.yaml")
    run = ingest(data, build)
    assert run.code == 2 and "the codebook community_attitudes.yaml lies outside the data folder" in run.error


# ---------------------------------------------------------------------------
# The pseudonymisation key
# ---------------------------------------------------------------------------


def test_short_key_is_refused(world):
    data, build, _ = world
    run = ingest(data, build, env={"IMPACT_PSEUDONYM_KEY": "short-key"})
    assert run.code == 2 and "IMPACT_PSEUDONYM_KEY has 9 bytes; a pseudonymisation key needs at least 32" in run.error
    assert not build.exists()


def test_build_folder_refuses_a_second_key(world):
    data, build, _ = world
    first = ingest(data, build)
    assert first.code == 0, first.err
    recorded = json.loads((build / "run.json").read_text(encoding="utf-8"))["key_fingerprint"]
    assert len(recorded) == 16 and recorded not in TEST_KEY
    other = "another-key-of-this-project-0123456789abcdef"
    run = ingest(data, build, env={"IMPACT_PSEUDONYM_KEY": other})
    assert run.code == 2 and f"was made with another pseudonymisation key (fingerprint {recorded}" in run.error
    assert json.loads((build / "run.json").read_text(encoding="utf-8"))["key_fingerprint"] == recorded
    assert ingest(data, build).code == 0  # the same key again: fine


def test_key_file_checks(tmp_path, monkeypatch):
    from pipeline.errors import PipelineError
    from pipeline.ingest.deidentify import load_key

    monkeypatch.delenv("IMPACT_PSEUDONYM_KEY", raising=False)
    path = tmp_path / ".impact_key"
    path.write_text("k" * 64 + "\n", encoding="utf-8")
    path.chmod(0o644)
    with pytest.raises(PipelineError, match=r"can be read by other users \(permissions -rw-r--r--\).*chmod 600"):
        load_key(path)
    path.chmod(0o600)
    assert load_key(path) == b"k" * 64
    path.write_text("abc\n", encoding="utf-8")
    with pytest.raises(PipelineError, match="has 3 bytes; a pseudonymisation key needs at least 32"):
        load_key(path)
    path.unlink()
    path.mkdir()  # not a file: a message, not IsADirectoryError
    path.chmod(0o700)
    with pytest.raises(PipelineError, match="cannot read the pseudonymisation key file"):
        load_key(path)


def test_first_key_is_announced(world, tmp_path, monkeypatch, capsys):
    from pipeline.ingest.deidentify import load_key

    monkeypatch.delenv("IMPACT_PSEUDONYM_KEY", raising=False)
    path = tmp_path / "keys" / ".impact_key"
    path.parent.mkdir()
    key = load_key(path)
    err = capsys.readouterr().err
    assert f"A NEW PSEUDONYMISATION KEY was created: {path}" in err and "KEEP IT" in err and "SHARE IT SECURELY" in err
    assert load_key(path) == key and capsys.readouterr().err == ""  # said once


def test_submission_ids_are_pseudonymised(world):
    """A KoboToolbox ``_uuid`` finds the identified submission on the server: never kept in clear."""
    data, build, _ = world
    assert ingest(data, build).code == 0
    uuids = set(pd.read_csv(data / "community_attitudes_pre.csv", dtype=str)["_uuid"].dropna())
    frame = pd.read_parquet(build / "responses" / "community_attitudes.parquet")
    assert "submission_id" in frame.columns and frame["submission_id"].str.fullmatch(r"[0-9a-f]{16}").all()
    assert not uuids & set(frame["submission_id"])
    private = (build / "private").rglob("*")
    text = "".join(p.read_text(encoding="utf-8", errors="replace") for p in private if p.is_file() and p.suffix == ".csv")
    assert not any(u in text for u in uuids)


# ---------------------------------------------------------------------------
# Silently wrong results
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("a", "b"), [("GR.THE", "GR_THE"), ("GR-THE", "gr-the"), ("IT PAL", "IT/PAL")])
def test_partner_codes_that_share_a_report_file_are_refused(world, a, b):
    from pipeline.instruments.registry import file_stem
    from pipeline.report.sections.base import safe_name

    assert file_stem(a) == safe_name(a) and file_stem(b) == safe_name(b)  # the report's file names
    data, build, _ = world
    text = (SURVEYS_DIR / "consortium.yaml").read_text(encoding="utf-8")
    text = text.replace("code: GR-THE", f"code: '{a}'").replace("code: IT-PAL", f"code: '{b}'")
    (data / "consortium.yaml").write_text(text, encoding="utf-8")
    write_manifest(data, consortium="consortium.yaml")
    run = ingest(data, build)
    assert run.code == 2 and f"partners: partner codes {a!r} and {b!r} differ only in letter case or in characters a file name cannot keep" in run.error


# ---------------------------------------------------------------------------
# Resource limits
# ---------------------------------------------------------------------------


def to_workbook(csv: Path, xlsx: Path, extra=None) -> None:
    """The CSV export as a workbook (text cells), with ``extra(ws)`` applied before saving."""
    import openpyxl

    frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        ws.append([v if v != "" else None for v in row])
    if extra is not None:
        extra(ws)
    wb.save(xlsx)


def xlsx_world(world, extra=None):
    data, build, _ = world
    to_workbook(data / "community_attitudes_pre.csv", data / "community_attitudes_pre.xlsx", extra)
    write_manifest(data, {"community_attitudes_pre.xlsx": "community_attitudes", "community_attitudes_post.csv": "community_attitudes"})
    return data, build


def test_xlsx_with_a_cell_at_the_last_corner_reads_only_what_it_holds(world):
    """15 KB declaring 17 billion cells: openpyxl used to build every one (4 GB in 150 s)."""

    def corner(ws):
        ws["XFD1048576"] = "x"

    data, build = xlsx_world(world, corner)
    assert (data / "community_attitudes_pre.xlsx").stat().st_size < 100_000
    run = ingest(data, build)
    assert run.code == 0, run.err
    assert "community_attitudes_pre.xlsx: 79 rows read = " in run.out
    assert "rows [1048576] hold values to the right of the last named column" in run.err
    assert run.seconds < 60


def test_xlsx_zip_bomb_is_refused_unpacked(world):
    import zipfile

    data, build = xlsx_world(world)
    with zipfile.ZipFile(data / "community_attitudes_pre.xlsx", "a", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        with z.open("xl/media/padding.bin", "w", force_zip64=True) as fh:
            chunk = b"\0" * 2**26
            for _ in range(16):  # 1,074 MB of zeros in ~5 MB
                fh.write(chunk)
    assert (data / "community_attitudes_pre.xlsx").stat().st_size < 10_000_000
    run = ingest(data, build)
    assert run.code == 2
    assert "file community_attitudes_pre.xlsx: the workbook unpacks to 1,074 MB, more than the limit max_xlsx_uncompressed_mb = 1,000" in run.error
    assert run.seconds < 30 and not build.exists()


def test_xlsx_formula_without_its_value_is_quarantined(world):
    """A workbook saved by a program that does not calculate keeps the formula, not its result."""

    def formula(ws):
        column = [c.value for c in ws[1]].index("att_economy") + 1
        ws.cell(row=5, column=column).value = "=2+3"

    data, build = xlsx_world(world, formula)
    run = ingest(data, build)
    assert run.code == 0, run.err
    q = pd.read_csv(build / "quarantine.csv", dtype=str, keep_default_na=False)
    line = q.loc[q["reason"] == "formula_without_value"]
    assert line[["source_file", "source_row", "column"]].values.tolist() == [["community_attitudes_pre.xlsx", "5", "att_economy"]]
    assert "hold formulas whose results the workbook does not keep" in run.err
    rec = pd.read_csv(build / "reconciliation.csv").set_index("source_file").loc["community_attitudes_pre.xlsx"]
    assert rec["rows_read"] == rec["rows_kept"] + rec["rows_quarantined"] == 79


def test_limits_from_the_registry(world):
    data, build, _ = world
    text = (SURVEYS_DIR / "consortium.yaml").read_text(encoding="utf-8")
    (data / "consortium.yaml").write_text(text + "limits:\n  max_rows: 50\n", encoding="utf-8")
    write_manifest(data, consortium="consortium.yaml")
    run = ingest(data, build)
    assert run.code == 2 and "file community_attitudes_pre.csv: the file has 79 rows, more than the limit max_rows = 50" in run.error
    (data / "consortium.yaml").write_text(text + "limits:\n  max_rowz: 50\n", encoding="utf-8")
    run = ingest(data, build)
    assert run.code == 2 and "limits.max_rowz: unknown limit; the limits are ['max_file_mb', 'max_rows'" in run.error
    (data / "consortium.yaml").write_text(text + "limits:\n  max_columns: 10\n", encoding="utf-8")
    run = ingest(data, build)
    assert run.code == 2 and "the header has more than 10 columns (the limit max_columns)" in run.error


def test_csv_with_a_million_columns_is_refused_before_it_is_built(world):
    data, build, _ = world
    (data / "community_attitudes_pre.csv").write_bytes(b",".join(b"c%d" % k for k in range(1_000_000)) + b"\n" + b"1," * 999_999 + b"1\n")
    run = ingest(data, build)
    assert run.code == 2 and "the header has more than 5,000 columns (the limit max_columns)" in run.error
    assert run.seconds < 30


#: Article 1 of the Universal Declaration of Human Rights (the UN's official texts) and
#: answers as partners type them, with the code page a Windows export of each language uses.
UDHR = {
    "el": ("cp1253", "Όλοι οι άνθρωποι γεννιούνται ελεύθεροι και ίσοι στην αξιοπρέπεια και τα δικαιώματα", "γυναίκα"),
    "ru": ("cp1251", "Все люди рождаются свободными и равными в своем достоинстве и правах", "женщина"),
    "uk": ("cp1251", "Усі люди народжуються вільними і рівними у своїй гідності та правах", "жінка"),
    "tr": ("cp1254", "Bütün insanlar hür, haysiyet ve haklar bakımından eşit doğarlar", "kadın"),
    "de": ("cp1252", "Alle Menschen sind frei und gleich an Würde und Rechten geboren", "weiblich"),
    "fr": ("cp1252", "Tous les êtres humains naissent libres et égaux en dignité et en droits", "féminin"),
    "it": ("cp1252", "Tutti gli esseri umani nascono liberi ed eguali in dignità e diritti", "donna"),
    "es": ("cp1252", "Todos los seres humanos nacen libres e iguales en dignidad y derechos", "señora"),
}


@pytest.mark.parametrize("language", sorted(UDHR))
def test_undeclared_code_page_is_detected_not_stored_as_mojibake(tmp_path, language):
    from pipeline.ingest.read import read_export

    code_page, sentence, word = UDHR[language]
    rows = [f'2025-03-0{k},"{sentence}",{word}' for k in range(1, 10)]
    (tmp_path / "export.csv").write_bytes(("date,comment,gender\n" + "\n".join(rows) + "\n").encode(code_page))
    raw = read_export(tmp_path / "export.csv")
    assert raw.frame["comment"].tolist() == [sentence] * 9 and raw.frame["gender"].tolist() == [word] * 9
    expected = "Windows-1252" if code_page == "cp1252" else f"in the code page {code_page} (detected)"
    assert any(expected in w for w in raw.warnings), raw.warnings


@pytest.mark.parametrize(
    "rows",
    [
        lambda lines: [lines[0]] + [line + "," for line in lines[1:]],  # every data row, not the header
        lambda lines: [line + "," for line in lines],  # the header too
        lambda lines: [lines[0]] + [line + ",\r" for line in lines[1:]],  # CRLF line ends
    ],
    ids=["data-rows", "header-too", "crlf"],
)
def test_trailing_comma_on_every_row_is_an_empty_column(world, rows):
    """A trailing comma on every row used to quarantine a whole wave with exit code 0."""
    data, build, _ = world
    path = data / "community_attitudes_pre.csv"
    path.write_text("\n".join(rows(path.read_text(encoding="utf-8").splitlines())) + "\n", encoding="utf-8")
    run = ingest(data, build)
    assert run.code == 0, run.err
    assert "community_attitudes_pre.csv: 79 rows read = " in run.out
    q = pd.read_csv(build / "quarantine.csv", dtype=str, keep_default_na=False)
    assert "wrong_field_count" not in set(q["reason"])
    clean = pd.read_csv(build / "reconciliation.csv").set_index("source_file").loc["community_attitudes_pre.csv"]
    assert clean["rows_quarantined"] < 10  # the planted bad rows only, not the wave


def test_every_cell_wrong_costs_one_line_per_row_past_the_cap(world):
    """20,000 rows whose every answer is out of range gave a 50 MB quarantine (one line per
    cell); past max_quarantine_lines a row gets one line that counts the rest."""
    from pipeline.instruments.codebook import load_codebook

    data, build, _ = world
    items = load_codebook(SURVEYS_DIR / "community_attitudes.yaml").item_ids
    src = pd.read_csv(data / "community_attitudes_pre.csv", dtype=str, keep_default_na=False)
    n = 20_000
    frame = src.iloc[[k % len(src) for k in range(n)]].reset_index(drop=True)
    frame["respondent_id"] = [f"GR-THE-{k:07d}" for k in range(n)]
    frame["_uuid"] = [f"u-{k:09d}" for k in range(n)]
    wrong = [i for i in items if i in frame.columns]
    frame[wrong] = "99"
    frame.to_csv(data / "community_attitudes_pre.csv", index=False)
    run = ingest(data, build)
    assert run.code == 0, run.err
    assert f"community_attitudes_pre.csv: {n} rows read = 0 kept + {n} quarantined" in run.out
    q = pd.read_csv(build / "quarantine.csv", dtype=str, keep_default_na=False)
    mine = q.loc[q["source_file"] == "community_attitudes_pre.csv"]
    assert mine["source_row"].nunique() == n
    listed = mine.loc[~mine["detail"].str.contains("not listed: past max_quarantine_lines = 10,000")]
    assert len(listed) <= 10_000 and len(mine) - len(listed) < n  # one line per further row
    counted = mine.loc[mine["detail"].str.contains("not listed")]
    assert counted["detail"].str.contains(f"and {len(wrong) - 1} more in this row").all()
    assert (build / "quarantine.csv").stat().st_size < 10_000_000 and run.seconds < TIME_LIMIT


def test_xlsx_formula_with_its_cached_value_is_read(world):
    """A workbook saved by Excel or LibreOffice keeps each formula's result: that is the answer."""
    import zipfile

    def formula(ws):
        column = [c.value for c in ws[1]].index("att_economy") + 1
        ws.cell(row=5, column=column).value = "=2+3"

    data, build = xlsx_world(world, formula)
    path = data / "community_attitudes_pre.xlsx"
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    assert sheet.count(b"<f>2+3</f><v />") == 1
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(b"<f>2+3</f><v />", b"<f>2+3</f><v>5</v>")
    with zipfile.ZipFile(path, "w") as z:
        for name, content in parts.items():
            z.writestr(name, content)
    run = ingest(data, build)
    assert run.code == 0, run.err
    q = pd.read_csv(build / "quarantine.csv", dtype=str, keep_default_na=False)
    assert "formula_without_value" not in set(q["reason"])
    from pipeline.ingest.read import read_export

    raw = read_export(path)
    assert raw.frame.loc[raw.frame["_source_row"] == 5, "att_economy"].tolist() == ["5"]
