"""Indicators: the tidy table a report and a funder read.

One row per indicator x group (``indicators.csv``); the column ``analysis`` says
which kind of indicator a row is:

``paired_change`` (``<instrument>.<scale>.change``)
    For every scale of a pre/post instrument, computed for the whole consortium and
    for each disaggregation the codebook lists (partner, country, gender, age group,
    group): n at each wave, n paired, means, the mean change post minus pre with its
    95% confidence interval (paired t), the paired t-test, the Wilcoxon signed-rank
    test (R's conventions), the effect size d_z with its interval (noncentral t),
    g_av (Lakens 2013) and the shares of people who reliably improved, stayed the
    same or worsened (Jacobson & Truax 1991). When the codebook has a ``comparison``
    field, these rows describe participants only.
``comparison_change`` (``<instrument>.<scale>.comparison_change``)
    The same statistics for the comparison group (people who did not take part),
    at consortium level and per partner that has one.
``diff_in_diff`` (``<instrument>.<scale>.diff_in_diff``)
    Where a comparison group answered too: the participants' mean change minus the
    comparison group's, with its Welch interval and Hedges' g of the change scores,
    for the partners that have a comparison group (together, and each).
``random_effects`` (``<instrument>.<scale>.random_effects``)
    The participants' mean change combined across partners as sites: a REML
    random-effects summary (:func:`pipeline.stats.random_effects`) of the partners'
    mean changes and standard errors, its interval and test with the
    Hartung-Knapp-Sidik-Jonkman adjustment (t with k - 1 df: few partners), with the
    between-partner variance ``tau2``, ``i2`` (share of the variation beyond chance),
    the prediction interval ``pi_low``/``pi_high`` (where a new partner's change would
    fall) and ``k_partners``; beside the pooled consortium row, it shows whether the
    change holds across sites or is carried by one. ``effect_size`` is the same
    summary of the partners' d_z (variance 1/n + d_z^2 / 2n), with its interval and
    its prediction interval ``effect_size_pi_low``/``effect_size_pi_high``: the
    forest plot draws it beside the partners' d_z. Partners with fewer than the
    minimum number of pairs are left out (and named in the note).
``mcnemar`` (``<instrument>.<item>.mcnemar``)
    Every yes/no item (response values 0 and 1) asked at both waves: the shares
    answering yes, their difference with its Wald interval, and McNemar's test.

Effect sizes and caveats beside a change
    ``g_av`` with ``g_av_ci_low``/``g_av_ci_high`` is the effect size to headline
    (Lakens 2013: it compares across designs); ``effect_size`` (``d_z``, with its
    noncentral-t interval) comes second. ``ci_caution`` is set on rows with fewer
    than 20 pairs (the t interval may be too narrow with skewed changes).
    ``significant_adjusted`` says whether the family-adjusted p-value is below 0.05:
    words such as "rose" or "fell" should follow it. Participants' consortium rows
    carry ``attrition_smd`` (how those who did not answer the later wave differed at
    the first, in SDs) and ``change_ipw`` with its interval (the change reweighted by
    the inverse probability of answering the later wave), to set beside the
    completers-only ``mean_change``. ``rc_reliability`` is the reliability reliable
    change used: Cronbach's alpha measured in the sample at ``wave_from`` (the
    codebook's nominal value only when alpha cannot be measured).

Every row compares two waves, named in ``wave_from`` and ``wave_to``: the first two
waves of the codebook (pre and post), and where the codebook has more waves (a
follow-up), each later wave with the first and with the second
(:func:`wave_pairs`), with the same statistics. The rows of a later pair carry it
in their id (``<instrument>.<scale>.change.pre_follow_up``); the first two waves'
rows keep the ids above. A scale (or yes/no item) nobody answered at one wave of a
later pair (not asked then) gives no row for that pair.

P-values (and the Wilcoxon p-values) are adjusted for multiple comparisons (Holm)
within a family: one instrument, one kind of test, one pair of waves and one
breakdown (for instance the paired t-tests of the four community-attitude scales at
consortium level, pre to post); see :mod:`pipeline.analysis.families`, which also
gives a results-framework row that repeats one of these tests the same adjusted
p-value. ``significant_adjusted`` says whether the adjusted p-value is below 0.05. Every row then goes
through disclosure control (:func:`pipeline.analysis.disclosure.protect_indicators`):
rows, and shares within rows, that describe fewer than the minimum number of people,
or would reveal such a group by subtraction along any published sum, are hidden.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats as sps

from pipeline import stats
from pipeline.analysis import families
from pipeline.analysis import notes as notes_
from pipeline.analysis.disclosure import MC_COUNTS, RC_COUNTS, hidden_shares, parents_of, protect_indicators
from pipeline.i18n import N_
from pipeline.ingest.score import item_values, paired
from pipeline.instruments.codebook import Codebook, Item, Scale
from pipeline.schema import ALL, CHANGE_STATISTICS, COMPARISON_CHANGE, CONSORTIUM, DIFF_IN_DIFF, MCNEMAR, PAIRED_CHANGE, RANDOM_EFFECTS, RESPONDENT, first_waves, later_waves, pair_suffix, paired_rows  # noqa: F401 (re-exported)

#: Method used to adjust p-values within a family (see :mod:`pipeline.analysis.families`).
P_ADJUST_METHOD = families.P_ADJUST_METHOD
#: |RC| above which a change is reliable (Jacobson & Truax 1991: 95%).
RC_THRESHOLD = 1.96

#: Columns of ``indicators.csv``, in order (documented in ``docs/indicators.md``).
COLUMNS = [
    "indicator_id",
    "instrument",
    "scale",
    "label",
    "unit",
    "group_by",
    "group",
    *CHANGE_STATISTICS,
    "analysis",
    "item",
    "wave_from",
    "wave_to",
    "n_comparison",
    "change_participants",
    "change_comparison",
    "p_value_adjusted",
    "p_adjust_method",
    "p_adjust_family",
    "wilcoxon_p_value_adjusted",
    "significant_adjusted",
    "reliable_improved",
    "reliable_improved_ci_low",
    "reliable_improved_ci_high",
    "reliable_unchanged",
    "reliable_worsened",
    "reliable_change_method",
    "rc_reliability",
    "attrition_smd",
    "change_ipw",
    "change_ipw_ci_low",
    "change_ipw_ci_high",
    "k_partners",
    "tau2",
    "i2",
    "pi_low",
    "pi_high",
    "effect_size_pi_low",
    "effect_size_pi_high",
    "ci_caution",
    "note",
    "suppressed",
    "suppression",
]
COUNT_COLUMNS = ["n_pre", "n_post", "n_paired", "n_comparison"]
VALUE_COLUMNS = [
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
    "change_participants",
    "change_comparison",
    "p_value_adjusted",
    "wilcoxon_p_value_adjusted",
    "significant_adjusted",
    "reliable_improved",
    "reliable_improved_ci_low",
    "reliable_improved_ci_high",
    "reliable_unchanged",
    "reliable_worsened",
    "attrition_smd",
    "change_ipw",
    "change_ipw_ci_low",
    "change_ipw_ci_high",
    "tau2",
    "i2",
    "pi_low",
    "pi_high",
    "effect_size_pi_low",
    "effect_size_pi_high",
]
RC_CATEGORIES = ("improved", "unchanged", "worsened")


def disaggregations(codebook: Codebook, frame: pd.DataFrame) -> list[str]:
    """The breakdowns of an instrument's indicators: partner, country, then grouping fields."""
    out = [c for c in ("partner", "country") if c in frame.columns]
    out += [f.name for f in codebook.grouping_fields if f.name in frame.columns and f.name != "language"]
    return out


