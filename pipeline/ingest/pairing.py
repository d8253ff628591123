"""Pair the waves of an instrument by self-generated identification codes.

Respondents who give no participant number (refugees above all may not want to) build
a code from facts only they know: the codebook lists its elements as fields with role
``code`` (for instance the first letter of the mother's first name, the birth month,
the last digit of the house number) and declares ``pairing: {by: code,
max_differences: 1}``. After validation, :func:`pair_by_code`

1. gives every row without a respondent identifier a pseudonym of its own (keyed
   HMAC of the file and row it came from, never of the code);
2. matches the first wave's codes with each later wave's, within the same partner
   (and the same side of a comparison group), with :func:`pipeline.ingest.codes.match_codes`:
   exact matches first, then codes differing in at most ``max_differences`` elements,
   ambiguous candidates rejected, no code used twice; a matched later row takes the
   first-wave row's pseudonym;
3. drops the code's elements: they never reach the build folder or a report.

Rows with a respondent identifier are paired by it, as always. The counts go to
``code_matching.csv`` (:func:`code_matching_table`), with cells that describe fewer
than the minimum number of people hidden.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.ingest.codes import match_codes
from pipeline.ingest.deidentify import pseudonymise
from pipeline.ingest.read import SOURCE_FILE, SOURCE_ROW
from pipeline.instruments.codebook import Codebook
from pipeline.schema import RESPONDENT, WAVE

COUNTS = ["n_pre", "n_post", "n_exact", "n_tolerant", "n_ambiguous", "n_unmatched_pre", "n_unmatched_post"]
CODE_MATCHING_COLUMNS = [
    "instrument",
    "wave_from",
    "wave_to",
    "group_by",
    "group",
    "elements",
    "max_differences",
    *COUNTS,
    "match_rate",
    "hidden",
]


def _blank(values: pd.Series) -> pd.Series:
    return values.isna() | values.astype("string").str.strip().eq("").fillna(True)


def unidentified(frame: pd.DataFrame, codebook: Codebook) -> pd.Series:
    """Rows that cannot be paired: no respondent identifier and no element of a code.

    Without pairing by code every row needs its identifier only where the codebook
    makes it required (validation checks that), so nothing is flagged here.
    """
    if codebook.pairing != "code" or RESPONDENT not in frame.columns:
        return pd.Series(False, index=frame.index)
    codes = [f.name for f in codebook.code_fields if f.name in frame.columns]
    no_code = np.logical_and.reduce([_blank(frame[c]).to_numpy(dtype=bool) for c in codes]) if codes else True
    return _blank(frame[RESPONDENT]) & no_code


def elements_text(codebook: Codebook) -> str:
    """The code's elements in words, for reports ("first letter of ...; birth month")."""
    return "; ".join(f.label.get("en", f.id) for f in codebook.code_fields)


