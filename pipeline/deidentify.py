"""De-identification: personal data never passes ingestion.

* Fields whose role is ``personal`` (names, phone numbers, free text that may hold
  contact details) or ``ignore`` (survey-tool metadata) are dropped.
* Respondent identifiers are replaced by a keyed pseudonym,
  ``HMAC-SHA256(key, identifier)``, truncated to 16 hex digits (64 bits). The same
  key gives the same pseudonyms on every run, so waves still match; without the
  key, the pseudonym cannot be turned back into the identifier by trying
  candidate identifiers (unlike a plain hash).

The key comes from the environment variable ``IMPACT_PSEUDONYM_KEY`` or, when it
is unset, from the git-ignored file ``.impact_key`` in the project root, created
with permissions 600 on first use.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import numpy as np
import pandas as pd

from .codebook import DROPPED_ROLES, Codebook
from .config import KEY_ENV, KEY_FILE
from .errors import PipelineError

PSEUDONYM_HEX_DIGITS = 16


def load_key(key_file: Path = KEY_FILE) -> bytes:
    """The pseudonymisation key: the environment variable, else the key file (created if absent)."""
    env = os.environ.get(KEY_ENV)
    if env:
        return env.encode("utf-8")
    if key_file.is_file():
        key = key_file.read_text(encoding="utf-8").strip()
        if not key:
            raise PipelineError(f"the pseudonymisation key file {key_file} is empty; delete it to create a new key, or set {KEY_ENV}")
        return key.encode("utf-8")
    key = secrets.token_hex(32)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(key + "\n")
    return key.encode("utf-8")


def keyed_hash(key: bytes, text: str) -> str:
    """HMAC-SHA256 of ``text`` (UTF-8) under ``key``, as 64 hex digits (RFC 2104, FIPS 198-1)."""
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def pseudonymise(values: pd.Series, key: bytes) -> pd.Series:
    """Replace identifiers by keyed pseudonyms.

    pseudonym = first 16 hex digits of HMAC-SHA256(key, identifier), the identifier
    stripped of surrounding white space and upper-cased, so that ``gr-the-0042 ``
    and ``GR-THE-0042`` are the same person. Missing identifiers stay missing.
    """
    if not key:
        raise ValueError("the pseudonymisation key is empty")

    text = values.astype("string").str.strip().str.upper()
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    # Copying a keyed HMAC state skips re-deriving the padded key for each value.
    base = hmac.new(key, digestmod=hashlib.sha256)

    def one(u: str):
        if not u:
            return None
        h = base.copy()
        h.update(u.encode("utf-8"))
        return h.hexdigest()[:PSEUDONYM_HEX_DIGITS]

    hashed = np.array([one(u) for u in uniques.tolist()], dtype=object)
    out = np.full(len(text), None, dtype=object)
    found = codes >= 0
    out[found] = hashed[codes[found]]
    return pd.Series(out, index=values.index, dtype="string")


def deidentify(frame: pd.DataFrame, codebook: Codebook, key: bytes) -> pd.DataFrame:
    """Drop personal and metadata fields and pseudonymise the respondent identifier.

    Returns a new frame; the input is not changed.
    """
    drop = [f.name for f in codebook.fields_by_role(*DROPPED_ROLES) if f.name in frame.columns]
    out = frame.drop(columns=drop)
    if "respondent_id" in out.columns:
        out["respondent_id"] = pseudonymise(out["respondent_id"], key)
    return out
