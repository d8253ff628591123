"""The consortium's texts in the reports' languages: ``texts.csv`` of the example, the
published tables unchanged by the translations, and the texts a report shows in English
listed as the run's warnings."""

from __future__ import annotations

import json
import os
import shutil

import pandas as pd
import pytest
import yaml

from pipeline import i18n
from pipeline.instruments.codebook import parse_codebook
from pipeline.report import build as report_build
from pipeline.report.context import ReportContext, load_context
from pipeline.report.texts import missing_text_warnings, missing_texts
from pipeline.schema import DATA_TEXTS_COLUMNS, PUBLISHED_TABLES, Files
from pipeline.workflow import ANALYSE_OUTPUTS, analyse, ingest
from tests.conftest import report_folder

#: A Greek indicator name of the example's results framework (surveys/indicators.yaml).
GREEK_NAME = ("framework", "multiplier_events", "name", "el", "Πολλαπλασιαστικές εκδηλώσεις που πραγματοποιήθηκαν")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The report fixture (the example's framework and commentary) ingested and analysed."""
    os.environ.setdefault("IMPACT_PSEUDONYM_KEY", "module-key-not-secret-0123456789abcdef")
    root = tmp_path_factory.mktemp("texts")
    data = report_folder(root)
    ingest(data, root / "build")
    analyse(root / "build")
    return root, root / "build"


@pytest.fixture(autouse=True)
def english_afterwards():
    i18n.clear_missing()  # another module's test may have left texts listed (one worker runs many modules)
    yield
    i18n.activate(i18n.SOURCE_LANGUAGE)
    i18n.clear_missing()


def texts_table(*rows) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=DATA_TEXTS_COLUMNS)


# -- texts.csv of the example ------------------------------------------------------------


def test_texts_csv_holds_every_language_sorted(run):
    _, build = run
    raw = (build / Files.DATA_TEXTS).read_bytes()
    table = pd.read_csv(build / Files.DATA_TEXTS, dtype=str, keep_default_na=False)
    assert list(table.columns) == DATA_TEXTS_COLUMNS
    assert tuple(table.loc[(table["entry"] == "multiplier_events") & (table["field"] == "name") & (table["language"] == "el")].iloc[0]) == GREEK_NAME
    assert table.loc[(table["entry"] == "E5") & (table["field"] == "result") & (table["language"] == "en"), "text"].tolist() == [
        "To inform the relevant staff and increase their skills and abilities through JSTEs"
    ]
    assert set(table["source"]) == {"framework", "commentary"}
    assert set(table["language"]) == set(i18n.LANGUAGES)
    assert table.equals(table.sort_values(DATA_TEXTS_COLUMNS[:4], ignore_index=True))
    assert not table.duplicated(DATA_TEXTS_COLUMNS[:4]).any()
    # the commentary's reason of an indicator, in Italian, as the report asks for it
    ctx = load_context(build, partner="IT-PAL", language="it")
    assert ctx.text("commentary", "meeting_attendance", "reason", "x").startswith("Il Comune di Palermo non ha potuto")
    assert load_context(build, language="el").text("framework", "multiplier_events", "name", "Multiplier events held") == GREEK_NAME[-1]
    assert i18n.missing() == []
    # analysing again gives the same bytes
    analyse(build)
    assert (build / Files.DATA_TEXTS).read_bytes() == raw


def test_texts_csv_is_the_analyse_stages_and_stays_in_the_build_folder():
    assert Files.DATA_TEXTS in ANALYSE_OUTPUTS and Files.DATA_TEXTS not in PUBLISHED_TABLES


