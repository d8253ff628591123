"""The consortium registry and the manifest of a data folder, both YAML data.

* ``consortium.yaml``: the project (id, title, period, minimum cell size, reporting
  language) and its partners (code, name, type, country, language). A partner's report
  is written in its ``language`` too when the package has a catalogue for it
  (:data:`pipeline.i18n.LANGUAGES`); the consortium report in ``reporting_language``
  (English by default).
* ``datasets.yaml`` in a data folder: each export file with the instrument it answers
  and its wave. Instruments are looked up in the data folder first, then in the
  repository's ``surveys/``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.config import DEFAULT_LIMITS, DEFAULT_MIN_CELL, SURVEYS_DIR, Limits
from pipeline.errors import CodebookError, InputError
from pipeline.i18n import LANGUAGES, SOURCE_LANGUAGE, normalise, supported
from pipeline.instruments.codebook import Codebook, _read_yaml, _require, load_codebook


@dataclass(frozen=True)
class Partner:
    code: str
    name: str
    type: str
    country: str
    country_name: str
    city: str = ""
    language: str = ""
    role: str = "partner"


@dataclass(frozen=True)
class Consortium:
    """The project and its partners."""

    project_id: str
    title: str
    programme: str
    start: dt.date | None
    end: dt.date | None
    min_cell_size: int
    partners: tuple[Partner, ...]
    path: Path | None = None
    #: True for a registry made from the data (the manifest names none): partner codes
    #: are whatever the data holds and no project period is checked.
    inferred: bool = False
    #: What one run reads at most (the registry's ``limits:``; see :class:`pipeline.config.Limits`).
    limits: Limits = field(default=DEFAULT_LIMITS)
    #: The language of the consortium report and of the report set (``project.reporting_language``).
    reporting_language: str = SOURCE_LANGUAGE
    #: The title in every language the registry gives (``title: {en: ..., it: ...}``); ``title`` is the English.
    title_labels: dict = field(default_factory=dict)

    @property
    def partner_codes(self) -> tuple[str, ...]:
        return tuple(p.code for p in self.partners)

    def partner(self, code: str) -> Partner:
        for p in self.partners:
            if p.code == code:
                return p
        raise KeyError(code)

    def country_of(self) -> dict[str, str]:
        """Partner code -> country code."""
        return {p.code: p.country for p in self.partners}


def load_consortium(path: str | Path) -> Consortium:
    """Read and check a consortium registry (see ``surveys/consortium.yaml``)."""
    path = Path(path)
    doc = _read_yaml(path)
    if not isinstance(doc, dict):
        raise CodebookError(path, "(top level)", "expected a mapping with 'project' and 'partners'")
    _require(doc, ("project", "partners"), path, "(top level)")
    proj = doc["project"]
    _require(proj, ("id", "title"), path, "project")
    from pipeline.instruments.yaml_io import read_text, squeeze

    titles = read_text(proj["title"], path, "project.title", clean=squeeze)
    # The period is optional (a reference data set may carry no dates); without it,
    # submission times cannot be checked against it.
    period = proj.get("period")
    start = end = None
    if period is not None:
        if not isinstance(period, dict):
            raise CodebookError(path, "project.period", f"expected a mapping with 'start' and 'end', got {period!r}")
        _require(period, ("start", "end"), path, "project.period")
        start, end = period["start"], period["end"]
        for name, value in (("start", start), ("end", end)):
            if not isinstance(value, dt.date):
                raise CodebookError(path, f"project.period.{name}", f"expected a date YYYY-MM-DD, got {value!r}")
        if start > end:
            raise CodebookError(path, "project.period", f"start {start} is after end {end}")
    min_cell = proj.get("min_cell_size", DEFAULT_MIN_CELL)
    if not isinstance(min_cell, int) or min_cell < 1:
        raise CodebookError(path, "project.min_cell_size", f"expected a whole number >= 1, got {min_cell!r}")
    reporting_language = proj.get("reporting_language", SOURCE_LANGUAGE)
    if not isinstance(reporting_language, str) or not supported(reporting_language):
        raise CodebookError(path, "project.reporting_language", f"reports can be written in {', '.join(LANGUAGES)}, not {reporting_language!r}")
    partners = []
    for i, p in enumerate(doc["partners"] or []):
        if not isinstance(p, dict):
            raise CodebookError(path, f"partners[{i}]", "expected a mapping with code, name, type, country")
        _require(p, ("code", "name", "type", "country"), path, f"partners[{i}]")
        partners.append(
            Partner(
                code=str(p["code"]),
                name=str(p["name"]),
                type=str(p["type"]),
                country=str(p["country"]),
                country_name=str(p.get("country_name", p["country"])),
                city=str(p.get("city", "")),
                language=normalise(p["language"]) if p.get("language") else "",
                role=str(p.get("role", "partner")),
            )
        )
    codes = [p.code for p in partners]
    if len(set(codes)) != len(codes):
        raise CodebookError(path, "partners", f"duplicate partner codes in {codes}")
    clash = file_name_clash(codes)
    if clash:
        raise CodebookError(path, "partners", clash)
    inferred = bool(proj.get("inferred", False))
    if not partners and not inferred:
        raise CodebookError(path, "partners", "the registry lists no partner")
    return Consortium(
        project_id=str(proj["id"]),
        title=titles["en"],
        programme=str(proj.get("programme", "")),
        start=start,
        end=end,
        min_cell_size=min_cell,
        partners=tuple(partners),
        path=path,
        inferred=inferred,
        limits=_read_limits(doc.get("limits"), path),
        reporting_language=normalise(reporting_language),
        title_labels=titles,
    )


def file_stem(value: str) -> str:
    """A file-name-safe form of an id (letters, digits, ``-`` and ``_``): the name of a
    partner's report is ``partner_<file_stem(code)>``."""
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in str(value))


