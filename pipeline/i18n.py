"""The language a report is written in: gettext catalogues, data texts and the pseudo-locale.

Every sentence, heading, table header, status word and chart label a reader sees is
written in English in the code and looked up in the catalogue of the active language
(GNU gettext, catalogues managed with Babel: ``make translations``; one catalogue per
language in ``pipeline/locale/<lang>/LC_MESSAGES/pipeline.po``, compiled to ``.mo``
beside it)::

    from pipeline.i18n import _, ngettext, pgettext

    _("Results at a glance")
    _("{n} of {total} partners").format(n=..., total=...)     # never an f-string
    ngettext("{n} person", "{n} people", n).format(n=fmt.count(n))
    pgettext("table header", "Change")                       # one English word, two meanings

Placeholders are named (``{n}``, python-brace-format) so a translation may reorder
them; plurals go through :func:`ngettext` (the catalogue knows each language's plural
rule), never through string concatenation. Words the analysis stage publishes as codes
(status, partner types) are marked with :func:`N_` where they are listed and translated
with :func:`_` where they are shown.

Texts the consortium writes (codebook labels, the results framework, the commentary,
the activity plan) are data, not code: a text may be a mapping of languages to texts
(``{en: ..., it: ...}``), and :func:`localized` picks the active language, falling back
to English and recording what was missing (:func:`missing`), which the report run lists
as warnings.

The pseudo-locale :data:`PSEUDO` (``en-XA``, as in Android and Chrome) writes every
catalogue text and data text accented and 40% longer ("Ŕéšûļţš àţ à ĝļàñçé ẋẋẋẋ"):
a report rendered in it shows an English sentence that escaped the catalogue at a glance,
and whether the layout holds longer languages.

Numbers, percentages and dates are formatted for the active language by
:mod:`pipeline.report.format` with Babel (:func:`babel_locale`).
"""

from __future__ import annotations

import contextlib
import functools
import gettext
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

#: The gettext domain: the catalogue's file name.
DOMAIN = "pipeline"
#: Where the catalogues are: ``<lang>/LC_MESSAGES/pipeline.po`` and ``.mo``.
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
#: The language the code is written in, and the default reporting language.
SOURCE_LANGUAGE = "en"
#: The pseudo-locale: accented, longer English, for finding untranslated text and overflow.
PSEUDO = "en-XA"
#: Languages with a shipped catalogue (besides English, which needs none).
SHIPPED = ("el", "it", "es", "de", "pt")
#: Languages a report can be written in.
LANGUAGES = (SOURCE_LANGUAGE, *SHIPPED)
#: Names of the languages, in their own language (for the index of reports).
LANGUAGE_NAMES = {"en": "English", "el": "Ελληνικά", "it": "Italiano", "es": "Español", "de": "Deutsch", "pt": "Português", PSEUDO: "Ƥšéûđő"}


#: The CLDR locale each language's numbers, dates and plural rule follow: British English
#: ("2 December 2026") for an EU consortium, European Portuguese ("1 513,25") for Lisbon.
FORMAT_LOCALES = {"en": "en_GB", "pt": "pt_PT", PSEUDO: "en_GB"}


class _State:
    language: str = SOURCE_LANGUAGE
    translations: gettext.NullTranslations = gettext.NullTranslations()
    missing: set[tuple[str, str]] = set()


_STATE = _State()


def normalise(language: str | None) -> str:
    """A language code as the catalogues name it: ``"IT"`` -> ``"it"``, ``"pt_PT"`` -> ``"pt"``,
    ``"en_XA"`` -> ``"en-XA"``; empty or None -> English."""
    if not language:
        return SOURCE_LANGUAGE
    text = str(language).strip().replace("_", "-")
    if text.lower() == PSEUDO.lower():
        return PSEUDO
    return text.split("-", 1)[0].lower()


