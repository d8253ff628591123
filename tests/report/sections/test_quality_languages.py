"""The annex's quality, privacy and methods sections in the partners' languages: German
headers and decimal commas, Greek privacy text, and no English sentence left in the
pseudo-locale (every text the sections write goes through the catalogue)."""

from __future__ import annotations

import dataclasses
import re

import pandas as pd
import pytest

from pipeline import i18n, stats
from pipeline.report import format as fmt
from pipeline.report import sections
from pipeline.report.context import load_context
from pipeline.report.sections.methods import published_text
from pipeline.schema import REASON_TEXT, Files

#: The sections of this area, as the consortium report calls them.
SECTIONS = ("data_quality", "privacy_section", "measurement_quality", "code_matching", "methods", "provenance", "methods_appendix")
#: Three or more plain (unaccented) English words in a row: a sentence that escaped the catalogue.
ENGLISH_RUN = re.compile(r"\b[A-Za-z][a-z']+(?:[ ,;:()-]+[A-Za-z][a-z']+){2,}")


@pytest.fixture(scope="module")
def ctx(sections_build):
    return load_context(sections_build)


@pytest.fixture(scope="module")
def codebook(ctx):
    return ctx.codebooks["community_attitudes"]


@pytest.fixture(autouse=True)
def _english_after():
    yield
    i18n.activate("en")


def _text(ctx, name: str, language: str) -> str:
    with i18n.using(language):
        return getattr(sections, name)(ctx).text()


def test_german_reliability_table_has_german_headers_and_decimal_commas(ctx, codebook):
    text = _text(ctx, "measurement_quality", "de")
    assert text.startswith("Messqualität: Reliabilität und Ausfall (Attrition)")
    assert "| Skala | Befragung | n | Items | Alpha [95-%-KI] | Omega | Alpha | Schwächstes Item (r) | Sprachfassungen |" in text
    assert "| Skala | Population | Wo | Geblieben (n) | Ausgeschieden (n) |" in text
    rel = pd.read_csv(ctx.build_dir / Files.RELIABILITY)
    row = rel.loc[(rel["instrument"] == codebook.instrument) & (rel["group_by"] == "all")].iloc[0]
    # the alpha and its Feldt interval as German writes them: decimal comma, ends separated by a semicolon
    alpha = f"{row['alpha']:.2f}".replace(".", ",")
    low, high = (f"{row[c]:.2f}".replace(".", ",") for c in ("alpha_ci_low", "alpha_ci_high"))
    assert f"| {alpha} [{low}; {high}] |" in text
    assert "unter 0,70" in text or "Keine Skala liegt unter 0,70." in text
    # n of a thousand or more with the German thousands separator, never "1,149" or "1149"
    big = rel.loc[rel["n"] >= 1000, "n"]
    for n in big:
        assert f"{int(n):,}".replace(",", ".") in text
    assert not re.search(r"\d\.\d\d\b(?![.\d])", text.replace("reliability.csv", "").replace("attrition.csv", "")), "a decimal point in a German table"


def test_german_data_quality_names_reasons_and_headers_in_german(ctx):
    from bs4 import BeautifulSoup

    text = _text(ctx, "data_quality", "de")
    tables = {t.find("caption").get_text(strip=True): t for t in BeautifulSoup(text, "html.parser").find_all("table") if t.find("caption")}
    by_reason = tables["Zeilen in Quarantäne nach Datei und Grund"]
    assert [th.get_text(strip=True) for th in by_reason.find_all("th")] == ["Quelldatei", "Grund", "Bedeutung", "Zeilen"]
    rows = [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in by_reason.find_all("tr")[1:]]
    with i18n.using("de"):
        meanings = {code: i18n._(text) for code, text in REASON_TEXT.items()}
    for file_, reason, meaning, n in rows:
        assert meaning == meanings[reason] and meaning != REASON_TEXT[reason], reason  # translated, not the English sentence
    # the quarantined rows per reason are the published counts, whatever the language
    public = ctx.quarantine.groupby(["source_file", "reason"], sort=True)["source_row"].nunique()
    assert [r[-1] for r in rows] == [str(v) for v in public]
    assert "Gelesene Zeilen = behaltene Zeilen + Zeilen in Quarantäne, pro Datei" in tables
    assert "weniger als 5" in text and "Keine veröffentlichte Zahl beschreibt weniger als 5 Personen." in text


def test_german_methods_appendix_translates_the_registry_and_keeps_references(ctx):
    import html

    text = _text(ctx, "methods_appendix", "de")
    assert text.startswith("Methodenanhang")
    assert "Adjustierung der p-Werte für eine Familie von Indikatoren" in text
    # the adjustment's notes are two marked texts (the family's definition and a sentence): both translated
    assert "p-Werte werden innerhalb von Familien mit dem Holm-Verfahren" in text and "m zählt nur die nicht fehlenden p-Werte" in text
    assert stats.FAMILY_DEFINITION not in html.unescape(text)
    # formulas keep their notation, their words are German
    assert "d_z = mean(diff) / sd(diff), KI aus der nichtzentralen t-Verteilung (ncp-Grenzen / sqrt(n))" in text
    for key in ("paired_change", "cronbach_alpha"):
        assert html.escape(stats.METHODS[key]["reference"]) in text  # references as published
        assert html.escape(stats.METHODS[key]["name"]) not in text
    with i18n.using("de"):
        assert published_text("A text no catalogue has. Another one.") == "A text no catalogue has. Another one."


