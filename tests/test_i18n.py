"""The languages of the reports: catalogues complete, numbers and dates per locale, the
pseudo-locale, data texts with their English fallback.

Expected number formats are Babel's documented examples and CLDR's data as published in
the issue (Italian and German "0,56 [0,49; 0,64]"), not values printed by our code.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline import i18n, translations
from pipeline.report import format as fmt


@pytest.fixture(autouse=True)
def _english_after():
    yield
    i18n.activate("en")


def test_every_text_of_the_code_is_translated_in_every_shipped_language():
    problems = translations.check()
    assert problems == [], "\n".join(problems[:40]) + f"\n... {len(problems)} problems: run make translations and translate"


def test_the_check_finds_a_missing_and_a_wrongly_placed_translation(tmp_path, monkeypatch):
    # a catalogue with one text untranslated and one translation that drops a placeholder
    from babel.messages.catalog import Catalog

    monkeypatch.setattr(translations, "LOCALE_DIR", tmp_path)
    monkeypatch.setattr(translations, "ROOT", tmp_path)
    template = Catalog(locale="it")
    template.add("Contents", "")
    template.add("{n} of {total} partners", "{n} partner")
    template.add("Stale text", "Testo vecchio")
    path = tmp_path / "it" / "LC_MESSAGES" / "pipeline.po"
    translations._write_po(template, path)
    monkeypatch.setattr(translations, "po_path", lambda language: tmp_path / language / "LC_MESSAGES" / "pipeline.po")
    fake = Catalog()
    fake.add("Contents")
    fake.add("{n} of {total} partners")
    fake.add("New text")
    monkeypatch.setattr(translations, "extract", lambda: fake)
    problems = "\n".join(translations.check(["it"]))
    assert "'Contents' is not translated" in problems
    assert "placeholders ['n']" in problems
    assert "'New text' is in the code but not in" in problems
    assert "'Stale text' is no longer in the code" in problems
    assert "is not compiled" in problems


def test_the_check_finds_one_text_used_with_and_without_a_plural(tmp_path, monkeypatch):
    # Babel keeps one entry per English text: "partner" as a plural and as a header would
    # share one translation, and one of the two would read wrong
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text('_("partner")\nngettext("partner", "partners", n)\npgettext("header", "theme")\nngettext("theme", "themes", n)\n', encoding="utf-8")
    monkeypatch.setattr(translations, "ROOT", tmp_path)
    monkeypatch.setattr(translations, "SOURCES", ("pkg",))
    clashes = translations.extract().clashes
    assert len(clashes) == 1 and "'partner' is used with and without a plural form (pkg/a.py)" in clashes[0]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "0.56 [0.49, 0.64]"),
        ("it", "0,56 [0,49; 0,64]"),  # the example
        ("de", "0,56 [0,49; 0,64]"),
        ("es", "0,56 [0,49; 0,64]"),
        ("pt", "0,56 [0,49; 0,64]"),
        ("el", "0,56 [0,49; 0,64]"),
    ],
)
def test_a_value_and_its_interval_follow_the_locale(language, expected):
    i18n.activate(language)
    assert fmt.with_interval(0.5634, 0.4880, 0.6390) == expected


def test_numbers_follow_babels_documented_examples():
    # Babel's documentation: format_decimal(12345, locale='de_DE') == '12.345',
    # format_decimal(1.2346, locale='en_US') == '1.235'; format_percent(0.34, locale='en_US') == '34%'
    i18n.activate("de")
    assert fmt.count(12345) == "12.345"
    assert fmt.num(1.2346, 3) == "1,235"
    assert fmt.pct(0.25) == "25\u00a0%"  # CLDR de: "#,##0 %" with a no-break space
    i18n.activate("en")
    assert fmt.num(1.2346, 3) == "1.235"
    assert fmt.pct(0.34) == "34%"
    assert fmt.count(12345) == "12,345"
    i18n.activate("pt")  # European Portuguese groups with a space (Lisbon is the partner)
    assert fmt.count(1513) == "1\u00a0513"
    i18n.activate("it")
    assert fmt.p_value(0.0004) == "< 0,001"
    assert fmt.num(-0.004) == "0,00"  # never "-0,00"
    assert fmt.num(0.5, signed=True) == "+0,50"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "2 December 2026"), ("it", "2 dicembre 2026"), ("de", "2. Dezember 2026"), ("es", "2 de diciembre de 2026"), ("pt", "2 de dezembro de 2026"), ("el", "2 Δεκεμβρίου 2026")],
)
def test_dates_follow_the_locale(language, expected):
    i18n.activate(language)
    assert fmt.date(dt.date(2026, 12, 2)) == expected
    assert fmt.date("2026-12-02") == expected


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), st.integers(min_value=0, max_value=3), st.booleans())
def test_english_numbers_read_as_they_did_before_the_catalogues(x, digits, signed):
    # the English reports did not change when numbers went through Babel
    i18n.activate("en")
    x0 = float(x) + 0.0
    if round(x0, digits) == 0:
        x0 = 0.0
    assert fmt.num(x, digits, signed) == (f"{x0:+.{digits}f}" if signed else f"{x0:.{digits}f}")


def test_country_and_language_names_come_from_cldr():
    i18n.activate("it")
    assert i18n.territory("GR") == "Grecia"
    i18n.activate("el")
    assert i18n.territory("DE") == "Γερμανία"
    assert i18n.territory("XX", default="Nowhere") == "Nowhere"


def test_a_data_text_falls_back_to_english_and_is_listed():
    i18n.clear_missing()
    i18n.activate("de")
    assert i18n.localized({"en": "Before", "de": "Vorher"}) == "Vorher"
    assert i18n.localized({"en": "After", "it": "Dopo"}, "codebook x: wave post") == "After"
    assert ("de", "codebook x: wave post") in i18n.missing()
    assert i18n.localized("Written once") == "Written once"


def test_plurals_follow_each_languages_rule():
    # Greek and German have two forms; the catalogue's Plural-Forms header is compiled in
    for language in i18n.SHIPPED:
        cat = i18n.catalogue(language)
        assert cat.ngettext("x", "y", 1) == "x"  # untranslated texts stay English, by count
        assert cat.ngettext("x", "y", 2) == "y"
        assert cat.info().get("plural-forms"), f"{language}: no plural rule in the compiled catalogue"


@given(st.lists(st.sampled_from(["abc", " ", "XYZ", "{n}", "{total}", "n", "d_z", "<b>", "</b>", "**", "_", ".", ",", ":", "-", "/", "&amp;", "[a](http://x)"]), max_size=12).map("".join))
def test_the_pseudo_locale_keeps_placeholders_and_markup(text):
    out = i18n.pseudo(text)
    assert re.findall(r"\{[^{}]*\}", out) == re.findall(r"\{[^{}]*\}", text)
    assert re.findall(r"<[^<>]*>", out) == re.findall(r"<[^<>]*>", text)


def test_the_pseudo_locale_is_longer_and_unmistakable():
    i18n.activate(i18n.PSEUDO)
    text = i18n._("Results at a glance: {n} of {total} partners")
    assert "{n}" in text and "{total}" in text
    assert not re.search(r"[A-Za-z]{4,}", text.replace("{total}", "")), text  # no English word left
    letters = sum(c.isalpha() for c in "Results at a glance: of partners")
    assert len(text) >= len("Results at a glance: {n} of {total} partners") + 0.4 * letters - 1
    assert fmt.num(0.5) == "0.50"  # numbers in English conventions


def test_an_unknown_language_is_refused_with_the_languages_there_are():
    with pytest.raises(ValueError, match="reports can be written in en, el, it, es, de, pt"):
        i18n.activate("tlh")
