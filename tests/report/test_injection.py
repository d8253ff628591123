"""Text from the data cannot inject HTML into the funder reports (issue 15).

Every payload of the issue, placed in every field that reaches a report (the project
title, a partner's name, city and country, a training event's activity id, an activity's
title, the commentary's reason and action, a codebook item's and scale's label), must come
out inert in every HTML page: shown as text where it is inserted, nothing a browser would
run or fetch, and a Content-Security-Policy on every page. Headless Chromium opens the
poisoned pages: no dialog, no request (a local HTTP server that every payload's URL points
to counts the requests it gets: none).
"""

from __future__ import annotations

import http.server
import json
import os
import threading
from pathlib import Path

import pandas as pd
import pytest
import yaml

from pipeline.config import SURVEYS_DIR
from pipeline.report.safe_html import CSP
from tests.cdp import Chromium, find_chromium
from tests.conftest import report_folder

pytestmark = pytest.mark.slow


def payloads(port: int) -> list[str]:
    """The issue's payloads, with every URL pointing to the test's own server."""
    here = f"http://127.0.0.1:{port}"
    return [
        "<iframe src=javascript:alert(7)></iframe>",
        "<img src=x onerror=alert(1)>",
        "<svg onload=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        f'<meta http-equiv="refresh" content="0;url={here}/refresh">',
        f"<form action={here}/form><button>go</button></form>",
        f"<object data={here}/object></object>",
        "<style>body{display:none}</style>",
        f"<img src={here}/img>",
        "<script>alert(2)</script>",
        "[a link](javascript:alert(3))",
        f'<div style="background:url({here}/css)">styled</div>',
    ]


#: The fields that reach a report, each with a marker that names it in a failure.
FIELDS = ("project title", "partner name", "partner city", "partner country", "activity id", "activity title", "commentary reason", "commentary action", "item label", "scale label")


def poison(text: str, field: str, port: int) -> str:
    return f"{text} [{field}] {' '.join(payloads(port))}"


def poison_text(value, field: str, port: int):
    """:func:`poison` a text, or every language of a text written in several."""
    return {k: poison(v, field, port) for k, v in value.items()} if isinstance(value, dict) else poison(value, field, port)


