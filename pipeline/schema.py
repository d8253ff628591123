"""The data contract: every column name, row kind, quarantine reason and build-folder
file name the layers share, defined once. Light on purpose (no statistics libraries):
report kernels import it.

Columns that travel with every row
----------------------------------
``RESPONDENT`` (``respondent_id``), ``WAVE`` (``wave``), ``PARTNER`` (``partner``) and
the provenance columns ``SOURCE_FILE``/``SOURCE_ROW`` (the export file and its row as a
spreadsheet shows it, header = row 1) that ingestion adds and the report never shows.

Groups of published rows
------------------------
``group_by`` is ``CONSORTIUM`` (``group`` = ``ALL``) for whole-consortium rows, or the
name of a breakdown (``partner``, ``gender``, ...).

Row kinds of ``indicators.csv`` (its ``analysis`` column)
---------------------------------------------------------
``paired_change``      participants' change from one wave to the next
``comparison_change``  the comparison group's own change
``diff_in_diff``       participants' change minus the comparison group's
``mcnemar``            a yes/no item asked twice
``random_effects``     participants' change combined across partners as sites (REML
                       random-effects summary with tau^2, I^2, prediction interval)
``level``              a scale (or an item in no scale) of a one-off survey at its one wave
                       (:mod:`pipeline.analysis.levels`): ``n_pre``, ``mean_pre``, ``sd_pre``,
                       the t interval of the mean in ``ci_low``/``ci_high``; ``wave_from`` only

Each change row compares two waves, named in ``wave_from`` and ``wave_to``. The rows of
an instrument's first two waves have the ids they always had
(``<instrument>.<scale>.change``); rows of a later pair of waves (a follow-up compared
with the first and the second wave) carry the pair in their id
(``<instrument>.<scale>.change.pre_follow_up``): :func:`later_waves` tells them apart.

Rows of the results framework (:mod:`pipeline.analysis.framework`) have no ``analysis``.

Quarantine reasons
------------------
:class:`Reason`, one ``StrEnum``; :func:`reasons_table` renders it for the docs.

Build-folder files
------------------
:class:`Files`: the names the stages write and the report reads.
"""

from __future__ import annotations

from enum import StrEnum

import pandas as pd

from pipeline.i18n import N_

# ----------------------------------------------------------------------------- columns
RESPONDENT = "respondent_id"
WAVE = "wave"
PARTNER = "partner"
SOURCE_FILE = "_source_file"
SOURCE_ROW = "_source_row"

CONSORTIUM = "consortium"
ALL = "all"

#: The statistics of a change (counts, levels, the paired test, Wilcoxon, effect sizes),
#: in the order both ``indicators.csv`` and the results framework's rows publish them.
CHANGE_STATISTICS = [
    "n_pre",
    "n_post",
    "n_paired",
    "mean_pre",
    "sd_pre",
    "mean_post",
    "sd_post",
    "mean_change",
    "ci_low",
    "ci_high",
    "confidence",
    "t",
    "df",
    "p_value",
    "test",
    "wilcoxon_v",
    "wilcoxon_p_value",
    "wilcoxon_method",
    "rank_biserial",
    "effect_size",
    "effect_size_type",
    "effect_size_ci_low",
    "effect_size_ci_high",
    "g_av",
    "g_av_ci_low",
    "g_av_ci_high",
]
#: Columns of the build folder's ``texts.csv`` (:attr:`Files.DATA_TEXTS`): ``source`` is
#: ``framework`` (entry: a result id or an indicator id) or ``commentary`` (entry: the
#: entry's id), ``field`` the key of the text in its file, ``language`` a language code.
DATA_TEXTS_COLUMNS = ["source", "entry", "field", "language", "text"]
QUARANTINE_COLUMNS = ["source_file", "source_row", "wave", "column", "value", "reason", "detail"]
RECONCILIATION_COLUMNS = ["source_file", "instrument", "wave", "rows_read", "rows_kept", "rows_quarantined"]


