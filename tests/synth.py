"""Valid exports drawn from any codebook (KoboToolbox-style columns), for round trips and property tests."""

from __future__ import annotations

import datetime as dt
import uuid

import numpy as np
import pandas as pd

from pipeline.instruments.codebook import Codebook
from pipeline.instruments.registry import Consortium


def valid_export(codebook: Codebook, consortium: Consortium, n: int, seed: int = 0, id_prefix: str = "R", partners=None) -> pd.DataFrame:
    """``n`` rows every value of which the codebook accepts, as text, columns named as in an export.

    ``partners`` limits the partner codes drawn (fewer partners, fewer partner reports).
    """
    rng = np.random.default_rng(seed)
    start = dt.datetime.combine(consortium.start, dt.time(9))
    span = (consortium.end - consortium.start).days
    out: dict[str, list] = {}
    for f in codebook.fields:
        if f.role == "submission_id":
            col = [str(uuid.UUID(bytes=rng.bytes(16), version=4)) for _ in range(n)]
        elif f.role == "submission_time":
            col = [(start + dt.timedelta(days=int(d), minutes=int(m))).isoformat() for d, m in zip(rng.integers(0, span, n), rng.integers(0, 600, n))]
        elif f.role == "respondent_id":
            col = [f"{id_prefix}{k:05d}" for k in range(n)]
        elif f.role == "partner":
            col = list(rng.choice(list(partners or consortium.partner_codes), n))
        elif f.choices is not None and f.multiple:
            col = [" ".join(c for c in f.choices if rng.random() < 0.4) for _ in range(n)]
        elif f.choices is not None:
            col = list(rng.choice(list(f.choices), n))
        elif f.role == "birth_date":
            col = [(dt.date(1950, 1, 1) + dt.timedelta(days=int(d))).isoformat() for d in rng.integers(0, 18000, n)]
        elif f.role in ("personal", "free_text"):
            col = [f"text {k}" for k in range(n)]
        else:
            col = [""] * n
        out[f.column] = col
    for it in codebook.items:
        codes = list(it.response_scale.valid_codes)
        out[it.column] = [str(c) for c in rng.choice(codes, n)]
    return pd.DataFrame(out)
