"""The report set: plan, HTML, PDF, index, privacy, disclosure, failures, a real browser.

One module-scoped run builds the whole set on a small fixture: the bundled example with a
small community survey, and personal data planted in the community and training exports.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.config import ROOT
from pipeline.errors import ReportError
from pipeline.report.build import build_reports, plan
from pipeline.workflow import analyse, ingest
from tests.cdp import Chromium, find_chromium
from tests.conftest import PLANTED, report_folder

pytestmark = pytest.mark.slow

#: The main report's sections, then the technical annex's (after its own h1).
MAIN = [
    "Results at a glance",
    "Executive summary",
    "Voices",
    "Attitude change",
    "Change compared with people who did not take part",
    "Staff trainings by Kirkpatrick level",
    "Organisational capacity",
    "Networks",
    "Activities against plan and participation",
    "Glossary",
]
ANNEX = [
    "Results framework",
    "Activities and reach",
    "Data quality",
    "Privacy",
    "Measurement quality: reliability and attrition",
    "Attitude change: tables",
    "Yes/no questions asked twice",
    "Statistical tests and individual change",
    "Matching the two surveys by self-generated codes",
    "Methods and limitations",
    "Provenance",
    "Methods appendix",
]
SECTIONS = MAIN + ANNEX
#: A partner report opens with the partner (its voices are there, not in a section of their own).
PARTNER_NAMES = {"IT-PAL": "Comune di Palermo, Servizio Inclusione", "GR-THE": "Thessaloniki Refugee Support Network"}


def main_sections(report: str) -> list[str]:
    """The main part's h2 headings of a consortium or partner report."""
    code = report.removeprefix("partner_")
    if code in PARTNER_NAMES:
        return [f"{PARTNER_NAMES[code]} at a glance", *(s for s in MAIN if s != "Voices")]
    return MAIN


PARTNERS = ["DE-LEI", "ES-VAL", "GR-THE", "IT-PAL", "PT-LIS"]
#: The partners' languages in surveys/consortium.yaml.
LANGUAGES = {"DE-LEI": "de", "ES-VAL": "es", "GR-THE": "el", "IT-PAL": "it", "PT-LIS": "pt"}
EVENTS = ["JSTE-1", "JSTE-2", "JSTE-3"]
#: Units of n that count things, not people (the results framework's n_unit values).
NOT_PEOPLE = {
    "activities",
    "activity",
    "ties",
    "tie",
    "organisations",
    "organisation",
    "events",
    "event",
    "meetings",
    "meeting",
    "countries",
    "country",
}  # the example's training events (staff training survey); "1 activity" since counts of one read singular


def not_people(language: str) -> set[str]:
    """The words of :data:`NOT_PEOPLE` in ``language``, as the reports write them after a count."""
    from pipeline import i18n
    from pipeline.report import format as fmt

    with i18n.using(language):
        return {fmt.unit(n, code).split()[0].lower() for code in ("activities", "ties", "organisations", "events", "meetings", "countries") for n in (1, 2, 5)}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    import os

    os.environ.setdefault("IMPACT_PSEUDONYM_KEY", "module-key-not-secret-0123456789abcdef")
    root = tmp_path_factory.mktemp("report")
    data = report_folder(root)
    build, out = root / "build", root / "out"
    ingest(data, build)
    analyse(build)
    published = build_reports(build, out, jobs=2)
    return data, build, out, published


def test_plan_reads_the_build_folder(built, tmp_path):
    _, build, _, _ = built
    names = [s.name for s in plan(build)]
    partner_reports = [name for p in PARTNERS for name in (f"partner_{p}", f"partner_{p}.{LANGUAGES[p]}")]
    assert names == ["consortium_report", *partner_reports, *[f"training_{e}" for e in EVENTS]]
    assert plan(build)[1].parameters == {"partner": "DE-LEI"}
    assert plan(build)[-3].parameters == {"activity_id": "JSTE-1"}
    # each partner's report in English and in its registry language; the rest in English
    assert {(s.name, s.language) for s in plan(build)} >= {("partner_IT-PAL", "en"), ("partner_IT-PAL.it", "it"), ("consortium_report", "en"), ("training_JSTE-1", "en")}
    # make report LANG=el: the whole set in Greek, no second language
    greek = plan(build, "el")
    assert [s.name for s in greek] == ["consortium_report", *[f"partner_{p}" for p in PARTNERS], *[f"training_{e}" for e in EVENTS]]
    assert {s.language for s in greek} == {"el"}
    # a build folder without training data plans no training report
    lean = tmp_path / "lean"
    shutil.copytree(build, lean)
    (lean / "responses" / "staff_training.parquet").unlink()
    assert not [s for s in plan(lean) if s.name.startswith("training_")]


