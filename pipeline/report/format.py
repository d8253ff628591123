"""How the reports write numbers: one rule for each kind, used by every section.

* a missing value reads "–" (an en dash);
* a number rounds to ``digits`` decimals and never reads "-0.00" (a value that rounds
  to zero is zero); ``signed=True`` writes "+" before positive changes;
* a p-value reads "< 0.001" below 0.001, else three decimals;
* a share reads as a whole percentage ("42%");
* an interval reads "[low, high]" with the value's digits;
* a count reads as a whole number with thousands separators ("1,513"), never "1513.0";
* a date reads in the language's long form ("2 December 2026" is "2 dicembre 2026");

all in the active language's conventions (:func:`pipeline.i18n.activate`), through Babel's
CLDR data, never by hand: Italian and German write ``0,56 [0,49; 0,64]`` (a decimal comma,
so the interval's ends are separated by a semicolon), "1.513", "42 %" in German;
* text from the data reads as written, never as markup (:func:`text` for Markdown,
  :func:`html_text` for HTML): a title with ``<iframe>`` shows the characters.

:func:`code_version` looks the git commit up once per process.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import math
import re
import subprocess

from pipeline.i18n import SOURCE_LANGUAGE, active, babel_locale

DASH = "–"


def missing(x) -> bool:
    """True for None, NaN and pandas' NA."""
    if x is None:
        return True
    try:
        return bool(x != x) or (isinstance(x, float) and math.isnan(x))
    except (TypeError, ValueError):  # pd.NA compares to NA, whose truth is ambiguous
        return True


def num(x, digits: int = 2, signed: bool = False) -> str:
    """A number with ``digits`` decimals in the active language; never "-0.00"."""
    if missing(x):
        return DASH
    # rounded by Python first, on the float's exact binary value (0.015 is 0.01499...: "0.01"),
    # as the reports always did; Babel would round the decimal text "0.015" half-even to "0.02"
    x = round(float(x) + 0.0, digits) + 0.0
    places = "0." + "0" * digits if digits > 0 else "0"
    return _pattern(f"+{places};-{places}" if signed else places).apply(decimal.Decimal(repr(x)), _locale())


def count(x) -> str:
    """A count: a whole number with the language's thousands separators ("1,513", "1.513")."""
    return DASH if missing(x) else _pattern("#,##0").apply(int(round(float(x))), _locale())


@functools.cache
def _pattern(pattern: str):
    from babel.numbers import parse_pattern

    return parse_pattern(pattern)


@functools.cache
def _babel(code: str):
    from babel import Locale

    return Locale.parse(code)


def _locale():
    return _babel(babel_locale())


def value(x, unit: str = "") -> str:
    """A framework value: a whole number as a count, a share or density with two
    decimals, anything else with two decimals."""
    if missing(x):
        return DASH
    x = float(x)
    if "share" in unit or "density" in unit or "rate" in unit:
        return num(x)
    return count(x) if x.is_integer() else num(x)


def p_value(p) -> str:
    """A p-value: "< 0.001" below 0.001, else three decimals."""
    if missing(p):
        return DASH
    return f"< {num(0.001, 3)}" if float(p) < 0.001 else num(float(p), 3)


def pct(x, digits: int = 0) -> str:
    """A share (0-1) as a percentage in the language's pattern ("42%", "42 %")."""
    if missing(x):
        return DASH
    hundred = round(100 * float(x), digits) + 0.0  # rounded as :func:`num` rounds
    locale = _locale()
    pattern = _percent_pattern(locale.percent_formats[None].pattern, digits)
    return pattern.apply(decimal.Decimal(repr(hundred)) / 100, locale)


@functools.cache
def _percent_pattern(pattern: str, digits: int):
    import copy

    out = copy.copy(_pattern(pattern))
    out.frac_prec = (digits, digits)
    return out


def interval_separator() -> str:
    """What separates an interval's ends: ", " or, where the decimal mark is a comma, "; "."""
    return "; " if _locale().number_symbols["latn"]["decimal"] == "," else ", "


def interval(lo, hi, digits: int = 2) -> str:
    """An interval "[lo, hi]" ("[lo; hi]" with a decimal comma); a dash when either end is missing."""
    return DASH if missing(lo) or missing(hi) else f"[{num(lo, digits)}{interval_separator()}{num(hi, digits)}]"


def with_interval(x, lo, hi, digits: int = 2, signed: bool = False) -> str:
    """A value followed by its interval, or the value alone."""
    if missing(x):
        return DASH
    text = num(x, digits, signed)
    return text if missing(lo) or missing(hi) else f"{text} {interval(lo, hi, digits)}"


def date(value, form: str = "long") -> str:
    """A date in the active language: ``form`` is Babel's "short", "medium", "long" or
    "full", or a CLDR pattern ("MMMM y" for a month); a dash when missing."""
    if missing(value):
        return DASH
    from babel.dates import format_date

    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    elif isinstance(value, dt.datetime) or hasattr(value, "date"):
        value = value.date()
    return format_date(value, format=form, locale=_locale())


