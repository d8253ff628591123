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
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from .config import SURVEYS_DIR

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
import pandera.pandas, pingouin, scipy.stats  # imports are not what we measure
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
    from .example import PARTNERS, simulate

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


def main(respondents: int = 100_000, workdir: str | Path = "build/bench", repeats: int = 3) -> int:
    workdir = Path(workdir)
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
