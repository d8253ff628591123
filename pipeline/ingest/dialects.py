"""Export dialects: how survey tools name columns and write answers.

A *dialect* says how one tool's export differs from the codebook's column names:
the separator of group prefixes, the columns that hold the submission id and time,
and the tool's metadata columns (left out silently). It is detected from the
header (:func:`detect`) or declared per file in ``datasets.yaml``
(``dialect: kobo``).

=================  ==========================================================
``kobo``           KoboToolbox CSV or XLSX: ``_uuid``, ``_submission_time``,
                   ``_index``; group prefixes ``group_a/q1``; "XML values and
                   headers" or "labels" (question and choice labels in place of
                   names and codes)
``odk_central``    ODK Central CSV: ``SubmissionDate``, ``meta-instanceID``,
                   ``KEY``; group prefixes with ``-`` (``group_a-q1``)
``limesurvey``     LimeSurvey CSV: ``id``, ``submitdate``, ``lastpage``,
                   ``startlanguage``; question codes or question text as headers;
                   multiple choice as ``q[SQ001]`` columns holding ``Y``
``google_forms``   Google Forms CSV: a ``Timestamp`` column, question text as
                   headers, option text as answers, checkboxes as ``A, B``
``generic``        none of these: columns as the codebook names them
=================  ==========================================================

Whatever the dialect, a codebook field or item is found by its ``column``, its
id, its ``aliases`` and its labels in every language (compared without case,
surrounding space or repeated spaces), then by the header without its group
prefix. Answers given as labels (``Strongly agree``, ``Yes``, ``Female``) are
turned into the codebook's codes; select-multiple answers arrive as one column of
space-separated codes, one column per choice, or (Google Forms) labels separated
by ``", "``, and leave as space-separated codes in codebook order.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

import pandas as pd

from pipeline.errors import InputError
from pipeline.ingest.categories import as_text
from pipeline.instruments.codebook import Codebook
from pipeline.schema import SOURCE_FILE, SOURCE_ROW


@dataclass(frozen=True)
class Dialect:
    """How one survey tool's export names its columns."""

    name: str
    description: str
    separators: tuple[str, ...] = ()
    submission_id: tuple[str, ...] = ()
    submission_time: tuple[str, ...] = ()
    metadata: frozenset[str] = frozenset()
    #: Multiple-choice answers in one cell separated by this text (else spaces).
    multiple_separator: str | None = None


_KOBO_META = {
    "start",
    "end",
    "today",
    "deviceid",
    "username",
    "phonenumber",
    "simserial",
    "subscriberid",
    "audit",
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_notes",
    "_status",
    "_submitted_by",
    "__version__",
    "_tags",
    "_index",
    "meta/instanceid",
    "meta/rootuuid",
    "meta/deprecatedid",
    "formhub/uuid",
    "_parent_index",
    "_parent_table_name",
    "_submission__id",
    "_submission__uuid",
    # R re-exports (read.csv) rename a leading underscore to X or x
    "x_id",
    "x_uuid",
    "x_submission_time",
    "x_index",
    "x_validation_status",
    "x_notes",
    "x_status",
    "x_submitted_by",
    "x_tags",
    "x__version__",
    "x_parent_index",
    "$edited",
    "_edited",
    "__edited",
    "_geolocation",
    "_attachments",
    "_xform_id_string",
    "_supplementaldetails",
    "_gps_latitude",
    "_gps_longitude",
    "_gps_altitude",
    "_gps_precision",
}
_ODK_META = {
    "submissiondate",
    "meta-instanceid",
    "key",
    "submitterid",
    "submittername",
    "attachmentspresent",
    "attachmentsexpected",
    "status",
    "reviewstate",
    "deviceid",
    "edits",
    "formversion",
    "instanceid",
    "start",
    "end",
    "today",
    "meta-audit",
}
_LIME_META = {
    "id",
    "submitdate",
    "lastpage",
    "startlanguage",
    "seed",
    "startdate",
    "datestamp",
    "ipaddr",
    "refurl",
    "token",
    "response id",
    "date submitted",
    "last page",
    "start language",
    "date started",
    "date last action",
    "interviewtime",
    "total time",
}
#: Google Forms' timestamp column in the languages of the partners' spreadsheets.
GOOGLE_TIMESTAMPS = ("timestamp", "marca temporal", "zeitstempel", "informazioni cronologiche", "carimbo de data/hora", "horodateur", "χρονική σήμανση")

