"""Activities against the plan, participation per partner, dissemination by level.

The funder's third criterion asks whether every partner took part as foreseen and the
second whether activities were delivered as planned (docs/funder.md). Three tables,
computed from the activity register (design ``register``), the plan
(:mod:`pipeline.instruments.plan`) and the training survey's head counts:

``activities_plan.csv``  per kind of activity and host partner (and ``all`` hosts):
                         planned and held activities, held within the planned window,
                         planned and counted participants (:func:`against_plan`)
``participation.csv``    per partner (and ``all``): transnational meetings and trainings
                         held and attended by its staff (the register's
                         ``partners_attending``), its staff trained (distinct respondents
                         of the training survey's first wave), the local activities,
                         awareness and multiplier events it hosted and their participants
                         (:func:`participation`)
``dissemination.csv``    awareness and multiplier events by reach (local, national,
                         European): events, participants, people and organisations from
                         outside the partnership (:func:`dissemination`)

Activities and organisations are not people; participant counts are, and are
suppressed below ``min_cell`` with what would give them away
(:func:`pipeline.analysis.disclosure.suppress`). Participants are participations: a
person at two activities counts twice.
"""

from __future__ import annotations

import pandas as pd

from pipeline.analysis.disclosure import suppress

PLAN_COLUMNS = [
    "activity_type",
    "partner",
    "planned",
    "held",
    "held_in_window",
    "planned_from",
    "planned_to",
    "first_held",
    "last_held",
    "planned_participants",
    "participants",
    "suppressed",
    "suppression",
]
PARTICIPATION_COLUMNS = [
    "partner",
    "meetings_held",
    "meetings_attended",
    "trainings_held",
    "trainings_attended",
    "staff_trained",
    "activities_hosted",
    "participants_hosted",
    "suppressed",
    "suppression",
]
DISSEMINATION_COLUMNS = ["reach", "events", "awareness_events", "multiplier_events", "participants", "external_participants", "external_organisations", "suppressed", "suppression"]
#: The register's kinds for each column of the participation table.
MEETING, TRAINING = "transnational_meeting", "jste"
HOSTED = ("local_activity", "awareness_event", "multiplier_event")
DISSEMINATING = ("awareness_event", "multiplier_event")
#: Reach levels, in the order the tables list them.
REACH = ("local", "national", "european")
ALL = "all"


def _dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, errors="coerce").dt.normalize()


def _iso(value) -> str:
    return value.date().isoformat() if pd.notna(value) else ""


