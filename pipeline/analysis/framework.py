"""The results framework (logframe) as data: load and check it, compute every indicator.

``surveys/indicators.yaml`` lists each expected result of the project in its own
words, with its indicators: id, name, definition, instrument, formula (a named
aggregation of :mod:`pipeline.analysis.aggregations` with its parameters), unit, baseline,
target, direction, status rule, disaggregations, OECD DAC criterion and
Kirkpatrick level. A result that surveys cannot evidence is listed as
``qualitative`` with the reason and the evidence a report should carry instead.
Every text a reader sees (result, reason, evidence; an indicator's name, definition
and unit) is a plain English text or a mapping of languages to texts, English
required (:func:`pipeline.instruments.yaml_io.read_text`): the attributes and the
published tables hold the English, :func:`framework_texts` every language (the build
folder's ``texts.csv``, which the reports read).

:func:`load_framework` checks the file against the codebooks: every indicator
refers to an instrument, waves and columns that exist, an aggregation that fits
the instrument, a defined status rule; an error names the bad entry
(``results[4].indicators[1] (staff_competence_gain).formula.measure``).

:func:`compute` gives the tidy indicator rows (one per indicator x group, through
:func:`pipeline.analysis.disclosure.suppress`) and :func:`results_table` the results
framework table (one row per result x indicator, consortium level).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipeline.analysis import aggregations as ag
from pipeline.analysis import families, networks
from pipeline.analysis import notes as notes_
from pipeline.analysis import status as st
from pipeline.analysis.disclosure import suppress
from pipeline.config import SURVEYS_DIR
from pipeline.errors import CodebookError
from pipeline.i18n import N_, SOURCE_LANGUAGE
from pipeline.instruments.codebook import Codebook, _read_yaml, load_codebook
from pipeline.instruments.registry import Consortium
from pipeline.instruments.yaml_io import read_text, squeeze, text_rows
from pipeline.schema import ALL, CHANGE_STATISTICS, CONSORTIUM

DAC_CRITERIA = ("relevance", "coherence", "effectiveness", "efficiency", "impact", "sustainability")
KIRKPATRICK = ("reaction", "learning", "behaviour", "results")
RESULT_TYPES = ("quantitative", "qualitative")
#: The four award criteria a national agency scores a final report on (docs/funder.md), in
#: their order; a result's optional ``criterion`` names one.
FUNDER_CRITERIA = {
    "relevance": N_("Relevance"),
    "design_and_implementation": N_("Quality of project design and implementation"),
    "cooperation": N_("Quality of cooperation"),
    "impact_and_dissemination": N_("Impact and dissemination"),
}

#: Columns of the framework's rows in ``indicators.csv`` (beside the community columns).
COLUMNS = [
    "result_id",
    "indicator_id",
    "instrument",
    "scale",
    "label",
    "unit",
    "group_by",
    "group",
    "aggregation",
    "value",
    "value_ci_low",
    "value_ci_high",
    "value_min",
    "value_max",
    "n",
    "n_unit",
    "n_people",
    *CHANGE_STATISTICS,
    "ci_caution",
    "wave_from",
    "wave_to",
    "p_value_adjusted",
    "p_adjust_method",
    "p_adjust_family",
    "wilcoxon_p_value_adjusted",
    "significant_adjusted",
    "baseline",
    "target",
    "direction",
    "progress",
    "status",
    "status_rule",
    "as_of",
    "kirkpatrick_level",
    "dac_criterion",
    "note",
    "suppressed",
    "suppression",
]
COUNT_COLUMNS = ["n_people", "n_pre", "n_post", "n_paired"]
VALUE_COLUMNS = [
    "value",
    "value_ci_low",
    "value_ci_high",
    "value_min",
    "value_max",
    "n",
    "mean_pre",
    "sd_pre",
    "mean_post",
    "sd_post",
    "mean_change",
    "ci_low",
    "ci_high",
    "t",
    "df",
    "p_value",
    "wilcoxon_v",
    "wilcoxon_p_value",
    "rank_biserial",
    "effect_size",
    "effect_size_ci_low",
    "effect_size_ci_high",
    "g_av",
    "g_av_ci_low",
    "g_av_ci_high",
    "p_value_adjusted",
    "wilcoxon_p_value_adjusted",
    "significant_adjusted",
    "progress",
]
#: Columns of ``results_framework.csv``.
RESULTS_COLUMNS = [
    "result_id",
    "result",
    "result_type",
    "indicator_id",
    "indicator",
    "definition",
    "instrument",
    "aggregation",
    "unit",
    "baseline",
    "target",
    "direction",
    "value",
    "value_ci_low",
    "value_ci_high",
    "n",
    "n_unit",
    "status",
    "status_rule",
    "progress",
    "as_of",
    "dac_criterion",
    "kirkpatrick_level",
    "disaggregations",
    "evidence",
    "note",
]


@dataclass(frozen=True)
class Indicator:
    id: str
    result_id: str
    name: str
    definition: str
    instrument: str
    aggregation: str
    params: dict
    unit: str
    baseline: float | None
    baseline_wave: str | None
    target: float | None
    target_above_baseline: float | None
    direction: str
    status_rule: str
    disaggregations: tuple[str, ...]
    dac: str | None
    kirkpatrick: str | None
    #: Each reader-facing field (``name``, ``definition``, ``unit``) in every language the
    #: file gives: ``{field: {language: text}}``, English first (the attributes above).
    texts: dict[str, dict[str, str]] = field(default_factory=dict, compare=False)

    @property
    def measure(self) -> str:
        p = self.params
        return str(p.get("measure") or p.get("column") or p.get("headcount") or ",".join(p.get("key", ())) or "")


@dataclass(frozen=True)
class Result:
    id: str
    text: str
    type: str
    indicators: tuple[Indicator, ...] = ()
    reason: str = ""
    evidence: str = ""
    source: str = ""
    criterion: str = ""
    #: ``result`` (and ``reason``, ``evidence`` when given) in every language the file
    #: gives: ``{field: {language: text}}``, English first (the attributes above).
    texts: dict[str, dict[str, str]] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Framework:
    path: Path
    version: str
    rules: dict[str, st.StatusRule]
    results: tuple[Result, ...]
    codebooks: dict[str, Codebook] = field(default_factory=dict)

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for r in self.results for i in r.indicators)

    @property
    def instruments(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(i.instrument for i in self.indicators))


# ---------------------------------------------------------------------------
# Loading and checking
# ---------------------------------------------------------------------------


def load_framework(path: str | Path, codebook_dirs: tuple[Path, ...] | None = None) -> Framework:
    """Read ``indicators.yaml`` and check it against the codebooks it names.

    Parameters
    ----------
    path : path
        The framework file.
    codebook_dirs : tuple of Path, optional
        Where codebooks are looked up, in order (default: the framework's folder,
        then ``surveys/``).

    Raises
    ------
    CodebookError
        Naming the file and the entry at fault.
    """
    path = Path(path)
    doc = _read_yaml(path)
    dirs = codebook_dirs or (path.parent, SURVEYS_DIR)
    return parse_framework(doc, path, dirs)


def framework_ids(framework: Framework) -> set[str]:
    """Every result id and indicator id of a framework (what a commentary entry may name)."""
    return {r.id for r in framework.results} | {i.id for i in framework.indicators}


def parse_framework(doc: Any, path: str | Path, codebook_dirs: tuple[Path, ...] = (SURVEYS_DIR,)) -> Framework:
    """Build a :class:`Framework` from a parsed YAML document (see :func:`load_framework`)."""
    path = Path(path)
    if not isinstance(doc, dict) or "results" not in doc or "status_rules" not in doc:
        raise CodebookError(path, "(top level)", "expected a mapping with 'status_rules' and 'results'")
    rules = {rid: _parse_rule(rid, spec, path) for rid, spec in (doc["status_rules"] or {}).items()}
    codebooks: dict[str, Codebook] = {}
    results, seen_results, seen_ind = [], set(), set()
    for i, r in enumerate(doc["results"] or []):
        entry = f"results[{i}]"
        if not isinstance(r, dict) or "id" not in r or "result" not in r:
            raise CodebookError(path, entry, "each result needs an 'id' and the 'result' in the project's words")
        rid = str(r["id"])
        entry = f"results[{i}] ({rid})"
        if rid in seen_results:
            raise CodebookError(path, entry, f"duplicate result id {rid!r}")
        seen_results.add(rid)
        texts = {"result": read_text(r["result"], path, f"{entry}.result", str.strip)}
        for key in ("reason", "evidence"):
            if r.get(key):
                texts[key] = read_text(r[key], path, f"{entry}.{key}", str.strip)
        english = {k: v[SOURCE_LANGUAGE] for k, v in texts.items()}
        rtype = str(r.get("type", "quantitative"))
        criterion = str(r.get("criterion") or "")
        if criterion and criterion not in FUNDER_CRITERIA:
            raise CodebookError(path, f"{entry}.criterion", f"expected one of {list(FUNDER_CRITERIA)} (the funder's award criteria), got {criterion!r}")
        if rtype not in RESULT_TYPES:
            raise CodebookError(path, f"{entry}.type", f"expected one of {list(RESULT_TYPES)}, got {rtype!r}")
        if rtype == "qualitative":
            missing = [k for k in ("reason", "evidence") if not r.get(k)]
            if missing:
                raise CodebookError(path, entry, f"a qualitative result needs {missing}: why surveys cannot evidence it, and what the report carries instead")
            if r.get("indicators"):
                raise CodebookError(path, f"{entry}.indicators", "a qualitative result has no computed indicators; make it quantitative or move them")
            results.append(Result(rid, english["result"], rtype, (), english["reason"], english["evidence"], str(r.get("source", "")), criterion, texts))
            continue
        if not r.get("indicators"):
            raise CodebookError(path, entry, "a quantitative result needs at least one indicator (or type: qualitative with reason and evidence)")
        inds = []
        for j, spec in enumerate(r["indicators"]):
            ind = _parse_indicator(spec, rid, f"{entry}.indicators[{j}]", path, rules, codebooks, codebook_dirs)
            if ind.id in seen_ind:
                raise CodebookError(path, f"{entry}.indicators[{j}]", f"duplicate indicator id {ind.id!r}")
            seen_ind.add(ind.id)
            inds.append(ind)
        results.append(Result(rid, english["result"], rtype, tuple(inds), english.get("reason", ""), english.get("evidence", ""), str(r.get("source", "")), criterion, texts))
    if not results:
        raise CodebookError(path, "results", "the framework lists no result")
    return Framework(path, str(doc.get("version", "1")), rules, tuple(results), codebooks)


def framework_texts(framework: Framework) -> list[dict[str, str]]:
    """The reader-facing texts of a framework in every language it gives, as rows of the
    build folder's ``texts.csv`` (source ``framework``; entry: the result id, with fields
    ``result``, ``reason``, ``evidence``, or the indicator id, with ``name``,
    ``definition``, ``unit``; or the status rule's id, with ``description``)."""
    rows = []
    for rule in framework.rules.values():
        rows += text_rows("framework", rule.id, rule.texts)
    for res in framework.results:
        rows += text_rows("framework", res.id, res.texts)
        for ind in res.indicators:
            rows += text_rows("framework", ind.id, ind.texts)
    return rows


