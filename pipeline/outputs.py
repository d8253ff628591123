"""Writing outputs: deterministic, safe to open in a spreadsheet, all or nothing.

* :func:`write_csv` writes UTF-8, ``\\n`` line ends, fixed float formatting, and
  neutralises text cells that a spreadsheet would run as a formula (cells starting
  with ``=``, ``+``, ``-``, ``@``, tab or carriage return get a leading ``'``;
  OWASP, "CSV Injection").
* :func:`write_json` sorts keys, so the same content gives the same bytes.
* :func:`staging` gives a temporary folder beside the target; :func:`publish`
  switches it with the target in one atomic rename once everything was written,
  so a failed or killed run leaves the outputs of the last good run in place, and
  no reader ever sees a folder mixing two runs.
* :func:`run_lock` keeps two runs from writing one folder at once.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import hashlib
import json
import os
import shutil
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd

from pipeline.config import DEFAULT_LOCK_WAIT, LOCK_WAIT_ENV
from pipeline.errors import BusyError, PipelineError

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


def _real(target: str | Path) -> Path:
    """``target`` with a symbolic link to a folder followed (the link stays; its folder is replaced)."""
    target = Path(target)
    return Path(os.path.realpath(target)) if target.is_symlink() else target


def remove_stale_staging(target: str | Path) -> list[Path]:
    """Remove staging folders beside ``target`` left by runs that were killed.

    A staging folder's name carries the id of the process that made it
    (``.<target>.staging-<pid>-<random>``); it is stale when that process is gone.
    A SIGKILL gives a run no chance to clean up, so the next run does. A run killed
    between the two renames of :func:`publish`'s fallback (no atomic exchange) left
    no ``target`` and its previous content in ``.<target>.previous-<pid>-...``: that
    is put back first.
    """
    target = _real(target)
    removed = []
    for path in sorted(target.parent.glob(f".{target.name}.previous-*")):
        pid = path.name.rsplit(".previous-", 1)[-1].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            if not target.exists():
                os.rename(path, target)
            else:
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
    for path in target.parent.glob(f".{target.name}.staging-*"):
        parts = path.name.rsplit(".staging-", 1)[-1].split("-", 1)
        if path.is_dir() and parts[0].isdigit() and not _alive(int(parts[0])):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def check_writable(folder: str | Path, what: str = "folder") -> None:
    """Raise a :class:`PipelineError` unless ``folder`` (when it exists) and the folder
    that holds it can be written: a run publishes by writing a new folder beside the
    old one and switching them."""
    folder = _real(folder)
    parent = folder.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    for path, role in ((folder, what), (parent, f"folder that holds the {what}")):
        if path.exists() and not os.access(path, os.W_OK | os.X_OK):
            raise PipelineError(f"cannot write the {role} {path}: permission denied (read-only?); make it writable, or choose another folder")


@contextlib.contextmanager
def staging(target: str | Path) -> Iterator[Path]:
    """A fresh temporary folder beside ``target``; removed afterwards, whatever happens
    (and, after a SIGKILL, by the next run: see :func:`remove_stale_staging`)."""
    target = _real(target)
    check_writable(target, "folder")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_staging(target)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.staging-{os.getpid()}-", dir=target.parent))
    except PermissionError as exc:
        raise PipelineError(f"cannot write beside {target}: permission denied ({exc.filename}); make the folder writable, or choose another folder") from None
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


_RENAME_EXCHANGE = 2  # linux/fs.h


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux ``renameat2(RENAME_EXCHANGE)``); False where
    the system or file system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    at_fdcwd = -100
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(a), None, str(b))


def _switch(staged: Path, target: Path) -> None:
    """Make ``staged`` the folder ``target``; the old ``target`` ends up at ``staged``'s path."""
    if not target.exists():
        os.rename(staged, target)
        return
    if _exchange(staged, target):
        return
    # no atomic exchange: two renames; a kill between them leaves no target, which
    # the next run's remove_stale_staging() puts back (readers never see a mixed folder)
    old = staged.with_name(staged.name.replace(".staging-", ".previous-", 1))
    os.rename(target, old)
    os.rename(staged, target)
    os.rename(old, staged)


