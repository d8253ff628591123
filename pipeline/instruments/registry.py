"""The consortium registry and the manifest of a data folder, both YAML data.

* ``consortium.yaml``: the project (id, title, period, minimum cell size) and its
  partners (code, name, type, country, language).
* ``datasets.yaml`` in a data folder: each export file with the instrument it answers
  and its wave. Instruments are looked up in the data folder first, then in the
  repository's ``surveys/``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from pipeline.config import DEFAULT_MIN_CELL, SURVEYS_DIR
from pipeline.errors import CodebookError, InputError
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
                language=str(p.get("language", "")),
                role=str(p.get("role", "partner")),
            )
        )
    codes = [p.code for p in partners]
    if len(set(codes)) != len(codes):
        raise CodebookError(path, "partners", f"duplicate partner codes in {codes}")
    inferred = bool(proj.get("inferred", False))
    if not partners and not inferred:
        raise CodebookError(path, "partners", "the registry lists no partner")
    return Consortium(
        project_id=str(proj["id"]),
        title=str(proj["title"]),
        programme=str(proj.get("programme", "")),
        start=start,
        end=end,
        min_cell_size=min_cell,
        partners=tuple(partners),
        path=path,
        inferred=inferred,
    )


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


def find_codebook(instrument: str, data_root: Path) -> Path:
    """Where the codebook of ``instrument`` lives: the data folder first, then ``surveys/``."""
    for folder in (data_root, SURVEYS_DIR):
        candidate = folder / f"{instrument}.yaml"
        if candidate.is_file():
            return candidate
    raise CodebookError(
        data_root / "datasets.yaml",
        f"instrument {instrument!r}",
        f"no codebook {instrument}.yaml in {data_root} or {SURVEYS_DIR}",
    )


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


def load_data_folder(root: str | Path, manifest: str | Path | None = None) -> DataFolder:
    """Read a data folder's manifest and everything it names.

    Parameters
    ----------
    root : path
        The data folder; export file paths in the manifest are relative to it.
    manifest : path, optional
        The manifest; ``<root>/datasets.yaml`` by default. A manifest kept elsewhere
        (for data that lives outside the repository) still resolves files against ``root``.
    """
    root = Path(root)
    if not root.is_dir():
        raise InputError(root, "data folder not found")
    manifest = Path(manifest) if manifest else root / "datasets.yaml"
    if not manifest.is_file():
        raise InputError(manifest, "data folder manifest not found: a data folder needs a datasets.yaml naming its files (see docs/data-folder.md)")
    doc = _read_yaml(manifest)
    if not isinstance(doc, dict):
        raise CodebookError(manifest, "(top level)", "expected a mapping with 'consortium' and 'datasets'")
    _require(doc, ("datasets",), manifest, "(top level)")
    consortium_path = doc.get("consortium")
    if consortium_path:
        consortium = load_consortium((manifest.parent / consortium_path).resolve())
    else:  # never the bundled example's registry: its period and partners are not this data's
        consortium = Consortium(root.resolve().name, root.resolve().name, "", None, None, DEFAULT_MIN_CELL, (), None, inferred=True)
    codebooks: dict[str, Codebook] = {}
    datasets = []
    for i, d in enumerate(doc["datasets"] or []):
        if not isinstance(d, dict):
            raise CodebookError(manifest, f"datasets[{i}]", "expected a mapping with 'file' and 'instrument'")
        _require(d, ("file", "instrument"), manifest, f"datasets[{i}]")
        inst = str(d["instrument"])
        if inst not in codebooks:
            search_root = manifest.parent if manifest.parent != root else root
            try:
                cb_path = find_codebook(inst, root)
            except CodebookError:
                cb_path = find_codebook(inst, search_root)
            codebooks[inst] = load_codebook(cb_path)
        cb = codebooks[inst]
        wave = d.get("wave")
        if wave is None and len(cb.waves) == 1:  # a register or a one-off survey: its only wave
            wave = cb.waves[0]
        if wave is not None and str(wave) not in cb.waves:
            raise CodebookError(manifest, f"datasets[{i}].wave", f"wave {wave!r} is not a wave of {inst}; waves: {list(cb.waves)}")
        if wave is None and cb.field_by_role("wave") is None and not cb.is_wide:
            raise CodebookError(manifest, f"datasets[{i}].wave", f"{inst} has no wave field, so each file must say its wave")
        datasets.append(Dataset(root / str(d["file"]), str(d["file"]), inst, None if wave is None else str(wave), cb, **_read_options(d, manifest, i)))
    if not datasets:
        raise CodebookError(manifest, "datasets", "the manifest lists no file")
    framework = _framework_path(doc, manifest)
    return DataFolder(root=root, manifest=manifest, consortium=consortium, datasets=tuple(datasets), framework=framework)


def inferred_registry(consortium: Consortium, partner_codes) -> Consortium:
    """The registry of a data folder whose manifest names none: the partner codes found
    in the data, no project period, the default minimum cell size."""
    codes = sorted({str(c).strip() for c in partner_codes if isinstance(c, str) and c.strip()})
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
