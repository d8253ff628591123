"""Skip logic: the XLSForm ``relevant`` subset, parsed without eval, and used by validation."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.errors import CodebookError
from pipeline.instruments.codebook import parse_codebook
from pipeline.instruments.relevant import UnsupportedExpression, parse, shown
from pipeline.instruments.xlsform import FormImport, write_codebook

ROW = {"age": "20", "help": "food water", "sex": "female", "n": "", "kids": "0"}


@pytest.mark.parametrize(
    "expression, expected",
    [
        ("${age} >= 18", True),
        ("${age} > 20", False),
        ("${age} = 20", True),  # a number literal compares as numbers
        ("${age} = '20'", True),
        ("${age} != 20", False),
        ("${sex} = 'female' and ${age} < 30", True),
        ("${sex} = 'male' or selected(${help}, 'water')", True),
        ("not(selected(${help}, 'shelter'))", True),
        ("count-selected(${help}) = 2", True),
        ("count-selected(${n}) = 0", True),
        ("${n} = ''", True),
        ("${n} != ''", False),
        ("${n} > 0", False),  # an unanswered question is NaN: every comparison false ...
        ("${n} != 0", True),  # ... except !=
        ("${kids} > 0 or ${age} - 2 = 18", True),
        ("${age} * 2 div 4 = 10", True),
        ("${age} mod 7 = 6", True),
        ("-${age} < -19", True),
        ("string-length(${sex}) = 6 and true() and not(false())", True),
        ('(${age} > 30 or ${sex} = "female") and ${kids} = 0', True),
        ("int(number('2.7')) = 2", True),
    ],
)
def test_evaluates_the_subset_real_forms_use(expression, expected):
    assert parse(expression).evaluate(ROW) is expected


@pytest.mark.parametrize(
    "expression, why",
    [
        ("jr:choice-name(${a}, '${a}')", "jr:choice-name() is not evaluated"),
        ("today() > ${d}", "today() is not evaluated"),
        ("/data/q1 = 'yes'", "cannot read"),
        ("${a} = ", "ends too early"),
        ("selected(${a})", "takes 2 argument(s)"),
        ("${a} = 'x' 'y'", "unexpected"),
        ("__import__('os')", "not evaluated"),
    ],
)
def test_what_it_cannot_evaluate_is_said(expression, why):
    with pytest.raises(UnsupportedExpression, match=why.replace("(", r"\(").replace(")", r"\)")):
        parse(expression)


def test_references_and_evaluation_over_a_frame():
    cond = parse("selected(${help}, 'food') and ${age} >= 18")
    assert cond.references == {"help", "age"}
    frame = pd.DataFrame({"h": ["food", "water", None, "food water"], "a": ["20", "40", "30", None]}, dtype="string")
    assert shown(frame, cond, {"help": "h", "age": "a"}).tolist() == [True, False, False, False]


BASE = {
    "instrument": "t",
    "design": "cross_section",
    "fields": [
        {"id": "submission_id", "role": "submission_id"},
        {"id": "help", "role": "attribute", "type": "multiple", "choices": ["food", "water"]},
        {"id": "why", "role": "attribute", "required": True, "relevant": "selected(${help}, 'food')"},
    ],
}


def test_a_codebook_carries_relevant_and_checks_it():
    cb = parse_codebook(BASE)
    assert cb.field_named("why").relevant == "selected(${help}, 'food')"
    assert cb.waves == ("once",) and cb.items == ()  # a one-wave form needs no waves: or items:
    bad = {**BASE, "fields": [*BASE["fields"][:2], {**BASE["fields"][2], "relevant": "today() > 1"}]}
    with pytest.raises(CodebookError, match=r"fields\[2\]\.relevant.*cannot be evaluated"):
        parse_codebook(bad)
    unknown = {**BASE, "fields": [*BASE["fields"][:2], {**BASE["fields"][2], "relevant": "${nobody} = 1"}]}
    with pytest.raises(CodebookError, match="refers to \\['nobody'\\]"):
        parse_codebook(unknown)


def test_an_imported_codebook_with_multi_line_warnings_loads(tmp_path):
    import yaml

    result = FormImport(doc=BASE, untranslated=["a\nsecond line: with a colon"], notes=["Language 'English (en)' is missing x.\nLanguage 'French (fr)' is missing y."])
    path = write_codebook(result, tmp_path / "t.yaml", source="f.xlsx")
    assert yaml.safe_load(path.read_text(encoding="utf-8")) == BASE
    assert "#     Language 'French (fr)' is missing y." in path.read_text(encoding="utf-8")
