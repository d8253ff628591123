"""Benchmark: ingestion, validation and scoring against the time to read the files.

``make bench`` generates the example instrument for ``respondents`` people (two
waves, about three quarters answering both), then measures, each in a fresh
process:

* the **floor**: ``pandas.read_csv(engine="pyarrow")`` of the export files;
* the **pipeline**: reading, de-identification, validation (pandera) and scoring
  (:func:`pipeline.workflow.ingest_folder`).

It prints wall time and the ratio to the floor, and peak memory (growth of the
process's peak resident set over its size after imports) next to the size of
the data in memory (the floor's frames, ``memory_usage(deep=True)``). Targets:
time at most 3x the floor, memory at most 4x the data. Ratios are measured in
the same run on the same machine; no test asserts a time.

The **report set** (:func:`report_bench`): the time to produce every report of
the bundled example (:func:`pipeline.report.build.build_reports`: papermill, HTML, PDF,
index) against the floor, papermill running the same number of *empty*
notebooks with the same parallelism (``jobs`` worker processes, one kernel per
notebook). Target: at most 1.5x the floor.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from pipeline.config import ROOT, SURVEYS_DIR

FLOOR = """
import json, resource, sys, time
import pandas as pd
files = sys.argv[1:]
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
frames = [pd.read_csv(f, engine="pyarrow") for f in files]
seconds = time.perf_counter() - t
size = sum(int(f.memory_usage(deep=True).sum()) for f in frames)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "data_bytes": size, "peak_growth_bytes": (peak - base) * 1024, "rows": sum(len(f) for f in frames)}))
"""

PIPELINE = """
import json, resource, sys, time
from pipeline.workflow import ingest_folder
import pandas, pandera.pandas, pingouin, scipy.stats  # imports are not what we measure
# pandera imports more (hypothesis, when installed) on its first validation: warm it up
pandera.pandas.DataFrameSchema({"a": pandera.pandas.Column(int, pandera.pandas.Check.isin([1]))}).validate(pandas.DataFrame({"a": [1]}))
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
result = ingest_folder(sys.argv[1], key=b"benchmark")
seconds = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
rec = result.reconciliation
print(json.dumps({"seconds": seconds, "peak_growth_bytes": (peak - base) * 1024,
                  "rows_read": int(rec.rows_read.sum()), "rows_kept": int(rec.rows_kept.sum()),
                  "rows_quarantined": int(rec.rows_quarantined.sum())}))
"""


def make_data(workdir: Path, respondents: int) -> list[Path]:
    """Write the example instrument's exports for about ``respondents`` people."""
    from pipeline.example.community import PARTNERS, simulate

    workdir.mkdir(parents=True, exist_ok=True)
    scale = respondents / sum(p.n for p in PARTNERS.values())
    files = []
    for name, frame in simulate(seed=1, scale=scale).items():
        path = workdir / name
        frame.to_csv(path, index=False, lineterminator="\n")
        files.append(path)
    (workdir / "datasets.yaml").write_text(
        f"consortium: {SURVEYS_DIR / 'consortium.yaml'}\ndatasets:\n"
        "  - {file: community_attitudes_pre.csv, instrument: community_attitudes, wave: pre}\n"
        "  - {file: community_attitudes_post.csv, instrument: community_attitudes, wave: post}\n",
        encoding="utf-8",
    )
    return files


def _measure(script: str, *args: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark step failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _empty_notebook(path: str, out: str, cwd: str) -> float:
    """Execute one notebook with papermill (a worker of the floor); returns seconds."""
    import papermill as pm

    from pipeline.report.build import ipc_kernel_config

    t = time.perf_counter()
    with ipc_kernel_config() as config:  # the same kernel transport as the reports
        pm.execute_notebook(path, out, parameters={"build_dir": "unused"}, kernel_name="python3", cwd=cwd, progress_bar=False, log_output=False, config=config)
    return time.perf_counter() - t


def papermill_floor(n: int, jobs: int, workdir: Path) -> float:
    """Wall time for papermill to run ``n`` empty notebooks, ``jobs`` worker processes at once."""
    import concurrent.futures as cf
    import multiprocessing

    import nbformat

    from pipeline.config import ROOT

    workdir.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}}
    nb.cells = [nbformat.v4.new_code_cell('build_dir = ""  # type: str unused', metadata={"tags": ["parameters"]})]
    empty = workdir / "empty.ipynb"
    nbformat.write(nb, empty)
    t = time.perf_counter()
    with cf.ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        list(pool.map(_empty_notebook, [str(empty)] * n, [str(workdir / f"empty_{k}.ipynb") for k in range(n)], [str(ROOT)] * n))
    return time.perf_counter() - t