def is_participant(values: pd.Series, codebook: Codebook) -> pd.Series:
    """True for participants: every value of the comparison field but its ``comparison_value``.

    An empty cell counts as a participant; without a comparison field everyone does.
    """
    field = codebook.comparison_field
    if field is None:
        return pd.Series(True, index=values.index)
    return values.astype("string").ne(field.comparison_value).fillna(True).astype(bool)


def _notes(*reasons) -> str:
    return "; ".join(dict.fromkeys(r for r in reasons if r))


def change_row(pre: pd.Series, post: pd.Series, confidence: float = 0.95) -> dict:
    """The statistics of one pre/post comparison, as a dict of indicator columns.

    ``pre`` and ``post`` are aligned by respondent; a respondent missing either side
    counts towards ``n_pre`` or ``n_post`` but not ``n_paired``.
    """
    n_pre, n_post = int(pre.notna().sum()), int(post.notna().sum())
    both = pre.notna() & post.notna()
    x, y = pre[both].to_numpy(), post[both].to_numpy()
    pc = stats.paired_change(x, y, confidence=confidence)
    sr = stats.signed_rank(x, y)
    return {
        "analysis": PAIRED_CHANGE,
        "n_pre": n_pre,
        "n_post": n_post,
        "n_paired": int(pc.n),
        "mean_pre": pc.mean_pre,
        "sd_pre": pc.sd_pre,
        "mean_post": pc.mean_post,
        "sd_post": pc.sd_post,
        "mean_change": pc.mean_change,
        "ci_low": pc.ci_low,
        "ci_high": pc.ci_high,
        "confidence": confidence,
        "t": pc.t,
        "df": pc.df,
        "p_value": pc.p_value,
        "test": N_("paired t-test"),
        "wilcoxon_v": sr.statistic,
        "wilcoxon_p_value": sr.p_value,
        "wilcoxon_method": sr.method,
        "rank_biserial": sr.rank_biserial,
        "effect_size": pc.d_z,
        "effect_size_type": "d_z",
        "effect_size_ci_low": pc.d_z_ci_low,
        "effect_size_ci_high": pc.d_z_ci_high,
        "g_av": pc.g_av,
        "g_av_ci_low": pc.g_av_ci_low,
        "g_av_ci_high": pc.g_av_ci_high,
        "ci_caution": small_sample_caution(pc.n),
        "note": _notes(pc.reason, sr.reason),
    }


