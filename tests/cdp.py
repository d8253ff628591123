"""Open a page in headless Chromium and report what a reader's browser saw.

Drives Debian's ``chromium`` over the DevTools protocol (``--remote-debugging-port``
on the loopback interface, a websocket per page; websocket-client is a dependency of
Jupyter already). Nothing is downloaded: the browser is the system's.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-extensions",
    "--remote-debugging-port=0",
    "--remote-debugging-address=127.0.0.1",
]

INSPECT = """JSON.stringify({
  images: Array.from(document.images).map(i => ({src: i.src.slice(0, 30), complete: i.complete, width: i.naturalWidth, alt: i.alt})),
  h1: Array.from(document.querySelectorAll('h1')).map(h => h.textContent.trim()),
  h2: Array.from(document.querySelectorAll('h2')).map(h => h.textContent.trim()),
  toc: Array.from(document.querySelectorAll('nav.toc a')).map(a => a.getAttribute('href')),
  scripts: document.scripts.length,
  width: document.documentElement.scrollWidth,
  glance: Array.from(document.querySelectorAll('table.glance td')).map(td => Math.ceil(td.getBoundingClientRect().right)),
  viewport: window.innerWidth,
  height: document.documentElement.scrollHeight
})"""


def find_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


@dataclass
class PageReport:
    """What loading one page produced."""

    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    #: Dialogs a script opened (alert, confirm, prompt), each dismissed at once.
    dialogs: list[str] = field(default_factory=list)
    dom: dict = field(default_factory=dict)
    screenshot: Path | None = None

    @property
    def network_requests(self) -> list[str]:
        """Requests for anything not inside the file itself (no file:, data:, about:)."""
        return [u for u in self.requests if not u.startswith(("file:", "data:", "about:", "blob:"))]


class Chromium:
    """A headless Chromium with a fresh profile; use as a context manager."""

    def __init__(self, executable: str, timeout: float = 30.0):
        self.executable = executable
        self.timeout = timeout
        self.profile = Path(tempfile.mkdtemp(prefix="chromium-profile-"))
        self.proc = None
        self.port = None

    def __enter__(self):
        self.proc = subprocess.Popen([self.executable, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        marker = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if marker.is_file() and marker.read_text().strip():
                self.port = int(marker.read_text().splitlines()[0])
                return self
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.__exit__(None, None, None)
        raise RuntimeError("chromium did not open its DevTools port")

    def __exit__(self, *exc):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)

    def _page_socket(self):
        import websocket

        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json/list", timeout=self.timeout) as r:
            targets = json.load(r)
        page = next(t for t in targets if t.get("type") == "page")
        return websocket.create_connection(page["webSocketDebuggerUrl"], timeout=self.timeout, suppress_origin=True)

    def open(self, path: Path, screenshot: Path | None = None, width: int = 1200, height: int = 900) -> PageReport:
        """Load ``path``, wait for the load event and a quiet moment, inspect, screenshot."""
        ws = self._page_socket()
        report = PageReport()
        ids = iter(range(1, 10_000))
        replies: dict[int, dict] = {}

        def send(method, **params):
            i = next(ids)
            ws.send(json.dumps({"id": i, "method": method, "params": params}))
            return i

        def pump(until_id=None, until_event=None, deadline=None):
            deadline = deadline or time.monotonic() + self.timeout
            while time.monotonic() < deadline:
                msg = json.loads(ws.recv())
                if "id" in msg:
                    replies[msg["id"]] = msg
                    if msg["id"] == until_id:
                        return msg
                    continue
                m, p = msg.get("method"), msg.get("params", {})
                if m == "Network.requestWillBeSent":
                    report.requests.append(p["request"]["url"])
                elif m == "Network.loadingFailed":
                    report.failed.append(f"{p.get('errorText')} ({p.get('requestId')})")
                elif m == "Runtime.exceptionThrown":
                    report.console_errors.append(p["exceptionDetails"].get("text", "exception"))
                elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                    report.console_errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", [])))
                elif m == "Page.javascriptDialogOpening":
                    report.dialogs.append(f"{p.get('type')}: {p.get('message')}")
                    send("Page.handleJavaScriptDialog", accept=False)
                elif m == "Log.entryAdded" and p["entry"].get("level") == "error":
                    report.console_errors.append(f"{p['entry'].get('source')}: {p['entry'].get('text')} {p['entry'].get('url', '')}")
                if m == until_event:
                    return msg
            raise TimeoutError(f"no {until_event or until_id} within {self.timeout} s")

        try:
            for method in ("Network.enable", "Runtime.enable", "Log.enable", "Page.enable"):
                pump(until_id=send(method))
            pump(until_id=send("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=width < 600))
            send("Page.navigate", url=path.resolve().as_uri())
            pump(until_event="Page.loadEventFired")
            import websocket

            ws.settimeout(0.5)  # late console messages or requests: listen until half a second of quiet
            try:
                pump(until_event="__never__", deadline=time.monotonic() + 3)
            except (TimeoutError, websocket.WebSocketTimeoutException):
                pass
            ws.settimeout(self.timeout)
            reply = pump(until_id=send("Runtime.evaluate", expression=INSPECT, returnByValue=True))
            report.dom = json.loads(reply["result"]["result"]["value"])
            if screenshot is not None:
                full = max(height, int(report.dom["height"]))
                pump(until_id=send("Emulation.setDeviceMetricsOverride", width=width, height=min(full, 16000), deviceScaleFactor=1, mobile=width < 600))
                shot = pump(until_id=send("Page.captureScreenshot", format="png"))
                screenshot.write_bytes(base64.b64decode(shot["result"]["data"]))
                report.screenshot = screenshot
        finally:
            ws.close()
        return report
