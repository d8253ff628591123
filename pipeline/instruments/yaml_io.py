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

from pathlib import Path
from typing import Any

import yaml

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