#: Below this many pairs the t interval (and the large-sample interval of g_av) may
#: under-cover when the changes are skewed (0.84-0.93 measured; tests/test_coverage.py).
SMALL_N = 20


def small_sample_caution(n: int) -> str:
    """The caution written beside the intervals of a row with fewer than :data:`SMALL_N` pairs."""
    if 2 <= n < SMALL_N:
        return notes_.FEW_PAIRS_CAUTION.format(k=SMALL_N)
    return ""


def reliable_cells(categories: pd.Series, method: str, min_cell: int, reason: str | None = None) -> dict:
    """Shares reliably improved / unchanged / worsened among the people of one row.

    Parameters
    ----------
    categories : Series
        Each person's category ("improved", "unchanged", "worsened"; missing where a
        wave is missing), from :func:`pipeline.stats.reliable_change`.
    method : str
        How the categories were made (written to ``reliable_change_method``).
    min_cell : int
        A share describing 1 to ``min_cell - 1`` people is hidden
        (:func:`pipeline.analysis.disclosure.hidden_shares`).
    reason : str, optional
        Why the categories could not be made (then every share is missing).

    Returns
    -------
    dict
        ``reliable_improved`` with its Wilson interval, ``reliable_unchanged``,
        ``reliable_worsened``, ``reliable_change_method`` and ``note``.
    """
    out = {c: math.nan for c in ("reliable_improved", "reliable_improved_ci_low", "reliable_improved_ci_high", "reliable_unchanged", "reliable_worsened")}
    out["reliable_change_method"] = method
    cats = categories.dropna().astype(str)
    if reason or cats.empty:
        out["note"] = notes_.RC_NOT_COMPUTED.format(reason=reason or notes_.NO_COMPLETE_PAIRS)
        return out
    labels = cats.to_numpy(dtype=object)
    counts = {c: int((labels == c).sum()) for c in RC_CATEGORIES}
    n = len(cats)
    hide = hidden_shares(counts, min_cell, prefer=("unchanged",))
    ci = stats.proportion_ci(counts["improved"], n)
    if "improved" not in hide:
        out.update(reliable_improved=ci.share, reliable_improved_ci_low=ci.ci_low, reliable_improved_ci_high=ci.ci_high)
    for c in ("unchanged", "worsened"):
        if c not in hide:
            out[f"reliable_{c}"] = counts[c] / n
    out.update({RC_COUNTS[c]: counts[c] for c in RC_CATEGORIES})  # private: for disclosure control across rows
    out["note"] = notes_.RC_HIDDEN.format(shares=", ".join(sorted(hide)), k=min_cell) if hide else ""
    return out


def _rc_method(scale: Scale, s_diff: float, earlier: str, r_xx: float | None = None) -> str:
    if r_xx is None:
        source = f"r_xx = {scale.reliability:g} from the codebook (alpha could not be measured in the sample)"
    else:
        nominal = f"; the codebook gives {scale.reliability:g}" if scale.reliability is not None else ""
        source = f"r_xx = {r_xx:.2f}, Cronbach's alpha at {earlier!r} measured in the sample (reliability.csv){nominal}"
    return (
        f"Jacobson & Truax (1991): RC = change / S_diff, S_diff = sqrt(2) * SD_pre * sqrt(1 - r_xx) = {s_diff:.4g} "
        f"({source}; SD_pre: the SD at {earlier!r} of all paired participants); "
        f"reliable if |RC| > {RC_THRESHOLD}; 95% Wilson interval"
    )


def sample_reliability(scored: pd.DataFrame, codebook: Codebook, scale: Scale, wave: str) -> float | None:
    """Cronbach's alpha of a scale at one wave, all respondents of that wave (listwise),
    as ``reliability.csv`` gives it; None when it cannot be computed or is not in (0, 1)."""
    if "wave" not in scored.columns or not all(i in scored.columns for i in scale.items) or len(scale.items) < 2:
        return None
    at = scored["wave"].eq(wave).to_numpy()
    if not at.any():
        return None
    values = item_values(scored.loc[at], codebook)[list(scale.items)]
    alpha = stats.cronbach_alpha(values).alpha
    return float(alpha) if np.isfinite(alpha) and 0 < alpha < 1 else None


def _participant_pairs(scored: pd.DataFrame, codebook: Codebook, value: str, waves: tuple[str, str], keep: tuple[str, ...], comparison: bool = False) -> pd.DataFrame:
    """Pairs of ``value`` for participants only (everyone without a comparison field),
    or with ``comparison=True`` for the comparison group only (nobody without one)."""
    field = codebook.comparison_field
    extra = (field.name,) if field is not None and field.name in scored.columns else ()
    pairs = paired(scored, value, waves=waves, keep=tuple(dict.fromkeys(keep + extra)))
    if extra:
        member = is_participant(pairs[field.name], codebook)
        pairs = pairs.loc[~member if comparison else member]
    elif comparison:
        pairs = pairs.iloc[0:0]
    return pairs


