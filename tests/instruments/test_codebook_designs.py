"""The codebook format for instruments that are not person-level pre/post surveys."""

from __future__ import annotations

import pytest

from pipeline.config import SURVEYS_DIR
from pipeline.errors import CodebookError
from pipeline.instruments.codebook import DESIGNS, load_codebook, parse_codebook

INSTRUMENTS = {
    "staff_training": "repeated",
    "organisational_capacity": "ratings",
    "partnership_network": "ties",
    "activity_register": "register",
    "beneficiary_feedback": "cross_section",
}


@pytest.mark.parametrize("instrument, design", INSTRUMENTS.items())
def test_bundled_instruments_load_with_their_design(instrument, design):
    cb = load_codebook(SURVEYS_DIR / f"{instrument}.yaml")
    assert cb.instrument == instrument and cb.design == design in DESIGNS


def test_personal_fields_of_people_never_organisations():
    net = load_codebook(SURVEYS_DIR / "partnership_network.yaml")
    assert {f.id for f in net.fields_by_role("personal")} == {"contact_person", "contact_email", "respondent_name"}
    assert net.field_named("organisation").role == "attribute"  # organisations are not personal data
    cap = load_codebook(SURVEYS_DIR / "organisational_capacity.yaml")
    assert "rater_name" in {f.id for f in cap.fields_by_role("personal")}
    assert cap.field_by_role("respondent_id").column == "rater_id"  # pseudonymised like any identifier


def test_register_types_headcounts_and_checks():
    reg = load_codebook(SURVEYS_DIR / "activity_register.yaml")
    assert reg.waves == ("register",)
    assert reg.field_named("start_date").type == "date"
    assert reg.field_named("partners_attending").type == "multiple"
    hc = reg.headcount("participants")
    assert hc.total == "participants_total" and set(hc.by) == {"group", "gender", "age_group"}
    assert reg.checks.date_order == (("start_date", "end_date"),)
    assert reg.checks.unique_within_wave == ("activity_id",)


def test_knowledge_test_items_carry_their_right_answer():
    tr = load_codebook(SURVEYS_DIR / "staff_training.yaml")
    test = tr.scale("knowledge_test")
    assert len(test.items) == 8 and all(tr.item(i).correct in (1, 2, 3, 4) for i in test.items)
    assert tr.scale("knowledge_test").range == (0.0, 1.0)


def base(**over):
    doc = {
        "instrument": "reg",
        "design": "register",
        "waves": ["register"],
        "fields": [
            {"id": "total", "role": "attribute", "type": "count"},
            {"id": "a", "role": "attribute", "type": "count"},
            {"id": "b", "role": "attribute", "type": "count"},
            {"id": "d1", "role": "attribute", "type": "date"},
            {"id": "d2", "role": "attribute", "type": "date"},
            {"id": "note", "role": "attribute"},
        ],
        "items": [],
    }
    doc.update(over)
    return doc


class TestMalformed:
    @pytest.mark.parametrize(
        "over, entry, words",
        [
            ({"design": "pre_post_ish"}, "design", "unknown design 'pre_post_ish'"),
            ({"fields": [{"id": "x", "role": "attribute", "type": "integer"}]}, "fields[0].type", "unknown type 'integer'"),
            ({"fields": [{"id": "x", "role": "attribute", "type": "multiple"}]}, "fields[0].type", "needs 'choices'"),
            ({"fields": [{"id": "x", "role": "attribute", "type": "multiple", "choices_from": "cities"}]}, "fields[0].choices_from", "only 'partners'"),
            ({"headcounts": {"p": {"total": "note", "by": {"g": {"x": "a"}}}}}, "headcounts.p.total", "'note' is not a count field"),
            ({"headcounts": {"p": {"total": "total", "by": {"g": {"x": "a", "y": "zz"}}}}}, "headcounts.p.by.g", "not count fields: ['zz']"),
            ({"checks": {"date_order": [["d1", "note"]]}}, "checks.date_order[0]", "two date fields"),
            ({"checks": {"unique_within_wave": ["nope"]}}, "checks.unique_within_wave", "unknown field(s) ['nope']"),
        ],
    )
    def test_entry_is_named(self, over, entry, words):
        with pytest.raises(CodebookError) as err:
            parse_codebook(base(**over), "reg.yaml")
        assert f"reg.yaml: {entry}: " in str(err.value) and words in str(err.value)

    def test_right_answer_must_be_a_value_of_the_scale(self):
        doc = {
            "instrument": "t",
            "response_scales": {"c4": {"values": {"min": 1, "max": 4}, "missing": {9: "dont_know"}}},
            "items": [{"id": "q", "response_scale": "c4", "correct": 9}],
        }
        with pytest.raises(CodebookError, match=r"items\[0\]\.correct: the right answer must be one of"):
            parse_codebook(doc, "t.yaml")

    def test_a_well_formed_register_parses(self):
        cb = parse_codebook(base(headcounts={"p": {"total": "total", "by": {"g": {"x": "a", "y": "b"}}}}, checks={"date_order": [["d1", "d2"]]}), "reg.yaml")
        assert cb.headcount("p").columns("g") == {"x": "a", "y": "b"}
