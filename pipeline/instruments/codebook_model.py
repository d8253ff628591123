"""Instruments as data: what a codebook holds, once read.

The constants that name what a codebook may say (field roles, designs, field types)
and the frozen dataclasses a loaded codebook is made of: :class:`Codebook` with its
:class:`Field`, :class:`Item`, :class:`ResponseScale`, :class:`Scale`,
:class:`Headcount` and :class:`RowChecks`. Reading and checking the YAML is
:mod:`pipeline.instruments.codebook`, which re-exports every name here, so
``from pipeline.instruments.codebook import Codebook`` keeps working.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

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
    #: The unit in English (published in indicators.csv), and in every language the codebook gives.
    unit: str = ""
    reliability: float | None = None
    higher_is_better: bool = True
    unit_labels: dict[str, str] = field(default_factory=dict)


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
