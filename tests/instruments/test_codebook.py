"""The codebook format: the bundled instruments load; malformed entries are named."""

from __future__ import annotations

import re

import pytest
import yaml

from pipeline.config import SURVEYS_DIR
from pipeline.errors import CodebookError
from pipeline.instruments.codebook import load_codebook, parse_codebook

CA = SURVEYS_DIR / "community_attitudes.yaml"


def minimal(**over):
    doc = {
        "instrument": "mini",
        "response_scales": {"l5": {"values": {"min": 1, "max": 5}, "missing": {9: "refused"}}},
        "fields": [{"id": "rid", "role": "respondent_id", "required": True}],
        "items": [{"id": "q1", "response_scale": "l5"}, {"id": "q2", "response_scale": "l5", "reverse": True}],
        "scales": [{"id": "s", "items": ["q1", "q2"]}],
    }
    doc.update(over)
    return doc


class TestCommunityAttitudes:
    def test_loads_with_items_scales_and_roles(self):
        cb = load_codebook(CA)
        assert cb.instrument == "community_attitudes"
        assert cb.waves == ("pre", "post")
        assert [s.id for s in cb.scales] == ["attitudes", "social_acceptance", "knowledge", "intentions"]
        assert {i.id for i in cb.items if i.reverse} == {"kn_confused", "bi_avoid"}
        assert {f.id for f in cb.fields_by_role("personal")} == {"full_name", "phone", "comment"}
        assert cb.field_by_role("respondent_id").name == "respondent_id"
        assert cb.field_by_role("submission_id").column == "_uuid"

    def test_every_item_has_english_and_a_partner_language(self):
        cb = load_codebook(CA)
        for item in cb.items:
            assert "en" in item.label
            assert set(item.label) & {"el", "it", "es", "de", "pt"}, item.id

    def test_ess_items_use_ess_missing_codes(self):
        rs = load_codebook(CA).item("att_economy").response_scale
        assert (rs.min, rs.max) == (0, 10)
        assert rs.missing == {77: "refused", 88: "dont_know"}


class TestErrorsNameTheEntry:
    @pytest.mark.parametrize(
        "change, entry",
        [
            ({"items": [{"id": "q1", "response_scale": "nope"}]}, "items[0].response_scale"),
            ({"scales": [{"id": "s", "items": ["q1", "zz"]}]}, "scales[0].items"),
            ({"fields": [{"id": "x", "role": "secret"}]}, "fields[0].role"),
            ({"scales": [{"id": "s", "items": ["q1"], "min_answered": 1.5}]}, "scales[0].min_answered"),
            ({"response_scales": {"l5": {"values": {"min": 5, "max": 1}}}}, "response_scales.l5.values"),
            ({"response_scales": {"l5": {"values": {"min": 1, "max": 5}, "missing": {3: "dk"}}}}, "response_scales.l5.missing"),
        ],
    )
    def test_bad_entry(self, change, entry):
        with pytest.raises(CodebookError) as err:
            parse_codebook(minimal(**change), "mini.yaml")
        assert err.value.entry == entry
        assert "mini.yaml" in str(err.value)

    def test_duplicate_ids(self):
        doc = minimal(items=[{"id": "q1", "response_scale": "l5"}, {"id": "q1", "response_scale": "l5"}], scales=[])
        with pytest.raises(CodebookError, match="duplicate id"):
            parse_codebook(doc, "mini.yaml")

    def test_not_yaml(self, tmp_path):
        bad = tmp_path / "bad.yaml"
        bad.write_text("instrument: [unclosed\n", encoding="utf-8")
        with pytest.raises(CodebookError, match="not valid YAML"):
            load_codebook(bad)

    def test_missing_file(self, tmp_path):
        with pytest.raises(CodebookError, match="file not found"):
            load_codebook(tmp_path / "none.yaml")

    def test_minimal_is_valid(self):
        cb = parse_codebook(yaml.safe_load(yaml.safe_dump(minimal())), "mini.yaml")
        assert cb.scale("s").min_answered == pytest.approx(2 / 3)
        assert cb.scale("s").range == (1.0, 5.0)


