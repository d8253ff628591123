"""The fast paths of issue 12 give what the plain ways give (charts, identifiers, validation)."""

from __future__ import annotations

import base64
import io
import re

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pytest

from pipeline.ingest.deidentify import keyed_hash, pseudonymise
from pipeline.ingest.validate import keep_rows, schema_failures
from pipeline.report import figures
from pipeline.report.build import PRINT_DPI, PRINT_WIDTH_INCHES, page_images


def _flow(shift: int = 0) -> pd.DataFrame:
    return pd.DataFrame({"step": list(figures.FLOW_STEPS), "n": [n + shift for n in (100, 3, 97, 80, 2, 78, 70, 27, 8)]})


def test_a_chart_is_drawn_once_and_then_read_back(tmp_path, monkeypatch):
    monkeypatch.setenv(figures.CACHE_ENV, str(tmp_path))
    first = figures.sample_flow_diagram(_flow())
    assert not isinstance(first, figures.CachedChart)
    title, caption = figures.title_of(first), figures.caption_of(first)
    figures.show(first)
    (png,) = tmp_path.glob("*.png")
    again = figures.sample_flow_diagram(_flow())
    assert isinstance(again, figures.CachedChart)
    assert again.png == png.read_bytes() and again.png.startswith(b"\x89PNG")
    assert (figures.title_of(again), figures.caption_of(again)) == (title, caption)
    # other data, or other arguments: drawn again
    assert not isinstance(figures.sample_flow_diagram(_flow(shift=1)), figures.CachedChart)
    assert not isinstance(figures.sample_flow_diagram(_flow(), min_cell=10), figures.CachedChart)


def test_without_the_cache_folder_charts_are_figures(monkeypatch):
    monkeypatch.delenv(figures.CACHE_ENV, raising=False)
    fig = figures.sample_flow_diagram(_flow())
    assert hasattr(fig, "axes") and not isinstance(fig, figures.CachedChart)


@pytest.mark.parametrize("key", [b"k", b"x" * 100, "clé".encode()])
def test_pseudonyms_are_hmac_sha256_of_each_identifier(key):
    ids = pd.Series([" gr-the-0042 ", None, "", "   ", "GR-THE-0042", "ΑΘ-7", pd.NA], index=[5, 6, 7, 8, 9, 10, 11], dtype=object)
    got = pseudonymise(ids, key)
    want = [keyed_hash(key, "GR-THE-0042")[:16], None, None, None, keyed_hash(key, "GR-THE-0042")[:16], keyed_hash(key, "ΑΘ-7")[:16], None]
    assert [None if pd.isna(v) else v for v in got] == want
    assert list(got.index) == list(ids.index) and str(got.dtype) == "string"


@pytest.mark.parametrize("block", [1, 2, 3, 8192])
def test_pseudonyms_hashed_in_blocks_are_the_same(monkeypatch, block):
    # blocks of 1, 2 and 3 split the 4 distinct identifiers (and the blank one) differently
    from pipeline.ingest import deidentify

    monkeypatch.setattr(deidentify, "_HASH_BLOCK", block)
    ids = pd.Series(["b-2", "a-1", None, "", "c-3", "A-1 ", "d-4", "b-2"], dtype="string")
    got = pseudonymise(ids, b"key")
    want = [keyed_hash(b"key", x)[:16] if x else None for x in ["B-2", "A-1", None, None, "C-3", "A-1", "D-4", "B-2"]]
    assert [None if pd.isna(v) else v for v in got] == want


def test_keep_rows_is_loc_without_copying_text():
    frame = pd.DataFrame(
        {"t": pd.array(["a", None, "c", "d", "e", "f"], dtype="string[pyarrow]"), "x": [1.0, 2, 3, np.nan, 5, 6], "s": pd.array(list("uvwxyz"), dtype="str")},
        index=[3, 4, 5, 6, 7, 8],
    )
    for keep in ([1, 0, 1, 1, 0, 1], [0] * 6, [1] * 6, [0, 1, 1, 1, 1, 1]):
        mask = np.array(keep, dtype=bool)
        got, want = keep_rows(frame, mask), frame.loc[mask].reset_index(drop=True)
        pd.testing.assert_frame_equal(got, want)
        assert list(got.dtypes) == list(want.dtypes)


