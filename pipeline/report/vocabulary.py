"""Codes the pipeline publishes as words, in the report's language.

The published tables hold codes (``on track``, ``public_authority``, ``learning``,
``organisations``); a report shows them as words through :func:`pipeline.report.format.words`
and counts' units through :func:`pipeline.report.format.unit`, which look them up here:

* :func:`word` -- a code as a word in the active language (status, results criterion,
  OECD DAC criterion, Kirkpatrick level, kind and role of a partner, level and intensity
  of a tie, survey design, wave); ``None`` for a code this module does not know;
* :func:`unit_word` -- the unit of a count (people, activities, events, organisations,
  ties, ...) in the singular or plural form the language's rule gives for ``n``;
* :func:`note` -- a note the analysis stage wrote into a published table, each of its
  ``"; "``-separated parts translated where the catalogue has it (the analysis layer
  marks its fixed notes with ``N_``).

English reports read exactly as before: :func:`pipeline.report.format.words` writes
the code with spaces for underscores in English, whatever the English message here is.
Every entry is one literal call (``_``, ``pgettext``, ``ngettext``) so that Babel's
extraction finds it; a word that means two things in other languages (a Kirkpatrick
level "results" and the results of the framework; "local" of a tie and of an
authority, whose adjectives agree differently) carries a context.
"""

from __future__ import annotations

import functools
import re

from pipeline import i18n
from pipeline.i18n import _, ngettext, pgettext


def _key(code) -> str:
    return " ".join(str(code).replace("_", " ").split()).lower()


def _words() -> dict[str, str]:
    """Every known code (as :func:`_key` writes it) -> its word in the active language."""
    return {
        # status of an indicator or a result against its target (marked where the analysis defines them)
        "achieved": _("achieved"),
        "on track": _("on track"),
        "off track": _("off track"),
        "no data": _("no data"),
        "qualitative": _("qualitative"),
        # the example framework's status rules (a framework's own rule ids stay as written)
        "measured once": pgettext("status rule", "measured once"),
        "cumulative": pgettext("status rule", "cumulative"),
        # the kind of a result
        "quantitative": pgettext("kind of result", "quantitative"),
        # the funder's award criteria
        "relevance": pgettext("evaluation criterion", "relevance"),
        "design and implementation": pgettext("evaluation criterion", "quality of project design and implementation"),
        "cooperation": pgettext("evaluation criterion", "quality of cooperation"),
        "impact and dissemination": pgettext("evaluation criterion", "impact and dissemination"),
        # the OECD DAC criteria
        "coherence": pgettext("evaluation criterion", "coherence"),
        "effectiveness": pgettext("evaluation criterion", "effectiveness"),
        "efficiency": pgettext("evaluation criterion", "efficiency"),
        "impact": pgettext("evaluation criterion", "impact"),
        "sustainability": pgettext("evaluation criterion", "sustainability"),
        # Kirkpatrick's four levels of a training's evaluation
        # TRANSLATORS: Kirkpatrick level 1: how participants valued the training.
        "reaction": pgettext("Kirkpatrick level", "reaction"),
        # TRANSLATORS: Kirkpatrick level 2: knowledge and competence gained.
        "learning": pgettext("Kirkpatrick level", "learning"),
        # TRANSLATORS: Kirkpatrick level 3: applying what was learnt at work.
        "behaviour": pgettext("Kirkpatrick level", "behaviour"),
        # TRANSLATORS: Kirkpatrick level 4: results for the organisation.
        "results": pgettext("Kirkpatrick level", "results"),
        # the kind of a partner organisation
        # TRANSLATORS: non-governmental organisation (kind of partner).
        "ngo": pgettext("kind of organisation", "NGO"),
        "public authority": pgettext("kind of organisation", "public authority"),
        "university": pgettext("kind of organisation", "university"),
        "other": pgettext("kind of organisation", "other"),
        # a partner's role in the consortium
        "coordinator": pgettext("role in the consortium", "coordinator"),
        "partner": pgettext("role in the consortium", "partner"),
        # the level of a tie between organisations
        "local": pgettext("level of a tie", "local"),
        "national": pgettext("level of a tie", "national"),
        "international": pgettext("level of a tie", "international"),
        "european": pgettext("level of a tie", "European"),
        "cross border": pgettext("level of a tie", "cross-border"),
        # how two organisations work together
        "information exchange": pgettext("intensity of a tie", "information exchange"),
        "joint activity": pgettext("intensity of a tie", "joint activity"),
        "formal agreement": pgettext("intensity of a tie", "formal agreement"),
        # the design of a survey (what one row is)
        "paired pre post": pgettext("survey design", "before and after, paired"),
        "repeated": pgettext("survey design", "repeated measures"),
        "cross section": pgettext("survey design", "single survey"),
        "ratings": pgettext("survey design", "organisational ratings"),
        "ties": pgettext("survey design", "network ties"),
        "register": pgettext("survey design", "activity register"),
        "voices": pgettext("survey design", "qualitative evidence log"),
        # the kind of a wave
        # TRANSLATORS: a survey wave: before the activities or the training.
        "pre": pgettext("wave", "before"),
        # TRANSLATORS: a survey wave: right after the activities or the training.
        "post": pgettext("wave", "after"),
        # TRANSLATORS: a survey wave: some months after the training.
        "follow up": pgettext("wave", "follow-up"),
        "baseline": pgettext("wave", "baseline"),
        "midline": pgettext("wave", "midline"),
        "endline": pgettext("wave", "endline"),
        # TRANSLATORS: a survey answered only once (no waves).
        "once": pgettext("wave", "once"),
        # the group a participant belongs to
        "participant": pgettext("group", "participant"),
        "comparison": pgettext("group", "comparison group"),
        # parameters a report names in its provenance (the notebooks' keys)
        "activity id": pgettext("report parameter", "activity id"),
        # reliable change categories
        "improved": pgettext("reliable change", "improved"),
        "unchanged": pgettext("reliable change", "unchanged"),
        "worsened": pgettext("reliable change", "worsened"),
        # breakdowns of the activity register's head counts, and their categories
        "group": pgettext("breakdown", "group"),
        "gender": pgettext("breakdown", "gender"),
        "age group": pgettext("breakdown", "age group"),
        "country": pgettext("breakdown", "country"),
        "refugee migrant": pgettext("group of participants", "refugees and migrants"),
        "local resident": pgettext("group of participants", "local residents"),
        "partner staff": pgettext("group of participants", "partner staff"),
        "external org": pgettext("group of participants", "external organisations"),
        "female": pgettext("gender", "female"),
        "male": pgettext("gender", "male"),
        "other or not stated": pgettext("gender", "other or not stated"),
        "under 18": pgettext("age group", "under 18"),
    }


