"""XLSForms from instruments: a codebook written as an XLSForm that KoboToolbox and ODK
load (``impact write-form``, ``make xlsform``); the reverse of :mod:`pipeline.instruments.xlsform`."""

from __future__ import annotations

from pathlib import Path

from pipeline.instruments.codebook import Codebook
from pipeline.instruments.xlsform import LANGUAGE_NAMES, METADATA_TYPES, MISSING_NAMES


def _label_columns(languages) -> list[tuple[str, str]]:
    return [(code, f"{LANGUAGE_NAMES.get(code, code)} ({code})") for code in languages]


def write_form(codebook: Codebook, path: str | Path, partner_choices: dict[str, str] | None = None) -> Path:
    """Write a codebook as an XLSForm (survey, choices and settings sheets) for KoboToolbox.

    Items become ``select_one`` questions on their response scale's list (value
    labels where the codebook has them, else the number; missing codes with their
    meaning), grouped by scale; anchors become hints; fields become questions by
    role (``partner`` a ``select_one`` of ``partner_choices``, grouping fields
    ``select_one``, personal and free-text fields ``text``, ``ignore`` fields the
    metadata questions ``start``/``end``). The tool's own columns (``_uuid``,
    ``_submission_time``, ``_id``, ``_index``) are not questions. Cells are
    written as text, never as formulas.
    """
    import openpyxl

    langs = [c for c in codebook.languages if _has_language(codebook, c)] or ["en"]
    cols = _label_columns(langs)
    survey = [
        ["type", "name", *[f"label::{n}" for _, n in cols], *[f"hint::{n}" for _, n in cols], "required", "constraint", "impact_role", "impact_reverse", "impact_comparison_value", "impact_scale"]
    ]
    choices = [["list_name", "name", *[f"label::{n}" for _, n in cols]]]
    lists_done = set()

    def labels_row(label: dict) -> list[str]:
        return [label.get(code, "") for code, _ in cols]

    def row(qtype, name, label=None, hint=None, required="", role="", reverse="", comparison="", scale=""):
        survey.append([qtype, name, *labels_row(label or {}), *labels_row(hint or {}), required, "", role, reverse, comparison, scale])

    def add_list(list_name, entries):
        if list_name in lists_done:
            return
        lists_done.add(list_name)
        for code, label in entries:
            choices.append([list_name, str(code), *labels_row(label)])

    for f in codebook.fields:
        if f.role in ("submission_id", "submission_time") or f.column.startswith("_"):
            continue
        if f.role == "ignore":
            if f.column in METADATA_TYPES:
                row(f.column, f.column)
            continue
        label = f.label or {"en": f.id}
        req = "yes" if f.required else ""
        if f.role == "partner":
            add_list("partner", [(code, {"en": name}) for code, name in (partner_choices or {}).items()])
            row("select_one partner", f.column, label, required=req, role="partner")
        elif f.choices is not None:
            list_name = f.id
            add_list(list_name, [(c, f.choice_labels.get(c) or _choice_label(f.id, c)) for c in f.choices])
            row(f"{'select_multiple' if f.multiple else 'select_one'} {list_name}", f.column, label, required=req, role=f.role, comparison=getattr(f, "comparison_value", None) or "")
        else:
            row("date" if f.role == "birth_date" else "text", f.column, label, required=req, role=f.role)
    groups = {it: sc for sc in codebook.scales for it in sc.items}
    current = None
    for it in codebook.items:
        sc = groups.get(it.id)
        if (sc.id if sc else None) != current:
            if current is not None:
                survey.append(["end_group", "", *[""] * (2 * len(cols)), "", "", "", "", "", ""])
            if sc is not None:
                row("begin_group", sc.id, sc.label)
            current = sc.id if sc else None
        rs = it.response_scale
        entries = [(v, rs.labels.get(v) or {code: str(v) for code, _ in cols}) for v in rs.values]
        entries += [(m, {"en": MISSING_NAMES.get(name, name.replace("_", " ").capitalize())}) for m, name in sorted(rs.missing.items())]
        add_list(rs.id, entries)
        hint = {}
        if it.anchors:
            lo, hi = min(it.anchors), max(it.anchors)
            for code, _ in cols:
                if code in it.anchors[lo] and code in it.anchors[hi]:
                    hint[code] = f"{lo} = {it.anchors[lo][code]}, {hi} = {it.anchors[hi][code]}"
        row(f"select_one {rs.id}", it.column, it.label, hint, "yes", "", "yes" if it.reverse else "", scale=sc.id if sc else "")
    if current is not None:
        survey.append(["end_group", "", *[""] * (2 * len(cols)), "", "", "", "", "", ""])
    settings = [["form_title", "form_id", "version", "default_language"], [codebook.label("en"), codebook.instrument, codebook.version, cols[0][1]]]
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in (("survey", survey), ("choices", choices), ("settings", settings)):
        ws = wb.create_sheet(title)
        for i, r in enumerate(rows, start=1):
            for k, value in enumerate(r, start=1):
                if value not in (None, ""):
                    cell = ws.cell(i, k)
                    cell.value = str(value)
                    cell.data_type = "s"  # text, never a formula (formula injection)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _has_language(codebook: Codebook, code: str) -> bool:
    return any(code in it.label for it in codebook.items)


def _choice_label(field_id: str, code: str) -> dict[str, str]:
    if field_id == "language":
        return {"en": LANGUAGE_NAMES.get(code, code)}
    return {"en": code}
