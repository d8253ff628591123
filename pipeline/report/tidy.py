"""Labelled, tidy responses and a data dictionary, from an instrument's codebook.

>>> ctx = load_context()                                      # doctest: +SKIP
>>> ctx.tidy("community_attitudes")                           # doctest: +SKIP
>>> ctx.tidy("community_attitudes", long=True, language="de")  # doctest: +SKIP
>>> ctx.data_dictionary("community_attitudes")                # doctest: +SKIP

pandas only: a report kernel may import this module (no statistics library).
"""

from __future__ import annotations

import pandas as pd

from pipeline.errors import PipelineError
from pipeline.instruments.codebook import DROPPED_ROLES, Codebook, Item

#: Suffix of the companion column that keeps why an answer is missing (its missing code's meaning).
MISSING_SUFFIX = "_missing"


def _language(codebook: Codebook, language: str | None) -> str:
    if language is None:
        return codebook.languages[0] if codebook.languages else "en"
    if language not in codebook.languages:
        raise PipelineError(f"{codebook.instrument}: no labels in language {language!r}; the codebook's languages: {', '.join(codebook.languages)}")
    return language


def _text(label: dict[str, str] | None, language: str, default: str) -> str:
    label = label or {}
    return label.get(language) or label.get("en") or next(iter(label.values()), None) or default


def answer_labels(item: Item, language: str = "en") -> dict[int, str]:
    """Each substantive code of an item -> its label (the item's anchors, else the
    response scale's labels, else the code itself); repeated labels get their code in front."""
    rs = item.response_scale
    out = {v: _text(item.anchors.get(v) or rs.labels.get(v), language, str(v)) for v in rs.values}
    texts = list(out.values())
    if len(set(texts)) < len(texts):  # categories must differ: "1 = ..." where labels repeat
        out = {v: t if texts.count(t) == 1 else f"{v} = {t}" for v, t in out.items()}
    return out


def tidy(
    frame: pd.DataFrame,
    codebook: Codebook,
    labels: bool = True,
    long: bool = False,
    participants_only: bool = False,
    language: str | None = None,
) -> pd.DataFrame:
    """An instrument's responses, ready for pandas: labelled, missing codes as NA.

    Parameters
    ----------
    frame : DataFrame
        The instrument's responses (``ctx.responses[instrument]``).
    codebook : Codebook
    labels : bool, default True
        Items become ordered categoricals whose categories are the codebook's answer
        labels in scale order (``"Strongly disagree" < ... < "Strongly agree"``);
        fields with labelled choices become categoricals in the codebook's order.
        False keeps the numeric codes.
    long : bool, default False
        One row per respondent, wave and item (columns ``item``, ``answer``,
        ``code``, ``missing_reason``) instead of one row per respondent and wave.
        Scale scores are left out of the long form (use ``long=False`` for them).
    participants_only : bool, default False
        Drop the comparison group's rows (the codebook's ``comparison`` field).
    language : str, optional
        One of the codebook's ``languages``; the first by default.

    Returns
    -------
    DataFrame
        ``wave`` is an ordered categorical in the codebook's order of waves. Each item
        answered with a missing code ("don't know", "refused") is NA, and its reason is
        in the companion column ``<item>_missing`` (NA where the answer is not missing).
        Items are kept as answered: reverse-keyed items are not turned around (the
        scale scores are, see :func:`data_dictionary`). The survey tool's
        ``submission_id`` is left out (it identifies a submission in the tool).
    """
    language = _language(codebook, language)
    # the survey tool's submission id identifies a submission in the tool: no analysis needs it
    out = frame.drop(columns=[c for c in ("submission_id",) if c in frame.columns])
    comparison = codebook.comparison_field
    if participants_only and comparison is not None and comparison.name in out.columns:
        from pipeline.analysis.indicators import is_participant

        out = out.loc[is_participant(out[comparison.name], codebook)]
    if "wave" in out.columns:
        order = list(codebook.waves) + sorted(set(out["wave"].dropna().astype(str)) - set(codebook.waves))
        out["wave"] = pd.Categorical(out["wave"].astype("string"), categories=order, ordered=True)
    items = [it for it in codebook.items if it.id in out.columns]
    for item in items:
        x = pd.to_numeric(out[item.id], errors="coerce")
        missing = item.response_scale.missing
        reason = x.map(lambda v: missing.get(int(v)) if pd.notna(v) and float(v).is_integer() and int(v) in missing else pd.NA)
        x = x.where(reason.isna())
        if missing:
            out[item.id + MISSING_SUFFIX] = reason.astype("string")
        if labels:
            names = answer_labels(item, language)
            out[item.id] = pd.Categorical(x.map(lambda v: names.get(int(v)) if pd.notna(v) else None), categories=list(names.values()), ordered=True)
        else:
            out[item.id] = x
    if labels:
        for f in codebook.fields:
            if f.name in out.columns and f.choice_labels and not f.multiple:
                names = {code: _text(lab, language, code) for code, lab in f.choice_labels.items()}
                values = out[f.name].astype("string")
                cats = list(dict.fromkeys(names.values())) + sorted(set(values.dropna()) - set(names))
                out[f.name] = pd.Categorical(values.map(lambda v: names.get(v, v) if pd.notna(v) else None), categories=cats)
    out = out.reset_index(drop=True)
    if not long:
        return out
    return _long(out, codebook, items, labels)