def _attrition_check(scored: pd.DataFrame, codebook: Codebook, pairs: pd.DataFrame, waves: tuple[str, str]) -> dict:
    """Attrition beside a consortium row: who kept the score at the later wave, how those
    who left differed at the first wave, and the change reweighted for it.

    ``attrition_smd``: first-wave score of people who have the score at the later wave
    minus that of people who do not, in pooled SDs (:func:`pipeline.stats.attrition`; the
    participants' consortium row of ``attrition.csv``).
    ``change_ipw`` (with its interval): the mean change weighted by the inverse
    probability of keeping the later score, modelled (logistic regression) on the
    first-wave scores of every scale and the partner
    (:func:`pipeline.stats.retention_weighted_change`), beside the completers-only
    ``mean_change``.
    """
    first = waves[0]
    pre, post = pairs[waves[0]], pairs[waves[1]]
    start = pre.notna()
    # kept = has this score at the later wave, as attrition.csv counts it (the pairs)
    kept = post.notna()[start]
    att = stats.attrition(pre[start].to_numpy(dtype=float), kept.to_numpy(dtype=float))
    base = scored.loc[scored["wave"] == first].drop_duplicates(RESPONDENT).set_index(RESPONDENT)
    cols = [sc.id for sc in codebook.scales if sc.id in base.columns and base[sc.id].notna().any()]
    cov = base.reindex(pre.index[start])[cols].astype("float64")
    if "partner" in base.columns:
        partner = base["partner"].reindex(cov.index).astype(object)
        cov = cov.join(pd.get_dummies(partner, prefix="partner", drop_first=True, dtype=float))
    change = (post - pre)[start]
    res = stats.retention_weighted_change(cov.to_numpy(dtype=float), kept.to_numpy(dtype=float), change.to_numpy(dtype=float))
    notes = [f"attrition: {att.reason}" if att.reason else "", f"attrition-weighted change: {res.reason}" if res.reason else ""]
    if res.reason is None and res.max_weight > 10:
        notes.append(f"attrition-weighted change: largest weight {res.max_weight:.0f} times the mean (unstable)")
    return {"attrition_smd": att.smd, "change_ipw": res.estimate, "change_ipw_ci_low": res.ci_low, "change_ipw_ci_high": res.ci_high, "_note": _notes(*notes)}


def _base(codebook: Codebook, indicator_id: str, scale: str, label: str, unit: str, item: str = "") -> dict:
    return {"indicator_id": indicator_id, "instrument": codebook.instrument, "scale": scale, "item": item, "label": label, "unit": unit}


def _paired_change_rows(
    scored: pd.DataFrame,
    codebook: Codebook,
    min_cell: int,
    waves: tuple[str, str],
    comparison: bool = False,
    scales: list[Scale] | None = None,
    groups: list[str] | None = None,
    yardstick: pd.DataFrame | None = None,
) -> list[dict]:
    """Pre/post rows of every scale (or of ``scales``): participants (default) or the comparison group.

    The comparison group's rows (``analysis = "comparison_change"``) are computed at
    consortium level and per partner only, and use the participants' yardstick for
    reliable change (their S_diff), so that the shares of the two groups compare.
    ``groups`` replaces the codebook's breakdowns; ``yardstick`` (rows of the whole
    instrument, when ``scored`` is a subset of them) gives the reliability and the
    participants' baseline SD of reliable change, so that a subset is measured with
    the consortium's S_diff (:func:`pipeline.analysis.explore.change_table`).
    """
    if groups is None:
        groups = [g for g in disaggregations(codebook, scored) if not comparison or g == "partner"]
    ref = scored if yardstick is None else yardstick
    rows = []
    for sc in codebook.scales if scales is None else scales:
        pairs = _participant_pairs(scored, codebook, sc.id, waves, tuple(groups), comparison=comparison)
        if comparison and pairs.empty:
            continue
        pre, post = pairs[waves[0]], pairs[waves[1]]
        kind = "comparison_change" if comparison else "change"
        base = _base(codebook, f"{codebook.instrument}.{sc.id}.{kind}", sc.id, sc.label.get("en", sc.id), sc.unit)
        r_sample = sample_reliability(ref, codebook, sc, waves[0])
        r_xx = r_sample if r_sample is not None else sc.reliability
        if r_xx is None:
            rc_reason, method, categories = "no reliability: alpha could not be measured and the codebook gives none", "", pd.Series(dtype=object)
        else:
            sd_pre = None
            if comparison or yardstick is not None:  # the participants' baseline SD: one yardstick for both groups
                part = _participant_pairs(ref, codebook, sc.id, waves, ())
                both = part[waves[0]].notna() & part[waves[1]].notna()
                sd_pre = float(part.loc[both, waves[0]].std(ddof=1)) if both.sum() >= 2 else None
            rc = stats.reliable_change(pre, post, r_xx, sd_pre=sd_pre, threshold=RC_THRESHOLD, higher_is_better=sc.higher_is_better)
            rc_reason, categories = rc.reason, rc.table["category"]
            method = _rc_method(sc, rc.s_diff, waves[0], r_sample) if rc.reason is None else ""

        def row(idx, group_by, group):
            stats_row = change_row(pre.loc[idx], post.loc[idx])
            if comparison:
                stats_row["analysis"] = COMPARISON_CHANGE
            rel = reliable_cells(categories.reindex(idx), method, min_cell, rc_reason)
            note = _notes(stats_row.pop("note"), rel.pop("note"))
            return {**base, "group_by": group_by, "group": group, **stats_row, **rel, "rc_reliability": r_xx if method else math.nan, "note": note}

        rows.append(row(pairs.index, CONSORTIUM, ALL))
        if not comparison:
            check = _attrition_check(scored, codebook, pairs, waves)
            rows[-1]["note"] = _notes(rows[-1]["note"], check.pop("_note"))
            rows[-1].update(check)
        for g in groups:
            for value, idx in pairs.groupby(g, sort=True, observed=True).groups.items():
                rows.append(row(idx, g, str(value)))
    return rows