def against_plan(plan: pd.DataFrame, register: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    """Planned against held, per kind and host; activities the plan did not foresee get planned = 0.

    ``held_in_window`` counts the held activities whose first day falls within the
    planned window; ``participants`` sums the register's ``participants_total``.
    """
    reg = register.assign(_start=_dates(register["start_date"]), _n=pd.to_numeric(register["participants_total"], errors="coerce"))
    keys = list(dict.fromkeys([*zip(plan["activity_type"], plan["partner"]), *sorted(set(zip(reg["activity_type"].astype(str), reg["partner"].astype(str))))]))
    kinds = list(dict.fromkeys(k for k, _ in keys))
    rows = []
    for kind in kinds:
        kind_rows = []
        for k, partner in keys:
            if k != kind:
                continue
            held = reg.loc[(reg["activity_type"].astype(str) == kind) & (reg["partner"].astype(str) == partner)]
            p = plan.loc[(plan["activity_type"] == kind) & (plan["partner"] == partner)]
            row = {"activity_type": kind, "partner": partner, "planned": 0, "held": len(held), "planned_participants": 0, "participants": int(held["_n"].sum())}
            row["first_held"], row["last_held"] = _iso(held["_start"].min()), _iso(held["_start"].max())
            if len(p):
                p = p.iloc[0]
                lo, hi = pd.Timestamp(p["from"]), pd.Timestamp(p["to"])
                row |= {"planned": int(p["number"]), "planned_from": p["from"], "planned_to": p["to"], "planned_participants": int(p["participants"])}
                row["held_in_window"] = int(held["_start"].between(lo, hi).sum())
            kind_rows.append(row)
        total = {
            "activity_type": kind,
            "partner": ALL,
            "planned": sum(r["planned"] for r in kind_rows),
            "held": sum(r["held"] for r in kind_rows),
            "held_in_window": sum(r.get("held_in_window", 0) for r in kind_rows),
            "planned_participants": sum(r["planned_participants"] for r in kind_rows),
            "participants": sum(r["participants"] for r in kind_rows),
            "planned_from": min((r["planned_from"] for r in kind_rows if r.get("planned_from")), default=""),
            "planned_to": max((r["planned_to"] for r in kind_rows if r.get("planned_to")), default=""),
            "first_held": min((r["first_held"] for r in kind_rows if r["first_held"]), default=""),
            "last_held": max((r["last_held"] for r in kind_rows if r["last_held"]), default=""),
        }
        rows += [total, *kind_rows]
    if not rows:
        return pd.DataFrame(columns=PLAN_COLUMNS)
    table = pd.DataFrame(rows)
    out = suppress(table, ["participants"], [], min_cell, family_cols=["activity_type"], total_mask=table["partner"] == ALL)
    for col in ("planned", "held", "held_in_window", "planned_participants", "participants"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("Int64")
    return out.reindex(columns=PLAN_COLUMNS)


def _attending(register: pd.DataFrame) -> pd.Series:
    """The partner codes of each activity's ``partners_attending`` (codes separated by spaces), as sets."""
    return register["partners_attending"].map(lambda v: set(str(v).split()) if isinstance(v, str) else set(v) if hasattr(v, "__iter__") else set())


def participation(register: pd.DataFrame, partners: list[str], trained: dict[str, int], min_cell: int) -> pd.DataFrame:
    """Per partner: meetings and trainings attended, staff trained, activities hosted.

    ``trained`` maps a partner code to its staff trained (distinct respondents of the
    training survey; empty when there is no such survey).
    """
    kind = register["activity_type"].astype(str)
    attending = _attending(register)
    n = pd.to_numeric(register["participants_total"], errors="coerce").fillna(0)
    rows = []
    for code in partners:
        host = register["partner"].astype(str) == code
        rows.append(
            {
                "partner": code,
                "meetings_held": int((kind == MEETING).sum()),
                "meetings_attended": int(((kind == MEETING) & attending.map(lambda s, c=code: c in s)).sum()),
                "trainings_held": int((kind == TRAINING).sum()),
                "trainings_attended": int(((kind == TRAINING) & attending.map(lambda s, c=code: c in s)).sum()),
                "staff_trained": trained.get(code, pd.NA) if trained else pd.NA,
                "activities_hosted": int((host & kind.isin(HOSTED)).sum()),
                "participants_hosted": int(n[host & kind.isin(HOSTED)].sum()),
            }
        )
    total = {
        "partner": ALL,
        "meetings_held": int((kind == MEETING).sum()),
        "trainings_held": int((kind == TRAINING).sum()),
        "staff_trained": sum(trained.values()) if trained else pd.NA,
        "activities_hosted": sum(r["activities_hosted"] for r in rows),
        "participants_hosted": sum(r["participants_hosted"] for r in rows),
    }
    table = pd.DataFrame([total, *rows])
    table["_family"] = "partners"
    counts = ["staff_trained", "participants_hosted"] if trained else ["participants_hosted"]
    out = suppress(table, counts, [], min_cell, family_cols=["_family"], total_mask=table["partner"] == ALL)
    for col in PARTICIPATION_COLUMNS[1:-2]:
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("Int64")
    return out.reindex(columns=PARTICIPATION_COLUMNS)


def dissemination(register: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    """Awareness and multiplier events by reach, with a total row (``all``); events with no reach recorded count in the total only."""
    if "reach" not in register.columns:
        return pd.DataFrame(columns=DISSEMINATION_COLUMNS)
    ev = register.loc[register["activity_type"].astype(str).isin(DISSEMINATING)]

    def row(level, sub) -> dict:
        kind = sub["activity_type"].astype(str)
        num = {c: pd.to_numeric(sub[c], errors="coerce").fillna(0) for c in ("participants_total", "p_external_org", "external_organisations") if c in sub.columns}
        return {
            "reach": level,
            "events": len(sub),
            "awareness_events": int((kind == "awareness_event").sum()),
            "multiplier_events": int((kind == "multiplier_event").sum()),
            "participants": int(num["participants_total"].sum()),
            "external_participants": int(num["p_external_org"].sum()) if "p_external_org" in num else pd.NA,
            "external_organisations": int(num["external_organisations"].sum()) if "external_organisations" in num else pd.NA,
        }

    rows = [row(ALL, ev)] + [row(level, ev.loc[ev["reach"].astype(str) == level]) for level in REACH]
    table = pd.DataFrame(rows)
    table["_family"] = "reach"
    out = suppress(table, ["participants", "external_participants"], [], min_cell, family_cols=["_family"], total_mask=table["reach"] == ALL)
    for col in DISSEMINATION_COLUMNS[1:-2]:
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("Int64")
    return out.reindex(columns=DISSEMINATION_COLUMNS)