def supported(language: str | None) -> bool:
    """Whether reports can be written in ``language`` (a shipped catalogue, English or the pseudo-locale)."""
    return normalise(language) in (*LANGUAGES, PSEUDO)


def catalogue(language: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``language`` (:data:`LOCALE_DIR`); English needs none."""
    language = normalise(language)
    if language == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    if language == PSEUDO:
        return _Pseudo()
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if not path.is_file():
        raise ValueError(f"no catalogue for the language {language!r} ({path} not found): reports can be written in {', '.join(LANGUAGES)}")
    with path.open("rb") as f:
        return gettext.GNUTranslations(f)


def activate(language: str | None) -> str:
    """Make ``language`` the language of every text written from now on; returns its code.

    One report is written in one language (a report kernel writes one report); the
    figures drawn for several reports in one process switch with :func:`using`.
    """
    language = normalise(language)
    _STATE.translations = catalogue(language)
    _STATE.language = language
    return language


def fingerprint() -> str:
    """The active language and a digest of its compiled catalogue: a chart drawn in one
    language, or with an older catalogue, is never reused for another."""
    return f"{_STATE.language}:{_catalogue_digest(_STATE.language)}"


@functools.cache
def _catalogue_digest(language: str) -> str:
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path.is_file() else "-"


def active() -> str:
    """The code of the active language (``"en"``, ``"it"``, ..., or :data:`PSEUDO`)."""
    return _STATE.language


@contextlib.contextmanager
def using(language: str | None) -> Iterator[str]:
    """Write in ``language`` inside the block, then go back to the language before it."""
    before_language, before = _STATE.language, _STATE.translations
    try:
        yield activate(language)
    finally:
        _STATE.language, _STATE.translations = before_language, before


def _(message: str) -> str:
    """``message`` in the active language (as written when the catalogue lacks it)."""
    return _STATE.translations.gettext(message)


def ngettext(singular: str, plural: str, n) -> str:
    """The form of a message for the count ``n`` in the active language (its plural rule)."""
    return _STATE.translations.ngettext(singular, plural, _plural_count(n))


def pgettext(context: str, message: str) -> str:
    """``message`` in the active language, in ``context`` (one English text, two meanings)."""
    return _STATE.translations.pgettext(context, message)


def npgettext(context: str, singular: str, plural: str, n) -> str:
    """:func:`ngettext` in ``context``."""
    return _STATE.translations.npgettext(context, singular, plural, _plural_count(n))


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it (translate where it is shown)."""
    return message


def _plural_count(n) -> int:
    try:
        return abs(int(round(float(n))))
    except (TypeError, ValueError, OverflowError):
        return 2


def localized(value, what: str = "") -> str:
    """A text the consortium wrote, in the active language.

    ``value`` is a text (written in one language, returned as it is) or a mapping of
    language codes to texts. The active language's text is used; else English, else the
    first text. A missing language is recorded with ``what`` (the file and entry) for
    :func:`missing`. In the pseudo-locale, the English text is pseudo-translated.
    """
    if value is None:
        return ""
    if not isinstance(value, dict):
        text = str(value)
        return pseudo(text) if _STATE.language == PSEUDO else text
    if not value:
        return ""
    language = _STATE.language
    if language == PSEUDO:
        return pseudo(str(value.get(SOURCE_LANGUAGE, next(iter(value.values())))))
    if value.get(language) not in (None, ""):
        return str(value[language])
    if language != SOURCE_LANGUAGE and what:
        _STATE.missing.add((language, what))
    fallback = value.get(SOURCE_LANGUAGE)
    return str(fallback if fallback not in (None, "") else next(iter(value.values())))


def missing() -> list[tuple[str, str]]:
    """``(language, what)`` of every data text :func:`localized` had to show in English."""
    return sorted(_STATE.missing)


def clear_missing() -> None:
    _STATE.missing = set()


def babel_locale() -> str:
    """The Babel locale numbers and dates are formatted with (:data:`FORMAT_LOCALES`;
    British English for the pseudo-locale)."""
    return FORMAT_LOCALES.get(_STATE.language, _STATE.language)


def territory(code: str, default: str = "") -> str:
    """A country's name in the active language (CLDR, through Babel): ``"GR"`` -> "Greece",
    "Grecia", "Ελλάδα"; ``default`` (or the code) when CLDR does not know the code."""
    from babel import Locale

    name = Locale.parse(babel_locale()).territories.get(str(code).upper())
    if not name:
        return default or str(code)
    return pseudo(name) if _STATE.language == PSEUDO else name


def language_name(code: str) -> str:
    """A language's name in the active language ("Italian", "italiano", "Italienisch")."""
    from babel import Locale

    try:
        name = Locale.parse(normalise(code)).get_display_name(babel_locale()) or code
    except (ValueError, TypeError):
        return LANGUAGE_NAMES.get(code, code)
    return pseudo(name) if _STATE.language == PSEUDO else name


# --- the pseudo-locale --------------------------------------------------------------

_ACCENTED = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "àƀçđéƒĝĥîĵķļɱñöƥʠŕšţûṽŵẋýžÀƁÇĐÉƑĜĤÎĴĶĻṀÑÖƤɊŔŠŢÛṼŴẊÝŽ",
)
#: What the pseudo-locale leaves as it is: placeholders, tags, character references,
#: Markdown link targets, TeX, code spans and printf formats.
_KEEP = re.compile(r"\{[^{}]*\}|<[A-Za-z/!][^<>]*>|&#?[A-Za-z0-9]+;|\]\([^)]*\)|\$[^$]*\$|`[^`]*`|%(?:\([a-z_]+\))?[-+0 #]*\d*(?:\.\d+)?[sdifgeEx%]")
#: Words that stay English in every language (abbreviations of statistics).
_LITERAL = re.compile(r"\b(?:d_z|d_av|g_av|n|N|CI|SD|SE|p|r|ICC|DiD)\b")