DIALECTS: dict[str, Dialect] = {
    "kobo": Dialect("kobo", "KoboToolbox export", ("/", "."), ("_uuid", "meta/instanceID", "X_uuid", "x_uuid"), ("_submission_time", "X_submission_time", "x_submission_time"), frozenset(_KOBO_META)),
    "odk_central": Dialect("odk_central", "ODK Central export", ("-",), ("meta-instanceID", "KEY", "instanceID"), ("SubmissionDate",), frozenset(_ODK_META)),
    "limesurvey": Dialect("limesurvey", "LimeSurvey export", (), ("id", "Response ID"), ("submitdate", "Date submitted"), frozenset(_LIME_META)),
    "google_forms": Dialect("google_forms", "Google Forms export", (), (), GOOGLE_TIMESTAMPS, frozenset({*GOOGLE_TIMESTAMPS, "email address", "score"}), multiple_separator=", "),
    "generic": Dialect("generic", "generic CSV/XLSX"),
}

#: Columns (after ingestion) without which a file cannot be used when the codebook
#: makes them required (the respondent identifier always, unless the waves are paired
#: by code): they identify the respondent, the wave or the partner. Any
#: other column of the codebook that a file lacks is read as not asked, with a warning.
IDENTIFYING = ("respondent_id", "wave", "partner")

#: Columns only the table of a repeat group has (KoboToolbox, ODK Central).
REPEAT_COLUMNS = {"_parent_index", "_parent_table_name", "_submission__uuid", "parent_key"}

TRUE_TEXT = {"1", "1.0", "true", "yes", "y", "x", "checked", "selected"}
FALSE_TEXT = {"0", "0.0", "false", "no", "n", "not selected", "unchecked"}


