"""De-identification: personal fields dropped, identifiers pseudonymised with HMAC-SHA256."""

from __future__ import annotations

import os
import stat

import pandas as pd
import pytest

from pipeline.config import SURVEYS_DIR
from pipeline.ingest.deidentify import deidentify, keyed_hash, load_key, pseudonymise, redact
from pipeline.instruments.codebook import load_codebook


def test_hmac_sha256_rfc4231_test_case_2():
    # RFC 4231, section 4.3: key "Jefe", data "what do ya want for nothing?"
    assert keyed_hash(b"Jefe", "what do ya want for nothing?") == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"


def test_pseudonyms_are_stable_normalised_and_keyed():
    ids = pd.Series(["GR-THE-00042", " gr-the-00042 ", "IT-PAL-00001", None])
    a = pseudonymise(ids, b"k1")
    assert a[0] == a[1] and a[0] != a[2] and pd.isna(a[3])
    assert a[0] == keyed_hash(b"k1", "GR-THE-00042")[:16]
    assert pseudonymise(ids, b"k2")[0] != a[0]
    assert "GR-THE" not in "".join(a.dropna())


def test_personal_fields_dropped():
    cb = load_codebook(SURVEYS_DIR / "community_attitudes.yaml")
    frame = pd.DataFrame({"respondent_id": ["X-1"], "full_name": ["Maria K"], "phone": ["+30 690"], "comment": ["hi"], "start": ["t"], "att_economy": ["5"]})
    out = deidentify(frame, cb, b"k")
    assert set(out.columns) == {"respondent_id", "att_economy"}
    assert out.loc[0, "respondent_id"] != "X-1"
    assert frame.loc[0, "respondent_id"] == "X-1"  # input unchanged


def test_key_file_created_once_with_mode_600(tmp_path, monkeypatch):
    monkeypatch.delenv("IMPACT_PSEUDONYM_KEY", raising=False)
    path = tmp_path / ".impact_key"
    k1 = load_key(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_key(path) == k1 and len(k1) == 64


def test_environment_variable_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("IMPACT_PSEUDONYM_KEY", "from-env-0123456789abcdef0123456789")
    assert load_key(tmp_path / "absent") == b"from-env-0123456789abcdef0123456789"
    assert not (tmp_path / "absent").exists()


@pytest.mark.parametrize(
    "text",
    [
        "3f15cdfe-3eab-4321-8765-7806febf158d",  # a KoboToolbox _uuid with digit groups
        "uuid:3f15cdfe-3eab-4c2b-9b6f-7806febf158d",
        "22/01/2026 21:29:50",  # a Google Sheets timestamp
        "2023-11-13 16:20:37",
        "12.3456789",  # a GPS coordinate
        "-1.2625621 36.7921711 0.0 20.0",
        "1234567.89",
    ],
)
def test_redaction_keeps_ids_dates_and_decimals_readable(text):
    assert redact(text) == (text, 0)


@pytest.mark.parametrize("text", ["0612345678", "tel 612.345.678", "+351 912 345 678", "0612.345678", "06-12345678 on 22/01/2026 21:29:50"])
def test_redaction_still_removes_phone_numbers_beside_them(text):
    out, n = redact(text)
    assert n == 1 and "[phone removed]" in out and "345" not in out
