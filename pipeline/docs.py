"""The documentation's tables that the code also knows, generated from the code.

A Markdown file in ``docs/`` (or the README) marks a generated block with two
comments::

    <!-- generated: reasons -->
    ...
    <!-- end generated -->

:func:`render` replaces what lies between them with the output of the generator of
that name in :data:`BLOCKS`; ``make docs`` (``python -m pipeline.docs``) rewrites the
files, ``python -m pipeline.docs --check`` only says which are out of date, and a test
fails when a committed file differs from what the code generates. Everything outside
the markers is written by hand and left alone.

Generators
----------
``reasons``          the quarantine reasons (:class:`pipeline.schema.Reason`)
``methods``          the statistics (:data:`pipeline.stats.METHODS`) and code matching
``field-roles``      codebook field roles (:data:`pipeline.instruments.codebook.FIELD_ROLES`)
``field-types``      codebook field types (``FIELD_TYPES``)
``designs``          instrument designs (``DESIGNS``)
``aggregations``     the results framework's aggregations
                     (:data:`pipeline.analysis.aggregations.AGGREGATIONS`)
``build-files``      the build folder's files (:class:`pipeline.schema.Files`)
``report-sections``  the sections of each report notebook, in order, with each
                     section function's first docstring line
``tree``             the annotated folder tree of the repository (the package's modules
                     are listed from the file system)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

from pipeline.config import NOTEBOOKS_DIR, ROOT
from pipeline.errors import PipelineError

DOCS_DIR = ROOT / "docs"
#: Files with generated blocks: the README and every page of ``docs/``.
PAGES = (ROOT / "README.md", DOCS_DIR)

BLOCK = re.compile(r"(<!-- generated: (?P<name>[a-z0-9-]+) -->\n)(?P<body>.*?)(<!-- end generated -->)", re.S)


# ----------------------------------------------------------------------------- helpers
def _cell(text: object) -> str:
    """Text fit for one cell of a Markdown table (no line breaks, ``|`` escaped)."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _table(header: tuple[str, ...], rows) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- generators
def reasons() -> str:
    from pipeline.schema import reasons_table

    return reasons_table()


def methods() -> str:
    """One row per registered statistic, then the matching of waves by codes."""
    from pipeline import stats
    from pipeline.ingest.codes import METHOD as MATCH_METHOD

    entries = [(f"`pipeline.stats.{key}`", e) for key, e in stats.METHODS.items()]
    entries.append(("`pipeline.ingest.codes.match_codes`", MATCH_METHOD))
    rows = [(fn, e["name"], f"`{e['formula']}`", e["notes"], e["reference"]) for fn, e in entries]
    return _table(("function", "method", "formula", "how data are handled", "reference"), rows)


def field_roles() -> str:
    from pipeline.instruments.codebook import DROPPED_ROLES, FIELD_ROLES, SINGLE_ROLES

    def flags(role):
        out = []
        if role in SINGLE_ROLES:
            out.append("at most one")
        if role in DROPPED_ROLES:
            out.append("dropped at ingestion")
        return ", ".join(out)

    return _table(("`role`", "what the pipeline does with the field", "notes"), [(f"`{r}`", text, flags(r)) for r, text in FIELD_ROLES.items()])


def field_types() -> str:
    from pipeline.instruments.codebook import FIELD_TYPES

    return _table(("`type`", "what validation accepts"), [(f"`{t}`", text) for t, text in FIELD_TYPES.items()])


def designs() -> str:
    from pipeline.instruments.codebook import DESIGNS

    return _table(("`design`", "what one row is, and how the waves relate"), [(f"`{d}`", text) for d, text in DESIGNS.items()])


_RST_ROLE = re.compile(r":[a-z]+:`~?([^`]+)`")


def _first_paragraph(func) -> str:
    """The first paragraph of a docstring, its reStructuredText literals as Markdown."""
    text = " ".join((func.__doc__ or "").strip().split("\n\n")[0].split())
    return _RST_ROLE.sub(r"`\1`", text).replace("``", "`")


_UNITS = {"rows": "rows: activities, ties or people, by the instrument's design"}