def norm(text) -> str:
    """A header or label as compared: NFC, case-folded, spaces collapsed, trimmed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", str(text))).strip().casefold()


def _key(text) -> str:
    """A label as compared with answers: letters and digits only ("Don't know" = "dont_know")."""
    return re.sub(r"[\W_]+", "", norm(text))


def detect(columns) -> Dialect:
    """The dialect of an export, from its header."""
    cols = {norm(c) for c in columns}
    if cols & {"_uuid", "_submission_time", "_index", "x_uuid", "x_submission_time"} or any(c.startswith("meta/instanceid") for c in cols):
        return DIALECTS["kobo"]
    if cols & {"submissiondate", "meta-instanceid"}:
        return DIALECTS["odk_central"]
    if "submitdate" in cols and cols & {"lastpage", "startlanguage", "seed"} or {"response id", "date submitted"} <= cols:
        return DIALECTS["limesurvey"]
    first = norm(next(iter(c for c in columns if c not in (SOURCE_FILE, SOURCE_ROW)), ""))
    if first in GOOGLE_TIMESTAMPS:
        return DIALECTS["google_forms"]
    return DIALECTS["generic"]


def get(name: str | Dialect | None, columns) -> Dialect:
    """A declared dialect by name, or the detected one."""
    if isinstance(name, Dialect):
        return name
    if name is None:
        return detect(columns)
    if name not in DIALECTS:
        raise InputError("datasets.yaml", f"unknown dialect {name!r}; known: {sorted(DIALECTS)}")
    return DIALECTS[name]


@dataclass(frozen=True)
class _Wanted:
    name: str  # column after ingestion
    required: bool
    candidates: tuple[str, ...]  # normalised names, in order of preference
    shown: str  # how messages name it (the codebook column)
    multiple: bool = False
    choices: tuple[str, ...] = ()
    labels: dict | None = None  # normalised label key -> code
    names: tuple[str, ...] = ()  # normalised codebook column and id (a header by name, not by label)


def _wanted(codebook: Codebook, dialect: Dialect) -> list[_Wanted]:
    out = []
    for f in codebook.fields:
        cands = [f.column, f.id, *getattr(f, "aliases", ()), *f.label.values()]
        if f.role == "submission_id":
            cands += dialect.submission_id
        elif f.role == "submission_time":
            cands += dialect.submission_time
        labels = {}
        for code, lab in (f.choice_labels or {}).items():
            labels.update({_key(v): code for v in lab.values()})
        out.append(_Wanted(f.name, f.required, _uniq(cands), f.column, f.multiple, tuple(f.choices or ()), labels, _uniq([f.column, f.id])))
    for it in codebook.items:
        cands = [it.column, it.id, *getattr(it, "aliases", ()), *it.label.values()]
        rs = it.response_scale
        labels = {}
        for code, lab in rs.labels.items():
            labels.update({_key(v): str(code) for v in lab.values()})
        for code, meaning in rs.missing.items():
            labels[_key(meaning)] = str(code)
        out.append(_Wanted(it.id, True, _uniq(cands), it.column, False, (), labels, _uniq([it.column, it.id])))
    return out


def _uniq(values) -> tuple[str, ...]:
    seen, out = set(), []
    for v in values:
        k = norm(v)
        if k and k not in seen:
            seen.add(k)
            out.append(k)
    return tuple(out)


def _index(columns, dialect: Dialect) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Header lookups: full normalised name -> column; name without group prefix -> columns."""
    full, short = {}, {}
    for c in columns:
        full.setdefault(norm(c), c)
        for sep in dialect.separators:
            if sep in c:
                short.setdefault(norm(c.rsplit(sep, 1)[1]), []).append(c)
    return full, short


