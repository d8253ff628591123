"""The one way YAML is read: every codebook, registry, manifest, framework and commentary.

A data folder passes through many hands, so a YAML file is read as data that may be
hostile or simply wrong, and three things YAML allows are refused, with the file and
the line:

* **Anchors and aliases** (``&name``, ``*name``): a few hundred bytes of nested
  aliases expand to gigabytes when the document is used (the "billion laughs" alias
  bomb), and no file of this project needs them.
* **Duplicate keys**, at any depth: YAML keeps the last one silently, so a codebook with
  a second ``waves:`` key reverses the waves and flips the sign of every change.
* **A file larger than** :data:`MAX_YAML_BYTES`, and nesting deeper than
  :data:`MAX_YAML_DEPTH`: no codebook or registry comes near either.

Errors are :class:`~pipeline.errors.CodebookError` naming the file and the line.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from pipeline import i18n
from pipeline.errors import CodebookError

#: The largest YAML file read (bytes). The biggest codebook of the project is ~60 KB.
MAX_YAML_BYTES = 5_000_000
#: The deepest nesting of mappings and lists read. A codebook nests four levels.
MAX_YAML_DEPTH = 64

# libyaml's parser when PyYAML has it (the same documents, ten times faster); the
# constructor is PyYAML's safe one either way: only plain data, never Python objects.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: str | Path) -> Any:
    """Read one YAML document safely (see the module docstring).

    Raises
    ------
    CodebookError
        The file is missing, unreadable, too large, not UTF-8, not valid YAML, or uses
        an anchor, an alias or a duplicate key (the message names the line).
    """
    path = Path(path)
    if not path.is_file():
        raise CodebookError(path, "(file)", "file not found")
    try:
        size = path.stat().st_size
        if size > MAX_YAML_BYTES:
            raise CodebookError(path, "(file)", f"the file has {size:,} bytes; a YAML file of this project is read up to {MAX_YAML_BYTES:,} bytes (is it the right file?)")
        data = path.read_bytes()
    except OSError as exc:
        raise CodebookError(path, "(file)", f"cannot read the file ({exc.strerror or type(exc).__name__})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CodebookError(path, f"line {line}", "not UTF-8 text (save the file as UTF-8)") from None
    return parse_yaml(text, path)


def read_entries(path: str | Path, keys: str) -> list[tuple[int, dict]] | None:
    """The ``entries:`` list of a data folder's YAML file (commentary, activity plan):
    ``(index, mapping)`` per entry, or None for an empty file. ``keys`` names what an
    entry holds, for the messages (e.g. "id, reason, action, partner, date").

    Raises :class:`CodebookError` naming the file and the entry when the top level is
    not a mapping with a list of entries, or an entry is not a mapping."""
    path = Path(path)
    doc = read_yaml(path)
    if doc is None:
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get("entries"), list):
        raise CodebookError(path, "(top level)", f"expected a mapping with 'entries': a list of {{{keys}}}")
    for i, e in enumerate(doc["entries"]):
        if not isinstance(e, dict):
            raise CodebookError(path, f"entries[{i}]", f"expected a mapping with {keys}")
    return list(enumerate(doc["entries"]))


def read_text(value: Any, path: str | Path, entry: str, clean: Callable[[str], str] = str) -> dict[str, str]:
    """A text a reader sees, as a data file gives it: ``{language: text}``, English first.

    The consortium's files (the results framework, the commentary, the activity plan)
    write a text either plainly, in English (the language of the published tables)::

        name: Multiplier events held

    or in several languages, English required::

        name:
          en: Multiplier events held
          it: Eventi moltiplicatori realizzati

    ``clean`` tidies every language's text alike (``str.strip``, or joining the lines of a
    folded text), so the English of the published tables reads as it did.

    Raises
    ------
    CodebookError
        Naming the file, the entry and the key: a language reports cannot be written in
        (:data:`pipeline.i18n.LANGUAGES`; often a text with an unquoted comma inside
        ``{...}``, which YAML splits into two keys), a mapping without English, or a
        language whose text is empty or not text.
    """
    if not isinstance(value, dict):
        return {i18n.SOURCE_LANGUAGE: clean(str(value))}
    keys = [str(k) for k in value]
    stray = [k for k in keys if k not in i18n.LANGUAGES]
    if stray:
        hint = ""
        if any(v is None for k, v in value.items() if str(k) in stray):
            hint = ' (a text with a comma inside {...} must be quoted: {en: "Refugees, asylum seekers and migrants"})'
        raise CodebookError(
            path,
            entry,
            f"language key(s) {', '.join(repr(k) for k in stray)} are not languages reports can be written in ({', '.join(i18n.LANGUAGES)}){hint}",
        )
    if i18n.SOURCE_LANGUAGE not in keys:
        raise CodebookError(
            path,
            entry,
            f"a text in several languages needs English ({i18n.SOURCE_LANGUAGE!r}: the published tables are in English); it gives {', '.join(repr(k) for k in keys) or 'none'}",
        )
    out = {}
    for k in [i18n.SOURCE_LANGUAGE, *(k for k in keys if k != i18n.SOURCE_LANGUAGE)]:
        text = value[k]
        if isinstance(text, (dict, list)) or text is None or not str(text).strip():
            raise CodebookError(path, f"{entry}.{k}", f"expected the text in {k!r}, got {text!r}")
        out[k] = clean(str(text))
    return out


def squeeze(text: str) -> str:
    """A folded YAML text on one line, its runs of white space one space (``clean`` of :func:`read_text`)."""
    return " ".join(text.split())


def text_rows(source: str, entry: str, texts: dict[str, dict[str, str]]) -> list[dict[str, str]]:
    """Rows of the build folder's ``texts.csv`` for one entry: ``texts`` maps each field
    to its ``{language: text}`` (:func:`read_text`)."""
    return [{"source": source, "entry": entry, "field": f, "language": lang, "text": text} for f, by in texts.items() for lang, text in by.items()]


def parse_yaml(text: str, path: str | Path = "<yaml>") -> Any:
    """:func:`read_yaml` of a text already read (``path`` names it in messages)."""
    try:
        if "&" in text or "*" in text:  # only then can the document hold an anchor or an alias
            _refuse_anchors(text, path)
        loader = _LOADER(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            _check_node(node, path)
            return loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "(file)"
        raise CodebookError(path, where, f"not valid YAML: {getattr(exc, 'problem', None) or exc}") from None
    except RecursionError:
        raise CodebookError(path, "(file)", f"nested deeper than {MAX_YAML_DEPTH} levels; no file of this project needs that") from None


def _refuse_anchors(text: str, path) -> None:
    """Refuse the first anchor or alias token (the scanner sees them before anything is built)."""
    loader = _LOADER(text)
    try:
        while loader.check_token():
            token = loader.get_token()
            if isinstance(token, (yaml.AnchorToken, yaml.AliasToken)):
                kind = "an anchor" if isinstance(token, yaml.AnchorToken) else "an alias"
                sign = "&" if isinstance(token, yaml.AnchorToken) else "*"
                raise CodebookError(
                    path,
                    f"line {token.start_mark.line + 1}",
                    f"{kind} ({sign}{token.value}): YAML anchors and aliases are not read (a few of them can expand to gigabytes); write the value out where it is used",
                )
    finally:
        loader.dispose()


def _check_node(root: yaml.Node, path) -> None:
    """Duplicate keys at any depth, nesting depth, and (belt and braces) a node reached twice."""
    seen: set[int] = set()
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:  # only an alias makes a node a child twice
            raise CodebookError(path, f"line {node.start_mark.line + 1}", "a YAML alias: anchors and aliases are not read; write the value out where it is used")
        seen.add(id(node))
        if depth > MAX_YAML_DEPTH:
            raise CodebookError(path, f"line {node.start_mark.line + 1}", f"nested deeper than {MAX_YAML_DEPTH} levels; no file of this project needs that")
        if isinstance(node, yaml.MappingNode):
            keys: dict = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    ident = (key.tag, key.value)
                    if ident in keys:
                        raise CodebookError(
                            path,
                            f"line {key.start_mark.line + 1}",
                            f"duplicate key {key.value!r} (first at line {keys[ident] + 1}): YAML would keep only the last one silently; keep one",
                        )
                    keys[ident] = key.start_mark.line
                stack.append((key, depth + 1))
                stack.append((value, depth + 1))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)