def publish(staged: Path, target: str | Path, previous: list[str] | None = None, replaces: Callable[[str], bool] | None = None) -> list[str]:
    """Make ``target`` hold the files of ``staged`` in one switch.

    The files of the old ``target`` that this run does not replace are linked into
    ``staged`` first (a hard link each: no copy); then the two folders are exchanged
    with one atomic rename (:func:`_switch`), so a reader, or a run killed at any
    moment, sees either the whole old folder or the whole new one, never a mix. A
    file of the old folder is replaced (left out) when this run wrote it, when it
    is listed in ``previous`` or when ``replaces(relative path)`` is true: a stage
    names what it owns, so stale files of an older run never survive. The old
    folder is removed afterwards (by :func:`staging`). Returns the relative paths
    this run wrote.
    """
    staged, target = Path(staged), _real(target)
    written = sorted(p.relative_to(staged).as_posix() for p in staged.rglob("*") if p.is_file() or p.is_symlink())
    dropped = set(written) | set(previous or ())
    if target.is_dir():
        for old in sorted(target.rglob("*")):
            if old.is_dir() and not old.is_symlink():
                continue
            rel = old.relative_to(target).as_posix()
            if rel in dropped or (replaces is not None and replaces(rel)):
                continue
            dst = staged / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(old, dst, follow_symlinks=False)
            except OSError:
                shutil.copy2(old, dst, follow_symlinks=False)
        mode = stat.S_IMODE(target.stat().st_mode)
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o777 & ~umask
    os.chmod(staged, mode)  # mkdtemp made it private; the published folder keeps its mode
    _switch(staged, target)
    return written


def _lock_wait() -> float:
    try:
        return max(0.0, float(os.environ.get(LOCK_WAIT_ENV, DEFAULT_LOCK_WAIT)))
    except ValueError:
        return DEFAULT_LOCK_WAIT


#: Locks this process holds: lock file -> [open file, depth] (a stage inside ``impact run`` takes it again).
_HELD: dict[str, list] = {}


@contextlib.contextmanager
def run_lock(folder: str | Path, what: str = "folder") -> Iterator[Path]:
    """Hold ``folder``'s run lock: no other run writes it meanwhile.

    The lock is ``flock`` on ``.<folder>.lock`` beside the folder (inside, it would
    move with the folder at each switch). A second run waits up to
    ``$IMPACT_LOCK_WAIT`` seconds (default :data:`DEFAULT_LOCK_WAIT`), then refuses
    with a :class:`BusyError` naming the process that holds it. The lock is released
    when the run ends, even by SIGKILL (the system closes its files).
    """
    folder = _real(folder)
    path = folder.parent / f".{folder.name}.lock"
    key = os.path.realpath(path)  # the same before and after the file exists
    if key in _HELD:
        _HELD[key][1] += 1
        try:
            yield path
        finally:
            _HELD[key][1] -= 1
        return
    check_writable(folder, what)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(path, "a+", encoding="utf-8")  # noqa: SIM115 (held until the run ends)
    except PermissionError:
        raise PipelineError(f"cannot write the lock file {path} of the {what} {folder}: permission denied; make {path.parent} writable, or choose another folder") from None
    deadline = time.monotonic() + _lock_wait()
    while True:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                fh.seek(0)
                holder = fh.read().strip() or "another process"
                fh.close()
                raise BusyError(
                    f"another run ({holder}) is writing the {what} {folder}; waited {_lock_wait():g} s. "
                    f"Wait for it to finish and run again (set {LOCK_WAIT_ENV}=<seconds> to wait longer), or use another folder"
                ) from None
            time.sleep(0.1)
    fh.seek(0)
    fh.truncate()
    fh.write(f"process {os.getpid()}, since {time.strftime('%Y-%m-%d %H:%M:%S %Z')}\n")
    fh.flush()
    _HELD[key] = [fh, 1]
    try:
        yield path
    finally:
        _HELD.pop(key, None)
        with contextlib.suppress(OSError):
            fh.seek(0)
            fh.truncate()
        fh.close()  # releases the lock
