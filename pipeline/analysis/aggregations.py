"""The named aggregations a results-framework indicator is computed with.

An indicator's ``formula`` in ``surveys/indicators.yaml`` names one aggregation
and its parameters; adding an indicator for an existing instrument therefore needs
no code. Every aggregation takes the instrument's validated rows (already filtered
by the formula's ``where`` conditions) and returns one dict with at least:

``value``                      the indicator's value
``value_ci_low, value_ci_high`` its 95% confidence interval, where one applies
``n``                          the number of units the value is computed from
``n_people``                   the number of people it describes (for disclosure
                               control), empty when the units are not people
``note``                       why the value is missing, when it is

Parameters common to all: ``where`` (conditions), ``wave`` (one wave, or
``latest``: the last wave with rows). The aggregations:

=====================  ==========================================================
``mean``               mean of ``measure`` with its t interval
``share``              share of rows whose ``measure`` meets ``condition``,
                       Wilson score interval
``mean_change``        paired change of ``measure`` from wave ``from`` to ``to``
                       (:func:`pipeline.analysis.indicators.change_row`: t interval, d_z)
``share_change``       share of people whose ``measure`` changed from ``from`` to
                       ``to`` by at least ``threshold`` (``direction``: increase,
                       the default, or decrease), Wilson score interval
``count_rows``         number of rows
``count_distinct``     number of distinct values of ``column`` (codes of a
                       select-multiple field are counted one by one)
``sum``                sum of a count ``column``, or of a ``headcount`` (its total,
                       or one ``category``); breaks down by the head count's own
                       breakdowns (group, gender, age group)
``count_new``          distinct ``key`` values at wave ``to`` absent at ``from``
``attendance_rate``    share of the expected partners present, over rows, in a
                       select-multiple ``column`` of partner codes
``org_mean``           organisation-level mean of ``measure`` (mean of each
                       organisation's raters, then mean over organisations)
``org_mean_change``    organisation-level change of ``measure`` from ``from`` to ``to``
``network``            a networkx measure of the tie graph at ``wave``:
                       ``partner_density`` or ``organisations_reached``
=====================  ==========================================================
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats as sps
from statsmodels.stats.proportion import proportion_confint

from pipeline.analysis import networks
from pipeline.analysis import notes as notes_
from pipeline.analysis.indicators import change_row
from pipeline.instruments.registry import Consortium

CONFIDENCE = 0.95
OPS = {
    "==": lambda s, v: s == v,
    "!=": lambda s, v: s != v,
    ">=": lambda s, v: s >= v,
    ">": lambda s, v: s > v,
    "<=": lambda s, v: s <= v,
    "<": lambda s, v: s < v,
    "in": lambda s, v: s.isin(list(v)),
    "not in": lambda s, v: ~s.isin(list(v)),
}


@dataclass(frozen=True)
class Context:
    """What an aggregation may need besides the rows: the instrument and the registry."""

    codebook: object
    consortium: Consortium
    person_rows: bool  # one row is one person (surveys), not an activity or a tie


@dataclass(frozen=True)
class Aggregation:
    """A named aggregation: its function, parameters, and how it breaks down."""

    name: str
    fn: Callable[[pd.DataFrame, dict, Context], dict]
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    n_unit: str = "rows"  # what n counts: people, activities, ties, organisations or rows
    splittable: bool = True
    split: Callable | None = field(default=None)  # custom breakdown (headcounts)


# ---------------------------------------------------------------------------
# Row selection
# ---------------------------------------------------------------------------


def where(rows: pd.DataFrame, conditions) -> pd.DataFrame:
    """Rows meeting every condition ``{column, op, value}`` (missing values never meet one);
    ``rows`` themselves when there is no condition."""
    if not conditions:
        return rows
    keep = pd.Series(True, index=rows.index)
    for c in conditions or ():
        col = rows[c["column"]]
        # a missing value meets no condition, not even "!=" or "not in" (NaN != x is True)
        keep &= OPS[c.get("op", "==")](col, c["value"]).fillna(False).astype(bool) & col.notna()
    return rows.loc[keep]


def at_wave(rows: pd.DataFrame, wave: str | None, waves: tuple[str, ...]) -> pd.DataFrame:
    """Rows of one wave; ``latest`` is the last wave (codebook order) that has rows."""
    if wave is None:
        return rows
    return rows.loc[rows["wave"] == resolve_wave(rows, wave, waves)]


def resolve_wave(rows: pd.DataFrame, wave: str, waves: tuple[str, ...]) -> str:
    if wave != "latest":
        return wave
    present = [w for w in waves if (rows["wave"] == w).any()]
    return present[-1] if present else waves[-1]


def _empty(note: str, **extra) -> dict:
    return {"value": np.nan, "value_ci_low": np.nan, "value_ci_high": np.nan, "n": 0, "note": note, **extra}


# ---------------------------------------------------------------------------
# Means, shares, changes of people's answers
# ---------------------------------------------------------------------------


def mean_ci(x: np.ndarray, confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """Mean and its t interval: mean ± t(1 - α/2, n - 1) · s / √n."""
    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return np.nan, np.nan, np.nan
    m = float(x.mean())
    if n < 2:
        return m, np.nan, np.nan
    half = float(sps.t.ppf(0.5 + confidence / 2, n - 1) * x.std(ddof=1) / math.sqrt(n))
    return m, m - half, m + half


def wilson(count: int, nobs: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Wilson score interval of a proportion (Wilson 1927; Newcombe 1998, method 3).

    (p + z²/2n ± z √(p(1-p)/n + z²/4n²)) / (1 + z²/n), z the normal quantile;
    statsmodels' ``proportion_confint(method="wilson")``.
    """
    lo, hi = proportion_confint(count, nobs, alpha=1 - confidence, method="wilson")
    return float(lo), float(hi)


