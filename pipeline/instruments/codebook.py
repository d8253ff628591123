"""Instruments as data: load and check a YAML codebook.

A codebook describes one survey instrument: its fields (identifiers, grouping
fields, personal data), its items with their response scales, the codes that mean
"don't know" or "refused" (never scored), which items are reverse-keyed, and the
scales built from items. See ``surveys/community_attitudes.yaml`` for a commented
example; ``docs/codebook.md`` documents the format.

The loader checks the file's structure and cross-references and raises
:class:`~pipeline.errors.CodebookError` naming the file and the entry at fault.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import CodebookError
from pipeline.instruments.yaml_io import read_yaml

#: What the pipeline does with a field, by its role.
FIELD_ROLES = {
    "submission_id": "unique per submission; a repeat is a duplicate submission",
    "submission_time": "when the form was sent; must fall within the project period",
    "respondent_id": "pairs the waves; replaced by a keyed pseudonym at ingestion",
    "partner": "the partner that collected the answers (registry codes)",
    "wave": "the wave of a row, when one file holds several waves",
    "grouping": "a breakdown of the indicators",
    "comparison": "participant or comparison group (took part / did not): difference in differences",
    "code": "an element of a self-generated identification code: matches the waves, then dropped",
    "attribute": "a fact about the row that is neither an answer nor a breakdown (activity type, dates, head counts, a tie's organisation); kept, typed by its 'type'",
    "personal": "personal data: dropped at ingestion",
    "free_text": "a free-text answer that is kept: e-mail addresses and phone numbers in it are redacted at ingestion",
    "birth_date": "an exact birth date: turned into the age group of the field named by 'age_group', then dropped",
    "ignore": "tool metadata: dropped at ingestion",
}
#: Roles of which a codebook has at most one field.
SINGLE_ROLES = ("submission_id", "submission_time", "respondent_id", "partner", "wave")
#: Roles whose fields never leave ingestion.
DROPPED_ROLES = ("personal", "ignore", "birth_date")

#: What one row of an instrument is, and how its waves relate (the ``design:`` key).
DESIGNS = {
    "paired_pre_post": "the same people answer before and after (two waves, paired by respondent_id)",
    "repeated": "the same people answer at three or more waves (e.g. before, after, follow-up), paired by respondent_id",
    "ratings": "several raters rate their organisation at each wave (rubric levels); organisation-level analysis, no pairing of raters",
    "ties": "one row per tie: an organisation names an organisation it works with, at each wave",
    "register": "one row per activity (or other event) with its dates and head counts; no waves of people",
    "cross_section": "people answer once (e.g. feedback after an action); no pairing",
    "voices": "one row per story or quote (the qualitative evidence log), with a consent flag; its text is quoted only with consent, names and places redacted",
}
#: Designs whose rows need no wave: without ``waves:`` their one wave is ``once``.
SINGLE_WAVE_DESIGNS = ("cross_section", "register", "voices")
#: Types of non-item fields: how validation reads their text.
FIELD_TYPES = {
    "text": "kept as text",
    "category": "one code of 'choices'",
    "multiple": "codes of 'choices' separated by spaces (a select-multiple question); 'choices_from: partners' takes the registry's codes",
    "date": "a date or date-time (ISO 8601); must fall within the project period",
    "count": "a whole number >= 0",
    "number": "any number",
}


@dataclass(frozen=True)
class ResponseScale:
    """Valid codes of an item: substantive ``values`` and non-substantive ``missing`` codes."""

    id: str
    values: tuple[int, ...]
    missing: dict[int, str]
    labels: dict[int, dict[str, str]] = field(default_factory=dict)
    #: Text codes an export writes for the numbers (``strongly_agree: 5``), as an XLSForm
    #: list of named choices gives them; read as their numbers (letter case ignored).
    codes: dict[str, int] = field(default_factory=dict)

    @property
    def min(self) -> int:
        return min(self.values)

    @property
    def max(self) -> int:
        return max(self.values)

    @property
    def valid_codes(self) -> tuple[int, ...]:
        """Every code an answer may carry: values and missing codes."""
        return tuple(sorted(set(self.values) | set(self.missing)))


@dataclass(frozen=True)
class Field:
    """A column that is not an item: identifier, grouping field, personal data, metadata."""

    id: str
    role: str
    column: str
    label: dict[str, str] = field(default_factory=dict)
    choices: tuple[str, ...] | None = None
    choice_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    required: bool = False
    #: For a ``comparison`` field: the value that marks the comparison group (people who
    #: did not take part); every other value, and an empty cell, marks a participant.
    comparison_value: str | None = None
    type: str = "text"
    choices_from: str | None = None
    #: Other headers the column may have in an export (question text, a LimeSurvey code).
    aliases: tuple[str, ...] = ()
    #: For a ``birth_date`` field: the grouping field that receives the age group.
    age_group: str | None = None
    #: Skip logic (an XLSForm ``relevant`` expression, :mod:`pipeline.instruments.relevant`):
    #: a required field is only required in rows where it holds.
    relevant: str | None = None
    #: For a ``birth_date`` field: age group -> (lowest, highest) age in completed
    #: years (highest None: no upper bound), from ``age_bands`` or the age group's choices.
    age_bands: dict[str, tuple[int, int | None]] = field(default_factory=dict)

    @property
    def multiple(self) -> bool:
        """A select-multiple answer (``type: multiple``): space-separated codes."""
        return self.type == "multiple"

    @property
    def name(self) -> str:
        """The column name after ingestion: the role for single-role fields (so that
        every instrument's respondent column is ``respondent_id``), else the id."""
        return self.role if self.role in SINGLE_ROLES else self.id


@dataclass(frozen=True)
class Item:
    """A question with a numeric response scale."""

    id: str
    column: str
    label: dict[str, str]
    response_scale: ResponseScale
    reverse: bool = False
    anchors: dict[int, dict[str, str]] = field(default_factory=dict)
    #: ``layout: wide`` only: the export column of this item at each wave (a wave
    #: without a column was not asked).
    columns: dict[str, str] = field(default_factory=dict)
    correct: int | None = None
    #: Other headers the column may have in an export (question text, a LimeSurvey code).
    aliases: tuple[str, ...] = ()
    #: Skip logic, as for :attr:`Field.relevant` (kept for the record: an item is never required).
    relevant: str | None = None


@dataclass(frozen=True)
class Headcount:
    """Head counts of one row broken down several ways, each adding up to the total.

    ``by`` maps a breakdown (``group``, ``gender``, ``age_group``) to its categories,
    each category to the count column that holds it.
    """

    id: str
    total: str
    by: dict[str, dict[str, str]]
    label: dict[str, str] = field(default_factory=dict)

    def columns(self, breakdown: str) -> dict[str, str]:
        return self.by[breakdown]


@dataclass(frozen=True)
class RowChecks:
    """Checks across the fields of one row or between rows, declared in ``checks:``.

    * ``unique_within_wave``: fields whose values together must not repeat within a
      wave (e.g. an organisation naming the same partner twice): ``duplicate_record``.
    * ``date_order``: pairs of date fields (first, second); the second may not be
      before the first: ``dates_out_of_order``.
    * every :class:`Headcount`: each breakdown must add up to the total:
      ``counts_do_not_add_up``.
    """

    unique_within_wave: tuple[str, ...] = ()
    date_order: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Scale:
    """A score built from items: the mean after reverse-keying, if enough were answered."""

    id: str
    label: dict[str, str]
    items: tuple[str, ...]
    min_answered: float
    range: tuple[float, float]
    unit: str = ""
    reliability: float | None = None
    higher_is_better: bool = True


@dataclass(frozen=True)
class Codebook:
    """One instrument, as read from its YAML file."""

    instrument: str
    version: str
    title: dict[str, str]
    languages: tuple[str, ...]
    design: str
    waves: tuple[str, ...]
    wave_labels: dict[str, dict[str, str]]
    fields: tuple[Field, ...]
    items: tuple[Item, ...]
    scales: tuple[Scale, ...]
    path: Path | None = None
    #: ``long`` (default): one row per person and wave, each file one wave (or a wave
    #: field). ``wide``: one row per person with each item's column per wave.
    layout: str = "long"
    #: How waves are paired: ``respondent_id`` (default) or ``code``: rows without a
    #: respondent identifier are matched by their self-generated code (the fields with
    #: role ``code``, in codebook order), allowing up to ``max_differences`` elements to
    #: differ (:func:`pipeline.ingest.codes.match_codes`).
    pairing: str = "respondent_id"
    max_differences: int = 1
    headcounts: tuple[Headcount, ...] = ()
    checks: RowChecks = field(default_factory=RowChecks)
    #: A field whose every value gets a report of its own (e.g. ``activity_id`` of a
    #: training survey: one report per training event); None for none.
    report_per: str | None = None

    # -- lookups ------------------------------------------------------------
    def field_by_role(self, role: str) -> Field | None:
        """The field with a single-field role, or None."""
        return next((f for f in self.fields if f.role == role), None)

    def fields_by_role(self, *roles: str) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.role in roles)

    @property
    def grouping_fields(self) -> tuple[Field, ...]:
        return self.fields_by_role("grouping")

    @property
    def comparison_field(self) -> Field | None:
        """The field that tells participants from the comparison group, if any."""
        return self.field_by_role("comparison")

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.items)

    def item(self, item_id: str) -> Item:
        for it in self.items:
            if it.id == item_id:
                return it
        raise KeyError(item_id)

    def scale(self, scale_id: str) -> Scale:
        for sc in self.scales:
            if sc.id == scale_id:
                return sc
        raise KeyError(scale_id)

    def column_map(self) -> dict[str, str]:
        """Export column name -> column name after ingestion, for every field and item."""
        out = {f.column: f.name for f in self.fields}
        out.update({i.column: i.id for i in self.items})
        return out

    @property
    def code_fields(self) -> tuple[Field, ...]:
        """The elements of the self-generated identification code, in order."""
        return self.fields_by_role("code")

    @property
    def is_wide(self) -> bool:
        """One row per person, items in one column per wave (``layout: wide``)."""
        return self.layout == "wide"

    def label(self, language: str = "en") -> str:
        return self.title.get(language) or self.title.get("en") or self.instrument

    def field_named(self, name: str) -> Field:
        """The field named ``name`` after ingestion (see :attr:`Field.name`)."""
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def headcount(self, headcount_id: str) -> Headcount:
        for h in self.headcounts:
            if h.id == headcount_id:
                return h
        raise KeyError(headcount_id)

    @property
    def typed_fields(self) -> tuple[Field, ...]:
        """Kept fields whose text validation turns into another type (or checks token by token)."""
        return tuple(f for f in self.fields if f.type in ("date", "count", "number", "multiple") and f.role not in DROPPED_ROLES)

    def columns_after_ingestion(self) -> set[str]:
        """Every column an indicator may use: kept fields, items, scales, and ``wave``."""
        kept = {f.name for f in self.fields if f.role not in DROPPED_ROLES}
        out = kept | set(self.item_ids) | {s.id for s in self.scales} | {"wave"}
        if "partner" in kept:
            out.add("country")
        return out


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
    labels, item labels and anchors, response-scale labels, scale and head-count labels.
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
        unit=str(spec.get("unit", "")),
        reliability=None if rel is None else float(rel),
        higher_is_better=bool(spec.get("higher_is_better", True)),
    )
