"""The attitude sections and the narrative in the report's language: Italian numbers and
intervals in a change sentence, plural forms by count, the English texts of
``indicators.csv`` read back exactly, and no English sentence left in the pseudo-locale."""

from __future__ import annotations

import re

import pytest

from pipeline import i18n
from pipeline.report import narrative
from pipeline.report.context import load_context
from pipeline.report.sections import attitudes
from pipeline.report.sections import base as sections_base
from pipeline.report.sections import tests as tests_section
from tests.report.sections.conftest import three_waves

#: The consortium's change in attitudes on the example (indicators.csv): 5.55 -> 6.11,
#: +0.56 [0.49, 0.64], d_z 0.49 [0.42, 0.56], 886 pairs.
ROW = {
    "label": "Attitudes towards refugees and migrants",
    "n_paired": 886,
    "mean_pre": 5.55,
    "mean_post": 6.11,
    "mean_change": 0.56,
    "ci_low": 0.49,
    "ci_high": 0.64,
    "confidence": 0.95,
    "effect_size": 0.49,
    "effect_size_ci_low": 0.42,
    "effect_size_ci_high": 0.56,
    "suppressed": False,
}

#: Runs of three or more plain English words (as /work/notes/find_english.py finds them).
ENGLISH_RUN = re.compile(r"\b[A-Za-z][a-z']+(?:[ ,;:()-]+[A-Za-z][a-z']+){2,}")


@pytest.fixture(autouse=True)
def _english_after():
    yield
    i18n.activate("en")


@pytest.fixture(scope="module")
def ctx(sections_build):
    return load_context(sections_build)


def test_english_change_sentence_reads_as_before():
    text = narrative.change_sentence(ROW, "mean of four 0-10 ratings (10 = most positive)")
    assert text == (
        "- **Attitudes towards refugees and migrants** (mean of four 0-10 ratings (10 = most positive)) rose: from 5.55 to 6.11 "
        "among the 886 people who answered both surveys; change +0.56 (95% CI 0.49 to 0.64), effect size d_z = 0.49 (95% CI 0.42 to 0.56)."
    )


def test_italian_change_sentence_has_decimal_commas_and_the_italian_interval():
    with i18n.using("it"):
        text = narrative.change_sentence({**ROW, "label": "Atteggiamenti verso rifugiati e migranti"})
    assert "[0,49; 0,64]" in text and "+0,56" in text and "da 5,55 a 6,11" in text and "[0,42; 0,56]" in text
    assert "886 persone" in text and "IC 95%" in text
    assert not re.search(r"\d\.\d", text), text  # no decimal point left
    assert "people" not in text and "CI" not in text.replace("IC", "")


def test_italian_difference_in_differences_sentence_and_cells():
    r = {
        "label": "Conoscenza interculturale",
        "suppressed": False,
        "mean_change": 0.43,
        "ci_low": 0.32,
        "ci_high": 0.53,
        "change_participants": 0.51,
        "change_comparison": 0.09,
        "n_paired": 412,
        "n_comparison": 178,
        "effect_size": 0.70,
        "note": "partners with a comparison group: ES-VAL, GR-THE (2 of 5 partners; the participants compared are theirs only)",
    }
    with i18n.using("it"):
        text = attitudes._did_sentence(r, 5)
    assert "i punteggi dei partecipanti sono aumentati di 0,51" in text and "quelli del gruppo di confronto sono aumentati di 0,09" in text
    assert "IC 95% [+0,32; +0,53]" in text and "412 partecipanti" in text and "178 nel gruppo di confronto" in text
    assert "ES-VAL, GR-THE (2 su 5 partner)" in text
    english = attitudes._did_sentence(r, 5)
    assert "(difference +0.43, 95% CI +0.32 to +0.53; 412 participants, 178 in the comparison group; g_change = 0.70)." in english
    assert english.endswith("Comparison group from ES-VAL, GR-THE (2 of 5 partners): the difference describes their participants only.")


@pytest.mark.parametrize("language", ["en", "it", "el", "de"])
def test_one_and_two_take_their_plural_forms(language):
    with i18n.using(language):
        one = narrative.change_sentence({**ROW, "n_paired": 1})
        two = narrative.change_sentence({**ROW, "n_paired": 2})
        point, points = tests_section._points(0.01, ""), tests_section._points(0.02, "")
        participant = attitudes._did_sentence(
            {
                "label": "x",
                "suppressed": False,
                "mean_change": 0.1,
                "ci_low": -0.1,
                "ci_high": 0.3,
                "change_participants": 0.2,
                "change_comparison": 0.1,
                "n_paired": 1,
                "n_comparison": 2,
                "effect_size": 0.1,
                "note": "",
            },
            5,
        )
    expected = {
        "en": ("1 person who answered", "2 people who answered", "+1 point", "+2 points", "1 participant,"),
        "it": ("1 persona che ha risposto", "2 persone che hanno risposto", "+1 punto percentuale", "+2 punti percentuali", "1 partecipante,"),
        "el": ("1 άτομο που απάντησε", "2 άτομα που απάντησαν", "+1 ποσοστιαία μονάδα", "+2 ποσοστιαίες μονάδες", "1 συμμετέχων,"),
        "de": ("1 Person, die beide Befragungen beantwortet hat", "2 Personen, die beide Befragungen beantwortet haben", "+1 Prozentpunkt", "+2 Prozentpunkte", "1 teilnehmende Person,"),
    }[language]
    assert expected[0] in one and expected[1] in two
    assert point == expected[2] and points == expected[3]
    assert expected[4] in participant