def agg_mean(rows, p, ctx):
    """Mean of ``measure`` among the rows of ``wave``, with its 95% t interval."""
    sub = at_wave(rows, p.get("wave"), ctx.codebook.waves)
    x = sub[p["measure"]].astype("float64").to_numpy()
    n = int((~np.isnan(x)).sum())
    if n == 0:
        return _empty("no answers", n_people=0)
    m, lo, hi = mean_ci(x)
    return {"value": m, "value_ci_low": lo, "value_ci_high": hi, "n": n, "n_people": n if ctx.person_rows else pd.NA, "note": "" if n > 1 else notes_.ONE_ANSWER}


def agg_share(rows, p, ctx):
    """Share of the rows answering ``measure`` whose answer meets ``condition``; Wilson interval."""
    sub = at_wave(rows, p.get("wave"), ctx.codebook.waves)
    cond = dict(p["condition"])
    col = sub[cond.get("column", p.get("measure"))]
    answered = col.notna()
    n = int(answered.sum())
    if n == 0:
        return _empty("no answers", n_people=0)
    k = int(OPS[cond.get("op", "==")](col[answered], cond["value"]).sum())
    lo, hi = wilson(k, n)
    return {"value": k / n, "value_ci_low": lo, "value_ci_high": hi, "n": n, "n_people": n if ctx.person_rows else pd.NA, "note": ""}


def by_respondent(rows: pd.DataFrame, wave: str, measure: str) -> pd.Series:
    """``measure`` at one wave, indexed by ``respondent_id`` (a respondent's first row).

    Only the two columns' arrays are taken from the rows: taking every column of a wave's
    rows (and making a frame of them) cost more than the statistics of a change (issue 12)."""
    at = (rows["wave"] == wave).to_numpy(dtype=bool)
    ids = pd.Index(rows["respondent_id"].array[at], name="respondent_id")
    s = pd.Series(rows[measure].array[at], index=ids, name=measure)
    return s[~s.index.duplicated()]


