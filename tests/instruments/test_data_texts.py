"""The consortium's texts in several languages: the framework and the commentary accept
``{en: ..., it: ...}`` where they accept a text, keep English for the published tables,
and refuse a language reports cannot be written in or a mapping without English."""

from __future__ import annotations

import pytest
import yaml

from pipeline.analysis.framework import framework_texts, load_framework, parse_framework
from pipeline.config import EXAMPLE_DIR, SURVEYS_DIR
from pipeline.errors import CodebookError
from pipeline.i18n import SHIPPED
from pipeline.instruments.commentary import commentary_texts, load_commentary
from pipeline.instruments.registry import load_consortium
from pipeline.instruments.yaml_io import read_text, squeeze

RULES = {"once": {"kind": "threshold", "description": "x"}}
INDICATOR = {
    "id": "jstes",
    "name": "Joint staff training events held",
    "definition": "Number of JSTEs in the activity register.",
    "instrument": "activity_register",
    "formula": {"aggregation": "count_rows", "where": [{"column": "activity_type", "value": "jste"}]},
    "unit": "events",
    "target": 3,
    "status_rule": "once",
}


def parse(result: dict | None = None, **indicator):
    res = {"id": "R1", "result": "To inform the relevant staff", "indicators": [{**INDICATOR, **indicator}], **(result or {})}
    return parse_framework({"status_rules": RULES, "results": [res]}, "fw.yaml", (SURVEYS_DIR,))


def refused(**kwargs) -> str:
    with pytest.raises(CodebookError) as err:
        parse(**kwargs)
    return str(err.value)


class TestReadText:
    def test_a_plain_text_is_english(self):
        assert read_text("  Events held ", "f.yaml", "e", str.strip) == {"en": "Events held"}

    def test_a_mapping_keeps_every_language_english_first_each_cleaned_alike(self):
        got = read_text({"it": "Eventi\n realizzati ", "en": "Events\n held"}, "f.yaml", "e", squeeze)
        assert got == {"en": "Events held", "it": "Eventi realizzati"} and list(got) == ["en", "it"]

    @pytest.mark.parametrize("value", [{"en": "x", "it": None}, {"en": "x", "it": ""}, {"en": "x", "it": ["a"]}])
    def test_an_empty_language_is_named(self, value):
        with pytest.raises(CodebookError, match=r"f\.yaml: e\.it: expected the text in 'it'"):
            read_text(value, "f.yaml", "e")


class TestTheFramework:
    def test_plain_texts_load_as_before(self):
        ind = parse().indicators[0]
        assert (ind.name, ind.unit, ind.texts["name"]) == ("Joint staff training events held", "events", {"en": "Joint staff training events held"})

    def test_maps_give_english_to_the_tables_and_every_language_to_the_texts(self):
        fw = parse(
            result={"result": {"en": "To inform the relevant staff\n", "it": "Informare il personale interessato\n"}},
            name={"en": "Joint staff training events held", "el": "Κοινές εκπαιδεύσεις προσωπικού που πραγματοποιήθηκαν"},
            definition={"en": "Number of JSTEs\n in the register.", "de": "Anzahl der JSTEs\n im Register."},
            unit={"en": "events", "pt": "eventos"},
        )
        res, ind = fw.results[0], fw.indicators[0]
        assert (res.text, ind.name, ind.definition, ind.unit) == ("To inform the relevant staff", "Joint staff training events held", "Number of JSTEs in the register.", "events")
        rows = {(r["entry"], r["field"], r["language"]): r["text"] for r in framework_texts(fw)}
        assert rows[("R1", "result", "it")] == "Informare il personale interessato"
        assert rows[("jstes", "definition", "de")] == "Anzahl der JSTEs im Register."
        assert rows[("jstes", "name", "el")].startswith("Κοινές")
        assert rows[("jstes", "unit", "en")] == "events" and ("jstes", "unit", "it") not in rows
        assert {r["source"] for r in framework_texts(fw)} == {"framework"}

    def test_a_qualitative_result_takes_maps_for_its_reason_and_evidence(self):
        res = {"id": "Q", "type": "qualitative", "result": "r", "reason": {"en": "Why not.\n", "es": "Por qué no.\n"}, "evidence": {"en": "Cases.", "es": "Casos."}}
        fw = parse_framework({"status_rules": RULES, "results": [res, {"id": "R1", "result": "r", "indicators": [INDICATOR]}]}, "fw.yaml", (SURVEYS_DIR,))
        assert (fw.results[0].reason, fw.results[0].evidence) == ("Why not.", "Cases.")
        assert fw.results[0].texts["reason"]["es"] == "Por qué no."

    def test_an_unknown_language_is_refused_naming_file_entry_and_key(self):
        msg = refused(name={"en": "Events held", "itt": "Eventi"})
        assert msg.startswith("fw.yaml: results[0] (R1).indicators[0] (jstes).name: ") and "'itt'" in msg, msg

    def test_a_comma_split_text_is_explained(self):
        msg = refused(result={"result": yaml.safe_load("{en: Refugees, asylum seekers and migrants}")})
        assert "results[0] (R1).result" in msg and "'asylum seekers and migrants'" in msg and "must be quoted" in msg, msg

    def test_a_map_without_english_is_refused_naming_file_and_entry(self):
        msg = refused(unit={"it": "eventi", "de": "Veranstaltungen"})
        assert msg.startswith("fw.yaml: results[0] (R1).indicators[0] (jstes).unit: ") and "needs English" in msg and "'it', 'de'" in msg, msg