def file_name_clash(codes) -> str | None:
    """Why two partner codes would share one report file (``GR.THE`` and ``GR_THE`` both
    give ``partner_GR_THE``; ``GR-THE`` and ``gr-the`` are one file on Windows and macOS),
    or None when every code has a file of its own."""
    seen: dict[str, str] = {}
    for code in codes:
        stem = file_stem(code).casefold()
        if stem in seen and seen[stem] != code:
            return (
                f"partner codes {seen[stem]!r} and {code!r} differ only in letter case or in characters a file name cannot keep, "
                f"so both partners' reports would be written to one file (partner_{file_stem(code)}.html); make the codes differ in letters or digits"
            )
        seen[stem] = code
    return None


def _read_limits(doc, path: Path) -> Limits:
    """The registry's optional ``limits:``: each a whole number > 0 (see :class:`pipeline.config.Limits`)."""
    if doc is None:
        return DEFAULT_LIMITS
    if not isinstance(doc, dict):
        raise CodebookError(path, "limits", f"expected a mapping such as 'max_rows: 2000000'; the limits are {list(Limits.names())}")
    values = {}
    for name, value in doc.items():
        if name not in Limits.names():
            raise CodebookError(path, f"limits.{name}", f"unknown limit; the limits are {list(Limits.names())}")
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise CodebookError(path, f"limits.{name}", f"expected a whole number >= 1, got {value!r}")
        values[name] = value
    return Limits(**values)


@dataclass(frozen=True)
class Dataset:
    """One export file of a data folder."""

    file: Path
    name: str
    instrument: str
    wave: str | None
    codebook: Codebook
    #: How to read the file, when detection is not enough (see :mod:`pipeline.ingest.dialects`,
    #: :func:`pipeline.ingest.read.read_export`): the export dialect, the sheet of a workbook,
    #: the text encoding.
    dialect: str | None = None
    sheet: str | None = None
    encoding: str | None = None
    #: How dates that are not ISO 8601 are read (see :mod:`pipeline.ingest.dates`): a
    #: ``strftime`` pattern, and whether ``a/b/yyyy`` dates are day first.
    date_format: str | None = None
    dayfirst: bool | None = None


@dataclass(frozen=True)
class DataFolder:
    """A data folder: its manifest, registry and export files."""

    root: Path
    manifest: Path
    consortium: Consortium
    datasets: tuple[Dataset, ...]
    framework: Path | None = None

    @property
    def codebooks(self) -> dict[str, Codebook]:
        return {d.instrument: d.codebook for d in self.datasets}

    def files(self) -> list[Path]:
        """Every file the run reads: exports, codebooks, registry, manifest."""
        out = {self.manifest, self.consortium.path, self.framework}
        out.update(d.file for d in self.datasets)
        out.update(d.codebook.path for d in self.datasets)
        return sorted(p for p in out if p is not None)


#: An instrument's name: the file name of its codebook (without ``.yaml``) and of its
#: table in the build folder, so never a path.
INSTRUMENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")

#: The command-line flag that lets a manifest name files outside the data folder.
ALLOW_OUTSIDE_FLAG = "--allow-outside-data"


def find_codebook(instrument: str, data_root: Path, allowed: tuple[Path, ...] | None = None) -> Path:
    """Where the codebook of ``instrument`` lives: the data folder first, then ``surveys/``.

    With ``allowed`` (folders), a codebook found through a link that leads outside them is refused.
    """
    for folder in (data_root, SURVEYS_DIR):
        candidate = folder / f"{instrument}.yaml"
        if candidate.is_file():
            if allowed is not None:
                confine(candidate, allowed, data_root / "datasets.yaml", f"instrument {instrument!r}", f"codebook {candidate.name}")
            return candidate
    raise CodebookError(
        data_root / "datasets.yaml",
        f"instrument {instrument!r}",
        f"no codebook {instrument}.yaml in {data_root} or {SURVEYS_DIR}",
    )