def test_the_english_texts_of_indicators_csv_read_back_exactly():
    """The report writes the family of a test and the reliable-change method from the catalogue;
    in English it must read exactly as the analyse stage wrote it (else the form changed there)."""
    from pipeline.analysis.indicators import _rc_method
    from pipeline.instruments.codebook import Scale

    scale = Scale(id="attitudes", label={"en": "Attitudes"}, items=("a", "b"), min_answered=0.5, range=(0, 10), reliability=0.85)
    methods = [_rc_method(scale, 0.9199, "pre", 0.9), _rc_method(scale, 0.269, "pre", 0.61), _rc_method(scale, 1.2, "pre", None)]
    no_nominal = _rc_method(Scale(id="x", label={"en": "X"}, items=("a", "b"), min_answered=0.5, range=(1, 5)), 0.5578, "pre", 0.83)
    for method in [*methods, no_nominal]:
        body = method.split(": ", 1)[1]
        assert tests_section._rc_method_text(body) == body
        with i18n.using("it"):
            italian = tests_section._rc_method_text(body)
        assert italian != body and "1,96" in italian and not re.search(r"\d\.\d", italian), italian
    family = "community_attitudes paired_change pre -> post tests by consortium (4 tests)"
    assert tests_section._family_text(family) == family
    with i18n.using("it"):
        assert tests_section._family_text(family) == "community_attitudes paired_change pre -> post, test per consorzio (4 test)"
    assert tests_section._family_text("something else") == "something else"


def _sentences(section) -> str:
    """The Markdown a section writes and the captions of its tables (the tables' own headers
    and cells are written by pipeline.report.tables)."""
    out = []
    for part in section.parts:
        if hasattr(part, "savefig"):
            continue
        data = str(getattr(part, "data", part))
        if data.lstrip().startswith("<"):
            out += re.findall(r"<caption>(.*?)</caption>", data)
        else:
            out.append(data)
    return "\n".join(out)


@pytest.mark.parametrize("partner", ["", "GR-THE"])
def test_pseudo_locale_leaves_no_english_sentence_in_the_attitude_sections(ctx, partner):
    import matplotlib.pyplot as plt

    with i18n.using(i18n.PSEUDO):
        mine = type(ctx)(**{**ctx.__dict__, "language": i18n.PSEUDO, "partner": partner})
        sections = [f(mine) for f in (attitudes.attitude_change, attitudes.change_by_partner, attitudes.comparison_group, tests_section.tests_and_individual_change, tests_section.yes_no_items)]
        charts = [sections_base.figures.title_of(p) for s in sections for p in s.parts if hasattr(p, "savefig")]
        texts = [_sentences(s) for s in sections] + [narrative.design_limits(), i18n._(narrative.DESIGN_LIMITS), narrative.title_page(mine)]
        # the helpers of sections/base.py write their own words ("hidden (fewer than 5 people)", "Consortium")
        theirs = [sections_base._hidden({"suppression": s}, ctx.min_cell) for s in ("primary", "secondary")]
        plt.close("all")
    assert all(s.available for s in sections)
    assert i18n.pseudo("Effect sizes by scale and partner (participants, paired)") in charts
    text = "\n".join(texts)
    for words in [*theirs, *(p.name for p in ctx.consortium.partners)]:  # and partners' names are data
        text = text.replace(words, "")
    # what the sections write came from the catalogue: the comparison group, the tests, McNemar
    assert i18n.pseudo("The results before and after above describe **participants only**.") in text
    assert i18n.pseudo("McNemar's test looks only at the people who changed their answer: {methods}.").split("{methods}")[0] in text
    runs = sorted({m.group(0) for m in ENGLISH_RUN.finditer(text)})
    assert runs == [], runs
    # the same sections in English are English
    english = _sentences(attitudes.comparison_group(ctx))
    assert ENGLISH_RUN.search(english)


def test_pseudo_locale_leaves_no_english_in_the_later_waves(ctx):
    """A third survey of the same people: the later waves' paragraphs, tables' captions, the
    difference in differences of each later pair, in the catalogue's words."""

    import matplotlib.pyplot as plt

    three, cb3 = three_waves(ctx)
    english = _sentences(attitudes.change_by_partner(three)) + _sentences(attitudes.comparison_group(three, cb3))
    assert "#### Later waves" in english and "**Later waves.**" in english
    with i18n.using(i18n.PSEUDO):
        text = _sentences(attitudes.change_by_partner(three)) + _sentences(attitudes.comparison_group(three, cb3))
        theirs = [sections_base._hidden({"suppression": s}, ctx.min_cell) for s in ("primary", "secondary")]
        heading = i18n.pseudo("Later waves")
    plt.close("all")
    assert f"#### {heading}" in text and i18n.pseudo("Three months later") in text
    for words in theirs:
        text = text.replace(words, "")
    runs = sorted({m.group(0) for m in ENGLISH_RUN.finditer(text)})
    assert runs == [], runs