def test_greek_privacy_text(ctx):
    text = _text(ctx, "privacy_section", "el")
    assert text.startswith("Ιδιωτικότητα")
    assert "Τα προσωπικά δεδομένα των ερωτώμενων δεν φτάνουν ποτέ σε αυτή την έκθεση ή στους πίνακές της." in text
    assert "Κανένας αριθμός σε αυτή την έκθεση ή στους πίνακές της δεν περιγράφει λιγότερα από 5 άτομα, άμεσα ή με αφαίρεση:" in text
    assert "HMAC-SHA256" in text and "Respondents' personal data" not in text and "fewer than" not in text
    # the survey's title in Greek (the codebook's translation), and the table of crossed fields with Greek headers
    with i18n.using("el"):
        title = i18n.localized(ctx.codebooks["community_attitudes"].title)
    assert title != ctx.codebooks["community_attitudes"].title["en"]
    assert f"*{fmt.text(title)}*: ο συνδυασμός των πεδίων ομαδοποίησης" in text
    assert "<th>Πεδία που συνδυάζονται</th>" in text and "<th>Ομάδες με λιγότερα από 5</th>" in text
    # Greek writes the semicolon as a question mark: lists use the upper stop
    assert "; " not in text.split("Κατά την ανάγνωση των εξαγωγών:", 1)[1].split("Οι αριθμοί συμμετεχόντων", 1)[0]


def test_a_run_note_on_deidentification_reads_in_the_report_language(ctx):
    notes = [
        "community_attitudes_pre.csv: 3 answer(s) to 'liked_most' held e-mail addresses or phone numbers; they were removed",
        "community_attitudes_pre.csv: 1 birth date(s) in 'birth_date' became age groups in 'age_group' and were dropped",
    ]
    other = dataclasses.replace(ctx, run={**ctx.run, "warnings": notes})
    english = sections.privacy_section(other).text()
    assert all(n in english for n in notes)  # English reads exactly as the run wrote it
    with i18n.using("de"):
        german = sections.privacy_section(other).text()
    assert "community_attitudes_pre.csv: 3 Antworten auf 'liked_most' enthielten E-Mail-Adressen oder Telefonnummern; sie wurden entfernt" in german
    assert "1 Geburtsdatum in 'birth_date' wurde zu einer Altersgruppe in 'age_group' und dann gelöscht" in german


def _data_texts(ctx) -> list[str]:
    """Texts from the data (labels, titles, ids, file names, the references of the published
    methods table): they may stay English in any language."""
    out = []
    for cb in ctx.codebooks.values():
        out += [str(v) for v in cb.title.values()]
        for f in cb.fields:
            out += [str(v) for v in (f.label or {}).values()]
            for labels in (f.choice_labels or {}).values():
                out += [str(v) for v in labels.values()]
        out += [str(v) for sc in cb.scales for v in sc.label.values()]
        out += [str(v) for it in cb.items for v in it.label.values()]
        out += [str(v) for w in cb.wave_labels.values() for v in w.values()]
    methods = pd.read_csv(ctx.build_dir / Files.METHODS)
    out += methods["reference"].tolist()
    return sorted({t for t in out if t}, key=len, reverse=True)


@pytest.mark.parametrize("name", SECTIONS)
def test_pseudo_locale_leaves_no_english_sentence(ctx, name):
    import html

    from pipeline.report import figures

    with i18n.using(i18n.PSEUDO):
        section = getattr(sections, name)(ctx)
        # a chart's title is this section's text; its caption is written by the chart (pipeline.report.figures)
        text = html.unescape("\n".join([section.title] + [figures.title_of(p) if hasattr(p, "savefig") else str(getattr(p, "data", p)) for p in section.parts]))
        data = [html.unescape(t) for t in _data_texts(ctx)]
        data += [i18n.pseudo(t) for t in data]
    with i18n.using("en"):
        english_rules = sections.methods(ctx).text().split("How the results framework's statuses are decided.", 1)
    if len(english_rules) == 2:  # the framework's status rules: the results section's text
        data.append(html.unescape(english_rules[1]).split("</ul>")[0])
    for t in data:
        text = text.replace(t, " ")
        text = text.replace(fmt.text(t), " ")
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"`[^`]*`|\S+\.(?:csv|yaml|json)\b", " ", text)  # code spans and file names
    # language codes of the questionnaire's versions ("ar, de, el") are codes, not words
    left = [run for run in ENGLISH_RUN.findall(text) if not all(len(w) <= 2 for w in re.findall(r"[A-Za-z']+", run))]
    assert left == [], f"{name}: English left in the pseudo-locale: {left[:10]}"
