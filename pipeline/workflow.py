"""The wiring of the stages (kept apart from the steps themselves).

``ingest``  : data folder -> build folder (de-identified, validated, scored rows
              per instrument as parquet; ``quarantine.csv``; ``reconciliation.csv``;
              ``run.json``).
``analyse`` : build folder -> ``indicators.csv`` (and ``results_framework.csv``, when
              the data folder names a results framework) in the build folder.
``report``  : build folder -> report folder (see :mod:`pipeline.report.build`).

Each stage writes into a staging folder and publishes only when it succeeded, in one
switch of the whole folder (:func:`pipeline.outputs.publish`); each holds the build
folder's run lock (:func:`pipeline.outputs.run_lock`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import __version__
from pipeline.analysis.disclosure import codebook_codes, parents_of, public_quarantine
from pipeline.analysis.framework import combine, framework_ids, load_framework, run_framework, run_framework_file
from pipeline.analysis.indicators import instrument_tests, publish_indicators, rows_table
from pipeline.config import KEY_ENV, KEY_FILE, ROOT, SURVEYS_DIR
from pipeline.errors import PipelineError
from pipeline.ingest.categories import concat as concat_categorical
from pipeline.ingest.dates import normalise_frame as normalise_dates
from pipeline.ingest.deidentify import Known, deidentify_with_notes, key_fingerprint, load_key, redact_quarantine
from pipeline.ingest.pairing import CODE_MATCHING_COLUMNS, code_matching_table, pair_by_code
from pipeline.ingest.read import SOURCE_FILE, SOURCE_ROW, map_columns, read_export
from pipeline.ingest.score import score
from pipeline.ingest.validate import QUARANTINE_COLUMNS, WAVE, Validated, validate
from pipeline.ingest.wide import wide_to_long
from pipeline.instruments.codebook import Codebook, _read_yaml
from pipeline.instruments.commentary import find as find_commentary
from pipeline.instruments.commentary import load_commentary
from pipeline.instruments.design import read_design
from pipeline.instruments.registry import DataFolder, confine, inferred_registry, load_data_folder, write_registry
from pipeline.outputs import publish, run_lock, sha256, staging, write_csv, write_json, write_parquet
from pipeline.report.context import load_codebooks, load_responses, load_run
from pipeline.schema import DATA_TEXTS_COLUMNS, PUBLISHED_TABLES, RECONCILIATION_COLUMNS, Files
from pipeline.stats._base import one_blas_thread


@dataclass(frozen=True)
class IngestResult:
    folder: DataFolder
    responses: dict[str, pd.DataFrame]
    quarantine: pd.DataFrame
    reconciliation: pd.DataFrame
    warnings: list[str]
    #: Matching by self-generated codes, one row per instrument and later wave
    #: (before disclosure control; see :mod:`pipeline.ingest.pairing`).
    code_matching: pd.DataFrame | None = None
    #: The quarantine with values as typed (not redacted): build folder only, never published.
    private_quarantine: pd.DataFrame | None = None


def _give_back_memory() -> None:
    """Return the memory freed by the stage before to the system, before the next one.

    pyarrow's pool (mimalloc) and the C library's allocator keep freed memory for later
    allocations; a stage's temporary copies then raise the peak on top of what the
    stage before freed but kept. Between stages (after each file, after validation)
    both give it back: at 100,000 respondents this lowers ingestion's peak memory by
    about a tenth and costs a few milliseconds. ``malloc_trim`` is glibc's; elsewhere
    only pyarrow's pool is asked.
    """
    import ctypes
    import sys

    import pyarrow

    pyarrow.default_memory_pool().release_unused()
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None).malloc_trim(0)
        except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
            pass


def read_instrument(folder: DataFolder, instrument: str, key: bytes) -> tuple[pd.DataFrame, dict[str, int], list[str], pd.DataFrame, dict[str, tuple[str, ...]]]:
    """Read, map and de-identify every file of one instrument.

    Returns the rows, rows read per file, notes, the quarantine lines of rows
    rejected while reading (see :mod:`pipeline.ingest.read`), and per file the
    codebook columns it does not have (read as not asked).
    """
    frames, counts, notes, rejected, absent = [], {}, [], [], {}
    known = Known()  # respondent identifiers hashed for an earlier file (a later wave has most of them)
    for ds in folder.datasets:
        if ds.instrument != instrument:
            continue
        # a long file's columns with few distinct values stay categorical up to validation
        raw = read_export(ds.file, name=ds.name, sheet=ds.sheet, encoding=ds.encoding, limits=folder.consortium.limits, categorical=not ds.codebook.is_wide)
        if ds.codebook.is_wide:  # one row per person: one long row per person and wave
            mapped = wide_to_long(raw, ds.codebook)
        else:
            mapped = map_columns(raw, ds.codebook, ds.dialect)
            mapped.insert(2, WAVE, ds.wave)
        counts[ds.name], absent[ds.name], warnings = raw.rows_read, raw.absent, raw.warnings
        rejected += [{"source_file": ds.name, "wave": ds.wave, **r} for r in raw.rejected]
        del raw  # the file's columns the codebook does not keep (times, names, tool metadata) are freed before de-identification
        mapped, date_notes = normalise_dates(mapped, ds.codebook, ds.name, ds.date_format, ds.dayfirst)
        notes.extend(date_notes)
        clean = deidentify_with_notes(mapped, ds.codebook, key, ds.name, known)
        frames.append(clean.frame)
        notes.extend(warnings + clean.notes)
        del mapped, clean  # the personal columns are freed before the next file is read
        _give_back_memory()
    lines = pd.DataFrame(rejected, columns=QUARANTINE_COLUMNS).astype({"source_row": "int64"})
    return concat_categorical(frames), counts, notes, lines, absent


def _merge_quarantine(quarantine: pd.DataFrame, rejected: pd.DataFrame, files: list[str]) -> pd.DataFrame:
    """Validation's quarantine lines and the rows rejected while reading, by file (manifest order) and row."""
    both = pd.concat([q for q in (quarantine, rejected) if len(q)], ignore_index=True)
    order = {f: k for k, f in enumerate(files)}
    both = both.assign(_file=both["source_file"].map(order)).sort_values(["_file", "source_row"], kind="stable")
    return both.drop(columns="_file").reset_index(drop=True).astype({"source_row": "int64"})


