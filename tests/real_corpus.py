"""Helpers of the real-export tests (``tests/test_real_exports.py``): forms stored as the
source repositories hold them (CSV sheets written by R, KoboToolbox asset JSON) turned
into the XLSForm workbook a user would download, and one end-to-end run through the CLI.

The corpus and where each file comes from: ``tests/data/real/SOURCES.md``.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd

from pipeline.cli import main

REAL = Path(__file__).parent / "data" / "real"


def _workbook(sheets: dict[str, list[list]], out: Path) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(["" if v is None else v for v in r])
    wb.save(out)
    return out


def r_sheets_to_xlsform(survey_csv: Path, choices_csv: Path, out: Path, encoding: str = "cp1252") -> Path:
    """An XLSForm's sheets saved as CSV by R (``write.csv``: a row-name column, ``NA`` for
    an empty cell, ``label::english`` read back as ``label..english``) as a workbook."""

    def sheet(path):
        with open(path, encoding=encoding, newline="") as fh:
            rows = list(csv.reader(fh))
        keep = [k for k, h in enumerate(rows[0]) if h not in ("", "v1")]
        out_rows = [["" if r[k] == "NA" else r[k] for k in keep] for r in rows]
        out_rows[0] = [re.sub(r"^(\w+)\.\.(\w+)$", lambda m: f"{m.group(1)}::{m.group(2).capitalize()}", h) for h in out_rows[0]]
        return out_rows

    return _workbook({"survey": sheet(survey_csv), "choices": sheet(choices_csv)}, out)


def kobo_asset_to_xlsform(asset_json: Path, out: Path) -> Path:
    """A KoboToolbox asset (``content``: survey, choices, translations, as the KPI API
    serves it) as the XLSForm workbook KoboToolbox's "Download XLS" gives."""
    content = json.loads(asset_json.read_text(encoding="utf-8"))["content"]
    langs = content.get("translations") or [None]
    names = [f"{t} ({'en' if t == 'English' else 'es' if t == 'Español' else t[:2].lower()})" if t else None for t in langs]

    def rows(entries, fixed):
        keys = [k for k in fixed]
        for e in entries:
            for k in e:
                if k not in keys and k not in ("label", "hint", "$kuid", "$autoname", "$prev", "select_from_list_name", "tags"):
                    keys.append(k)
        label_cols = [f"label::{n}" if n else "label" for n in names]
        head = [*keys, *label_cols]
        body = []
        for e in entries:
            r = {k: e.get(k, "") for k in keys}
            if e.get("select_from_list_name"):
                r["type"] = f"{e['type']} {e['select_from_list_name']}"
            if isinstance(r.get("required"), bool):
                r["required"] = "true" if r["required"] else ""
            labels = e.get("label") or [""] * len(names)
            body.append([str(r[k]) for k in keys] + [str(x or "") for x in labels])
        return [head, *body]

    survey = rows(content["survey"], ["type", "name", "required", "relevant"])
    choices = rows(content.get("choices", []), ["list_name", "name"])
    return _workbook({"survey": survey, "choices": choices}, out)


@dataclass
class Run:
    codes: dict[str, int]
    reconciliation: pd.DataFrame
    quarantine: pd.DataFrame
    private_quarantine: pd.DataFrame
    indicators: pd.DataFrame | None
    out: str
    err: str

    @property
    def kept(self) -> int:
        return int(self.reconciliation["rows_kept"].sum())

    @property
    def read(self) -> int:
        return int(self.reconciliation["rows_read"].sum())

    def reasons(self) -> Counter:
        """Quarantined rows by reason (a row with several lines of one reason counts once)."""
        q = self.quarantine.drop_duplicates(["source_file", "source_row", "reason"])
        return Counter(q["reason"])


def end_to_end(root: Path, build: Path, capsys, *, form: Path | None, instrument: str, files: list[dict], codebook_text: str | None = None, import_args=()) -> Run:
    """import-form (or a codebook written out), ingest, analyse through the CLI, as a user runs them.

    A traceback fails the test (``main`` lets nothing but the pipeline's own errors
    through); the exit codes are returned for the test to assert.
    """
    root.mkdir(parents=True, exist_ok=True)
    codes = {}
    if form is not None:
        codes["import-form"] = main(["import-form", str(form), "--out", str(root / f"{instrument}.yaml"), "--force", *import_args])
        text = (root / f"{instrument}.yaml").read_text(encoding="utf-8")
        (root / f"{instrument}.yaml").write_text(re.sub(r"(?m)^instrument: .*$", f"instrument: {instrument}", text, count=1), encoding="utf-8")
    else:
        (root / f"{instrument}.yaml").write_text(codebook_text, encoding="utf-8")
    lines = ["datasets:"]
    for f in files:
        lines.append(f"  - file: {json.dumps(str(f['file']))}")
        lines.append(f"    instrument: {instrument}")
        for k, v in f.items():
            if k != "file":
                lines.append(f"    {k}: {json.dumps(v)}")
    (root / "datasets.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    capsys.readouterr()
    codes["ingest"] = main(["ingest", "--data", str(root), "--build", str(build)])
    codes["analyse"] = main(["analyse", "--build", str(build)]) if codes["ingest"] == 0 else None
    captured = capsys.readouterr()
    rec = pd.read_csv(build / "reconciliation.csv") if (build / "reconciliation.csv").exists() else pd.DataFrame()
    q = pd.read_csv(build / "quarantine.csv", dtype=str, keep_default_na=False) if (build / "quarantine.csv").exists() else pd.DataFrame()
    pq = pd.read_csv(build / "quarantine_private.csv", dtype=str, keep_default_na=False) if (build / "quarantine_private.csv").exists() else pd.DataFrame()
    ind = pd.read_csv(build / "indicators.csv") if (build / "indicators.csv").exists() else None
    if len(rec):  # rows read = kept + quarantined, for every file
        assert (rec["rows_read"] == rec["rows_kept"] + rec["rows_quarantined"]).all(), rec
    return Run(codes, rec, q, pq, ind, captured.out, captured.err)
