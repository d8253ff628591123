"""The consortium's texts a report in another language shows in English, listed before the run.

A report in Italian prints the results framework, the commentary and the codebooks'
labels in Italian where the data files give Italian (:meth:`ReportContext.text`,
:meth:`ReportContext.measure_label`, ...), and in English where they do not. So that the
consortium knows what to translate, :func:`missing_texts` lists, for one language, every
text with no translation in it:

* the texts of the build folder's ``texts.csv`` (the results framework's result texts,
  reasons, evidence, indicator names, definitions and units; the commentary's reasons
  and actions), as ``ctx.text`` asks for them;
* the labels of every codebook of the run that a report prints: the title, the wave
  labels, the scale and item labels, and the answer labels (the choices of the fields,
  an item's own anchors, the response scales' labels).

:func:`missing_text_warnings` words them as the report run's warnings, one per language
and file (``impact report`` prints them and records them in ``manifest.json``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pandas as pd

from pipeline import i18n
from pipeline.instruments.codebook import Codebook
from pipeline.schema import DATA_TEXTS_COLUMNS, Files

#: How each source of ``texts.csv`` is named in a warning.
SOURCES = {"framework": "the results framework", "commentary": "the commentary"}


def read_texts(build_dir: str | Path) -> pd.DataFrame:
    """The build folder's ``texts.csv`` (empty, with its columns, when the run wrote none)."""
    path = Path(build_dir) / Files.DATA_TEXTS
    if not path.is_file():
        return pd.DataFrame(columns=DATA_TEXTS_COLUMNS)
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _codebook_labels(cb: Codebook) -> Iterator[tuple[str, dict]]:
    """``(what, label)`` of every label of a codebook a report prints."""
    yield "title", cb.title
    for wave in cb.waves if len(cb.waves) > 1 else ():  # the one wave of a register or a log is never named
        yield f"wave {wave}", cb.wave_labels.get(wave) or {}
    for scale in cb.scales:
        yield f"scale {scale.id}", scale.label
    for item in cb.items:
        yield f"item {item.id}", item.label
        for code, label in item.anchors.items():  # an item's own answer labels
            yield f"answer {item.id} = {code}", label
    for f in cb.fields:
        for code, label in f.choice_labels.items():
            yield f"answer {f.id} = {code}", label
    seen = set()
    for item in cb.items:
        rs = item.response_scale
        if rs.id in seen:
            continue
        seen.add(rs.id)
        for code, label in rs.labels.items():
            yield f"answer {rs.id} = {code}", label


def _has(label, language: str) -> bool:
    """Whether a codebook label gives a text in ``language`` (a plain text is English)."""
    if isinstance(label, dict):
        return label.get(language) not in (None, "")
    return language == i18n.SOURCE_LANGUAGE


def missing_texts(texts: pd.DataFrame, codebooks: dict[str, Codebook], language: str) -> list[tuple[str, str]]:
    """``(where, what)`` of every text a report in ``language`` shows in English.

    ``where`` is ``framework``, ``commentary`` or an instrument; ``what`` is the entry and
    field as ``ctx.text`` names them (``E1 result``, ``jstes_held name``) or the codebook
    label (``item q3``, ``wave pre``, ``answer gender = female``). Nothing for English.
    """
    language = i18n.normalise(language)
    if language in (i18n.SOURCE_LANGUAGE, i18n.PSEUDO):
        return []
    out = []
    if len(texts):
        given = texts.loc[texts["text"].astype(str).str.strip() != ""]
        have = set(zip(given["source"], given["entry"], given["field"], given["language"]))
        for source, entry, field in sorted(set(zip(texts["source"], texts["entry"], texts["field"]))):
            if (source, entry, field, language) not in have:
                out.append((source, f"{entry} {field}"))
    for instrument, cb in sorted(codebooks.items()):
        out += [(instrument, what) for what, label in _codebook_labels(cb) if label and not _has(label, language)]
    return out


def missing_text_warnings(build_dir: str | Path, languages: Iterable[str]) -> list[str]:
    """The report run's warnings for the texts :func:`missing_texts` finds: one per
    language and file, naming every text."""
    from pipeline.report.context import load_codebooks

    texts, codebooks = read_texts(build_dir), load_codebooks(build_dir)
    warnings = []
    for language in sorted({i18n.normalise(x) for x in languages}):
        by_where: dict[str, list[str]] = {}
        for where, what in missing_texts(texts, codebooks, language):
            by_where.setdefault(where, []).append(what)
        name = _english_name(language)
        for where, whats in by_where.items():
            source = SOURCES.get(where) or f"the codebook {where}"
            count = f"{len(whats)} text{'s' if len(whats) != 1 else ''}"
            warnings.append(f"{name} ({language}) reports: {source} has no {name} for {count}, shown in English: {'; '.join(whats)}")
    return warnings


def _english_name(language: str) -> str:
    from babel import Locale

    try:
        return Locale.parse(language).get_display_name("en") or language
    except (ValueError, TypeError):
        return language