def pseudo(text: str) -> str:
    """``text`` accented and about 40% longer, with its markup and placeholders intact.

    The added length is a bracketed tail of ``ẋ`` (``"Contents"`` ->
    ``"Ç öñţéñţš ẋẋẋ"``-like): wrapping, clipping and overflow show as they would in a
    longer language, and every translated text is recognisable.
    """
    if not text:
        return text
    out, pos, letters = [], 0, 0
    for m in _KEEP.finditer(text):
        out.append(_accent(text[pos : m.start()]))
        letters += sum(c.isalpha() for c in text[pos : m.start()])
        out.append(m.group(0))
        pos = m.end()
    out.append(_accent(text[pos:]))
    letters += sum(c.isalpha() for c in text[pos:])
    if letters == 0:
        return "".join(out)
    pad = max(1, round(0.4 * letters))
    words = " ".join("ẋ" * min(6, pad - k) for k in range(0, pad, 6))
    body = "".join(out)
    trail = len(body) - len(body.rstrip())
    return f"{body[: len(body) - trail]} {words}{body[len(body) - trail :]}" if trail else f"{body} {words}"


def _accent(part: str) -> str:
    out, pos = [], 0
    for m in _LITERAL.finditer(part):
        out.append(part[pos : m.start()].translate(_ACCENTED))
        out.append(m.group(0))
        pos = m.end()
    out.append(part[pos:].translate(_ACCENTED))
    return "".join(out)


class _Pseudo(gettext.NullTranslations):
    """Catalogue of the pseudo-locale: every message pseudo-translated (:func:`pseudo`)."""

    def gettext(self, message):
        return pseudo(message)

    def ngettext(self, msgid1, msgid2, n):
        return pseudo(msgid1 if n == 1 else msgid2)

    def pgettext(self, context, message):
        return pseudo(message)

    def npgettext(self, context, msgid1, msgid2, n):
        return pseudo(msgid1 if n == 1 else msgid2)
