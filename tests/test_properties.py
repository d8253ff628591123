"""Property tests: valid exports drawn from the codebook, corrupted at random, never raise
anything but our own errors, and always reconcile (rows read = kept + quarantined).

The exports are drawn by our own strategies, not by pandera's ``schema.strategy()``:
that strategy works on the typed schema (numbers, timestamps) and draws any Unicode,
NUL included, for text columns and leaves required fields empty, which is not what a
survey tool writes; here every cell is export text a codebook accepts, and the
corruptions come after.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.config import SURVEYS_DIR
from pipeline.errors import PipelineError
from pipeline.ingest.read import READ_REASONS
from pipeline.ingest.validate import REASONS
from pipeline.instruments.codebook import load_codebook
from pipeline.instruments.registry import load_consortium
from pipeline.workflow import ingest_folder

CB = load_codebook(SURVEYS_DIR / "community_attitudes.yaml")
CONS = load_consortium(SURVEYS_DIR / "consortium.yaml")
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@st.composite
def export_rows(draw, wave: str, min_rows: int = 1, max_rows: int = 12) -> pd.DataFrame:
    """A valid export: every value one the codebook accepts, as the tool writes it (text)."""
    n = draw(st.integers(min_rows, max_rows))
    ids = draw(st.lists(st.integers(0, 10**6), min_size=n, max_size=n, unique=True))
    out = {}
    for f in CB.fields:
        if f.role == "submission_id":
            col = [f"{wave}-{i:08d}" for i in ids]
        elif f.role == "submission_time":
            days = draw(st.lists(st.integers(0, (CONS.end - CONS.start).days), min_size=n, max_size=n))
            col = [(pd.Timestamp(CONS.start) + pd.Timedelta(days=d, hours=10)).isoformat() for d in days]
        elif f.role == "respondent_id":
            col = [f"P{i:07d}" for i in ids]
        elif f.role == "partner":
            col = draw(st.lists(st.sampled_from(CONS.partner_codes), min_size=n, max_size=n))
        elif f.choices is not None:
            col = draw(st.lists(st.sampled_from(("", *f.choices)), min_size=n, max_size=n))
        elif f.role in ("personal", "free_text"):
            col = draw(st.lists(st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30), min_size=n, max_size=n))
        else:
            col = [""] * n
        out[f.column] = col
    for it in CB.items:
        codes = ["", *map(str, it.response_scale.valid_codes)]
        out[it.column] = draw(st.lists(st.sampled_from(codes), min_size=n, max_size=n))
    return pd.DataFrame(out)


def write(folder: Path, frames: dict[str, bytes]) -> Path:
    lines = [f"consortium: {SURVEYS_DIR / 'consortium.yaml'}", "datasets:"]
    for name, data in frames.items():
        (folder / name).write_bytes(data)
        lines += [f"  - file: {name}", "    instrument: community_attitudes", f"    wave: {name.split('.')[0]}"]
    (folder / "datasets.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def encode(frame: pd.DataFrame, sep: str, encoding: str) -> bytes:
    text = frame.to_csv(index=False, sep=sep, lineterminator="\r\n" if encoding == "cp1252" else "\n")
    return text.encode(encoding, errors="replace")


def check_reconciles(folder: Path):
    try:
        result = ingest_folder(folder, key=b"property")
    except PipelineError:
        return None  # our own error: a message for the user, never a traceback
    rec = result.reconciliation
    assert (rec["rows_read"] == rec["rows_kept"] + rec["rows_quarantined"]).all(), rec
    q = result.quarantine
    assert set(q["reason"]) <= set(REASONS) | set(READ_REASONS), set(q["reason"])
    assert (q["source_row"] >= 2).all()
    return result


@SETTINGS
@given(pre=export_rows("pre"), post=export_rows("post"), sep=st.sampled_from([",", ";", "\t"]), encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
def test_valid_exports_are_kept_whole(pre, post, sep, encoding):
    with tempfile.TemporaryDirectory() as tmp:
        folder = write(Path(tmp), {"pre.csv": encode(pre, sep, encoding), "post.csv": encode(post, sep, encoding)})
        result = check_reconciles(folder)
    assert result is not None
    # only free text may not survive an encoding that cannot hold it; answers all do
    assert result.quarantine.empty, result.quarantine.to_string()
    assert result.reconciliation["rows_kept"].tolist() == [len(pre), len(post)]


CELL_TEXT = st.one_of(st.text(max_size=20), st.sampled_from(["", '"', '""', "\n", "\r\n", ",", ";", "\t", "=1+1", "-5", "NaN", "1e400", "٣", "3,5", "\x00", "\ufeff"]))


@st.composite
def corrupted(draw):
    pre = draw(export_rows("pre"))
    sep = draw(st.sampled_from([",", ";", "\t"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    frame = pre.copy()
    for _ in range(draw(st.integers(0, 4))):  # cells
        r = draw(st.integers(0, len(frame) - 1))
        c = draw(st.sampled_from(list(frame.columns)))
        frame.iloc[r, frame.columns.get_loc(c)] = draw(CELL_TEXT)
    data = encode(frame, sep, encoding)
    kind = draw(st.sampled_from(["none", "truncate", "insert", "drop_column", "duplicate_rows"]))
    if kind == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    elif kind == "insert":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=40)) + data[at:]
    elif kind == "drop_column":
        data = encode(frame.drop(columns=[draw(st.sampled_from(list(frame.columns)))]), sep, encoding)
    elif kind == "duplicate_rows":
        data = encode(pd.concat([frame, frame.sample(n=1, random_state=0)]), sep, encoding)
    return data


@SETTINGS
@given(pre=corrupted(), post=export_rows("post"))
def test_corrupted_exports_raise_only_our_errors_and_reconcile(pre, post):
    with tempfile.TemporaryDirectory() as tmp:
        folder = write(Path(tmp), {"pre.csv": pre, "post.csv": encode(post, ",", "utf-8")})
        check_reconciles(folder)
