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
        if dtype == object or pd.api.types.is_string_dtype(dtype):  # noqa: E721 (a NumPy dtype compared with object)
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


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_staging(target: str | Path) -> list[Path]:
    """Remove staging folders beside ``target`` left by runs that were killed.

    A staging folder's name carries the id of the process that made it
    (``.<target>.staging-<pid>-<random>``); it is stale when that process is gone.
    A SIGKILL gives a run no chance to clean up, so the next run does.
    """
    target = Path(target)
    removed = []
    for path in target.parent.glob(f".{target.name}.staging-*"):
        parts = path.name.rsplit(".staging-", 1)[-1].split("-", 1)
        if path.is_dir() and parts[0].isdigit() and not _alive(int(parts[0])):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


@contextlib.contextmanager
def staging(target: str | Path) -> Iterator[Path]:
    """A fresh temporary folder beside ``target``; removed afterwards, whatever happens
    (and, after a SIGKILL, by the next run: see :func:`remove_stale_staging`)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(target)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.staging-{os.getpid()}-", dir=target.parent))
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