#: Estimator of the between-partner variance in the random-effects rows.
RE_METHOD = "reml"
#: Interval and test of the random-effects rows: Hartung-Knapp-Sidik-Jonkman (few partners).
RE_TEST = "knha"


def _random_effects_rows(rows: list[dict], min_cell: int) -> list[dict]:
    """One random-effects summary per scale from its participants' partner rows.

    Each partner is a site: its mean change, with the squared standard error of the
    paired t (``(ci_high - ci_low) / (2 t_{0.975, df})``) as its sampling variance;
    and its d_z, with the large-sample variance 1/n + d_z^2 / (2n) of a standardised
    mean (Hedges & Olkin 1985), for the effect-size columns.
    """
    out = []
    by_id: dict[str, list[dict]] = {}
    consortium: dict[str, dict] = {}
    for r in rows:
        if r["analysis"] != PAIRED_CHANGE:
            continue
        if r["group_by"] == "partner":
            by_id.setdefault(r["indicator_id"], []).append(r)
        elif r["group_by"] == CONSORTIUM:
            consortium[r["indicator_id"]] = r
    for iid, parts in by_id.items():
        used = [p for p in parts if p["n_paired"] >= min_cell and np.isfinite(p["ci_low"]) and np.isfinite(p["ci_high"])]
        left = sorted(p["group"] for p in parts if p not in used)
        est = [p["mean_change"] for p in used]
        var = [((p["ci_high"] - p["ci_low"]) / (2 * sps.t.ppf(0.5 + p["confidence"] / 2, p["df"]))) ** 2 for p in used]
        res = stats.random_effects(est, var, method=RE_METHOD, test=RE_TEST)
        dz = [p["effect_size"] for p in used]
        dz_res = stats.random_effects(dz, [1 / p["n_paired"] + d**2 / (2 * p["n_paired"]) for p, d in zip(used, dz)], method=RE_METHOD, test=RE_TEST)
        cons = consortium.get(iid, {})
        notes = [notes_.PARTNERS_COMBINED.format(partners=", ".join(sorted(p["group"] for p in used))) if used else ""]
        if left:
            notes.append(notes_.PARTNERS_LEFT_OUT.format(k=min_cell, partners=", ".join(left)))
        if not np.isnan(cons.get("mean_change", np.nan)):
            notes.append(notes_.POOLED_ESTIMATE.format(estimate=f"{cons['mean_change']:+.3f}"))
        notes.append(res.reason or "")
        base = {k: parts[0][k] for k in ("instrument", "scale", "item", "label", "unit")}
        out.append(
            {
                **base,
                "indicator_id": iid.removesuffix(".change") + ".random_effects",
                "group_by": CONSORTIUM,
                "group": ALL,
                "analysis": RANDOM_EFFECTS,
                # with a partner left out, consortium n minus this n would be its hidden count
                "n_paired": int(sum(p["n_paired"] for p in used)) if not left else math.nan,
                "mean_change": res.estimate,
                "ci_low": res.ci_low,
                "ci_high": res.ci_high,
                "confidence": 0.95,
                "t": res.z,
                "df": res.df,
                "p_value": res.p_value,
                "test": f"random-effects summary across partners ({res.method.upper()}; Hartung-Knapp-Sidik-Jonkman t test with k - 1 df; prediction interval t with k - 2 df)",
                "effect_size": dz_res.estimate,
                "effect_size_type": N_("d_z: random-effects summary of the partners' d_z (same method)"),
                "effect_size_ci_low": dz_res.ci_low,
                "effect_size_ci_high": dz_res.ci_high,
                "effect_size_pi_low": dz_res.pi_low,
                "effect_size_pi_high": dz_res.pi_high,
                "k_partners": res.k,
                "tau2": res.tau2,
                "i2": res.i2,
                "pi_low": res.pi_low,
                "pi_high": res.pi_high,
                "note": _notes(*notes),
            }
        )
    return out