def _parse_rule(rid: str, spec: Any, path: Path) -> st.StatusRule:
    entry = f"status_rules.{rid}"
    if not isinstance(spec, dict) or spec.get("kind") not in st.KINDS:
        raise CodebookError(path, entry, f"expected a mapping with 'kind' one of {list(st.KINDS)}")
    if not spec.get("description"):
        raise CodebookError(path, entry, "describe the rule in words ('description'): the report shows it")
    texts = read_text(spec["description"], path, f"{entry}.description", clean=squeeze)
    tol, final = spec.get("tolerance", 1.0), spec.get("final_from", 1.0)
    for name, v in (("tolerance", tol), ("final_from", final)):
        if not isinstance(v, (int, float)) or not 0 <= v <= 1:
            raise CodebookError(path, f"{entry}.{name}", f"expected a share between 0 and 1, got {v!r}")
    compare = spec.get("compare", "estimate")
    if compare not in ("estimate", "ci_bound"):
        raise CodebookError(path, f"{entry}.compare", f"expected 'estimate' or 'ci_bound', got {compare!r}")
    return st.StatusRule(rid, spec["kind"], texts["en"], float(tol), float(final), compare, {"description": texts})


def _codebook(instrument: str, dirs, codebooks: dict, path: Path, entry: str) -> Codebook:
    if instrument not in codebooks:
        for d in dirs:
            candidate = Path(d) / f"{instrument}.yaml"
            if candidate.is_file():
                codebooks[instrument] = load_codebook(candidate)
                break
        else:
            raise CodebookError(path, entry, f"unknown instrument {instrument!r}: no codebook {instrument}.yaml in {[str(d) for d in dirs]}")
    return codebooks[instrument]


