"""Codes shown as words and units of counts in the report's language (fmt.words, fmt.unit,
pipeline.report.vocabulary), and the analysis stage's notes written again from their
translated templates.

Expected words are the translations the catalogue was given (pipeline/locale/<lang>/LC_MESSAGES/pipeline.po),
written out here by hand; plural forms follow CLDR's rules (Italian and German: "one" for
1 only, "other" for 2 and 5).
"""

from __future__ import annotations

import pytest

from pipeline import i18n
from pipeline.analysis import notes
from pipeline.report import format as fmt
from pipeline.report import vocabulary


@pytest.fixture(autouse=True)
def _english_after():
    yield
    i18n.activate("en")


@pytest.mark.parametrize(
    ("code", "english"),
    [
        ("public_authority", "public authority"),
        ("on track", "on track"),
        ("no_data", "no data"),
        ("ngo", "ngo"),
        ("learning", "learning"),
        ("design_and_implementation", "design and implementation"),
        ("an_unknown_code", "an unknown code"),
    ],
)
def test_english_words_are_the_codes_with_spaces_as_before(code, english):
    i18n.activate("en")
    assert fmt.words(code) == english


@pytest.mark.parametrize(
    ("n", "code", "english"),
    [
        (1, "activities", "activity"),
        (2, "activities", "activities"),
        (1, "people", "person"),
        (5, "people", "people"),
        (1, "organisations", "organisation"),
        (1.0, "ties", "tie"),
        (7, "ties", "ties"),
        (None, "events", "events"),
    ],
)
def test_english_units_read_as_before(n, code, english):
    i18n.activate("en")
    assert fmt.unit(n, code) == english


@pytest.mark.parametrize(
    ("language", "code", "word"),
    [
        ("it", "on_track", "in linea"),
        ("it", "off track", "non in linea"),
        ("it", "public_authority", "ente pubblico"),
        ("it", "learning", "apprendimento"),
        ("it", "ngo", "ONG"),
        ("it", "achieved", "raggiunto"),
        ("de", "on_track", "im Plan"),
        ("de", "public_authority", "Behörde"),
        ("de", "learning", "Lernen"),
        ("de", "no_data", "keine Daten"),
        ("de", "effectiveness", "Effektivität"),
        ("de", "follow_up", "Nachbefragung"),
    ],
)
def test_words_in_italian_and_german(language, code, word):
    i18n.activate(language)
    assert fmt.words(code) == word


def test_a_code_the_vocabulary_does_not_know_reads_as_written():
    i18n.activate("it")
    assert fmt.words("some_new_code") == "some new code"
    assert fmt.words(None) == fmt.DASH


@pytest.mark.parametrize(
    ("language", "code", "forms"),
    [
        ("it", "activities", ("1 attività", "2 attività", "5 attività")),
        ("it", "people", ("1 persona", "2 persone", "5 persone")),
        ("it", "organisations", ("1 organizzazione", "2 organizzazioni", "5 organizzazioni")),
        ("it", "ties", ("1 legame", "2 legami", "5 legami")),
        ("de", "activities", ("1 Aktivität", "2 Aktivitäten", "5 Aktivitäten")),
        ("de", "people", ("1 Person", "2 Personen", "5 Personen")),
        ("de", "organisations", ("1 Organisation", "2 Organisationen", "5 Organisationen")),
        ("de", "events", ("1 Veranstaltung", "2 Veranstaltungen", "5 Veranstaltungen")),
    ],
)
def test_units_follow_the_plural_rule_of_italian_and_german(language, code, forms):
    i18n.activate(language)
    assert tuple(f"{fmt.count(n)} {fmt.unit(n, code)}" for n in (1, 2, 5)) == forms


def test_a_fraction_of_a_unit_is_plural_and_a_thousand_is_written_in_the_languages_digits():
    i18n.activate("de")
    assert fmt.unit(1.5, "people") == "Personen"
    assert f"{fmt.count(1513)} {fmt.unit(1513, 'people')}" == "1.513 Personen"


def test_every_note_template_is_found_again_with_its_values():
    values = {
        "instrument": "staff_training",
        "k": 19,
        "n": 20,
        "raters": 33,
        "first": "baseline",
        "last": "endline",
        "reason": "no complete pairs",
        "shares": "improved, worsened",
        "counts": "n_pre and n_post",
        "partners": "ES-VAL, GR-THE",
        "estimate": "+0.563",
        "threshold": 0.2,
    }
    for template in notes.TEMPLATES:
        written = template.format(**values)
        found = notes.parse(written)
        assert found is not None and found[0] == template, written
        assert found[1] == {k: str(values[k]) for k in found[1]}


def test_notes_are_unchanged_in_english_and_rewritten_in_italian():
    written = "; ".join(
        [
            notes.RC_HIDDEN_REVEAL.format(shares="improved, unchanged", k=5),
            notes.ORGANISATIONS_CHANGED.format(n=5, first="baseline", last="endline"),
            "a note the pipeline never wrote",
        ]
    )
    i18n.activate("en")
    assert vocabulary.note(written) == written
    i18n.activate("it")
    assert vocabulary.note(written) == (
        "quote di cambiamento affidabile migliorati, invariati nascoste (meno di 5 persone, o rivelerebbero un tale gruppo); "
        "organizzazioni valutate alla rilevazione iniziale e alla rilevazione finale: 5; a livello di organizzazione, nessuna inferenza (n piccolo); "
        "a note the pipeline never wrote"
    )
    assert vocabulary.note(notes.ATTENDANCES.format(k=1513, n=2000)) == "1.513 su 2.000 presenze previste"
    assert vocabulary.note(notes.RC_NOT_COMPUTED.format(reason=notes.NO_COMPLETE_PAIRS)) == "cambiamento affidabile non calcolato: nessuna coppia completa"
    # decimals as the analysis wrote them read with the language's decimal comma; partner codes stay
    pooled = "; ".join([notes.PARTNERS_COMBINED.format(partners="DE-LEI, ES-VAL"), notes.POOLED_ESTIMATE.format(estimate="+0.563")])
    assert vocabulary.note(pooled) == "partner combinati: DE-LEI, ES-VAL; stima aggregata del consorzio (persone considerate indipendenti): +0,563"
    i18n.activate("de")
    assert vocabulary.note(notes.ATTRITION_FLAG.format(threshold=0.2)) == "|SMD| über 0,2"
    assert vocabulary.note("paired t-test") == "gepaarter t-Test"
