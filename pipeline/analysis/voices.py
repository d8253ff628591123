"""Voices: what the qualitative evidence log (design ``voices``) publishes.

``voices.csv``        entries per result of the framework, for the consortium and by
                      theme, kind of evidence and partner (:func:`voice_counts`). Every
                      entry counts, with or without consent; a count below ``min_cell``
                      is suppressed, and so is what would give it away by subtraction
                      (:func:`pipeline.analysis.disclosure.suppress`).
``voice_quotes.csv``  for each result, at most :data:`QUOTES_PER_RESULT` texts of people
                      who agreed to be quoted, as redacted at ingestion (names, places,
                      e-mail addresses and phone numbers removed), with the partner, the
                      month, the theme and who spoke (:func:`voice_quotes`). A text
                      without consent is never published.

The quotes are a selection, not all consented texts: the number of people who declined
is then not published either (it would describe fewer than ``min_cell`` people).
"""

from __future__ import annotations

import pandas as pd

from pipeline.analysis.disclosure import suppress
from pipeline.errors import PipelineError
from pipeline.schema import CONSORTIUM, SOURCE_ROW

COUNT_COLUMNS = ["result_id", "group_by", "group", "entries", "suppressed", "suppression"]
QUOTE_COLUMNS = ["result_id", "theme", "kind", "speaker", "partner", "month", "text"]
#: Quotes published per result.
QUOTES_PER_RESULT = 3
#: Breakdowns of the counts, in the order the table lists them.
BREAKDOWNS = ("theme", "kind", "partner")


def check_results(log: pd.DataFrame, result_ids: set[str], source: str) -> None:
    """Every entry names a result of the framework; else a message naming the row and the value."""
    bad = log.loc[~log["result_id"].astype(str).isin(result_ids)]
    if len(bad):
        row = bad.iloc[0]
        where = f"row {int(row[SOURCE_ROW])}" if SOURCE_ROW in bad.columns and pd.notna(row[SOURCE_ROW]) else f"entry {row.get('entry_id', '?')}"
        raise PipelineError(
            f"{source}, {where}, column result_id: {row['result_id']!r} is not a result of the results framework ({len(bad)} such row(s)); known results: {', '.join(sorted(result_ids))}"
        )


def voice_counts(log: pd.DataFrame, min_cell: int, partners: list[str] | None = None) -> pd.DataFrame:
    """Entries per result: the consortium's row, then one row per theme, kind and partner.

    Groups without entries are listed with 0 (a theme of the codebook nobody spoke to is
    worth seeing); zeros are never suppressed and protect nothing.
    """
    if log.empty:
        return pd.DataFrame(columns=COUNT_COLUMNS)
    rows = []
    for rid, sub in log.groupby(log["result_id"].astype(str), sort=True):
        rows.append({"result_id": rid, "group_by": CONSORTIUM, "group": "all", "entries": len(sub)})
        for by in BREAKDOWNS:
            if by not in sub.columns:
                continue
            counts = sub[by].astype(str).value_counts()
            groups = list(partners) if by == "partner" and partners else sorted(set(log[by].dropna().astype(str)))
            rows += [{"result_id": rid, "group_by": by, "group": g, "entries": int(counts.get(g, 0))} for g in groups]
    table = pd.DataFrame(rows)
    out = suppress(table, ["entries"], [], min_cell, family_cols=["result_id", "group_by"], total_mask=table["group_by"] == CONSORTIUM)
    out["entries"] = out["entries"].astype("Int64")
    return out.reindex(columns=COUNT_COLUMNS)


def voice_quotes(log: pd.DataFrame, per_result: int = QUOTES_PER_RESULT) -> pd.DataFrame:
    """A few consented, redacted texts per result.

    Chosen in date order, each next quote from a theme and a partner not yet quoted
    when there is one (then from a new theme, then any): the report shows the spread of
    what was said, not one partner's stories.
    """
    if log.empty:
        return pd.DataFrame(columns=QUOTE_COLUMNS)
    consented = log.loc[log["consent"].astype(str) == "yes"].copy()
    consented["_date"] = pd.to_datetime(consented["date"], errors="coerce")
    consented = consented.sort_values(["_date", "entry_id"] if "entry_id" in consented.columns else ["_date"], kind="stable")
    rows = []
    for rid, sub in consented.groupby(consented["result_id"].astype(str), sort=True):
        chosen, themes, partners = [], set(), set()
        for rule in (lambda r: r["theme"] not in themes and r["partner"] not in partners, lambda r: r["theme"] not in themes, lambda r: True):
            for idx, r in sub.iterrows():
                if len(chosen) >= per_result:
                    break
                if idx not in chosen and rule(r):
                    chosen.append(idx)
                    themes.add(r["theme"])
                    partners.add(r["partner"])
        for idx in sorted(chosen, key=lambda i: (sub.at[i, "_date"], i)):
            r = sub.loc[idx]
            month = r["_date"].strftime("%Y-%m") if pd.notna(r["_date"]) else ""
            rows.append({"result_id": rid, "theme": r["theme"], "kind": r["kind"], "speaker": r.get("speaker", ""), "partner": r["partner"], "month": month, "text": " ".join(str(r["text"]).split())})
    return pd.DataFrame(rows, columns=QUOTE_COLUMNS)