def pair_by_code(frame: pd.DataFrame, codebook: Codebook, key: bytes) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Give rows without an identifier a pseudonym, matched across waves by their code.

    Parameters
    ----------
    frame : DataFrame
        Validated rows of one instrument (``respondent_id`` already pseudonymised where
        given, ``wave``, ``_source_file``, ``_source_row``, the code fields).
    codebook : Codebook
    key : bytes
        The pseudonymisation key.

    Returns
    -------
    frame : DataFrame
        A new frame without the code fields, every row with a ``respondent_id``.
    counts : DataFrame
        One row per later wave (:data:`CODE_MATCHING_COLUMNS`, before disclosure
        control): codes in each wave, matched exactly, with tolerance, ambiguous,
        unmatched; empty when the codebook does not pair by code.
    """
    code_cols = [f.name for f in codebook.code_fields if f.name in frame.columns]
    if codebook.pairing != "code" or not code_cols or RESPONDENT not in frame.columns:
        return frame.drop(columns=code_cols), pd.DataFrame(columns=CODE_MATCHING_COLUMNS)
    out = frame.copy(deep=False)  # copy-on-write: the caller's frame is never changed
    anon = _blank(out[RESPONDENT])
    origin = "code-row|" + out.loc[anon, SOURCE_FILE].astype(str) + "|" + out.loc[anon, SOURCE_ROW].astype(str)
    ids = _with_pseudonyms(out[RESPONDENT], anon.to_numpy(dtype=bool), pseudonymise(origin, key))
    source = np.arange(len(out))  # the row whose pseudonym each row takes: its own, or (matched) the first wave's
    field = codebook.comparison_field
    blocks = [c for c in ("partner", field.name if field else None) if c and c in out.columns]
    first = codebook.waves[0]
    rows = []
    for wave in codebook.waves[1:]:
        total = dict.fromkeys(COUNTS, 0)
        coded = out.loc[anon & out[WAVE].isin([first, wave]), [WAVE, *blocks, *code_cols]]  # the columns matching reads, not a copy of every column
        groups = coded.groupby(blocks, sort=True, dropna=False) if blocks else [((), coded)]
        for _, sub in groups:
            pre = sub.loc[sub[WAVE] == first, code_cols]
            post = sub.loc[sub[WAVE] == wave, code_cols]
            res = match_codes(pre, post, max_differences=codebook.max_differences)
            if len(res.pairs):
                source[out.index.get_indexer(res.pairs["post_index"].to_numpy())] = out.index.get_indexer(res.pairs["pre_index"].to_numpy())
            for name, value in (
                ("n_pre", res.n_pre),
                ("n_post", res.n_post),
                ("n_exact", res.n_exact),
                ("n_tolerant", res.n_tolerant),
                ("n_ambiguous", res.n_ambiguous),
                ("n_unmatched_pre", res.n_unmatched_pre),
                ("n_unmatched_post", res.n_unmatched_post),
            ):
                total[name] += value
        if total["n_pre"] or total["n_post"]:
            rate = (total["n_exact"] + total["n_tolerant"]) / total["n_pre"] if total["n_pre"] else np.nan
            rows.append(
                {
                    "instrument": codebook.instrument,
                    "wave_from": first,
                    "wave_to": wave,
                    "group_by": "consortium",
                    "group": "all",
                    "elements": elements_text(codebook),
                    "max_differences": codebook.max_differences,
                    **total,
                    "match_rate": rate,
                    "hidden": "",
                }
            )
    out[RESPONDENT] = pd.Series(pd.arrays.ArrowStringArray(ids.take(source)), index=out.index)
    return out.drop(columns=code_cols), pd.DataFrame(rows, columns=CODE_MATCHING_COLUMNS)


def _with_pseudonyms(ids: pd.Series, anon: np.ndarray, pseudonyms: pd.Series):
    """The respondent identifiers (a pyarrow string column) with the rows of ``anon`` given
    ``pseudonyms`` (one per such row, in row order), as one pyarrow array: one pass in
    pyarrow, where setting the rows through pandas went through Python strings."""
    import pyarrow
    import pyarrow.compute as pc

    whole = pyarrow.chunked_array(ids.astype("string").array.__arrow_array__()).combine_chunks()
    given = pyarrow.chunked_array(pseudonyms.array.__arrow_array__()).combine_chunks().cast(whole.type)
    return pc.replace_with_mask(whole, pyarrow.array(anon), given) if anon.any() else whole


def code_matching_table(counts: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    """Disclosure control of the matching counts, cell by cell.

    A count of 1 to ``min_cell - 1`` is hidden (missing, named in ``hidden``). Since
    codes before = exact + tolerant + unmatched before, and codes after = exact +
    tolerant + unmatched after, a single hidden count in either sum would be recovered
    from the others, so the smallest other count of that sum is hidden too, until no
    sum has exactly one hidden term. The match rate is hidden when fewer than
    ``min_cell`` codes were matched.
    """
    out = counts.copy()
    out[COUNTS] = out[COUNTS].astype("float64")
    out["match_rate"] = out["match_rate"].astype("float64")
    out["hidden"] = out["hidden"].astype(object)
    sums = [("n_exact", "n_tolerant", "n_unmatched_pre"), ("n_exact", "n_tolerant", "n_unmatched_post")]
    for i in out.index:
        values = {c: int(out.at[i, c]) for c in COUNTS}
        hidden = {c for c, v in values.items() if 0 < v < min_cell}
        changed = True
        while changed:
            changed = False
            for terms in sums:
                inside = [t for t in terms if t in hidden]
                if len(inside) == 1:
                    others = sorted((values[t], t) for t in terms if t not in hidden and values[t] > 0)
                    if others:
                        hidden.add(others[0][1])
                        changed = True
        matched = values["n_exact"] + values["n_tolerant"]
        if 0 < matched < min_cell:
            out.at[i, "match_rate"] = np.nan
            hidden.add("match_rate")
        for c in hidden & set(COUNTS):
            out.at[i, c] = np.nan
        out.at[i, "hidden"] = " ".join(sorted(hidden))
    for c in COUNTS:
        out[c] = out[c].astype("Int64") if len(out) else out[c]
    return out[CODE_MATCHING_COLUMNS]