def test_schema_on_distinct_values_finds_what_pandera_finds_on_every_row():
    rng = np.random.default_rng(7)
    n = 3000
    typed = pd.DataFrame(
        {
            "partner": pd.array(rng.choice(["A", "B", "C", "ZZ", None], n), dtype="string"),
            "item": rng.choice([1.0, 2.0, 3.0, 9.0, np.nan], n),
            "submission_id": pd.array([f"s{k}" for k in rng.integers(0, 2500, n)], dtype="string"),
            "when": pd.to_datetime(rng.integers(0, 400, n), unit="D", origin="2024-06-01").astype("datetime64[us]"),
        }
    )
    schema = pa.DataFrameSchema(
        {
            "partner": pa.Column("string", pa.Check.isin(["A", "B", "C"], error="unknown_partner"), nullable=True),
            "item": pa.Column("float64", pa.Check.isin([1.0, 2.0, 3.0], error="out_of_range"), nullable=True),
            "submission_id": pa.Column("string", nullable=True, unique=True, report_duplicates="exclude_first"),
            "when": pa.Column("datetime64[us]", pa.Check.in_range(pd.Timestamp("2024-07-01"), pd.Timestamp("2025-05-01"), error="outside_project_period"), nullable=True),
        }
    )
    with pytest.raises(pa.errors.SchemaErrors) as exc:
        schema.validate(typed, lazy=True)
    fc = exc.value.failure_cases
    fc = fc[fc["index"].notna()]
    want = {(int(i), c, "duplicate_submission" if k == "field_uniqueness" else k) for i, c, k in zip(fc["index"], fc["column"], fc["check"])}
    got = schema_failures(schema, typed)
    assert {(int(i), c, r) for i, c, r in zip(got["index"], got["column"], got["reason"])} == want
    assert {r for *_, r in want} == {"unknown_partner", "out_of_range", "duplicate_submission", "outside_project_period"}


def test_images_are_flattened_and_sized_for_the_page_before_weasyprint():
    from PIL import Image

    wide = Image.new("RGBA", (2400, 600), (0, 114, 178, 128))
    buf = io.BytesIO()
    wide.save(buf, format="PNG")
    page = f'<p>x</p><img alt="a" src="data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}"><img src="other.png">'
    out = page_images(page)
    (data,) = re.findall(r'src="data:image/png;base64,([^"]+)"', out)
    image = Image.open(io.BytesIO(base64.b64decode(data)))
    assert image.mode == "RGB" and image.width == round(PRINT_WIDTH_INCHES * PRINT_DPI) and image.height == round(600 * image.width / 2400)
    assert '<img src="other.png">' in out and out.startswith("<p>x</p>")


def test_an_image_prepared_once_is_read_from_the_cache_with_the_same_bytes(tmp_path):
    """The charts of a run repeat across reports: each is prepared for print once. The page
    from the cache is byte-identical to the page prepared afresh, and a cache entry is what
    the second page reads (a planted entry shows through; no entry is made for a page that
    has no data image)."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGBA", (2000, 500), (213, 94, 0, 200)).save(buf, format="PNG")
    page = f'<img alt="a" src="data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}">'
    fresh = page_images(page)
    assert page_images(page, cache=tmp_path) == fresh
    (entry,) = tmp_path.glob("*.txt")
    assert page_images(page, cache=tmp_path) == fresh
    entry.write_text('src="data:image/png;base64,AAAA"', encoding="ascii")
    assert page_images(page, cache=tmp_path) == '<img alt="a" src="data:image/png;base64,AAAA">'
    assert page_images('<img src="other.png">', cache=tmp_path / "other") == '<img src="other.png">'
    assert not (tmp_path / "other").exists()


def test_a_report_kernel_imports_pyplot_only_to_draw_a_chart():
    """Charts come from the run's cache in most reports of a run: the sections and every chart
    function can be reached without importing pyplot (about 0.4 s of each kernel's start)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from pipeline.report import figures, sections\n"
        "from pipeline.report.context import load_context\n"
        "figures.forest_plot, figures.sample_flow_diagram, figures.network_drawing\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'\n"
        "figures.plt.subplots\n"
        "assert 'matplotlib.pyplot' in sys.modules\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