def _number(value, path, entry) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise CodebookError(path, entry, f"expected a number, got {value!r}")
    return float(value)


def _parse_indicator(spec, rid, entry, path, rules, codebooks, dirs) -> Indicator:
    if not isinstance(spec, dict):
        raise CodebookError(path, entry, "expected a mapping with id, name, instrument, formula, target")
    missing = [k for k in ("id", "name", "definition", "instrument", "formula", "unit", "target", "status_rule") if k not in spec]
    if missing:
        raise CodebookError(path, entry, f"missing key(s) {missing}")
    iid = str(spec["id"])
    entry = f"{entry} ({iid})"
    cb = _codebook(str(spec["instrument"]), dirs, codebooks, path, f"{entry}.instrument")
    formula = spec["formula"]
    if not isinstance(formula, dict) or formula.get("aggregation") not in ag.AGGREGATIONS:
        raise CodebookError(path, f"{entry}.formula.aggregation", f"expected one of {sorted(ag.AGGREGATIONS)}, got {formula.get('aggregation') if isinstance(formula, dict) else formula!r}")
    agg = ag.AGGREGATIONS[formula["aggregation"]]
    params = {k: v for k, v in formula.items() if k != "aggregation"}
    _check_params(agg, params, cb, path, f"{entry}.formula")
    if spec["status_rule"] not in rules:
        raise CodebookError(path, f"{entry}.status_rule", f"unknown status rule {spec['status_rule']!r}; defined: {sorted(rules)}")
    direction = spec.get("direction", "increase")
    if direction not in st.DIRECTIONS:
        raise CodebookError(path, f"{entry}.direction", f"expected one of {list(st.DIRECTIONS)}, got {direction!r}")
    baseline, baseline_wave = spec.get("baseline", 0), None
    if isinstance(baseline, dict):
        baseline_wave = baseline.get("measured_at")
        if baseline_wave not in cb.waves:
            raise CodebookError(path, f"{entry}.baseline.measured_at", f"expected a wave of {cb.instrument}: {list(cb.waves)}, got {baseline_wave!r}")
        baseline = None
    else:
        baseline = _number(baseline, path, f"{entry}.baseline")
    target, above = spec["target"], None
    if isinstance(target, dict):
        if set(target) != {"above_baseline"}:
            raise CodebookError(path, f"{entry}.target", "expected a number or {above_baseline: number}")
        above, target = _number(target["above_baseline"], path, f"{entry}.target.above_baseline"), None
    else:
        target = _number(target, path, f"{entry}.target")
    dac, kp = spec.get("dac_criterion"), spec.get("kirkpatrick_level")
    if dac is not None and dac not in DAC_CRITERIA:
        raise CodebookError(path, f"{entry}.dac_criterion", f"expected one of {list(DAC_CRITERIA)}, got {dac!r}")
    if kp is not None and kp not in KIRKPATRICK:
        raise CodebookError(path, f"{entry}.kirkpatrick_level", f"expected one of {list(KIRKPATRICK)}, got {kp!r}")
    disagg = tuple(str(d) for d in spec.get("disaggregations") or ())
    if disagg and not agg.splittable:
        raise CodebookError(path, f"{entry}.disaggregations", f"a {agg.name} value is not broken down; remove the disaggregations")
    allowed = available_columns(cb)
    breakdowns = set()
    if "headcount" in params:
        breakdowns = set(cb.headcount(params["headcount"]).by)
    bad = [d for d in disagg if d not in allowed and d not in breakdowns]
    if bad:
        raise CodebookError(path, f"{entry}.disaggregations", f"unknown column(s) {bad} of {cb.instrument}; available: {sorted(allowed | breakdowns)}")
    texts = {
        "name": read_text(spec["name"], path, f"{entry}.name"),
        "definition": read_text(spec["definition"], path, f"{entry}.definition", squeeze),
        "unit": read_text(spec["unit"], path, f"{entry}.unit"),
    }
    return Indicator(
        id=iid,
        result_id=rid,
        name=texts["name"][SOURCE_LANGUAGE],
        definition=texts["definition"][SOURCE_LANGUAGE],
        instrument=cb.instrument,
        aggregation=agg.name,
        params=params,
        unit=texts["unit"][SOURCE_LANGUAGE],
        baseline=baseline,
        baseline_wave=baseline_wave,
        target=target,
        target_above_baseline=above,
        direction=direction,
        status_rule=str(spec["status_rule"]),
        disaggregations=disagg,
        dac=dac,
        kirkpatrick=kp,
        texts=texts,
    )


