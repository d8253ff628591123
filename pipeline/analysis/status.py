"""Status of an indicator against its target: achieved, on track, off track, no data.

The rules are data: ``status_rules`` in the results framework names each rule,
its kind and parameters, and describes it in words for the report. Two kinds:

``threshold``
    For a value that is measured once and then final (a change from before to
    after a training, the quality rating of the actions): **achieved** when the
    value reaches the target, **off track** when it does not, **no data** when it
    cannot be computed.

``linear_progress``
    For a value that builds up over the project (activities held, people reached,
    ties): **achieved** when the value reaches the target; otherwise **on track**
    when the data are not final (the share of the project period elapsed at the
    date of the data, ``elapsed``, is below ``final_from``) and the progress since
    baseline is at least ``tolerance`` × ``elapsed``; **off track** otherwise;
    **no data** when the value cannot be computed.

    progress = (value - baseline) / (target - baseline)

"Reaches" means ``value >= target`` for an indicator that should increase and
``value <= target`` for one that should decrease. With ``compare: ci_bound`` a
rule judges "reaches" on the confidence bound on the side of caution (the lower
bound for an increase, the upper for a decrease), where the value has an interval.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.i18n import N_

# Published in English (results_framework.csv); a report shows them in its language
# (pipeline.report.vocabulary).
ACHIEVED, ON_TRACK, OFF_TRACK, NO_DATA = N_("achieved"), N_("on track"), N_("off track"), N_("no data")
# TRANSLATORS: the status of a result shown by qualitative evidence (no number to compare with a target).
QUALITATIVE = N_("qualitative")
STATUSES = (ACHIEVED, ON_TRACK, OFF_TRACK, NO_DATA)
KINDS = ("threshold", "linear_progress")
DIRECTIONS = ("increase", "decrease")


@dataclass(frozen=True)
class StatusRule:
    """One named rule of the framework's ``status_rules``."""

    id: str
    kind: str
    description: str
    tolerance: float = 1.0
    final_from: float = 1.0
    compare: str = "estimate"
    #: The description in every language the framework gives (``{language: text}``).
    texts: dict = field(default_factory=dict, compare=False, hash=False)


def _missing(x) -> bool:
    """None, NaN (Python or NumPy) or pandas' NA: no number to judge."""
    if x is None:
        return True
    try:
        return bool(x != x)  # NaN is the one number unequal to itself
    except TypeError:  # pandas.NA: its comparisons are NA, whose truth is ambiguous
        return True


def reaches(value: float, target: float, direction: str = "increase") -> bool:
    """``value >= target`` for an increase, ``value <= target`` for a decrease."""
    return value >= target if direction == "increase" else value <= target


def progress(value: float, baseline: float, target: float) -> float:
    """Share of the way from baseline to target: (value - baseline) / (target - baseline).

    Works for both directions (a decrease has a negative gap). When the target
    equals the baseline the progress is 1 if the value is at or past it, else 0.
    """
    if _missing(value) or _missing(baseline) or _missing(target):
        return float("nan")
    gap = target - baseline
    if gap == 0:
        return 1.0 if value == target else 0.0
    return (value - baseline) / gap


def elapsed_share(as_of, start, end) -> float:
    """Share of the project period elapsed at ``as_of`` (dates), clipped to [0, 1]."""
    total = (end - start).days
    if total <= 0:
        return 1.0
    return min(1.0, max(0.0, (as_of - start).days / total))


def status(rule: StatusRule, value, baseline, target, direction: str = "increase", elapsed: float = 1.0, ci_low=None, ci_high=None) -> str:
    """The status of one value under ``rule`` (see the module docstring).

    Parameters
    ----------
    rule : StatusRule
    value, baseline, target : float
        ``value`` missing (None or NaN) gives "no data"; so does a missing target.
    direction : {"increase", "decrease"}
    elapsed : float
        Share of the project period elapsed at the date of the data (0-1).
    ci_low, ci_high : float, optional
        The value's confidence interval, used by rules with ``compare: ci_bound``.
    """
    if _missing(value) or _missing(target):
        return NO_DATA
    judged = value
    if rule.compare == "ci_bound":
        bound = ci_low if direction == "increase" else ci_high
        if not _missing(bound):
            judged = bound
    if reaches(judged, target, direction):
        return ACHIEVED
    if rule.kind == "threshold":
        return OFF_TRACK
    if elapsed >= rule.final_from:
        return OFF_TRACK
    base = 0.0 if _missing(baseline) else baseline
    return ON_TRACK if progress(judged, base, target) >= rule.tolerance * elapsed else OFF_TRACK