def report_bench(workdir: str | Path = "build/bench", jobs: int = 2, repeats: int = 2) -> dict:
    """Time the report set of the bundled example against the papermill floor (best of ``repeats``)."""
    import contextlib
    import io

    from pipeline.config import EXAMPLE_DIR
    from pipeline.report.build import build_reports, plan
    from pipeline.workflow import analyse, ingest

    workdir = Path(workdir)
    build, out = workdir / "report_build", workdir / "report_out"
    with contextlib.redirect_stdout(io.StringIO()):
        ingest(EXAMPLE_DIR, build)
        analyse(build)
    n = len(plan(build))
    floors, runs = [], []
    for _ in range(repeats):
        floors.append(papermill_floor(n, jobs, workdir / "floor"))
        t = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            build_reports(build, out, jobs=jobs)
        runs.append(time.perf_counter() - t)
    floor, run = min(floors), min(runs)
    result = {"reports": n, "jobs": jobs, "floor_seconds": round(floor, 2), "report_set_seconds": round(run, 2), "time_ratio": round(run / floor, 2), "repeats": repeats}
    print(f"report set: {n} reports (HTML, PDF, notebook each), {jobs} processes")
    print(f"floor    papermill, {n} empty notebooks: {floor:.1f} s (best of {repeats})")
    print(f"reports  build_reports: {run:.1f} s (best of {repeats})")
    print(f"time ratio: {run / floor:.2f}x the floor (target <= 1.5x)")
    return result


def main(respondents: int = 100_000, workdir: str | Path = "build/bench", repeats: int = 3, part: str = "all", jobs: int = 2) -> int:
    workdir = Path(workdir)
    if part in ("all", "reports"):
        result = report_bench(workdir, jobs=jobs)
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "bench_reports.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        if part == "reports":
            return 0
    t = time.perf_counter()
    files = make_data(workdir, respondents)
    mb = sum(f.stat().st_size for f in files) / 1e6
    print(f"generated {respondents:,} respondents x 2 waves ({mb:.1f} MB of CSV) in {time.perf_counter() - t:.1f} s")
    floors = [_measure(FLOOR, *map(str, files)) for _ in range(repeats)]
    runs = [_measure(PIPELINE, str(workdir)) for _ in range(repeats)]
    floor = min(floors, key=lambda r: r["seconds"])
    run = min(runs, key=lambda r: r["seconds"])
    time_ratio = run["seconds"] / floor["seconds"]
    mem_ratio = run["peak_growth_bytes"] / floor["data_bytes"]
    result = {
        "respondents": respondents,
        "rows": floor["rows"],
        "csv_megabytes": round(mb, 1),
        "floor_seconds": round(floor["seconds"], 3),
        "pipeline_seconds": round(run["seconds"], 3),
        "time_ratio": round(time_ratio, 2),
        "data_megabytes_in_memory": round(floor["data_bytes"] / 1e6, 1),
        "pipeline_peak_growth_megabytes": round(run["peak_growth_bytes"] / 1e6, 1),
        "memory_ratio": round(mem_ratio, 2),
        "rows_kept": run["rows_kept"],
        "rows_quarantined": run["rows_quarantined"],
        "repeats": repeats,
    }
    print(f"rows read: {floor['rows']:,} (kept {run['rows_kept']:,}, quarantined {run['rows_quarantined']:,})")
    print(f"floor    pandas.read_csv(engine='pyarrow'): {floor['seconds']:.2f} s (best of {repeats})")
    print(f"pipeline read + de-identify + validate + score: {run['seconds']:.2f} s (best of {repeats})")
    print(f"time ratio: {time_ratio:.2f}x the floor (target <= 3x)")
    print(f"memory: peak growth {run['peak_growth_bytes'] / 1e6:.0f} MB for {floor['data_bytes'] / 1e6:.0f} MB of data in memory = {mem_ratio:.2f}x (target <= 4x)")
    (workdir / "bench.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


def cli(argv: list[str] | None = None) -> int:
    """``python benchmarks/bench.py [--respondents N] [--part all|ingest|reports]`` (``make bench``)."""
    import argparse

    p = argparse.ArgumentParser(description="time ingestion against reading the CSV files, and the report set against papermill's floor")
    p.add_argument("--respondents", type=int, default=100_000)
    p.add_argument("--workdir", default=str(ROOT / "build" / "bench"))
    p.add_argument("--part", choices=["all", "ingest", "reports"], default="all", help="what to measure (default: both)")
    p.add_argument("--jobs", type=int, default=2, help="processes for the report set and its floor")
    args = p.parse_args(argv)
    return main(respondents=args.respondents, workdir=args.workdir, part=args.part, jobs=args.jobs)


if __name__ == "__main__":
    raise SystemExit(cli())