class TestComparisonField:
    def test_community_attitudes_declares_its_comparison_group(self):
        field = load_codebook(CA).comparison_field
        assert field.name == "took_part" and field.comparison_value == "comparison"
        assert set(field.choices) == {"participant", "comparison"}

    @pytest.mark.parametrize(
        "spec",
        [
            {"id": "tp", "role": "comparison", "choices": ["yes", "no"]},  # no comparison_value
            {"id": "tp", "role": "comparison", "choices": ["yes", "no"], "comparison_value": "maybe"},
            {"id": "tp", "role": "comparison", "comparison_value": "no"},  # no choices
            {"id": "tp", "role": "grouping", "choices": ["yes", "no"], "comparison_value": "no"},
        ],
    )
    def test_malformed(self, spec):
        doc = minimal(fields=[{"id": "rid", "role": "respondent_id"}, spec])
        with pytest.raises(CodebookError) as err:
            parse_codebook(doc, "mini.yaml")
        assert err.value.entry == "fields[1].comparison_value"

    def test_at_most_one(self):
        spec = {"role": "comparison", "choices": ["yes", "no"], "comparison_value": "no"}
        doc = minimal(fields=[{"id": "a", **spec}, {"id": "b", **spec}])
        with pytest.raises(CodebookError, match="only one field may have role 'comparison'"):
            parse_codebook(doc, "mini.yaml")


def test_registry_period_is_optional(tmp_path):
    from pipeline.instruments.registry import load_consortium

    path = tmp_path / "reg.yaml"
    path.write_text("project: {id: X, title: Y}\npartners: [{code: A, name: A, type: ngo, country: DE}]\n", encoding="utf-8")
    cons = load_consortium(path)
    assert cons.start is None and cons.end is None and cons.min_cell_size == 5
    path.write_text("project: {id: X, title: Y, period: {start: 2025-01-01}}\npartners: [{code: A, name: A, type: ngo, country: DE}]\n", encoding="utf-8")
    with pytest.raises(CodebookError, match="end"):
        load_consortium(path)


def test_murrar_codebook_loads_as_wide_with_its_source():
    cb = load_codebook(SURVEYS_DIR / "murrar" / "murrar.yaml")
    assert cb.is_wide and cb.waves == ("pre", "post", "follow_up")
    assert cb.item("warmth_arab").columns == {"pre": "arab_t0", "post": "arab_t1", "follow_up": "arab_t2"}
    assert cb.comparison_field.comparison_value == "0"
    assert "Murrar" in cb.path.read_text(encoding="utf-8") and "10.1177/1368430216682350" in cb.path.read_text(encoding="utf-8")


def _doc_with_fields(*extra):
    import yaml

    from pipeline.config import SURVEYS_DIR

    doc = yaml.safe_load((SURVEYS_DIR / "community_attitudes.yaml").read_text(encoding="utf-8"))
    doc["fields"] = [f for f in doc["fields"] if f["id"] != "birth_date"] + list(extra)
    return doc


def test_birth_date_bands_come_from_the_age_group_choices():
    from pipeline.instruments.codebook import parse_codebook

    cb = parse_codebook(_doc_with_fields({"id": "born", "role": "birth_date", "age_group": "age_group"}))
    born = next(f for f in cb.fields if f.id == "born")
    assert born.age_bands == {"18-29": (18, 29), "30-44": (30, 44), "45-64": (45, 64), "65+": (65, None)}


