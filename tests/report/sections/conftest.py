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