# ----------------------------------------------------------------------------- files
class Files(StrEnum):
    """File names of the build folder (and, for published tables, the report folder)."""

    RUN = "run.json"
    RESPONSES = "responses"  # folder: one parquet per instrument
    INDICATORS = "indicators.csv"
    RESULTS_FRAMEWORK = "results_framework.csv"
    QUARANTINE = "quarantine.csv"  # published: no typed values (pipeline.analysis.disclosure.public_quarantine)
    #: The quarantine with each value as typed (not redacted), for the data manager only:
    #: it stays in the build folder and is never published.
    PRIVATE_QUARANTINE = "private/quarantine.csv"
    RECONCILIATION = "reconciliation.csv"
    RELIABILITY = "reliability.csv"
    ATTRITION = "attrition.csv"
    CODE_MATCHING = "code_matching.csv"
    # computed by the analyse stage for the reports, which format them (pipeline.analysis.report_tables)
    AT_A_GLANCE = "at_a_glance.csv"
    COMMENTARY = "commentary.csv"
    #: The consortium's texts (framework, commentary, plan) in every language the data files give:
    #: source, entry, field, language, text (read by the reports; not published)
    DATA_TEXTS = "texts.csv"
    NETWORK_COUNTS = "network_counts.csv"
    BASELINE_BALANCE = "baseline_balance.csv"
    METHODS = "methods.csv"
    #: entries of the qualitative evidence log per result, theme, kind and partner (pipeline.analysis.voices)
    VOICES = "voices.csv"
    #: a few consented quotes per result, names and places redacted: the one published text people wrote
    VOICE_QUOTES = "voice_quotes.csv"
    #: the activity register against the work plan, per kind of activity and host (pipeline.analysis.activities)
    ACTIVITIES_PLAN = "activities_plan.csv"
    #: per partner: meetings and trainings attended, staff trained, activities hosted
    PARTICIPATION = "participation.csv"
    #: awareness and multiplier events by reach (local, national, European)
    DISSEMINATION = "dissemination.csv"
    MANIFEST = "manifest.json"
    INDEX = "index.html"
    FIGURES = "figures"  # folder: charts and PDF pages already drawn, reused while their data and code are unchanged


#: How ``network_counts.csv`` and the results framework's tie indicators count ties
#: (:mod:`pipeline.analysis.report_tables`); the network section prints it.
# translated where a report shows it (pipeline.report.sections.organisations.networks)
TIE_RULE = N_(
    "A tie is one partner naming one organisation it works with, as the network survey records it; "
    "a tie that two partners both name counts once for each. Links (for the organisations reached and "
    "the density among partners) count a pair of organisations once, whoever named it."
)

#: Tables every report needs; without them ``impact report`` stops with a message.
REQUIRED_TABLES = (Files.INDICATORS, Files.QUARANTINE, Files.RECONCILIATION)
#: Tables copied to the report folder beside the reports.
PUBLISHED_TABLES = (
    *REQUIRED_TABLES,
    Files.RESULTS_FRAMEWORK,
    Files.RELIABILITY,
    Files.ATTRITION,
    Files.CODE_MATCHING,
    Files.AT_A_GLANCE,
    Files.COMMENTARY,
    Files.NETWORK_COUNTS,
    Files.BASELINE_BALANCE,
    Files.METHODS,
    Files.VOICES,
    Files.VOICE_QUOTES,
    Files.ACTIVITIES_PLAN,
    Files.PARTICIPATION,
    Files.DISSEMINATION,
)


