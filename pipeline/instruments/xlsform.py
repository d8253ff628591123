"""Instruments from XLSForm, and XLSForms from instruments.

KoboToolbox, ODK and SurveyCTO forms are written in XLSForm (https://xlsform.org):
a workbook with a ``survey`` sheet (one row per question: type, name, labels per
language, required, constraint, relevant), a ``choices`` sheet and a ``settings``
sheet. :func:`import_form` reads one with pyxform, the reference parser those
tools use, and turns it into a codebook document; what it cannot translate it
lists. :func:`pipeline.instruments.form_writer.write_form` writes a codebook as an XLSForm that KoboToolbox loads.

How a question becomes part of a codebook
=========================================

===============================  ==============================================
``select_one`` with whole-number  an item; the list becomes its response scale;
choice names                      choices labelled "Don't know", "Refused",
                                  "Prefer not to say", "No answer" or "Not
                                  applicable" become its missing codes
``select_one`` on a list of       an item; the names are numbered in order
agreement or frequency names      (strongly_disagree = 1 ... strongly_agree = 5;
(strongly_agree ... never ...)    never = 1 ... always = 5) as the response
                                  scale's ``codes``; "dont_know"-like choices
                                  become missing codes 99, 98 ...
``select_one`` (other names)      a field with ``choices``: a breakdown (role
                                  ``grouping``) when its name or label says who
                                  answered (gender, age group, nationality,
                                  region...), else role ``attribute``
``select_multiple``               a field with ``type: multiple`` (role ``attribute``)
``integer`` with a range          an item on a scale ``{min, max}`` from the
constraint of at most 11 values   constraint (``. >= 1 and . <= 5``; ``or . = 88``
                                  adds a missing code); a wider range (age
                                  18-119, household size) is a number field
``text``, ``date``, ``geopoint``  a field with role ``personal`` (dropped at
                                  ingestion): free text and dates may hold
                                  personal data
``start``, ``end``, ``today``,    a field with role ``ignore``
``deviceid`` ...
``relevant`` (skip logic)         kept as the entry's ``relevant`` where it can be
                                  evaluated (:mod:`pipeline.instruments.relevant`);
                                  a group's condition applies to its questions;
                                  otherwise listed, and a required question is
                                  made optional
a group of at least two items on  a scale proposal (check ``min_answered``,
one list of three or more values  ``range``, ``unit``); other groups are not scales
===============================  ==============================================

Columns of our own in the survey sheet make the translation exact (XLSForm tools
ignore columns they do not know): ``impact_role`` (a codebook role, such as
``respondent_id``, ``partner``, ``free_text``, ``birth_date``) and
``impact_reverse`` (``yes`` for a reverse-keyed item), ``impact_comparison_value``
(for a ``comparison`` field, the choice of people who did not take part) and
``impact_scale`` (the scale an item belongs to; items with one name form one scale). Every form also gets the
``submission_id`` (``_uuid``) and ``submission_time`` (``_submission_time``)
fields that KoboToolbox adds to each export.

Not translated, and listed: skip logic that cannot be evaluated, calculations, repeats,
constraints other than ranges, decimal answers, media and location questions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import InputError
from pipeline.instruments.codebook import DROPPED_ROLES, FIELD_ROLES, label_entries
from pipeline.instruments.relevant import UnsupportedExpression, combine, parse

#: Language codes -> the names written in ``label::Name (code)`` columns.
LANGUAGE_NAMES = {
    "en": "English",
    "el": "Greek",
    "it": "Italian",
    "es": "Spanish",
    "de": "German",
    "pt": "Portuguese",
    "ar": "Arabic",
    "fa": "Persian",
    "uk": "Ukrainian",
    "fr": "French",
    "tr": "Turkish",
    "ps": "Pashto",
    "ru": "Russian",
    "so": "Somali",
    "ti": "Tigrinya",
    "ku": "Kurdish",
    "ur": "Urdu",
    "bn": "Bengali",
}
METADATA_TYPES = {"start", "end", "today", "deviceid", "username", "phonenumber", "simserial", "subscriberid", "audit", "email", "start-geopoint", "background-audio"}
PERSONAL_TYPES = {"text", "date", "datetime", "time", "geopoint", "geotrace", "geoshape", "barcode"}
MEDIA_TYPES = {"image", "photo", "audio", "video", "file", "background-audio"}
MISSING_LABELS = re.compile(r"don.?t know|do not know|refus|prefer not|no answer|not applicable|^n/?a$", re.IGNORECASE)
_COMPARE = re.compile(r"^\(?\s*\.\s*(>=|<=|>|<|=)\s*(-?\d+)\s*\)?$")
#: An integer question with a range constraint is a scored item (a rating such as 1-5
#: or 0-10) only when its range spans at most this many steps; a wider range (age
#: 18-119, household size, litres, money) is a number field.
MAX_RATING_SPAN = 10
#: Names or labels of ``select_one`` questions that are breakdowns of the indicators
#: (who answered), not answers: every other ``select_one`` with text codes is kept as
#: a fact about the row (role ``attribute``). ``impact_role: grouping`` overrides.
BREAKDOWN_WORDS = re.compile(
    r"gender|\bsex\b|^sex|age.?group|age.?band|age.?range|nationality|citizenship|disab|displacement.?status|^displacement|\bregion\b|^region|urban.?rural",
    re.IGNORECASE,
)
MISSING_NAMES = {"dont_know": "Don't know", "refused": "Refused", "no_answer": "No answer", "not_applicable": "Not applicable"}

#: Choice names of ordered rating lists, by kind, with their rank (higher = more
#: agreement, more often). A list whose every substantive choice name is on one of
#: these ladders (after lower-casing and joining words with ``_``), with at least three
#: distinct ranks, is a rating scale: its names are numbered 1..k in rank order.
RATING_LADDERS: dict[str, dict[str, int]] = {
    "agreement": {
        **dict.fromkeys(("strongly_disagree", "completely_disagree", "totally_disagree", "fully_disagree", "disagree_strongly", "strong_disagree"), -3),
        **dict.fromkeys(("disagree",), -2),
        **dict.fromkeys(("somewhat_disagree", "slightly_disagree", "mostly_disagree", "tend_to_disagree", "partly_disagree", "partially_disagree", "mildly_disagree"), -1),
        **dict.fromkeys(("neutral", "neither", "neither_agree_nor_disagree", "neither_agree_or_disagree", "neither_disagree_nor_agree", "undecided", "agree_nor_disagree", "indifferent"), 0),
        **dict.fromkeys(("somewhat_agree", "slightly_agree", "mostly_agree", "tend_to_agree", "partly_agree", "partially_agree", "mildly_agree"), 1),
        **dict.fromkeys(("agree",), 2),
        **dict.fromkeys(("strongly_agree", "completely_agree", "totally_agree", "fully_agree", "agree_strongly", "strong_agree"), 3),
    },
    "frequency": {
        **dict.fromkeys(("never", "not_at_all"), 0),
        **dict.fromkeys(("almost_never", "hardly_ever", "very_rarely", "very_seldom"), 1),
        **dict.fromkeys(("rarely", "seldom", "once_in_a_while"), 2),
        **dict.fromkeys(("sometimes", "occasionally", "some_of_the_time", "at_times"), 3),
        **dict.fromkeys(("often", "frequently", "usually", "most_of_the_time", "fairly_often", "many_times"), 4),
        **dict.fromkeys(("very_often", "almost_always", "very_frequently", "nearly_always"), 5),
        **dict.fromkeys(("always", "all_of_the_time", "all_the_time"), 6),
    },
}
#: Choice names that mean "no answer" on a rating list (besides labels MISSING_LABELS reads).
MISSING_CHOICE_NAMES = re.compile(r"^(dont_?know|do_not_know|dk|refused?|refuse_to_answer|prefer_not(_to)?_(say|answer)|no_answer|not_applicable|n_?a|na|unsure|not_sure)$")
#: The numbers given to a text-coded rating list's missing choices (first 99, then 98 ...).
FIRST_MISSING_CODE = 99


def _choice_key(name) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(name).strip().lower().replace("'", "")).strip("_")


def rating_codes(choices: list[dict], default: str = "en") -> tuple[str, dict[str, int], dict[str, int]] | None:
    """A list of named choices read as a rating scale: (kind, name -> number, missing name ->
    code), or None when it is not one.

    Examples
    --------
    >>> rating_codes([{"name": n} for n in ["strongly_agree", "agree", "neutral", "disagree", "strongly_disagree", "dont_know"]])
    ('agreement', {'strongly_disagree': 1, 'disagree': 2, 'neutral': 3, 'agree': 4, 'strongly_agree': 5}, {'dont_know': 99})
    >>> rating_codes([{"name": n} for n in ["yes", "no"]]) is None
    True
    """
    names = [str(c.get("name", "")) for c in choices]
    missing, substantive = [], []
    for c, name in zip(choices, names):
        labels = _labels(c.get("label"), default)
        if MISSING_CHOICE_NAMES.match(_choice_key(name)) or any(MISSING_LABELS.search(v) for v in labels.values()):
            missing.append(name)
        else:
            substantive.append(name)
    for kind, ladder in RATING_LADDERS.items():
        ranks = [ladder.get(_choice_key(n)) for n in substantive]
        if substantive and None not in ranks and len(set(ranks)) == len(ranks) >= 3:
            ordered = [n for _, n in sorted(zip(ranks, substantive))]
            return kind, {n: k + 1 for k, n in enumerate(ordered)}, {n: FIRST_MISSING_CODE - k for k, n in enumerate(missing)}
    return None


@dataclass
class FormImport:
    """A codebook document made from an XLSForm, and what could not be translated."""

    doc: dict
    untranslated: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: What the import decided, in plain words (printed by ``impact import-form``).
    decisions: list[str] = field(default_factory=list)


def language_code(name: str, default: str = "en") -> str:
    """``English (en)`` -> ``en``; ``default`` (pyxform's name for unlabelled columns) -> ``default``."""
    m = re.search(r"\(([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)?)\)\s*$", name)
    if m:
        return m.group(1).lower()
    if name == "default":
        return default
    lowered = {v.lower(): k for k, v in LANGUAGE_NAMES.items()}
    return lowered.get(name.strip().lower(), name.strip().lower())


def _labels(label, default: str) -> dict[str, str]:
    if label is None:
        return {}
    if isinstance(label, str):
        return {default: label}
    return {language_code(k, default): str(v) for k, v in label.items() if v not in (None, "")}


def _missing_name(label: dict[str, str], code: str) -> str:
    text = label.get("en") or next(iter(label.values()), "") or f"code_{code}"
    return re.sub(r"[^a-z0-9]+", "_", text.lower().replace("'", "")).strip("_") or f"code_{code}"


def parse_range(constraint: str) -> tuple[int | None, int | None, list[int]] | None:
    """A simple constraint as (min, max, extra codes), or None when it is not one.

    Understood: comparisons of ``.`` with whole numbers joined by ``and``
    (``. >= 1 and . <= 5``, ``. > 0``), optionally followed by ``or . = N`` terms
    (codes allowed besides the range, such as 88 for "don't know").

    Examples
    --------
    >>> parse_range(". >= 1 and . <= 5")
    (1, 5, [])
    >>> parse_range("(. > 0 and . < 11) or . = 88")
    (1, 10, [88])
    >>> parse_range("regex(., '^[0-9]+$')") is None
    True
    """
    parts = [p.strip() for p in re.split(r"\s+or\s+", constraint.strip())]
    head = parts[0]
    if head.startswith("(") and head.endswith(")") and head.count("(") == 1:
        head = head[1:-1]
    lo = hi = None
    for term in re.split(r"\s+and\s+", head):
        m = _COMPARE.match(term.strip())
        if m is None:
            return None
        op, n = m.group(1), int(m.group(2))
        if op == ">=":
            lo = n
        elif op == ">":
            lo = n + 1
        elif op == "<=":
            hi = n
        elif op == "<":
            hi = n - 1
        else:
            lo = hi = n
    extra = []
    for p in parts[1:]:
        m = _COMPARE.match(p)
        if m is None or m.group(1) != "=":
            return None
        extra.append(int(m.group(2)))
    return lo, hi, extra


def _is_int(text) -> bool:
    return re.fullmatch(r"-?\d+", str(text).strip()) is not None


def import_form(path: str | Path) -> FormImport:
    """Read an XLSForm with pyxform and translate it into a codebook document.

    Parameters
    ----------
    path : path
        An XLSForm workbook (``.xlsx``, ``.xls``) or its CSV/Markdown forms as pyxform reads them.

    Returns
    -------
    FormImport
        ``doc`` is a codebook document (:func:`pipeline.instruments.codebook.parse_codebook`
        accepts it); ``untranslated`` names every question or setting left out or
        only partly translated, and why.

    Raises
    ------
    InputError
        The file is missing or pyxform cannot read it as an XLSForm (its message, with the row).
    """
    from pyxform.errors import PyXFormError

    path = Path(path)
    if not path.is_file():
        raise InputError(path, "file not found")
    warnings: list[str] = []
    try:
        form = _pyxform_json(path, warnings)
    except PyXFormError as exc:
        raise InputError(path, f"not a valid XLSForm: {exc}") from None
    except Exception as exc:  # pyxform and openpyxl raise many kinds for a file that is no workbook
        raise InputError(path, f"not a readable XLSForm ({type(exc).__name__}: {exc})") from None
    default = language_code(form.get("default_language") or "default", "en")
    default = default if default != "default" else "en"
    out = FormImport(doc={}, notes=list(warnings))
    fields = [
        {"id": "submission_id", "role": "submission_id", "column": "_uuid", "required": True},
        {"id": "submission_time", "role": "submission_time", "column": "_submission_time", "required": True},
    ]
    items, scales, response_scales, languages = [], [], {}, []
    conditions: list[tuple[dict, str, str]] = []  # (entry, relevant, where)
    tagged: dict[str, list[str]] = {}  # impact_scale -> items
    numeric: list[str] = []
    groups_not_scales: list[str] = []

    def note_languages(labels):
        for code in labels:
            if code not in languages:
                languages.append(code)

    def walk(children, group: str | None, condition: str | None = None):
        for q in children:
            qtype, name = q.get("type", ""), q.get("name", "")
            bind = q.get("bind") or {}
            labels = _labels(q.get("label"), default)
            note_languages(labels)
            role = str(q.get("impact_role") or "").strip()
            where = f"{name!r} ({qtype})"
            if role and role not in FIELD_ROLES:
                out.untranslated.append(f"{where}: impact_role {role!r} is not a codebook role; expected one of {sorted(FIELD_ROLES)}")
                role = ""
            if qtype == "group" and name == "meta":
                continue  # instanceID and the like: the submission id fields stand for them
            own = combine(condition, bind.get("relevant"))
            if qtype == "group":
                before = len(items)
                walk(q.get("children") or [], name, own)
                members = [it for it in items[before:] if it["id"] not in {x for v in tagged.values() for x in v}]
                if _rating_group(members, response_scales):
                    scales.append({"id": name, "label": labels or {"en": name}, "items": [it["id"] for it in members]})
                elif members:
                    groups_not_scales.append(name)
                continue
            if qtype == "repeat":
                out.untranslated.append(f"{where}: a repeat group (one row per repetition, a separate sheet or file in exports); its questions were left out")
                continue
            before_f, before_i = len(fields), len(items)
            constraint = bind.get("constraint")
            required = str(bind.get("required", "")).strip().lower() in ("yes", "true", "true()")
            if qtype in METADATA_TYPES:
                fields.append({"id": name, "role": "ignore"})
            elif qtype in ("note",):
                continue
            elif qtype == "calculate":
                out.untranslated.append(f"{where}: a calculation ({bind.get('calculate')!r}); not kept")
            elif qtype in MEDIA_TYPES:
                out.untranslated.append(f"{where}: a media answer; not kept")
            elif qtype == "select one" and not role and q.get("choices") and all(_is_int(c["name"]) for c in q["choices"]):
                items.append(_item(q, labels, default, response_scales, out))
                if constraint:
                    out.untranslated.append(f"{where}: constraint {constraint!r} on a choice list is not checked (the list's codes are)")
            elif qtype == "select one" and not role and q.get("choices") and rating_codes(q["choices"], default):
                items.append(_coded_item(q, labels, default, response_scales, out))
            elif qtype in ("select one", "select all that apply"):
                choices = q.get("choices") or []
                if not choices:
                    out.untranslated.append(f"{where}: choices from a file or another list ({q.get('itemset')!r}) are not read; kept as text")
                breakdown = qtype == "select one" and _breakdown_like(name, labels)
                entry = {"id": name, "role": role or ("grouping" if breakdown else "attribute"), "label": labels}
                if choices:
                    entry["choices"] = {str(c["name"]): _labels(c.get("label"), default) or {"en": str(c["name"])} for c in choices}
                if qtype == "select all that apply":
                    entry["type"] = "multiple"
                if entry["role"] == "comparison":
                    value = str(q.get("impact_comparison_value") or "").strip()
                    if value and value in entry.get("choices", {}):
                        entry["comparison_value"] = value
                    else:
                        entry["role"] = "grouping"
                        out.untranslated.append(f"{where}: a comparison group field needs impact_comparison_value (the choice of people who did not take part); kept as a grouping field")
                if required:
                    entry["required"] = True
                fields.append(entry)
            elif qtype in ("integer", "decimal", "range"):
                rng = parse_range(constraint) if constraint else None
                bounded = rng is not None and rng[0] is not None and rng[1] is not None
                if qtype == "integer" and bounded and not role and rng[1] - rng[0] > MAX_RATING_SPAN:
                    numeric.append(name)
                    fields.append({"id": name, "role": "attribute", "type": "number", "label": labels})
                elif qtype == "integer" and bounded and not role:
                    lo, hi, extra = rng
                    sid = f"{name}_range"
                    response_scales[sid] = {"values": {"min": lo, "max": hi}}
                    if extra:
                        response_scales[sid]["missing"] = {e: f"code_{e}" for e in extra}
                    item = {"id": name, "response_scale": sid, "label": labels or {"en": name}}
                    if _yes(q.get("impact_reverse")):
                        item["reverse"] = True
                    items.append(item)
                else:
                    why = "a decimal answer" if qtype == "decimal" else "no range constraint" if not constraint else f"constraint {constraint!r} is not a range of whole numbers"
                    out.untranslated.append(f"{where}: {why}; kept as a number field, not a scored item")
                    fields.append({"id": name, "role": role or "attribute", "type": "number", "label": labels})
            elif qtype in PERSONAL_TYPES or role:
                entry = {"id": name, "role": role or "personal", "label": labels}
                if required and (role or "personal") not in ("personal", "ignore"):
                    entry["required"] = True
                fields.append(entry)
                if not role:
                    out.notes.append(
                        f"{where}: marked personal (dropped at ingestion): free text, dates and places may identify people; set impact_role to keep it (free_text is kept with e-mail addresses and phone numbers removed)"
                    )
            else:
                out.untranslated.append(f"{where}: question type {qtype!r} is not translated")
            added = fields[before_f:] + items[before_i:]
            if own and added:
                conditions.append((added[0], own, where))
            tag = str(q.get("impact_scale") or "").strip()
            if tag and len(items) > before_i:
                tagged.setdefault(tag, []).append(items[-1]["id"])

    walk(form.get("children") or [], None)
    _settle_conditions(conditions, fields, items, out)
    for sid, members in tagged.items():
        if sid in {s["id"] for s in scales}:
            out.untranslated.append(f"impact_scale {sid!r}: a scale of the form's groups has that name already; the tagged items were left out of it")
            continue
        scales.append({"id": sid, "label": {"en": sid}, "items": members})
    _link_birth_dates(fields, out)
    pairing = None
    if any(f["role"] == "code" for f in fields):
        pairing = {"by": "code"}
        out.notes.append("fields with impact_role code: the waves are paired by the self-generated code (pairing: by: code); check max_differences (default 1)")
    if scales:
        out.notes.append(f"scales proposed {[s['id'] for s in scales]}: check min_answered (default two thirds), range, unit and reliability")
    _decide(out, fields, items, scales, response_scales, numeric, groups_not_scales, tagged)
    title = _labels(form.get("title"), default) if not isinstance(form.get("title"), str) else {default: form["title"]}
    out.doc = {
        "instrument": str(form.get("id_string") or path.stem),
        "version": str(form.get("version") or "1"),
        "title": title,
        "languages": languages or [default],
        "design": "paired_pre_post" if any(f["role"] in ("respondent_id", "code") for f in fields) else "cross_section",
        "fields": fields,
        "response_scales": response_scales,
        "items": items,
        "scales": scales,
    }
    # every language a label is written in (a choice list may have languages its questions lack)
    for _, label in label_entries(out.doc):
        for code in label if isinstance(label, dict) else ():
            if code not in out.doc["languages"]:
                out.doc["languages"].append(code)
    if pairing:
        out.doc["pairing"] = pairing
    if out.doc["design"] == "cross_section":
        out.doc["waves"] = [{"id": "once"}]
        out.decisions.append(
            "design cross_section (one wave, 'once'): no question has impact_role respondent_id, so answers cannot be paired across waves; set one and 'design: paired_pre_post' for a before/after survey"
        )
    else:
        out.decisions.append("design paired_pre_post (waves pre and post, paired by the respondent identifier)")
    return out


def _link_birth_dates(fields: list[dict], out: FormImport) -> None:
    """A birth date fills the first field whose choices are age ranges (``18-29``, ``65+``); without one it stays personal."""
    from pipeline.instruments.codebook import age_bands_from_choices

    target = next((f["id"] for f in fields if f.get("choices") and age_bands_from_choices(list(f["choices"]))), None)
    for f in fields:
        if f["role"] == "birth_date":
            if target is None:
                f["role"] = "personal"
                out.untranslated.append(f"{f['id']!r}: a birth date, but no question has age groups such as '18-29' to receive it; marked personal")
            else:
                f["age_group"] = target


def _pyxform_json(path: Path, warnings: list[str]) -> dict:
    """pyxform's reading of the form. A choice list that repeats a name (KoboToolbox
    accepts it with the setting ``allow_choice_duplicates``) is read as KoboToolbox reads it,
    and said so."""
    from pyxform.errors import PyXFormError
    from pyxform.xls2json import workbook_to_json
    from pyxform.xls2json_backends import get_xlsform

    dropped: list[str] = []
    blanked: list[tuple[int, str]] = []  # (survey row index, column) of cells pyxform cannot read

    def read(allow: bool, external: bool = False) -> dict:
        book = get_xlsform(xlsform=str(path))
        if allow:
            if not book.settings:
                book.settings = [{}]
            book.settings[0]["allow_choice_duplicates"] = "yes"
            book.settings_header = [{**(book.settings_header[0] if book.settings_header else {}), "allow_choice_duplicates": None}]
        for col in dropped:
            for row in book.survey:
                row.pop(col, None)
            for header in book.survey_header:
                header.pop(col, None)
        if external:  # select_one_external without its sheet: a text answer (its codes cannot be checked)
            for row in book.survey:
                if str(row.get("type", "")).startswith("select_one_external"):
                    row["type"] = "text"
        for k, col in blanked:
            if 0 <= k < len(book.survey) and col.split("::")[0] in ("label", "hint", "constraint_message", "required_message", "guidance_hint"):
                book.survey[k][col] = re.sub(r"\$\{\s*([^}]*)\}", r"\1", str(book.survey[k].get(col, "")))
            elif 0 <= k < len(book.survey) and col == "calculation":
                book.survey[k][col] = "''"  # not kept anyway; an empty text keeps pyxform content
            elif 0 <= k < len(book.survey):
                book.survey[k].pop(col, None)
                if col == "relevant":  # a condition nobody can evaluate: the question is optional
                    book.survey[k].pop("required", None)
        return workbook_to_json(workbook_dict=book, form_name="data", fallback_form_name=book.fallback_form_name, default_language="default", warnings=warnings)

    allow = external = False
    for _ in range(200):
        try:
            return read(allow, external)
        except PyXFormError as exc:
            text = str(exc)
            if "allow_choice_duplicates" in text and not allow:
                allow = True
                warnings.append(f"a choice list repeats a name ({text.split(']', 1)[0].strip('[')}); read with allow_choice_duplicates, as KoboToolbox does")
                continue
            if "external_choices sheet" in text and not external:
                external = True
                warnings.append("select_one_external questions without the external_choices sheet (their choices live in a file on the server) are read as text answers")
                continue
            m = re.search(r"On the 'survey' sheet, the '([^']+)' value is invalid", text)
            row = re.search(r"\[row : (\d+)\]", text)
            if (
                m
                and row
                and (
                    m.group(1) in ("calculation", "relevant", "constraint", "choice_filter", "default", "repeat_count")
                    or m.group(1).split("::")[0] in ("label", "hint", "constraint_message", "required_message", "guidance_hint")
                )
                and (int(row.group(1)) - 2, m.group(1)) not in blanked
            ):
                blanked.append((int(row.group(1)) - 2, m.group(1)))
                warnings.append(
                    f"survey row {row.group(1)}: its {m.group(1)} cannot be read ({text.split(']', 1)[1].strip()}); left out{' and the question made optional' if m.group(1) == 'relevant' else ''}"
                )
                continue
            if m and m.group(1).split("::")[0].lower() not in XLSFORM_COLUMNS and m.group(1) not in dropped:
                dropped.append(m.group(1))
                warnings.append(f"the survey sheet's column {m.group(1)!r} is not an XLSForm column and pyxform cannot read it ({text.split(']', 1)[0].strip('[')}); it was left out")
                continue
            raise
    raise PyXFormError("too many unreadable columns")


#: Columns of the survey sheet that XLSForm defines (any other is a tool's own column).
XLSFORM_COLUMNS = {
    "type",
    "name",
    "label",
    "hint",
    "guidance_hint",
    "required",
    "required_message",
    "relevant",
    "constraint",
    "constraint_message",
    "calculation",
    "choice_filter",
    "appearance",
    "default",
    "read_only",
    "repeat_count",
    "parameters",
    "trigger",
    "media",
    "image",
    "audio",
    "video",
    "bind",
    "body",
    "instance",
    "note",
}


def _breakdown_like(name: str, labels: dict[str, str]) -> bool:
    return bool(BREAKDOWN_WORDS.search(name) or any(BREAKDOWN_WORDS.search(v) for v in labels.values() if len(v) < 60))


def _rating_group(members: list[dict], response_scales: dict) -> bool:
    """A group is proposed as a scale only when it holds at least two items on one
    rating-like list: the same response scale with at least three ordered values."""
    if len(members) < 2:
        return False
    ids = {m["response_scale"] for m in members}
    if len(ids) != 1:
        return False
    values = response_scales[ids.pop()]["values"]
    n = values["max"] - values["min"] + 1 if isinstance(values, dict) else len(values)
    return n >= 3


def _settle_conditions(conditions: list[tuple[dict, str, str]], fields: list[dict], items: list[dict], out: FormImport) -> None:
    """Carry each question's ``relevant`` into its codebook entry where it can be
    evaluated; where it cannot, say so once and make a required question optional."""
    kept = {f["id"] for f in fields if f["role"] not in DROPPED_ROLES} | {i["id"] for i in items}
    for entry, text, where in conditions:
        try:
            refs = parse(text).references
            unknown = sorted(refs - kept)
            if unknown:
                raise UnsupportedExpression(f"it refers to {unknown}, which the codebook does not keep")
        except UnsupportedExpression as exc:
            if entry.pop("required", False):
                out.untranslated.append(f"{where}: skip logic relevant={text!r} cannot be evaluated ({exc}); the question is treated as optional")
            continue
        entry["relevant"] = text


def _decide(out: FormImport, fields, items, scales, response_scales, numeric, groups_not_scales, tagged) -> None:
    """What the import decided, for the user to check (printed by ``impact import-form``)."""
    d = out.decisions
    d.append(
        f"{len(items)} scored item(s) (select_one with number codes or on an agreement/frequency list, or whole numbers in a range of at most {MAX_RATING_SPAN + 1} values): {[i['id'] for i in items][:12]}{' ...' if len(items) > 12 else ''}"
    )
    if numeric:
        d.append(f"{len(numeric)} bounded whole number(s) kept as number fields, not scored: {numeric[:12]}{' ...' if len(numeric) > 12 else ''}")
    groups = [f["id"] for f in fields if f["role"] == "grouping"]
    d.append(f"breakdowns of the indicators (role grouping): {groups or 'none'}; other select_one questions are kept as attributes (set impact_role: grouping to break down by one)")
    if scales:
        d.append(f"scales: {[(s['id'], len(s['items'])) for s in scales]} ({'from the impact_scale column' if tagged else 'groups of items on one rating list'})")
    else:
        d.append("no scale: add an impact_scale column to the survey sheet naming the scale of each item, or add scales: to the codebook")
    if groups_not_scales:
        d.append(
            f"{len(groups_not_scales)} group(s) of the form are not scales (their items are not on one rating list of three or more values): {groups_not_scales[:8]}{' ...' if len(groups_not_scales) > 8 else ''}"
        )
    with_skip = [f["id"] for f in fields + items if f.get("relevant")]
    if with_skip:
        d.append(f"{len(with_skip)} question(s) keep their skip logic (relevant): a required one is only required where it is shown")


def _yes(value) -> bool:
    return str(value or "").strip().lower() in ("yes", "true", "1", "true()")


def _item(q: dict, labels: dict, default: str, response_scales: dict, out: FormImport) -> dict:
    """A select_one question with whole-number choices -> an item and its response scale."""
    list_name = q.get("list_name") or q.get("itemset") or f"{q['name']}_choices"
    if list_name not in response_scales:
        values, missing, value_labels = [], {}, {}
        for c in q["choices"]:
            code = int(c["name"])
            lab = _labels(c.get("label"), default)
            if any(MISSING_LABELS.search(v) for v in lab.values()):
                missing[code] = _missing_name(lab, str(code))
            else:
                values.append(code)
                if lab and any(v.strip() != str(code) for v in lab.values()):
                    value_labels[code] = lab
        spec: dict = {"values": {"min": min(values), "max": max(values)} if values == list(range(min(values), max(values) + 1)) else sorted(values)}
        if value_labels:
            spec["labels"] = value_labels
        if missing:
            spec["missing"] = missing
        response_scales[list_name] = spec
    item = {"id": q["name"], "response_scale": list_name, "label": labels or {"en": q["name"]}}
    if _yes(q.get("impact_reverse")):
        item["reverse"] = True
    return item


def _coded_item(q: dict, labels: dict, default: str, response_scales: dict, out: FormImport) -> dict:
    """A select_one question on a rating list with text codes (strongly_agree ...) -> an
    item; the list becomes a response scale whose ``codes`` map the names to ordered
    numbers (1 = least agreement, least often), its "don't know"-like choices missing codes."""
    list_name = q.get("list_name") or q.get("itemset") or f"{q['name']}_choices"
    if list_name not in response_scales:
        kind, codes, missing = rating_codes(q["choices"], default)
        value_labels = {}
        for c in q["choices"]:
            name = str(c["name"])
            lab = _labels(c.get("label"), default)
            if name in codes:
                value_labels[codes[name]] = lab or {"en": name.replace("_", " ")}
        spec = {
            "values": {"min": 1, "max": len(codes)},
            "codes": {**codes, **missing},
            "labels": dict(sorted(value_labels.items())),
        }
        if missing:
            spec["missing"] = {code: _choice_key(name) or f"code_{code}" for name, code in missing.items()}
        response_scales[list_name] = spec
        shown = ", ".join(f"{n}={v}" for n, v in codes.items())
        gone = f"; {', '.join(f'{n}={v}' for n, v in missing.items())} missing" if missing else ""
        out.decisions.append(f"list {list_name!r}: text codes read as a rating scale ({kind}): {shown}{gone} (check the order; edit response_scales.{list_name}.codes to change it)")
    item = {"id": q["name"], "response_scale": list_name, "label": labels or {"en": q["name"]}}
    if _yes(q.get("impact_reverse")):
        item["reverse"] = True
    return item


def _comment(text: str) -> str:
    """A note as YAML comment lines: every line of a multi-line note starts with ``#``."""
    lines = str(text).splitlines() or [""]
    return "\n".join([f"#   - {lines[0]}", *[f"#     {x}" for x in lines[1:]]])


def write_codebook(result: FormImport, path: str | Path, source: str = "") -> Path:
    """Write an imported codebook as commented YAML (the untranslated list as comments on top)."""
    import yaml

    path = Path(path)
    lines = [f"# Codebook imported from the XLSForm {source} by `impact import-form`.", "# Check it before use: scales, their min_answered, range, unit and reliability are proposals."]
    if result.decisions:
        lines.append("#")
        lines.append("# What import-form decided (correct it here, or with impact_role / impact_scale in the form):")
        lines += [_comment(d) for d in result.decisions]
    if result.untranslated:
        lines.append("#")
        lines.append("# Not translated from the form:")
        lines += [_comment(u) for u in result.untranslated]
    if result.notes:
        lines.append("#")
        lines.append("# Notes:")
        lines += [_comment(n) for n in result.notes]
    body = yaml.safe_dump(result.doc, allow_unicode=True, sort_keys=False, width=120)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n" + body, encoding="utf-8")
    return path
