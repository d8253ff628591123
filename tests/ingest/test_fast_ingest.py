"""Faster ways of ingestion's steps give what the plain pandas ways give."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.ingest.dialects import _kobo_na_as_empty
from pipeline.ingest.read import RawExport
from pipeline.ingest.validate import _seen_before


@pytest.mark.parametrize("dtype", ["string", "str", object, "category"])
def test_seen_before_is_duplicated_keep_first(dtype):
    rng = np.random.default_rng(12)
    for _ in range(300):
        values = pd.Series(rng.choice(["a", "b", "c", None, "d", "e"], size=int(rng.integers(0, 30))), dtype=dtype)
        assert _seen_before(values).tolist() == values.duplicated(keep="first").tolist()


def test_kobo_na_is_read_as_empty_column_by_column():
    frame = pd.DataFrame({"q1": pd.Series(["n/a", "yes", None], dtype="string"), "q2": pd.Categorical(["1", "n/a", "n/a"]), "q3": pd.Series(["x", "y", "z"], dtype="string")})
    raw = RawExport("export.csv", frame)
    out = _kobo_na_as_empty(frame, ["q1", "q2", "q3"], raw)
    assert out["q1"].isna().tolist() == [True, False, True]
    assert out["q2"].isna().tolist() == [False, True, True] and isinstance(out["q2"].dtype, pd.CategoricalDtype)
    assert out["q3"].tolist() == ["x", "y", "z"]
    assert raw.warnings == ["export.csv: 3 'n/a' cell(s) (a question skip logic hid, in KoboToolbox's legacy export) read as empty"]
    assert frame["q1"].iloc[0] == "n/a"  # the frame given is not changed
    clean = pd.DataFrame({"q1": pd.Series(["a"], dtype="string")})
    assert _kobo_na_as_empty(clean, ["q1"], RawExport("b.csv", clean)) is clean


def test_identifiers_known_from_an_earlier_file_get_the_same_pseudonyms_without_hashing_again(monkeypatch):
    from pipeline.ingest import deidentify

    hashed = []
    real = deidentify._hmac_digests
    monkeypatch.setattr(deidentify, "_hmac_digests", lambda texts, key: hashed.append(texts.to_pylist()) or real(texts, key))
    known = deidentify.Known()
    first = pd.Series(["a-1", " b-2", None, "", "c-3"], dtype="string")
    second = pd.Series(["B-2", "d-4", "a-1 ", None, "e-5", "d-4"], index=[7, 8, 9, 10, 11, 12], dtype="string")
    got = [deidentify.pseudonymise(first, b"key", known), deidentify.pseudonymise(second, b"key", known)]
    assert hashed == [["A-1", "B-2", "", "C-3"], ["D-4", "E-5"]]  # each identifier once, across both files
    assert known.texts.to_pylist() == ["A-1", "B-2", "", "C-3", "D-4", "E-5"] and known.digests.shape == (6, 8)
    for values, pseudonyms in zip((first, second), got):
        pd.testing.assert_series_equal(pseudonyms, deidentify.pseudonymise(values, b"key"))
    assert got[1].tolist()[:3] == [got[0].iloc[1], deidentify.keyed_hash(b"key", "D-4")[:16], got[0].iloc[0]]


def test_keep_rows_releasing_the_columns_gives_the_same_rows():
    from pipeline.ingest.validate import keep_rows

    frame = pd.DataFrame({"text": pd.Series(["a", "b", None, "d"], dtype="string"), "x": [1.0, 2.0, 3.0, np.nan], "n": [1, 2, 3, 4]})
    keep = np.array([True, False, True, True])
    want = frame.loc[keep].reset_index(drop=True)
    given = frame.copy()
    pd.testing.assert_frame_equal(keep_rows(given, keep, release=True), want)
    assert list(given.columns) == []  # every column taken out once copied
    pd.testing.assert_frame_equal(keep_rows(frame, keep), want)
    assert list(frame.columns) == ["text", "x", "n"]