def confine(path: Path, allowed: tuple[Path, ...], manifest: Path, entry: str, what: str) -> Path:
    """``path`` with links resolved, or :class:`CodebookError` when it lies outside every ``allowed`` folder.

    A data folder passes through many hands: a manifest entry such as
    ``file: ../../outside/secret.txt`` (or a link to such a file) must not make the
    run read, quote or publish a file the user never meant to give it.
    """
    resolved = path.resolve()
    if any(resolved.is_relative_to(folder) for folder in allowed):
        return resolved
    raise CodebookError(
        manifest,
        entry,
        f"the {what} lies outside the data folder {allowed[0]} (and the repository's surveys/): not read. Move it into the data folder, or pass {ALLOW_OUTSIDE_FLAG} to read files outside it",
    )


def input_name(given: str, file: Path, root: Path) -> str:
    """How a file is named in messages and published tables: as the manifest wrote it when
    that is a plain path inside the data folder, else relative to the data folder (never
    an absolute path of the machine)."""
    plain = Path(given)
    if not plain.is_absolute() and ".." not in plain.parts:
        return given
    import os

    return Path(os.path.relpath(file.resolve(), root.resolve())).as_posix()


def _read_options(d: dict, manifest: Path, i: int) -> dict:
    """The optional ``dialect``, ``sheet``, ``encoding``, ``date_format`` and ``dayfirst`` of a manifest entry, checked."""
    import codecs

    from pipeline.ingest.dialects import DIALECTS

    out = {}
    if d.get("dialect") is not None:
        if str(d["dialect"]) not in DIALECTS:
            raise CodebookError(manifest, f"datasets[{i}].dialect", f"unknown dialect {d['dialect']!r}; known: {sorted(DIALECTS)}")
        out["dialect"] = str(d["dialect"])
    if d.get("sheet") is not None:
        out["sheet"] = str(d["sheet"])
    if d.get("encoding") is not None:
        try:
            codecs.lookup(str(d["encoding"]))
        except LookupError:
            raise CodebookError(manifest, f"datasets[{i}].encoding", f"unknown encoding {d['encoding']!r} (a Python codec name such as cp1253 or iso-8859-7)") from None
        out["encoding"] = str(d["encoding"])
    if d.get("date_format") is not None:
        fmt = str(d["date_format"])
        if "%" not in fmt:
            raise CodebookError(manifest, f"datasets[{i}].date_format", f"expected a strftime pattern such as '%d/%m/%Y %H:%M:%S', got {fmt!r}")
        out["date_format"] = fmt
    if d.get("dayfirst") is not None:
        if not isinstance(d["dayfirst"], bool):
            raise CodebookError(manifest, f"datasets[{i}].dayfirst", f"expected true or false, got {d['dayfirst']!r}")
        out["dayfirst"] = d["dayfirst"]
    return out


