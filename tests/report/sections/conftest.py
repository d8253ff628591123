"""One small build folder for the section tests: the example's simulated community survey
(seed 5, 30% of its size), ingested and analysed once per test worker; each module loads its
own context from it."""

from __future__ import annotations

import os

import pytest

from pipeline.example.community import simulate
from pipeline.workflow import analyse, ingest
from tests.conftest import write_folder


@pytest.fixture(scope="session")
def sections_build(tmp_path_factory):
    os.environ.setdefault("IMPACT_PSEUDONYM_KEY", "module-key-not-secret-0123456789abcdef")
    root = tmp_path_factory.mktemp("sections")
    data = write_folder(root / "data", simulate(seed=5, scale=0.3))
    ingest(data, root / "build")
    analyse(root / "build")
    return root / "build"


def three_waves(ctx):
    """``ctx`` with a third wave of the community survey: the same people answer again three
    months on, each scale about 0.4 higher than before (seeded noise); its indicators computed."""
    import dataclasses

    import numpy as np
    import pandas as pd

    from pipeline.analysis.indicators import instrument_indicators

    codebook = ctx.codebooks["community_attitudes"]
    resp = ctx.responses["community_attitudes"]
    follow = resp.loc[resp["wave"] == "pre"].copy().assign(wave="follow_up")
    rng = np.random.default_rng(3)
    for sc in codebook.scales:
        follow[sc.id] = follow[sc.id] + 0.4 + rng.normal(0, 0.5, len(follow))
    scored = pd.concat([resp, follow], ignore_index=True)
    cb3 = dataclasses.replace(codebook, waves=("pre", "post", "follow_up"), wave_labels={**codebook.wave_labels, "follow_up": {"en": "Three months later"}})
    table = instrument_indicators(scored, cb3, ctx.min_cell)
    return type(ctx)(**{**ctx.__dict__, "indicators": table, "codebooks": {**ctx.codebooks, "community_attitudes": cb3}, "responses": {**ctx.responses, "community_attitudes": scored}}), cb3
