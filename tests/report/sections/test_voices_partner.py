"""Voices, activities against the plan, the partner report's opening, the results at a
glance (in English and Italian) and the training event's report, formatted from the
example's build folder."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.config import EXAMPLE_DIR
from pipeline.ingest.deidentify import NAME_MARK
from pipeline.report import sections
from pipeline.report.context import load_context
from pipeline.workflow import analyse, ingest


@pytest.fixture(scope="module")
def example_build(tmp_path_factory):
    build = tmp_path_factory.mktemp("voices") / "build"
    ingest(EXAMPLE_DIR, build)
    analyse(build)
    return build


def test_both_qualitative_results_show_the_logs_evidence(example_build):
    ctx = load_context(example_build)
    glance = sections.at_a_glance(ctx).text()
    counts = pd.read_csv(example_build / "voices.csv")
    for rid in ("E2", "E11"):
        n = int(counts.loc[(counts["result_id"] == rid) & (counts["group_by"] == "consortium"), "entries"].iloc[0])
        assert f"{n} stories and quotes in the evidence log" in glance
    assert "Not measurable by the surveys" not in glance


def test_the_italian_title_and_results_at_a_glance_read_in_italian_with_italian_numbers(example_build):
    ctx = load_context(example_build, partner="IT-PAL", language="it")
    try:
        title = sections.title(ctx)
        glance = sections.at_a_glance(ctx)
    finally:
        load_context(example_build)  # back to the registry's language (English)
    # the title: Italian words, the country in Italian (CLDR), dates in the Italian long form
    assert title.startswith("# Rapporto del partner: Comune di Palermo")
    assert "(IT-PAL, Italia)" in title and "1 gennaio 2025" in title and "31 dicembre 2026" in title
    assert "a confronto con l'intero consorzio di 5 partner" in title
    assert "Partner report" not in title and "January" not in title and "beside the whole consortium" not in title
    # results at a glance: Italian words, numbers with a decimal comma (written by hand here)
    table = pd.read_csv(example_build / "at_a_glance.csv")
    text = glance.text()
    assert glance.title == "I risultati in sintesi"
    assert f"I {len(table)} risultati attesi del progetto" in text and "Risultato atteso" in text and "1. Pertinenza" in text
    r = table.loc[table["result_id"] == "E5"].iloc[0]
    value, target = (f"{x:.2f}".replace(".", ",") for x in (r["value"], r["target"]))
    assert "," in value and f"{value} rispetto a un valore obiettivo di {target}" in text
    assert "against a target of" not in text and "expected results of the project" not in text and "Reason:" not in text


def test_voices_quote_only_consented_redacted_texts(example_build):
    ctx = load_context(example_build)
    text = sections.voices(ctx).text()
    raw = pd.read_csv(EXAMPLE_DIR / "voices.csv")
    declined = raw.loc[raw["consent"] == "no", "text"]
    quotes = pd.read_csv(example_build / "voice_quotes.csv")
    assert 2 <= len(quotes) <= 6 and quotes["text"].str.contains(NAME_MARK, regex=False).any()
    for q in quotes["text"]:
        assert q in text.replace("&#x27;", "'")
    for t in declined:  # without consent: counted, never shown (not even redacted)
        assert t not in text and t not in set(quotes["text"])
    for name in ("Kalamaria", "Ballarò", "Russafa", "Grünau", "Mouraria", "Ahmad", "Fatima"):
        assert name not in text and not quotes["text"].str.contains(name).any()


def test_activities_against_plan_name_what_did_not_go_as_planned(example_build):
    ctx = load_context(example_build)
    text = sections.activities_against_plan(ctx).text()
    plan = pd.read_csv(example_build / "activities_plan.csv")
    it = plan.loc[(plan["activity_type"] == "local_activity") & (plan["partner"] == "IT-PAL")].iloc[0]
    assert f"{it['held']} of {it['planned']} held" in text
    assert "3 of 4" in text  # Palermo missed a transnational meeting
    assert "Dissemination by level" in text and "European" in text


def test_a_partner_report_opens_with_the_partner_and_does_not_repeat_the_framework(example_build):
    ctx = load_context(example_build, partner="IT-PAL")
    opening = sections.partner_overview(ctx)
    assert opening.title.startswith("Comune di Palermo")
    text = opening.text()
    assert "3 of 4 transnational meetings" in text and "beside the consortium" in text
    assert "could not travel to the third transnational meeting" in text  # its reason
    assert "Its voices" in text
    consortium = sections.results_framework(load_context(example_build)).text()
    partner = sections.results_framework(ctx).text()
    assert len(partner) < len(consortium) / 10


def test_a_training_report_names_roles_domains_test_items_and_other_events(example_build):
    ctx = load_context(example_build)
    title = sections.training_title(ctx, "JSTE-2")
    assert "hosted by" in title and "Valencia" in title
    text = sections.training_event(ctx, "JSTE-2").text()
    assert "by role" in text and "Inclusive education methods" in text
    assert "non-refoulement" in text
    assert "JSTE-2 (this event)" in text and "JSTE-1" in text and "JSTE-3" in text