def _did_row(pre: pd.Series, post: pd.Series, treated: pd.Series) -> dict:
    res = stats.diff_in_diff(pre.to_numpy(), post.to_numpy(), treated.to_numpy(dtype=float))
    return {
        "analysis": DIFF_IN_DIFF,
        "n_paired": res.n_treated,
        "n_comparison": res.n_control,
        "mean_change": res.estimate,
        "ci_low": res.ci_low,
        "ci_high": res.ci_high,
        "confidence": 0.95,
        "t": res.t,
        "df": res.df,
        "p_value": res.p_value,
        "test": N_("Welch t-test of the change scores, participants vs comparison group (difference in differences)"),
        "effect_size": res.effect_size,
        "effect_size_type": N_("g_change: Hedges' g of the change scores (pooled SD)"),
        "effect_size_ci_low": res.effect_size_ci_low,
        "effect_size_ci_high": res.effect_size_ci_high,
        "change_participants": res.change_treated,
        "change_comparison": res.change_control,
        "note": res.reason or "",
    }


def _did_rows(scored: pd.DataFrame, codebook: Codebook, waves: tuple[str, str], scales: list[Scale] | None = None) -> list[dict]:
    """Difference in differences per scale (or of ``scales``), for the partners that have a comparison group."""
    field = codebook.comparison_field
    if field is None or field.name not in scored.columns:
        return []
    by_partner = "partner" in scored.columns
    rows = []
    for sc in codebook.scales if scales is None else scales:
        pairs = paired(scored, sc.id, waves=waves, keep=(field.name, "partner") if by_partner else (field.name,))
        treated = is_participant(pairs[field.name], codebook)
        if treated.all():
            continue
        base = _base(codebook, f"{codebook.instrument}.{sc.id}.diff_in_diff", sc.id, sc.label.get("en", sc.id), sc.unit)
        if by_partner:
            with_comparison = sorted(pairs.loc[~treated, "partner"].dropna().unique())
            pool = pairs["partner"].isin(with_comparison)
            total = int(scored["partner"].dropna().nunique())
            cover = notes_.PARTNERS_WITH_COMPARISON.format(partners=", ".join(with_comparison), k=len(with_comparison), n=total)
        else:
            pool, cover, with_comparison = pd.Series(True, index=pairs.index), "", []
        sub = pairs.loc[pool]
        row = _did_row(sub[waves[0]], sub[waves[1]], treated.loc[pool])
        row["note"] = _notes(cover, row["note"])
        rows.append({**base, "group_by": CONSORTIUM, "group": ALL, **row})
        for code in with_comparison:
            sub = pairs.loc[pairs["partner"] == code]
            rows.append({**base, "group_by": "partner", "group": str(code), **_did_row(sub[waves[0]], sub[waves[1]], treated.loc[sub.index])})
    return rows


def binary_items(codebook: Codebook) -> list[Item]:
    """Items answered yes/no (substantive values exactly 0 and 1)."""
    return [it for it in codebook.items if tuple(it.response_scale.values) == (0, 1)]


def _mcnemar_row(pre: pd.Series, post: pd.Series, min_cell: int) -> dict:
    both = pre.notna() & post.notna()
    x, y = pre[both].to_numpy(), post[both].to_numpy()
    test = stats.mcnemar(x, y)
    diff = stats.paired_proportions(x, y)
    row = {
        "analysis": MCNEMAR,
        "n_pre": int(pre.notna().sum()),
        "n_post": int(post.notna().sum()),
        "n_paired": test.n,
        "mean_pre": diff.share_pre,
        "mean_post": diff.share_post,
        "mean_change": diff.difference,
        "ci_low": diff.ci_low,
        "ci_high": diff.ci_high,
        "confidence": 0.95,
        "p_value": test.p_value,
        "test": f"McNemar's test: {test.method}",
        "effect_size": diff.difference,
        "effect_size_type": "difference in proportions (share yes after - share yes before), Wald interval",
        "effect_size_ci_low": diff.ci_low,
        "effect_size_ci_high": diff.ci_high,
        "note": _notes(test.reason, diff.reason),
    }
    yes_pre, yes_post = int(x.sum()), int(y.sum())
    n = int(x.size)
    both_yes, yes_no, no_yes = int(((x == 1) & (y == 1)).sum()), int(((x == 1) & (y == 0)).sum()), int(((x == 0) & (y == 1)).sum())
    row.update(dict(zip(MC_COUNTS.values(), (both_yes, yes_no, no_yes, n - both_yes - yes_no - no_yes))))  # private: the 2x2 table
    if hidden_shares({"yes": yes_pre, "no": n - yes_pre}, min_cell) or hidden_shares({"yes": yes_post, "no": n - yes_post}, min_cell):
        row["mean_pre"] = row["mean_post"] = math.nan
        row["note"] = _notes(row["note"], notes_.SHARES_HIDDEN.format(k=min_cell))
    return row