def lower_first(text) -> str:
    """A label inside a sentence: its first word in lower case unless it is a proper noun or
    an acronym ("Warmth towards Arabs" -> "warmth towards Arabs", "NGO staff" stays); the
    other words keep their capitals (no "arabs", no "murrar & brauer")."""
    text = str(text)
    first = text.split(" ", 1)[0]
    if len(first) > 1 and first[1:].islower() and first[0].isupper():
        return first[0].lower() + text[len(first[0]) :]
    return text


def words(code) -> str:
    """An internal code as words: ``public_authority`` -> "public authority"; in another
    language the word of :mod:`pipeline.report.vocabulary` ("ente pubblico", "Behörde"),
    or the code with spaces where the vocabulary does not know it."""
    if missing(code):
        return DASH
    text = str(code).replace("_", " ")
    if active() == SOURCE_LANGUAGE:
        return text
    from pipeline.report import vocabulary

    return vocabulary.word(code) or text


def unit(n, code) -> str:
    """A count's unit as words, singular for one: ``unit(1, "activities")`` -> "activity",
    ``unit(1, "people")`` -> "person", ``unit(7, "activities")`` -> "activities"; in
    another language the form its plural rule gives for ``n`` (the catalogue's ngettext
    forms of :mod:`pipeline.report.vocabulary`)."""
    text = words(code)
    if missing(code):
        return text
    if active() != SOURCE_LANGUAGE:
        from pipeline.report import vocabulary

        form = vocabulary.unit_word(2 if missing(n) else _whole(n), code)
        if form is not None:
            return form
        return text
    if missing(n) or float(n) != 1:
        return text
    head, _sep, last = text.rpartition(" ")
    one = "person" if last == "people" else last[:-3] + "y" if last.endswith("ies") and len(last) > 4 else last[:-1] if last.endswith("s") and not last.endswith("ss") else last
    return f"{head} {one}" if head else one


def _whole(n) -> int:
    """The count a plural form is chosen for: a whole number as written (1.0 -> 1), a
    fraction as a plural (1.5 is "1,5 persone", not "persona")."""
    x = float(n)
    return abs(int(x)) if x.is_integer() else 2


@functools.cache
def code_version() -> dict:
    """The git commit of the code and whether the working tree had changes, looked up
    once per process: ``{"git_commit": ..., "git_dirty": ...}`` ("unknown" outside git)."""
    from pipeline.config import ROOT

    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = bool(subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip())
    except (OSError, subprocess.SubprocessError):
        commit, dirty = "", False
    return {"git_commit": commit or "unknown", "git_dirty": dirty}


def short_version() -> str:
    """The commit in 12 hex digits, with "+changes" for a dirty tree."""
    v = code_version()
    if v["git_commit"] == "unknown":
        return "unknown"
    return v["git_commit"][:12] + ("+changes" if v["git_dirty"] else "")


#: Characters that make markup in Markdown (or, through it, in HTML) anywhere in a line;
#: :func:`text` escapes them: ``]`` where it would close a link or image (before ``(``,
#: ``[`` or ``:``), ``_`` where it could start or end emphasis (not inside a word), ``:``
#: of ``://`` (no link made from a bare URL), and ``&`` where it would start a character
#: reference. Brackets of an interval ("[0.03, 0.29]") and "d_z" stay as they are.
_MARKUP = re.compile(r"([\\`*<>|$~]|\](?=[(\[:])|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])|:(?=//))|&(?=[#A-Za-z0-9])")
#: The same for a link's text, where every bracket is escaped (a bracket inside it would end or nest the link).
_MARKUP_LINK_TEXT = re.compile(r"([\\`*<>|$~\[\]]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])|:(?=//))|&(?=[#A-Za-z0-9])")
#: What makes a block (heading, list, quote, link definition) at the start of a line.
_BLOCK_START = re.compile(r"^(\s*)([#>+=\[-]|\d+[.)])")


def text(value, line_start: bool = True, link_text: bool = False) -> str:
    """Text from the data (a title, a name, a label, a comment) as Markdown that reads
    exactly as written: every character that would make Markdown or HTML markup is
    escaped (``<`` stays a character, never a tag; ``[x](javascript:...)`` never a
    link; ``*`` never emphasis; ``http://...`` no link made by the renderer), line
    breaks become spaces (no new block), and a leading ``#``, ``-`` or ``1.`` starts
    no heading or list (``line_start=False`` for text that never starts a line, such
    as a table cell; ``link_text=True`` inside ``[...](...)``, where every bracket is
    escaped). Text without such characters is unchanged. Use it wherever data
    is put into a Markdown part; :func:`html_text` is the same for HTML parts."""
    if missing(value):
        return DASH
    out = (_MARKUP_LINK_TEXT if link_text else _MARKUP).sub(lambda m: "\\" + m.group(1) if m.group(1) else "&amp;", " ".join(str(value).splitlines()))
    if not line_start:
        return out
    return _BLOCK_START.sub(lambda m: m.group(1) + "\\" + m.group(2) if not m.group(2)[0].isdigit() else m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], out, count=1)


def html_text(value) -> str:
    """Text from the data as HTML text or a quoted attribute value: ``<``, ``>`` and
    ``"`` escaped, and ``&`` where it would start a character reference (so
    "Murrar & Brauer" stays as written)."""
    if missing(value):
        return DASH
    return re.sub(r"&(?=[#A-Za-z0-9])", "&amp;", str(value)).replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