def agg_mean_change(rows, p, ctx):
    """Paired change of ``measure`` from wave ``from`` to ``to`` (same respondents).

    value = mean of (to - from) over respondents with both; t interval; effect size
    d_z = mean change / SD of the changes with its noncentral-t interval, and g_av
    (Lakens 2013), as :func:`pipeline.analysis.indicators.change_row`.
    """
    first, last = p["from"], resolve_wave(rows, p["to"], ctx.codebook.waves)
    a, b = by_respondent(rows, first, p["measure"]), by_respondent(rows, last, p["measure"])
    both = pd.DataFrame({"a": a}).join(pd.DataFrame({"b": b}), how="outer").sort_index()
    out = change_row(both["a"].astype("float64"), both["b"].astype("float64"))
    out.pop("analysis", None)  # a framework row; its test kind follows from the aggregation
    n = int(out["n_paired"])
    return {
        **out,
        "wave_from": first,
        "wave_to": last,
        "value": out["mean_change"] if n else np.nan,
        "value_ci_low": out["ci_low"],
        "value_ci_high": out["ci_high"],
        "n": n,
        "n_people": n,
    }


#: Directions of a ``share_change``: which changes count.
SHARE_CHANGE_DIRECTIONS = ("increase", "decrease")


def agg_share_change(rows, p, ctx):
    """Share of people whose ``measure`` changed by at least ``threshold`` from wave
    ``from`` to ``to`` (same respondents); Wilson interval.

    ``direction: increase`` (default) counts changes of ``to - from >= threshold``,
    ``decrease`` changes of ``to - from <= -threshold``. The share is of the people
    with a score at both waves (``n``); people missing one wave are not counted.
    """
    first, last = p["from"], resolve_wave(rows, p["to"], ctx.codebook.waves)
    a, b = by_respondent(rows, first, p["measure"]), by_respondent(rows, last, p["measure"])
    both = pd.DataFrame({"a": a}).join(pd.DataFrame({"b": b}), how="inner").astype("float64").dropna()
    change = both["b"] - both["a"]
    n = len(change)
    base = {"wave_from": first, "wave_to": last}
    if n == 0:
        return _empty("no respondent with both waves", n_people=0, **base)
    threshold = float(p["threshold"])
    met = change <= -threshold if p.get("direction", "increase") == "decrease" else change >= threshold
    k = int(met.sum())
    lo, hi = wilson(k, n)
    return {"value": k / n, "value_ci_low": lo, "value_ci_high": hi, "n": n, "n_people": n, "note": "", **base}


# ---------------------------------------------------------------------------
# Counts of activities, ties, organisations, participants
# ---------------------------------------------------------------------------


def agg_count_rows(rows, p, ctx):
    """Number of rows (activities, ties, respondents) at ``wave``."""
    n = len(at_wave(rows, p.get("wave"), ctx.codebook.waves))
    return {"value": float(n), "value_ci_low": np.nan, "value_ci_high": np.nan, "n": n, "n_people": n if ctx.person_rows else pd.NA, "note": ""}


def _tokens(values: pd.Series, multiple: bool) -> pd.Series:
    values = values.dropna().astype("string")
    if multiple:
        values = values.str.split().explode().dropna()
    else:
        values = networks.org_key(values)
    return values.loc[values.ne("")]


def agg_count_distinct(rows, p, ctx):
    """Number of distinct values of ``column`` at ``wave`` (text compared without case and
    extra spaces; a select-multiple field's codes one by one)."""
    sub = at_wave(rows, p.get("wave"), ctx.codebook.waves)
    multiple = _field_type(ctx, p["column"]) == "multiple"
    k = int(_tokens(sub[p["column"]], multiple).nunique())
    people = p["column"] == "respondent_id"
    return {"value": float(k), "value_ci_low": np.nan, "value_ci_high": np.nan, "n": len(sub), "n_people": k if people else pd.NA, "note": ""}


def _headcount_columns(ctx, p) -> list[str]:
    if "headcount" in p:
        hc = ctx.codebook.headcount(p["headcount"])
        if "category" in p:
            return [next(cols[p["category"]] for cols in hc.by.values() if p["category"] in cols)]
        return [hc.total]
    return [p["column"]]


def _counts_people(ctx, columns: list[str]) -> bool:
    people = set()
    for hc in ctx.codebook.headcounts:
        people.add(hc.total)
        for cols in hc.by.values():
            people.update(cols.values())
    return all(c in people for c in columns)


