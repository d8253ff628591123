"""Everything a report or an analyst reads, loaded with one call.

``ctx.indicators`` holds the instruments' statistics rows of ``indicators.csv``;
``ctx.framework`` the rows of the results framework's indicators (those with a
``result_id``), and ``ctx.results_framework`` the table ``results_framework.csv``.

>>> from pipeline.report.context import load_context
>>> ctx = load_context()                       # doctest: +SKIP
>>> ctx                                        # doctest: +SKIP
>>> ctx.indicators.query("group_by == 'partner'")  # doctest: +SKIP

``load_context()`` works from any folder (a notebook's kernel starts in
``notebooks/``): without an argument it reads the project's default build folder
(``build/reports`` beside the package), and the paths ``run.json`` stores are read
relative to the folder ingest ran from, the project root, or as absolute paths.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline import i18n
from pipeline.config import BUILD_DIR, ROOT
from pipeline.instruments.codebook import Codebook
from pipeline.instruments.registry import Consortium, load_consortium
from pipeline.schema import DATA_TEXTS_COLUMNS, Files


def load_run(build_dir: str | Path) -> dict:
    """The ``run.json`` of a build folder (what ingest read and with which settings).

    The stages and the reports read a build folder with the loaders of this module,
    which import neither pandera nor the statistics libraries: every report kernel
    starts faster (see ``make bench``).
    """
    import json

    path = Path(build_dir) / Files.RUN
    if not path.is_file():
        from pipeline.errors import PipelineError

        where = Path(build_dir).absolute()
        hint = "" if where.is_dir() else f" (the folder {str(where)!r} does not exist)"
        raise PipelineError(
            f"no {Files.RUN} in the build folder {str(where)!r}{hint}: run the ingest stage first (`make report` in {str(PROJECT_ROOT)!r} does), "
            f"or name the build folder a run wrote (default {str(DEFAULT_BUILD)!r})"
        )
    return json.loads(path.read_text(encoding="utf-8"))


#: The folder holding the ``pipeline`` package (the repository's root in a checkout).
PROJECT_ROOT = ROOT
#: The build folder ``make report`` writes by default.
DEFAULT_BUILD = BUILD_DIR / "reports"


def resolve_path(stored: str | Path, build_dir: str | Path) -> Path:
    """A path ``run.json`` stores, found from any working directory.

    ``run.json`` stores paths relative to the folder ingest ran from (the project
    root for ``make``) or absolute paths. A relative path is tried relative to the
    working directory (kept as it is when it exists there, so a run from the project
    root reads the same paths as before), then to the project root and to the folders
    above the build folder. Returns the project-root path when none exists (the error
    that follows names it).
    """
    path = Path(stored)
    if path.is_absolute() or path.exists():
        return path
    candidates = dict.fromkeys([PROJECT_ROOT, ROOT, *Path(build_dir).resolve().parents])
    for base in candidates:
        if (base / path).exists():
            return base / path
    return PROJECT_ROOT / path


def load_responses(build_dir: str | Path) -> dict[str, pd.DataFrame]:
    """The scored responses of every instrument, by instrument id."""
    folder = Path(build_dir) / "responses"
    return {p.stem: pd.read_parquet(p) for p in sorted(folder.glob("*.parquet"))}


def load_codebooks(build_dir: str | Path) -> dict[str, Codebook]:
    """The codebooks a run used, by instrument id."""
    from pipeline.instruments.codebook import load_codebook

    return {k: load_codebook(resolve_path(v, build_dir)) for k, v in load_run(build_dir)["codebooks"].items()}


@dataclass(repr=False)
class ReportContext:
    """The processed data of one run, as the reports and an analyst read it.

    Made by :func:`load_context`; nothing here changes the build folder.

    Attributes
    ----------
    build_dir : Path
        The build folder read.
    run : dict
        ``run.json``: what ingest read (data folder, codebooks, registry), ``min_cell``,
        input hashes and warnings.
    consortium : Consortium
        The partner registry (``consortium.partner_codes``, ``partner_name(code)``).
    codebooks : dict of str -> Codebook
        The codebook of each instrument (items, scales, labels, waves).
    responses : dict of str -> DataFrame
        One frame per instrument: one row per respondent and wave, items as answered
        (missing codes kept), scale scores. :meth:`tidy` gives them labelled.
    indicators : DataFrame
        The instruments' statistics rows of ``indicators.csv`` (``result_id`` empty).
    framework : DataFrame
        The results framework's rows of ``indicators.csv`` (``result_id`` set).
    results_framework : DataFrame
        ``results_framework.csv`` (empty without a framework).
    quarantine : DataFrame
        Rows set aside (``quarantine.csv``): file, row, column, reason, never the value typed.
    reconciliation : DataFrame
        Rows read and kept per file and wave (``reconciliation.csv``).
    reliability, attrition, code_matching : DataFrame
        ``reliability.csv``, ``attrition.csv``, ``code_matching.csv`` (empty when the run
        wrote none).
    partner : str
        The partner of a partner report ("" for the consortium).
    language : str
        The language the report is written in (:mod:`pipeline.i18n`).
    min_cell : int
        The smallest group a published number may describe.

    Analyst helpers: :meth:`tidy`, :meth:`data_dictionary`, :meth:`change_table`,
    :meth:`compare_change`, :meth:`publish` (see ``docs/analysts.md``).
    """

    build_dir: Path
    run: dict
    consortium: Consortium
    codebooks: dict[str, Codebook]
    responses: dict[str, pd.DataFrame]
    indicators: pd.DataFrame
    quarantine: pd.DataFrame
    reconciliation: pd.DataFrame
    partner: str = ""
    extras: dict = field(default_factory=dict)
    framework: pd.DataFrame = field(default_factory=pd.DataFrame)
    results_framework: pd.DataFrame = field(default_factory=pd.DataFrame)
    reliability: pd.DataFrame = field(default_factory=pd.DataFrame)
    attrition: pd.DataFrame = field(default_factory=pd.DataFrame)
    code_matching: pd.DataFrame = field(default_factory=pd.DataFrame)
    language: str = i18n.SOURCE_LANGUAGE

    @property
    def min_cell(self) -> int:
        return int(self.run["min_cell"])

    def partner_name(self, code: str) -> str:
        try:
            return self.consortium.partner(code).name
        except KeyError:
            return code

    def measure_label(self, instrument: str, scale=None, item=None, default: str = "") -> str:
        """The label of a scale or item in the report's language (the codebook's translation;
        English, listed as missing, when the codebook has none; ``default`` when unknown)."""
        cb = self.codebooks.get(instrument)
        try:
            if cb is not None and isinstance(scale, str) and scale:
                return i18n.localized(cb.scale(scale).label, f"{instrument}: scale {scale}") or default
            if cb is not None and isinstance(item, str) and item:
                return i18n.localized(cb.item(item).label, f"{instrument}: item {item}") or default
        except KeyError:
            pass
        return default

    def choice_label(self, instrument: str, field: str, code, default: str = "") -> str:
        """The label of a field's answer (an activity type, a role) in the report's language."""
        cb = self.codebooks.get(instrument)
        try:
            labels = cb.field_named(field).choice_labels if cb is not None else {}
        except KeyError:
            labels = {}
        value = labels.get(str(code))
        return i18n.localized(value, f"{instrument}: {field} = {code}") if value else (default or str(code))

    def wave_label(self, instrument: str, wave: str, default: str = "") -> str:
        """A wave's label ("Before the activities") in the report's language."""
        cb = self.codebooks.get(instrument)
        value = cb.wave_labels.get(wave) if cb is not None else None
        return i18n.localized(value, f"{instrument}: wave {wave}") if value else (default or str(wave))

    def text(self, source: str, entry: str, field: str, default: str = "") -> str:
        """A text the consortium wrote in the report's language: ``source`` is ``framework``,
        ``commentary`` or ``plan``, ``entry`` the id of the result, indicator, comment or
        plan entry, ``field`` the key (``name``, ``definition``, ``result``, ``text``, ...).

        The analyse stage writes (:func:`pipeline.workflow.data_texts`): ``framework``
        with a result id (fields ``result``, ``reason``, ``evidence``) or an indicator id
        (``name``, ``definition``, ``unit``), and ``commentary`` with the entry's id
        (``reason``, ``action``). The activity plan holds no text a reader sees (its kinds
        are the register's answer labels: :meth:`choice_label`).

        Read from the build folder's ``texts.csv`` (every language the data files give);
        ``default`` (the English text of the published table) when the file or the
        language has none, listed as missing for a report in another language.
        """
        if "texts" not in self.extras:
            path = self.build_dir / Files.DATA_TEXTS
            table = pd.read_csv(path, dtype=str, keep_default_na=False) if path.is_file() else pd.DataFrame(columns=DATA_TEXTS_COLUMNS)
            self.extras["texts"] = {(r.source, r.entry, r.field, r.language): r.text for r in table.itertuples(index=False)}
        texts = self.extras["texts"]
        key = (source, str(entry), field)
        mapping = {lang: text for (s, e, f, lang), text in texts.items() if (s, e, f) == key}
        if not mapping:
            return i18n.localized(default) if default else default
        mapping.setdefault(i18n.SOURCE_LANGUAGE, default)
        return i18n.localized(mapping, f"{source}: {entry}.{field}")

    def country_name(self, code: str) -> str:
        """A partner's country in the report's language (CLDR, through Babel): GR -> "Greece", "Grecia"."""
        return i18n.territory(code, default=next((p.country_name for p in self.consortium.partners if p.country == code), code))

    def __repr__(self) -> str:
        responses = ", ".join(f"{k} ({len(v):,} rows)" for k, v in self.responses.items()) or "none"
        lines = [
            f"ReportContext of {str(self.build_dir)!r}{f' for partner {self.partner}' if self.partner else ''}",
            f"  project: {self.consortium.title} ({len(self.consortium.partners)} partners), min_cell {self.run.get('min_cell')}",
            f"  responses: {responses}",
            f"  indicators: {len(self.indicators):,} rows; framework: {len(self.framework):,}; quarantine: {len(self.quarantine):,}",
            "  helpers: tidy(), data_dictionary(), change_table(), compare_change(), publish(); help(ReportContext)",
        ]
        return "\n".join(lines)

    # -- analyst helpers (pandas only here; statistics are imported when called) --------
    def tidy(self, instrument: str, labels: bool = True, long: bool = False, participants_only: bool = False, language: str | None = None) -> pd.DataFrame:
        """One instrument's responses, labelled and tidy (:func:`pipeline.report.tidy.tidy`)."""
        from pipeline.report.tidy import tidy

        return tidy(self.responses[_known(self.responses, instrument)], self.codebooks[instrument], labels=labels, long=long, participants_only=participants_only, language=language)

    def data_dictionary(self, instrument: str, language: str | None = None) -> pd.DataFrame:
        """One row per variable of an instrument (:func:`pipeline.report.tidy.data_dictionary`)."""
        from pipeline.report.tidy import data_dictionary

        return data_dictionary(self.codebooks[_known(self.codebooks, instrument)], self.responses.get(instrument), language=language)

    def change_table(self, instrument: str, where=None, by=None, scales=None, waves=None, name: str | None = None, yardstick: str = "consortium") -> pd.DataFrame:
        """Change of each scale on a subset and breakdown (:func:`pipeline.analysis.explore.change_table`)."""
        from pipeline.analysis.explore import change_table

        instrument = _known(self.responses, instrument)
        return change_table(self.responses[instrument], self.codebooks[instrument], self.min_cell, where=where, by=by, scales=scales, waves=waves, name=name, yardstick=yardstick)

    def compare_change(self, instrument: str, scale: str, by: str, groups, where=None, waves=None) -> pd.DataFrame:
        """Difference in change between two groups, Welch (:func:`pipeline.analysis.explore.compare_change`)."""
        from pipeline.analysis.explore import compare_change

        instrument = _known(self.responses, instrument)
        return compare_change(self.responses[instrument], self.codebooks[instrument], scale, by, groups, self.min_cell, where=where, waves=waves)

    def publish(self, table: pd.DataFrame, count_columns, value_columns=None, **kwargs) -> pd.DataFrame:
        """``table`` with the pipeline's disclosure control (:func:`pipeline.analysis.explore.publish_table`)."""
        from pipeline.analysis.explore import publish_table

        return publish_table(table, count_columns, value_columns, min_cell=self.min_cell, **kwargs)


def _known(mapping: dict, instrument: str) -> str:
    if instrument not in mapping:
        from pipeline.errors import PipelineError

        raise PipelineError(f"no instrument {instrument!r} in this run; instruments: {', '.join(sorted(mapping)) or 'none'}")
    return instrument


def load_indicators(build_dir: str | Path) -> pd.DataFrame:
    """The indicator table of a build folder (``indicators.csv``)."""
    return pd.read_csv(Path(build_dir) / Files.INDICATORS, keep_default_na=True)


def _optional_csv(path: Path, **kwargs) -> pd.DataFrame:
    return pd.read_csv(path, **kwargs) if path.is_file() else pd.DataFrame()


def load_context(build_dir: str | Path | None = None, partner: str = "", language: str = "") -> ReportContext:
    """Load a build folder written by ``impact ingest`` and ``impact analyse``.

    Works from any working directory (a notebook's kernel starts in ``notebooks/``).

    Parameters
    ----------
    build_dir : path, optional
        The build folder; by default :data:`DEFAULT_BUILD` (``build/reports`` in the
        project, what ``make report`` writes). A relative path that does not exist from
        the working directory is read relative to the project root.
    partner : str
        A partner code, for a partner report (checked against the registry).
    language : str
        The language the report is written in (:mod:`pipeline.i18n`): made the active
        language of every text from here on; empty: the registry's reporting language.

    Raises
    ------
    PipelineError
        When the folder has no ``run.json``: the message names the folder looked in.
    """
    build_dir = DEFAULT_BUILD if build_dir is None else Path(build_dir)
    if not (build_dir / Files.RUN).is_file() and not build_dir.is_absolute() and (PROJECT_ROOT / build_dir / Files.RUN).is_file():
        build_dir = PROJECT_ROOT / build_dir
    run = load_run(build_dir)
    consortium = load_consortium(resolve_path(run["consortium"], build_dir))
    if partner and partner not in consortium.partner_codes:
        from pipeline.errors import PipelineError

        raise PipelineError(f"partner {partner!r} is not in the registry; known codes: {', '.join(consortium.partner_codes)}")
    if language and not i18n.supported(language):
        from pipeline.errors import PipelineError

        raise PipelineError(f"no catalogue for the language {language!r}: reports can be written in {', '.join(i18n.LANGUAGES)}")
    language = i18n.activate(language or consortium.reporting_language)
    table = load_indicators(build_dir)
    is_framework = table["result_id"].notna() if "result_id" in table.columns else pd.Series(False, index=table.index)
    results_path = build_dir / Files.RESULTS_FRAMEWORK
    return ReportContext(
        framework=table.loc[is_framework].reset_index(drop=True),
        results_framework=pd.read_csv(results_path) if results_path.is_file() else pd.DataFrame(),
        build_dir=build_dir,
        run=run,
        consortium=consortium,
        codebooks=load_codebooks(build_dir),
        responses=load_responses(build_dir),
        indicators=table.loc[~is_framework].reset_index(drop=True),
        quarantine=pd.read_csv(build_dir / Files.QUARANTINE, dtype={"value": str}, keep_default_na=False),
        reconciliation=pd.read_csv(build_dir / Files.RECONCILIATION),
        partner=partner,
        reliability=_optional_csv(build_dir / Files.RELIABILITY),
        attrition=_optional_csv(build_dir / Files.ATTRITION),
        code_matching=_optional_csv(build_dir / Files.CODE_MATCHING),
        language=language,
    )
