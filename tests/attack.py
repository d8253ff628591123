"""A reader's attack on the published tables: every subtraction along the published sums.

Written apart from :mod:`pipeline.analysis.disclosure` (it reads only the CSV files a
reader gets, and the partners' countries, which the consortium publishes): the counts a
reader can read or work out (shares x n, the McNemar 2x2 table from the shares, the
difference and its Wald interval; n_pre - n_paired, the people who answered only
before), the sums that tie them (the groups of a breakdown
to the consortium, partners to their country, the categories of a row to its n, the
difference in differences' partners to the paired change's), then repeatedly: a sum
whose total and all terms but one are known gives that term; a sum whose total is
known gives the people of its unknown terms together (the total minus the known
terms, hence also their mean from the weighted means). :func:`attack` returns every
number of 1 to ``min_cell - 1`` people a reader can rebuild that the tables do not show.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

Z95 = 1.959963984540054


def _num(v) -> float | None:
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return None if np.isnan(x) else x


class Reader:
    """What a reader knows: values of named quantities, and sums among them."""

    def __init__(self):
        self.known: dict = {}
        self.sums: list = []  # (total, [terms], where)

    def read(self, key, value) -> None:
        if value is not None:
            self.known[key] = round(value)

    def add_sum(self, total, terms, where: str) -> None:
        self.sums.append((total, list(terms), where))

    def run(self, min_cell: int) -> list[str]:
        """Solve what can be solved; return what reveals 1 to ``min_cell - 1`` people."""
        shown = dict(self.known)
        found = []
        changed = True
        while changed:
            changed = False
            for total, terms, where in self.sums:
                unknown = [t for t in terms if t not in self.known]
                if total in self.known and len(unknown) == 1:
                    rest = self.known[total] - sum(self.known[t] for t in terms if t in self.known)
                    if rest < 0:
                        continue  # not a partition
                    self.known[unknown[0]] = rest
                    changed = True
                elif total not in self.known and not unknown and terms:
                    self.known[total] = sum(self.known[t] for t in terms)
                    changed = True
        for key, value in self.known.items():
            if key not in shown and 0 < value < min_cell:
                found.append(f"{key} = {value} rebuilt by subtraction")
        for total, terms, where in self.sums:
            if total not in self.known:
                continue
            rest = self.known[total] - sum(self.known[t] for t in terms if t in self.known)
            if 0 < rest < min_cell:
                still = [t for t in terms if t not in self.known]
                found.append(f"{where}: total minus known terms = {rest} people in {still or 'no group'}")
        return sorted(set(found))


def _indicator_reader(reader: Reader, t: pd.DataFrame, parents: dict) -> None:
    t = t.copy()
    t["group"] = t["group"].astype(str)
    rows = {}
    for r in t.itertuples(index=False):
        key = (r.indicator_id, r.group_by, r.group)
        rows[key] = r
        for col in ("n_pre", "n_post", "n_paired", "n_comparison", "n_people"):
            reader.read((*key, col), _num(getattr(r, col, None)))
        n = _num(r.n_paired)
        if n is None:
            continue
        for cat in ("improved", "unchanged", "worsened"):
            share = _num(getattr(r, f"reliable_{cat}", None))
            reader.read((*key, cat), None if share is None else share * n)
        if r.analysis == "mcnemar":
            p0, p1, d = _num(r.mean_pre), _num(r.mean_post), _num(r.mean_change)
            reader.read((*key, "yes_pre"), None if p0 is None else p0 * n)
            reader.read((*key, "yes_post"), None if p1 is None else p1 * n)
            lo = _num(r.ci_low)
            if d is not None and lo is not None and n > 0:
                se = (d - lo) / Z95
                c_minus_b = d * n
                b_plus_c = se**2 * n**2 + c_minus_b**2 / n  # Wald: var = [(b + c) - (c - b)^2 / n] / n^2
                reader.read((*key, "b"), (b_plus_c - c_minus_b) / 2)
                reader.read((*key, "c"), (b_plus_c + c_minus_b) / 2)
    cats = ("improved", "unchanged", "worsened")
    mc = ("yes_pre", "no_pre", "yes_post", "no_post", "a", "b", "c", "d")
    counts = ("n_pre", "n_post", "n_paired", "n_comparison", "n_people")
    for key, r in rows.items():
        if r.analysis in ("paired_change", "comparison_change", "mcnemar"):  # people at one wave only
            reader.add_sum((*key, "n_pre"), [(*key, "n_paired"), (*key, "pre_only")], f"{key} n_pre - n_paired")
            reader.add_sum((*key, "n_post"), [(*key, "n_paired"), (*key, "post_only")], f"{key} n_post - n_paired")
        if r.analysis == "mcnemar":
            reader.add_sum((*key, "n_paired"), [(*key, "yes_pre"), (*key, "no_pre")], f"{key} yes + no before")
            reader.add_sum((*key, "n_paired"), [(*key, "yes_post"), (*key, "no_post")], f"{key} yes + no after")
            for tot, (x, y) in (("yes_pre", "ab"), ("no_pre", "cd"), ("yes_post", "ac"), ("no_post", "bd")):
                reader.add_sum((*key, tot), [(*key, x), (*key, y)], f"{key} 2x2 table")
        elif isinstance(r.analysis, str) and r.analysis.endswith("change"):
            reader.add_sum((*key, "n_paired"), [(*key, c) for c in cats], f"{key} reliable change categories")
    for (ind, by), sub in t.groupby(["indicator_id", "group_by"]):
        if by == "consortium" or (ind, "consortium", "all") not in rows:
            continue
        kind = rows[(ind, "consortium", "all")].analysis
        for q in (*counts, *(mc if kind == "mcnemar" else cats)):
            reader.add_sum((ind, "consortium", "all", q), [(ind, by, g, q) for g in sub["group"]], f"{ind} by {by}: consortium minus groups ({q})")
    kids: dict = {}
    for ind, by, g in rows:
        parent = parents.get((by, g))
        if parent and (ind, *parent) in rows:
            kids.setdefault((ind, *parent), []).append((ind, by, g))
    for p, ks in kids.items():
        kind = rows[p].analysis
        for q in (*counts, *(mc if kind == "mcnemar" else cats)):
            reader.add_sum((*p, q), [(*k, q) for k in ks], f"{p[0]}: {p[2]} minus its partners ({q})")
    for (ind, by, g), r in rows.items():
        if r.analysis != "diff_in_diff":
            continue
        for col, other in (("n_paired", ind.replace(".diff_in_diff", ".change")), ("n_comparison", ind.replace(".diff_in_diff", ".comparison_change"))):
            if by == "consortium":
                partners = [k[2] for k in rows if k[0] == ind and k[1] == "partner"]
                reader.add_sum((ind, by, g, col), [(other, "partner", p, "n_paired") for p in partners], f"{ind}: consortium = its partners in {other}")
            else:
                reader.add_sum((ind, by, g, col), [(other, by, g, "n_paired")], f"{ind}: {g} is the same people in {other}")


def _family_reader(reader: Reader, t: pd.DataFrame, name: str, measure: list[str], counts: list[str], total: str) -> None:
    t = t.copy()
    t["group"] = t["group"].astype(str)
    for r in t.itertuples(index=False):
        for col in counts:
            reader.read((name, *[getattr(r, m) for m in measure], r.group_by, r.group, col), _num(getattr(r, col)))
    for key, sub in t.groupby(measure):
        key = key if isinstance(key, tuple) else (key,)
        tot = sub.loc[sub["group_by"] == total]
        if tot.empty:
            continue
        for by, grp in sub.loc[sub["group_by"] != total].groupby("group_by"):
            for col in counts:
                terms = [(name, *key, by, g, col) for g in grp["group"]]
                reader.add_sum((name, *key, total, str(tot["group"].iloc[0]), col), terms, f"{name} {key} by {by}: total minus groups ({col})")


#: The indicator rows that describe the same people as an ``attrition.csv`` population.
ATTRITION_ROWS = {"participants": "change", "comparison group": "comparison_change"}


def _attrition_links(reader: Reader, attrition: pd.DataFrame, indicators: pd.DataFrame) -> None:
    """Tie ``attrition.csv`` to ``indicators.csv``: a scale's first-wave people are the
    completers and the drop-outs (n_pre = n_completed + n_dropped), and the completers
    are the pairs plus those who answered the second survey without this scale's score.
    A reader who holds both tables can subtract along these sums."""
    first = indicators
    if "wave_from" in indicators.columns:  # attrition.csv compares the first two waves only
        later = indicators["indicator_id"].astype(str).str.contains(r"\.change\.|\.comparison_change\.", regex=True)
        first = indicators.loc[~later]
    ids = set(zip(first["indicator_id"].astype(str), first["group_by"].astype(str), first["group"].astype(str)))
    for r in attrition.itertuples(index=False):
        kind = ATTRITION_ROWS.get(str(r.population))
        ind = (f"{r.instrument}.{r.scale}.{kind}", str(r.group_by), str(r.group))
        if kind is None or ind not in ids:
            continue
        att = ("attrition", r.instrument, r.scale, r.population, str(r.group_by), str(r.group))
        reader.add_sum((*ind, "n_pre"), [(*att, "n_completed"), (*att, "n_dropped")], f"{ind}: first-wave people = completers + drop-outs (attrition.csv)")
        reader.add_sum((*att, "n_completed"), [(*ind, "n_paired"), (*att, "completed_without_score")], f"{ind}: completers = pairs + second survey without this score")


def attack(build: Path, min_cell: int, parents: dict) -> list[str]:
    """Every count of 1 to ``min_cell - 1`` people a reader rebuilds from the published tables,
    each table alone and ``attrition.csv`` together with ``indicators.csv``."""
    build = Path(build)
    found = []
    if (build / "indicators.csv").exists():
        reader = Reader()
        _indicator_reader(reader, pd.read_csv(build / "indicators.csv"), parents)
        found += reader.run(min_cell)
    if (build / "attrition.csv").exists():
        reader = Reader()
        _family_reader(reader, pd.read_csv(build / "attrition.csv"), "attrition", ["instrument", "scale", "population"], ["n_completed", "n_dropped"], "consortium")
        found += reader.run(min_cell)
    if (build / "attrition.csv").exists() and (build / "indicators.csv").exists():
        reader = Reader()
        indicators = pd.read_csv(build / "indicators.csv")
        attrition = pd.read_csv(build / "attrition.csv")
        _indicator_reader(reader, indicators, parents)
        _family_reader(reader, attrition, "attrition", ["instrument", "scale", "population"], ["n_completed", "n_dropped"], "consortium")
        _attrition_links(reader, attrition, indicators)
        found += [f"attrition.csv with indicators.csv: {f}" for f in reader.run(min_cell)]
    if (build / "reliability.csv").exists():
        reader = Reader()
        _family_reader(reader, pd.read_csv(build / "reliability.csv"), "reliability", ["instrument", "scale", "wave"], ["n"], "all")
        found += reader.run(min_cell)
    if (build / "code_matching.csv").exists():
        reader = Reader()
        for i, r in pd.read_csv(build / "code_matching.csv").iterrows():
            for col in ("n_pre", "n_post", "n_exact", "n_tolerant", "n_unmatched_pre", "n_unmatched_post"):
                reader.read((i, col), _num(r[col]))
            reader.add_sum((i, "n_pre"), [(i, "n_exact"), (i, "n_tolerant"), (i, "n_unmatched_pre")], f"code_matching row {i} before")
            reader.add_sum((i, "n_post"), [(i, "n_exact"), (i, "n_tolerant"), (i, "n_unmatched_post")], f"code_matching row {i} after")
        found += reader.run(min_cell)
    return found


#: Column names of the published tables that hold counts (of people, rows, ties, organisations).
COUNT_COLUMN = r"^(n|n_(?!unit).*|rows_.*|k_partners|ties|links|new_ties|local|national|international|cross_border|public_authority|formal_agreement|organisations.*)$"
#: Words after a number that make it a count the reader takes for people (or pairs of answers).
COUNT_WORDS = ("participants", "people", "pairs", "respondents", "organisations", "staff", "partners", "ties", "activities", "raters")


def published_counts(tables: list[pd.DataFrame]) -> set[int]:
    """Every whole number in a count column of the published tables."""
    import re

    out: set[int] = set()
    for t in tables:
        for col in t.columns:
            if re.match(COUNT_COLUMN, str(col)):
                v = pd.to_numeric(t[col], errors="coerce").dropna()
                out |= set(v[v == v.round()].astype(int))
    return out


def printed_counts(page: str) -> list[tuple[int, str]]:
    """The counts a rendered report (HTML) prints: "n = 123", "123 people" (and the other
    :data:`COUNT_WORDS`), and the cells of table columns headed "n" or "... (n)".

    Not read here: the partners' sample flow tables (:func:`flow_attack` checks them),
    the privacy section's table of crossed fields ("people in them": people in groups
    below the minimum, together, worked out from the responses), and the numbers drawn
    inside charts (images)."""
    import re

    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, "html.parser")
    for tag in soup(["script", "style"]):
        tag.decompose()
    text = " ".join(soup.get_text(" ").split())
    found = []
    words = "|".join(COUNT_WORDS)
    for m in re.finditer(rf"\bn = (\d[\d,]*)|\b(\d[\d,]*) (?:{words})\b", text):
        found.append((int((m.group(1) or m.group(2)).replace(",", "")), text[max(0, m.start() - 60) : m.end() + 20]))
    for table in soup.find_all("table"):
        heads = [th.get_text(" ", strip=True).lower() for th in table.find_all("th")]
        if _is_flow(heads):
            continue  # counted from the responses, not published: audited by flow_attack
        counted = [i for i, h in enumerate(heads) if h == "n" or h.startswith("n (") or h.endswith("(n)")]
        for row in table.find_all("tr"):
            cells = [td.get_text(strip=True) for td in row.find_all(["td", "th"])]
            if len(cells) != len(heads):
                continue
            for i in counted:
                if re.fullmatch(r"\d[\d,]*", cells[i]):
                    found.append((int(cells[i].replace(",", "")), f"table column {heads[i]!r}: {cells}"))
    return found


def unpublished_counts(pages: dict[str, str], tables: list[pd.DataFrame]) -> list[str]:
    """Counts a report prints that no published table holds: numbers the report worked out
    itself from unpublished data, which disclosure control (and :func:`attack`) never saw."""
    known = published_counts(tables)
    return [f"{name}: {n} in ...{where}..." for name, page in pages.items() for n, where in printed_counts(page) if n != 0 and n not in known]


def _is_flow(heads: list[str]) -> bool:
    """A partner's sample flow table: columns "stage" and "people"."""
    return heads[:2] == ["stage", "people"]


