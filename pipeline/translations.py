"""The translation catalogues: extract, update, compile and check (``make translations``).

``python -m pipeline.translations`` extracts every text the code marks for translation
(:mod:`pipeline.i18n`: ``_``, ``N_``, ``ngettext``, ``pgettext``, ``npgettext``) with
Babel into ``pipeline/locale/pipeline.pot``, updates each language's
``pipeline/locale/<lang>/LC_MESSAGES/pipeline.po`` (a new text arrives untranslated, a
text no longer in the code is dropped; no fuzzy guessing), and compiles each to the
``.mo`` that ships with the package. ``--check`` changes nothing and lists what is not
ready: a text of the code missing from a catalogue, untranslated or fuzzy; a translation
whose placeholders (``{n}``) differ from the English; a compiled catalogue older than its
``.po``. The tests run the check, so a catalogue cannot fall behind the code.

The files are written without line numbers and with fixed dates, so running it twice
changes nothing and a diff shows only what changed in the texts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import re
import sys
from pathlib import Path

from pipeline.i18n import DOMAIN, FORMAT_LOCALES, LOCALE_DIR, SHIPPED

#: The functions whose arguments are texts to translate (Babel's keyword specification).
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2), "npgettext": ((1, "c"), 2, 3)}
#: The code that writes what readers see.
SOURCES = ("pipeline",)
ROOT = LOCALE_DIR.parents[1]
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"
#: Dates written into every catalogue's header (fixed: the files change only with their texts).
FIXED_DATE = dt.datetime(2026, 12, 2, tzinfo=dt.UTC)
_PLACEHOLDER = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)(?:[:!][^{}]*)?\}(?!\})")


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def extract():
    """Every marked text of the code, as a Babel catalogue (its locations without line numbers)."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    catalog = Catalog(project="impact-pipeline", version="1", creation_date=FIXED_DATE, revision_date=FIXED_DATE, fuzzy=False, charset="utf-8")
    catalog.clashes = []
    kinds: dict[tuple, set] = {}
    for source in SOURCES:
        folder = ROOT / source
        for filename, lineno, message, comments, context in extract_from_dir(folder, method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=("TRANSLATORS:",), strip_comment_tags=True):
            catalog.add(message, None, [(f"{source}/{filename}", None)], auto_comments=comments, context=context, flags=_flags(message))
            first = message[0] if isinstance(message, tuple) else message
            kinds.setdefault((first, context), set()).add((isinstance(message, tuple), f"{source}/{filename}"))
    # one English text used both with and without a plural form is one catalogue entry:
    # one of the two would get the other's translation
    for (text, context), uses in sorted(kinds.items(), key=str):
        if len({plural for plural, _where in uses}) > 1:
            where = ", ".join(sorted({w for _p, w in uses}))
            catalog.clashes.append(f"{text!r} is used with and without a plural form ({where}): give one of them a context (pgettext)")
    return catalog


def _flags(message) -> tuple[str, ...]:
    texts = message if isinstance(message, tuple) else (message,)
    return ("python-brace-format",) if any(_PLACEHOLDER.search(t or "") for t in texts) else ()


def _write_po(catalog, path: Path) -> bytes:
    from babel.messages.pofile import write_po

    buf = io.BytesIO()
    write_po(buf, catalog, width=100, sort_output=True, include_lineno=False, ignore_obsolete=True)
    data = buf.getvalue()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.is_file() or path.read_bytes() != data:
        path.write_bytes(data)
    return data


def read(language: str):
    """The catalogue of ``language`` as its ``.po`` holds it."""
    from babel.messages.pofile import read_po

    with po_path(language).open("rb") as f:
        return read_po(f, locale=FORMAT_LOCALES.get(language, language), domain=DOMAIN)


def compiled(catalog) -> bytes:
    """The ``.mo`` bytes of a catalogue (fuzzy entries left out, as gettext does)."""
    from babel.messages.mofile import write_mo

    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    return buf.getvalue()


