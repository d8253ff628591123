"""Execute the report notebooks with papermill and publish HTML, PDF and tables.

The report set of a build folder (:func:`plan`): the consortium report, one report
per partner with data (the same notebook with ``partner=<code>``) and one report
per training event (``notebooks/training_report.ipynb`` with ``activity_id``)
when the build folder holds training data. Every report is executed by papermill
in its own kernel process, driven from a pool of worker processes (papermill
changes the working directory process-wide, so never threads), converted to
self-contained HTML without code (:func:`to_html`: images embedded, no script or
style fetched from anywhere, a table of contents, CSS for phones and for print)
and to PDF with WeasyPrint (:func:`to_pdf`, which refuses every URL that is not
embedded). The executed notebook is kept beside them, and ``index.html`` links
every report with a one-line description.

Work done once per run, not once per report: a chart drawn for one report is
reused by every other report that draws it with the same data, and by the next
run while its data and code are unchanged (:mod:`pipeline.report.figures`, kept
in ``<build>/figures``); a report page that is byte-identical to one rendered
before reuses that PDF (``<build>/figures/pdf``). Images are sized for the
printed page (:func:`page_images`) before WeasyPrint sees them, each once
(``<build>/figures/pdf/print``). Entries the run did not use are pruned at its end.

Everything is written into a staging folder beside the output folder; only when
every report succeeded is it switched with the output folder in one atomic rename
(:func:`pipeline.outputs.publish`), so a failed or killed run leaves the last good
run's reports in place and a reader never sees two runs mixed. A run holds the
build and output folders' locks (:func:`pipeline.outputs.run_lock`). A failed notebook is kept in ``<build>/failed/`` and the error
names the report, the cell and the error.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import datetime as dt
import html as html_lib
import json
import multiprocessing
import os
import platform
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import __version__, i18n
from pipeline.config import FIGURE_CACHE_ENV, NOTEBOOKS_DIR, ROOT
from pipeline.errors import PipelineError, ReportError
from pipeline.i18n import _
from pipeline.outputs import publish, run_lock, sha256, staging, write_json
from pipeline.report.context import load_run
from pipeline.report.safe_html import CSP_META
from pipeline.report.texts import missing_text_warnings
from pipeline.schema import PUBLISHED_TABLES, REQUIRED_TABLES, Files

#: Tables published beside the reports when the build folder has them (a data folder
#: without a results framework has no results_framework.csv).
REMOVE_TAGS = {"parameters", "injected-parameters", "remove_cell"}
TEMPLATES = Path(__file__).resolve().parent / "templates"
CONSORTIUM_NOTEBOOK = NOTEBOOKS_DIR / "consortium_report.ipynb"
TRAINING_NOTEBOOK = NOTEBOOKS_DIR / "training_report.ipynb"


@dataclass(frozen=True)
class ReportSpec:
    """One report to produce: its name (file stem), notebook, description, parameters and
    language (passed to the notebook as its ``language`` parameter)."""

    name: str
    notebook: Path
    description: str
    parameters: dict = field(default_factory=dict)
    language: str = i18n.SOURCE_LANGUAGE


def _parquet_values(build_dir: Path, column: str) -> dict[str, list[str]]:
    """Distinct values of ``column`` in each response table that has it, by instrument."""
    import pyarrow.parquet as pq

    out = {}
    for path in sorted((build_dir / "responses").glob("*.parquet")):
        if column in pq.read_schema(path).names:
            values = pq.read_table(path, columns=[column]).column(0).drop_null().unique().to_pylist()
            out[path.stem] = sorted(str(v) for v in values if str(v).strip())
    return out


def plan(build_dir: str | Path, language: str | None = None) -> list[ReportSpec]:
    """The reports of a build folder, from what it holds, and their languages.

    * ``consortium_report``: always;
    * ``partner_<code>``: every partner with responses in any instrument;
    * ``training_<activity id>``: every training event, i.e. every value of the field
      a codebook names as ``report_per`` (the staff training survey's
      ``activity_id``); none when the build folder holds no such instrument.

    Every report is written in the set's language: ``language``, or the registry's
    ``reporting_language`` (English by default). Without ``language``, a partner whose
    registry entry names another language with a catalogue also gets its report in
    that language, ``partner_<code>.<language>`` (:func:`pipeline.i18n.supported`).
    """
    from pipeline.instruments.registry import load_consortium
    from pipeline.report.sections.base import safe_name

    build_dir = Path(build_dir)
    run = load_run(build_dir)
    consortium = load_consortium(run["consortium"])
    main = i18n.normalise(language) if language else consortium.reporting_language
    with i18n.using(main):
        specs = [ReportSpec("consortium_report", CONSORTIUM_NOTEBOOK, _("Consortium evaluation report for the funder: every result, every partner"), {}, main)]
    partners = sorted({code for values in _parquet_values(build_dir, "partner").values() for code in values})
    for code in partners:
        try:
            partner = consortium.partner(code)
        except KeyError:
            partner = None
        name = partner.name if partner is not None else code
        languages = [main]
        if not language and partner is not None and partner.language and partner.language != main and i18n.supported(partner.language):
            languages.append(partner.language)
        for lang in languages:
            stem = f"partner_{safe_name(code)}" + ("" if lang == main else f".{lang}")
            with i18n.using(lang):
                description = _("Partner report: {name} ({code}) beside the consortium").format(name=name, code=code)
            specs.append(ReportSpec(stem, CONSORTIUM_NOTEBOOK, description, {"partner": code}, lang))
    from pipeline.report.context import load_codebooks

    for instrument, cb in sorted(load_codebooks(build_dir).items()):
        if not cb.report_per:
            continue
        for value in sorted(_parquet_values(build_dir, cb.report_per).get(instrument, ())):
            with i18n.using(main):
                description = _("Training event {event}: reaction, learning and application at follow-up").format(event=value)
            specs.append(ReportSpec(f"training_{safe_name(value)}", TRAINING_NOTEBOOK, description, {"activity_id": value}, main))
    return specs


def unsupported_languages(build_dir: str | Path) -> list[str]:
    """Warnings for partners whose registry language has no catalogue (their report is in the set's language only)."""
    from pipeline.instruments.registry import load_consortium

    consortium = load_consortium(load_run(Path(build_dir))["consortium"])
    return [
        f"partner {p.code}: no catalogue for its language {p.language!r}, so its report is written in {consortium.reporting_language} only (reports can be written in {', '.join(i18n.LANGUAGES)})"
        for p in consortium.partners
        if p.language and not i18n.supported(p.language)
    ]


def report_css() -> str:
    return (TEMPLATES / "funder" / "report.css").read_text(encoding="utf-8")


def to_html(nb, title: str, language: str = i18n.SOURCE_LANGUAGE) -> str:
    """Self-contained HTML of an executed notebook, for a funder.

    No code, no parameter cells (removed by tag), no prompts, no library warnings;
    images embedded; no script, stylesheet or font from a network (the ``funder``
    template drops the lab template's require.js, MathJax and mermaid loaders);
    a table of contents of the section headings (:func:`finish_html`).
    """
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = HTMLExporter(template_name="funder", extra_template_basedirs=[str(TEMPLATES)])
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.embed_images = True
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags=REMOVE_TAGS, enabled=True), enabled=True)
    for cell in nb.cells:  # warnings printed by libraries are for analysts, not funders
        if cell.get("cell_type") == "code":
            cell["outputs"] = [o for o in cell.get("outputs", []) if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
    body, _resources = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}, "report_css": report_css()})
    with i18n.using(language):
        return finish_html(body, title, language)


