"""Everything a report or an analyst reads, loaded with one call.

``ctx.indicators`` holds the instruments' statistics rows of ``indicators.csv``;
``ctx.framework`` the rows of the results framework's indicators (those with a
``result_id``), and ``ctx.results_framework`` the table ``results_framework.csv``.

>>> from pipeline.report.context import load_context
>>> ctx = load_context("build/reports")        # doctest: +SKIP
>>> ctx.indicators.query("group_by == 'partner'")  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.instruments.codebook import Codebook
from pipeline.instruments.registry import Consortium, load_consortium
from pipeline.schema import Files


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

        raise PipelineError(f"{path} not found: run the ingest stage first (make report does)")
    return json.loads(path.read_text(encoding="utf-8"))


def load_responses(build_dir: str | Path) -> dict[str, pd.DataFrame]:
    """The scored responses of every instrument, by instrument id."""
    folder = Path(build_dir) / "responses"
    return {p.stem: pd.read_parquet(p) for p in sorted(folder.glob("*.parquet"))}


def load_codebooks(build_dir: str | Path) -> dict[str, Codebook]:
    """The codebooks a run used, by instrument id."""
    from pipeline.instruments.codebook import load_codebook

    return {k: load_codebook(v) for k, v in load_run(build_dir)["codebooks"].items()}


@dataclass
class ReportContext:
    """The processed data of one run: responses, indicators, quarantine, provenance."""

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

    @property
    def min_cell(self) -> int:
        return int(self.run["min_cell"])

    def partner_name(self, code: str) -> str:
        try:
            return self.consortium.partner(code).name
        except KeyError:
            return code


def load_indicators(build_dir: str | Path) -> pd.DataFrame:
    """The indicator table of a build folder (``indicators.csv``)."""
    return pd.read_csv(Path(build_dir) / Files.INDICATORS, keep_default_na=True)


def load_context(build_dir: str | Path, partner: str = "") -> ReportContext:
    """Load a build folder written by ``impact ingest`` and ``impact analyse``.

    Parameters
    ----------
    build_dir : path
        The build folder.
    partner : str
        A partner code, for a partner report (checked against the registry).
    """
    build_dir = Path(build_dir)
    run = load_run(build_dir)
    consortium = load_consortium(run["consortium"])
    if partner and partner not in consortium.partner_codes:
        from pipeline.errors import PipelineError

        raise PipelineError(f"partner {partner!r} is not in the registry; known codes: {', '.join(consortium.partner_codes)}")
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
    )