# ----------------------------------------------------------------------------- reasons
class Reason(StrEnum):
    """Why a row was set aside (the quarantine's ``reason`` column).

    Each member's :attr:`description` is the plain-language sentence shown to the data
    manager (marked for the catalogue: a report shows it translated, ``quarantine.csv``
    in English); :attr:`stage` says where it is decided (``read``: the file's structure;
    ``validate``: the codebook's rules; ``fields``: typed fields, checks and head counts).
    """

    def __new__(cls, value: str, stage: str, description: str):
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.stage = stage
        obj.description = description
        return obj

    # read: the file's structure (pipeline.ingest.read)
    WRONG_FIELD_COUNT = ("wrong_field_count", "read", N_("the row has more or fewer values than the header has columns"))
    MALFORMED_ROW = ("malformed_row", "read", N_("the row breaks the CSV quoting rules"))
    TRUNCATED_ROW = ("truncated_row", "read", N_("the file ends in the middle of this row (the file was cut off)"))
    VALUE_TOO_LONG = ("value_too_long", "read", N_("a value is longer than a spreadsheet cell can hold (32,767 characters)"))
    FORMULA_WITHOUT_VALUE = (
        "formula_without_value",
        "read",
        N_("a workbook cell holds a formula but not its result (the file was saved by a program that does not calculate): open and save it in Excel or LibreOffice"),
    )
    # validate: the codebook's rules (pipeline.ingest.validate)
    MISSING_REQUIRED = ("missing_required", "validate", N_("a required field is empty"))
    NOT_A_NUMBER = ("not_a_number", "validate", N_("an answer that should be a number is not one"))
    OUT_OF_RANGE = ("out_of_range", "validate", N_("an answer is not one of the item's valid codes"))
    INVALID_CHOICE = ("invalid_choice", "validate", N_("a value is not one of the field's choices"))
    UNKNOWN_PARTNER = ("unknown_partner", "validate", N_("the partner code is not in the consortium registry"))
    INVALID_DATE = ("invalid_date", "validate", N_("the submission time is not a date"))
    OUTSIDE_PROJECT_PERIOD = ("outside_project_period", "validate", N_("the submission time is outside the project period"))
    DUPLICATE_SUBMISSION = ("duplicate_submission", "validate", N_("the submission id was seen before; the first copy is kept"))
    DUPLICATE_RESPONDENT = ("duplicate_respondent", "validate", N_("the respondent has several submissions in one wave; all are quarantined"))
    # fields: typed fields, checks and head counts (pipeline.ingest.validate)
    INVALID_COUNT = ("invalid_count", "fields", N_("a count is not a whole number >= 0"))
    COUNTS_DO_NOT_ADD_UP = ("counts_do_not_add_up", "fields", N_("a breakdown of head counts does not add up to the total"))
    DATES_OUT_OF_ORDER = ("dates_out_of_order", "fields", N_("an end date is before its start date"))
    DUPLICATE_RECORD = ("duplicate_record", "fields", N_("the fields that identify a record repeat within a wave; the first is kept"))


#: reason -> the sentence a data manager reads.
REASON_TEXT = {r.value: r.description for r in Reason}


def reasons_table(stage: str | None = None) -> str:
    """The reasons as a Markdown table (``reason | stage | meaning``), for the docs."""
    rows = [r for r in Reason if stage is None or r.stage == stage]
    lines = ["| reason | stage | what it means |", "|---|---|---|"]
    lines += [f"| `{r.value}` | {r.stage} | {r.description} |" for r in rows]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- row kinds

PAIRED_CHANGE = "paired_change"
COMPARISON_CHANGE = "comparison_change"
DIFF_IN_DIFF = "diff_in_diff"
MCNEMAR = "mcnemar"
RANDOM_EFFECTS = "random_effects"
LEVEL = "level"
#: Rows that are not one group's change of a scale score (kept out of the charts and
#: tables written for those).
NOT_PAIRED_CHANGE = (COMPARISON_CHANGE, DIFF_IN_DIFF, MCNEMAR, RANDOM_EFFECTS, LEVEL)


def pair_suffix(wave_from: str, wave_to: str) -> str:
    """The end of the indicator id of a row comparing a later pair of waves (``.pre_follow_up``)."""
    return f".{wave_from}_{wave_to}"


def later_waves(table: pd.DataFrame) -> pd.Series:
    """True for the rows that compare a later pair of waves (not the first two).

    Those rows' ids end with :func:`pair_suffix` of their own ``wave_from`` and
    ``wave_to``; the first two waves' rows keep ids without it, framework rows have
    no waves, and a table written before the wave columns existed has no later rows.
    """
    if not {"wave_from", "wave_to", "indicator_id"} <= set(table.columns):
        return pd.Series(False, index=table.index)
    ids = table["indicator_id"].astype(str)
    suffix = "." + table["wave_from"].astype(str) + "_" + table["wave_to"].astype(str)
    known = table["wave_from"].notna() & table["wave_to"].notna()
    return pd.Series([k and i.endswith(s) for i, s, k in zip(ids, suffix, known)], index=table.index, dtype=bool)


def first_waves(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of an indicator table that do not compare a later pair of waves:
    the first two waves' rows and the framework's rows."""
    return table.loc[~later_waves(table)]


def paired_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of an indicator table that describe one group's change of a score
    between the first two waves: participants' pre/post rows (and framework rows),
    without the comparison group's rows, the differences in differences, the yes/no
    items and the rows of later pairs of waves (:func:`later_waves`)."""
    table = first_waves(table)
    if "analysis" not in table.columns:
        return table
    return table.loc[~table["analysis"].isin(NOT_PAIRED_CHANGE)]