def finish_html(page: str, title: str, language: str = i18n.SOURCE_LANGUAGE) -> str:
    """Give the page its title, a table of contents after the title block, and image alt texts.

    The page declares its ``language`` (``<html lang>``: screen readers, hyphenation and
    fonts follow it). Section headings are the ``h2`` elements; each gets a unique id. Only known-harmless
    elements and attributes stay (:func:`pipeline.report.safe_html.sanitise`: no script,
    frame, form, object, event handler or ``javascript:`` link), and the page carries a
    Content-Security-Policy that runs no script and fetches nothing from a network
    (:data:`pipeline.report.safe_html.CSP`).
    """
    from bs4 import BeautifulSoup

    from pipeline.report.safe_html import add_policy, sanitise

    soup = BeautifulSoup(page, "html.parser")
    sanitise(soup)  # only known-harmless elements and attributes (text from data is escaped before)
    add_policy(soup)  # and a Content-Security-Policy: nothing runs, nothing is fetched
    if soup.html is not None:
        soup.html["lang"] = language
    if soup.head is not None:  # the printed page's footer ("page 3 of 20") in the report's language
        style = soup.new_tag("style", attrs={"type": "text/css"})
        style.string = page_footer_css()
        soup.head.append(style)
    if soup.title is not None:
        soup.title.string = title
    used = set()
    items = []
    for k, h in enumerate(soup.find_all(["h2", "h1"])):
        if h.name == "h1" and "annex" not in (h.get("class") or []):
            continue  # the title; a second part (the annex) is listed with its sections
        for a in h.find_all("a", class_="anchor-link"):
            a.decompose()
        base = h.get("id") or f"section-{k + 1}"
        hid, j = base, 1
        while hid in used:
            j += 1
            hid = f"{base}-{j}"
        used.add(hid)
        h["id"] = hid
        items.append((hid, h.get_text(" ", strip=True), h.name))
    for a in soup.find_all("a", class_="anchor-link"):
        a.decompose()
    for k, img in enumerate(soup.find_all("img")):
        if not img.get("alt"):
            img["alt"] = _("Chart {number} of the report").format(number=k + 1)
    h1 = soup.find("h1")
    if items and h1 is not None:
        nav = soup.new_tag("nav", attrs={"class": "toc", "aria-label": _("Contents")})
        head = soup.new_tag("p", attrs={"class": "toc-title"})
        head.string = _("Contents")
        nav.append(head)
        ol = soup.new_tag("ol")
        nav.append(ol)

        for hid, text, tag in items:
            a = soup.new_tag("a", href=f"#{hid}")
            a.string = text
            if tag == "h1":  # a part of its own (the annex): a heading line, then a list that keeps counting
                part = soup.new_tag("p", attrs={"class": "toc-part"})
                part.append(a)
                nav.append(part)
                ol = soup.new_tag("ol")  # the annex counts its own sections
                nav.append(ol)
                continue

            li = soup.new_tag("li")
            li.append(a)
            ol.append(li)
        cell = h1.find_parent(class_="jp-Cell") or h1
        cell.insert_after(nav)
    main = soup.find("main")
    if main is not None:
        foot = soup.new_tag("footer", attrs={"class": "report-footer"})
        foot.string = _("Produced by impact-pipeline {version}. The executed notebook behind this report is in the same folder.").format(version=__version__)
        main.append(foot)
    return str(soup)