def aggregations() -> str:
    from pipeline.analysis.aggregations import AGGREGATIONS

    def params(names):
        return ", ".join(f"`{n}`" for n in names)

    rows = [(f"`{a.name}`", _first_paragraph(a.fn), params(a.required), params(a.optional), _UNITS.get(a.n_unit, a.n_unit)) for a in AGGREGATIONS.values()]
    return _table(("aggregation", "value", "needs", "may take", "n counts"), rows)


#: What each file of the build folder holds, by :class:`pipeline.schema.Files` member
#: name. A member not named here is described by its comment in ``schema.py`` (a ``#:``
#: line above it or a comment at the end of its line). Names that are not (or not yet)
#: members are ignored: the last five are the tables the analyse stage writes for the
#: report sections (issue 10).
FILE_NOTES = {
    "RUN": "what the ingest stage read: the data folder, manifest, codebooks, registry and parameters of the run",
    "RESPONSES": "folder: one parquet table per instrument, de-identified and scored, one row per person (or record) and wave",
    "INDICATORS": "every indicator x group, tidy (see [indicators](indicators.md))",
    "RESULTS_FRAMEWORK": "every expected result x indicator: baseline, target, value, status",
    "QUARANTINE": "every row set aside, with file, row, column, value, reason and detail (see [quarantine](quarantine.md))",
    "RECONCILIATION": "per file: rows read = rows kept + rows quarantined",
    "RELIABILITY": "per scale, wave and language version: Cronbach's alpha with its interval, McDonald's omega, the weakest item",
    "ATTRITION": "per scale, population and partner: completers (people with the scale's score at the second wave: the pairs of `indicators.csv`) against drop-outs on their first-wave scores (SMD)",
    "CODE_MATCHING": "matching by self-generated codes: codes before and after, matched exactly and with tolerance, match rate",
    "MANIFEST": "provenance: SHA-256 of every input and output, git commit, parameters, library versions, run time",
    "INDEX": "the report folder's index: every report with a one-line description",
    "AT_A_GLANCE": "one row per expected result: the funder's criterion, the result, its status and the indicator that decides it",
    "COMMENTARY": "the consortium's reasons and actions for the results, checked",
    "NETWORK_COUNTS": "ties per wave and group, counted by one rule shared with the results framework",
    "BASELINE_BALANCE": "first-survey means of participants and of the comparison group",
    "METHODS": "the statistics behind the published numbers (the report's methods appendix)",
}


def _member_comments(cls) -> dict[str, str]:
    """Comments on the members of an enum class in its source: ``#:`` lines above a
    member, or a comment at the end of its line."""
    import inspect
    import io
    import tokenize

    lines = inspect.getsource(cls).splitlines()
    out, above = {}, []
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("#:"):
            above.append(stripped[2:].strip())
            continue
        m = re.match(r"([A-Z][A-Z0-9_]*)\s*=", stripped)
        if m:
            trailing = [t.string[1:].strip() for t in tokenize.generate_tokens(io.StringIO(stripped + "\n").readline) if t.type == tokenize.COMMENT]
            text = " ".join(above + trailing)
            if text:
                out[m[1]] = text
        above = []
    return out


def file_notes() -> dict[str, str]:
    """The description of every member of :class:`pipeline.schema.Files` ('' when none)."""
    from pipeline.schema import Files

    comments = _member_comments(Files)
    return {f.name: FILE_NOTES.get(f.name) or comments.get(f.name, "") for f in Files}


def build_files() -> str:
    from pipeline.schema import PUBLISHED_TABLES, REQUIRED_TABLES, Files

    notes = file_notes()

    def where(f):
        if f in REQUIRED_TABLES:
            return "build folder; published; every report needs it"
        if f in PUBLISHED_TABLES:
            return "build folder; published when present"
        if f in (Files.MANIFEST, Files.INDEX):
            return "report folder"
        return "build folder"

    return _table(("file", "where", "what it holds"), [(f"`{f.value}`", where(f), notes[f.name]) for f in Files])


_SECTION_CALL = re.compile(r"sections\.(?P<func>\w+)\(")