def resolve_columns(raw, codebook: Codebook, dialect: str | Dialect | None = None) -> pd.DataFrame:
    """Map an export's columns to the codebook (see :func:`pipeline.ingest.read.map_columns`)."""
    frame = raw.frame
    columns = [c for c in frame.columns if c not in (SOURCE_FILE, SOURCE_ROW)]
    repeat = [c for c in columns if norm(c) in REPEAT_COLUMNS]
    if repeat:
        where = f"sheet {raw.sheet!r}" if raw.sheet else "this file"
        raise InputError(
            raw.name,
            f"{where} is the table of a repeat group (one row per repetition, linked to its submission by {repeat}), not the submissions; "
            "point the dataset at the main sheet or file of the export (a repeat group's questions are not read)",
        )
    d = get(dialect, columns)
    if d.name == "kobo":  # KoboCAT's legacy exports write n/a for a question skip logic hid
        frame = _kobo_na_as_empty(frame, columns, raw)
    full, short = _index(columns, d)
    wanted = _wanted(codebook, d)
    found: dict[str, str] = {}
    per_choice: dict[str, dict[str, str]] = {}
    missing, absent, also_used, synthesized = [], [], set(), False
    for w in wanted:
        col = next((full[c] for c in w.candidates if c in full), None)
        if col is None:
            hits = sorted({h for c in w.candidates for h in short.get(c, [])})
            if len(hits) > 1:
                raise InputError(raw.name, f"column {w.shown!r} matches several columns once group prefixes are removed: {hits}; rename them or add an alias", column=w.shown)
            col = hits[0] if hits else None
        split = _choice_columns(columns, w) if w.multiple else {}
        if col is None and split:
            per_choice[w.name] = split
            continue
        also_used.update(split.values())
        if col is None and w.name == "submission_id" and not d.submission_id and d.name != "generic":
            synthesized = True
            continue
        if col is None:
            if w.name in IDENTIFYING and (w.required or (w.name == "respondent_id" and codebook.pairing == "respondent_id")):
                missing.append(w.shown)
            elif w.name in IDENTIFYING:
                continue  # optional, as before: an empty column
            elif w.name == "submission_id":
                synthesized = True
            else:
                absent.append(w.name)
            continue
        found[w.name] = col
    if missing:
        hints = "; ".join(f"{m!r} (did you mean {', '.join(repr(c) for c in close)}?)" if (close := difflib.get_close_matches(m, columns, n=3, cutoff=0.6)) else repr(m) for m in missing)
        raise InputError(
            raw.name,
            f"column(s) that identify respondents, waves or partners not found: {hints}. The file has {len(columns)} columns; name the right one in the codebook ('column:' or 'aliases:')",
            column=missing[0],
        )
    if absent:
        raw.warnings.append(
            f"{raw.name}: {len(absent)} column(s) of the codebook are not in the file (a question nobody answered, or one added in a later form version): "
            f"{absent[:10]}{' ...' if len(absent) > 10 else ''}; read as not asked (missing answers, not required in this file)"
        )
        raw.absent = tuple(absent)
    used = set(found.values()) | also_used | {c for split in per_choice.values() for c in split.values()}
    extra = [c for c in columns if c not in used and norm(c) not in d.metadata and not c.startswith("(unnamed column")]
    if extra:
        raw.warnings.append(f"{raw.name}: column(s) not in the codebook {codebook.instrument!r} were left out: {extra}")
    if d.name not in ("generic", "kobo"):  # KoboToolbox is the partners' usual tool: no news
        raw.warnings.append(f"{raw.name}: read as a {d.description} (dialect {d.name!r})")
    # A "labels" export: most items were found by their label, not by their name;
    # then answers are read as labels too (Google Forms exports are always so).
    item_ids = set(codebook.item_ids)
    by_label = [not _by_name(found[w.name], w, d) for w in wanted if w.name in item_ids and w.name in found]
    labels_export = d.name == "google_forms" or (bool(by_label) and sum(by_label) * 2 >= len(by_label))
    out = {SOURCE_FILE: frame[SOURCE_FILE], SOURCE_ROW: frame[SOURCE_ROW]}
    notes = []
    for w in wanted:
        if w.name in per_choice:
            out[w.name] = _join_choices(frame, per_choice[w.name], w)
            notes.append(f"{w.name} (one column per choice)")
        elif w.name in found:
            header = found[w.name]
            # items may stay categorical (validation converts their distinct values); every
            # other column is text from here on, as de-identification and the tables expect
            source = frame[header] if w.name in item_ids else as_text(frame[header])
            col, translated = _translate(source, w, d, labels_export or not _by_name(header, w, d))
            if w.name == "submission_time":
                col = google_timestamps(col)
            col, recased = _case_codes(col, w)
            if recased:
                notes.append(f"{w.name} ({recased} code(s) in another letter case than the form's, such as {recased_example(w, frame[header])})")
            if translated:
                what = "multiple choices put in codebook order or given as labels" if w.multiple else "answer(s) given as labels"
                notes.append(f"{w.name} ({translated} {what})")
            out[w.name] = col
        else:
            out[w.name] = pd.Series(pd.NA, index=frame.index, dtype="string")
    if notes:
        raw.warnings.append(f"{raw.name}: turned into codes: {', '.join(notes)}")
    result = pd.DataFrame(out)
    if synthesized:
        result["submission_id"] = content_ids(result, codebook)
        raw.warnings.append(f"{raw.name}: no submission id column ({d.description}s have none): each row's id is a hash of its time and answers, so only exact repeats count as duplicate submissions")
    return result