def page_footer_css() -> str:
    """The CSS of the printed page number, in the active language: ``"page " counter(page)
    " of " counter(pages)`` from the catalogue's "page {page} of {pages}" (the translation may
    reorder the two numbers)."""
    text = _("page {page} of {pages}")
    parts = []
    for piece in re.split(r"(\{page\}|\{pages\})", text):
        if piece == "{page}":
            parts.append("counter(page)")
        elif piece == "{pages}":
            parts.append("counter(pages)")
        elif piece:
            parts.append('"' + piece.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return "@page { @bottom-right { content: " + " ".join(parts) + "; } }"


#: Printed width of a report's content: A4 (210 mm) less the page margins of
#: ``report.css`` (16 mm each side), in inches, and the resolution images get there.
PRINT_WIDTH_INCHES = (210 - 2 * 16) / 25.4
PRINT_DPI = 150
_DATA_PNG = re.compile(r'src="data:image/png;base64,([A-Za-z0-9+/=\s]+)"')


def page_images(page: str, cache: str | Path | None = None) -> str:
    """The page with every embedded PNG made ready for print, before WeasyPrint sees it.

    An image wider than the printed width at :data:`PRINT_DPI` is scaled down to it
    (Lanczos), and transparency is flattened onto white (the page): WeasyPrint then
    embeds the PNG's own compressed data instead of decoding, splitting off an alpha
    mask and compressing again. The HTML report keeps the images as they were drawn.
    With ``cache`` (a folder), an image prepared before (the same PNG, the same code) is
    read from there: the charts of a run are shared between reports and kept between runs.
    """
    import base64
    import hashlib
    import io

    from PIL import Image

    most = round(PRINT_WIDTH_INCHES * PRINT_DPI)
    code = Path(__file__).read_bytes()

    def one(match: re.Match) -> str:
        kept = None
        if cache is not None:
            kept = Path(cache) / f"{hashlib.sha256(code + match.group(1).encode('ascii')).hexdigest()}.txt"
            if kept.is_file():
                os.utime(kept)  # used in this run: kept when the run prunes the folder
                return kept.read_text(encoding="ascii")
        done = prepare(match)
        if kept is not None:
            kept.parent.mkdir(parents=True, exist_ok=True)
            tmp = kept.with_name(f".{kept.name}.{os.getpid()}")
            tmp.write_text(done, encoding="ascii")
            os.replace(tmp, kept)
        return done

    def prepare(match: re.Match) -> str:
        try:
            image = Image.open(io.BytesIO(base64.b64decode(match.group(1))))
            image.load()
        except Exception:  # not an image Pillow reads: leave it to WeasyPrint
            return match.group(0)
        if image.mode in ("RGBA", "LA", "P"):
            image = image.convert("RGBA")
            flat = Image.new("RGB", image.size, "white")
            flat.paste(image, mask=image.getchannel("A"))
            image = flat
        if image.width > most:
            image = image.resize((most, round(image.height * most / image.width)), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        image.save(out, format="PNG", compress_level=6)
        return f'src="data:image/png;base64,{base64.b64encode(out.getvalue()).decode("ascii")}"'

    return _DATA_PNG.sub(one, page)


def to_pdf(page: str, path: str | Path, cache: str | Path | None = None) -> Path:
    """Render report HTML to PDF with WeasyPrint, offline.

    Only ``data:`` URLs (the embedded images) are fetched; any other URL is refused,
    so a PDF never depends on a network. Images are sized for print first
    (:func:`page_images`). With ``cache`` (a folder), a page rendered before (same
    HTML, same WeasyPrint and stylesheet) is copied from there instead.
    """
    import hashlib
    import logging

    path = Path(path)
    key = None
    if cache is not None:
        import weasyprint

        # the page, the stylesheet, WeasyPrint and this module (how images are prepared)
        key = hashlib.sha256(f"{weasyprint.__version__}|{__version__}|".encode() + Path(__file__).read_bytes() + report_css().encode() + page.encode()).hexdigest()
        kept = Path(cache) / f"{key}.pdf"
        if kept.is_file():
            shutil.copyfile(kept, path)
            os.utime(kept)
            return path

    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    HTML(string=page_images(page, cache=None if cache is None else Path(cache) / "print"), base_url=str(path.parent), url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf(path)
    if key is not None:
        Path(cache).mkdir(parents=True, exist_ok=True)
        tmp = Path(cache) / f".{key}.{os.getpid()}"
        shutil.copyfile(path, tmp)
        os.replace(tmp, Path(cache) / f"{key}.pdf")
    return path


def execute(spec: ReportSpec, build_dir: Path, out_dir: Path, failed_dir: Path, pdf: bool = True) -> dict:
    """Execute one report notebook into ``out_dir``; write its HTML and PDF beside it.

    Runs in a worker process (see the module docstring). Returns a summary dict;
    on failure the dict has ``error`` (a :class:`ReportError` does not travel
    between processes) naming the report, the cell and the error.
    """
    import nbformat
    import papermill as pm

    started = time.perf_counter()
    executed = out_dir / f"{spec.name}.ipynb"
    params = {"build_dir": str(build_dir.resolve()), **spec.parameters, "language": spec.language}
    try:
        with ipc_kernel_config() as kernel_config, _figure_cache_env(build_dir):
            pm.execute_notebook(
                str(spec.notebook),
                str(executed),
                parameters=params,
                kernel_name="python3",
                cwd=str(ROOT),
                progress_bar=False,
                log_output=False,
                report_mode=False,
                config=kernel_config,
            )
    except pm.PapermillExecutionError as exc:
        failed_dir.mkdir(parents=True, exist_ok=True)
        kept = failed_dir / f"{spec.name}.ipynb"
        if executed.exists():
            shutil.copyfile(executed, kept)
            executed.unlink()
        first = next((line for line in (exc.source or "").splitlines() if line.strip() and not line.startswith("#")), "")
        cell = f"{exc.exec_count} ({first.strip()[:80]})" if first else exc.exec_count
        return _failure(spec.name, f"{exc.ename}: {exc.evalue}", cell=cell, notebook=str(kept))
    except Exception as exc:  # the kernel died, the notebook is unreadable...: still one clear line
        return _failure(spec.name, f"{type(exc).__name__}: {exc}")
    nb = nbformat.read(executed, as_version=4)
    if _public_notebook(nb, build_dir, spec):
        nbformat.write(nb, executed)
    page = to_html(nb, spec.description, spec.language)
    (out_dir / f"{spec.name}.html").write_text(page, encoding="utf-8")
    if pdf:
        to_pdf(page, out_dir / f"{spec.name}.pdf", cache=figure_cache(build_dir) / "pdf")
    return {"name": spec.name, "seconds": round(time.perf_counter() - started, 2)}


def _public_notebook(nb, build_dir: Path, spec: ReportSpec) -> bool:
    """Name no machine's folders in the published notebook: the injected ``build_dir`` and
    papermill's input and output paths become paths relative to the project (or the folder's
    name, for a build folder elsewhere). Returns whether anything changed."""
    absolute = str(build_dir.resolve())
    public = _project_relative(build_dir.resolve())
    changed = False
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []) and absolute in cell.source:
            cell.source = cell.source.replace(json.dumps(absolute), json.dumps(public))
            changed = True
    meta = nb.metadata.get("papermill", {})
    for key, value in (("input_path", _project_relative(Path(spec.notebook).resolve())), ("output_path", f"{spec.name}.ipynb")):
        if key in meta and meta[key] != value:
            meta[key] = value
            changed = True
    params = meta.get("parameters", {})
    if params.get("build_dir") == absolute:
        params["build_dir"] = public
        changed = True
    return changed


def _project_relative(path: Path) -> str:
    try:
        return path.relative_to(ROOT).as_posix()
    except ValueError:
        return path.name


def figure_cache(build_dir: Path) -> Path:
    """Where a build folder keeps the charts and PDFs of its runs (see the module docstring)."""
    return Path(build_dir) / Files.FIGURES


@contextlib.contextmanager
def _figure_cache_env(build_dir: Path):
    """The report kernel inherits the environment: charts are drawn once per run
    (:mod:`pipeline.report.figures`); the variable is restored afterwards."""
    before = os.environ.get(FIGURE_CACHE_ENV)
    os.environ[FIGURE_CACHE_ENV] = str(figure_cache(build_dir).resolve())
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(FIGURE_CACHE_ENV, None)
        else:
            os.environ[FIGURE_CACHE_ENV] = before


def _prune_cache(folder: Path, before: float) -> None:
    """Remove cached charts and PDFs that the run which started at ``before`` did not use."""
    for path in (*folder.glob("*.*"), *folder.glob("pdf/*.*"), *folder.glob("pdf/print/*.*")):
        try:
            if path.is_file() and path.stat().st_mtime < before - 1:
                path.unlink()
        except OSError:
            pass


def _failure(name: str, problem: str, cell=None, notebook: str | None = None) -> dict:
    """A failed report as plain data (exceptions with extra fields do not unpickle)."""
    text = str(ReportError(name, problem, cell=cell, notebook=notebook))
    return {"name": name, "error": text, "problem": problem, "cell": cell, "notebook": notebook}


def index_html(specs: list[ReportSpec], title: str, files: set[str], language: str = i18n.SOURCE_LANGUAGE) -> str:
    """The output folder's ``index.html``, in the set's ``language``: every report with a
    one-line description, its language when it is another, and its formats."""
    with i18n.using(language):
        rows = []
        for s in specs:
            name = html_lib.escape(s.name)
            other = f" ({html_lib.escape(i18n.LANGUAGE_NAMES.get(s.language, s.language))})" if s.language != language else ""
            notebook = _("notebook")
            formats = [f'<a href="{name}.{ext}">{label}</a>' for ext, label in (("pdf", "PDF"), ("ipynb", notebook)) if f"{s.name}.{ext}" in files]
            link = f'<a href="{name}.html" hreflang="{html_lib.escape(s.language)}">{name}</a>{other}'
            item = f'<li lang="{html_lib.escape(s.language)}">' if s.language != language else "<li>"  # a description in another language says so
            rows.append(f"{item}{link} ({', '.join(formats)})<br>{html_lib.escape(s.description)}</li>" if formats else f"{item}{link}<br>{html_lib.escape(s.description)}</li>")
        tables = "".join(f'<li><a href="{t}">{t}</a></li>' for t in PUBLISHED_TABLES if t in files)
        # texts looked up before the f-strings: the extractor does not read inside them
        page_title = html_lib.escape(_("Reports: {title}").format(title=title))
        heading, reports, tables_heading, provenance = (html_lib.escape(t) for t in (_("Evaluation reports"), _("Reports"), _("Tables"), _("provenance")))
        return (
            f'<!DOCTYPE html>\n<html lang="{html_lib.escape(language)}">\n<head>\n<meta charset="utf-8">\n{CSP_META}\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
            f"<title>{page_title}</title>\n<style>\n{report_css()}\nul.reports li {{ margin: 0.6rem 0; }}\n</style>\n</head>\n"
            f'<body class="report">\n<main>\n<h1>{heading}</h1>\n<p>{html_lib.escape(title)}</p>\n'
            f'<h2 id="reports">{reports}</h2>\n<ul class="reports">\n{"".join(rows)}\n</ul>\n'
            f'<h2 id="tables">{tables_heading}</h2>\n<ul>{tables}<li><a href="{Files.MANIFEST}">{Files.MANIFEST}</a> ({provenance})</li></ul>\n'
            "</main>\n</body>\n</html>\n"
        )


@contextlib.contextmanager
def ipc_kernel_config():
    """Kernel settings for one report: talk to the kernel over Unix sockets, not TCP.

    Over TCP, kernels started at the same moment by parallel reports can pick the
    same free port and die ("Address already in use"), and ipykernel warns that
    local TCP traffic is unencrypted; Unix sockets in a private temporary folder
    avoid both.
    """
    from traitlets.config import Config

    folder = tempfile.mkdtemp(prefix="impact-kernel-")
    config = Config()
    config.KernelManager.transport = "ipc"
    config.KernelManager.ip = os.path.join(folder, "k")
    try:
        yield config
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _public_path(path) -> str:
    """A path of the run as the published manifest names it: as recorded when relative (to
    where the run was started), its last part when absolute (no machine's folders published)."""
    p = Path(str(path))
    return p.name if p.is_absolute() else p.as_posix()


def _code_version() -> dict:
    """The git commit of the code, and whether the working tree had changes."""
    from pipeline.report.format import code_version

    return {"package_version": __version__, **code_version()}


def _library_versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for lib in ("pandas", "numpy", "scipy", "pandera", "pingouin", "statsmodels", "matplotlib", "papermill", "nbconvert"):
        try:
            out[lib] = version(lib)
        except PackageNotFoundError:
            out[lib] = "not installed"
    return out


def build_reports(build_dir: str | Path, out_dir: str | Path, jobs: int = 2, pdf: bool = True, specs: list[ReportSpec] | None = None, language: str | None = None) -> list[str]:
    """Produce every report of :func:`plan` and publish them with the tables and ``index.html``.

    Parameters
    ----------
    build_dir : path
        A build folder written by the ingest and analyse stages.
    out_dir : path
        Where the reports go; its earlier content is replaced only on success.
    jobs : int
        Reports executed at once, one process each.
    pdf : bool
        Also write each report as PDF (WeasyPrint).
    specs : list of ReportSpec, optional
        The reports to produce; :func:`plan` of the build folder by default.
    language : str, optional
        Write the whole set in this language (``make report LANG=el``); by default the
        registry's reporting language, with each partner's report in its own language too.

    Returns
    -------
    list of str
        The files published, relative to ``out_dir``.

    Raises
    ------
    ReportError
        When a report failed (after every other report ran): names the report, the
        cell and the error; the output folder is left as it was.
    """
    build_dir, out_dir = Path(build_dir), Path(out_dir)
    with run_lock(build_dir, "build folder"), run_lock(out_dir, "output folder"):
        return _build_reports(build_dir, out_dir, jobs, pdf, specs, language)


def _build_reports(build_dir: Path, out_dir: Path, jobs: int, pdf: bool, specs: list[ReportSpec] | None, language: str | None = None) -> list[str]:
    run = load_run(build_dir)
    for table in REQUIRED_TABLES:
        if not (build_dir / table).is_file():
            raise PipelineError(f"{build_dir / table} not found: run the analyse stage first (make report does)")
    _check_disclosure(build_dir, int(run["min_cell"]))
    started, whole_set = time.time(), specs is None
    if language and not i18n.supported(language):
        raise PipelineError(f"no catalogue for the language {language!r}: reports can be written in {', '.join(i18n.LANGUAGES)}")
    specs = plan(build_dir, language) if specs is None else specs
    warnings = unsupported_languages(build_dir) + missing_text_warnings(build_dir, {s.language for s in specs})
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr, flush=True)
    failed_dir = build_dir / "failed"
    if failed_dir.is_dir():
        shutil.rmtree(failed_dir, ignore_errors=True)
    previous = _previous_outputs(out_dir)
    with staging(out_dir) as tmp:
        results = _execute_all(specs, build_dir, tmp, failed_dir, jobs, pdf)
        if whole_set:  # what the whole report set did not use is stale
            _prune_cache(figure_cache(build_dir), started)
        failed = [r for r in results if "error" in r]
        if failed:
            first = failed[0]
            others = "".join(f"\nalso failed: {r['error']}" for r in failed[1:])
            raise ReportError(
                first["name"],
                f"{first['problem']}{others}\n{len(failed)} of {len(specs)} reports failed; the reports of the last good run are unchanged",
                cell=first["cell"],
                notebook=Path(first["notebook"]) if first["notebook"] else None,
            )
        for table in PUBLISHED_TABLES:
            if (build_dir / table).is_file():
                shutil.copyfile(build_dir / table, tmp / table)
        from pipeline.instruments.registry import load_consortium

        files = {p.name for p in tmp.iterdir()}
        consortium = load_consortium(run["consortium"])
        set_language = i18n.normalise(language) if language else consortium.reporting_language
        with i18n.using(set_language):
            title = i18n.localized(consortium.title_labels or consortium.title)
        (tmp / Files.INDEX).write_text(index_html(specs, title, files, set_language), encoding="utf-8")
        outputs = sorted(p.relative_to(tmp).as_posix() for p in tmp.rglob("*") if p.is_file())
        write_json(
            {
                "run_time_utc": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
                "inputs": run["inputs"],
                "parameters": {"data_dir": _public_path(run["data_dir"]), "manifest": _public_path(run["manifest"]), "min_cell": run["min_cell"], "jobs": jobs, "pdf": pdf, "language": set_language},
                "code": _code_version(),
                "libraries": _library_versions(),
                "reports": [
                    {"name": s.name, "notebook": s.notebook.name, "language": s.language, "description": s.description, "parameters": s.parameters, "seconds": r["seconds"]}
                    for s, r in zip(specs, results)
                ],
                "outputs": {rel: sha256(tmp / rel) for rel in outputs},
                "warnings": [*run.get("warnings", []), *warnings],
            },
            tmp / Files.MANIFEST,
        )
        published = publish(tmp, out_dir, previous=previous, replaces=_report_output)
    return published


#: What a report run writes into its output folder: a file of these kinds that the run
#: did not write is stale (an older run's) and is removed; other files (a README) stay.
REPORT_SUFFIXES = (".html", ".pdf", ".ipynb", ".csv", ".json")


def _report_output(rel: str) -> bool:
    return "/" not in rel and rel.endswith(REPORT_SUFFIXES)


def _check_disclosure(build_dir: Path, min_cell: int) -> None:
    """The last gate: no published table may show a head count below the minimum."""
    import pandas as pd

    from pipeline.analysis.disclosure import check_published

    table = pd.read_csv(build_dir / Files.INDICATORS)
    check_published(table, [c for c in table.columns if c.startswith("n_")], min_cell, Files.INDICATORS)


def _previous_outputs(out_dir: Path) -> list[str]:
    manifest = out_dir / Files.MANIFEST
    if not manifest.is_file():
        return []
    try:
        return [*json.loads(manifest.read_text(encoding="utf-8")).get("outputs", {}), Files.MANIFEST]
    except (ValueError, OSError):
        return []


def _progress(k: int, total: int, result: dict) -> None:
    if "error" in result:
        print(f"[{k}/{total}] {result['name']}: FAILED: {result['error']}", file=sys.stderr, flush=True)
    else:
        print(f"[{k}/{total}] {result['name']}: done in {result['seconds']:.1f} s", flush=True)


def _execute_all(specs: list[ReportSpec], build_dir: Path, tmp: Path, failed_dir: Path, jobs: int, pdf: bool = True) -> list[dict]:
    """Run every report; one worker process per report at a time, ``jobs`` at once.

    Every report runs even when another failed, so one run names every failure.
    """
    total = len(specs)
    results: dict[str, dict] = {}
    if jobs <= 1 or total == 1:
        for k, spec in enumerate(specs, 1):
            results[spec.name] = execute(spec, build_dir, tmp, failed_dir, pdf)
            _progress(k, total, results[spec.name])
    else:
        ctx = multiprocessing.get_context("spawn")
        with cf.ProcessPoolExecutor(max_workers=min(jobs, total), mp_context=ctx) as pool:
            futures = {pool.submit(execute, spec, build_dir, tmp, failed_dir, pdf): spec for spec in specs}
            for k, fut in enumerate(cf.as_completed(futures), 1):
                spec = futures[fut]
                try:
                    results[spec.name] = fut.result()
                except Exception as exc:  # a worker process died
                    results[spec.name] = _failure(spec.name, f"{type(exc).__name__}: {exc}")
                _progress(k, total, results[spec.name])
    return [results[s.name] for s in specs]
