"""The codebooks' labels in the partners' languages.

A report in Greek shows the item, answer, wave and scale labels of the codebooks in
Greek (``ctx.measure_label``, ``ctx.choice_label``, ``ctx.wave_label``); a label
missing in a language falls back to English and is listed by the run as a warning.
These tests hold the shipped codebooks complete, so the example's reports have none:
every label of every codebook the example uses is written in every shipped language,
and no translation is the English copied in as a placeholder.
"""

from __future__ import annotations

import pytest

from pipeline import i18n
from pipeline.config import EXAMPLE_DIR
from pipeline.i18n import SHIPPED, SOURCE_LANGUAGE
from pipeline.instruments.codebook import label_entries, load_codebook
from pipeline.instruments.registry import load_data_folder
from pipeline.instruments.yaml_io import read_yaml

#: A label longer than this many words is a sentence: its translation can never be the English.
SHORT = 3


def label_gaps(doc: dict, languages) -> list[str]:
    """What a codebook lacks for ``languages``: ``"<entry> [<lang>]: <problem>"`` per gap.

    A label written as plain text counts as English only. A translation equal to the
    English, for a label of more than :data:`SHORT` words, is a placeholder left by
    copy and paste ("Strongly agree" may well be "Strongly agree" nowhere but in English;
    "Local", "No" or "International" may be the same word in another language).
    """
    gaps = []
    declared = doc.get("languages") or [SOURCE_LANGUAGE]
    for lang in languages:
        if lang not in declared:
            gaps.append(f"languages [{lang}]: not declared in the codebook's languages {declared}")
    for entry, label in label_entries(doc):
        if label is None:
            continue
        texts = label if isinstance(label, dict) else {SOURCE_LANGUAGE: label}
        english = str(texts.get(SOURCE_LANGUAGE) or "").strip()
        for lang in languages:
            text = texts.get(lang)
            if text is None or not str(text).strip():
                gaps.append(f"{entry} [{lang}]: no label")
        for lang, text in texts.items():
            if lang != SOURCE_LANGUAGE and len(english.split()) > SHORT and str(text).strip() == english:
                gaps.append(f"{entry} [{lang}]: the English label copied in ({english!r})")
    return gaps


EXAMPLE_CODEBOOKS = {name: cb.path for name, cb in load_data_folder(EXAMPLE_DIR).codebooks.items()}


def test_the_example_uses_the_framework_instruments():
    # the parametrised test below would pass vacuously if the example named no codebook
    assert {"community_attitudes", "staff_training", "organisational_capacity", "partnership_network", "activity_register", "beneficiary_feedback", "voices"} <= set(EXAMPLE_CODEBOOKS)


@pytest.mark.parametrize("instrument", sorted(EXAMPLE_CODEBOOKS))
def test_every_label_is_written_in_every_shipped_language(instrument):
    path = EXAMPLE_CODEBOOKS[instrument]
    gaps = label_gaps(read_yaml(path), SHIPPED)
    assert not gaps, f"{path.name}: {len(gaps)} label(s) to translate:\n" + "\n".join(gaps)


class TestTheCheckFindsGaps:
    """The check above names the codebook's entry and the language of each gap."""

    DOC = {
        "instrument": "mini",
        "languages": ["en", "it"],
        "title": {"en": "A short survey", "it": "Un breve questionario"},
        "fields": [
            {"id": "gender", "label": {"en": "Gender"}, "choices": {"female": {"en": "Female", "it": "Donna"}}},
            {"id": "place", "label": "Where you live"},
        ],
        "items": [{"id": "q1", "label": {"en": "I know my rights here.", "it": "I know my rights here."}, "anchors": {1: {"en": "Local", "it": "Local"}}}],
    }

    def test_a_missing_translation_is_named_by_entry_and_language(self):
        gaps = label_gaps(self.DOC, ["it"])
        assert "fields[0] (gender).label [it]: no label" in gaps
        assert "fields[1] (place).label [it]: no label" in gaps  # plain text is English only
        assert not any(g.startswith("title") or ".choices.female" in g for g in gaps)

    def test_an_undeclared_language_is_named(self):
        assert "languages [de]: not declared in the codebook's languages ['en', 'it']" in label_gaps(self.DOC, ["de"])

    def test_a_copied_sentence_is_caught_and_a_short_word_is_not(self):
        gaps = label_gaps(self.DOC, ["it"])
        assert "items[0] (q1).label [it]: the English label copied in ('I know my rights here.')" in gaps
        assert not any("anchors" in g for g in gaps)


@pytest.mark.parametrize("language", SHIPPED)
def test_the_loaded_codebooks_give_every_label_in_the_report_language(language):
    # What ctx.measure_label / choice_label / wave_label read: the parsed codebooks, through
    # i18n.localized, which records every label it had to show in English.
    i18n.clear_missing()
    shown = []
    with i18n.using(language):
        for name, path in sorted(EXAMPLE_CODEBOOKS.items()):
            cb = load_codebook(path)
            labels = {"title": cb.title}
            labels.update({f"wave {w}": label for w, label in cb.wave_labels.items()})
            labels.update({f"scale {s.id}": s.label for s in cb.scales})
            for it in cb.items:
                labels[f"item {it.id}"] = it.label
                labels.update({f"item {it.id} = {code}": a for code, a in it.anchors.items()})
                labels.update({f"item {it.id} scale label {code}": a for code, a in it.response_scale.labels.items()})
            for f in cb.fields:
                labels.update({f"{f.name} = {code}": c for code, c in f.choice_labels.items()})
            labels.update({f"head count {h.id}": h.label for h in cb.headcounts})
            for what, label in labels.items():
                shown.append((name, what, i18n.localized(label, f"{name}: {what}"), label.get("en") if isinstance(label, dict) else label))
    missing = i18n.missing()
    i18n.clear_missing()
    assert not missing, f"shown in English in a {language} report: {missing}"
    assert len(shown) > 200  # every codebook's labels were looked at
    copied = [(n, w) for n, w, text, en in shown if en and len(str(en).split()) > SHORT and text == en]
    assert not copied, copied