def test_every_report_in_three_formats_and_an_index(built):
    _, _, out, published = built
    for spec in ("consortium_report", *[f"partner_{p}" for p in PARTNERS], *[f"training_{e}" for e in EVENTS]):
        assert {f"{spec}.html", f"{spec}.pdf", f"{spec}.ipynb"} <= set(published), spec
    assert {"index.html", "indicators.csv", "quarantine.csv", "reconciliation.csv", "manifest.json", "reliability.csv", "attrition.csv", "code_matching.csv"} <= set(published)
    index = (out / "index.html").read_text(encoding="utf-8")
    for spec in ("consortium_report", "partner_IT-PAL", "training_JSTE-1"):
        assert f'href="{spec}.html"' in index and f'href="{spec}.pdf"' in index
    assert "Comune di Palermo" in index and "Training event JSTE-1" in index


def test_html_sections_toc_no_code_no_network(built):
    _, _, out, _ = built
    for name in ("consortium_report", "partner_IT-PAL"):
        page = (out / f"{name}.html").read_text(encoding="utf-8")
        h2 = re.findall(r"<h2[^>]*>(.*?)</h2>", page, flags=re.S)
        expected = main_sections(name) + ANNEX
        assert [re.sub("<[^>]+>", "", h).strip() for h in h2] == expected
        toc = re.search(r'<nav aria-label="Contents" class="toc">(.*?)</nav>', page, flags=re.S).group(1)
        assert len(re.findall(r'href="#', toc)) == len(expected) + 1  # and the annex
        assert "load_context" not in page and "build_dir" not in page and "sections.show" not in page  # no code, no parameters
        assert "<script" not in page and not re.search(r'(?:src|href)="(?:https?:)?//', page)  # nothing fetched
        assert "@media print" in page and "@media (max-width" in page
        assert re.search(r'<img[^>]+src="data:image/png;base64,', page)
    partner = (out / "partner_IT-PAL.html").read_text(encoding="utf-8")
    assert "Partner report: Comune di Palermo" in partner and "At IT-PAL" in partner


def test_absent_data_is_one_line(built, tmp_path):
    """Without their instruments (and without a results framework), the sections say so instead of failing."""
    _, build, _, _ = built
    from pipeline.report import sections
    from pipeline.report.context import load_context

    lean = tmp_path / "lean"
    shutil.copytree(build, lean)
    for name in ("organisational_capacity", "partnership_network", "activity_register"):
        (lean / "responses" / f"{name}.parquet").unlink()
    (lean / "results_framework.csv").unlink()
    ctx = load_context(lean)
    for fn in (sections.results_framework, sections.capacity, sections.networks, sections.activities):
        sec = fn(ctx)
        assert not sec.available and len(sec.parts) == 1 and "in this data folder" in sec.parts[0].data


def pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian poppler-utils) is not installed")
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_pdf_sections_and_headline_numbers(built):
    _, build, out, _ = built
    import pandas as pd

    text = " ".join(pdf_text(out / "consortium_report.pdf").split())  # lines wrap anywhere
    for heading in SECTIONS:
        assert heading in text, heading
    ind = pd.read_csv(build / "indicators.csv")
    cons = ind.loc[(ind["group_by"] == "consortium") & (ind["instrument"] == "community_attitudes") & (ind["analysis"] == "paired_change")]
    for r in cons.loc[cons["wave_to"] == "post"].itertuples():  # the summary's change table: g_av first, then d_z
        assert f"{r.mean_change:+.2f} [{r.ci_low:.2f}, {r.ci_high:.2f}]" in text, r.scale
        assert f"{r.g_av:.2f} [{r.g_av_ci_low:.2f}, {r.g_av_ci_high:.2f}] {r.effect_size:.2f} [{r.effect_size_ci_low:.2f}, {r.effect_size_ci_high:.2f}]" in text, r.scale
    assert re.search(r"page 1 of \d+", text)


