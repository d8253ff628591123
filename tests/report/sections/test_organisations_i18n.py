"""The organisations' sections in the partners' languages: a Portuguese capacity section
with Portuguese words and Portuguese numbers, a training event's report titled in Greek,
and the English sections as they always read."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from pipeline import i18n
from pipeline.config import EXAMPLE_DIR
from pipeline.report import sections
from pipeline.report.context import load_context
from pipeline.workflow import analyse, ingest


@pytest.fixture(scope="module")
def example_build(tmp_path_factory):
    build = tmp_path_factory.mktemp("organisations_i18n") / "build"
    ingest(EXAMPLE_DIR, build)
    analyse(build)
    return build


@pytest.fixture(autouse=True)
def _english_after():
    yield
    i18n.activate("en")


def test_a_portuguese_capacity_section_reads_in_portuguese_with_portuguese_numbers(example_build):
    ctx = load_context(example_build, partner="PT-LIS", language="pt")
    section = sections.capacity(ctx)
    text = section.text()
    assert section.title == "Capacidade organizacional"
    assert "a pontuação de uma organização é a média dos seus avaliadores (os grupos com menos de 5 avaliadores são ocultados)" in text
    assert "Consórcio (média das organizações)" in text and "Capacidade por domínio" in text
    assert "<th>domínio</th>" in text and "<th>mudança</th>" in text
    # levels with a decimal comma, never a point, and no English sentence of the section left
    levels = re.findall(r"<td>(-?\d+[.,]\d\d)</td>", text)
    assert levels and all("," in v for v in levels)
    assert "Capacity self-assessment" not in text and "Consortium (mean" not in text


def test_the_portuguese_activities_section_counts_in_portuguese(example_build):
    ctx = load_context(example_build, partner="PT-LIS", language="pt")
    text = sections.activities(ctx).text()
    act = pd.read_parquet(example_build / "responses" / "activity_register.parquet")
    n = int((act["partner"].astype(str) == "PT-LIS").sum())
    assert f"{n} atividades em 1 país," in text  # one country: the singular
    assert "Participações por país" in text and "Portugal" in text
    assert "participations in all" not in text


def test_a_training_report_is_titled_in_greek(example_build):
    ctx = load_context(example_build, language="el")
    title = sections.training_title(ctx, "JSTE-2")
    assert title.startswith("# Έκθεση εκπαιδευτικής δράσης: ")
    assert "με διοργανωτή τον φορέα" in title and "Valencia" in title
    assert "Οκτωβρίου 2025" in title  # the register's dates in Greek
    assert "συμμετέχοντες στο μητρώο δραστηριοτήτων." in title
    assert "hosted by" not in title and "participants in the activity register" not in title
    event = sections.training_event(ctx, "JSTE-2")
    assert event.title == "Εκπαιδευτική δράση JSTE-2"
    assert "JSTE-2 (αυτή η δράση)" in event.text()


def test_the_english_training_title_and_sections_read_as_before(example_build):
    ctx = load_context(example_build, language="en")
    title = sections.training_title(ctx, "JSTE-2")
    assert re.search(r"hosted by .+ \(ES-VAL\) in Valencia, \d\d \w+ 2025 to \d\d \w+ 2025; partners attending: ", title)
    assert re.search(r"\. \d+ participants in the activity register\. This report shows", title)
    assert sections.networks(ctx).title == "Networks"
    assert "Ties by wave" in sections.networks(ctx).text()