def unmatched_later_waves(valid: pd.DataFrame, codebook: Codebook) -> list[str]:
    """Notes on respondents who answered a later wave without answering the first.

    They are kept, not quarantined: their answers are valid, they count in the
    later wave's levels, and the sample flow shows them ("no baseline"); only the
    paired change leaves them out, as it must.
    """
    if codebook.design not in ("paired_pre_post", "repeated", "wide") or "respondent_id" not in valid.columns or WAVE not in valid.columns or len(codebook.waves) < 2:
        return []
    first = codebook.waves[0]
    # one integer per respondent: who answered a wave is a boolean per respondent
    people, _ = pd.factorize(valid["respondent_id"], use_na_sentinel=True)
    waves = valid[WAVE].to_numpy()
    known = people >= 0

    def answered(wave: str) -> np.ndarray:
        out = np.zeros(people.max(initial=-1) + 1, dtype=bool)
        out[people[known & (waves == wave)]] = True
        return out

    seen = answered(first)
    notes = []
    for wave in codebook.waves[1:]:
        n = int((answered(wave) & ~seen).sum())
        if n and seen.any():
            notes.append(f"{codebook.instrument}: {n} respondent(s) answered {wave!r} without a {first!r} answer; kept, and counted as 'no baseline' in the sample flow")
    return notes


def _without_quarantined_rows(valid: pd.DataFrame, quarantine: pd.DataFrame) -> pd.DataFrame:
    """Valid rows minus those from a file row that was quarantined at another wave.

    A row of a wide file is one person at every wave; when one wave fails, the person
    is set aside as a whole (for long files this changes nothing).
    """
    if quarantine.empty:
        return valid
    bad = pd.MultiIndex.from_frame(quarantine[["source_file", "source_row"]].astype({"source_row": "int64"}))
    # only rows numbered as a quarantined row can be one (a long file's never are): the
    # (file, row) pairs of every row kept are not built
    drop = valid[SOURCE_ROW].astype("int64").isin(bad.get_level_values(1)).to_numpy(copy=True)
    if drop.any():
        maybe = valid.loc[drop]
        drop[drop] = pd.MultiIndex.from_arrays([maybe[SOURCE_FILE], maybe[SOURCE_ROW].astype("int64")]).isin(bad)
    return valid.loc[~drop].reset_index(drop=True) if drop.any() else valid  # no copy when nothing goes


