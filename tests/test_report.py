"""The report stage: papermill executes the notebook; HTML without code; failures leave the last good run."""

from __future__ import annotations

import json
import re

import pytest

from pipeline.errors import ReportError
from pipeline.report import build_reports
from pipeline.workflow import analyse, ingest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from tests.conftest import write_folder
    from pipeline.example import simulate

    root = tmp_path_factory.mktemp("report")
    import os

    os.environ.setdefault("IMPACT_PSEUDONYM_KEY", "module")
    data = write_folder(root / "data", simulate(seed=3, scale=0.2))
    build, out = root / "build", root / "out"
    ingest(data, build)
    analyse(build)
    published = build_reports(build, out, jobs=1)
    return build, out, published


def test_report_files(built):
    _, out, published = built
    assert {"consortium_report.html", "consortium_report.ipynb", "indicators.csv", "quarantine.csv", "reconciliation.csv",
            "reliability.csv", "attrition.csv", "manifest.json"} <= set(published)


def test_html_has_sections_and_no_code(built):
    _, out, _ = built
    html = (out / "consortium_report.html").read_text(encoding="utf-8")
    for heading in ("Summary", "What was measured and with whom", "Sample flow", "Change by scale and partner", "Indicator table", "Data quality", "Provenance",
                    "Change compared with people who did not take part", "Statistical tests and individual change",
                    "Yes/no questions asked twice", "Measurement quality: reliability and attrition", "Methods appendix"):
        assert heading in html
    assert "load_context" not in html and "build_dir =" not in html  # no code, no parameters
    assert "What a before/after comparison can and cannot show" in html
    assert re.search(r'<img[^>]+src="data:image/png;base64,', html)  # images embedded


def test_manifest_names_inputs_code_and_outputs(built):
    _, out, _ = built
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest) >= {"inputs", "code", "parameters", "run_time_utc", "outputs", "libraries"}
    assert all(len(h) == 64 for h in manifest["inputs"].values())
    assert manifest["parameters"]["min_cell"] == 5


def test_failed_report_names_cell_keeps_notebook_and_last_good_run(built, tmp_path, monkeypatch):
    build, out, _ = built
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    import nbformat

    from pipeline import report

    bad = tmp_path / "bad.ipynb"
    nb = nbformat.read(report.NOTEBOOKS_DIR / "consortium_report.ipynb", as_version=4)
    nb.cells.insert(3, nbformat.v4.new_code_cell("raise ValueError('planted failure')"))
    nbformat.write(nb, bad)
    monkeypatch.setattr(report, "plan", lambda b: [report.ReportSpec("consortium_report", bad, "broken")])
    with pytest.raises(ReportError) as err:
        build_reports(build, out, jobs=1)
    msg = str(err.value)
    assert "consortium_report" in msg and "planted failure" in msg and "cell" in msg
    assert err.value.notebook.is_file()
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
