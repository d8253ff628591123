"""An analyst's entry point: load_context() from any folder, labelled tidy data, a short summary."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from pipeline.config import NOTEBOOKS_DIR, ROOT
from pipeline.errors import PipelineError
from pipeline.report import context
from pipeline.report.context import load_context, resolve_path
from pipeline.workflow import analyse, ingest
from tests.conftest import report_folder


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A project folder whose run.json stores paths relative to it (ingest ran there)."""
    os.environ.setdefault("IMPACT_PSEUDONYM_KEY", "module-key-not-secret-0123456789abcdef")
    root = tmp_path_factory.mktemp("project")
    report_folder(root)
    here = os.getcwd()
    os.chdir(root)
    try:
        ingest("data", "build/reports")
        analyse("build/reports")
    finally:
        os.chdir(here)
    # the shipped codebooks and registry as `make report` stores them: relative to the project root
    run_json = root / "build" / "reports" / "run.json"
    run_json.write_text(run_json.read_text(encoding="utf-8").replace(f"{ROOT}/", ""), encoding="utf-8")
    return root


def test_run_json_holds_relative_paths(project):
    run = context.load_run(project / "build" / "reports")
    assert run["data_dir"] == "data" and not os.path.isabs(run["manifest"])
    assert run["codebooks"]["community_attitudes"] == "surveys/community_attitudes.yaml"


