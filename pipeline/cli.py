"""The ``impact`` command: one subcommand per stage, called by the Makefile.

Exit codes: 0 success (rows may have been quarantined: see ``quarantine.csv``),
2 the input cannot be used (the message names the file and what is wrong) or a
folder cannot be written, 1 a report failed, 3 another run is writing the same
build or output folder.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.config import BUILD_DIR, EXAMPLE_DIR, REPORTS_DIR, SURVEYS_DIR
from pipeline.errors import PipelineError


def _ingest(args) -> int:
    from pipeline.workflow import ingest

    result = ingest(args.data, args.build, manifest=args.manifest, min_cell=args.min_cell, allow_outside=args.allow_outside_data)
    rec = result.reconciliation
    for row in rec.itertuples():
        print(f"{row.source_file}: {row.rows_read} rows read = {row.rows_kept} kept + {row.rows_quarantined} quarantined")
    for note in result.warnings:
        print(f"warning: {note}", file=sys.stderr)
    if rec["rows_quarantined"].sum():
        print(f"quarantined rows and reasons: {Path(args.build) / 'quarantine.csv'}")
    return 0


def _analyse(args) -> int:
    from pipeline.workflow import analyse

    table = analyse(args.build)
    for note in table.attrs.get("notes", []):
        print(f"note: {note}", file=sys.stderr)
    print(f"{len(table)} indicator rows ({int(table['suppressed'].sum())} suppressed) -> {Path(args.build) / 'indicators.csv'}")
    return 0


def _report(args) -> int:
    from pipeline.report.build import build_reports

    build_reports(args.build, args.out, jobs=args.jobs, language=args.language or None)
    return 0


def _run(args) -> int:
    from pipeline.outputs import run_lock

    # one run from ingest to report: no other run writes these folders in between
    with run_lock(args.build, "build folder"), run_lock(args.out, "output folder"):
        for step in (_ingest, _analyse, _report):
            code = step(args)
            if code:
                return code
    return 0


def _generate(args) -> int:
    from pipeline.example.community import write_example

    for path in write_example(args.out, seed=args.seed):
        print(f"wrote {path}")
    return 0


def _import_form(args) -> int:
    from pipeline.instruments.codebook import parse_codebook
    from pipeline.instruments.xlsform import import_form, write_codebook

    result = import_form(args.form)
    parse_codebook(result.doc, args.form)  # what we write must load
    out = Path(args.out) if args.out else Path(args.form).with_name(f"{result.doc['instrument']}.yaml")
    if out.exists() and not args.force:
        from pipeline.errors import PipelineError

        raise PipelineError(f"{out} exists; pass --force to replace it, or --out to write elsewhere")
    write_codebook(result, out, source=Path(args.form).name)
    doc = result.doc
    print(f"wrote {out}: {len(doc['items'])} items, {len(doc['fields'])} fields, {len(doc['response_scales'])} response scales, {len(doc['scales'])} proposed scales")
    for line in result.decisions:
        print(f"decided: {line}")
    for line in result.untranslated:
        print(f"not translated: {line}")
    for line in result.notes:
        print(f"note: {line}")
    return 0


def _write_form(args) -> int:
    from pipeline.instruments.codebook import load_codebook
    from pipeline.instruments.form_writer import write_form
    from pipeline.instruments.registry import load_consortium

    cb = load_codebook(args.codebook)
    cons = load_consortium(args.consortium)
    path = write_form(cb, args.out, {p.code: p.name for p in cons.partners})
    print(f"wrote {path}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="impact", description="Impact evaluation: survey exports in, funder reports out.")
    sub = p.add_subparsers(dest="command", required=True)

    def data_args(sp):
        sp.add_argument("--data", default=str(EXAMPLE_DIR), help="data folder with a datasets.yaml (default: the bundled example)")
        sp.add_argument("--manifest", default=None, help="manifest naming the files (default: DATA/datasets.yaml)")
        sp.add_argument("--min-cell", type=int, default=None, help="suppression minimum (default: the registry's min_cell_size)")
        sp.add_argument(
            "--allow-outside-data",
            action="store_true",
            help="read files the manifest names outside the data folder and surveys/ (refused by default: a shared data folder may point anywhere)",
        )

    def build_arg(sp):
        sp.add_argument("--build", default=str(BUILD_DIR / "reports"), help="folder for intermediate tables")

    def out_args(sp):
        sp.add_argument("--out", default=str(REPORTS_DIR), help="folder for the reports and published tables")
        sp.add_argument("--jobs", type=int, default=2, help="reports executed in parallel (processes)")
        sp.add_argument(
            "--language",
            default="",
            help="write the whole report set in this language (en, el, it, es, de, pt); default: the registry's reporting language, each partner's report in its own language too",
        )

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
    sp = sub.add_parser("import-form", help="turn an XLSForm (KoboToolbox, ODK) into a codebook YAML")
    sp.add_argument("form", help="the XLSForm workbook")
    sp.add_argument("--out", default=None, help="codebook to write (default: <form_id>.yaml beside the form)")
    sp.add_argument("--force", action="store_true", help="replace an existing codebook")
    sp.set_defaults(func=_import_form)
    sp = sub.add_parser("write-form", help="write a codebook as an XLSForm that KoboToolbox loads")
    sp.add_argument("--codebook", default=str(SURVEYS_DIR / "community_attitudes.yaml"))
    sp.add_argument("--consortium", default=str(SURVEYS_DIR / "consortium.yaml"), help="registry whose partners are the partner choices")
    sp.add_argument("--out", default=str(SURVEYS_DIR / "community_attitudes.xlsx"))
    sp.set_defaults(func=_write_form)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if getattr(args, "seed", "absent") is None:
        from pipeline.example.community import SEED

        args.seed = SEED
    try:
        return args.func(args)
    except PipelineError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except PermissionError as exc:  # a folder or file the run must write is read-only
        where = exc.filename or "a file"
        print(f"error: cannot write {where}: permission denied; make it writable, or choose another folder (--build, --out)", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; the outputs of the last good run are unchanged", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
