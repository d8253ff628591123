"""The example's activity plan (``activity_plan.yaml``) and qualitative evidence log (``voices.csv``).

The plan is the fictional application's work plan: the trainings and meetings on the
dates the register holds them (the last meeting planned a month earlier than it was
held), and per partner the local activities, awareness and multiplier events it meant
to host. Palermo planned more local activities and multiplier events than it held (what
did not go as foreseen, for the report to show). Deterministic: no random draw.
"""

from __future__ import annotations

import calendar
import datetime as dt
from pathlib import Path

from pipeline.example.partners import AWARENESS, CODES, JSTES, MEETINGS, MULTIPLIER

#: Planned numbers per partner where they differ from what was held.
PLANNED_LOCAL = dict.fromkeys(CODES, 8)
PLANNED_MULTIPLIER = {**MULTIPLIER, "IT-PAL": 2}
#: Participants planned per activity of each kind.
PER_ACTIVITY = {"jste": 30, "transnational_meeting": 10, "local_activity": 25, "awareness_event": 40, "multiplier_event": 35}
#: The planned window of the repeated activities.
WINDOWS = {
    "local_activity": (dt.date(2025, 3, 1), dt.date(2026, 10, 31)),
    "awareness_event": (dt.date(2025, 5, 1), dt.date(2026, 10, 31)),
    "multiplier_event": (dt.date(2026, 6, 1), dt.date(2026, 11, 30)),
}
#: A meeting planned in another month than it was held.
MOVED = {"TM-4": dt.date(2026, 10, 1)}


def _month(day: dt.date) -> tuple[dt.date, dt.date]:
    return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])


def plan_entries() -> list[dict]:
    """The plan's entries, as ``activity_plan.yaml`` lists them."""
    entries = []
    for kind, events in (("jste", JSTES), ("transnational_meeting", MEETINGS)):
        for aid, (host, first, _days) in events.items():
            lo, hi = _month(MOVED.get(aid, first))
            entries.append({"activity_type": kind, "partner": host, "number": 1, "from": lo, "to": hi, "participants": PER_ACTIVITY[kind], "_comment": aid})
    for kind, per in (("local_activity", PLANNED_LOCAL), ("awareness_event", AWARENESS), ("multiplier_event", PLANNED_MULTIPLIER)):
        lo, hi = WINDOWS[kind]
        for code in CODES:
            entries.append({"activity_type": kind, "partner": code, "number": per[code], "from": lo, "to": hi, "participants": per[code] * PER_ACTIVITY[kind]})
    # one host for each kind: the trainings and meetings hosted twice by one partner are merged
    merged: dict = {}
    for e in entries:
        key = (e["activity_type"], e["partner"])
        if key in merged:
            m = merged[key]
            m["number"] += e["number"]
            m["participants"] += e["participants"]
            m["from"], m["to"] = min(m["from"], e["from"]), max(m["to"], e["to"])
            m["_comment"] += f", {e['_comment']}"
        else:
            merged[key] = dict(e)
    return list(merged.values())


def plan_yaml() -> str:
    """``activity_plan.yaml``'s text."""
    lines = [
        "# The work plan of the application: what the project said it would do.",
        "# One entry per kind of activity and host partner: how many, in which window of",
        "# dates, with how many participants in all. The report sets the activity register",
        "# against it (pipeline/instruments/plan.py).",
        "entries:",
    ]
    for e in plan_entries():
        comment = f"  # {e['_comment']}" if e.get("_comment") else ""
        lines += [
            f"  - activity_type: {e['activity_type']}{comment}",
            f"    partner: {e['partner']}",
            f"    number: {e['number']}",
            f"    from: {e['from'].isoformat()}",
            f"    to: {e['to'].isoformat()}",
            f"    participants: {e['participants']}",
        ]
    return "\n".join(lines) + "\n"


def write(out_dir: str | Path, seed: int) -> list[Path]:
    """Write ``activity_plan.yaml`` and ``voices.csv`` into ``out_dir``."""
    from pipeline.example.voices import simulate_voices

    out_dir = Path(out_dir)
    plan = out_dir / "activity_plan.yaml"
    plan.write_text(plan_yaml(), encoding="utf-8")
    voices = out_dir / "voices.csv"
    simulate_voices(seed).to_csv(voices, index=False, lineterminator="\n", encoding="utf-8")
    return [plan, voices]
