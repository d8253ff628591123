"""Execute the report notebooks with papermill and publish HTML and tables.

For every report of :func:`plan` the notebook is executed by papermill (one
process per report: papermill changes the working directory process-wide, so
reports never share a process), converted to self-contained HTML without code
(nbconvert; the ``parameters`` and ``injected-parameters`` cells and cells tagged
``remove_cell`` are dropped), and written with the executed notebook, the
published tables and ``manifest.json`` into a staging folder. Only when every
report succeeded are the files moved into the output folder, so a failed run
leaves the last good run's reports in place. A failed notebook is kept in
``<build>/failed/`` and named in the error.
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import json
import multiprocessing
import platform
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .config import NOTEBOOKS_DIR, ROOT
from .errors import PipelineError, ReportError
from .outputs import publish, sha256, staging, write_json
from .workflow import load_run

MANIFEST = "manifest.json"
PUBLISHED_TABLES = ("indicators.csv", "quarantine.csv", "reconciliation.csv", "reliability.csv", "attrition.csv", "code_matching.csv")
REMOVE_TAGS = {"parameters", "injected-parameters", "remove_cell"}


@dataclass(frozen=True)
class ReportSpec:
    """One report to produce: its name (file stem), notebook and parameters."""

    name: str
    notebook: Path
    description: str
    parameters: dict = field(default_factory=dict)


def plan(build_dir: str | Path) -> list[ReportSpec]:
    """The reports of a run: for now the consortium report."""
    return [
        ReportSpec(
            name="consortium_report",
            notebook=NOTEBOOKS_DIR / "consortium_report.ipynb",
            description="Consortium evaluation report for the funder",
            parameters={},
        )
    ]


def to_html(nb, title: str) -> str:
    """Self-contained HTML of an executed notebook, without code or parameter cells."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = HTMLExporter(template_name="lab")
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.embed_images = True
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags=REMOVE_TAGS, enabled=True), enabled=True)
    for cell in nb.cells:  # warnings printed by libraries are for analysts, not funders
        if cell.get("cell_type") == "code":
            cell["outputs"] = [o for o in cell.get("outputs", []) if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    return body


def execute(spec: ReportSpec, build_dir: Path, out_dir: Path, failed_dir: Path) -> dict:
    """Execute one report notebook into ``out_dir`` and convert it to HTML.

    Runs in its own process (see module docstring). Returns a small summary;
    raises :class:`ReportError` naming the report, the cell and the error.
    """
    import nbformat
    import papermill as pm

    started = time.perf_counter()
    executed = out_dir / f"{spec.name}.ipynb"
    params = {"build_dir": str(build_dir.resolve()), **spec.parameters}
    try:
        pm.execute_notebook(
            str(spec.notebook),
            str(executed),
            parameters=params,
            kernel_name="python3",
            cwd=str(ROOT),
            progress_bar=False,
            log_output=False,
            report_mode=False,
        )
    except pm.PapermillExecutionError as exc:
        failed_dir.mkdir(parents=True, exist_ok=True)
        kept = failed_dir / f"{spec.name}.ipynb"
        if executed.exists():
            shutil.copyfile(executed, kept)
        raise ReportError(spec.name, f"{exc.ename}: {exc.evalue}", cell=exc.exec_count, notebook=kept) from None
    nb = nbformat.read(executed, as_version=4)
    title = nb.metadata.get("title") or spec.description
    (out_dir / f"{spec.name}.html").write_text(to_html(nb, title), encoding="utf-8")
    return {"name": spec.name, "seconds": round(time.perf_counter() - started, 2)}


def _code_version() -> dict:
    """The git commit of the code, and whether the working tree had changes."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = bool(subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip())
    except (OSError, subprocess.SubprocessError):
        commit, dirty = "", False
    return {"package_version": __version__, "git_commit": commit or "unknown", "git_dirty": dirty}


def _library_versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for lib in ("pandas", "numpy", "scipy", "pandera", "pingouin", "statsmodels", "matplotlib", "papermill", "nbconvert"):
        try:
            out[lib] = version(lib)
        except PackageNotFoundError:
            out[lib] = "not installed"
    return out


def build_reports(build_dir: str | Path, out_dir: str | Path, jobs: int = 2) -> list[str]:
    """Produce every report of :func:`plan` and publish them with the tables.

    Parameters
    ----------
    build_dir : path
        A build folder written by the ingest and analyse stages.
    out_dir : path
        Where the reports go; its earlier content is replaced only on success.
    jobs : int
        Reports executed at once, one process each.

    Returns
    -------
    list of str
        The files published, relative to ``out_dir``.
    """
    build_dir, out_dir = Path(build_dir), Path(out_dir)
    run = load_run(build_dir)
    for table in PUBLISHED_TABLES:
        if not (build_dir / table).is_file():
            raise PipelineError(f"{build_dir / table} not found: run the analyse stage first (make report does)")
    specs = plan(build_dir)
    failed_dir = build_dir / "failed"
    previous = _previous_outputs(out_dir)
    with staging(out_dir) as tmp:
        results = _execute_all(specs, build_dir, tmp, failed_dir, jobs)
        for table in PUBLISHED_TABLES:
            shutil.copyfile(build_dir / table, tmp / table)
        outputs = sorted(p.relative_to(tmp).as_posix() for p in tmp.rglob("*") if p.is_file())
        write_json(
            {
                "run_time_utc": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
                "inputs": run["inputs"],
                "parameters": {"data_dir": run["data_dir"], "manifest": run["manifest"], "min_cell": run["min_cell"], "jobs": jobs},
                "code": _code_version(),
                "libraries": _library_versions(),
                "reports": [{"name": s.name, "description": s.description, "parameters": s.parameters, "seconds": r["seconds"]} for s, r in zip(specs, results)],
                "outputs": {rel: sha256(tmp / rel) for rel in outputs},
                "warnings": run.get("warnings", []),
            },
            tmp / MANIFEST,
        )
        published = publish(tmp, out_dir, previous=previous)
    if failed_dir.is_dir():
        shutil.rmtree(failed_dir, ignore_errors=True)
    return published


def _previous_outputs(out_dir: Path) -> list[str]:
    manifest = out_dir / MANIFEST
    if not manifest.is_file():
        return []
    try:
        return [*json.loads(manifest.read_text(encoding="utf-8")).get("outputs", {}), MANIFEST]
    except (ValueError, OSError):
        return []


def _execute_all(specs: list[ReportSpec], build_dir: Path, tmp: Path, failed_dir: Path, jobs: int) -> list[dict]:
    total = len(specs)
    results: dict[str, dict] = {}
    if jobs <= 1 or total == 1:
        for k, spec in enumerate(specs, 1):
            results[spec.name] = execute(spec, build_dir, tmp, failed_dir)
            print(f"[{k}/{total}] {spec.name}: done in {results[spec.name]['seconds']:.1f} s", flush=True)
    else:
        ctx = multiprocessing.get_context("spawn")
        with cf.ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
            futures = {pool.submit(execute, spec, build_dir, tmp, failed_dir): spec for spec in specs}
            done = 0
            for fut in cf.as_completed(futures):
                spec = futures[fut]
                done += 1
                results[spec.name] = fut.result()
                print(f"[{done}/{total}] {spec.name}: done in {results[spec.name]['seconds']:.1f} s", flush=True)
    return [results[s.name] for s in specs]

