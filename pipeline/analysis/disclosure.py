"""Disclosure control: no published number describes fewer than ``min_cell`` people,
and none can be worked out by subtraction.

Every table that leaves the pipeline goes through :func:`suppress` (the indicator
table through :func:`protect_cells` too, for the shares within its rows).

* **Primary suppression**: a row whose head count is at least 1 and below
  ``min_cell`` has its counts and statistics removed (missing, never 0) and is
  marked ``suppressed = True`` with ``suppression = "primary"``.
* **Secondary suppression**: published counts add up along margins: the groups of
  one breakdown (gender, partner, ...) to the consortium's total, the partners of a
  country to the country, the categories of a row (reliably improved / unchanged /
  worsened; yes / no) to the row's n. In each margin a reader knows the total minus
  the published terms: the people of the hidden terms together, including people in
  no group (an empty gender). Wherever that number is between 1 and
  ``min_cell - 1``, or a hidden term is the only unknown of a sum (also after
  solving other sums first), the smallest other published term with people in it
  is hidden too (``suppression = "secondary"``), until no margin gives away fewer
  than ``min_cell`` people (:func:`protect`). A total is never picked. Zero rows
  are not suppressed (they describe nobody) but do not protect a suppressed row
  either.

Reference: Hundepool et al. (2012), *Statistical Disclosure Control*, Wiley,
chapter 5 (threshold rule, secondary cell suppression, linked tables).
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pipeline.analysis import notes as notes_
from pipeline.errors import PipelineError

SUPPRESSED = "suppressed"
SUPPRESSION = "suppression"


# ----------------------------------------------------------------------------- margins
#: A switch turns a group of published numbers on or off together (a row, the shares of a
#: row, a McNemar row's interval); any hashable value.
Switch = Hashable


@dataclass
class Cells:
    """Head counts a set of published tables reveals, and the sums that tie them together.

    ``values[key]``
        The true head count of a cell (people in a group, or in a category of a group).
    ``shown[key]``
        The ways the cell is published: each a tuple of switches that must all be on
        (a partner's count shows when its row is; a category's count when its row and
        its share are). The first switch of each tuple is the one turned off to hide the
        cell. A cell with no way (a residual such as people with no answer for gender)
        is never published.
    ``margins``
        ``(total, parts)``: the parts add up to the total (a family of groups to the
        consortium, partners to their country, the categories of a row to its n).
    ``protected``
        Switches never turned off to protect another cell (the totals).
    """

    values: dict = field(default_factory=dict)
    shown: dict = field(default_factory=dict)
    margins: list = field(default_factory=list)
    protected: set = field(default_factory=set)

    def add(self, key, value, *ways) -> None:
        """A cell with its count and the ways it is published (merging ways of one key)."""
        self.values[key] = int(value)
        self.shown.setdefault(key, [])
        self.shown[key].extend(tuple(w) for w in ways)

    def margin(self, total, parts, residual=None) -> None:
        """``total = sum(parts)``; the difference (people in no part) becomes a residual cell never published."""
        parts = [p for p in parts if p in self.values]
        if total not in self.values or not parts:
            return
        rest = self.values[total] - sum(self.values[p] for p in parts)
        if rest < 0:  # the parts overlap (not a partition of the total): no sum to exploit
            return
        if rest > 0:
            key = residual if residual is not None else ("residual", total, len(self.margins))
            self.add(key, rest)
            parts = [*parts, key]
        self.margins.append((total, parts))


def _published(cells: Cells, off: set) -> set:
    """The cells shown: those with a way of being published whose switches are all on."""
    off = off if isinstance(off, (set, frozenset)) else set(off)
    return {k for k, ways in cells.shown.items() if any(off.isdisjoint(w) for w in ways)}


def _where(cells: Cells) -> dict:
    """cell -> the margins it is in (as total or term); cached until a margin is added."""
    cache = cells.__dict__.get("_where_cache")
    if cache is None or cache[0] != len(cells.margins):
        where: dict = {}
        for i, (total, parts) in enumerate(cells.margins):
            for key in (total, *parts):
                where.setdefault(key, []).append(i)
        cache = (len(cells.margins), where)
        cells.__dict__["_where_cache"] = cache
    return cache[1]


def recoverable(cells: Cells, off: set) -> dict:
    """Cells a reader can work out: the published ones, and any that is the only unknown
    term of a sum whose other terms are known (repeated until nothing new is found).

    Returns cell -> the margin it was worked out from (None for a published cell).
    """
    return _recover(cells, _published(cells, off))


def _recover(cells: Cells, published: set) -> dict:
    """:func:`recoverable` from the cells published (:func:`_published`)."""
    known = dict.fromkeys(published)
    where = _where(cells)
    queue = list(range(len(cells.margins)))
    queued = set(queue)
    while queue:
        i = queue.pop()
        queued.discard(i)
        total, parts = cells.margins[i]
        unknown = [p for p in parts if p not in known]
        new = None
        if total in known and len(unknown) == 1:
            new = unknown[0]
        elif total not in known and not unknown:
            new = total
        if new is None:
            continue
        known[new] = i
        for j in where.get(new, ()):
            if j not in queued:
                queued.add(j)
                queue.append(j)
    return known


def exposed(cells: Cells, off: set, min_cell: int) -> list:
    """Sums a reader can work out that describe 1 to ``min_cell - 1`` people.

    A hidden cell that :func:`recoverable` works out is one. And for every margin whose
    total is known, the terms a reader does not know add up to the total minus the
    known terms: the people of the hidden groups together (and of no group).

    Returns
    -------
    list of (int, list, int)
        ``(margin number, unknown terms, people)`` wherever that number of people is
        between 1 and ``min_cell - 1``.
    """
    return _exposed(cells, recoverable(cells, off), min_cell)


def _exposed(cells: Cells, known: dict, min_cell: int) -> list:
    """:func:`exposed` from the cells a reader can work out (:func:`recoverable`)."""
    out = [(i, [key], cells.values[key]) for key, i in known.items() if i is not None and 0 < cells.values[key] < min_cell]
    for i, (total, parts) in enumerate(cells.margins):
        if total not in known:
            continue
        unknown = [p for p in parts if p not in known]
        rest = sum(cells.values[p] for p in unknown)
        if 0 < rest < min_cell:
            out.append((i, unknown, rest))
    return out


def protect(cells: Cells, min_cell: int, off: set | None = None) -> tuple[set, set]:
    """Switches to turn off so that no sum a reader can form describes 1 to ``min_cell - 1`` people.

    Primary: every cell of 1 to ``min_cell - 1`` people is hidden (the first switch of
    each way it is published). Secondary, repeated until :func:`exposed` finds nothing:
    in a margin whose unknown terms add up to fewer than ``min_cell`` people, the
    smallest published term with people in it is hidden too (ties: by key), never the
    margin's total and never a protected switch.

    Returns
    -------
    (set, set)
        The switches turned off by the primary rule, and all switches turned off.
    """
    off = set(off or ())
    published = _published(cells, off)
    for key, value in cells.values.items():
        if 0 < value < min_cell and key in published:
            off.update(w[0] for w in cells.shown[key] if all(s not in off for s in w))
    primary = set(off)
    stuck: set = set()
    while True:
        # what a reader can work out is computed once per state of the switches, for the
        # problems and for the candidates of each (a problem without one is skipped)
        published = _published(cells, off)
        known = _recover(cells, published)
        for i, unknown, _ in _exposed(cells, known, min_cell):
            if (i, tuple(unknown)) in stuck:
                continue
            pick = _candidate(cells, off, i, published=published, known=known)
            if pick is not None:
                off.update(pick)
                break
            stuck.add((i, tuple(unknown)))
        else:
            return primary, off


def _hideable(cells: Cells, off: set, key, published: set):
    """The switches that would hide a published cell with people in it, or None."""
    if key not in published or cells.values[key] <= 0:
        return None
    ways = [w for w in cells.shown[key] if all(s not in off for s in w)]
    if not ways or any(w[0] in cells.protected for w in ways):
        return None
    return {w[0] for w in ways}


def _cost(switches: set) -> int:
    """1 for a switch that hides a whole row, 0 for one that hides a share or a count within it."""
    return int(any(isinstance(sw, tuple) and sw and sw[0] == "row" for sw in switches))


def _candidate(cells: Cells, off: set, margin: int, depth: int = 4, published: set | None = None, known: dict | None = None) -> set | None:
    """Switches to turn off for an exposed margin.

    The published terms of the margin, and (where its known terms were worked out from
    other sums) of the sums they were worked out from, up to ``depth`` steps away; the
    total only where the margin is an equality (the same people in two tables) and not
    protected. Chosen: what hides the least (a share or a count within a row before a
    whole row), then the nearest sum, then the smallest count, then the key.
    ``published`` and ``known``, when given, are :func:`_published` and
    :func:`recoverable` of ``off`` (computed once by the caller).
    """
    published = _published(cells, off) if published is None else published
    known = recoverable(cells, off) if known is None else known
    queue, seen = [margin], {margin}
    found = []
    for level in range(depth):
        if not queue:
            break
        current, queue = queue, []
        for m in current:
            total, parts = cells.margins[m]
            here = []
            for key in parts:
                sw = _hideable(cells, off, key, published)
                if sw:
                    here.append((_cost(sw), level, cells.values[key], str(key), sw))
            if not here and len(parts) == 1:
                sw = _hideable(cells, off, total, published)
                if sw:
                    here.append((_cost(sw), level, cells.values[total], str(total), sw))
            found += here
            for key in (total, *parts):
                src = known.get(key)
                if src is not None and src not in seen:
                    seen.add(src)
                    queue.append(src)
    if not found:
        return None
    return min(found, key=lambda f: f[:4])[4]


def _family_totals(table: pd.DataFrame, family_cols: Sequence[str], totals: pd.Series, breakdown: str) -> dict:
    """family key -> index of its total row: a total row of the family itself, or (when the
    family is one breakdown of a measure) the total row of the same measure."""
    out = {}
    fams = table.groupby(list(family_cols), sort=False, dropna=False).indices
    measure = [c for c in family_cols if c != breakdown]
    total_rows = table.loc[totals.to_numpy()]
    by_measure = {}
    if breakdown in family_cols:
        for i, key in zip(total_rows.index, total_rows[measure].itertuples(index=False, name=None)):
            by_measure.setdefault(key, i)
    for key, idx in fams.items():
        key = key if isinstance(key, tuple) else (key,)
        own = [table.index[j] for j in idx if totals.iloc[j]]
        if own:
            out[key] = own[0]
        elif breakdown in family_cols:
            mkey = tuple(k for c, k in zip(family_cols, key) if c != breakdown)
            if mkey in by_measure:
                out[key] = by_measure[mkey]
    return out


def row_cells(
    table: pd.DataFrame,
    count_cols: Sequence[str],
    min_cell: int,
    family_cols: Sequence[str] | None = None,
    total_mask: pd.Series | None = None,
    parents: Mapping | None = None,
    breakdown: str = "group_by",
    group: str = "group",
) -> Cells:
    """The head counts of a table as :class:`Cells`: one switch per row (``("row", index)``).

    Margins: within each family (``family_cols``), the rows add up to the family's total
    row (a ``total_mask`` row of the family, or of the same measure when ``breakdown``
    is one of the family columns: the consortium row of an indicator for its partner
    rows); a family without a total in the table adds up to a total published
    elsewhere. ``parents`` maps ``(breakdown value, group)`` of a row to that of the row
    it is part of (a partner to its country), within the same measure.
    """
    cells = Cells()
    counts = table[list(count_cols)].apply(pd.to_numeric, errors="coerce").astype("float64")
    totals = total_mask.reindex(table.index).fillna(False).astype(bool) if total_mask is not None else pd.Series(False, index=table.index)
    for i in table.index:
        for col in count_cols:
            v = counts.at[i, col]
            if not np.isnan(v):
                cells.add((i, col), int(v), (("row", i),))
        if totals.loc[i]:
            cells.protected.add(("row", i))
    if not family_cols:
        return cells
    fam_totals = _family_totals(table, family_cols, totals, breakdown)
    for key, idx in table.groupby(list(family_cols), sort=False, dropna=False).indices.items():
        key = key if isinstance(key, tuple) else (key,)
        rows = [table.index[j] for j in idx if not totals.iloc[j]]
        if not rows:
            continue
        t = fam_totals.get(key)
        for col in count_cols:
            if t is None:  # the total is published elsewhere: a cell of the sum, always shown
                parts = [(r, col) for r in rows if (r, col) in cells.values]
                if not parts:
                    continue
                tkey = ("elsewhere", key, col)
                cells.add(tkey, sum(cells.values[p] for p in parts), (("elsewhere",),))
                cells.protected.add(("elsewhere",))
                cells.margin(tkey, parts)
            else:
                cells.margin((t, col), [(r, col) for r in rows])
    if parents and breakdown in table.columns and group in table.columns:
        measure = [c for c in family_cols if c != breakdown]
        where = {}
        for i, k, b, g in zip(table.index, table[measure].itertuples(index=False, name=None), table[breakdown], table[group]):
            where[(k, b, str(g))] = i
        children: dict = {}
        for (k, b, g), i in where.items():
            parent = parents.get((b, g))
            if parent is not None and (k, parent[0], str(parent[1])) in where:
                children.setdefault(where[(k, parent[0], str(parent[1]))], []).append(i)
        for p, kids in children.items():
            for col in count_cols:
                cells.margin((p, col), [(c, col) for c in kids])
    return cells


def blank(table: pd.DataFrame, rows, cols: Sequence[str]) -> pd.DataFrame:
    """``table`` with ``cols`` of ``rows`` missing (never 0); integer columns become nullable."""
    out = table
    mask = out.index.isin(list(rows))
    if not mask.any():
        return out
    for col in cols:
        if pd.api.types.is_integer_dtype(out[col].dtype) and not pd.api.types.is_extension_array_dtype(out[col].dtype):
            out[col] = out[col].astype("Int64")
        if pd.api.types.is_bool_dtype(out[col].dtype) and not pd.api.types.is_extension_array_dtype(out[col].dtype):
            out[col] = out[col].astype(object)
        out.loc[mask, col] = pd.NA if pd.api.types.is_extension_array_dtype(out[col].dtype) else np.nan
    return out


def suppress(
    table: pd.DataFrame,
    count_cols: Sequence[str],
    value_cols: Sequence[str],
    min_cell: int,
    family_cols: Sequence[str] | None = None,
    total_mask: pd.Series | None = None,
    parents: Mapping | None = None,
    cells: Cells | None = None,
) -> pd.DataFrame:
    """Apply primary and secondary suppression to a published table.

    Parameters
    ----------
    table : DataFrame
        One row per group.
    count_cols : sequence of str
        Head counts; a row is primarily suppressed when its smallest positive count
        is below ``min_cell``.
    value_cols : sequence of str
        Statistics that describe the row's people; blanked with the counts.
    min_cell : int
        Smallest number of people a published number may describe (>= 1).
    family_cols : sequence of str, optional
        Columns that define families of rows adding up to a published total
        (e.g. ``["indicator_id", "group_by"]``, whose total is the indicator's
        consortium row); no secondary suppression without them.
    total_mask : Series of bool, optional
        Rows that are totals themselves (never chosen for secondary suppression).
    parents : mapping, optional
        ``(group_by, group) -> (group_by, group)``: rows that add up to another row of
        the same measure (partners to their country).
    cells : Cells, optional
        The table's cells as built by :func:`row_cells` plus any others (shares within
        rows); the rows hidden are those whose switch ``("row", index)`` is turned off.

    Returns
    -------
    DataFrame
        A copy with blanked cells and the columns ``suppressed`` (bool) and
        ``suppression`` ("primary", "secondary" or "").
    """
    return _suppress(table, count_cols, value_cols, min_cell, family_cols, total_mask, parents, cells)[0]


def _suppress(table, count_cols, value_cols, min_cell, family_cols=None, total_mask=None, parents=None, cells=None) -> tuple[pd.DataFrame, set]:
    """:func:`suppress`, also returning every switch turned off."""
    if not isinstance(min_cell, (int, np.integer)) or min_cell < 1:
        raise ValueError(f"min_cell must be a whole number >= 1, got {min_cell!r}")
    missing = [c for c in (*count_cols, *value_cols) if c not in table.columns]
    if missing:
        raise ValueError(f"columns {missing} not in the table; columns: {list(table.columns)}")
    out = table.copy()
    if cells is None:
        cells = row_cells(out, count_cols, min_cell, family_cols, total_mask, parents)
    primary, off = protect(cells, int(min_cell), off=getattr(cells, "seed", None))
    kind = pd.Series("", index=out.index, dtype=object)
    for i in out.index:
        if ("row", i) in primary:
            kind.loc[i] = "primary"
        elif ("row", i) in off:
            kind.loc[i] = "secondary"
    hide = kind != ""
    out = blank(out, out.index[hide.to_numpy()], [*count_cols, *value_cols])
    out[SUPPRESSED] = hide.to_numpy()
    out[SUPPRESSION] = kind.to_numpy()
    return out, off


#: Private columns of the indicator rows with the head counts behind the shares
#: (dropped before publication): reliable change categories and McNemar's 2x2 table
#: (a = yes at both waves, b = yes -> no, c = no -> yes, d = no at both waves).
RC_COUNTS = {"improved": "_rc_improved", "unchanged": "_rc_unchanged", "worsened": "_rc_worsened"}
MC_COUNTS = {"a": "_mc_a", "b": "_mc_b", "c": "_mc_c", "d": "_mc_d"}
#: Analyses whose rows count people at each wave and paired (n_pre - n_paired answered only before).
ONE_WAVE_ANALYSES = ("paired_change", "comparison_change", "mcnemar")
#: What each switch of an indicator row hides besides its counts.
RC_VALUES = {"improved": ["reliable_improved", "reliable_improved_ci_low", "reliable_improved_ci_high"], "unchanged": ["reliable_unchanged"], "worsened": ["reliable_worsened"]}
MC_SHARE_VALUES = ["mean_pre", "mean_post"]
#: The interval of a difference of paired proportions (and McNemar's p-value) gives b + c
#: (Wald: se^2 n^2 = b + c - (c - b)^2 / n), hence b and c with the difference.
MC_INTERVAL_VALUES = ["ci_low", "ci_high", "effect_size_ci_low", "effect_size_ci_high", "p_value", "p_value_adjusted"]


def parents_of(frame: pd.DataFrame, child: str = "partner", parent: str = "country") -> dict:
    """``(child, code) -> (parent, code)`` from a frame with both columns (each partner's country)."""
    if child not in frame.columns or parent not in frame.columns:
        return {}
    pairs = frame[[child, parent]].dropna().drop_duplicates()
    return {(child, str(a)): (parent, str(b)) for a, b in zip(pairs[child], pairs[parent])}


def _int(v) -> int | None:
    return None if v is None or pd.isna(v) else int(v)


def _indicator_cells(table: pd.DataFrame, count_cols: Sequence[str], min_cell: int, parents: Mapping | None) -> tuple[Cells, set]:
    """Cells of an indicator table: row counts, the counts behind shares, and the links
    between its analyses (a partner's participants in the difference in differences are
    its participants in the paired change; the consortium's are the sum of those
    partners'). Returns the cells and the switches already off (shares hidden within a row)."""
    fam = ["indicator_id", "group_by"]
    totals = table["group_by"].eq("consortium")
    cells = row_cells(table, count_cols, min_cell, fam, totals, parents)
    off: set = set()
    kinds = {}
    for i, r in table.iterrows():
        row = ("row", i)
        if r["analysis"] in ONE_WAVE_ANALYSES and (i, "n_paired") in cells.values:
            # n_pre - n_paired: people who answered only the first wave (drop-outs); likewise n_post
            for col, alone in (("n_pre", "pre_only"), ("n_post", "post_only")):
                if (i, col) in cells.values:
                    cells.shown[(i, col)] = [((col, i), row)]
                    cells.add((i, alone), cells.values[(i, col)] - cells.values[(i, "n_paired")], ((col, i), row))
                    cells.margin((i, col), [(i, "n_paired"), (i, alone)])
        rc = {c: _int(r.get(col)) for c, col in RC_COUNTS.items()}
        if all(v is not None for v in rc.values()):
            for c, v in rc.items():
                cells.add((i, c), v, (("rc", i, c), row))
                if pd.isna(r.get(RC_VALUES[c][0])):
                    off.add(("rc", i, c))
            if (i, "n_paired") in cells.values:
                cells.margin((i, "n_paired"), [(i, c) for c in rc])
            kinds[i] = list(rc)
        if (i, "pre_only") in cells.values:
            kinds[i] = [*kinds.get(i, []), "pre_only", "post_only"]
        mc = {c: _int(r.get(col)) for c, col in MC_COUNTS.items()}
        if all(v is not None for v in mc.values()):
            a, b, c, d = mc["a"], mc["b"], mc["c"], mc["d"]
            share, interval = ("share", i), ("interval", i)
            for key, v in (("yes_pre", a + b), ("no_pre", c + d), ("yes_post", a + c), ("no_post", b + d)):
                cells.add((i, key), v, (share, row))
            cells.add((i, "b"), b, (interval, row))
            cells.add((i, "c"), c, (interval, row))
            cells.add((i, "a"), a, (interval, share, row))
            cells.add((i, "d"), d, (interval, share, row))
            if (i, "n_paired") in cells.values:
                cells.margin((i, "n_paired"), [(i, "yes_pre"), (i, "no_pre")])
                cells.margin((i, "n_paired"), [(i, "yes_post"), (i, "no_post")])
            for tot, parts in (("yes_pre", "ab"), ("no_pre", "cd"), ("yes_post", "ac"), ("no_post", "bd")):
                cells.margin((i, tot), [(i, parts[0]), (i, parts[1])])
            if pd.isna(r.get("mean_pre")):
                off.add(share)
            kinds[i] = [*kinds.get(i, []), "yes_pre", "no_pre", "yes_post", "no_post", "a", "b", "c", "d"]
    # the same categories add up across the groups of a breakdown, and partners to their country
    where = {(r.indicator_id, r.group_by, str(r.group)): i for i, r in zip(table.index, table[["indicator_id", "group_by", "group"]].itertuples(index=False))}
    for (ind, by), idx in table.groupby(fam, sort=False).indices.items():
        if by == "consortium":
            continue
        t = where.get((ind, "consortium", "all"))
        rows = [table.index[j] for j in idx]
        if t is None or t not in kinds:
            continue
        for c in kinds[t]:
            cells.margin((t, c), [(i, c) for i in rows if i in kinds])
    children: dict = {}
    for (ind, by, g), i in where.items():
        parent = (parents or {}).get((by, g))
        p = where.get((ind, parent[0], parent[1])) if parent else None
        if p is not None and p in kinds and i in kinds:
            children.setdefault(p, []).append(i)
    for p, kids in children.items():
        for c in kinds[p]:
            cells.margin((p, c), [(i, c) for i in kids])
    # the difference in differences repeats the paired change's counts of the same people
    for i, r in table.loc[table["analysis"].eq("diff_in_diff")].iterrows():
        ind = str(r.indicator_id)
        for col, other in (("n_paired", ind.replace(".diff_in_diff", ".change", 1)), ("n_comparison", ind.replace(".diff_in_diff", ".comparison_change", 1))):
            if (i, col) not in cells.values:
                continue
            if r.group_by == "consortium":
                kids = [j for (o, by, g), j in where.items() if o == other and by == "partner" and (ind, "partner", g) in where]
                cells.margin((i, col), [(j, "n_paired") for j in kids])
            else:
                j = where.get((other, r.group_by, str(r.group)))
                if j is not None and (j, "n_paired") in cells.values:
                    cells.margin((i, col), [(j, "n_paired")])
    return cells, off


def protect_indicators(table: pd.DataFrame, count_cols: Sequence[str], value_cols: Sequence[str], min_cell: int, parents: Mapping | None = None) -> pd.DataFrame:
    """Disclosure control of the indicator table (rows, and the shares within rows).

    Rows as :func:`suppress` (families: one indicator's groups of one breakdown, whose
    total is the consortium row; partners add up to their country). Within a row, the
    reliable change categories add up to its n, and McNemar's shares (yes / no at each
    wave) and interval (which gives the people who changed answer, b and c) describe
    the cells of the row's 2x2 table; each category adds up across the groups too. A
    share, or an interval, is published only where no cell it reveals (alone or by
    subtraction along any of these sums) describes 1 to ``min_cell - 1`` people.
    Reads the private count columns :data:`RC_COUNTS` and :data:`MC_COUNTS` (and drops them).
    """
    cells, off = _indicator_cells(table, count_cols, min_cell, parents)
    out, off = _suppress(table, count_cols, value_cols, min_cell, cells=_Seeded(cells, off))
    notes = out["note"].astype(object).fillna("").tolist()
    hide: dict[str, list] = {}  # column -> rows whose value in it is hidden (blanked at the end, a column at a time)
    for pos, (i, suppressed) in enumerate(zip(out.index, out[SUPPRESSED])):
        if suppressed:
            continue
        hidden = [c for c in RC_COUNTS if ("rc", i, c) in off]
        if hidden:
            _hide(hide, i, [v for c in hidden for v in RC_VALUES[c]])
            text = notes_.RC_HIDDEN_REVEAL.format(shares=", ".join(sorted(hidden)), k=min_cell)
            notes[pos] = "; ".join(n for n in [_drop_old_rc(notes[pos]), text] if n)
        alone = [c for c in ("n_pre", "n_post") if (c, i) in off]
        if alone:
            _hide(hide, i, alone)
            notes[pos] = "; ".join(n for n in [notes[pos], notes_.WAVE_COUNTS_HIDDEN.format(counts=" and ".join(alone), k=min_cell)] if n)
        if ("share", i) in off:
            _hide(hide, i, MC_SHARE_VALUES)
            if "shares hidden" not in notes[pos]:
                notes[pos] = "; ".join(n for n in [notes[pos], notes_.SHARES_HIDDEN_REVEAL.format(k=min_cell)] if n)
        if ("interval", i) in off:
            _hide(hide, i, [c for c in MC_INTERVAL_VALUES if c in out.columns])
            notes[pos] = "; ".join(n for n in [notes[pos], notes_.INTERVAL_HIDDEN.format(k=min_cell)] if n)
    for col, rows in hide.items():
        out = blank(out, rows, [col])
    out["note"] = notes
    return out.drop(columns=[c for c in (*RC_COUNTS.values(), *MC_COUNTS.values()) if c in out.columns])


def _hide(hide: dict, row, cols) -> None:
    """Note in ``hide`` (column -> rows) that ``cols`` of ``row`` are to be blanked.

    :func:`blank` changes a column's type the first time it blanks a value in it and
    then only sets values, so blanking each column once for all its rows gives the
    table that blanking row by row gives, with one pass per column instead of per row."""
    for col in cols:
        hide.setdefault(col, []).append(row)


def _drop_old_rc(note: str) -> str:
    return "; ".join(p for p in note.split("; ") if not p.startswith("reliable change shares ") or "hidden" not in p)


class _Seeded(Cells):
    """Cells whose protection starts from switches already off (shares hidden within a row)."""

    def __init__(self, cells: Cells, off: set):
        super().__init__(cells.values, cells.shown, cells.margins, cells.protected)
        self.seed = set(off)


def smallest_published_count(table: pd.DataFrame, count_cols: Sequence[str]) -> float:
    """The smallest positive head count left in a published table (NaN if none).

    Used by tests and the report's checks: it must be at least ``min_cell``.
    """
    counts = table[list(count_cols)].apply(pd.to_numeric, errors="coerce").astype("float64")
    values = counts.to_numpy().ravel()
    values = values[~np.isnan(values) & (values > 0)]
    return float(values.min()) if len(values) else float("nan")


def hidden_shares(counts: dict[str, int], min_cell: int, prefer: Sequence[str] = ()) -> set[str]:
    """Categories of one row whose shares may not be published.

    A share (improved / unchanged / worsened; yes / no) is a head count divided by the
    row's n, so it describes that many people. A category with 1 to ``min_cell - 1``
    people is hidden; when exactly one category is hidden and the shares add up to one,
    the smallest other category with people in it is hidden too, or the hidden share
    could be recovered as one minus the others (the rule of :func:`suppress`, within a
    row).

    Parameters
    ----------
    counts : dict of str -> int
        People per category; the categories are exhaustive (their shares add to one).
    min_cell : int
        Smallest number of people a published number may describe.
    prefer : sequence of str, optional
        Categories to hide first for the secondary hiding (the least informative ones,
        such as "unchanged"); otherwise the smallest.

    Returns
    -------
    set of str
        The categories to hide (empty when every share may be published).

    Examples
    --------
    >>> sorted(hidden_shares({"improved": 30, "unchanged": 60, "worsened": 3}, 5))
    ['improved', 'worsened']
    """
    if not isinstance(min_cell, (int, np.integer)) or min_cell < 1:
        raise ValueError(f"min_cell must be a whole number >= 1, got {min_cell!r}")
    hidden = {k for k, c in counts.items() if 0 < c < min_cell}
    if len(hidden) == 1:
        others = [(c, k) for k, c in counts.items() if k not in hidden and c > 0]
        preferred = [k for k in prefer if k in dict((k2, c) for c, k2 in others)]
        if preferred:
            hidden.add(preferred[0])
        elif others:
            hidden.add(min(others)[1])
    return hidden


def rare_combinations(frame: pd.DataFrame, columns: Sequence[str], min_cell: int) -> pd.DataFrame:
    """Combinations of grouping values that fewer than ``min_cell`` people share.

    A quasi-identifier check (k-anonymity, Sweeney 2002): people whose combination
    of, say, partner, gender, age group and respondent group is shared by fewer
    than ``min_cell`` people could be recognised in any table that crosses those
    fields. Each person counts once (``respondent_id`` when present, else each row).
    Missing values are a value of their own ("not given" is as telling as any answer).

    Parameters
    ----------
    frame : DataFrame
        One row per answer (several waves may repeat a person).
    columns : sequence of str
        The grouping fields to cross.
    min_cell : int
        The suppression minimum.

    Returns
    -------
    DataFrame
        ``columns`` and ``n`` (people), one row per combination with ``0 < n < min_cell``,
        sorted by the columns. This is for checking, never for publication.

    References
    ----------
    Sweeney, L. (2002). k-anonymity: a model for protecting privacy. *International
    Journal of Uncertainty, Fuzziness and Knowledge-Based Systems* 10(5), 557-570.
    """
    if not isinstance(min_cell, (int, np.integer)) or min_cell < 1:
        raise ValueError(f"min_cell must be a whole number >= 1, got {min_cell!r}")
    cols = list(columns)
    people = frame.drop_duplicates("respondent_id") if "respondent_id" in frame.columns else frame
    keys = people[cols].astype("string").fillna("(not given)")
    counts = keys.value_counts(sort=False).rename("n").reset_index()
    rare = counts.loc[counts["n"] < min_cell]
    return rare.sort_values(cols, kind="stable").reset_index(drop=True)


def combination_check(frame: pd.DataFrame, columns: Sequence[str], min_cell: int) -> pd.DataFrame:
    """How many small groups crossing grouping fields would create: every pair, and all together.

    Returns one row per crossing with ``fields``, ``groups`` (combinations present),
    ``small_groups`` (fewer than ``min_cell`` people) and ``people_in_small_groups``.
    The last is a head count: published only through
    :func:`pipeline.report.tables.small_count` ("fewer than k" below the minimum).
    """
    from itertools import combinations

    cols = [c for c in columns if c in frame.columns]
    crossings = [list(p) for p in combinations(cols, 2)]
    if len(cols) > 2:
        crossings.append(cols)
    rows = []
    people = frame.drop_duplicates("respondent_id") if "respondent_id" in frame.columns else frame
    for cross in crossings:
        keys = people[cross].astype("string").fillna("(not given)")
        counts = keys.value_counts()
        small = counts[counts < min_cell]
        n_small = int(small.sum())
        rows.append({"fields": " x ".join(cross), "groups": int(len(counts)), "small_groups": int(len(small)), "people_in_small_groups": n_small})
    return pd.DataFrame(rows, columns=["fields", "groups", "small_groups", "people_in_small_groups"])


#: What the published quarantine shows instead of a value a respondent typed.
WITHHELD = "(withheld)"
#: A value published in the quarantine as a number: at most four digits before the
#: decimal point (an answer out of range, a head count); longer digit strings
#: (phone numbers, postcodes, identifiers) are withheld.
_SHORT_NUMBER = re.compile(r"-?\d{1,4}(?:[.,]\d{1,2})?")


def codebook_codes(codebook, partner_codes=()) -> set[str]:
    """The codes a codebook (and the consortium registry) defines: answer and missing
    codes of the items, choices of the fields, waves, languages, partner codes."""
    codes = {str(c) for c in partner_codes}
    codes |= {str(w) for w in codebook.waves} | {str(x) for x in codebook.languages}
    for it in codebook.items:
        codes |= {str(v) for v in it.response_scale.values} | {str(v) for v in it.response_scale.missing}
    for f in codebook.fields:
        codes |= {str(c) for c in (f.choices or ())}
    return codes


def public_quarantine(quarantine: pd.DataFrame, codes: Mapping[str, set]) -> pd.DataFrame:
    """The quarantine as published: no value a respondent typed, no submission id.

    Each line keeps its instrument, file, row, wave, column and reason. The ``value``
    is kept only where it is a code of the codebook's own lists (``codes[instrument]``,
    see :func:`codebook_codes`) or a short number (:data:`_SHORT_NUMBER`); otherwise
    it reads :data:`WITHHELD`, and the ``detail`` (which quotes the value) becomes the
    reason's plain sentence. Names, addresses or phone numbers typed into the wrong
    box, pseudonyms, dates and KoboToolbox submission UUIDs thus never leave the build
    folder, whose private quarantine keeps the full lines for the data manager.
    """
    from pipeline.schema import REASON_TEXT

    out = quarantine.copy()
    if out.empty:
        return out
    keep = []
    for inst, value in zip(out["instrument"] if "instrument" in out.columns else [None] * len(out), out["value"]):
        text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value).strip()
        keep.append(text == "" or text in codes.get(inst, set()) or bool(_SHORT_NUMBER.fullmatch(text)))
    keep = pd.Series(keep, index=out.index)
    out["value"] = out["value"].astype(object).where(keep, WITHHELD)
    generic = out["reason"].map(lambda r: REASON_TEXT.get(str(r), str(r)))
    out["detail"] = out["detail"].astype(object).where(keep, generic)
    return out


class DisclosureError(PipelineError):
    """A table about to be published shows a count below the minimum: a bug, never published."""

    exit_code = 1


def check_published(table: pd.DataFrame, count_cols: Sequence[str], min_cell: int, name: str) -> None:
    """Refuse to publish a table with a positive head count below ``min_cell`` (the last gate).

    Raises
    ------
    DisclosureError
        Naming the table, the column and the smallest count found.
    """
    cols = [c for c in count_cols if c in table.columns]
    smallest = smallest_published_count(table, cols) if cols else float("nan")
    if not np.isnan(smallest) and smallest < min_cell:
        raise DisclosureError(f"{name}: a published count is {smallest:g}, below the minimum of {min_cell}; the table was not published")