def poisoned_folder(root: Path, port: int) -> Path:
    """The report fixture's data folder with every field of :data:`FIELDS` poisoned."""
    folder = report_folder(root)
    registry = yaml.safe_load((SURVEYS_DIR / "consortium.yaml").read_text(encoding="utf-8"))
    registry["project"]["title"] = poison_text(registry["project"]["title"], "project title", port)
    gr = next(p for p in registry["partners"] if p["code"] == "GR-THE")
    gr["name"] = poison(gr["name"], "partner name", port)
    gr["city"] = poison(gr["city"], "partner city", port)
    gr["country_name"] = poison(gr["country_name"], "partner country", port)
    (folder / "consortium.yaml").write_text(yaml.safe_dump(registry, allow_unicode=True, sort_keys=False), encoding="utf-8")
    manifest = (folder / "datasets.yaml").read_text(encoding="utf-8").replace(str(SURVEYS_DIR / "consortium.yaml"), "consortium.yaml")
    (folder / "datasets.yaml").write_text(manifest, encoding="utf-8")

    commentary = yaml.safe_load((folder / "commentary.yaml").read_text(encoding="utf-8"))
    # the first entry reaches the consortium's report, GR-THE's first its partner report
    for entry in {id(e): e for e in (commentary["entries"][0], next(e for e in commentary["entries"] if e.get("partner") == "GR-THE"))}.values():
        entry["reason"] = poison_text(entry["reason"], "commentary reason", port)
        entry["action"] = poison_text(entry["action"], "commentary action", port)
    (folder / "commentary.yaml").write_text(yaml.safe_dump(commentary, allow_unicode=True, sort_keys=False), encoding="utf-8")

    event = poison("JSTE-1", "activity id", port)
    for path in sorted(folder.glob("*.csv")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        if "activity_id" in frame.columns:
            frame["activity_id"] = frame["activity_id"].replace("JSTE-1", event)
        if path.name == "activity_register.csv":
            frame["title"] = [poison(t, "activity title", port) for t in frame["title"]]
        frame.to_csv(path, index=False, lineterminator="\n")

    codebook = yaml.safe_load((SURVEYS_DIR / "community_attitudes.yaml").read_text(encoding="utf-8"))
    item = next(i for i in codebook["items"] if i["id"] == codebook["scales"][0]["items"][0])
    item["label"]["en"] = poison(item["label"]["en"], "item label", port)
    codebook["scales"][0]["label"]["en"] = poison(codebook["scales"][0]["label"]["en"], "scale label", port)
    (folder / "community_attitudes.yaml").write_text(yaml.safe_dump(codebook, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


class Canary(http.server.BaseHTTPRequestHandler):
    """Counts every request; a report that fetched anything from it failed."""

    seen: list[str] = []

    def do_GET(self):  # noqa: N802 (the name http.server calls)
        Canary.seen.append(self.path)
        self.send_response(204)
        self.end_headers()

    do_POST = do_GET  # noqa: N815

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def canary():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Canary)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()


@pytest.fixture(scope="module")
def poisoned(tmp_path_factory, canary):
    """The consortium report, GR-THE's report, the poisoned training event's report and the index."""
    from pipeline.report.build import build_reports, plan
    from pipeline.workflow import analyse, ingest

    os.environ.setdefault("IMPACT_PSEUDONYM_KEY", "module-key-not-secret-0123456789abcdef")
    root = tmp_path_factory.mktemp("injection")
    data = poisoned_folder(root, canary.server_port)
    build, out = root / "build", root / "out"
    ingest(data, build)
    analyse(build)
    specs = plan(build)
    chosen = [s for s in specs if s.name in ("consortium_report", "partner_GR-THE") or s.parameters.get("activity_id", "").startswith("JSTE-1 [")]
    assert len(chosen) == 3, [s.name for s in specs]
    build_reports(build, out, jobs=2, pdf=False, specs=chosen)
    return out, [s.name for s in chosen]


LIVE_TAGS = ("iframe", "svg", "form", "object", "embed", "script", "button", "link", "base")


def test_every_page_carries_the_policy_and_no_live_payload(poisoned, canary):
    from bs4 import BeautifulSoup

    out, names = poisoned
    pages = sorted(out.glob("*.html"))
    assert [p.stem for p in pages] == sorted([*names, "index"])
    port = f"127.0.0.1:{canary.server_port}"
    for page in pages:
        html = page.read_text(encoding="utf-8")
        soup = BeautifulSoup(html, "html.parser")
        policy = soup.head.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
        assert policy is not None and policy["content"] == CSP, page.name
        assert "script-src" not in CSP and "default-src 'none'" in CSP
        assert soup.find_all(LIVE_TAGS) == [], page.name
        assert all(m.parent.name == "head" and str(m.get("http-equiv", "")).lower() != "refresh" for m in soup.find_all("meta")), page.name
        assert all(s.parent.name == "head" and "display:none" not in s.get_text() for s in soup.find_all("style")), page.name
        for tag in soup.find_all(True):
            for name, value in tag.attrs.items():
                text = " ".join(value) if isinstance(value, list) else str(value)
                assert not name.lower().startswith("on"), (page.name, tag.name, name)
                if name.lower() in ("href", "src", "action", "data", "formaction", "style", "content", "srcset", "poster", "background") and not text.startswith("#"):
                    assert "javascript:" not in text.lower() and port not in text, (page.name, tag.name, name, text[:80])
        assert page.name == "index.html" or "[project title]" in soup.get_text()


def test_payloads_read_as_text_where_they_are_inserted(poisoned, canary):
    """Escaped at the insertion point, not only removed by the last gate: the reader sees
    exactly what the registry, the commentary, the exports and the codebook say."""
    from bs4 import BeautifulSoup

    out, _ = poisoned
    every = " ".join(payloads(canary.server_port))
    text = {p.stem: BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser").get_text(" ") for p in out.glob("*.html")}
    training = next(k for k in text if k.startswith("training_"))
    # (a partner's city and an item's label are in no page's text: the sections do not print
    # the registry's city, and item labels are drawn into the charts' images; a partner report
    # and the consortium report name countries in the report's language from CLDR, the
    # registry's country name only for a code CLDR does not know)
    expected = {
        "consortium_report": ("project title", "partner name", "activity id", "commentary reason", "commentary action", "scale label"),
        "partner_GR-THE": ("project title", "partner name", "activity id", "commentary reason", "commentary action", "scale label"),
        training: ("project title", "partner name", "activity id", "activity title"),
        "index": ("project title", "partner name", "activity id"),
    }
    for page, fields in expected.items():
        for field in fields:
            assert f"[{field}] {every}" in " ".join(text[page].split()), (page, field)


def test_executed_notebooks_hold_no_markup_from_data(poisoned):
    """What the sections display is escaped before any HTML is made: rendered as the
    HTML export renders it, no notebook output has anything for the last gate to remove."""
    import nbformat
    from bs4 import BeautifulSoup
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    from pipeline.report.safe_html import sanitise

    out, names = poisoned
    for name in names:
        nb = nbformat.read(out / f"{name}.ipynb", as_version=4)
        for k, cell in enumerate(nb.cells):
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                html = data.get("text/html") or (markdown2html_mistune(data["text/markdown"]) if "text/markdown" in data else None)
                if html is None:
                    continue
                html = html if isinstance(html, str) else "".join(html)
                soup = BeautifulSoup(f"<html><head></head><body>{html}</body></html>", "html.parser")
                assert sanitise(soup) == [], (name, k, html[:300])


@pytest.fixture(scope="module")
def browser():
    exe = find_chromium()
    if exe is None:
        pytest.skip("chromium is not installed (Debian package 'chromium'; make system-packages installs it)")
    with Chromium(exe) as b:
        yield b


def test_poisoned_reports_in_a_real_browser_run_nothing_and_fetch_nothing(poisoned, browser, canary):
    out, names = poisoned
    # the checks can fail: a page that does run a script and fetch from the server is seen doing both
    control = out.parent / "control.html"
    control.write_text(f"<html><body><img src=http://127.0.0.1:{canary.server_port}/control><script>alert(5)</script></body></html>", encoding="utf-8")
    seen = browser.open(control)
    assert seen.dialogs == ["alert: 5"] and seen.network_requests and Canary.seen == ["/control"]
    Canary.seen.clear()
    for name in [*names, "index"]:
        seen = browser.open(out / f"{name}.html")
        assert seen.dialogs == [], (name, seen.dialogs)
        assert seen.network_requests == [], (name, seen.network_requests)
        assert seen.dom["scripts"] == 0, name
        assert json.dumps(seen.dom)  # the page loaded and was inspected
    assert Canary.seen == []