def available_columns(cb: Codebook) -> set[str]:
    """Columns a formula may use: the codebook's kept fields, items, scales, and the
    columns the pipeline derives for its design (country; tie columns)."""
    cols = cb.columns_after_ingestion()
    if cb.design == "ties":
        cols |= set(networks.DERIVED)
    return cols


DESIGN_NEEDS = {
    "mean_change": ("respondent_id", "pairs respondents across waves"),
    "share_change": ("respondent_id", "pairs respondents across waves"),
    "org_mean": ("partner", "averages the raters of each organisation"),
    "org_mean_change": ("partner", "averages the raters of each organisation"),
}


def _check_params(agg: ag.Aggregation, p: dict, cb: Codebook, path: Path, entry: str) -> None:
    missing = [k for k in agg.required if k not in p]
    if missing:
        raise CodebookError(path, entry, f"{agg.name} needs {missing}")
    unknown = [k for k in p if k not in agg.required + agg.optional]
    if unknown:
        raise CodebookError(path, entry, f"{agg.name} has no parameter(s) {unknown}; parameters: {list(agg.required + agg.optional)}")
    cols = available_columns(cb)

    def column(name, where):
        if name not in cols:
            raise CodebookError(path, f"{entry}.{where}", f"{cb.instrument} has no column {name!r}; columns: {sorted(cols)}")

    for k in ("measure", "column"):
        if k in p and not (agg.name == "network"):
            column(p[k], k)
    if agg.name == "share_change":
        t = p["threshold"]
        if isinstance(t, bool) or not isinstance(t, (int, float)) or not math.isfinite(t) or t <= 0:
            raise CodebookError(path, f"{entry}.threshold", f"expected a number above 0 (a change in the measure's units), got {t!r}")
        if p.get("direction", "increase") not in ag.SHARE_CHANGE_DIRECTIONS:
            raise CodebookError(path, f"{entry}.direction", f"expected one of {list(ag.SHARE_CHANGE_DIRECTIONS)}, got {p.get('direction')!r}")
    if agg.name == "network" and p["measure"] not in ag.NETWORK_MEASURES:
        raise CodebookError(path, f"{entry}.measure", f"network measures: {sorted(ag.NETWORK_MEASURES)}; got {p['measure']!r}")
    if agg.name == "network" and cb.design != "ties":
        raise CodebookError(path, entry, f"network needs an instrument of design 'ties'; {cb.instrument} is {cb.design!r}")
    if agg.name in ("org_mean", "org_mean_change") and cb.design != "ratings":
        raise CodebookError(path, entry, f"{agg.name} needs an instrument of design 'ratings'; {cb.instrument} is {cb.design!r}")
    need = DESIGN_NEEDS.get(agg.name)
    if need and need[0] not in cols:
        raise CodebookError(path, entry, f"{agg.name} {need[1]}: {cb.instrument} has no {need[0]!r}")
    for k in ("key",):
        if k in p:
            for c in p[k]:
                column(c, k)
    for k in ("wave", "from", "to"):
        if k in p and p[k] not in cb.waves and not (p[k] == "latest" and k in ("wave", "to")):
            raise CodebookError(path, f"{entry}.{k}", f"{p[k]!r} is not a wave of {cb.instrument}: {list(cb.waves)}")
    if "headcount" in p:
        try:
            hc = cb.headcount(p["headcount"])
        except KeyError:
            raise CodebookError(path, f"{entry}.headcount", f"{cb.instrument} has no head count {p['headcount']!r}; head counts: {[h.id for h in cb.headcounts]}") from None
        if "category" in p and not any(p["category"] in c for c in hc.by.values()):
            raise CodebookError(path, f"{entry}.category", f"{p['category']!r} is no category of {hc.id}: {sorted({k for c in hc.by.values() for k in c})}")
    if agg.name == "sum" and ("headcount" in p) == ("column" in p):
        raise CodebookError(path, entry, "sum needs either 'column' (a count field) or 'headcount'")
    if agg.name == "sum" and "column" in p and cb.field_named(p["column"]).type != "count":
        raise CodebookError(path, f"{entry}.column", f"{p['column']!r} is not a count field")
    conditions = list(p.get("where") or [])
    if "condition" in p:
        cond = p["condition"]
        if not isinstance(cond, dict) or "value" not in cond:
            raise CodebookError(path, f"{entry}.condition", "expected {column (or the measure), op, value}")
        conditions.append({"column": cond.get("column", p.get("measure")), **cond})
    for k, c in enumerate(conditions):
        where = f"where[{k}]" if k < len(p.get("where") or []) else "condition"
        if not isinstance(c, dict) or "column" not in c or "value" not in c or c.get("column") is None:
            raise CodebookError(path, f"{entry}.{where}", "expected {column, op, value}")
        column(c["column"], f"{where}.column")
        if c.get("op", "==") not in ag.OPS:
            raise CodebookError(path, f"{entry}.{where}.op", f"expected one of {list(ag.OPS)}, got {c.get('op')!r}")
        try:
            f = cb.field_named(c["column"])
        except KeyError:
            f = None
        if f is not None and f.choices is not None:
            values = c["value"] if isinstance(c["value"], list) else [c["value"]]
            wrong = [v for v in values if str(v) not in f.choices]
            if wrong:
                raise CodebookError(path, f"{entry}.{where}.value", f"{wrong} not among the choices of {c['column']}: {list(f.choices)}")


