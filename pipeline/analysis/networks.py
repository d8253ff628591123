"""Partnership networks: ties as a graph (networkx), and tidy tables of ties.

The network survey has one row per tie: an organisation of the partnership (the
``partner`` that answers) names an organisation it works with. Names are compared
as a person would read them (case and repeated spaces ignored, :func:`org_key`),
and a name that is a partner's registered name is that partner.

With a handful of partners, ties are counted (per organisation, new, cross-border,
by level and kind) rather than summarised by centrality measures (docs/methods.md);
networkx gives the graph, its density among partners and the organisations it
reaches.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from pipeline.instruments.registry import Consortium

if TYPE_CHECKING:  # imported where a graph is made: data without a network survey never needs it (issue 12)
    import networkx as nx

#: Columns added to the tie rows by :func:`prepare_ties` (usable in the results framework).
DERIVED = {
    "organisation_key": "the organisation's name, case and spacing ignored",
    "tie_partner": "the partner code of the named organisation when it is a partner, else empty",
    "partner_tie": "'yes' when the named organisation is another partner",
    "cross_border": "'yes' when the named organisation is in another country than the partner",
}


def org_key(names: pd.Series) -> pd.Series:
    """Organisation names as compared: case-folded, spaces trimmed and collapsed."""
    return names.astype("string").str.casefold().str.split().str.join(" ")


def prepare_ties(ties: pd.DataFrame, consortium: Consortium) -> pd.DataFrame:
    """Tie rows with the :data:`DERIVED` columns added (a new frame).

    ``cross_border`` compares ``org_country`` with the answering partner's country
    from the registry; ``tie_partner`` matches the name against the registry's names.
    """
    out = ties.copy()
    out["organisation_key"] = org_key(out["organisation"])
    names = {p.name.casefold(): p.code for p in consortium.partners}
    names.update({p.code.casefold(): p.code for p in consortium.partners})
    out["tie_partner"] = out["organisation_key"].map(names).astype("string")
    out["partner_tie"] = out["tie_partner"].notna().map({True: "yes", False: "no"}).astype("string")
    home = out["partner"].map(consortium.country_of())
    out["cross_border"] = (out["org_country"].astype("string") != home.astype("string")).map({True: "yes", False: "no"}).astype("string")
    return out


def graph(ties: pd.DataFrame, consortium: Consortium) -> nx.Graph:
    """The undirected network of one wave's prepared ties.

    Nodes are the partners (always present, attribute ``partner=True``) and the
    organisations they name (keyed by :func:`org_key`; attributes ``name``,
    ``org_type``, ``country``). An edge joins a partner and an organisation it
    names; a tie named by both sides is one edge (``reported_by`` lists who named it).
    """
    import networkx as nx

    g = nx.Graph()
    for p in consortium.partners:
        g.add_node(p.code, partner=True, name=p.name, org_type=p.type, country=p.country)
    for row in ties.itertuples(index=False):
        other = row.tie_partner if isinstance(row.tie_partner, str) else row.organisation_key
        if not g.has_node(other):
            g.add_node(other, partner=False, name=str(row.organisation).strip(), org_type=row.org_type, country=row.org_country)
        if other == row.partner:
            continue
        if g.has_edge(row.partner, other):
            g.edges[row.partner, other]["reported_by"] = tuple(sorted({*g.edges[row.partner, other]["reported_by"], row.partner}))
        else:
            g.add_edge(row.partner, other, level=row.level, intensity=row.intensity, reported_by=(row.partner,))
    return g


def partner_density(g: nx.Graph) -> float:
    """Density of the network among the partners: ties between partners / possible pairs.

    density = 2m / (k(k - 1)) for k partners and m ties between them (networkx
    ``density`` of the partners' induced subgraph); 1 when every partner works
    with every other.
    """
    import networkx as nx

    partners = [n for n, d in g.nodes(data=True) if d.get("partner")]
    return float(nx.density(g.subgraph(partners))) if len(partners) > 1 else float("nan")


def organisations_reached(g: nx.Graph) -> int:
    """Organisations outside the partnership that at least one partner works with."""
    return sum(1 for n, d in g.nodes(data=True) if not d.get("partner") and g.degree(n) > 0)


def edges_table(ties: pd.DataFrame, consortium: Consortium) -> pd.DataFrame:
    """Tidy edges for drawing the network, one row per wave and tie.

    Columns: ``wave, source, target, target_name, target_type, target_country,
    target_is_partner, level, intensity, reported_by``. ``source`` is a partner
    code; ``target`` a partner code or an organisation key. Organisations are not
    people: no suppression applies.
    """
    rows = []
    for wave, sub in ties.groupby("wave", sort=True):
        g = graph(sub, consortium)
        for a, b, d in sorted(g.edges(data=True), key=lambda e: (str(e[0]), str(e[1]))):
            src, dst = (a, b) if g.nodes[a].get("partner") and (not g.nodes[b].get("partner") or a < b) else (b, a)
            node = g.nodes[dst]
            rows.append(
                {
                    "wave": wave,
                    "source": src,
                    "target": dst,
                    "target_name": node["name"],
                    "target_type": node["org_type"],
                    "target_country": node["country"],
                    "target_is_partner": bool(node.get("partner")),
                    "level": d["level"],
                    "intensity": d["intensity"],
                    "reported_by": " ".join(d["reported_by"]),
                }
            )
    return pd.DataFrame(rows, columns=["wave", "source", "target", "target_name", "target_type", "target_country", "target_is_partner", "level", "intensity", "reported_by"])


def ties_per_partner(ties: pd.DataFrame, first: str, last: str) -> pd.DataFrame:
    """Ties of each partner by wave and level, with new and cross-border ties.

    One row per partner and wave: ``partner, wave, ties, local, national,
    international, cross_border, public_authority, formal_agreement, new``; ``new``
    counts the ties of ``last`` whose organisation the partner did not name at
    ``first`` (empty at ``first``).
    """
    rows = []
    for (partner, wave), sub in ties.groupby(["partner", "wave"], sort=True):
        row = {"partner": partner, "wave": wave, "ties": len(sub)}
        for level in ("local", "national", "international"):
            row[level] = int((sub["level"] == level).sum())
        row["cross_border"] = int((sub["cross_border"] == "yes").sum())
        row["public_authority"] = int((sub["org_type"] == "public_authority").sum())
        row["formal_agreement"] = int((sub["intensity"] == "formal_agreement").sum())
        if wave == last:
            before = set(ties.loc[(ties["partner"] == partner) & (ties["wave"] == first), "organisation_key"])
            row["new"] = int((~sub["organisation_key"].isin(before)).sum())
        else:
            row["new"] = pd.NA
        rows.append(row)
    out = pd.DataFrame(rows)
    if len(out):
        out["new"] = out["new"].astype("Int64")
    return out
