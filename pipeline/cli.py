"""The ``impact`` command: one subcommand per stage, called by the Makefile.

Exit codes: 0 success (rows may have been quarantined: see ``quarantine.csv``),
2 the input cannot be used (the message names the file and what is wrong),
1 a report failed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .config import BUILD_DIR, EXAMPLE_DIR, REPORTS_DIR
from .errors import PipelineError


def _ingest(args) -> int:
    from .workflow import ingest

    result = ingest(args.data, args.build, manifest=args.manifest, min_cell=args.min_cell)
    rec = result.reconciliation
    for row in rec.itertuples():
        print(f"{row.source_file}: {row.rows_read} rows read = {row.rows_kept} kept + {row.rows_quarantined} quarantined")
    for note in result.warnings:
        print(f"warning: {note}", file=sys.stderr)
    if rec["rows_quarantined"].sum():
        print(f"quarantined rows and reasons: {Path(args.build) / 'quarantine.csv'}")
    return 0


def _analyse(args) -> int:
    from .workflow import analyse

    table = analyse(args.build)
    print(f"{len(table)} indicator rows ({int(table['suppressed'].sum())} suppressed) -> {Path(args.build) / 'indicators.csv'}")
    return 0


def _report(args) -> int:
    from .report import build_reports

    build_reports(args.build, args.out, jobs=args.jobs)
    return 0


def _run(args) -> int:
    for step in (_ingest, _analyse, _report):
        code = step(args)
        if code:
            return code
    return 0


def _generate(args) -> int:
    from .example import write_example

    for path in write_example(args.out, seed=args.seed):
        print(f"wrote {path}")
    return 0


def _bench(args) -> int:
    from .bench import main as bench_main

    return bench_main(respondents=args.respondents, workdir=args.workdir, part=args.part, jobs=args.jobs)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="impact", description="Impact evaluation: survey exports in, funder reports out.")
    sub = p.add_subparsers(dest="command", required=True)

    def data_args(sp):
        sp.add_argument("--data", default=str(EXAMPLE_DIR), help="data folder with a datasets.yaml (default: the bundled example)")
        sp.add_argument("--manifest", default=None, help="manifest naming the files (default: DATA/datasets.yaml)")
        sp.add_argument("--min-cell", type=int, default=None, help="suppression minimum (default: the registry's min_cell_size)")

    def build_arg(sp):
        sp.add_argument("--build", default=str(BUILD_DIR / "reports"), help="folder for intermediate tables")

    def out_args(sp):
        sp.add_argument("--out", default=str(REPORTS_DIR), help="folder for the reports and published tables")
        sp.add_argument("--jobs", type=int, default=2, help="reports executed in parallel (processes)")

    sp = sub.add_parser("ingest", help="read, de-identify, validate and score a data folder")
    data_args(sp)
    build_arg(sp)
    sp.set_defaults(func=_ingest)
    sp = sub.add_parser("analyse", help="compute indicators from the build folder")
    build_arg(sp)
    sp.set_defaults(func=_analyse)
    sp = sub.add_parser("report", help="execute the report notebooks and write HTML and tables")
    build_arg(sp)
    out_args(sp)
    sp.set_defaults(func=_report)
    sp = sub.add_parser("run", help="ingest, analyse and report in one go")
    data_args(sp)
    build_arg(sp)
    out_args(sp)
    sp.set_defaults(func=_run)
    sp = sub.add_parser("generate-example", help="write the seeded example exports")
    sp.add_argument("--out", default=str(EXAMPLE_DIR))
    sp.add_argument("--seed", type=int, default=None)
    sp.set_defaults(func=_generate)
    sp = sub.add_parser("bench", help="time ingestion against reading the CSV files, and the report set against papermill's floor")
    sp.add_argument("--respondents", type=int, default=100_000)
    sp.add_argument("--workdir", default=str(BUILD_DIR / "bench"))
    sp.add_argument("--part", choices=["all", "ingest", "reports"], default="all", help="what to measure (default: both)")
    sp.add_argument("--jobs", type=int, default=2, help="processes for the report set and its floor")
    sp.set_defaults(func=_bench)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if getattr(args, "seed", "absent") is None:
        from .example import SEED

        args.seed = SEED
    try:
        return args.func(args)
    except PipelineError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted; the outputs of the last good run are unchanged", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