def _kobo_na_as_empty(frame: pd.DataFrame, columns: list[str], raw) -> pd.DataFrame:
    """The frame with KoboCAT's ``n/a`` cells (a question skip logic hid) set missing, and a
    note on ``raw.warnings`` saying how many; the frame itself when no cell is ``n/a``.

    Each column is compared on its own (a frame-wide comparison builds, and then copies
    into one block, a boolean of every cell: at 100,000 rows that alone took 0.3 s).
    """
    hits = {c: na for c in columns if (na := frame[c].eq("n/a").fillna(False)).any()}
    if not hits:
        return frame
    frame = frame.copy()
    for c, na in hits.items():
        frame[c] = frame[c].mask(na)
    n = sum(int(na.sum()) for na in hits.values())
    raw.warnings.append(f"{raw.name}: {n} 'n/a' cell(s) (a question skip logic hid, in KoboToolbox's legacy export) read as empty")
    return frame


def _case_codes(col: pd.Series, w: _Wanted) -> tuple[pd.Series, int]:
    """Codes written in another letter case than the form's (``maymana`` for ``Maymana``,
    as data cleaning in R or Excel leaves them) -> the form's code, where one code matches."""
    if not w.choices or w.multiple:
        return col, 0
    folded: dict[str, list[str]] = {}
    for c in w.choices:
        folded.setdefault(c.casefold(), []).append(c)
    mapping = {}
    for u in col.dropna().unique():
        if u not in w.choices:
            hit = folded.get(str(u).strip().casefold(), [])
            if len(hit) == 1:
                mapping[u] = hit[0]
    if not mapping:
        return col, 0
    n = int(col.isin(list(mapping)).sum())
    return col.map(lambda v: mapping.get(v, v) if isinstance(v, str) else v).astype("string"), n


def recased_example(w: _Wanted, col: pd.Series) -> str:
    folded = {c.casefold(): c for c in w.choices}
    for u in col.dropna().unique():
        if u not in w.choices and str(u).strip().casefold() in folded:
            return f"{u!r} for {folded[str(u).strip().casefold()]!r}"
    return ""


def _by_name(header: str, w: _Wanted, d: Dialect) -> bool:
    """Whether a header names the codebook column or id (with or without group prefix)."""
    return bool(({norm(header)} | {norm(header.rsplit(sep, 1)[-1]) for sep in d.separators}) & set(w.names))


def content_ids(frame: pd.DataFrame, codebook: Codebook) -> pd.Series:
    """Submission ids for exports without one: SHA-256 (first 16 hex digits) of a row's
    submission time, partner, grouping fields and answers, never of identifiers or
    personal fields. Identical submissions get the same id."""
    import hashlib

    keep = [c for c in ("submission_time", "partner") if c in frame.columns]
    keep += [f.name for f in codebook.fields if f.role in ("grouping", "attribute") and f.name in frame.columns]
    keep += [i for i in codebook.item_ids if i in frame.columns]
    text = frame[keep].astype("string").fillna("").agg("\x1f".join, axis=1)
    return text.map(lambda t: "row-" + hashlib.sha256(t.encode("utf-8")).hexdigest()[:16]).astype("string")


GOOGLE_TIME = re.compile(r"^(\d{4})/(\d{2})/(\d{2}) (\d{1,2}):(\d{2}):(\d{2})(?: ?([AP]M))? GMT([+-])(\d{1,2})(?::?(\d{2}))?$")


def google_timestamps(col: pd.Series) -> pd.Series:
    """Google Forms' ``2025/03/03 9:01:15 AM GMT+1`` as ISO 8601 (``2025-03-03T09:01:15+01:00``).

    Other values are left as they are (ISO 8601 already, or for validation to report).
    """

    def one(v):
        if not isinstance(v, str):
            return v
        m = GOOGLE_TIME.match(v.strip())
        if m is None:
            return v
        y, mo, d, h, mi, s, ampm, sign, oh, om = m.groups()
        h = int(h)
        if ampm == "PM" and h < 12:
            h += 12
        elif ampm == "AM" and h == 12:
            h = 0
        return f"{y}-{mo}-{d}T{h:02d}:{mi}:{s}{sign}{int(oh):02d}:{om or '00'}"

    if not col.astype("string").str.contains(" GMT", regex=False).fillna(False).any():
        return col
    return col.map(one).astype("string")