# ---------------------------------------------------------------------------
# Computing
# ---------------------------------------------------------------------------


def prepare(responses: dict[str, pd.DataFrame], codebooks: dict[str, Codebook], consortium: Consortium) -> dict[str, pd.DataFrame]:
    """Rows ready for the aggregations: tie instruments get their derived columns."""
    out = {}
    for name, frame in responses.items():
        cb = codebooks.get(name)
        out[name] = networks.prepare_ties(frame, consortium) if cb is not None and cb.design == "ties" else frame
    return out


def data_date(responses: dict[str, pd.DataFrame], consortium: Consortium):
    """The date of the data: the latest date in any instrument's rows (submission times,
    date fields), no later than the project end. Statuses are judged as of this date."""
    latest = None
    for frame in responses.values():
        for col in frame.columns:
            if pd.api.types.is_datetime64_any_dtype(frame[col]) and frame[col].notna().any():
                d = frame[col].max().date()
                latest = d if latest is None or d > latest else latest
    if latest is None:
        return consortium.start
    return min(max(latest, consortium.start), consortium.end)


def _one(ind: Indicator, rows: pd.DataFrame, cb: Codebook, consortium: Consortium, params: dict | None = None) -> dict:
    agg = ag.AGGREGATIONS[ind.aggregation]
    ctx = ag.Context(cb, consortium, ag.ROW_UNITS.get(cb.design, "rows") == "people")
    p = params or ind.params
    return agg.fn(ag.where(rows, p.get("where")), p, ctx)


