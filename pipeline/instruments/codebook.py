"""Instruments as data: load and check a YAML codebook.

A codebook describes one survey instrument: its fields (identifiers, grouping
fields, personal data), its items with their response scales, the codes that mean
"don't know" or "refused" (never scored), which items are reverse-keyed, and the
scales built from items. See ``surveys/community_attitudes.yaml`` for a commented
example; ``docs/codebook.md`` documents the format.

The loader checks the file's structure and cross-references and raises
:class:`~pipeline.errors.CodebookError` naming the file and the entry at fault.
What a loaded codebook is made of (the dataclasses and the constants naming roles,
designs and field types) lives in :mod:`pipeline.instruments.codebook_model`; every
name there is re-exported here.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from pipeline.errors import CodebookError
from pipeline.instruments.codebook_model import (
    DESIGNS,
    DROPPED_ROLES,
    FIELD_ROLES,
    FIELD_TYPES,
    SINGLE_ROLES,
    SINGLE_WAVE_DESIGNS,
    Codebook,
    Field,
    Headcount,
    Item,
    ResponseScale,
    RowChecks,
    Scale,
)
from pipeline.instruments.yaml_io import read_yaml

__all__ = [
    "DESIGNS",
    "DROPPED_ROLES",
    "FIELD_ROLES",
    "FIELD_TYPES",
    "SINGLE_ROLES",
    "SINGLE_WAVE_DESIGNS",
    "Codebook",
    "Field",
    "Headcount",
    "Item",
    "ResponseScale",
    "RowChecks",
    "Scale",
    "LAYOUTS",
    "PAIRINGS",
    "age_bands_from_choices",
    "label_entries",
    "load_codebook",
    "parse_codebook",
]


# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------


def load_codebook(path: str | Path) -> Codebook:
    """Read and check a codebook YAML file.

    Parameters
    ----------
    path : str or Path
        The codebook file.

    Returns
    -------
    Codebook

    Raises
    ------
    CodebookError
        When the file is missing, is not YAML, or an entry is malformed; the message
        names the file and the entry (``items[3].response_scale: unknown scale 'x'``).
    """
    path = Path(path)
    doc = _read_yaml(path)
    return parse_codebook(doc, path)


def parse_codebook(doc: Any, path: str | Path = "<codebook>") -> Codebook:
    """Build a :class:`Codebook` from an already parsed YAML document."""
    path = Path(path)
    if not isinstance(doc, dict):
        raise CodebookError(path, "(top level)", "expected a mapping of keys such as 'instrument', 'items'")
    _require(doc, ("instrument",), path, "(top level)")
    _check_label_languages(doc, path)
    doc = {**doc, "items": doc.get("items") or []}  # a form of fields only (a one-off survey) needs no items
    scales_doc = doc.get("response_scales") or {}
    if not isinstance(scales_doc, dict):
        raise CodebookError(path, "response_scales", "expected a mapping of scale id -> definition")
    response_scales = {sid: _parse_response_scale(sid, spec, path) for sid, spec in scales_doc.items()}

    waves_doc = doc.get("waves") or ([{"id": "once"}] if doc.get("design") in SINGLE_WAVE_DESIGNS else [{"id": "pre"}, {"id": "post"}])
    waves, wave_labels = [], {}
    for i, w in enumerate(waves_doc):
        wid = w.get("id") if isinstance(w, dict) else w
        if not isinstance(wid, str):
            raise CodebookError(path, f"waves[{i}]", "each wave needs an 'id' (text)")
        waves.append(wid)
        wave_labels[wid] = (w.get("label") if isinstance(w, dict) else None) or {"en": wid}

    layout = str(doc.get("layout", "long"))
    if layout not in LAYOUTS:
        raise CodebookError(path, "layout", f"unknown layout {layout!r}; expected one of {list(LAYOUTS)}")
    fields = tuple(_parse_field(i, f, path) for i, f in enumerate(doc.get("fields") or []))
    items = tuple(_parse_item(i, it, response_scales, path) for i, it in enumerate(doc["items"]))
    if layout == "wide":
        items = tuple(_wide_columns(i, it, doc["items"][i], waves, path) for i, it in enumerate(items))
        item_columns = [c for it in items for c in it.columns.values()]
    else:
        for i, spec in enumerate(doc["items"]):
            if isinstance(spec, dict) and "columns" in spec:
                raise CodebookError(path, f"items[{i}].columns", "per-wave columns need 'layout: wide' at the top of the codebook")
        item_columns = [i.column for i in items]
    _check_unique([f.id for f in fields] + [i.id for i in items], path, "fields/items", "id")
    _check_unique([f.column for f in fields] + item_columns, path, "fields/items", "column")
    for role in (*SINGLE_ROLES, "comparison"):
        having = [f.id for f in fields if f.role == role]
        if len(having) > 1:
            raise CodebookError(path, "fields", f"only one field may have role {role!r}; found {having}")

    fields = _link_birth_dates(fields, path)
    _check_relevant(fields, items, path)
    pairing, max_differences = _parse_pairing(doc.get("pairing"), fields, path)
    item_ids = {i.id for i in items}
    scales = tuple(_parse_scale(i, s, item_ids, {i.id: i for i in items}, path) for i, s in enumerate(doc.get("scales") or []))
    _check_unique([s.id for s in scales], path, "scales", "id")

    title = doc.get("title") or {"en": doc["instrument"]}
    if isinstance(title, str):
        title = {"en": title}
    design = str(doc.get("design", "paired_pre_post"))
    if design not in DESIGNS:
        raise CodebookError(path, "design", f"unknown design {design!r}; expected one of {sorted(DESIGNS)}")
    headcounts = _parse_headcounts(doc.get("headcounts"), fields, path)
    checks = _parse_checks(doc.get("checks"), fields, path)
    report_per = doc.get("report_per")
    if report_per is not None and report_per not in {f.name for f in fields}:
        raise CodebookError(path, "report_per", f"{report_per!r} is not a field of this codebook; fields: {sorted(f.name for f in fields)}")
    return Codebook(
        instrument=str(doc["instrument"]),
        version=str(doc.get("version", "1")),
        title=title,
        languages=tuple(doc.get("languages") or ("en",)),
        design=design,
        waves=tuple(waves),
        wave_labels=wave_labels,
        fields=fields,
        items=items,
        scales=scales,
        path=path,
        layout=layout,
        pairing=pairing,
        max_differences=max_differences,
        headcounts=headcounts,
        checks=checks,
        report_per=report_per,
    )


def label_entries(doc: dict):
    """Every label mapping a codebook writes, with the entry that names it.

    Yields ``(entry, value)`` for the title, wave labels, field labels and choice
    labels, item labels and anchors, response-scale labels, scale labels and units (a
    scale's ``unit`` may be a mapping of languages too), head-count labels.
    """

    def name(spec: Any, i: int, what: str) -> str:
        ident = spec.get("id") if isinstance(spec, dict) else None
        return f"{what}[{i}] ({ident})" if ident is not None else f"{what}[{i}]"

    yield "title", doc.get("title")
    for what, key in (("waves", "label"), ("fields", "label"), ("items", "label"), ("scales", "label")):
        specs = doc.get(what)
        for i, spec in enumerate(specs if isinstance(specs, list) else []):
            if not isinstance(spec, dict):
                continue
            entry = name(spec, i, what)
            yield f"{entry}.label", spec.get(key)
            if what == "scales" and isinstance(spec.get("unit"), dict):
                yield f"{entry}.unit", spec.get("unit")
            for sub in ("choices", "anchors"):
                values = spec.get(sub)
                if isinstance(values, dict):
                    for code, label in values.items():
                        yield f"{entry}.{sub}.{code}", label
    for group, sub in (("response_scales", "labels"), ("headcounts", None)):
        specs = doc.get(group)
        for sid, spec in specs.items() if isinstance(specs, dict) else ():
            if not isinstance(spec, dict):
                continue
            if sub is None:
                yield f"{group}.{sid}.label", spec.get("label")
                continue
            values = spec.get(sub)
            for code, label in values.items() if isinstance(values, dict) else ():
                yield f"{group}.{sid}.{sub}.{code}", label


def _check_label_languages(doc: dict, path: Path) -> None:
    """Reject a label keyed by anything but a declared language.

    A YAML flow mapping with an unquoted comma, ``{en: Refugee, asylum seeker or
    migrant}``, loads as the label "Refugee" plus a key "asylum seeker or migrant": the
    label is cut short without an error. Every key of a label mapping must be one of
    ``languages`` (default ``[en]``), so this cannot pass unnoticed.
    """
    declared = doc.get("languages") or ["en"]
    if not isinstance(declared, list) or not all(isinstance(x, str) for x in declared):
        raise CodebookError(path, "languages", f"expected a list of language codes such as [en, fr], got {declared!r}")
    for entry, label in label_entries(doc):
        if not isinstance(label, dict):
            continue
        stray = [k for k in label if k not in declared]
        if stray:
            hint = ""
            if any(v is None for k, v in label.items() if k in stray):
                hint = ' (a label with a comma inside {...} must be quoted: {en: "Refugee, asylum seeker or migrant"})'
            raise CodebookError(
                path,
                entry,
                f"label key(s) {', '.join(repr(str(k)) for k in stray)} are not declared languages {declared}{hint}",
            )


def _link_birth_dates(fields: tuple[Field, ...], path: Path) -> tuple[Field, ...]:
    """Check each ``birth_date`` field's ``age_group`` and settle its age bands."""
    from dataclasses import replace

    by_id = {f.id: f for f in fields}
    out = []
    for i, f in enumerate(fields):
        if f.role == "birth_date":
            target = by_id.get(f.age_group or "")
            if target is None or target.role != "grouping":
                raise CodebookError(path, f"fields[{i}].age_group", f"a birth_date field names the grouping field that receives the age group; got {f.age_group!r}")
            bands = f.age_bands or age_bands_from_choices(target.choices or ())
            if not bands:
                raise CodebookError(path, f"fields[{i}].age_bands", f"the choices of {target.id!r} are not age ranges such as '18-29' or '65+'; declare age_bands")
            unknown = set(bands) - set(target.choices or bands)
            if unknown:
                raise CodebookError(path, f"fields[{i}].age_bands", f"age groups {sorted(unknown)} are not choices of {target.id!r}")
            f = replace(f, age_bands=bands)
        out.append(f)
    return tuple(out)


#: How the waves of an instrument are paired (see :attr:`Codebook.pairing`).
PAIRINGS = ("respondent_id", "code")


def _parse_pairing(spec: Any, fields: tuple[Field, ...], path: Path) -> tuple[str, int]:
    """``pairing: code`` or ``pairing: {by: code, max_differences: 1}`` (default: respondent_id)."""
    if spec is None:
        return "respondent_id", 1
    doc = {"by": spec} if isinstance(spec, str) else spec
    if not isinstance(doc, dict) or doc.get("by") not in PAIRINGS:
        raise CodebookError(path, "pairing", f"expected one of {list(PAIRINGS)} or {{by: code, max_differences: 1}}; got {spec!r}")
    k = doc.get("max_differences", 1)
    if isinstance(k, bool) or not isinstance(k, int) or k < 0:
        raise CodebookError(path, "pairing.max_differences", f"expected a whole number >= 0, got {k!r}")
    if doc["by"] == "code":
        codes = [f.id for f in fields if f.role == "code"]
        if len(codes) < 2:
            raise CodebookError(path, "pairing", f"pairing by code needs at least two fields with role 'code' (the code's elements); found {codes}")
        if k >= len(codes):
            raise CodebookError(path, "pairing.max_differences", f"{k} differences out of {len(codes)} elements would match anyone; use fewer")
    return str(doc["by"]), int(k)


#: Layouts of an export file (see :attr:`Codebook.layout`).
LAYOUTS = ("long", "wide")


def _wide_columns(i: int, item: Item, spec: dict, waves: list[str], path: Path) -> Item:
    """An item of a wide codebook with its per-wave export columns checked."""
    entry = f"items[{i}].columns"
    cols = spec.get("columns")
    if not isinstance(cols, dict) or not cols:
        raise CodebookError(path, entry, "a wide codebook gives each item its column per wave, e.g. {pre: q1_t0, post: q1_t1}")
    unknown = [w for w in cols if str(w) not in waves]
    if unknown:
        raise CodebookError(path, entry, f"unknown wave(s) {unknown}; waves: {waves}")
    columns = {str(w): str(c) for w, c in cols.items()}
    return dataclasses.replace(item, column=next(iter(columns.values())), columns=columns)


def _read_yaml(path: Path) -> Any:
    """Every YAML file is read by :func:`pipeline.instruments.yaml_io.read_yaml` (no aliases, no duplicate keys, a size cap)."""
    return read_yaml(path)


def _require(doc: dict, keys, path: Path, entry: str) -> None:
    missing = [k for k in keys if k not in doc]
    if missing:
        raise CodebookError(path, entry, f"missing key(s) {missing}; keys found: {sorted(doc)}")


def _check_unique(values, path: Path, entry: str, what: str) -> None:
    seen, dup = set(), []
    for v in values:
        if v in seen:
            dup.append(v)
        seen.add(v)
    if dup:
        raise CodebookError(path, entry, f"duplicate {what}(s): {sorted(set(dup))}")


def _labels(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, str):
        return {"en": value}
    return {str(k): str(v) for k, v in value.items()}


def _parse_response_scale(sid: str, spec: Any, path: Path) -> ResponseScale:
    entry = f"response_scales.{sid}"
    if not isinstance(spec, dict) or "values" not in spec:
        raise CodebookError(path, entry, "expected a mapping with 'values' ({min:, max:} or a list)")
    vals = spec["values"]
    if isinstance(vals, dict):
        _require(vals, ("min", "max"), path, entry + ".values")
        lo, hi = vals["min"], vals["max"]
        if not (isinstance(lo, int) and isinstance(hi, int)) or lo > hi:
            raise CodebookError(path, entry + ".values", f"min and max must be whole numbers with min <= max, got {lo!r}, {hi!r}")
        values = tuple(range(lo, hi + 1))
    elif isinstance(vals, list) and vals and all(isinstance(v, int) for v in vals):
        values = tuple(sorted(vals))
    else:
        raise CodebookError(path, entry + ".values", f"expected {{min:, max:}} or a list of whole numbers, got {vals!r}")
    missing_doc = spec.get("missing") or {}
    if not isinstance(missing_doc, dict) or not all(isinstance(k, int) for k in missing_doc):
        raise CodebookError(path, entry + ".missing", "expected a mapping of whole-number code -> meaning")
    clash = set(missing_doc) & set(values)
    if clash:
        raise CodebookError(path, entry + ".missing", f"codes {sorted(clash)} are also substantive values")
    labels = {int(k): _labels(v) for k, v in (spec.get("labels") or {}).items()}
    codes_doc = spec.get("codes") or {}
    if not isinstance(codes_doc, dict) or not all(isinstance(v, int) and not isinstance(v, bool) for v in codes_doc.values()):
        raise CodebookError(path, entry + ".codes", f"expected a mapping of text code -> whole number (strongly_agree: 5), got {codes_doc!r}")
    stray = {str(k): v for k, v in codes_doc.items() if v not in set(values) | set(missing_doc)}
    if stray:
        raise CodebookError(path, entry + ".codes", f"codes {stray} name numbers that are neither values nor missing codes of the scale")
    folded = [str(k).strip().casefold() for k in codes_doc]
    if len(set(folded)) != len(folded):
        raise CodebookError(path, entry + ".codes", f"text codes repeat (letter case is ignored): {sorted(codes_doc)}")
    codes = {str(k).strip(): int(v) for k, v in codes_doc.items()}
    return ResponseScale(sid, values, {int(k): str(v) for k, v in missing_doc.items()}, labels, codes)


def _parse_field(i: int, spec: Any, path: Path) -> Field:
    entry = f"fields[{i}]"
    if not isinstance(spec, dict):
        raise CodebookError(path, entry, "expected a mapping with 'id' and 'role'")
    _require(spec, ("id", "role"), path, entry)
    role = spec["role"]
    if role not in FIELD_ROLES:
        raise CodebookError(path, f"{entry}.role", f"unknown role {role!r}; expected one of {sorted(FIELD_ROLES)}")
    choices_doc = spec.get("choices")
    choices, choice_labels = None, {}
    if isinstance(choices_doc, list):
        choices = tuple(str(c) for c in choices_doc)
    elif isinstance(choices_doc, dict):
        choices = tuple(str(c) for c in choices_doc)
        choice_labels = {str(k): _labels(v) for k, v in choices_doc.items()}
    elif choices_doc is not None:
        raise CodebookError(path, f"{entry}.choices", "expected a list of codes or a mapping code -> label")
    comparison_value = spec.get("comparison_value")
    if role == "comparison":
        if comparison_value is None or choices is None or str(comparison_value) not in choices:
            raise CodebookError(
                path,
                f"{entry}.comparison_value",
                f"a comparison field needs 'choices' and a 'comparison_value' among them (the value of people who did not take part); got {comparison_value!r}",
            )
        comparison_value = str(comparison_value)
    elif comparison_value is not None:
        raise CodebookError(path, f"{entry}.comparison_value", f"only a field with role 'comparison' has a comparison_value; this field's role is {role!r}")
    ftype = str(spec.get("type", "category" if choices is not None else "text"))
    if ftype not in FIELD_TYPES:
        raise CodebookError(path, f"{entry}.type", f"unknown type {ftype!r}; expected one of {sorted(FIELD_TYPES)}")
    choices_from = spec.get("choices_from")
    if choices_from is not None and choices_from != "partners":
        raise CodebookError(path, f"{entry}.choices_from", f"only 'partners' (the registry's codes) is known, got {choices_from!r}")
    if ftype in ("category", "multiple") and choices is None and choices_from is None and role not in ("partner",):
        raise CodebookError(path, f"{entry}.type", f"a {ftype} field needs 'choices' or 'choices_from'")
    return Field(
        id=str(spec["id"]),
        role=role,
        column=str(spec.get("column", spec["id"])),
        label=_labels(spec.get("label")),
        choices=choices,
        choice_labels=choice_labels,
        required=bool(spec.get("required", False)),
        comparison_value=comparison_value,
        type=ftype,
        choices_from=None if choices_from is None else str(choices_from),
        aliases=_aliases(spec, path, entry),
        age_group=str(spec["age_group"]) if spec.get("age_group") is not None else None,
        age_bands=_age_bands_doc(spec.get("age_bands"), path, entry),
        relevant=_relevant_doc(spec.get("relevant"), path, entry),
    )


def _aliases(spec: dict, path: Path, entry: str) -> tuple[str, ...]:
    doc = spec.get("aliases") or []
    if isinstance(doc, str):
        doc = [doc]
    if not isinstance(doc, list):
        raise CodebookError(path, f"{entry}.aliases", "expected a list of column headers")
    return tuple(str(a) for a in doc)


def _age_bands_doc(doc: Any, path: Path, entry: str) -> dict[str, tuple[int, int | None]]:
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise CodebookError(path, f"{entry}.age_bands", "expected a mapping age group -> [lowest, highest] (highest may be null)")
    out = {}
    for k, v in doc.items():
        if not (isinstance(v, list) and len(v) == 2 and isinstance(v[0], int) and (v[1] is None or isinstance(v[1], int))):
            raise CodebookError(path, f"{entry}.age_bands.{k}", f"expected [lowest, highest] ages in whole years, got {v!r}")
        out[str(k)] = (v[0], v[1])
    return out


def age_bands_from_choices(choices) -> dict[str, tuple[int, int | None]] | None:
    """Age bands read from age-group codes such as ``18-29`` and ``65+``; None if a code is neither."""
    import re

    out = {}
    for c in choices:
        m = re.fullmatch(r"\s*(\d+)\s*[-–]\s*(\d+)\s*", c) or re.fullmatch(r"\s*(\d+)\s*\+\s*", c)
        if m is None:
            return None
        out[c] = (int(m.group(1)), int(m.group(2)) if m.lastindex == 2 else None)
    return out


def _parse_item(i: int, spec: Any, response_scales: dict[str, ResponseScale], path: Path) -> Item:
    entry = f"items[{i}]"
    if not isinstance(spec, dict):
        raise CodebookError(path, entry, "expected a mapping with 'id', 'label' and 'response_scale'")
    _require(spec, ("id", "response_scale"), path, entry)
    rs = spec["response_scale"]
    if rs not in response_scales:
        raise CodebookError(path, f"{entry}.response_scale", f"unknown response scale {rs!r}; defined: {sorted(response_scales)}")
    return Item(
        id=str(spec["id"]),
        column=str(spec.get("column", spec["id"])),
        label=_labels(spec.get("label")) or {"en": str(spec["id"])},
        response_scale=response_scales[rs],
        reverse=bool(spec.get("reverse", False)),
        anchors={int(k): _labels(v) for k, v in (spec.get("anchors") or {}).items()},
        correct=_parse_correct(spec.get("correct"), response_scales[rs], path, f"{entry}.correct"),
        aliases=_aliases(spec, path, entry),
        relevant=_relevant_doc(spec.get("relevant"), path, entry),
    )


def _relevant_doc(value: Any, path: Path, entry: str) -> str | None:
    """A ``relevant`` expression, checked to be one :mod:`pipeline.instruments.relevant` evaluates."""
    from pipeline.instruments.relevant import UnsupportedExpression, parse

    if value is None or str(value).strip() == "":
        return None
    try:
        parse(str(value))
    except UnsupportedExpression as exc:
        raise CodebookError(path, f"{entry}.relevant", f"{value!r} cannot be evaluated: {exc}; remove it (the field is then always required) or drop 'required'") from None
    return str(value).strip()


def _check_relevant(fields: tuple[Field, ...], items: tuple[Item, ...], path: Path) -> None:
    """Every name a ``relevant`` expression references is a kept field or an item."""
    from pipeline.instruments.relevant import parse

    known = {f.id for f in fields if f.role not in DROPPED_ROLES} | {i.id for i in items}
    for kind, entries in (("fields", fields), ("items", items)):
        for i, e in enumerate(entries):
            if e.relevant:
                unknown = sorted(parse(e.relevant).references - known)
                if unknown:
                    raise CodebookError(path, f"{kind}[{i}].relevant", f"{e.relevant!r} refers to {unknown}, which are not kept fields or items of this codebook")


def _parse_correct(value: Any, rs: ResponseScale, path: Path, entry: str) -> int | None:
    """The right answer of a knowledge-test item (scored 1 when given, else 0)."""
    if value is None:
        return None
    if not isinstance(value, int) or value not in rs.values:
        raise CodebookError(path, entry, f"the right answer must be one of the scale's values {list(rs.values)}, got {value!r}")
    return value


def _parse_headcounts(doc: Any, fields: tuple[Field, ...], path: Path) -> tuple[Headcount, ...]:
    """``headcounts: {id: {total: field, by: {breakdown: {category: field}}}}``; every
    field named must be a ``count`` field of the codebook."""
    if not doc:
        return ()
    if not isinstance(doc, dict):
        raise CodebookError(path, "headcounts", "expected a mapping of id -> {total:, by:}")
    counts = {f.name for f in fields if f.type == "count"}
    out = []
    for hid, spec in doc.items():
        entry = f"headcounts.{hid}"
        if not isinstance(spec, dict):
            raise CodebookError(path, entry, "expected a mapping with 'total' and 'by'")
        _require(spec, ("total", "by"), path, entry)
        if spec["total"] not in counts:
            raise CodebookError(path, f"{entry}.total", f"{spec['total']!r} is not a count field; count fields: {sorted(counts)}")
        if not isinstance(spec["by"], dict) or not spec["by"]:
            raise CodebookError(path, f"{entry}.by", "expected a mapping breakdown -> {category: count field}")
        by = {}
        for breakdown, cats in spec["by"].items():
            if not isinstance(cats, dict) or not cats:
                raise CodebookError(path, f"{entry}.by.{breakdown}", "expected a mapping category -> count field")
            unknown = [c for c in cats.values() if c not in counts]
            if unknown:
                raise CodebookError(path, f"{entry}.by.{breakdown}", f"not count fields: {unknown}")
            by[str(breakdown)] = {str(k): str(v) for k, v in cats.items()}
        out.append(Headcount(str(hid), str(spec["total"]), by, _labels(spec.get("label")) or {"en": str(hid)}))
    return tuple(out)


def _parse_checks(doc: Any, fields: tuple[Field, ...], path: Path) -> RowChecks:
    if not doc:
        return RowChecks()
    if not isinstance(doc, dict):
        raise CodebookError(path, "checks", "expected a mapping with 'unique_within_wave' and/or 'date_order'")
    names = {f.name for f in fields if f.role not in DROPPED_ROLES}
    unique = tuple(str(x) for x in doc.get("unique_within_wave") or ())
    bad = [u for u in unique if u not in names]
    if bad:
        raise CodebookError(path, "checks.unique_within_wave", f"unknown field(s) {bad}; kept fields: {sorted(names)}")
    dates = {f.name for f in fields if f.type == "date"}
    order = []
    for i, pair in enumerate(doc.get("date_order") or ()):
        if not (isinstance(pair, list) and len(pair) == 2 and all(p in dates for p in pair)):
            raise CodebookError(path, f"checks.date_order[{i}]", f"expected [first, second], two date fields of {sorted(dates)}; got {pair!r}")
        order.append((str(pair[0]), str(pair[1])))
    return RowChecks(unique_within_wave=unique, date_order=tuple(order))


def _parse_scale(i: int, spec: Any, item_ids: set[str], items: dict[str, Item], path: Path) -> Scale:
    entry = f"scales[{i}]"
    if not isinstance(spec, dict):
        raise CodebookError(path, entry, "expected a mapping with 'id' and 'items'")
    _require(spec, ("id", "items"), path, entry)
    unknown = [it for it in spec["items"] if it not in item_ids]
    if unknown:
        raise CodebookError(path, f"{entry}.items", f"unknown item(s) {unknown}")
    share = spec.get("min_answered", 2 / 3)
    if not isinstance(share, (int, float)) or not 0 < share <= 1:
        raise CodebookError(path, f"{entry}.min_answered", f"expected a share in (0, 1], got {share!r}")
    its = [items[x] for x in spec["items"]]
    rng = spec.get("range") or [min(it.response_scale.min for it in its), max(it.response_scale.max for it in its)]
    rel = spec.get("reliability")
    if rel is not None and not (isinstance(rel, (int, float)) and 0 < rel < 1):
        raise CodebookError(path, f"{entry}.reliability", f"expected a number between 0 and 1, got {rel!r}")
    return Scale(
        id=str(spec["id"]),
        label=_labels(spec.get("label")) or {"en": str(spec["id"])},
        items=tuple(spec["items"]),
        min_answered=float(share),
        range=(float(rng[0]), float(rng[1])),
        unit=_labels(spec.get("unit")).get("en", ""),
        unit_labels=_labels(spec.get("unit")),
        reliability=None if rel is None else float(rel),
        higher_is_better=bool(spec.get("higher_is_better", True)),
    )