@pytest.mark.parametrize(
    "entry, message",
    [
        ({"id": "born", "role": "birth_date"}, r"fields\[\d+\]\.age_group: a birth_date field names the grouping field"),
        ({"id": "born", "role": "birth_date", "age_group": "gender"}, "the choices of 'gender' are not age ranges"),
        ({"id": "born", "role": "birth_date", "age_group": "age_group", "age_bands": {"18-29": [18]}}, r"age_bands.18-29: expected \[lowest, highest\]"),
        ({"id": "born", "role": "birth_date", "age_group": "age_group", "age_bands": {"under 18": [0, 17]}}, r"age groups \['under 18'\] are not choices"),
        ({"id": "act", "role": "attribute", "aliases": {"a": 1}}, "aliases: expected a list"),
    ],
)
def test_new_field_keys_are_checked(entry, message):
    from pipeline.errors import CodebookError
    from pipeline.instruments.codebook import parse_codebook

    with pytest.raises(CodebookError, match=message):
        parse_codebook(_doc_with_fields(entry))


# -- label keys must be declared languages -----------------------------------------
# A YAML flow mapping with an unquoted comma cuts a label short without any error:
# ``{en: Refugee, asylum seeker or migrant}`` is {"en": "Refugee", "asylum seeker or migrant": None}.


def _shipped_codebooks():
    keep = []
    for path in sorted(SURVEYS_DIR.rglob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(doc, dict) and "instrument" in doc:
            keep.append(path)
    return keep


def test_every_shipped_codebook_is_found():
    names = {p.stem for p in _shipped_codebooks()}
    assert {"community_attitudes", "beneficiary_feedback", "staff_training", "activity_register", "murrar"} <= names


@pytest.mark.parametrize("path", _shipped_codebooks(), ids=lambda p: p.stem)
def test_shipped_codebook_labels_are_whole(path):
    cb = load_codebook(path)  # raises on a label key that is not a declared language
    labels = [cb.title, *cb.wave_labels.values()]
    labels += [f.label for f in cb.fields] + [lab for f in cb.fields for lab in f.choice_labels.values()]
    labels += [i.label for i in cb.items] + [lab for i in cb.items for lab in i.anchors.values()]
    labels += [s.label for s in cb.scales] + [lab for rs in {i.response_scale.id: i.response_scale for i in cb.items}.values() for lab in rs.labels.values()]
    for label in labels:
        assert all(v not in ("None", "") for v in label.values()), (path.name, label)


CUT = "fields:\n  - id: group\n    role: grouping\n    choices:\n      local: {en: Local resident}\n      refugee_migrant: {en: Refugee, asylum seeker or migrant}\n"


def test_cut_label_is_rejected_naming_file_item_and_key(tmp_path):
    path = tmp_path / "cut.yaml"
    path.write_text("instrument: cut\nlanguages: [en, fr]\n" + CUT, encoding="utf-8")
    with pytest.raises(CodebookError) as err:
        load_codebook(path)
    message = str(err.value)
    assert str(path) in message
    assert "fields[0] (group).choices.refugee_migrant" in message
    assert "'asylum seeker or migrant'" in message
    assert "must be quoted" in message


@pytest.mark.parametrize(
    "over, entry",
    [
        ({"items": [{"id": "q1", "response_scale": "l5", "label": {"en": "A", "de": "B"}}]}, "items[0] (q1).label"),
        ({"title": {"en": "T", "xx": "U"}}, "title"),
        ({"waves": [{"id": "pre", "label": {"en": "Before", "fr": "Avant"}}, "post"]}, "waves[0] (pre).label"),
        ({"response_scales": {"l5": {"values": {"min": 1, "max": 5}, "labels": {1: {"en": "No", "es": "No"}}}}}, "response_scales.l5.labels.1"),
        ({"scales": [{"id": "s", "items": ["q1", "q2"], "label": {"en": "S", "it": "S"}}]}, "scales[0] (s).label"),
    ],
)
def test_label_in_an_undeclared_language_is_rejected(over, entry):
    with pytest.raises(CodebookError, match=re.escape(entry)):
        parse_codebook(minimal(**over), "x.yaml")


def test_label_in_a_declared_language_is_accepted():
    cb = parse_codebook(minimal(languages=["en", "de"], items=[{"id": "q1", "response_scale": "l5", "label": {"en": "A", "de": "B"}}, {"id": "q2", "response_scale": "l5"}]), "x.yaml")
    assert cb.item("q1").label == {"en": "A", "de": "B"}