def _english_only(value):
    """A YAML document with every language map replaced by its English."""
    if isinstance(value, dict):
        if "en" in value and set(value) <= set(i18n.LANGUAGES):
            return value["en"]
        return {k: _english_only(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_english_only(v) for v in value]
    return value


def test_the_published_tables_are_the_same_bytes_as_with_english_only_files(run):
    """The translations change no published table: the same run with the framework and the
    commentary in English only publishes byte-identical tables."""
    root, build = run
    plain = root / "english_only"
    plain.mkdir()
    shutil.copytree(build / "responses", plain / "responses")
    for name in (Files.QUARANTINE, Files.RECONCILIATION, Files.CODE_MATCHING):
        shutil.copyfile(build / name, plain / name)
    settings = json.loads((build / Files.RUN).read_text(encoding="utf-8"))
    for key in ("framework", "commentary"):
        doc = yaml.safe_load(open(settings[key], encoding="utf-8"))
        assert _english_only(doc) != doc  # the example's file is translated
        path = plain / f"{key}.yaml"
        path.write_text(yaml.safe_dump(_english_only(doc), allow_unicode=True, sort_keys=False), encoding="utf-8")
        settings[key] = str(path)
    (plain / Files.RUN).write_text(json.dumps(settings), encoding="utf-8")
    analyse(plain)
    compared = [t for t in PUBLISHED_TABLES if (build / t).is_file()]
    assert {Files.RESULTS_FRAMEWORK, Files.AT_A_GLANCE, Files.COMMENTARY, Files.INDICATORS, Files.ACTIVITIES_PLAN} <= set(compared)
    assert [t for t in compared if (plain / t).read_bytes() != (build / t).read_bytes()] == []
    english = pd.read_csv(plain / Files.DATA_TEXTS, dtype=str, keep_default_na=False)
    assert set(english["language"]) == {"en"}


# -- texts missing in a language ------------------------------------------------------------

CODEBOOK = {
    "instrument": "mini",
    "title": {"en": "Mini survey", "it": "Mini questionario"},
    "languages": ["en", "it", "el"],
    "waves": [{"id": "pre", "label": {"en": "Before", "it": "Prima"}}, {"id": "post", "label": {"en": "After"}}],
    "response_scales": {"agree": {"values": [1, 2], "labels": {1: {"en": "No", "it": "No"}, 2: {"en": "Yes"}}}},
    "fields": [
        {"id": "respondent_id", "role": "respondent_id", "column": "id"},
        {"id": "gender", "role": "grouping", "column": "gender", "choices": ["f", "m"], "choice_labels": {"f": {"en": "Woman", "it": "Donna"}, "m": {"en": "Man", "it": "Uomo"}}},
    ],
    "items": [{"id": "q1", "column": "q1", "label": {"en": "Question one"}, "response_scale": "agree", "anchors": {1: {"en": "Never", "it": "Mai"}, 2: {"en": "Often"}}}],
    "scales": [{"id": "s", "label": {"en": "Scale", "it": "Scala"}, "items": ["q1"]}],
}


def test_a_framework_entry_without_italian_is_listed_for_italian_and_shown_in_english(tmp_path):
    texts = texts_table(
        ("framework", "E1", "result", "en", "Serving good examples"),
        ("framework", "E1", "result", "el", "Ανάδειξη καλών παραδειγμάτων"),
        ("framework", "jstes", "name", "en", "JSTEs held"),
        ("framework", "jstes", "name", "it", "JSTE realizzati"),
        ("framework", "jstes", "name", "el", "JSTE"),
        ("commentary", "jstes", "action", "en", "An action"),
        ("commentary", "jstes", "action", "it", ""),
    )
    cb = parse_codebook(CODEBOOK, "mini.yaml")
    assert missing_texts(texts, {"mini": cb}, "it") == [
        ("commentary", "jstes action"),
        ("framework", "E1 result"),
        ("mini", "wave post"),
        ("mini", "item q1"),
        ("mini", "answer q1 = 2"),
        ("mini", "answer agree = 2"),
    ]
    assert ("framework", "E1 result") not in missing_texts(texts, {}, "el")
    assert missing_texts(texts, {"mini": cb}, "en") == [] == missing_texts(texts, {"mini": cb}, i18n.PSEUDO)
    # the report in Italian shows the English and lists it as missing
    texts.to_csv(tmp_path / Files.DATA_TEXTS, index=False)
    ctx = ReportContext(tmp_path, {}, None, {}, {}, pd.DataFrame(), pd.DataFrame(), pd.DataFrame())
    i18n.activate("it")
    assert ctx.text("framework", "E1", "result", "Serving good examples") == "Serving good examples"
    assert ctx.text("framework", "jstes", "name", "JSTEs held") == "JSTE realizzati"
    assert i18n.missing() == [("it", "framework: E1.result")]


def test_the_run_prints_and_records_the_missing_texts_once_per_language(run, tmp_path, monkeypatch, capsys):
    _, build = run
    build_copy = tmp_path / "build"
    shutil.copytree(build, build_copy, ignore=shutil.ignore_patterns("figures"))
    table = pd.read_csv(build_copy / Files.DATA_TEXTS, dtype=str, keep_default_na=False)
    drop = (table["entry"] == "E5") & (table["field"] == "result") & (table["language"] == "it")
    assert drop.sum() == 1
    table.loc[~drop].to_csv(build_copy / Files.DATA_TEXTS, index=False)
    # the example's framework and commentary miss no language: only the edited entry is listed
    warnings = missing_text_warnings(build_copy, ["en", "it", "el", "it"])
    framework = [w for w in warnings if "results framework" in w or "commentary" in w]
    assert framework == ["Italian (it) reports: the results framework has no Italian for 1 text, shown in English: E5 result"]
    # the report run prints them and records them in manifest.json, before any report runs
    specs = [report_build.ReportSpec(f"partner_IT-PAL.{lang}", report_build.CONSORTIUM_NOTEBOOK, "d", {"partner": "IT-PAL"}, lang) for lang in ("it", "it", "en")]
    seen = []
    monkeypatch.setattr(report_build, "_execute_all", lambda specs, *a, **k: seen.append(capsys.readouterr().err) or [{"seconds": 0.0} for _ in specs])
    report_build.build_reports(build_copy, tmp_path / "out", jobs=1, pdf=False, specs=specs)
    printed = [line.removeprefix("warning: ") for line in seen[0].splitlines() if line.startswith("warning: ")]
    assert framework[0] in printed and printed.count(framework[0]) == 1
    assert not [w for w in printed if w.startswith(("Greek", "English"))]
    manifest = json.loads((tmp_path / "out" / Files.MANIFEST).read_text(encoding="utf-8"))
    assert framework[0] in manifest["warnings"] and set(printed) <= set(manifest["warnings"])