def report_sections() -> str:
    """For each report notebook, the section functions its cells call, in order."""
    from pipeline.report import sections

    out = []
    for nb_path in sorted(NOTEBOOKS_DIR.glob("*_report.ipynb")):
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        rows = []
        for cell in nb["cells"]:
            if cell["cell_type"] != "code":
                continue
            source = "".join(cell["source"])
            for m in _SECTION_CALL.finditer(source):
                name = m["func"]
                if name == "show":
                    continue
                func = getattr(sections, name, None)
                if func is None:
                    raise PipelineError(f"{nb_path.name}: a cell calls sections.{name}, which pipeline.report.sections does not export")
                rows.append((len(rows) + 1, f"`{name}`", _first_paragraph(func)))
        out.append(f"`notebooks/{nb_path.name}`:\n\n" + _table(("#", "section", "what it shows"), rows))
    return "\n".join(out)


#: The repository's folders and top-level files, with a note each, in the order the
#: tree shows them. Folders of the package are listed with their modules, read from the
#: file system, so a new module appears by itself; a new folder needs a note here.
TREE_NOTES = {
    "pyproject.toml": "the package, its dependency ranges, the `impact` command, ruff's settings",
    "constraints.txt": "the exact versions every install uses (pip -c)",
    "Makefile": "the entry points (`make help`); real steps are file targets",
    "pipeline/": "the package; layers from the ground floor up: instruments < ingest < stats < analysis < report",
    "pipeline/schema.py": "the contract: column names, row kinds, quarantine reasons, build-folder files",
    "pipeline/config.py": "paths and defaults, resolved from the project root",
    "pipeline/errors.py": "the errors, each naming what a user must fix",
    "pipeline/outputs.py": "deterministic, spreadsheet-safe, all-or-nothing writing",
    "pipeline/instruments/": "codebooks, the consortium registry, data folders, XLSForms: instruments as data",
    "pipeline/ingest/": "exports -> de-identified, validated, scored rows",
    "pipeline/stats/": "the statistics, one module per family, each with formula and reference",
    "pipeline/analysis/": "every number that is published: indicators, results framework, capacity, networks, quality, disclosure control",
    "pipeline/report/": "notebooks -> HTML and PDF; charts, tables, sentences; reads the build folder only",
    "pipeline/report/sections/": "one function per report section",
    "pipeline/report/templates/": "the HTML template and CSS of the reports (nothing fetched from a network)",
    "pipeline/locale/": "the translation catalogues: `pipeline.pot`, `<lang>/LC_MESSAGES/pipeline.po` and its compiled `.mo`",
    "pipeline/example/": "the seeded generators of the bundled example data",
    "pipeline/workflow.py": "the wiring of the stages (ingest, analyse)",
    "pipeline/cli.py": "the `impact` command, one subcommand per stage",
    "pipeline/docs.py": "the docs' tables generated from the code (`make docs`)",
    "pipeline/i18n.py": "the language a report is written in: catalogues, the consortium's texts, the pseudo-locale",
    "pipeline/translations.py": "`make translations`: extract, update, compile and check the catalogues",
    "pipeline/__main__.py": "`python -m pipeline`",
    "pipeline/_exports.py": "lazy re-exports of the layers' public names",
    "notebooks/": "the report notebooks (committed without outputs) and `explore` for analysts",
    "surveys/": "codebooks (YAML), the registry `consortium.yaml`, the results framework `indicators.yaml`",
    "surveys/example/": "the bundled example exports and their `datasets.yaml`",
    "surveys/murrar/": "codebook and manifest of the Murrar & Brauer (2018) data (the data stay outside)",
    "reports/": "generated reports (only its README is tracked)",
    "docs/": "the documentation beyond this page",
    "tests/": "the tests, mirroring the package",
    "benchmarks/": "`make bench`: ingestion and the report set against their floors",
    ".ci/run": "the CI entry point: `make test`",
}


def _modules(folder: Path) -> list[str]:
    names = sorted(p.name for p in folder.glob("*.py") if p.name != "__init__.py")
    return [n for n in names if not n.startswith("_")] + [n for n in names if n.startswith("_")]


