"""XLSForm import and export: a form, its codebook, an export generated from it, validated."""

from __future__ import annotations

import openpyxl
import pytest

from pipeline.cli import main
from pipeline.config import SURVEYS_DIR
from pipeline.errors import InputError
from pipeline.instruments.codebook import load_codebook, parse_codebook
from pipeline.instruments.form_writer import write_form
from pipeline.instruments.registry import load_consortium
from pipeline.instruments.xlsform import import_form, language_code, parse_range, write_codebook
from pipeline.workflow import ingest_folder
from tests.synth import valid_export

CB = load_codebook(SURVEYS_DIR / "community_attitudes.yaml")
CONS = load_consortium(SURVEYS_DIR / "consortium.yaml")
SHIPPED = SURVEYS_DIR / "community_attitudes.xlsx"


@pytest.fixture(scope="module")
def form(tmp_path_factory):
    path = tmp_path_factory.mktemp("form") / "community_attitudes.xlsx"
    return write_form(CB, path, {p.code: p.name for p in CONS.partners})


def sheet_values(path):
    wb = openpyxl.load_workbook(path)
    return {ws.title: [[c for c in row] for row in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def test_the_shipped_form_is_the_codebook_written_out(form):
    assert sheet_values(SHIPPED) == sheet_values(form), "regenerate it: .venv/bin/impact write-form"


def test_pyxform_turns_the_shipped_form_into_an_xform_without_warnings():
    # KoboToolbox and ODK convert an uploaded XLSForm with pyxform: this is what they run.
    from pyxform.xls2xform import convert

    result = convert(str(SHIPPED))
    assert result.warnings == []
    assert "<h:title>Community attitudes towards refugees and migrants</h:title>" in result.xform
    for it in CB.items:
        assert 'nodeset="/data/' in result.xform and f'/{it.id}"' in result.xform


def test_form_cells_are_text_never_formulas(form):
    wb = openpyxl.load_workbook(form)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    # a constraint such as ". >= 1" and a label such as "-" stay text
    assert any(c.value == "select_one ess_0_10" for c in wb["survey"]["A"])


def test_round_trip_codebook_form_codebook(form):
    result = import_form(form)
    back = parse_codebook(result.doc, form)
    assert back.item_ids == CB.item_ids
    for a, b in zip(CB.items, back.items):
        assert (a.response_scale.values, a.response_scale.missing) == (b.response_scale.values, b.response_scale.missing), a.id
        assert a.label == b.label, a.id
        assert a.reverse == b.reverse, a.id
        assert a.response_scale.labels == b.response_scale.labels, a.id
    roles = {f.id: f.role for f in CB.fields if not f.column.startswith("_") and f.id not in ("start", "end")}
    assert {f.id: f.role for f in back.fields if f.id in roles} == roles
    assert {f.id: f.choices for f in back.fields if f.role == "grouping"} == {f.id: f.choices for f in CB.fields if f.role == "grouping"}
    assert [(s.id, s.items) for s in back.scales] == [(s.id, s.items) for s in CB.scales]
    assert back.languages == ("en", "el", "it", "es", "de", "pt")


def test_round_trip_an_export_generated_from_the_imported_codebook_validates(form, tmp_path):
    root = tmp_path / "data"
    root.mkdir()
    assert main(["import-form", str(form), "--out", str(root / "community_attitudes.yaml")]) == 0
    imported = load_codebook(root / "community_attitudes.yaml")
    pre = valid_export(imported, CONS, 40, seed=1)
    post = valid_export(imported, CONS, 30, seed=2)
    pre.to_csv(root / "pre.csv", index=False)
    post.to_csv(root / "post.csv", index=False)
    (root / "datasets.yaml").write_text(
        f"consortium: {SURVEYS_DIR / 'consortium.yaml'}\ndatasets:\n"
        "  - {file: pre.csv, instrument: community_attitudes, wave: pre}\n"
        "  - {file: post.csv, instrument: community_attitudes, wave: post}\n",
        encoding="utf-8",
    )
    result = ingest_folder(root)
    assert result.quarantine.empty, result.quarantine.to_string()
    assert result.reconciliation["rows_kept"].tolist() == [40, 30]
    assert set(result.responses["community_attitudes"].columns) >= set(CB.item_ids) | {f"{s.id}" for s in CB.scales}


HAND_WRITTEN = {
    "survey": [
        ["type", "name", "label::English (en)", "label::Français (fr)", "required", "constraint", "relevant", "calculation", "impact_role"],
        ["start", "start"],
        ["text", "pid", "Participant code", "Code participant", "yes", "", "", "", "respondent_id"],
        ["select_one org", "org", "Organisation", "Organisation", "yes", "", "", "", "partner"],
        ["integer", "satisfaction", "How satisfied? (1-5)", "Satisfait ? (1-5)", "", ". >= 1 and . <= 5"],
        ["integer", "age", "Age", "Âge", "", "regex(., '^[0-9]+$')"],
        ["decimal", "hours", "Hours attended", "Heures"],
        ["select_one yn", "again", "Would you come again?", "Reviendriez-vous ?", "", "", "${satisfaction} > 2"],
        ["select_multiple act", "activities", "Activities", "Activités"],
        ["text", "comments", "Comments", "Commentaires"],
        ["calculate", "double", "", "", "", "", "", "${satisfaction} * 2"],
        ["begin_repeat", "children", "Children"],
        ["integer", "child_age", "Child's age"],
        ["end_repeat"],
        ["image", "photo", "Photo"],
    ],
    "choices": [
        ["list_name", "name", "label::English (en)", "label::Français (fr)"],
        ["org", "GR-THE", "Thessaloniki", "Thessalonique"],
        ["yn", "1", "Yes", "Oui"],
        ["yn", "0", "No", "Non"],
        ["yn", "8", "Don't know", "Ne sait pas"],
        ["act", "cook", "Cooking", "Cuisine"],
        ["act", "sport", "Sport", "Sport"],
    ],
    "settings": [["form_title", "form_id", "version", "default_language"], ["Feedback", "feedback", "3", "English (en)"]],
}


def write_workbook(path, sheets):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path


def test_a_hand_written_form_lists_what_it_cannot_translate(tmp_path):
    result = import_form(write_workbook(tmp_path / "feedback.xlsx", HAND_WRITTEN))
    doc = result.doc
    cb = parse_codebook(doc, "feedback")
    assert cb.instrument == "feedback" and cb.languages == ("en", "fr")
    assert cb.item_ids == ("satisfaction", "again")
    assert cb.item("satisfaction").response_scale.values == (1, 2, 3, 4, 5)
    assert cb.item("again").response_scale.missing == {8: "dont_know"}
    roles = {f.id: f.role for f in cb.fields}
    assert roles["pid"] == "respondent_id" and roles["org"] == "partner" and roles["comments"] == "personal" and roles["start"] == "ignore"
    multiple = next(f for f in cb.fields if f.id == "activities")
    assert multiple.multiple and multiple.choices == ("cook", "sport")
    text = "\n".join(result.untranslated)
    for expected in (
        "'age' (integer): constraint",
        "'hours' (decimal): a decimal answer",
        "'double' (calculate)",
        "'children' (repeat)",
        "'photo' (photo): a media answer",
    ):
        assert expected in text, expected
    assert any("marked personal" in n and "comments" in n for n in result.notes)
    # skip logic is carried, not listed as untranslated
    assert cb.item("again").relevant == "${satisfaction} > 2"
    assert "relevant" not in text
    # what it decided is printed and kept as comments of a codebook that loads
    assert any(d.startswith("design paired_pre_post") for d in result.decisions)
    assert any("bounded whole number" in d for d in result.decisions) is False  # satisfaction 1-5 stays a scored item
    path = write_codebook(result, tmp_path / "feedback.yaml", source="feedback.xlsx")
    assert "# What import-form decided" in path.read_text(encoding="utf-8")
    assert load_codebook(path).item_ids == ("satisfaction", "again")


def test_not_a_form_is_a_clear_error(tmp_path, capsys):
    bad = write_workbook(tmp_path / "x.xlsx", {"Sheet1": [["a", "b"], [1, 2]]})
    with pytest.raises(InputError, match="not a valid XLSForm"):
        import_form(bad)
    assert main(["import-form", str(bad)]) == 2
    assert "x.xlsx" in capsys.readouterr().err


@pytest.mark.parametrize(
    "text, expected",
    [
        (". >= 1 and . <= 5", (1, 5, [])),
        (".>0 and .<11", (1, 10, [])),
        ("(. >= 0 and . <= 10) or . = 77 or . = 88", (0, 10, [77, 88])),
        (". = 3", (3, 3, [])),
        ("string-length(.) < 5", None),
        (". >= ${min}", None),
    ],
)
def test_parse_range(text, expected):
    assert parse_range(text) == expected


@pytest.mark.parametrize("name, code", [("English (en)", "en"), ("Ελληνικά (el)", "el"), ("default", "en"), ("French", "fr"), ("Dari (prs)", "prs")])
def test_language_code(name, code):
    assert language_code(name) == code


def test_meaning_not_only_types(tmp_path):
    sheets = {
        "survey": [
            ["type", "name", "label", "constraint", "impact_scale"],
            ["integer", "age", "Age", ". >= 18 and . <= 119"],
            ["integer", "hh_size", "Household size", ". >= 1 and . <= 30"],
            ["begin_group", "water", "Water"],
            ["select_one yn", "has_tap", "Tap water?"],
            ["select_one yn", "has_tank", "Tank?"],
            ["select_one source", "source", "Main source"],
            ["end_group"],
            ["select_one gender", "gender", "Gender"],
            ["select_one agree", "trust1", "I trust my neighbours", "", "trust"],
            ["select_one agree", "trust2", "I trust the police", "", "trust"],
            ["integer", "sat", "Satisfaction 0-10", ". >= 0 and . <= 10"],
        ],
        "choices": [
            ["list_name", "name", "label"],
            ["yn", "1", "Yes"],
            ["yn", "0", "No"],
            ["source", "river", "River"],
            ["source", "well", "Well"],
            ["gender", "f", "Female"],
            ["gender", "m", "Male"],
            *[["agree", str(k), lab] for k, lab in enumerate(["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"], start=1)],
        ],
    }
    result = import_form(write_workbook(tmp_path / "f.xlsx", sheets))
    cb = parse_codebook(result.doc, "f")
    kinds = {f.id: (f.role, f.type) for f in cb.fields}
    assert kinds["age"] == ("attribute", "number") and kinds["hh_size"] == ("attribute", "number")  # bounded integers: numbers
    assert kinds["gender"][0] == "grouping" and kinds["source"][0] == "attribute"  # a breakdown only where it says who answered
    assert cb.item_ids == ("has_tap", "has_tank", "trust1", "trust2", "sat")
    assert [(s.id, s.items) for s in cb.scales] == [("trust", ("trust1", "trust2"))]  # the water group (yes/no) is no scale
    assert cb.design == "cross_section" and cb.waves == ("once",)
    text = "\n".join(result.decisions)
    assert "['age', 'hh_size']" in text and "['water']" in text and "from the impact_scale column" in text


TEXT_CODED = {
    "survey": [
        ["type", "name", "label", "required"],
        ["select_one org", "partner", "Organisation", "yes"],
        ["begin_group", "belonging", "Belonging"],
        ["select_one agree", "welcome", "I feel welcome here"],
        ["select_one agree", "part_of", "I feel part of the community"],
        ["end_group"],
        ["select_one freq", "contact", "How often do you talk with neighbours?"],
        ["select_one yn", "again", "Would you come again?"],
        ["select_one source", "source", "Where did you hear of us?"],
    ],
    "choices": [
        ["list_name", "name", "label"],
        ["org", "P1", "Partner one"],
        # written from the top, as forms often are, with a "don't know"
        *[["agree", n, n.replace("_", " ").capitalize()] for n in ["strongly_agree", "agree", "neither_agree_nor_disagree", "disagree", "strongly_disagree", "dont_know"]],
        *[["freq", n, n.capitalize()] for n in ["never", "rarely", "sometimes", "often", "always"]],
        ["yn", "yes", "Yes"],
        ["yn", "no", "No"],
        ["source", "radio", "Radio"],
        ["source", "friend", "A friend"],
        ["source", "poster", "A poster"],
    ],
}


def test_agreement_and_frequency_text_codes_are_rating_scales(tmp_path, capsys):
    result = import_form(write_workbook(tmp_path / "tc.xlsx", TEXT_CODED))
    cb = parse_codebook(result.doc, "tc")
    assert cb.item_ids == ("welcome", "part_of", "contact")
    agree = cb.item("welcome").response_scale
    assert agree.values == (1, 2, 3, 4, 5) and agree.missing == {99: "dont_know"}
    assert agree.codes == {"strongly_disagree": 1, "disagree": 2, "neither_agree_nor_disagree": 3, "agree": 4, "strongly_agree": 5, "dont_know": 99}
    assert agree.labels[5] == {"en": "Strongly agree"}
    assert cb.item("contact").response_scale.codes == {"never": 1, "rarely": 2, "sometimes": 3, "often": 4, "always": 5}
    assert [(s.id, s.items) for s in cb.scales] == [("belonging", ("welcome", "part_of"))]
    roles = {f.id: f.role for f in cb.fields}
    assert roles["again"] == "attribute" and roles["source"] == "attribute"  # yes/no and other names are no rating
    text = "\n".join(result.decisions)
    assert "list 'agree': text codes read as a rating scale (agreement): strongly_disagree=1, disagree=2" in text and "dont_know=99 missing" in text
    assert "list 'freq': text codes read as a rating scale (frequency): never=1, rarely=2, sometimes=3, often=4, always=5" in text
    # import-form prints it, and an export of codes scores through ingest and analyse
    from tests.real_corpus import end_to_end

    root = tmp_path / "data"
    root.mkdir()
    rows = ["partner,welcome,part_of,contact,again,source"]
    answers = [
        ("strongly_agree", "agree"),
        ("Agree", "neither_agree_nor_disagree"),
        ("disagree", "dont_know"),
        ("STRONGLY_DISAGREE", "strongly_agree"),
        ("agree", "agree"),
        ("neither_agree_nor_disagree", "disagree"),
    ]
    for k, (a, b) in enumerate(answers):
        rows.append(f"P1,{a},{b},{['never', 'rarely', 'sometimes', 'often', 'always', 'often'][k]},yes,radio")
    rows.append("P1,maybe,agree,often,no,friend")  # not a code of the list: set aside, named
    (root / "tc.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    run = end_to_end(root, tmp_path / "build", capsys, form=tmp_path / "tc.xlsx", instrument="tc", files=[{"file": "tc.csv"}])
    assert run.codes == {"import-form": 0, "ingest": 0, "analyse": 0}
    written = (root / "tc.yaml").read_text(encoding="utf-8")  # what it printed, kept as comments
    assert "# " in written and "text codes read as a rating scale (agreement)" in written and "codes:" in written
    assert (run.read, run.kept) == (7, 6) and run.reasons() == {"not_a_number": 1}
    assert run.private_quarantine.loc[0, "value"] == "maybe" and run.private_quarantine.loc[0, "column"] == "welcome"
    import pandas as pd

    kept = pd.read_parquet(tmp_path / "build" / "responses" / "tc.parquet")
    assert kept["welcome"].tolist() == [5, 4, 2, 1, 4, 3] and kept["contact"].tolist() == [1, 2, 3, 4, 5, 4]
    assert kept["part_of"].tolist() == [4, 3, 99, 5, 4, 2]  # don't know: its missing code, not scored
    ind = run.indicators.loc[run.indicators["group_by"] == "consortium"].set_index("indicator_id")
    # the row whose part_of is "don't know" answered too few of the scale's items for a score
    assert ind.loc["tc.belonging.level", "n_pre"] == kept["belonging"].notna().sum() == 5 and ind.loc["tc.contact.level", "mean_pre"] == pytest.approx(19 / 6)