def load_data_folder(root: str | Path, manifest: str | Path | None = None, allow_outside: bool = False) -> DataFolder:
    """Read a data folder's manifest and everything it names.

    Parameters
    ----------
    root : path
        The data folder; export file paths in the manifest are relative to it.
    manifest : path, optional
        The manifest; ``<root>/datasets.yaml`` by default. A manifest kept elsewhere
        (for data that lives outside the repository) still resolves files against ``root``.
    allow_outside : bool
        Read export files, codebooks, the registry and the framework wherever the
        manifest puts them. By default each must resolve (links followed) inside the
        data folder, the manifest's folder or the repository's ``surveys/``.
    """
    root = Path(root)
    if not root.is_dir():
        raise InputError(root, "data folder not found")
    manifest_given = manifest or None
    manifest = Path(manifest) if manifest else root / "datasets.yaml"
    if not manifest.is_file():
        raise InputError(manifest, "data folder manifest not found: a data folder needs a datasets.yaml naming its files (see docs/data-folder.md)")
    doc = _read_yaml(manifest)
    if not isinstance(doc, dict):
        raise CodebookError(manifest, "(top level)", "expected a mapping with 'consortium' and 'datasets'")
    _require(doc, ("datasets",), manifest, "(top level)")
    allowed = None if allow_outside else tuple(dict.fromkeys(p.resolve() for p in (root, manifest.parent, SURVEYS_DIR)))
    if allowed is not None and manifest_given is None:  # a datasets.yaml that is a link to elsewhere
        confine(manifest, allowed[:1] + (SURVEYS_DIR.resolve(),), manifest, "(file)", "manifest datasets.yaml")
    consortium_path = doc.get("consortium")
    if consortium_path:
        registry = (manifest.parent / str(consortium_path)).resolve()
        if allowed is not None:
            confine(registry, allowed, manifest, "consortium", f"registry {consortium_path!r}")
        consortium = load_consortium(registry)
    else:  # never the bundled example's registry: its period and partners are not this data's
        consortium = Consortium(root.resolve().name, root.resolve().name, "", None, None, DEFAULT_MIN_CELL, (), None, inferred=True)
    codebooks: dict[str, Codebook] = {}
    datasets = []
    for i, d in enumerate(doc["datasets"] or []):
        if not isinstance(d, dict):
            raise CodebookError(manifest, f"datasets[{i}]", "expected a mapping with 'file' and 'instrument'")
        _require(d, ("file", "instrument"), manifest, f"datasets[{i}]")
        inst = str(d["instrument"])
        if not INSTRUMENT_NAME.fullmatch(inst) or ".." in inst:
            raise CodebookError(
                manifest,
                f"datasets[{i}].instrument",
                f"{inst!r} is not an instrument name: an instrument is named by its codebook file without '.yaml' (letters, digits, '_', '.', '-'), never by a path",
            )
        if inst not in codebooks:
            search_root = manifest.parent if manifest.parent != root else root
            try:
                cb_path = find_codebook(inst, root, allowed)
            except CodebookError as exc:
                if "no codebook" not in exc.problem:
                    raise
                cb_path = find_codebook(inst, search_root, allowed)
            codebooks[inst] = load_codebook(cb_path)
        cb = codebooks[inst]
        wave = d.get("wave")
        if wave is None and len(cb.waves) == 1:  # a register or a one-off survey: its only wave
            wave = cb.waves[0]
        if wave is not None and str(wave) not in cb.waves:
            raise CodebookError(manifest, f"datasets[{i}].wave", f"wave {wave!r} is not a wave of {inst}; waves: {list(cb.waves)}")
        if wave is None and cb.field_by_role("wave") is None and not cb.is_wide:
            raise CodebookError(manifest, f"datasets[{i}].wave", f"{inst} has no wave field, so each file must say its wave")
        file = root / str(d["file"])
        if allowed is not None:
            confine(file, allowed, manifest, f"datasets[{i}].file", f"file {str(d['file'])!r}")
        name = input_name(str(d["file"]), file, root)
        datasets.append(Dataset(file, name, inst, None if wave is None else str(wave), cb, **_read_options(d, manifest, i)))
    if not datasets:
        raise CodebookError(manifest, "datasets", "the manifest lists no file")
    framework = _framework_path(doc, manifest)
    if framework is not None and allowed is not None:
        confine(framework, allowed, manifest, "framework", f"results framework {str(doc['framework'])!r}")
    return DataFolder(root=root, manifest=manifest, consortium=consortium, datasets=tuple(datasets), framework=framework)


def inferred_registry(consortium: Consortium, partner_codes) -> Consortium:
    """The registry of a data folder whose manifest names none: the partner codes found
    in the data, no project period, the default minimum cell size."""
    codes = sorted({str(c).strip() for c in partner_codes if isinstance(c, str) and c.strip()})
    clash = file_name_clash(codes)
    if clash:
        from pipeline.errors import PipelineError

        raise PipelineError(f"the partner codes found in the data: {clash} (or name a registry in the manifest: 'consortium: consortium.yaml')")
    partners = tuple(Partner(c, c, "partner", "", "") for c in codes)
    return Consortium(consortium.project_id, consortium.title, "", None, None, consortium.min_cell_size, partners, None, inferred=True)


def write_registry(consortium: Consortium, path: Path) -> Path:
    """Write a registry made from the data (:func:`inferred_registry`) for the later stages."""
    import yaml

    doc = {
        "project": {"id": consortium.project_id, "title": consortium.title, "min_cell_size": consortium.min_cell_size, "inferred": True},
        "partners": [{"code": p.code, "name": p.name, "type": p.type, "country": p.country} for p in consortium.partners],
    }
    header = "# Made by `impact ingest`: the manifest names no consortium registry, so its partners are the codes found in the data.\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _framework_path(doc: dict, manifest: Path) -> Path | None:
    """The results framework a manifest names (``framework:``, relative to the manifest), if any."""
    value = doc.get("framework")
    if value is None:
        return None
    path = (manifest.parent / str(value)).resolve()
    if not path.is_file():
        raise CodebookError(manifest, "framework", f"results framework {value!r} not found (looked for {path})")
    return path