def _units(n: int) -> dict[str, str]:
    """Every known unit of a count -> its form for ``n`` in the active language."""
    return {
        "people": ngettext("person", "people", n),
        "activities": ngettext("activity", "activities", n),
        "events": ngettext("event", "events", n),
        "organisations": ngettext("organisation", "organisations", n),
        # TRANSLATORS: a tie is a working relation between two organisations (network analysis).
        "ties": ngettext("tie", "ties", n),
        # TRANSLATORS: one person attending one activity (a person at two activities counts twice).
        "participations": ngettext("participation", "participations", n),
        "meetings": ngettext("meeting", "meetings", n),
        "countries": ngettext("country", "countries", n),
        "partners": ngettext("partner", "partners", n),
        # TRANSLATORS: staff who rate their organisation's capacity.
        "raters": ngettext("rater", "raters", n),
        # TRANSLATORS: entries of the qualitative evidence log (stories, quotes).
        "entries": ngettext("entry", "entries", n),
        "rows": ngettext("row", "rows", n),
        "answers": ngettext("answer", "answers", n),
        "pairs": ngettext("pair", "pairs", n),
        "links": ngettext("link", "links", n),
    }


@functools.lru_cache(maxsize=16)
def _table(language: str) -> dict[str, str]:
    return _words()


@functools.lru_cache(maxsize=64)
def _unit_table(language: str, n: int) -> dict[str, str]:
    return _units(n)


def _language() -> str:
    # the catalogue's digest with the language: a recompiled catalogue is read afresh
    return i18n.fingerprint()


def known(code) -> bool:
    """Whether ``code`` is a word or a unit this module translates."""
    key = _key(code)
    return key in _words() or key in _units(2)


def word(code) -> str | None:
    """``code`` (``"on_track"``, ``"on track"``, ``"public_authority"``) as a word in the
    active language; a unit of a count reads in the plural; None for an unknown code."""
    key = _key(code)
    found = _table(_language()).get(key)
    if found is None:
        found = _unit_table(_language(), 2).get(key)
    return found


def unit_word(n: int, code) -> str | None:
    """The unit ``code`` (``"activities"``) in the form the active language uses for the
    count ``n`` ("activity" for 1 in English; Greek, German: two forms; Italian, Spanish,
    Portuguese: three); None for an unknown unit."""
    return _unit_table(_language(), n).get(_key(code))


def note(text) -> str:
    """A note of a published table in the active language: each ``"; "``-separated part
    written from a template of :mod:`pipeline.analysis.notes` is written again from the
    translated template with its values (counts in the language's digits, codes as
    words); a part the catalogue knows word for word is translated; any other part is
    shown as written. English notes are returned unchanged."""
    if text is None or fmt_missing(text):
        return ""
    text = str(text)
    if not text or i18n.active() == i18n.SOURCE_LANGUAGE:
        return text
    from pipeline.analysis import notes

    parts, out, i = text.split("; "), [], 0
    while i < len(parts):
        # the longest run of parts written from one template (a template may hold "; " itself)
        for j in range(len(parts), i, -1):
            found = notes.parse("; ".join(parts[i:j]))
            if found is not None:
                template, values = found
                out.append(_(template).format(**{k: _note_value(k, v) for k, v in values.items()}))
                i = j
                break
        else:
            out.append(_(parts[i]) if parts[i] else parts[i])
            i += 1
    return "; ".join(out)


def _note_value(name: str, value: str) -> str:
    from pipeline.report import format as fmt

    if value.isdigit():
        return fmt.count(int(value))
    if re.fullmatch(r"[+-]?\d+\.\d+", value):  # a decimal as the analysis wrote it ("+0.563", "0.2")
        return fmt.num(float(value), len(value.split(".")[1]), signed=value[0] in "+-")
    if name == "partners":
        return value
    if name == "reason":
        return note(value)
    if name in ("shares", "first", "last"):
        return ", ".join(word(v) or v for v in value.split(", "))
    if name == "counts" and " and " in value:
        first, second = value.split(" and ", 1)
        # TRANSLATORS: two names joined in a sentence ("n_pre and n_post").
        return _("{first} and {second}").format(first=first, second=second)
    return value


def fmt_missing(x) -> bool:
    from pipeline.report import format as fmt

    return fmt.missing(x)