#: A partner's sample flow table, as the report labels its rows, and its sums.
FLOW_ROWS = {"respondents": "kept", "matched": "matched", "only (lost to follow-up)": "first_only", "only (no baseline)": "second_only"}


def flow_attack(page: str, min_cell: int) -> list[str]:
    """The sample flow tables a report prints (counted from the responses, not published):
    can a hidden stage be rebuilt as a wave's respondents minus the matched?"""
    from bs4 import BeautifulSoup

    found = []
    for k, table in enumerate(BeautifulSoup(page, "html.parser").find_all("table")):
        if not _is_flow([th.get_text(" ", strip=True).lower() for th in table.find_all("th")]):
            continue
        reader, kept = Reader(), []
        for row in table.find_all("tr"):
            cells = [c.get_text(strip=True) for c in row.find_all(["td", "th"])]
            if len(cells) != 2 or cells[0].lower() == "stage":
                continue
            step = next((v for k, v in FLOW_ROWS.items() if k in cells[0]), None)
            if step == "kept":
                step = f"kept_{len(kept)}"
                kept.append(step)
            value = cells[1].replace(",", "")
            if step is not None and value.isdigit():
                reader.read(step, float(value))
        if len(kept) == 2:
            reader.add_sum("kept_0", ["matched", "first_only"], "respondents before = matched + before only")
            reader.add_sum("kept_1", ["matched", "second_only"], "respondents after = matched + after only")
        found += [f"sample flow table {k}: {f}" for f in reader.run(min_cell)]
    return found