def reconcile(counts: dict[str, int], instrument: str, waves: dict[str, str | None], valid: pd.DataFrame, quarantine: pd.DataFrame) -> pd.DataFrame:
    """Rows read = rows kept + rows quarantined, per file; raises if a row went missing."""
    rows = []
    for name, n_read in counts.items():
        # rows of the file, not of the frame: a wide file's row is several (one per wave)
        kept = int(valid.loc[valid[SOURCE_FILE] == name, SOURCE_ROW].nunique())
        quarantined = int(quarantine.loc[quarantine["source_file"] == name, "source_row"].nunique())
        if kept + quarantined != n_read:  # an internal invariant, not a user error
            raise RuntimeError(f"{name}: {n_read} rows read but {kept} kept + {quarantined} quarantined")
        rows.append({"source_file": name, "instrument": instrument, "wave": waves[name], "rows_read": n_read, "rows_kept": kept, "rows_quarantined": quarantined})
    return pd.DataFrame(rows, columns=RECONCILIATION_COLUMNS)


def ingest_folder(data_dir: str | Path, manifest: str | Path | None = None, key: bytes | None = None, allow_outside: bool = False) -> IngestResult:
    """Read, de-identify, validate and score every file of a data folder (in memory).

    ``allow_outside``: read files the manifest names outside the data folder (see
    :func:`pipeline.instruments.registry.load_data_folder`).
    """
    folder = load_data_folder(data_dir, manifest, allow_outside=allow_outside)
    key = key if key is not None else load_key()
    read = {instrument: read_instrument(folder, instrument, key) for instrument in folder.codebooks}
    notes: list[str] = []
    if folder.consortium.inferred:
        codes = [c for frame, *_ in read.values() if "partner" in frame.columns for c in frame["partner"].dropna().unique().tolist()]
        folder = dataclasses.replace(folder, consortium=inferred_registry(folder.consortium, codes))
        notes.append(
            f"{folder.manifest.name} names no consortium registry ('consortium: consortium.yaml'): used a minimal one made from the data "
            f"(partners {list(folder.consortium.partner_codes) or 'none'}, no project period, min_cell {folder.consortium.min_cell_size}); "
            "name your registry to check partner codes and the project period"
        )
    countries = folder.consortium.country_of()
    responses, quarantines, private, reconciliations, matchings = {}, [], [], [], []
    for instrument, codebook in folder.codebooks.items():
        frame, counts, warn, rejected, absent = read[instrument]
        notes.extend(warn)
        checked = validate(frame, codebook, folder.consortium, absent=absent)
        del frame, read[instrument]  # the rows as read: validation kept what it needs
        _give_back_memory()
        if len(rejected):
            checked = Validated(checked.valid, _merge_quarantine(checked.quarantine, rejected, list(counts)))
        valid = _without_quarantined_rows(checked.valid, checked.quarantine)
        if "partner" in valid.columns:
            partners, codes = pd.factorize(valid["partner"], use_na_sentinel=True)[::-1]  # each partner looked up once
            country = pd.array([countries.get(p) for p in partners] + [None], dtype="string")[codes]
            valid.insert(valid.columns.get_loc("partner") + 1, "country", country)
        # rows without an identifier are matched by their code, whose elements are then dropped
        valid, matched = pair_by_code(valid, codebook, key)
        matchings.append(matched)
        notes.extend(unmatched_later_waves(valid, codebook))
        responses[instrument] = score(valid, codebook)
        quarantines.append(redact_quarantine(checked.quarantine).assign(instrument=instrument))
        private.append(checked.quarantine.assign(instrument=instrument))
        waves = {d.name: d.wave for d in folder.datasets if d.instrument == instrument}
        reconciliations.append(reconcile(counts, instrument, waves, valid, checked.quarantine))
    quarantine = pd.concat(quarantines, ignore_index=True)[["instrument", *QUARANTINE_COLUMNS]]
    matchings = [m for m in matchings if len(m)]
    code_matching = pd.concat(matchings, ignore_index=True) if matchings else pd.DataFrame(columns=CODE_MATCHING_COLUMNS)
    private_quarantine = pd.concat(private, ignore_index=True)[["instrument", *QUARANTINE_COLUMNS]]
    return IngestResult(folder, responses, quarantine, pd.concat(reconciliations, ignore_index=True), notes, code_matching, private_quarantine)