def agg_sum(rows, p, ctx):
    """Sum of a count column (or a head count's total or one category) over the rows."""
    sub = at_wave(rows, p.get("wave"), ctx.codebook.waves)
    cols = _headcount_columns(ctx, p)
    total = float(sub[cols].astype("float64").sum().sum())
    return {"value": total, "value_ci_low": np.nan, "value_ci_high": np.nan, "n": len(sub), "n_people": int(total) if _counts_people(ctx, cols) else pd.NA, "note": ""}


def split_sum(rows, p, ctx, by: str):
    """Break a head-count sum down by one of the head count's breakdowns (its columns);
    other breakdowns group the rows. Returns ``[(group, result), ...]``."""
    if "headcount" in p and by in ctx.codebook.headcount(p["headcount"]).by and "category" not in p:
        sub = at_wave(rows, p.get("wave"), ctx.codebook.waves)
        out = []
        for category, col in ctx.codebook.headcount(p["headcount"]).by[by].items():
            total = float(sub[col].astype("float64").sum())
            out.append((category, {"value": total, "value_ci_low": np.nan, "value_ci_high": np.nan, "n": len(sub), "n_people": int(total), "note": ""}))
        return out
    return None


def agg_count_new(rows, p, ctx):
    """Distinct ``key`` combinations present at wave ``to`` and absent at ``from``
    (text keys compared without case and extra spaces): e.g. new ties."""
    key = list(p["key"])
    last = resolve_wave(rows, p["to"], ctx.codebook.waves)

    def keys(wave):
        sub = rows.loc[rows["wave"] == wave, key]
        norm = pd.DataFrame({k: networks.org_key(sub[k]) for k in key}).dropna()
        return set(map(tuple, norm.to_numpy().tolist()))

    before, after = keys(p["from"]), keys(last)
    new = after - before
    return {"value": float(len(new)), "value_ci_low": np.nan, "value_ci_high": np.nan, "n": len(after), "n_people": pd.NA, "note": ""}


def agg_attendance_rate(rows, p, ctx):
    """Share of expected attendances that happened: Σ_rows |present ∩ expected| / (rows × |expected|),
    expected = the registry's partners (or ``expected`` codes)."""
    sub = at_wave(rows, p.get("wave"), ctx.codebook.waves)
    expected = set(p.get("expected") or ctx.consortium.partner_codes)
    if len(sub) == 0:
        return _empty("no rows", n_people=pd.NA)
    present = sub[p["column"]].fillna("").astype(str).str.split().map(lambda t: len(expected & set(t)))
    k, n = int(present.sum()), len(sub) * len(expected)
    return {"value": k / n, "value_ci_low": np.nan, "value_ci_high": np.nan, "n": len(sub), "n_people": pd.NA, "note": notes_.ATTENDANCES.format(k=k, n=n)}


# ---------------------------------------------------------------------------
# Organisations rated by several raters
# ---------------------------------------------------------------------------


def org_levels(rows: pd.DataFrame, measure: str, wave: str) -> pd.DataFrame:
    """Per organisation at one wave: raters who answered, mean and SD of their ratings."""
    sub = rows.loc[rows["wave"] == wave, ["partner", measure]].dropna()
    g = sub.groupby("partner", sort=True)[measure]
    return pd.DataFrame({"raters": g.size(), "mean": g.mean(), "sd": g.std(ddof=1)})


def agg_org_mean(rows, p, ctx):
    """Organisation-level mean: each organisation's raters averaged, then the mean over
    organisations (each organisation weighs the same, whatever its number of raters)."""
    wave = resolve_wave(rows, p.get("wave", "latest"), ctx.codebook.waves)
    lv = org_levels(rows, p["measure"], wave)
    if lv.empty:
        return _empty("no ratings", n_people=0)
    return {
        "value": float(lv["mean"].mean()),
        "value_ci_low": np.nan,
        "value_ci_high": np.nan,
        "n": len(lv),
        "n_people": int(lv["raters"].sum()),
        "value_min": float(lv["mean"].min()),
        "value_max": float(lv["mean"].max()),
        "note": notes_.ORGANISATIONS_RATED.format(n=len(lv), raters=int(lv["raters"].sum())),
    }