COMMENT = {"id": "jstes", "reason": "A reason.", "action": "An action.", "partner": "GR-THE", "date": "2026-11-26"}


def commentary_file(tmp_path, **entry):
    path = tmp_path / "commentary.yaml"
    path.write_text(yaml.safe_dump({"entries": [{**COMMENT, **entry}]}, allow_unicode=True), encoding="utf-8")
    return path


class TestTheCommentary:
    PARTNERS = {"GR-THE", "IT-PAL"}

    def test_plain_texts_and_maps_load_and_the_table_keeps_english(self, tmp_path):
        path = commentary_file(tmp_path, reason={"en": "One partner\nwas ill.", "el": "Ένας εταίρος\nασθένησε."})
        table = load_commentary(path, {"jstes"}, self.PARTNERS)
        assert table.loc[0, ["reason", "action"]].tolist() == ["One partner was ill.", "An action."]
        rows = {(r["source"], r["entry"], r["field"], r["language"]): r["text"] for r in commentary_texts(path, {"jstes"}, self.PARTNERS)}
        assert rows == {
            ("commentary", "jstes", "reason", "en"): "One partner was ill.",
            ("commentary", "jstes", "reason", "el"): "Ένας εταίρος ασθένησε.",
            ("commentary", "jstes", "action", "en"): "An action.",
        }

    @pytest.mark.parametrize("action, words", [({"en": "x", "fr": "y"}, "'fr'"), ({"it": "Un'azione."}, "needs English")])
    def test_a_bad_map_is_refused_naming_file_and_entry(self, tmp_path, action, words):
        path = commentary_file(tmp_path, action=action)
        with pytest.raises(CodebookError) as err:
            load_commentary(path, {"jstes"}, self.PARTNERS)
        assert str(err.value).startswith(f"{path}: entries[0] (jstes).action: ") and words in str(err.value), str(err.value)


class TestTheExample:
    """The example's files give every text in every shipped language, and English as before."""

    def test_every_framework_text_is_in_every_shipped_language(self):
        rows = framework_texts(load_framework(SURVEYS_DIR / "indicators.yaml"))
        fields = {(r["entry"], r["field"]) for r in rows}
        have = {(r["entry"], r["field"], r["language"]) for r in rows}
        assert len(fields) > 100
        assert [(e, f, lang) for e, f in sorted(fields) for lang in SHIPPED if (e, f, lang) not in have] == []

    def test_every_commentary_text_is_in_every_shipped_language(self):
        fw = load_framework(SURVEYS_DIR / "indicators.yaml")
        ids = {r.id for r in fw.results} | {i.id for i in fw.indicators}
        partners = set(load_consortium(SURVEYS_DIR / "consortium.yaml").partner_codes)
        rows = commentary_texts(EXAMPLE_DIR / "commentary.yaml", ids, partners)
        fields = {(r["entry"], r["field"]) for r in rows}
        assert len(fields) == 2 * len(load_commentary(EXAMPLE_DIR / "commentary.yaml", ids, partners))
        assert len(rows) == len(fields) * (1 + len(SHIPPED))