def _groups(ind: Indicator, rows: pd.DataFrame, cb: Codebook, consortium: Consortium, by: str) -> list[tuple[str, dict]]:
    agg = ag.AGGREGATIONS[ind.aggregation]
    ctx = ag.Context(cb, consortium, ag.ROW_UNITS.get(cb.design, "rows") == "people")
    sub = ag.where(rows, ind.params.get("where"))
    if agg.split is not None:
        special = agg.split(sub, ind.params, ctx, by)
        if special is not None:
            return special
    if by not in sub.columns:
        return []
    return [(str(value), agg.fn(part, ind.params, ctx)) for value, part in sub.groupby(by, sort=True, observed=True)]


def n_unit(ind: Indicator, cb: Codebook) -> str:
    agg = ag.AGGREGATIONS[ind.aggregation]
    if agg.n_unit != "rows":
        return agg.n_unit
    return ag.ROW_UNITS.get(cb.design, "rows")


def compute(framework: Framework, responses: dict[str, pd.DataFrame], consortium: Consortium, min_cell: int, tests: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every indicator of the framework, overall and by its disaggregations.

    ``tests``: the instruments' statistics rows before adjustment
    (:func:`pipeline.analysis.indicators.instrument_tests`), so that the p-values of
    both are adjusted together, one family at a time (:mod:`pipeline.analysis.families`);
    without them the framework's tests are adjusted among themselves.

    Returns
    -------
    DataFrame
        :data:`COLUMNS`; one row per indicator x group, suppressed by
        :func:`pipeline.analysis.disclosure.suppress` (primary below ``min_cell`` people,
        secondary within each indicator's breakdown). The consortium row carries
        baseline, target, progress and status; a hidden or missing value has
        status "no data".
    """
    return _compute(framework, responses, consortium, min_cell, tests)[0]


def _compute(framework: Framework, responses: dict[str, pd.DataFrame], consortium: Consortium, min_cell: int, tests: pd.DataFrame | None) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """:func:`compute`, and the instruments' ``tests`` adjusted together with the framework's."""
    rows_by = prepare(responses, framework.codebooks, consortium)
    as_of = data_date(responses, consortium)
    elapsed = st.elapsed_share(as_of, consortium.start, consortium.end)
    out = []
    for ind in framework.indicators:
        cb = framework.codebooks[ind.instrument]
        base = {
            "result_id": ind.result_id,
            "indicator_id": ind.id,
            "instrument": ind.instrument,
            "scale": ind.measure,
            "label": ind.name,
            "unit": ind.unit,
            "aggregation": ind.aggregation,
            "n_unit": n_unit(ind, cb),
            "direction": ind.direction,
            "status_rule": ind.status_rule,
            "as_of": as_of.isoformat(),
            "kirkpatrick_level": ind.kirkpatrick or "",
            "dac_criterion": ind.dac or "",
        }
        rows = rows_by.get(ind.instrument)
        if rows is None:
            out.append({**base, "group_by": CONSORTIUM, "group": ALL, "value": np.nan, "n": 0, "note": notes_.NO_DATA.format(instrument=ind.instrument)})
            continue
        baseline = ind.baseline
        if ind.baseline_wave is not None:
            params = {**ind.params, "wave": ind.baseline_wave}
            baseline = _one(ind, rows, cb, consortium, params)["value"]
        target = ind.target if ind.target is not None else (np.nan if baseline is None or _nan(baseline) else baseline + ind.target_above_baseline)
        cons = _one(ind, rows, cb, consortium)
        out.append({**base, "group_by": CONSORTIUM, "group": ALL, **cons, "baseline": baseline, "target": target})
        for by in ind.disaggregations:
            for group, res in _groups(ind, rows, cb, consortium, by):
                out.append({**base, "group_by": by, "group": group, **res})
    table = pd.DataFrame(out)
    for col in COLUMNS:
        if col not in table.columns:
            table[col] = np.nan
    for col in COUNT_COLUMNS + ["n"]:
        table[col] = pd.to_numeric(table[col], errors="coerce").astype("float64")
    if tests is None:
        (table,) = families.adjust(table)
    else:
        tests, table = families.adjust(tests, table)
    table = suppress(
        table[[c for c in COLUMNS if c not in ("suppressed", "suppression")]],
        COUNT_COLUMNS,
        VALUE_COLUMNS,
        min_cell,
        family_cols=["indicator_id", "group_by"],
        total_mask=table["group_by"].eq(CONSORTIUM),
        parents={("partner", str(p)): ("country", str(c)) for p, c in consortium.country_of().items()},  # partners add up to their country
    )
    return _statuses(table, framework, elapsed)[COLUMNS], tests


def _nan(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _statuses(table: pd.DataFrame, framework: Framework, elapsed: float) -> pd.DataFrame:
    """Progress and status of the consortium rows (others: empty)."""
    table = table.copy()
    table["status"] = ""
    table["progress"] = table["progress"].astype("float64")
    inds = {i.id: i for i in framework.indicators}
    for idx in table.index[table["group_by"] == CONSORTIUM]:
        r = table.loc[idx]
        ind = inds[r["indicator_id"]]
        value = None if bool(r["suppressed"]) or pd.isna(r["value"]) else float(r["value"])
        target = None if pd.isna(r["target"]) else float(r["target"])
        baseline = None if pd.isna(r["baseline"]) else float(r["baseline"])
        rule = framework.rules[ind.status_rule]
        lo = None if pd.isna(r["value_ci_low"]) else float(r["value_ci_low"])
        hi = None if pd.isna(r["value_ci_high"]) else float(r["value_ci_high"])
        table.at[idx, "status"] = st.status(rule, value, baseline, target, ind.direction, elapsed, lo, hi)
        table.at[idx, "progress"] = st.progress(value, 0.0 if baseline is None else baseline, target) if value is not None and target is not None else np.nan
        if bool(r["suppressed"]):
            table.at[idx, "note"] = "; ".join(x for x in (str(r["note"]) if not pd.isna(r["note"]) else "", notes_.NOT_PUBLISHED) if x)
    return table


def results_table(framework: Framework, indicators: pd.DataFrame) -> pd.DataFrame:
    """One row per expected result and indicator (consortium level); qualitative results
    with their reason and the evidence the report carries instead."""
    cons = indicators.loc[indicators["group_by"] == CONSORTIUM].set_index("indicator_id")
    rows = []
    for res in framework.results:
        if res.type == "qualitative":
            rows.append({"result_id": res.id, "result": res.text, "result_type": res.type, "status": st.QUALITATIVE, "evidence": res.evidence, "note": res.reason})
            continue
        for ind in res.indicators:
            r = cons.loc[ind.id]
            rows.append(
                {
                    "result_id": res.id,
                    "result": res.text,
                    "result_type": res.type,
                    "indicator_id": ind.id,
                    "indicator": ind.name,
                    "definition": ind.definition,
                    "instrument": ind.instrument,
                    "aggregation": ind.aggregation,
                    "unit": ind.unit,
                    "baseline": r["baseline"],
                    "target": r["target"],
                    "direction": ind.direction,
                    "value": r["value"],
                    "value_ci_low": r["value_ci_low"],
                    "value_ci_high": r["value_ci_high"],
                    "n": r["n"],
                    "n_unit": r["n_unit"],
                    "status": r["status"],
                    "status_rule": ind.status_rule,
                    "progress": r["progress"],
                    "as_of": r["as_of"],
                    "dac_criterion": ind.dac or "",
                    "kirkpatrick_level": ind.kirkpatrick or "",
                    "disaggregations": " ".join(ind.disaggregations),
                    "evidence": "",
                    "note": r["note"],
                }
            )
    return pd.DataFrame(rows, columns=RESULTS_COLUMNS)


def run_framework_file(run: dict) -> Framework | None:
    """The framework a run names (``run.json``'s ``framework``, checked against the
    codebooks of its ``codebook_dirs``), or None."""
    if not run.get("framework"):
        return None
    dirs = tuple(Path(d) for d in run.get("codebook_dirs", ())) or None
    return load_framework(run["framework"], dirs)


def run_framework(run: dict, responses: dict[str, pd.DataFrame], tests: pd.DataFrame | None = None, framework: Framework | None = None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """The framework rows and the results table of a run (``run.json``'s ``framework``);
    empty tables with their columns when the run names no framework.

    ``tests`` (the instruments' rows before adjustment) are adjusted together with the
    framework's tests and returned as the third value (adjusted on their own when the
    run names no framework; ``None`` stays ``None``). ``framework``: the run's framework
    already read (:func:`run_framework_file`); read here when not given.
    """
    from pipeline.instruments.registry import load_consortium

    if not run.get("framework"):
        adjusted = families.adjust(tests)[0] if tests is not None else None
        return pd.DataFrame(columns=COLUMNS), pd.DataFrame(columns=RESULTS_COLUMNS), adjusted
    fw = framework if framework is not None else run_framework_file(run)
    consortium = load_consortium(run["consortium"])
    rows, adjusted = _compute(fw, responses, consortium, int(run["min_cell"]), tests)
    return rows, results_table(fw, rows), adjusted


def combine(statistics: pd.DataFrame, framework_rows: pd.DataFrame) -> pd.DataFrame:
    """``indicators.csv``: the instruments' statistics rows, then the framework's rows;
    the columns of both (the statistics' first)."""
    columns = list(statistics.columns) + [c for c in COLUMNS if c not in statistics.columns]
    parts = [p for p in (statistics, framework_rows) if len(p)]
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True).reindex(columns=columns)
