"""The front sections in the partners' languages: plurals chosen by the count, and the
glossary (the report's evaluation vocabulary) in Greek without a sentence left in English.

Expected forms are written by hand from each language's grammar, not printed by our code.
"""

from __future__ import annotations

import importlib
import re

import pytest

from pipeline import i18n
from pipeline.report import format as fmt

summary = importlib.import_module("pipeline.report.sections.summary")
voices = importlib.import_module("pipeline.report.sections.voices")


class _Ctx:
    """What the glossary reads of a run: the smallest group a number may describe."""

    min_cell = 5


@pytest.fixture(autouse=True)
def _english_after():
    yield
    i18n.activate("en")


@pytest.mark.parametrize(
    ("language", "one", "two"),
    [
        ("en", "1 of 1 meeting", "1 of 2 meetings"),
        ("it", "1 su 1 riunione", "1 su 2 riunioni"),
        ("el", "1 από 1 συνάντηση", "1 από 2 συναντήσεις"),
        ("de", "1 von 1 Schulung", "1 von 2 Schulungen"),
    ],
)
def test_a_count_of_one_reads_in_the_singular_and_two_in_the_plural(language, one, two):
    what = "trainings" if language == "de" else "meetings"
    with i18n.using(language):
        assert voices.of_held(1, 1, what) == one
        assert voices.of_held(1, 2, what) == two


@pytest.mark.parametrize(
    ("language", "one", "two"),
    [
        ("en", "fewer than 1 person.", "fewer than 2 people."),
        ("it", "meno di 1 persona.", "meno di 2 persone."),
        ("es", "menos de 1 persona.", "menos de 2 personas."),
        ("pt", "menos de 1 pessoa.", "menos de 2 pessoas."),
        ("el", "λιγότερα από 1 άτομο.", "λιγότερα από 2 άτομα."),
    ],
)
def test_the_glossarys_privacy_rule_follows_the_plural_rule(language, one, two):
    with i18n.using(language):
        first = summary.glossary_markdown(1).splitlines()[2]
        second = summary.glossary_markdown(2).splitlines()[2]
    assert first.endswith(one) and second.endswith(two)


#: Words that stay as they are in every language: symbols of statistics and a citation.
_KEPT = {"n", "g_av", "d_z", "g_change", "Lakens", "Hedges", "pooled"}


def test_the_glossary_in_greek_is_greek_and_no_english_sentence_is_left():
    with i18n.using("en"):
        english = summary.glossary(_Ctx())
    with i18n.using("el"):
        greek = summary.glossary(_Ctx())
        # the status words are the central vocabulary's (pipeline.report.format.words), in
        # Greek where it has them: the glossary writes them, it does not translate them
        statuses = {w for code in ("off track", "on track", "achieved") for w in fmt.words(code).replace("_", " ").split()}
    kept = _KEPT | statuses | {w.capitalize() for w in statuses}
    assert greek.title == "Γλωσσάριο"
    items = re.findall(r"<li>(.*?)</li>", greek.text())
    assert len(items) == len(re.findall(r"<li>", english.text())) == 9
    for item in items:
        text = re.sub(r"<[^>]+>", " ", item)
        assert re.search(r"[\u0370-\u03ff]{3,}", text), f"no Greek in {text!r}"
        # no run of three English words (a sentence, or a clause of one, left untranslated)
        words = [w for w in re.findall(r"[A-Za-z_]+", text) if w not in kept]
        runs = re.findall(r"(?:\b[A-Za-z]{2,}\b[ ,;:]+){2}\b[A-Za-z]{2,}\b", text)
        assert not [r for r in runs if not set(r.replace(",", " ").split()) <= kept], f"English left in {text!r}: {runs}"
        assert len(words) <= 3, f"English words in {text!r}: {words}"
    # the numbers of the definitions follow the locale: a decimal comma
    assert "0,2" in greek.text() and "0.2" not in greek.text()
    # every definition of the English glossary is gone
    for item in re.findall(r"<li>(.*?)</li>", english.text()):
        definition = re.sub(r"<[^>]+>", "", item).split(": ", 1)[1]
        assert definition[:40] not in greek.text()


def test_the_framework_table_names_its_columns_in_the_reports_language_when_given_the_context():
    import pandas as pd

    results = importlib.import_module("pipeline.report.sections.results")
    rows = pd.DataFrame(
        {
            "kirkpatrick_level": ["learning"],
            "indicator_id": ["x"],
            "label": ["Change in knowledge"],
            "unit": ["points"],
            "group_by": ["consortium"],
            "group": ["all"],
            "suppressed": [False],
            "suppression": [""],
            "value": [0.5],
            "value_ci_low": [0.25],
            "value_ci_high": [0.75],
            "n": [1],
            "n_unit": ["people"],
            "effect_size": [0.5],
            "effect_size_ci_low": [0.25],
            "effect_size_ci_high": [0.75],
            "target": [0.3],
            "status": ["achieved"],
        }
    )

    class Ctx:
        def text(self, source, entry, field, default=""):
            return {"name": "Variazione delle conoscenze", "unit": "punti"}[field]

    with i18n.using("it"):
        italian = results.framework_table(rows, 5, ctx=Ctx(), drop=("Group", "Status"))
        english_names = results.framework_table(rows, 5)  # an older caller drops by English names
    assert list(italian.columns) == ["Livello", "Indicatore", "Unità", "Valore [IC 95%]", "n", "d_z [IC 95%]", "Valore obiettivo"]
    row = italian.iloc[0]
    assert row["Indicatore"] == "Variazione delle conoscenze" and row["Unità"] == "punti"
    assert row["Valore [IC 95%]"] == "0,50 [0,25; 0,75]" and row["n"].startswith("1 ")
    assert list(english_names.drop(columns=["Group", "Target", "Status"]).columns) == ["Level", "Indicator", "Unit", "Value [95% CI]", "n", "d_z [95% CI]"]