def _mcnemar_rows(scored: pd.DataFrame, codebook: Codebook, min_cell: int, waves: tuple[str, str], items: list[Item] | None = None) -> list[dict]:
    items = binary_items(codebook) if items is None else items
    if not items:
        return []
    groups = disaggregations(codebook, scored)
    values = item_values(scored, codebook)
    keep_cols = [c for c in scored.columns if c not in values.columns]
    frame = pd.concat([scored[keep_cols], values[[it.id for it in items]]], axis=1)
    scale_of = {i: sc.id for sc in reversed(codebook.scales) for i in sc.items}
    rows = []
    for it in items:
        pairs = _participant_pairs(frame, codebook, it.id, waves, tuple(groups))
        pre, post = pairs[waves[0]], pairs[waves[1]]
        base = _base(codebook, f"{codebook.instrument}.{it.id}.mcnemar", scale_of.get(it.id, ""), it.label.get("en", it.id), "share answering yes (0-1)", item=it.id)
        rows.append({**base, "group_by": CONSORTIUM, "group": ALL, **_mcnemar_row(pre, post, min_cell)})
        for g in groups:
            for value, idx in pairs.groupby(g, sort=True, observed=True).groups.items():
                rows.append({**base, "group_by": g, "group": str(value), **_mcnemar_row(pre.loc[idx], post.loc[idx], min_cell)})
    return rows


def adjust_families(table: pd.DataFrame, method: str = P_ADJUST_METHOD) -> pd.DataFrame:
    """Adjust ``p_value`` (and ``wilcoxon_p_value``) within families: one instrument, one
    kind of test, one pair of waves, one breakdown (:mod:`pipeline.analysis.families`).

    Returns a copy with ``p_value_adjusted``, ``wilcoxon_p_value_adjusted``,
    ``p_adjust_method``, ``p_adjust_family`` (which tests were adjusted together, and
    how many: ``community_attitudes paired_change pre -> post tests by partner (20
    tests)``) and ``significant_adjusted``. Missing p-values stay missing and are not
    counted (:func:`pipeline.stats.adjust_p`).
    """
    return families.adjust(table, method=method)[0]


def publish_indicators(table: pd.DataFrame, min_cell: int, parents: dict | None = None) -> pd.DataFrame:
    """Adjusted rows -> the published table: disclosure control
    (:func:`pipeline.analysis.disclosure.protect_indicators`, which reads and drops the
    private count columns), columns in order. ``parents`` maps each partner to its
    country (:func:`pipeline.analysis.disclosure.parents_of`)."""
    table = table.copy()
    table["note"] = table["note"].fillna("")
    table = protect_indicators(table, COUNT_COLUMNS, VALUE_COLUMNS, min_cell, parents)
    return table[COLUMNS]


def rows_table(rows: list[dict]) -> pd.DataFrame:
    """Rows -> a table with the published columns (before adjustment and suppression)
    and the private count columns disclosure control reads (:data:`RC_COUNTS`, :data:`MC_COUNTS`)."""
    private = [*RC_COUNTS.values(), *MC_COUNTS.values()]
    table = pd.DataFrame(rows, columns=[c for c in COLUMNS if c not in ("suppressed", "suppression", *families.ADJUSTED_COLUMNS)] + private)
    table["note"] = table["note"].fillna("")
    return table


def _finish(rows: list[dict], min_cell: int, parents: dict | None = None) -> pd.DataFrame:
    """Rows -> the published table: p-values adjusted, small groups suppressed, columns in order."""
    return publish_indicators(adjust_families(rows_table(rows)), min_cell, parents)


def wave_pairs(codebook: Codebook) -> list[tuple[str, str]]:
    """The pairs of waves an instrument's indicators compare, in order.

    The first two waves (pre, post), then for each later wave (a follow-up) the first
    wave to it and the second wave to it: ``[(pre, post), (pre, follow_up), (post,
    follow_up)]`` for three waves. An instrument with fewer than two waves has none.
    """
    waves = list(codebook.waves)
    if len(waves) < 2:
        return []
    pairs = [(waves[0], waves[1])]
    for later in waves[2:]:
        pairs += [(waves[0], later), (waves[1], later)]
    return pairs


def _asked(frame: pd.DataFrame, column: str, waves: tuple[str, str]) -> bool:
    """Whether anybody has a value of ``column`` at each of the two waves."""
    if column not in frame.columns:
        return False
    wave = frame["wave"]
    return all(frame.loc[wave == w, column].notna().any() for w in waves)