def tree() -> str:
    """The repository's folder tree with a note per entry; package folders list their modules."""
    pipeline_dir = ROOT / "pipeline"
    # package folders (not caches, not the template folders inside templates/)
    folders = [p for p in pipeline_dir.rglob("*") if p.is_dir() and p.name != "__pycache__" and not {"templates", "locale"} & set(p.relative_to(pipeline_dir).parts[:-1])]
    missing = sorted(f"{p.relative_to(ROOT)}/" for p in folders if f"{p.relative_to(ROOT)}/" not in TREE_NOTES)
    missing += [f"pipeline/{m}" for m in _modules(pipeline_dir) if f"pipeline/{m}" not in TREE_NOTES]
    if missing:
        raise PipelineError(f"pipeline/docs.py TREE_NOTES has no note for {missing}: add one line each")
    width = 28
    lines = []

    def line(name: str, note: str, depth: int):
        entry = "  " * depth + name
        lines.append(f"{entry:<{width}}{note}" if len(entry) < width else f"{entry}\n{'':<{width}}{note}")

    for key, note in TREE_NOTES.items():
        parts = key.rstrip("/").split("/")
        if key.endswith("/"):
            line(parts[-1] + "/", note, len(parts) - 1)
            if key.startswith("pipeline/") and key != "pipeline/" and not key.endswith(("templates/", "locale/")):
                lines.append(" " * width + " ".join(_modules(ROOT / key)))
        elif key.startswith("pipeline/"):
            line(parts[-1], note, len(parts) - 1)
        else:
            line(key, note, 0)
    return "```\n" + "\n".join(lines) + "\n```\n"


#: Generator of each block name.
BLOCKS: dict[str, Callable[[], str]] = {
    "reasons": reasons,
    "methods": methods,
    "field-roles": field_roles,
    "field-types": field_types,
    "designs": designs,
    "aggregations": aggregations,
    "build-files": build_files,
    "report-sections": report_sections,
    "tree": tree,
}


# ----------------------------------------------------------------------------- rewriting
def render(text: str, path: str | Path = "<text>") -> str:
    """``text`` with every generated block replaced by its generator's output."""
    cache: dict[str, str] = {}

    def replace(m: re.Match) -> str:
        name = m["name"]
        if name not in BLOCKS:
            raise PipelineError(f"{path}: unknown generated block {name!r}; known: {sorted(BLOCKS)}")
        if name not in cache:
            cache[name] = BLOCKS[name]()
        return m.group(1) + cache[name] + m.group(4)

    opened = text.count("<!-- generated:")
    if opened != len(BLOCK.findall(text)):
        raise PipelineError(f"{path}: a '<!-- generated: NAME -->' marker has no '<!-- end generated -->' after it")
    return BLOCK.sub(replace, text)


def pages() -> list[Path]:
    """The README and every Markdown page of ``docs/``."""
    out = []
    for p in PAGES:
        out += sorted(p.glob("*.md")) if p.is_dir() else [p]
    return out


def block_names(text: str) -> list[str]:
    return [m["name"] for m in BLOCK.finditer(text)]


def outdated() -> list[Path]:
    """The pages whose generated blocks differ from what the code generates now."""
    return [p for p in pages() if render(p.read_text(encoding="utf-8"), p) != p.read_text(encoding="utf-8")]


def write() -> list[Path]:
    """Rewrite the generated blocks of every page; returns the pages that changed."""
    changed = []
    for p in pages():
        text = p.read_text(encoding="utf-8")
        new = render(text, p)
        if new != text:
            p.write_text(new, encoding="utf-8")
            changed.append(p)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.docs", description="Rewrite the generated tables of README.md and docs/*.md from the code.")
    parser.add_argument("--check", action="store_true", help="only list the pages that are out of date (exit 1 if any)")
    args = parser.parse_args(argv)
    try:
        if args.check:
            stale = outdated()
            for p in stale:
                print(f"out of date: {p.relative_to(ROOT)} (run `make docs`)", file=sys.stderr)
            return 1 if stale else 0
        for p in write():
            print(f"rewrote {p.relative_to(ROOT)}")
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
