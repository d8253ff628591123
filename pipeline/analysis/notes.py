"""The notes the analysis stage writes into published tables (the ``note`` column of
``indicators.csv`` and ``results_framework.csv``), as templates.

The published tables hold the English text (``NOTE.format(...)``: the same bytes as
ever); each template is marked with ``N_`` so that the catalogue carries it, and a report
in another language finds the template a note was written from (:func:`parse`) and
writes it again from the translated template with its values
(:func:`pipeline.report.vocabulary.note`). This module imports nothing heavy: the
report layer reads it.
"""

from __future__ import annotations

import functools
import re

from pipeline.i18n import N_

#: A mean of one answer.
ONE_ANSWER = N_("one answer: no interval")
#: A framework row whose group has fewer people than the minimum.
NOT_PUBLISHED = N_("fewer people than the minimum: not published")
#: An indicator whose instrument has no data in the run.
NO_DATA = N_("no {instrument} data in this run")
#: The attendance rate's count.
ATTENDANCES = N_("{k} of {n} expected attendances")
#: Capacity levels of organisations (no inference with a handful of organisations).
ORGANISATIONS_RATED = N_("{n} organisation(s), {raters} raters; organisation-level, no inference (small n)")
#: Capacity change of organisations rated at two waves.
ORGANISATIONS_CHANGED = N_("{n} organisation(s) rated at {first} and {last}; organisation-level, no inference (small n)")
#: Reliable change could not be computed.
RC_NOT_COMPUTED = N_("reliable change not computed: {reason}")
#: The reason when no pair is complete.
NO_COMPLETE_PAIRS = N_("no complete pairs")
#: Reliable change shares below the minimum (the instrument's rows).
RC_HIDDEN = N_("reliable change shares {shares} hidden (fewer than {k} people)")
#: Reliable change shares hidden by disclosure control (a small group, or one revealed by subtraction).
RC_HIDDEN_REVEAL = N_("reliable change shares {shares} hidden (fewer than {k} people, or they would reveal such a group)")
#: Counts of one wave hidden because, with the pairs, they reveal a small group.
WAVE_COUNTS_HIDDEN = N_("{counts} hidden: with n_paired they would give fewer than {k} people who answered one wave only (or reveal such a group)")
#: McNemar's shares below the minimum.
SHARES_HIDDEN = N_("shares hidden: fewer than {k} people answered yes (or no) at a wave")
#: McNemar's shares hidden by disclosure control.
SHARES_HIDDEN_REVEAL = N_("shares hidden: fewer than {k} people answered yes (or no) at a wave, or they would reveal such a group")
#: McNemar's interval and test hidden by disclosure control.
INTERVAL_HIDDEN = N_("interval and test hidden: they would reveal how many people changed answer (fewer than {k} in a direction, or a group of them)")

#: The partners a random-effects summary combines.
PARTNERS_COMBINED = N_("partners combined: {partners}")
#: Partners a random-effects summary leaves out.
PARTNERS_LEFT_OUT = N_("left out (fewer than {k} pairs or no interval): {partners}; n not given (the consortium's n minus it would reveal theirs)")
#: The pooled estimate beside a random-effects summary.
POOLED_ESTIMATE = N_("pooled consortium estimate (people as independent): {estimate}")
#: The partners a comparison with a comparison group covers.
PARTNERS_WITH_COMPARISON = N_("partners with a comparison group: {partners} ({k} of {n} partners; the participants compared are theirs only)")
#: The caution beside the intervals of a row with few pairs.
FEW_PAIRS_CAUTION = N_("fewer than {k} pairs: the t interval (and that of g_av) may be too narrow if the changes are skewed")
#: The flag of an attrition row.
ATTRITION_FLAG = N_("|SMD| above {threshold}")

#: Every template, in the order :func:`parse` tries them.
TEMPLATES = (
    ONE_ANSWER,
    NOT_PUBLISHED,
    NO_COMPLETE_PAIRS,
    NO_DATA,
    ATTENDANCES,
    ORGANISATIONS_RATED,
    ORGANISATIONS_CHANGED,
    RC_NOT_COMPUTED,
    RC_HIDDEN_REVEAL,
    RC_HIDDEN,
    WAVE_COUNTS_HIDDEN,
    SHARES_HIDDEN_REVEAL,
    SHARES_HIDDEN,
    INTERVAL_HIDDEN,
    PARTNERS_COMBINED,
    PARTNERS_LEFT_OUT,
    POOLED_ESTIMATE,
    PARTNERS_WITH_COMPARISON,
    FEW_PAIRS_CAUTION,
    ATTRITION_FLAG,
)


@functools.cache
def _pattern(template: str) -> re.Pattern:
    parts = re.split(r"\{(\w+)\}", template)
    # a value never holds ";": notes are joined with "; "
    regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>[^;]+?)" for i, p in enumerate(parts))
    return re.compile(regex)


def parse(text: str) -> tuple[str, dict[str, str]] | None:
    """The template ``text`` was written from and the values of its placeholders
    (``("{k} of {n} expected attendances", {"k": "19", "n": "20"})``), or None."""
    for template in TEMPLATES:
        m = _pattern(template).fullmatch(text)
        if m is not None:
            return template, m.groupdict()
    return None