def update(languages=SHIPPED) -> None:
    """Extract, update each language's ``.po`` from the template, compile each ``.mo``."""
    from babel.messages.catalog import Catalog

    template = extract()
    _write_po(template, TEMPLATE)
    for language in languages:
        path = po_path(language)
        if path.is_file():
            catalog = read(language)
        else:
            catalog = Catalog(locale=FORMAT_LOCALES.get(language, language), domain=DOMAIN, project="impact-pipeline", version="1", charset="utf-8")
        catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
        catalog.fuzzy = False  # the header: a fuzzy header is left out of the .mo, and its plural rule with it
        catalog.creation_date = FIXED_DATE
        catalog.revision_date = FIXED_DATE
        catalog.obsolete.clear()
        _write_po(catalog, path)
        mo = path.with_suffix(".mo")
        data = compiled(read(language))
        if not mo.is_file() or mo.read_bytes() != data:
            mo.write_bytes(data)
        done = sum(1 for m in catalog if m.id and m.string and (all(m.string) if isinstance(m.string, tuple) else True) and not m.fuzzy)
        total = sum(1 for m in catalog if m.id)
        print(f"{language}: {done} of {total} texts translated ({path.relative_to(ROOT)})")


def placeholders(text) -> set[str]:
    """The named placeholders of a text (``{n}``, ``{total:,}``), not doubled braces."""
    texts = text if isinstance(text, tuple | list) else (text,)
    return {name for t in texts if t for name in _PLACEHOLDER.findall(t)}


def check(languages=SHIPPED) -> list[str]:
    """What keeps the catalogues from being complete and current (empty when they are)."""
    problems = []
    template = extract()
    problems += getattr(template, "clashes", [])
    wanted = {(m.id if not isinstance(m.id, list) else tuple(m.id), m.context) for m in template if m.id}
    for language in languages:
        path = po_path(language)
        if not path.is_file():
            problems.append(f"{language}: no catalogue {path.relative_to(ROOT)} (run make translations)")
            continue
        catalog = read(language)
        have = {}
        for m in catalog:
            if m.id:
                have[(m.id if not isinstance(m.id, list) else tuple(m.id), m.context)] = m
        for key in sorted(wanted - set(have), key=str):
            problems.append(f"{language}: {key[0]!r} is in the code but not in {path.relative_to(ROOT)} (run make translations)")
        for key, m in sorted(have.items(), key=lambda kv: str(kv[0])):
            if key not in wanted:
                problems.append(f"{language}: {key[0]!r} is no longer in the code (run make translations)")
                continue
            strings = m.string if isinstance(m.string, tuple | list) else (m.string,)
            if m.fuzzy:
                problems.append(f"{language}: {key[0]!r} is marked fuzzy")
            elif not all(strings):
                problems.append(f"{language}: {key[0]!r} is not translated")
            else:
                want = placeholders(m.id)
                plural = isinstance(m.id, tuple | list)
                for s in strings:  # a plural form may leave the count out ("one person")
                    if (placeholders(s) - want) if plural else (placeholders(s) != want):
                        problems.append(f"{language}: {key[0]!r} has the placeholders {sorted(placeholders(s))} in {s!r}, the English {sorted(want)}")
        mo = path.with_suffix(".mo")
        if not mo.is_file() or mo.read_bytes() != compiled(catalog):
            problems.append(f"{language}: {mo.relative_to(ROOT)} is not compiled from the current {path.name} (run make translations)")
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.translations", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; list what is missing, untranslated, fuzzy or not compiled")
    parser.add_argument("languages", nargs="*", default=list(SHIPPED), help="languages (default: every shipped catalogue)")
    args = parser.parse_args(argv)
    if args.check:
        problems = check(args.languages)
        for p in problems:
            print(p, file=sys.stderr)
        print(f"{len(problems)} problems in the catalogues of {', '.join(args.languages)}" if problems else "every catalogue is complete and compiled")
        return 1 if problems else 0
    update(args.languages)
    return 0


if __name__ == "__main__":
    sys.exit(main())