def _long(out: pd.DataFrame, codebook: Codebook, items: list[Item], labels: bool) -> pd.DataFrame:
    """Items stacked: one row per respondent, wave and item."""
    item_ids = [it.id for it in items]
    drop = set(item_ids) | {i + MISSING_SUFFIX for i in item_ids} | {s.id for s in codebook.scales}
    ids = [c for c in out.columns if c not in drop]
    parts = []
    for item in items:
        part = out[ids].copy()
        part["item"] = item.id
        if labels:  # the category's position gives back the code
            values = item.response_scale.values
            part["answer"] = out[item.id].astype("string")
            part["code"] = pd.array([values[c] if c >= 0 else pd.NA for c in out[item.id].cat.codes], dtype="Int64")
        else:
            part["answer"] = out[item.id]
            part["code"] = pd.to_numeric(out[item.id], errors="coerce").round().astype("Int64")
        miss = item.id + MISSING_SUFFIX
        part["missing_reason"] = out[miss] if miss in out.columns else pd.Series(pd.NA, index=out.index, dtype="string")
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=[*ids, "item", "answer", "code", "missing_reason"])
    long = pd.concat(parts, ignore_index=True)
    long["item"] = pd.Categorical(long["item"], categories=item_ids, ordered=True)
    sort = [c for c in ("respondent_id", "wave") if c in long.columns] + ["item"]
    return long.sort_values(sort, kind="stable").reset_index(drop=True)


def _codes_text(mapping: dict) -> str:
    return "; ".join(f"{k} = {v}" for k, v in mapping.items())


def data_dictionary(codebook: Codebook, frame: pd.DataFrame | None = None, language: str | None = None) -> pd.DataFrame:
    """One row per variable of an instrument: what each column of its responses is.

    Columns: ``variable`` (the column name in ``ctx.responses``), ``kind`` (field,
    item or scale), ``label``, ``type`` (a field's role and type; an item's response
    scale; a scale's score), ``scale`` (for an item the scales it counts in; for a
    scale its items), ``reverse`` (reverse-keyed item: turned around before scoring),
    ``answers`` (code = label), ``missing_codes`` (code = meaning; never scored) and,
    when ``frame`` is given, ``in_data`` (the column is in the responses).
    """
    language = _language(codebook, language)
    rows = []
    for f in codebook.fields:
        if f.role in DROPPED_ROLES or f.role == "submission_id":
            continue
        answers = _codes_text({c: _text(lab, language, c) for c, lab in f.choice_labels.items()}) if f.choice_labels else " ".join(f.choices or ())
        rows.append(
            {"variable": f.name, "kind": "field", "label": _text(f.label, language, f.name), "type": f"{f.role} ({f.type})", "scale": "", "reverse": False, "answers": answers, "missing_codes": ""}
        )
    if "wave" not in {r["variable"] for r in rows}:
        waves = _codes_text({w: _text(codebook.wave_labels.get(w), language, w) for w in codebook.waves})
        rows.append({"variable": "wave", "kind": "field", "label": "wave", "type": "wave (ordered as the codebook orders them)", "scale": "", "reverse": False, "answers": waves, "missing_codes": ""})
    for item in codebook.items:
        rs = item.response_scale
        kind = f"knowledge question (correct = {item.correct})" if item.correct is not None else f"rating {rs.min}-{rs.max} ({rs.id})"
        in_scales = ", ".join(s.id for s in codebook.scales if item.id in s.items)
        rows.append(
            {
                "variable": item.id,
                "kind": "item",
                "label": _text(item.label, language, item.id),
                "type": kind,
                "scale": in_scales,
                "reverse": bool(item.reverse),
                "answers": _codes_text(answer_labels(item, language)),
                "missing_codes": _codes_text(rs.missing),
            }
        )
    for s in codebook.scales:
        kind = f"score: mean of the items after reverse-keying, range {s.range[0]:g}-{s.range[1]:g}, at least {s.min_answered:.0%} answered"
        rows.append({"variable": s.id, "kind": "scale", "label": _text(s.label, language, s.id), "type": kind, "scale": ", ".join(s.items), "reverse": False, "answers": "", "missing_codes": ""})
    out = pd.DataFrame(rows, columns=["variable", "kind", "label", "type", "scale", "reverse", "answers", "missing_codes"])
    if frame is not None:
        out["in_data"] = out["variable"].isin(frame.columns)
    return out
