"""Writing outputs: deterministic, safe to open in a spreadsheet, all or nothing.

* :func:`write_csv` writes UTF-8, ``\\n`` line ends, fixed float formatting, and
  neutralises text cells that a spreadsheet would run as a formula (cells starting
  with ``=``, ``+``, ``-``, ``@``, tab or carriage return get a leading ``'``;
  OWASP, "CSV Injection").
* :func:`write_json` sorts keys, so the same content gives the same bytes.
* :func:`staging` gives a temporary folder beside the target; :func:`publish`
  moves its files into the target only once everything was written, so a failed
  run leaves the outputs of the last good run in place.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Prefix a text value with ``'`` when a spreadsheet would read it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_for_spreadsheet(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text columns are neutralised against formula injection."""
    out = frame.copy()
    for col in out.columns:
        dtype = out[col].dtype
        if dtype == object or pd.api.types.is_string_dtype(dtype):
            out[col] = out[col].map(neutralise, na_action="ignore")
    return out


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a table as CSV, the same bytes for the same table."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    safe_for_spreadsheet(frame).to_csv(path, index=False, lineterminator="\n", float_format="%.10g", encoding="utf-8")
    return path


def write_json(obj, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    return path


def write_parquet(frame: pd.DataFrame, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(path, index=False, engine="pyarrow", compression="zstd")
    return path


def sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@contextlib.contextmanager
def staging(target: str | Path) -> Iterator[Path]:
    """A fresh temporary folder beside ``target``; removed afterwards, whatever happens."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.staging-", dir=target.parent))
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def publish(staged: Path, target: str | Path, previous: list[str] | None = None) -> list[str]:
    """Move every file of ``staged`` into ``target`` (same file system: a rename each).

    Files listed in ``previous`` (relative paths written by the last run) that this
    run did not write are removed, so the target holds exactly one run's outputs
    (plus files nobody wrote, such as a README). Returns the relative paths moved.
    """
    target = Path(target)
    target.mkdir(parents=True, exist_ok=True)
    moved = []
    for src in sorted(p for p in staged.rglob("*") if p.is_file()):
        rel = src.relative_to(staged)
        dst = target / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dst)
        moved.append(rel.as_posix())
    for rel in previous or []:
        if rel not in moved:
            with contextlib.suppress(FileNotFoundError):
                (target / rel).unlink()
    return moved