def test_loads_from_another_folder(project, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ctx = load_context(project / "build" / "reports")
    assert "community_attitudes" in ctx.responses and ctx.codebooks["community_attitudes"].instrument == "community_attitudes"
    assert not ctx.reliability.empty and not ctx.attrition.empty and "code_matching" in ctx.__dataclass_fields__


def test_default_build_folder_is_found_from_the_package(project, monkeypatch):
    monkeypatch.setattr(context, "PROJECT_ROOT", project)
    monkeypatch.setattr(context, "DEFAULT_BUILD", project / "build" / "reports")
    monkeypatch.chdir(NOTEBOOKS_DIR)  # where JupyterLab starts a notebook's kernel
    assert load_context().build_dir == project / "build" / "reports"
    assert load_context("build/reports").build_dir == project / "build" / "reports"


def test_relative_paths_are_read_from_the_project_root(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resolve_path("surveys/consortium.yaml", tmp_path / "build") == ROOT / "surveys" / "consortium.yaml"
    assert resolve_path(ROOT / "surveys" / "consortium.yaml", tmp_path) == ROOT / "surveys" / "consortium.yaml"
    monkeypatch.chdir(ROOT)  # from the root a stored path is kept as it is (same paths as before)
    assert resolve_path("surveys/consortium.yaml", "build/reports") == context.Path("surveys/consortium.yaml")


def test_error_names_the_folder_looked_in(tmp_path):
    with pytest.raises(PipelineError) as err:
        load_context(tmp_path / "nowhere")
    message = str(err.value)
    assert str(tmp_path / "nowhere") in message and "does not exist" in message and "make report" in message and "ingest stage first" in message


def test_repr_is_short_and_names_what_is_loaded(project):
    text = repr(load_context(project / "build" / "reports"))
    assert len(text.splitlines()) <= 6 and len(text) < 1000
    assert "community_attitudes (" in text and "min_cell 5" in text


@pytest.mark.slow
def test_explore_notebook_runs_where_jupyterlab_starts_it(project, tmp_path):
    """JupyterLab starts the kernel in notebooks/: the notebook must run from there."""
    import nbformat
    import papermill as pm

    out = tmp_path / "explore.ipynb"
    pm.execute_notebook(
        str(NOTEBOOKS_DIR / "explore.ipynb"),
        str(out),
        parameters={"build_dir": str(project / "build" / "reports")},
        cwd=str(NOTEBOOKS_DIR),
        progress_bar=False,
        kernel_name="python3",
    )
    nb = nbformat.read(out, as_version=4)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.get("output_type") == "error"]
    assert not errors


# -- labelled tidy data and the data dictionary (hand-made fixture) ----------------------
from pipeline.instruments.codebook import parse_codebook  # noqa: E402
from pipeline.report.tidy import data_dictionary, tidy  # noqa: E402

TINY = {
    "instrument": "tiny",
    "languages": ["en", "de"],
    "waves": [{"id": "pre", "label": {"en": "Before"}}, {"id": "post"}, {"id": "follow_up"}],
    "response_scales": {
        "agree3": {
            "values": {"min": 1, "max": 3},
            "missing": {8: "dont_know", 9: "refused"},
            "labels": {1: {"en": "Disagree", "de": "Nein"}, 2: {"en": "Neutral", "de": "Neutral"}, 3: {"en": "Agree", "de": "Ja"}},
        }
    },
    "fields": [
        {"id": "rid", "role": "respondent_id"},
        {"id": "took_part", "role": "comparison", "comparison_value": "no", "choices": {"yes": {"en": "Took part"}, "no": {"en": "Did not"}}},
        {"id": "name", "role": "personal"},
    ],
    "items": [
        {"id": "q1", "response_scale": "agree3", "label": {"en": "I like it", "de": "Mag ich"}},
        {"id": "q2", "response_scale": "agree3", "reverse": True, "label": {"en": "I avoid it"}},
    ],
    "scales": [{"id": "s", "items": ["q1", "q2"], "label": {"en": "Liking"}}],
}
# waves deliberately out of codebook order in the rows: follow_up first
FRAME = pd.DataFrame(
    {
        "respondent_id": ["a", "a", "b", "b"],
        "wave": ["follow_up", "pre", "pre", "post"],
        "took_part": ["yes", "yes", "no", "no"],
        "q1": [3, 1, 8, 2],
        "q2": [9, 3, 1, 2],
        "s": [3.0, 1.0, 3.0, 2.0],
    }
)


def test_tidy_labels_orders_and_keeps_missing_reasons():
    cb = parse_codebook(TINY, "tiny.yaml")
    t = tidy(FRAME, cb)
    assert list(t["wave"].cat.categories) == ["pre", "post", "follow_up"] and t["wave"].cat.ordered
    assert t.sort_values("wave")["wave"].tolist() == ["pre", "pre", "post", "follow_up"]
    assert list(t["q1"].cat.categories) == ["Disagree", "Neutral", "Agree"] and t["q1"].cat.ordered
    assert t["q1"].tolist()[:2] == ["Agree", "Disagree"] and pd.isna(t["q1"][2])  # 8 = don't know -> NA
    assert t["q1_missing"].tolist()[2] == "dont_know" and t["q2_missing"].tolist()[0] == "refused"
    assert t["q1_missing"].isna().sum() == 3
    assert t["q2"].tolist()[1] == "Agree"  # as answered: reverse keying applies to the score only
    assert t["took_part"].tolist() == ["Took part", "Took part", "Did not", "Did not"]
    assert t["s"].tolist() == [3.0, 1.0, 3.0, 2.0]


def test_tidy_options():
    cb = parse_codebook(TINY, "tiny.yaml")
    assert tidy(FRAME, cb, language="de")["q1"].tolist()[:2] == ["Ja", "Nein"]
    numeric = tidy(FRAME, cb, labels=False)
    assert numeric["q1"].tolist()[:2] == [3, 1] and pd.isna(numeric["q1"][2])
    assert tidy(FRAME, cb, participants_only=True)["respondent_id"].tolist() == ["a", "a"]
    long = tidy(FRAME, cb, long=True)
    assert len(long) == 8 and list(long.columns[-4:]) == ["item", "answer", "code", "missing_reason"]
    first = long.iloc[0]  # a at pre (sorted by respondent, wave, item): q1 answered 1
    assert (first["wave"], first["item"], first["answer"], first["code"]) == ("pre", "q1", "Disagree", 1)
    dk = long.query("respondent_id == 'b' and wave == 'pre' and item == 'q1'").iloc[0]
    assert pd.isna(dk["answer"]) and pd.isna(dk["code"]) and dk["missing_reason"] == "dont_know"
    with pytest.raises(PipelineError, match="languages: en, de"):
        tidy(FRAME, cb, language="fr")


def test_data_dictionary_one_row_per_variable():
    cb = parse_codebook(TINY, "tiny.yaml")
    d = data_dictionary(cb, FRAME).set_index("variable")
    assert "name" not in d.index  # personal data never leaves ingestion
    assert d.loc["q2", "reverse"] and not d.loc["q1", "reverse"]
    assert d.loc["q1", "answers"] == "1 = Disagree; 2 = Neutral; 3 = Agree"
    assert d.loc["q1", "missing_codes"] == "8 = dont_know; 9 = refused"
    assert d.loc["q1", "scale"] == "s" and d.loc["s", "scale"] == "q1, q2" and d.loc["s", "kind"] == "scale"
    assert d.loc["wave", "answers"] == "pre = Before; post = post; follow_up = follow_up"
    assert d.loc["q1", "in_data"] and d.loc["took_part", "answers"] == "yes = Took part; no = Did not"


def test_context_tidy_on_a_run(project):
    ctx = load_context(project / "build" / "reports")
    t = ctx.tidy("community_attitudes")
    assert t["wave"].cat.ordered and list(t["wave"].cat.categories)[:2] == ["pre", "post"]
    d = ctx.data_dictionary("community_attitudes")
    assert set(d["kind"]) == {"field", "item", "scale"} and d["variable"].is_unique
    with pytest.raises(PipelineError, match="no instrument 'nope'"):
        ctx.tidy("nope")


def test_tidy_leaves_out_the_submission_id(project):
    ctx = load_context(project / "build" / "reports")
    assert "submission_id" not in ctx.tidy("community_attitudes").columns
    assert "submission_id" not in set(ctx.data_dictionary("community_attitudes")["variable"])


def test_make_lab_runs_as_root():
    import subprocess

    out = subprocess.run(["make", "-n", "lab"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert '"$(id -u)" = 0' in out and "--allow-root" in out