def test_papermill_documents_the_parameters():
    out = subprocess.run(
        [shutil.which("papermill") or str(ROOT / ".venv/bin/papermill"), "--help-notebook", "notebooks/consortium_report.ipynb"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr
    assert "build_dir: str" in out.stdout and "partner: str" in out.stdout


def all_output_text(out: Path, build: Path) -> dict[str, str]:
    texts = {}
    for path in [*out.rglob("*"), *build.rglob("*")]:
        if not path.is_file():
            continue
        if path.suffix == ".pdf":
            texts[str(path)] = pdf_text(path)
        elif path.suffix == ".parquet":
            import pandas as pd

            texts[str(path)] = pd.read_parquet(path).to_csv()
        else:
            texts[str(path)] = path.read_bytes().decode("utf-8", errors="replace")
    return texts


def test_no_personal_data_in_any_output(built):
    data, build, out, _ = built
    planted = [v for values in PLANTED.values() for v in values] + ["zebulon.q@example.org", "philippa.os@example.net"]
    raw_ids = ["STAFF-000", "STAFF-007"]  # identifiers are pseudonymised
    texts = all_output_text(out, build)
    assert len(texts) > 20
    for name, text in texts.items():
        for secret in planted + raw_ids:
            assert secret not in text, f"{secret!r} found in {name}"
    # the fixture did plant them
    assert "Zebulon Quartermaine" in (data / "community_attitudes_pre.csv").read_text(encoding="utf-8")


def test_no_number_describes_fewer_than_the_minimum(built):
    """Every 'n = k' and every count in the reports' tables is 0 or at least min_cell."""
    _, build, out, _ = built
    from bs4 import BeautifulSoup

    min_cell = json.loads((build / "run.json").read_text())["min_cell"]
    for page in out.glob("*.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        text = soup.get_text(" ")
        parts = page.name.split(".")
        things = not_people(parts[1]) if len(parts) == 3 else NOT_PEOPLE  # a report in a partner's language
        for m in re.finditer(r"\bn = (\d[\d,.\u00a0]*)(?:\s+(\w+))?", text):
            if m.group(2) and m.group(2).lower() in things:  # counts of activities, ties, organisations describe no person
                continue
            assert int(re.sub(r"[,.\u00a0]", "", m.group(1).rstrip(".,"))) >= min_cell, f"{page.name}: {m.group(0)}"
        for m in re.finditer(r"among the (\d+) people", text):
            assert int(m.group(1)) >= min_cell
        if len(parts) == 3:  # the headers below are English; a translated report prints the same tables
            continue
        for table in soup.find_all("table"):
            heads = [th.get_text(strip=True).lower() for th in table.find_all("th")]
            # quarantined rows are rows of the exports, printed as quarantine.csv lists them (one line each)
            quarantined = table.caption is not None and table.caption.get_text(strip=True).startswith("Quarantined rows by")
            for row in table.find_all("tr"):
                cells = [td.get_text(strip=True) for td in row.find_all("td")]
                for head, cell in zip(heads, cells):
                    if quarantined or head == "rows_quarantined":
                        continue
                    if any(k in head for k in ("n (pairs)", "participants", "rows", "people", "pre", "post")) and re.fullmatch(r"[\d,]+", cell):
                        v = int(cell.replace(",", ""))
                        assert v == 0 or v >= min_cell, f"{page.name}: {head} = {cell}"
    act = (out / "consortium_report.html").read_text(encoding="utf-8")
    assert "fewer than 5" in act  # the activity group of 2 people is hidden


def test_failed_report_names_cell_keeps_notebook_and_last_good_run(built, tmp_path):
    _, build, out, _ = built
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    import nbformat

    from pipeline.report import build as report

    bad = tmp_path / "bad.ipynb"
    nb = nbformat.read(report.CONSORTIUM_NOTEBOOK, as_version=4)
    nb.cells.insert(4, nbformat.v4.new_code_cell("raise ValueError('planted failure')"))
    nbformat.write(nb, bad)
    specs = [report.ReportSpec("consortium_report", bad, "broken"), report.ReportSpec("training_JSTE-1", report.TRAINING_NOTEBOOK, "fine", {"activity_id": "JSTE-1"})]
    with pytest.raises(ReportError) as err:
        build_reports(build, out, jobs=2, pdf=False, specs=specs)
    msg = str(err.value)
    assert "consortium_report" in msg and "planted failure" in msg and re.search(r"cell \d+ \(raise ValueError", msg)
    assert "1 of 2 reports failed" in msg
    assert err.value.notebook.is_file()
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before


@pytest.fixture(scope="module")
def browser():
    exe = find_chromium()
    if exe is None:
        pytest.skip("chromium is not installed (Debian package 'chromium'; make system-packages installs it)")
    with Chromium(exe) as b:
        yield b


@pytest.mark.parametrize("name", ["consortium_report", "partner_GR-THE", "training_JSTE-1", "index"])
def test_reports_in_a_real_browser(built, browser, name):
    _, _, out, _ = built
    seen = browser.open(out / f"{name}.html", screenshot=out / f"{name}.screenshot.png")
    assert seen.network_requests == [], "a report must not fetch anything"
    assert seen.failed == [] and seen.console_errors == []
    assert all(img["complete"] and img["width"] > 0 for img in seen.dom["images"]), "an image did not render"
    if name == "index":
        assert seen.dom["h2"] == ["Reports", "Tables"]
    elif name == "training_JSTE-1":
        assert seen.dom["h2"] == ["Training event JSTE-1", "Methods and limitations", "Provenance"]
    else:
        assert seen.dom["h2"] == main_sections(name) + ANNEX and len(seen.dom["images"]) >= 3
        assert seen.dom["toc"] == [f"#{h}" for h in (s.replace(" ", "-") for s in main_sections(name))] + ["#annex"] + [f"#{h}" for h in (s.replace(" ", "-") for s in ANNEX)]
    assert (out / f"{name}.screenshot.png").stat().st_size > 10_000


def test_readable_on_a_phone(built, browser):
    _, _, out, _ = built
    seen = browser.open(out / "consortium_report.html", screenshot=out / "consortium_report.phone.png", width=390, height=844)
    assert seen.dom["width"] <= seen.dom["viewport"], "the page scrolls sideways on a phone"
    # results at a glance: every cell (result, status, evidence) ends inside the screen
    assert seen.dom["glance"] and max(seen.dom["glance"]) <= seen.dom["viewport"], "the glance table needs sideways scrolling"


# --------------------------------------------------------------------------- issue 10: what a programme officer reads
def pdf_pages(path: Path) -> list[str]:
    return pdf_text(path).split("\f")[:-1] if pdf_text(path).endswith("\f") else pdf_text(path).split("\f")


def test_main_report_fits_the_page_budget_and_opens_with_the_glance(built):
    """The main report (before the technical annex) is at most about 15 A4 pages, and its
    first section after the contents is results at a glance, at most two pages long."""
    _, _, out, _ = built
    pages = pdf_pages(out / "consortium_report.pdf")
    starts = [k for k, p in enumerate(pages) if re.search(r"^Technical annex\s*$", p, flags=re.M) and "Data quality" in p]
    assert starts, "no technical annex"
    assert starts[0] <= 16, f"the main report takes {starts[0]} pages"
    glance = [k for k, p in enumerate(pages) if re.search(r"^Results at a glance\s*$", p, flags=re.M)]
    summary = [k for k, p in enumerate(pages) if re.search(r"^Executive summary\s*$", p, flags=re.M)]
    assert glance and summary and summary[0] - glance[0] <= 2


def test_every_pdf_page_holds_more_than_a_heading(built):
    _, _, out, _ = built
    for name in ("consortium_report", "partner_GR-THE", "training_JSTE-1"):
        listing = subprocess.run(["pdfimages", "-list", str(out / f"{name}.pdf")], capture_output=True, text=True, check=True).stdout
        with_chart = {int(line.split()[0]) for line in listing.splitlines()[2:] if line.split()}
        for k, page in enumerate(pdf_pages(out / f"{name}.pdf"), 1):
            body = [ln for ln in page.splitlines() if ln.strip() and not re.search(r"page \d+ of \d+|^Evaluation report|^refugees and migrants$|^Technical annex\s+page", ln)]
            assert k in with_chart or len(body) > 3, f"{name} page {k} holds only {body}"


@pytest.mark.parametrize("extra_lines", [0, 3, 8])
def test_no_page_of_a_few_lines_before_the_annex(built, tmp_path, extra_lines):
    """The annex starts on a new page, so the main report's last section (the glossary) must
    not split and leave its tail alone on the page before it. The example's main report is
    lengthened by a few lines (a longer summary, a partner more) to push the glossary across
    the page end: the page before the annex still holds more than a few lines."""
    from pipeline.report.build import to_pdf

    _, _, out, _ = built
    page = (out / "consortium_report.html").read_text(encoding="utf-8")
    filler = "".join(f"<p>Line {k} that lengthens the main report.</p>" for k in range(extra_lines))
    assert page.count('<h2 id="Glossary">') == 1
    pdf = to_pdf(page.replace('<h2 id="Glossary">', filler + '<h2 id="Glossary">'), tmp_path / "longer.pdf")
    pages = pdf_pages(pdf)
    annex = next(k for k, p in enumerate(pages) if re.search(r"^Technical annex\s*$", p, flags=re.M) and "Data quality" in p)
    glossary = [k for k, p in enumerate(pages[:annex]) if re.search(r"^Glossary\s*$", p, flags=re.M)]
    assert glossary and "Off track / on track / achieved" in pages[glossary[0]], "the glossary is split across pages"
    last = [ln for ln in pages[annex - 1].splitlines() if ln.strip()]
    assert len(last) > 12, f"the page before the annex holds only {last}"


def test_glance_table_in_the_pdf_names_every_result_with_status_and_n(built):
    _, build, out, _ = built
    import pandas as pd

    pdf_text(out / "consortium_report.pdf")  # skips without poppler
    # reading order, not layout: a table cell's lines stay together
    raw = subprocess.run(["pdftotext", str(out / "consortium_report.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    text = " ".join(raw.split())
    glance = pd.read_csv(build / "at_a_glance.csv")
    for criterion in ("1. Relevance", "2. Quality of project design and implementation", "3. Quality of cooperation", "4. Impact and dissemination"):
        assert criterion in text
    page = (out / "consortium_report.html").read_text(encoding="utf-8")
    for r in glance.itertuples():
        assert f"({r.result_id})" in text and r.status in text
        if r.result_type == "quantitative":  # the evidence line's n (whole in the HTML; the PDF's columns interleave)
            assert f"(n = {int(r.n):,} " in page, r.result_id
    assert text.count("(n =") >= int((glance["result_type"] == "quantitative").sum())
    assert "Reason:" in text and "no explanation recorded" in text.lower()


def test_every_count_the_reports_print_is_published_and_protected(built):
    """The reports print no count worked out from unpublished data (every "n = k", "k people",
    and count column is a number of a published table, which disclosure control and
    tests/attack.py check); the partners' sample flow tables, counted from the responses,
    give no hidden stage back by subtraction."""
    import pandas as pd

    from tests.attack import flow_attack, printed_counts, unpublished_counts

    _, build, out, _ = built
    min_cell = json.loads((build / "run.json").read_text())["min_cell"]
    pages = {p.name: p.read_text(encoding="utf-8") for p in sorted(out.glob("*.html"))}
    assert sum(len(printed_counts(p)) for p in pages.values()) > 200
    assert unpublished_counts(pages, [pd.read_csv(f) for f in sorted(out.glob("*.csv"))]) == []
    assert [f for name, page in pages.items() for f in flow_attack(page, min_cell)] == []


def test_numbers_printed_twice_are_the_same(built):
    """The network section and the results framework print the same tie counts (one
    computation, one rule); the glance's evidence is the framework's value."""
    _, build, out, _ = built
    import pandas as pd

    page = (out / "consortium_report.html").read_text(encoding="utf-8")
    rf = pd.read_csv(build / "results_framework.csv").set_index("indicator_id")
    counts = pd.read_csv(build / "network_counts.csv")
    end = counts.loc[(counts["group_by"] == "consortium") & (counts["wave"] == "endline")].iloc[0]
    start = counts.loc[(counts["group_by"] == "consortium") & (counts["wave"] == "baseline")].iloc[0]
    assert end["ties"] == rf.loc["ties_endline", "value"] and start["ties"] == rf.loc["ties_endline", "baseline"]
    assert end["cross_border"] == rf.loc["cross_border_ties", "value"] and start["cross_border"] == rf.loc["cross_border_ties", "baseline"]
    assert end["new_ties"] == rf.loc["new_ties", "value"]
    assert end["organisations_reached"] == rf.loc["organisations_in_network", "value"]
    assert end["public_authority"] == rf.loc["public_authority_ties", "value"] and end["formal_agreement"] == rf.loc["formal_agreements", "value"]
    networks = page.split('id="Networks"', 1)[1].split("<h2", 1)[0]
    cells = [int(c.replace(",", "")) for c in re.findall(r"<td>([\d,]+)</td>", networks)]
    for value in (end["ties"], start["ties"], end["cross_border"], end["new_ties"]):
        assert int(value) in cells
    assert "A tie is one partner naming one organisation" in networks


# --------------------------------------------------------------------------- issue 13: the partners' languages
def catalogue_sentences(language: str) -> set[str]:
    """English texts of the catalogue that ``language`` translates differently, cut at
    placeholders and markup into runs of at least four words: none may appear in a report
    written in ``language``."""
    from pipeline import translations

    out = set()
    for m in translations.read(language):
        if not m.id or not m.string:
            continue
        ids = m.id if isinstance(m.id, tuple | list) else (m.id,)
        strings = m.string if isinstance(m.string, tuple | list) else (m.string,)
        for text in ids:
            if text in strings:
                continue
            for piece in re.split(r"\{[^{}]*\}|<[^>]*>|\*\*|[*_`\[\]()|:;.,!?]", text):
                words = piece.split()
                # a run of four words, not a formula ("df = n - 1")
                if len(words) >= 4 and all(re.fullmatch(r"[A-Za-z][a-z'-]+|[a-z]", w) for w in words):
                    out.add(" ".join(words))
    return out


@pytest.mark.parametrize("code", PARTNERS)
def test_each_partner_report_in_its_language_beside_the_english_one(built, code):
    _, _, out, published = built
    language = LANGUAGES[code]
    for name in (f"partner_{code}", f"partner_{code}.{language}"):
        assert {f"{name}.html", f"{name}.pdf", f"{name}.ipynb"} <= set(published), name
    assert re.search(rf'<html[^>]*\blang="{language}"', (out / f"partner_{code}.{language}.html").read_text(encoding="utf-8"))
    assert re.search(r'<html[^>]*\blang="en"', (out / f"partner_{code}.html").read_text(encoding="utf-8"))
    text = " ".join(pdf_text(out / f"partner_{code}.{language}.pdf").split())
    sentences = catalogue_sentences(language)
    assert len(sentences) > 200, "the catalogue has hardly any sentence: is it filled?"
    leaks = sorted(s for s in sentences if s in text)
    assert not leaks, f"English sentences in the {language} report: {leaks[:10]}"
    # numbers follow the locale: an interval with a decimal comma and a semicolon
    assert re.search(r"\[[-−]?\d+,\d+; [-−]?\d+,\d+\]", text), "no interval in the locale's format"
    assert not re.search(r"\[[-−]?\d+\.\d+, [-−]?\d+\.\d+\]", text), "an interval in English format"


def test_greek_survives_into_the_pdf_and_the_index_names_the_languages(built):
    from pipeline import i18n

    _, _, out, _ = built
    text = pdf_text(out / "partner_GR-THE.el.pdf")
    with i18n.using("el"):
        glossary, contents = i18n._("Glossary"), i18n._("page {page} of {pages}").split("{")[0].strip()
    assert glossary != "Glossary" and glossary in text
    assert contents in text, "the page footer is not in Greek"
    assert sum("\u0370" <= c <= "\u03ff" for c in text) > 2000, "Greek letters lost in the PDF"
    assert "Κοινότητες που καλωσορίζουν" in text, "the project's title (registry, in Greek) is not in the Greek report"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="partner_GR-THE.el.html"' in index and "(Ελληνικά)" in index and 'hreflang="el"' in index
    assert '<li lang="el"><a href="partner_GR-THE.el.html"' in index  # screen readers read the Greek description as Greek


def test_make_report_lang_writes_the_whole_set_in_one_language():
    run = subprocess.run(["make", "-n", "-B", "report", "LANG=el"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "--language el" in run and "--out reports/el" in run and "--build build/reports" in run
    # the shell's LANG (a locale) is not a report language
    plain = subprocess.run(["make", "-n", "-B", "report"], cwd=ROOT, capture_output=True, text=True, check=True, env={**__import__("os").environ, "LANG": "C.UTF-8"}).stdout
    assert "--language" not in plain


@pytest.fixture(scope="module")
def pseudo_report(built, tmp_path_factory):
    """The consortium report in the pseudo-locale: every text accented and 40% longer."""
    from pipeline.report.build import CONSORTIUM_NOTEBOOK, ReportSpec, execute

    _, build, _, _ = built
    out = tmp_path_factory.mktemp("pseudo")
    spec = ReportSpec("consortium_report_pseudo", CONSORTIUM_NOTEBOOK, "pseudo-locale", {}, "en-XA")
    result = execute(spec, build, out, out / "failed")
    assert "error" not in result, result.get("error")
    return out / spec.name


def test_longer_languages_fit_the_printed_page(pseudo_report):
    """No word of the pseudo-locale report (40% longer texts) runs past the page's right edge."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian poppler-utils) is not installed")
    box = subprocess.run(["pdftotext", "-bbox", str(pseudo_report.with_suffix(".pdf")), "-"], capture_output=True, text=True, check=True).stdout
    pages = re.findall(r'<page width="([\d.]+)" height="[\d.]+">(.*?)</page>', box, flags=re.S)
    assert pages
    over = []
    for k, (width, body) in enumerate(pages, 1):
        for x_max, word in re.findall(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', body):
            if float(x_max) > float(width) - 20:  # the page margin is 16 mm (45 pt)
                over.append((k, word))
    assert not over, f"words past the page's edge: {over[:10]}"


def test_longer_languages_fit_a_phone_and_leave_no_english(pseudo_report, browser):
    seen = browser.open(pseudo_report.with_suffix(".html"), width=390, height=844)
    assert seen.dom["width"] <= seen.dom["viewport"], "the pseudo-locale page scrolls sideways on a phone"
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(pseudo_report.with_suffix(".html").read_text(encoding="utf-8"), "html.parser")
    # what stays as written in every language: quotes (people's own words, with their
    # attribution), and the methods' references (published titles)
    for tag in soup(["style", "script", "head", "footer", "blockquote"]):
        tag.decompose()
    for item in soup.find_all("li"):
        if re.search(r"\(\d{4}[a-z]?\)\.", item.get_text()):
            for em in item.find_all("em"):
                if em.next_sibling is not None and re.search(r"\(\d{4}[a-z]?\)", str(em.next_sibling)):
                    em.next_sibling.replace_with("")
    runs = set()
    for line in soup.get_text("\n").splitlines():
        runs.update(m.group(0) for m in re.finditer(r"\b[a-z]{2,}(?: [a-z]{2,}){3,}\b", line))
    assert not runs, f"English text that escaped the catalogue: {sorted(runs)[:10]}"


def test_published_notebooks_name_no_machine_folder(built):
    """The executed notebooks beside the reports name the build folder as the project knows
    it, never a path of the machine that ran them (papermill writes absolute paths)."""
    _, build, out, _ = built
    for path in out.glob("*.ipynb"):
        text = path.read_text(encoding="utf-8")
        assert str(build.resolve()) not in text and str(ROOT) not in text, path.name
        assert json.loads(text)["metadata"]["papermill"]["parameters"]["build_dir"] == build.name