def _stamp(rows: list[dict], codebook: Codebook, waves: tuple[str, str]) -> list[dict]:
    """Name the waves compared in each row; a pair other than the first two waves
    also goes into the indicator id (``<instrument>.<scale>.change.pre_follow_up``)."""
    later = tuple(waves) != tuple(codebook.waves[:2])
    for row in rows:
        row["wave_from"], row["wave_to"] = waves
        if later:
            row["indicator_id"] += pair_suffix(*waves)
    return rows


def _pair_rows(scored: pd.DataFrame, codebook: Codebook, min_cell: int, waves: tuple[str, str]) -> list[dict]:
    """Every indicator row of one pair of waves: participants' change, the comparison
    group's, the difference in differences and the yes/no items.

    The first two waves give a row for every scale (with a reason where nothing could
    be computed); a later pair only for the scales and items somebody answered at
    both of its waves (a question not asked at the follow-up gives no empty rows).
    """
    scales, items = list(codebook.scales), binary_items(codebook)
    if tuple(waves) != tuple(codebook.waves[:2]):
        scales = [sc for sc in scales if _asked(scored, sc.id, waves)]
        items = [it for it in items if _asked(scored, it.id, waves)]
    rows = _paired_change_rows(scored, codebook, min_cell, waves, scales=scales)
    rows += _random_effects_rows(rows, min_cell)
    rows += _paired_change_rows(scored, codebook, min_cell, waves, comparison=True, scales=scales)
    rows += _did_rows(scored, codebook, waves, scales=scales)
    rows += _mcnemar_rows(scored, codebook, min_cell, waves, items=items)
    return _stamp(rows, codebook, waves)


def scale_change(scored: pd.DataFrame, codebook: Codebook, min_cell: int, waves: tuple[str, str] | None = None) -> pd.DataFrame:
    """Change indicators for every scale of one instrument, overall and by each disaggregation.

    Parameters
    ----------
    scored : DataFrame
        Validated, scored rows of the instrument (``respondent_id``, ``wave``, scales,
        grouping fields).
    codebook : Codebook
    min_cell : int
        Suppression minimum.
    waves : (str, str), optional
        The two waves compared; the codebook's first two by default.

    Returns
    -------
    DataFrame
        :data:`COLUMNS`, ``analysis = "paired_change"``, participants only; suppressed
        rows blanked and marked.
    """
    waves = waves or tuple(codebook.waves[:2])
    return _finish(_stamp(_paired_change_rows(scored, codebook, min_cell, waves), codebook, waves), min_cell, parents_of(scored))


def instrument_tests(scored: pd.DataFrame, codebook: Codebook, min_cell: int, waves: tuple[str, str] | None = None) -> pd.DataFrame:
    """The rows of :func:`instrument_indicators` before their p-values are adjusted and
    small groups suppressed: for adjusting them together with the results framework's
    tests (:func:`pipeline.analysis.families.adjust`), then :func:`publish_indicators`."""
    pairs = [tuple(waves)] if waves else wave_pairs(codebook)
    return rows_table([row for pair in pairs for row in _pair_rows(scored, codebook, min_cell, pair)])


def instrument_indicators(scored: pd.DataFrame, codebook: Codebook, min_cell: int, waves: tuple[str, str] | None = None) -> pd.DataFrame:
    """Every indicator of one pre/post instrument: paired change, difference in differences, McNemar.

    Parameters as :func:`scale_change`, except that without ``waves`` every pair of
    :func:`wave_pairs` is compared: the first two waves, and each later wave (a
    follow-up) with the first and with the second. P-values are adjusted within each
    family (instrument x analysis x pair of waves x breakdown) before suppression, so
    a family's size counts every test that was run.
    """
    return publish_indicators(adjust_families(instrument_tests(scored, codebook, min_cell, waves)), min_cell, parents_of(scored))


def headline(table: pd.DataFrame, indicator_id: str) -> dict:
    """The consortium row of one indicator, as a dict (for a report's summary)."""
    row = table.loc[(table["indicator_id"] == indicator_id) & (table["group_by"] == CONSORTIUM)]
    if row.empty:
        raise KeyError(indicator_id)
    return row.iloc[0].to_dict()


def format_change(row: dict, digits: int = 2) -> str:
    """Plain-language change with its interval and n, e.g. ``+0.42 (95% CI 0.30 to 0.55; n = 812 pairs)``."""
    if row.get("suppressed"):
        return "suppressed (fewer than the minimum number of people)"
    m = row.get("mean_change")
    if m is None or (isinstance(m, float) and math.isnan(m)):
        return f"not computed ({row.get('note') or 'no pairs'})"
    conf = int(round(100 * float(row.get("confidence", 0.95))))
    return f"{m:+.{digits}f} ({conf}% CI {row['ci_low']:.{digits}f} to {row['ci_high']:.{digits}f}; n = {int(row['n_paired'])} pairs)"


def sort_key(table: pd.DataFrame) -> np.ndarray:
    """Stable ordering of an indicator table: indicator, consortium row first, then groups."""
    return np.lexsort((table["group"].astype(str), table["group_by"].ne(CONSORTIUM), table["indicator_id"]))