def _choice_columns(columns, w: _Wanted) -> dict[str, str]:
    """Per-choice columns of a multiple choice ``q``: ``q/c`` (KoboToolbox), ``q[c]``
    (LimeSurvey), ``q-c``, ``q.c``, ``q>c``, ``q_c``, or the question and choice labels
    (``Question [Option]``). Compared on letters and digits only, after any group prefix.
    """
    keyed = {c: _key(c) for c in columns}
    label_keys: dict[str, list[str]] = {}
    for key, code in (w.labels or {}).items():
        label_keys.setdefault(code, []).append(key)
    out = {}
    for code in w.choices:
        wanted = {_key(base) + k for base in w.candidates for k in [_key(code), *label_keys.get(code, [])]}
        for c in columns:
            k = keyed[c]
            if k in wanted or (("/" in c or "-" in c) and any(k.endswith(x) for x in wanted)):
                out[code] = c
                break
    return out


def _join_choices(frame: pd.DataFrame, split: dict[str, str], w: _Wanted) -> pd.Series:
    """Per-choice columns (1/0, Y, TRUE, the choice itself) -> space-separated codes.

    A cell that is neither selected nor unselected text keeps its value (marked),
    so that validation quarantines the row with what was in the file.
    """
    parts = []
    for code in w.choices:
        if code not in split:
            continue
        cell = frame[split[code]].astype("string").str.strip()
        low = cell.str.casefold()
        on = low.isin(TRUE_TEXT) | low.eq(code.casefold())
        off = cell.isna() | low.isin(FALSE_TEXT)
        odd = ~(on | off)
        part = pd.Series(pd.NA, index=frame.index, dtype="string")
        part[on.fillna(False)] = code
        part[odd.fillna(False)] = cell[odd.fillna(False)]
        parts.append(part)
    if not parts:
        return pd.Series(pd.NA, index=frame.index, dtype="string")
    joined = pd.concat(parts, axis=1).apply(lambda r: " ".join(v for v in r if isinstance(v, str)), axis=1)
    answered = pd.concat([frame[c].notna() for c in split.values()], axis=1).any(axis=1)
    result = joined.astype("string")
    result[~answered] = pd.NA
    return result


def _translate(col: pd.Series, w: _Wanted, d: Dialect, labels: bool) -> tuple[pd.Series, int]:
    """Answers given as labels -> codes; other values untouched (validation judges them).

    Labels are read only in a column found by its label or an alias (a "labels"
    export) or in a Google Forms export: in a column of codes, a label is an error
    that validation reports, not something to guess.
    """
    if not (labels and w.labels) and not w.multiple:
        return col, 0
    uniques = col.dropna().unique()
    if w.multiple:
        sep = d.multiple_separator
        mapping = {}
        for u in uniques:
            pieces = [p for p in (str(u).split(sep) if sep else str(u).split())]
            codes = [w.labels.get(_key(p), p.strip()) if labels and w.labels else p.strip() for p in pieces]
            order = {c: k for k, c in enumerate(w.choices)}
            codes = sorted(dict.fromkeys(c for c in codes if c), key=lambda c: order.get(c, len(order)))
            new = " ".join(codes)
            if new != u:
                mapping[u] = new
    else:
        mapping = {u: w.labels[_key(u)] for u in uniques if _key(u) in w.labels and u != w.labels[_key(u)]}
    if not mapping:
        return col, 0
    n = int(col.isin(list(mapping)).sum())
    return col.map(lambda v: mapping.get(v, v) if isinstance(v, str) else v).astype("string"), n