def _relative(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def input_key(path: Path, data_dir: Path) -> str:
    """How a published table names an input: relative to the data folder; a codebook or
    registry of the repository relative to it (``surveys/...``); a file elsewhere (read
    with ``--allow-outside-data``) by its name only, so no table publishes a machine's
    folders, and two runs of the same folder from different places name files alike."""
    p = Path(path).resolve()
    for base in (Path(data_dir).resolve(), ROOT.resolve()):
        try:
            return p.relative_to(base).as_posix()
        except ValueError:
            continue
    return p.name


def input_hashes(folder: DataFolder) -> dict[str, str]:
    """SHA-256 of every file the run reads, keyed by :func:`input_key` (the commentary
    and the activity plan too)."""
    files = folder.files()
    commentary = find_commentary(folder.root)
    if commentary is not None:
        files = sorted({*files, commentary})
    from pipeline.instruments.plan import find as find_plan

    plan = find_plan(folder.root)
    if plan is not None:
        files = sorted({*files, plan})
    return {input_key(p, folder.root): sha256(p) for p in files}


#: What ingest writes into the build folder. Ingest replaces these and the analysis
#: (made from the rows it replaces): a response table of an instrument no longer in the
#: data folder does not survive, nor indicators of the data read before.
INGEST_OUTPUTS = (Files.RUN, Files.RESPONSES, "consortium.yaml", Files.PRIVATE_QUARANTINE, Files.QUARANTINE, Files.RECONCILIATION, Files.CODE_MATCHING)
#: What analyse writes: every published table that ingest does not write, and the
#: consortium's texts in every language (read by the reports, not published).
ANALYSE_OUTPUTS = (*(t for t in PUBLISHED_TABLES if t not in INGEST_OUTPUTS), Files.DATA_TEXTS)


def _owned(names) -> Callable[[str], bool]:
    """A test for :func:`pipeline.outputs.publish`: is a relative path one of ``names`` or inside one."""
    names = tuple(str(n) for n in names)
    return lambda rel: rel in names or rel.startswith(tuple(f"{n}/" for n in names))


def check_key(build_dir: str | Path, key: bytes) -> str:
    """The key's fingerprint, after checking that the build folder was made with the same key.

    Pseudonyms made with two keys never match, so a build folder is never fed by two:
    the second run stops before it reads anything.
    """
    import json

    fingerprint = key_fingerprint(key)
    run = Path(build_dir) / Files.RUN
    try:
        before = json.loads(run.read_text(encoding="utf-8")).get("key_fingerprint") if run.is_file() else None
    except (OSError, ValueError, AttributeError):
        before = None  # an unreadable run.json records no key: the new run replaces it
    if before and before != fingerprint:
        raise PipelineError(
            f"the build folder {build_dir} was made with another pseudonymisation key (fingerprint {before}; this run's key: {fingerprint}): "
            f"pseudonyms made with two keys never match, so the runs cannot be mixed. Use the key it was made with ({KEY_ENV} or {KEY_FILE.name}), "
            "or ingest into a new build folder (--build), or delete this one to start over with this key"
        )
    return fingerprint


def ingest(data_dir: str | Path, build_dir: str | Path, manifest: str | Path | None = None, min_cell: int | None = None, allow_outside: bool = False) -> IngestResult:
    """Stage 1: write the de-identified, validated, scored rows to the build folder."""
    with run_lock(build_dir, "build folder"):
        return _ingest(data_dir, build_dir, manifest, min_cell, allow_outside)


def _ingest(data_dir, build_dir, manifest, min_cell, allow_outside) -> IngestResult:
    key = load_key()
    fingerprint = check_key(build_dir, key)
    result = ingest_folder(data_dir, manifest, key=key, allow_outside=allow_outside)
    cons = result.folder.consortium
    framework_dirs = (Path(data_dir), SURVEYS_DIR)
    commentary = find_commentary(data_dir)
    if commentary is not None and not allow_outside:  # a commentary.yaml that is a link to elsewhere
        confine(commentary, (Path(data_dir).resolve(),), result.folder.manifest, "commentary", "commentary.yaml")
    design = read_design(_read_yaml(result.folder.manifest), result.folder.manifest)
    if result.folder.framework is not None:  # a bad framework (or commentary) stops the run before anything is written
        fw = load_framework(result.folder.framework, framework_dirs)
        if commentary is not None:
            load_commentary(commentary, framework_ids(fw), set(cons.partner_codes))
        _check_voices(result, {r.id for r in fw.results})
    plan = _plan_file(data_dir, result.folder)
    with staging(build_dir) as tmp:
        for instrument, frame in result.responses.items():
            write_parquet(frame.drop(columns=[SOURCE_FILE]), tmp / "responses" / f"{instrument}.parquet")
        if cons.inferred:  # the later stages read the registry made from the data
            cons = dataclasses.replace(cons, path=write_registry(cons, tmp / "consortium.yaml"))
        write_csv(result.private_quarantine, tmp / Files.PRIVATE_QUARANTINE)
        codes = {k: codebook_codes(cb, cons.partner_codes) for k, cb in result.folder.codebooks.items()}
        write_csv(public_quarantine(result.quarantine, codes), tmp / Files.QUARANTINE)
        write_csv(result.reconciliation, tmp / Files.RECONCILIATION)
        min_cell_used = int(min_cell if min_cell is not None else cons.min_cell_size)
        write_csv(code_matching_table(result.code_matching, min_cell_used), tmp / Files.CODE_MATCHING)
        write_json(
            {
                "data_dir": _relative(Path(data_dir)),
                "manifest": _relative(result.folder.manifest),
                "consortium": _relative(Path(build_dir) / "consortium.yaml") if cons.inferred else _relative(cons.path),
                "codebooks": {k: _relative(cb.path) for k, cb in result.folder.codebooks.items()},
                "min_cell": int(min_cell if min_cell is not None else cons.min_cell_size),
                "framework": _relative(result.folder.framework) if result.folder.framework is not None else None,
                "commentary": _relative(commentary) if commentary is not None else None,
                "activity_plan": _relative(plan) if plan is not None else None,
                "study_design": design,
                "codebook_dirs": [_relative(d) for d in framework_dirs],
                "inputs": input_hashes(result.folder),
                "key_fingerprint": fingerprint,
                "warnings": result.warnings,
                "package_version": __version__,
            },
            tmp / Files.RUN,
        )
        publish(tmp, build_dir, replaces=_owned(INGEST_OUTPUTS + ANALYSE_OUTPUTS))
    return result


def _check_voices(result: IngestResult, result_ids: set[str]) -> None:
    """Each entry of a qualitative evidence log names a result of the framework (else stop, naming file and row)."""
    from pipeline.analysis.voices import check_results

    for instrument, frame in result.responses.items():
        if result.folder.codebooks[instrument].design == "voices" and "result_id" in frame.columns:
            files = sorted(frame[SOURCE_FILE].dropna().astype(str).unique()) if SOURCE_FILE in frame.columns else []
            check_results(frame, result_ids, ", ".join(files) or instrument)


def _plan_file(data_dir, folder: DataFolder) -> Path | None:
    """The data folder's activity plan, checked against the register's kinds and the registry (None without one)."""
    from pipeline.instruments import plan as activity_plan

    path = activity_plan.find(data_dir)
    registers = [cb for cb in folder.codebooks.values() if cb.design == "register"]
    if path is not None and registers:
        activity_plan.load_plan(path, _register_kinds(registers[0]), set(folder.consortium.partner_codes))
    return path


def _register_kinds(codebook: Codebook) -> set[str]:
    field = next((f for f in codebook.fields if f.name == "activity_type"), None)
    return set(field.choices) if field is not None and field.choices else set()


def _unpaired(responses: dict[str, pd.DataFrame], codebooks: dict[str, Codebook]) -> dict[str, str]:
    """Instruments whose design pairs waves but whose rows cannot be paired, with why."""
    out = {}
    for k in sorted(responses):
        cb = codebooks[k]
        if cb.design == "paired_pre_post" and "respondent_id" not in responses[k].columns:
            out[k] = (
                f"{k}: design paired_pre_post compares each person's answers before and after, but the codebook has no field "
                "with role respondent_id (or pairing: by: code), so no answer can be paired: no change indicators. "
                "Give the field that identifies respondents 'role: respondent_id', or set 'design: cross_section' for a one-off survey"
            )
    return out


def compute_indicators(responses: dict[str, pd.DataFrame], codebooks: dict[str, Codebook], min_cell: int) -> pd.DataFrame:
    """The indicator rows of every instrument before their p-values are adjusted and
    small groups suppressed (see :mod:`pipeline.analysis.indicators`).

    Pre/post instruments give change indicators; one-off surveys (``cross_section``, or
    one wave) give the level of each scale (:mod:`pipeline.analysis.levels`); instruments
    that cannot be paired give none (see :func:`analysis_notes`).
    """
    skip = _unpaired(responses, codebooks)
    parts = [instrument_tests(responses[k], codebooks[k], min_cell) for k in sorted(responses) if codebooks[k].design == "paired_pre_post" and k not in skip]
    return pd.concat(parts, ignore_index=True) if parts else rows_table([])


def compute_levels(responses: dict[str, pd.DataFrame], codebooks: dict[str, Codebook], min_cell: int) -> pd.DataFrame:
    """The level rows of every one-off survey (:mod:`pipeline.analysis.levels`), published
    (disclosure control applied there), in the indicator table's columns."""
    from pipeline.analysis.indicators import COLUMNS
    from pipeline.analysis.levels import instrument_levels, one_wave

    skip = _unpaired(responses, codebooks)
    parts = [t for k in sorted(responses) if one_wave(codebooks[k]) and k not in skip and len(t := instrument_levels(responses[k], codebooks[k], min_cell))]
    return pd.concat(parts, ignore_index=True).reindex(columns=COLUMNS) if parts else pd.DataFrame(columns=COLUMNS)


def partner_countries(responses: dict[str, pd.DataFrame]) -> dict:
    """Each partner's country, from every instrument's rows (disclosure control adds
    partners up to their country)."""
    out: dict = {}
    for k in sorted(responses):
        out.update(parents_of(responses[k]))
    return out


def analysis_notes(responses: dict[str, pd.DataFrame], codebooks: dict[str, Codebook]) -> list[str]:
    """What ``analyse`` tells the user about instruments that give no change indicators."""
    from pipeline.analysis.levels import one_wave

    skip = _unpaired(responses, codebooks)
    notes = list(skip.values())
    for k in sorted(responses):
        if codebooks[k].design != "paired_pre_post" and k not in skip:
            levels = "the level of each scale or scored item (analysis 'level')" if one_wave(codebooks[k]) and (codebooks[k].scales or codebooks[k].items) else "no scored items, so no indicators"
            notes.append(
                f"{k}: design {codebooks[k].design} ({len(responses[k])} rows kept): no before/after change indicators; {levels}; its answers are in the build folder's responses and the reports"
            )
    return notes


def compute_quality(responses: dict[str, pd.DataFrame], codebooks: dict[str, Codebook], min_cell: int) -> dict[str, pd.DataFrame]:
    """Reliability and attrition tables of every pre/post instrument (see :mod:`pipeline.analysis.quality`)."""
    from pipeline.analysis.quality import ATTRITION_COLUMNS, RELIABILITY_COLUMNS, attrition_table, reliability

    skip = _unpaired(responses, codebooks)
    keys = [k for k in sorted(responses) if codebooks[k].design == "paired_pre_post" and k not in skip]
    rel = [reliability(responses[k], codebooks[k], min_cell) for k in keys]
    att = [attrition_table(responses[k], codebooks[k], min_cell) for k in keys]
    return {
        Files.RELIABILITY: pd.concat(rel, ignore_index=True) if rel else pd.DataFrame(columns=RELIABILITY_COLUMNS),
        Files.ATTRITION: pd.concat(att, ignore_index=True) if att else pd.DataFrame(columns=ATTRITION_COLUMNS),
    }


def report_inputs(build_dir, run: dict, responses, codebooks, indicators: pd.DataFrame, results: pd.DataFrame, quality: dict, framework=None) -> dict[str, pd.DataFrame]:
    """The tables the reports print besides the indicators (:mod:`pipeline.analysis.report_tables`):
    results at a glance, the checked commentary, network counts, baseline balance, methods;
    and the consortium's texts in every language the framework and the commentary give
    (``texts.csv``, :func:`data_texts`). ``framework``: the run's framework already read
    (:func:`pipeline.analysis.framework.run_framework_file`); read here when not given."""
    from pipeline.analysis import report_tables as rt
    from pipeline.analysis.framework import framework_texts
    from pipeline.instruments.commentary import COLUMNS as COMMENTARY_COLUMNS
    from pipeline.instruments.commentary import commentary_texts
    from pipeline.instruments.registry import load_consortium

    consortium = load_consortium(run["consortium"])
    min_cell = int(run["min_cell"])
    commentary = pd.DataFrame(columns=COMMENTARY_COLUMNS)
    glance = pd.DataFrame(columns=rt.GLANCE_COLUMNS)
    texts: list[dict] = []
    if run.get("framework"):
        fw = framework if framework is not None else run_framework_file(run)
        texts += framework_texts(fw)
        if run.get("commentary"):
            commentary = load_commentary(run["commentary"], framework_ids(fw), set(consortium.partner_codes))
            texts += commentary_texts(run["commentary"], framework_ids(fw), set(consortium.partner_codes))
        glance = rt.glance_table(fw, results, commentary)
    ties = [k for k in sorted(responses) if codebooks[k].design == "ties"]
    network = rt.network_counts(responses[ties[0]], codebooks[ties[0]], consortium) if ties else pd.DataFrame(columns=rt.NETWORK_COLUMNS)
    balance = [rt.baseline_balance(responses[k], codebooks[k], min_cell) for k in sorted(responses) if codebooks[k].design == "paired_pre_post"]
    has_quality = any(len(f) for f in quality.values())
    matching = Path(build_dir) / Files.CODE_MATCHING
    has_matching = matching.is_file() and len(pd.read_csv(matching)) > 0
    return {
        **_voices_tables(responses, codebooks, consortium, min_cell),
        **_activity_tables(run, responses, codebooks, consortium, min_cell),
        Files.AT_A_GLANCE: glance,
        Files.COMMENTARY: commentary,
        Files.NETWORK_COUNTS: network,
        Files.BASELINE_BALANCE: pd.concat(balance, ignore_index=True) if balance else pd.DataFrame(columns=rt.BALANCE_COLUMNS),
        Files.METHODS: rt.methods_table(indicators, has_quality, has_matching),
        Files.DATA_TEXTS: data_texts(texts),
    }


def data_texts(rows: list[dict]) -> pd.DataFrame:
    """``texts.csv``: one row per source, entry, field and language, sorted so that the
    same files give the same bytes."""
    table = pd.DataFrame(rows, columns=DATA_TEXTS_COLUMNS).astype(str)
    return table.sort_values(DATA_TEXTS_COLUMNS[:4], kind="stable", ignore_index=True)


def _voices_tables(responses, codebooks, consortium, min_cell: int) -> dict[str, pd.DataFrame]:
    """Counts and consented quotes of the qualitative evidence log (:mod:`pipeline.analysis.voices`)."""
    from pipeline.analysis import voices

    logs = [responses[k] for k in sorted(responses) if codebooks[k].design == "voices"]
    log = pd.concat(logs, ignore_index=True) if logs else pd.DataFrame()
    return {
        Files.VOICES: voices.voice_counts(log, min_cell, list(consortium.partner_codes)),
        Files.VOICE_QUOTES: voices.voice_quotes(log),
    }


def _activity_tables(run: dict, responses, codebooks, consortium, min_cell: int) -> dict[str, pd.DataFrame]:
    """The register against the plan, participation per partner, dissemination by level
    (:mod:`pipeline.analysis.activities`); empty tables without a register."""
    from pipeline.analysis import activities
    from pipeline.instruments import plan as activity_plan

    registers = [k for k in sorted(responses) if codebooks[k].design == "register"]
    if not registers:
        return {
            Files.ACTIVITIES_PLAN: pd.DataFrame(columns=activities.PLAN_COLUMNS),
            Files.PARTICIPATION: pd.DataFrame(columns=activities.PARTICIPATION_COLUMNS),
            Files.DISSEMINATION: pd.DataFrame(columns=activities.DISSEMINATION_COLUMNS),
        }
    register = responses[registers[0]]
    plan = pd.DataFrame(columns=activity_plan.COLUMNS)
    if run.get("activity_plan"):
        plan = activity_plan.load_plan(run["activity_plan"], _register_kinds(codebooks[registers[0]]), set(consortium.partner_codes))
    ids = set(register["activity_id"].dropna().astype(str)) if "activity_id" in register.columns else set()
    trained: dict[str, int] = {}
    for k in sorted(responses):  # staff trained: distinct respondents of a survey tied to the register's trainings
        frame, cb = responses[k], codebooks[k]
        if cb.design in ("paired_pre_post", "repeated") and {"activity_id", "respondent_id", "partner", "wave"} <= set(frame.columns) and frame["activity_id"].astype(str).isin(ids).any():
            first = frame.loc[frame["wave"] == cb.waves[0]]
            trained = first.groupby(first["partner"].astype(str))["respondent_id"].nunique().astype(int).to_dict()
            break
    return {
        Files.ACTIVITIES_PLAN: activities.against_plan(plan, register, min_cell),
        Files.PARTICIPATION: activities.participation(register, list(consortium.partner_codes), trained, min_cell),
        Files.DISSEMINATION: activities.dissemination(register, min_cell),
    }


def analyse(build_dir: str | Path) -> pd.DataFrame:
    """Stage 2: compute the indicators and write ``indicators.csv`` (with ``reliability.csv``
    and ``attrition.csv``) to the build folder. BLAS runs on one thread: every matrix of
    the stage is small, and for small ones the worker threads only cost CPU time."""
    with run_lock(build_dir, "build folder"), one_blas_thread():
        return _analyse(build_dir)


def _analyse(build_dir: str | Path) -> pd.DataFrame:
    run = load_run(build_dir)
    responses, codebooks = load_responses(build_dir), load_codebooks(build_dir)
    tests = compute_indicators(responses, codebooks, run["min_cell"])
    quality = compute_quality(responses, codebooks, run["min_cell"])
    framework = run_framework_file(run)  # read once (with its codebooks), for the rows and the report tables
    # one family, one adjustment: the instruments' and the framework's tests together
    framework_rows, results, tests = run_framework(run, responses, tests, framework)
    published = publish_indicators(tests, run["min_cell"], partner_countries(responses))
    levels = compute_levels(responses, codebooks, run["min_cell"])
    table = combine(pd.concat([published, levels], ignore_index=True) if len(levels) else published, framework_rows)
    table.attrs["notes"] = analysis_notes(responses, codebooks)
    for_reports = report_inputs(build_dir, run, responses, codebooks, table, results, quality, framework)
    with staging(build_dir) as tmp:
        write_csv(table, tmp / Files.INDICATORS)
        write_csv(results, tmp / Files.RESULTS_FRAMEWORK)
        for name, frame in {**quality, **for_reports}.items():
            write_csv(frame, tmp / name)
        publish(tmp, build_dir, replaces=_owned(ANALYSE_OUTPUTS))
    return table