def agg_org_mean_change(rows, p, ctx):
    """Organisation-level change: for each organisation rated at both waves, the mean of
    its raters at ``to`` minus the mean at ``from``; value = mean of those changes.

    Raters may differ between waves, so changes are never paired by rater. With a
    handful of organisations no interval or p-value is given (docs/methods.md);
    ``value_min``/``value_max`` give the smallest and largest organisation's change.
    """
    last = resolve_wave(rows, p["to"], ctx.codebook.waves)
    a, b = org_levels(rows, p["measure"], p["from"]), org_levels(rows, p["measure"], last)
    both = a.add_suffix("_from").join(b.add_suffix("_to"), how="inner")
    if both.empty:
        return _empty("no organisation rated at both waves", n_people=0)
    change = both["mean_to"] - both["mean_from"]
    return {
        "value": float(change.mean()),
        "value_ci_low": np.nan,
        "value_ci_high": np.nan,
        "n": len(both),
        "n_pre": int(both["raters_from"].sum()),
        "n_post": int(both["raters_to"].sum()),
        "mean_pre": float(both["mean_from"].mean()),
        "mean_post": float(both["mean_to"].mean()),
        "mean_change": float(change.mean()),
        "n_people": int(min(both["raters_from"].sum(), both["raters_to"].sum())),
        "value_min": float(change.min()),
        "value_max": float(change.max()),
        "note": notes_.ORGANISATIONS_CHANGED.format(n=len(both), first=p["from"], last=last),
    }


# ---------------------------------------------------------------------------
# The tie graph
# ---------------------------------------------------------------------------

NETWORK_MEASURES = {"partner_density": networks.partner_density, "organisations_reached": networks.organisations_reached}


def agg_network(rows, p, ctx):
    """A measure of the graph of the ties named at ``wave`` (:mod:`pipeline.analysis.networks`)."""
    sub = at_wave(rows, p.get("wave", "latest"), ctx.codebook.waves)
    g = networks.graph(sub, ctx.consortium)
    value = float(NETWORK_MEASURES[p["measure"]](g))
    return {"value": value, "value_ci_low": np.nan, "value_ci_high": np.nan, "n": g.number_of_edges(), "n_people": pd.NA, "note": ""}


def _field_type(ctx, column: str) -> str:
    try:
        return ctx.codebook.field_named(column).type
    except KeyError:
        return "number"


#: Every aggregation by name.
AGGREGATIONS: dict[str, Aggregation] = {
    a.name: a
    for a in (
        Aggregation("mean", agg_mean, ("measure",), ("wave", "where"), "people"),
        Aggregation("share", agg_share, ("condition",), ("measure", "wave", "where"), "people"),
        Aggregation("mean_change", agg_mean_change, ("measure", "from", "to"), ("where",), "people"),
        Aggregation("share_change", agg_share_change, ("measure", "from", "to", "threshold"), ("direction", "where"), "people"),
        Aggregation("count_rows", agg_count_rows, (), ("wave", "where"), "rows"),
        Aggregation("count_distinct", agg_count_distinct, ("column",), ("wave", "where"), "rows"),
        Aggregation("sum", agg_sum, (), ("column", "headcount", "category", "wave", "where"), "rows", split=split_sum),
        Aggregation("count_new", agg_count_new, ("key", "from", "to"), ("where",), "rows"),
        Aggregation("attendance_rate", agg_attendance_rate, ("column",), ("expected", "wave", "where"), "rows"),
        Aggregation("org_mean", agg_org_mean, ("measure",), ("wave", "where"), "organisations"),
        Aggregation("org_mean_change", agg_org_mean_change, ("measure", "from", "to"), ("where",), "organisations"),
        Aggregation("network", agg_network, ("measure",), ("wave", "where"), "ties", splittable=False),
    )
}
#: What one row of an instrument is, by design (the unit of ``n`` for row counts).
ROW_UNITS = {"paired_pre_post": "people", "repeated": "people", "cross_section": "people", "ratings": "people", "ties": "ties", "register": "activities", "voices": "entries"}
