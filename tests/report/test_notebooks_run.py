"""Every notebook executes on a small fixture (papermill, as `make report` and analysts run them)."""

from __future__ import annotations

import pytest

from pipeline.config import NOTEBOOKS_DIR, ROOT
from pipeline.workflow import analyse, ingest
from tests.conftest import report_folder

pytestmark = pytest.mark.slow

#: Parameters each notebook needs beyond build_dir, on the fixture.
PARAMETERS = {"consortium_report.ipynb": {"partner": "ES-VAL"}, "training_report.ipynb": {"activity_id": "JSTE-1"}, "explore.ipynb": {}}


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    import os

    os.environ.setdefault("IMPACT_PSEUDONYM_KEY", "module-key-not-secret-0123456789abcdef")
    root = tmp_path_factory.mktemp("nb")
    build = root / "build"
    ingest(report_folder(root), build)
    analyse(build)
    return build


def test_every_notebook_is_covered():
    assert sorted(PARAMETERS) == sorted(p.name for p in NOTEBOOKS_DIR.glob("*.ipynb"))


@pytest.mark.parametrize("name", sorted(PARAMETERS))
def test_notebook_executes(build, name, tmp_path):
    import papermill as pm

    out = tmp_path / name
    pm.execute_notebook(str(NOTEBOOKS_DIR / name), str(out), parameters={"build_dir": str(build), **PARAMETERS[name]}, cwd=str(ROOT), progress_bar=False, kernel_name="python3")
    import nbformat

    nb = nbformat.read(out, as_version=4)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.get("output_type") == "error"]
    assert not errors
