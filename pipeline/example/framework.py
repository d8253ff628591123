"""The bundled example, continued: the five instruments of the results framework.

Seeded and deterministic like :mod:`pipeline.example.community` (the same seed gives the
same bytes), for the same five partners of ``surveys/consortium.yaml``, and
consistent across instruments:

* the **activity register** lists every activity; the staff who answer the
  **training survey** are the partner staff counted at the three JSTEs of the
  register (one person, one JSTE), and its ``activity_id`` names the JSTE;
* the **beneficiary feedback** comes from refugees and migrants who took part in
  the register's local activities (never more answers than refugee participants);
* the **capacity self-assessment** is rated by staff of the same partners at
  baseline, mid-term and endline; the **network survey** lists the partners' ties
  at baseline and endline, the other partners among them.

Planted, so that tests and readers can check what the pipeline finds
(:data:`TRUE_EFFECTS`):

* trainings raise self-assessed competence by about 0.9 points (1-5) right after
  and keep about 0.7 of it three months on, less for working with interpreters;
  the share of right answers in the knowledge test rises from about 0.55 to 0.80;
* organisational capacity grows by about half a rubric level over the project,
  least in advocacy; PT-LIS has only four raters at mid-term (a suppressed cell);
* every partner gains new ties, most of them cross-border; a few organisations join
  the coordination mechanism; IT-PAL misses the third transnational meeting;
* IT-PAL's local activities are rated lower by participants than the others'.

Bad rows (:data:`PLANTED`), each with exactly one problem, are inserted into every
file. All names, e-mail addresses and phone numbers are invented; e-mail domains
are the reserved ``example.org``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import numpy as np
import pandas as pd

#: Partner code -> (city, country, language, type, name), as in surveys/consortium.yaml.
PARTNERS = {
    "GR-THE": ("Thessaloniki", "GR", "el", "ngo", "Thessaloniki Refugee Support Network"),
    "IT-PAL": ("Palermo", "IT", "it", "public_authority", "Comune di Palermo, Servizio Inclusione"),
    "ES-VAL": ("Valencia", "ES", "es", "university", "Universitat de València, Migration Lab"),
    "DE-LEI": ("Leipzig", "DE", "de", "ngo", "Ankommen Leipzig e.V."),
    "PT-LIS": ("Lisbon", "PT", "pt", "ngo", "Associação Lisboa Acolhe"),
}
CODES = tuple(PARTNERS)

#: The JSTEs and transnational meetings: id -> (host, first day, days).
JSTES = {
    "JSTE-1": ("GR-THE", dt.date(2025, 4, 7), 5),
    "JSTE-2": ("ES-VAL", dt.date(2025, 10, 13), 5),
    "JSTE-3": ("DE-LEI", dt.date(2026, 4, 20), 5),
}
MEETINGS = {
    "TM-1": ("GR-THE", dt.date(2025, 2, 10), 2),
    "TM-2": ("IT-PAL", dt.date(2025, 9, 15), 2),
    "TM-3": ("PT-LIS", dt.date(2026, 3, 9), 2),
    "TM-4": ("ES-VAL", dt.date(2026, 11, 16), 2),
}
#: Partners absent from a meeting (planted: what did not go as foreseen).
ABSENT = {"TM-3": ("IT-PAL",)}
#: Local intercultural activities, awareness events and multiplier events per partner.
LOCAL = {"GR-THE": 9, "IT-PAL": 6, "ES-VAL": 9, "DE-LEI": 8, "PT-LIS": 8}
AWARENESS = {"GR-THE": 3, "IT-PAL": 3, "ES-VAL": 3, "DE-LEI": 2, "PT-LIS": 3}
MULTIPLIER = {"GR-THE": 2, "IT-PAL": 1, "ES-VAL": 2, "DE-LEI": 1, "PT-LIS": 1}

#: The true effects the generator plants (see the module docstring).
TRUE_EFFECTS = {
    "competence_pre_mean": 2.6,
    "competence_gain_post": 0.9,
    "competence_gain_follow_up": 0.7,
    "interpreters_gain_post": 0.4,
    "knowledge_p_correct": {"pre": 0.55, "post": 0.80},
    "capacity_gain_endline": {"cap_governance": 0.5, "cap_staff_skills": 0.8, "cap_service_quality": 0.5, "cap_partnerships": 0.8, "cap_advocacy": 0.15, "cap_monitoring": 0.6, "cap_digital": 0.6},
    "feedback_quality": {"GR-THE": 4.2, "IT-PAL": 3.4, "ES-VAL": 4.3, "DE-LEI": 4.1, "PT-LIS": 4.2},
    "capacity_raters_midterm_PT-LIS": 4,
}

#: Bad rows planted in each file, by quarantine reason (rows, each with one problem).
PLANTED: dict[str, dict[str, int]] = {
    "staff_training_pre.csv": {"out_of_range": 1, "duplicate_respondent": 2},
    "staff_training_post.csv": {"not_a_number": 1, "unknown_partner": 1},
    "staff_training_follow_up.csv": {"missing_required": 1},
    "organisational_capacity_baseline.csv": {"out_of_range": 1},
    "organisational_capacity_midterm.csv": {"unknown_partner": 1},
    "organisational_capacity_endline.csv": {"duplicate_respondent": 2},
    "partnership_network_baseline.csv": {"invalid_choice": 1, "duplicate_record": 1},
    "partnership_network_endline.csv": {"missing_required": 1, "invalid_choice": 1},
    "activity_register.csv": {
        "counts_do_not_add_up": 1,
        "dates_out_of_order": 1,
        "invalid_count": 1,
        "duplicate_record": 1,
        "outside_project_period": 1,
        "unknown_partner": 1,
    },
    "beneficiary_feedback.csv": {"out_of_range": 1, "invalid_choice": 1, "outside_project_period": 1},
}

FIRST = {
    "el": ["Maria", "Eleni", "Giorgos", "Nikos", "Sofia", "Kostas", "Anna", "Petros"],
    "it": ["Giulia", "Marco", "Chiara", "Luca", "Sara", "Matteo", "Elena", "Davide"],
    "es": ["Lucía", "Javier", "Marta", "Pablo", "Laura", "Sergio", "Irene", "Raúl"],
    "de": ["Lena", "Jonas", "Julia", "Felix", "Hannah", "Paul", "Miriam", "Tobias"],
    "pt": ["Beatriz", "João", "Inês", "Tiago", "Ana", "Miguel", "Rita", "Bruno"],
    "ar": ["Ahmad", "Fatima", "Omar", "Layla", "Yusuf", "Rania", "Khaled", "Noor"],
}
LAST = {
    "el": ["Papadaki", "Georgiou", "Vlachos", "Ioannou"],
    "it": ["Rossi", "Russo", "Ferrara", "Lombardo"],
    "es": ["García", "López", "Sánchez", "Gómez"],
    "de": ["Müller", "Schmidt", "Fischer", "Weber"],
    "pt": ["Silva", "Santos", "Ferreira", "Costa"],
    "ar": ["Haddad", "Khalil", "Nasser", "Saleh"],
}

META = ["start", "end", "_id", "_uuid", "_submission_time", "_validation_status", "_index"]


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------


def _rng(seed: int, instrument: int) -> np.random.Generator:
    """One independent stream per instrument, so that a change to one leaves the others."""
    return np.random.default_rng([seed, instrument])


def _uuids(rng: np.random.Generator, n: int) -> list[str]:
    raw = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    return [str(uuid.UUID(bytes=row.tobytes(), version=4)) for row in raw]


def _ascii(text: str) -> str:
    table = str.maketrans("áéíóúàèìòùäöüßñçãõâêôÁÉÍÓÚÄÖÜÑÇ", "aeiouaeiouaousncaoaeoAEIOUAOUNC")
    return text.translate(table).lower()


def _person(rng: np.random.Generator, language: str) -> tuple[str, str]:
    lang = language if language in FIRST else "ar"
    first = FIRST[lang][int(rng.integers(0, len(FIRST[lang])))]
    last = LAST[lang][int(rng.integers(0, len(LAST[lang])))]
    return f"{first} {last}", f"{_ascii(first)}.{_ascii(last)}{int(rng.integers(1, 99))}@example.org"


def _stamp(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S")


def _kobo_meta(rng: np.random.Generator, frame: pd.DataFrame, times: list[dt.datetime], base_id: int) -> pd.DataFrame:
    """KoboToolbox metadata columns; rows sorted by submission time."""
    out = frame.copy()
    dur = rng.integers(4 * 60, 20 * 60, size=len(out))
    out["start"] = [_stamp(t - dt.timedelta(seconds=int(d))) + ".000+00:00" for t, d in zip(times, dur)]
    out["end"] = [_stamp(t - dt.timedelta(seconds=int(rng.integers(5, 60)))) + ".000+00:00" for t in times]
    out["_uuid"] = _uuids(rng, len(out))
    out["_submission_time"] = [_stamp(t) for t in times]
    out["_validation_status"] = ""
    out = out.sort_values("_submission_time", kind="stable").reset_index(drop=True)
    out["_id"] = base_id + np.arange(1, len(out) + 1) * 7
    out["_index"] = np.arange(1, len(out) + 1)
    return out


def _insert(rng: np.random.Generator, frame: pd.DataFrame, rows: list[dict], columns: list[str], renumber: bool = True) -> pd.DataFrame:
    out = frame.copy()
    for row in rows:
        at = int(rng.integers(1, len(out)))
        out = pd.concat([out.iloc[:at], pd.DataFrame([row]), out.iloc[at:]], ignore_index=True)
    if renumber and "_index" in out.columns:
        out["_index"] = np.arange(1, len(out) + 1)
    return out[columns]


def _text(values) -> list[str]:
    """Numbers as an export writes them: whole numbers without decimals, blanks empty."""
    out = []
    for v in values:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            out.append("")
        elif isinstance(v, (float, np.floating)) and float(v).is_integer():
            out.append(str(int(v)))
        else:
            out.append(str(v))
    return out


def _at(day: dt.date, rng: np.random.Generator, start_hour: int = 9, hours: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(start_hour)) + dt.timedelta(seconds=int(rng.integers(0, hours * 3600)))


# ---------------------------------------------------------------------------
# Activity register (and the trainees of its JSTEs)
# ---------------------------------------------------------------------------

REGISTER_COLUMNS = [
    "activity_id",
    "partner",
    "activity_type",
    "title",
    "city",
    "start_date",
    "end_date",
    "partners_attending",
    "participants_total",
    "p_refugee_migrant",
    "p_local_resident",
    "p_partner_staff",
    "p_external_org",
    "p_female",
    "p_male",
    "p_gender_other",
    "p_age_under_18",
    "p_age_18_29",
    "p_age_30_44",
    "p_age_45_64",
    "p_age_65_plus",
    "external_organisations",
    "reach",
    "recorded_by",
    "notes",
]
GROUPS = ["p_refugee_migrant", "p_local_resident", "p_partner_staff", "p_external_org"]
GENDERS = ["p_female", "p_male", "p_gender_other"]
AGES = ["p_age_under_18", "p_age_18_29", "p_age_30_44", "p_age_45_64", "p_age_65_plus"]
#: Per kind of activity: participants (low, high), shares by group, gender, age group.
MIX = {
    "local_activity": ((14, 60), [0.42, 0.43, 0.10, 0.05], [0.55, 0.43, 0.02], [0.16, 0.27, 0.30, 0.20, 0.07]),
    "awareness_event": ((30, 150), [0.14, 0.76, 0.05, 0.05], [0.57, 0.41, 0.02], [0.08, 0.24, 0.30, 0.26, 0.12]),
    "multiplier_event": ((20, 70), [0.08, 0.22, 0.15, 0.55], [0.60, 0.38, 0.02], [0.0, 0.25, 0.42, 0.30, 0.03]),
}
TITLES = {
    "local_activity": [
        "Intercultural cooking evening",
        "Language café",
        "Neighbourhood football tournament",
        "Storytelling afternoon for families",
        "Community garden day",
        "Music and dance workshop",
        "City walk with new neighbours",
        "Crafts workshop",
    ],
    "awareness_event": ["World Refugee Day open event", "Public talk: myths and facts about migration", "Photo exhibition: journeys", "School awareness morning"],
    "multiplier_event": ["Sharing the results with local authorities and NGOs", "Regional conference on welcoming communities"],
}


def _split(rng: np.random.Generator, total: int, shares) -> list[int]:
    p = np.asarray(shares, dtype=float)
    return [int(x) for x in rng.multinomial(total, p / p.sum())]


def _local_dates(rng: np.random.Generator, n: int, first: dt.date, last: dt.date) -> list[dt.date]:
    span = (last - first).days
    return sorted(first + dt.timedelta(days=int(d)) for d in rng.choice(span, size=n, replace=False))


def simulate_register(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The activity register (rows as text) and the roster of JSTE trainees.

    Returns
    -------
    register : DataFrame
        :data:`REGISTER_COLUMNS`, one row per activity, without planted rows.
    trainees : DataFrame
        ``activity_id, partner, staff_code`` of every partner staff member counted at a JSTE.
    """
    rng = _rng(seed, 1)
    rows, trainees = [], []
    staff_no = dict.fromkeys(CODES, 0)
    for aid, (host, first, days) in JSTES.items():
        sent = {code: int(rng.integers(4, 7)) for code in CODES}
        for code, k in sent.items():
            for _ in range(k):
                staff_no[code] += 1
                trainees.append({"activity_id": aid, "partner": code, "staff_code": f"{code}-S{staff_no[code]:02d}"})
        staff, trainers = sum(sent.values()), int(rng.integers(1, 3))
        total = staff + trainers
        rows.append(
            _register_row(
                rng,
                aid,
                host,
                "jste",
                f"Joint staff training {aid[-1]}",
                first,
                days,
                " ".join(CODES),
                [0, 0, staff, trainers],
                _split(rng, total, [0.68, 0.31, 0.01]),
                [0] + _split(rng, total, [0.25, 0.45, 0.28, 0.02]),
                trainers,
            )
        )
    for aid, (host, first, days) in MEETINGS.items():
        present = [c for c in CODES if c not in ABSENT.get(aid, ())]
        staff = 2 * len(present) + int(rng.integers(0, 4))
        rows.append(
            _register_row(
                rng,
                aid,
                host,
                "transnational_meeting",
                f"Transnational project meeting {aid[-1]}",
                first,
                days,
                " ".join(present),
                [0, 0, staff, 0],
                _split(rng, staff, [0.6, 0.4, 0.0]),
                [0] + _split(rng, staff, [0.15, 0.5, 0.33, 0.02]),
                0,
            )
        )
    for kind, per, window, prefix in (
        ("local_activity", LOCAL, (dt.date(2025, 3, 15), dt.date(2026, 10, 31)), "LA"),
        ("awareness_event", AWARENESS, (dt.date(2025, 5, 1), dt.date(2026, 10, 31)), "AE"),
        ("multiplier_event", MULTIPLIER, (dt.date(2026, 6, 1), dt.date(2026, 11, 30)), "ME"),
    ):
        (lo, hi), groups, genders, ages = MIX[kind]
        for code in CODES:
            for k, day in enumerate(_local_dates(rng, per[code], *window), start=1):
                total = int(rng.integers(lo, hi + 1))
                ext_orgs = int(rng.integers(4, 16)) if kind == "multiplier_event" else int(rng.integers(0, 3))
                title = TITLES[kind][int(rng.integers(0, len(TITLES[kind])))]
                rows.append(
                    _register_row(rng, f"{prefix}-{code}-{k:02d}", code, kind, title, day, 1, code, _split(rng, total, groups), _split(rng, total, genders), _split(rng, total, ages), ext_orgs)
                )
    register = pd.DataFrame(rows).sort_values(["start_date", "activity_id"], kind="stable").reset_index(drop=True)
    register["reach"] = register["activity_id"].map(_reach)
    return register[REGISTER_COLUMNS], pd.DataFrame(trainees)


def _reach(activity_id: str) -> str:
    """The level an activity was shared at (no random draw: the other columns stay as they were).

    Trainings and meetings are transnational; a partner's first multiplier event is
    national and its second European; its third awareness event is national; the rest is local.
    """
    kind, number = activity_id.split("-")[0], activity_id.rsplit("-", 1)[-1]
    if kind in ("JSTE", "TM"):
        return "european"
    if kind == "ME":
        return "european" if number == "02" else "national"
    if kind == "AE" and number == "03":
        return "national"
    return "local"


def _register_row(rng, aid, host, kind, title, first, days, attending, groups, genders, ages, ext_orgs) -> dict:
    city, _, lang, _, _ = PARTNERS[host]
    total = sum(groups)
    if not (sum(genders) == sum(ages) == total):  # an internal invariant of the generator
        raise RuntimeError(f"{aid}: breakdowns do not add up")
    recorder, _ = _person(rng, lang)
    row = {
        "activity_id": aid,
        "partner": host,
        "activity_type": kind,
        "title": title,
        "city": city,
        "start_date": first.isoformat(),
        "end_date": (first + dt.timedelta(days=days - 1)).isoformat(),
        "partners_attending": attending,
        "participants_total": str(total),
        **{c: str(v) for c, v in zip(GROUPS, groups)},
        **{c: str(v) for c, v in zip(GENDERS, genders)},
        **{c: str(v) for c, v in zip(AGES, ages)},
        "external_organisations": str(ext_orgs),
        "recorded_by": recorder,
        "notes": "" if rng.random() < 0.8 else f"Contact {recorder} for photos",
    }
    return row


def _plant_register(rng: np.random.Generator, register: pd.DataFrame) -> pd.DataFrame:
    local = register.loc[register["activity_type"] == "local_activity"]
    rows = []

    def new_id(row: dict, k: int) -> str:
        return f"{row['activity_id'][:2]}-{row['partner']}-{k}"

    r = local.iloc[0].to_dict()
    r["activity_id"] = new_id(r, 90)
    r["p_female"] = str(int(r["p_female"]) + 2)  # gender breakdown no longer adds up
    rows.append(r)
    r = local.iloc[1].to_dict() | {"start_date": "2025-06-12", "end_date": "2025-06-10"}
    r["activity_id"] = new_id(r, 91)
    rows.append(r)
    r = local.iloc[2].to_dict() | {"p_local_resident": "12.5"}
    r["activity_id"] = new_id(r, 92)
    rows.append(r)
    rows.append(local.iloc[3].to_dict())  # the same line copied twice
    r = local.iloc[4].to_dict() | {"start_date": "2024-11-20", "end_date": "2024-11-20"}
    r["activity_id"] = new_id(r, 94)
    rows.append(r)
    r = register.loc[register["activity_type"] == "awareness_event"].iloc[0].to_dict()
    r["activity_id"] = new_id(r, 95)
    r["partners_attending"] = r["partner"] + " FR-LYO"
    rows.append(r)
    return _insert(rng, register, rows, REGISTER_COLUMNS, renumber=False)


# ---------------------------------------------------------------------------
# Staff training survey
# ---------------------------------------------------------------------------

COMPETENCE = {
    "competence_law": ["law_procedure", "law_rights"],
    "competence_intercultural": ["icc_recognise", "icc_adapt"],
    "competence_trauma": ["trauma_signs", "trauma_respond"],
    "competence_interpreters": ["interp_brief", "interp_conduct"],
    "competence_education": ["edu_language", "edu_schooling"],
}
TEST_KEY = {"kt_refugee": 2, "kt_refoulement": 4, "kt_subsidiary": 3, "kt_interpreter": 1, "kt_trauma_sign": 1, "kt_trauma_informed": 3, "kt_intercultural": 2, "kt_inclusive": 4}
REACTION = ["re_satisfied", "re_relevant", "re_recommend"]
APPLICATION = ["ap_used", "ap_changed", "ap_shared"]
TRAINING_COLUMNS = [
    "start",
    "end",
    "partner",
    "respondent_id",
    "activity_id",
    "gender",
    "age_group",
    "staff_role",
    *[c for cols in COMPETENCE.values() for c in cols],
    *TEST_KEY,
    *REACTION,
    *APPLICATION,
    "full_name",
    "email",
    "comment",
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_index",
]


def simulate_training(seed: int, trainees: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The three waves of the training survey for the JSTE trainees (frames of text)."""
    rng = _rng(seed, 2)
    n = len(trainees)
    people = trainees.reset_index(drop=True).copy()
    people["gender"] = rng.choice(["female", "male", "other", "no_answer"], size=n, p=[0.66, 0.31, 0.01, 0.02])
    people["age_group"] = rng.choice(["18-29", "30-44", "45-64"], size=n, p=[0.28, 0.47, 0.25])
    people["staff_role"] = rng.choice(["social_worker", "educator", "legal_adviser", "coordinator", "volunteer", "other"], size=n, p=[0.32, 0.24, 0.1, 0.14, 0.14, 0.06])
    ability = rng.normal(0, 0.45, n)
    knows = rng.normal(0, 0.8, n)
    contact = [_person(rng, PARTNERS[p][2]) for p in people["partner"]]
    responds = {"pre": np.ones(n, bool), "post": rng.random(n) < 0.96, "follow_up": rng.random(n) < 0.78}
    eff = TRUE_EFFECTS
    frames = {}
    for wave in ("pre", "post", "follow_up"):
        keep = responds[wave]
        sub = people.loc[keep].reset_index(drop=True)
        ab, kn, m = ability[keep], knows[keep], int(keep.sum())
        out = {c: sub[c] for c in ("partner", "activity_id", "gender", "age_group", "staff_role")}
        out["respondent_id"] = sub["staff_code"]
        for scale, items in COMPETENCE.items():
            gain = {"pre": 0.0, "post": eff["competence_gain_post"], "follow_up": eff["competence_gain_follow_up"]}[wave]
            if scale == "competence_interpreters":
                gain *= eff["interpreters_gain_post"] / eff["competence_gain_post"]
            dom = rng.normal(0, 0.3, m)
            for item in items:
                x = np.clip(np.rint(eff["competence_pre_mean"] + gain + ab + dom + rng.normal(0, 0.55, m)), 1, 5)
                x[rng.random(m) < 0.02] = 8
                x[rng.random(m) < 0.02] = np.nan
                out[item] = _text(x)
        for item, key in TEST_KEY.items():
            if wave == "follow_up":
                out[item] = [""] * m
                continue
            p = eff["knowledge_p_correct"][wave]
            logit = np.log(p / (1 - p)) + kn
            right = rng.random(m) < 1 / (1 + np.exp(-logit))
            wrong = rng.choice([c for c in (1, 2, 3, 4) if c != key], size=m)
            x = np.where(right, key, wrong).astype(float)
            x[rng.random(m) < 0.04] = 9
            out[item] = _text(x)
        for item in REACTION:
            x = np.clip(np.rint(4.3 + 0.5 * ab + rng.normal(0, 0.6, m)), 1, 5) if wave == "post" else np.full(m, np.nan)
            out[item] = _text(x)
        for item in APPLICATION:
            x = np.clip(np.rint(3.8 + 0.6 * ab + rng.normal(0, 0.8, m)), 1, 5) if wave == "follow_up" else np.full(m, np.nan)
            out[item] = _text(x)
        out["full_name"] = [contact[i][0] if rng.random() < 0.6 else "" for i in np.flatnonzero(keep)]
        out["email"] = [contact[i][1] if rng.random() < 0.5 else "" for i in np.flatnonzero(keep)]
        out["comment"] = ["" if rng.random() < 0.9 else "Very practical, thank you." for _ in range(m)]
        frame = pd.DataFrame(out)
        times = []
        for aid in frame["activity_id"]:
            _, first, days = JSTES[aid]
            day = {
                "pre": first - dt.timedelta(days=int(rng.integers(1, 8))),
                "post": first + dt.timedelta(days=days - 1),
                "follow_up": first + dt.timedelta(days=days - 1 + int(rng.integers(85, 101))),
            }[wave]
            times.append(_at(day, rng))
        base = {"pre": 52_000_000, "post": 53_000_000, "follow_up": 54_000_000}[wave]
        frames[f"staff_training_{wave}.csv"] = _kobo_meta(rng, frame, times, base)[TRAINING_COLUMNS]
    return frames


def _plant_training(rng: np.random.Generator, frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    out = dict(frames)

    def clone(frame, k, new_id, **changes):
        row = frame.iloc[k].to_dict() | {"respondent_id": new_id, "_uuid": _uuids(rng, 1)[0]}
        return row | changes

    pre = frames["staff_training_pre.csv"]
    twice = pre.iloc[8]
    out["staff_training_pre.csv"] = _insert(
        rng,
        pre,
        [
            clone(pre, 3, f"{pre.iloc[3]['partner']}-S90", law_procedure="7"),
            clone(pre, 12, twice["respondent_id"], partner=twice["partner"], activity_id=twice["activity_id"]),
        ],
        TRAINING_COLUMNS,
    )
    post = frames["staff_training_post.csv"]
    out["staff_training_post.csv"] = _insert(
        rng,
        post,
        [
            clone(post, 5, f"{post.iloc[5]['partner']}-S91", re_satisfied="very"),
            clone(post, 9, "ES-VLC-S92", partner="ES-VLC"),
        ],
        TRAINING_COLUMNS,
    )
    fu = frames["staff_training_follow_up.csv"]
    out["staff_training_follow_up.csv"] = _insert(rng, fu, [clone(fu, 4, "")], TRAINING_COLUMNS)
    return out


# ---------------------------------------------------------------------------
# Organisational capacity self-assessment
# ---------------------------------------------------------------------------

DOMAINS = list(TRUE_EFFECTS["capacity_gain_endline"])
CAPACITY_COLUMNS = ["start", "end", "partner", "rater_id", "rater_role", *DOMAINS, "rater_name", "comment", *META[2:]]
CAPACITY_WAVES = {"baseline": (dt.date(2025, 2, 17), 30, 0.0), "midterm": (dt.date(2025, 12, 1), 40, 0.5), "endline": (dt.date(2026, 10, 19), 35, 1.0)}
#: True baseline level of each partner (1-4), shifted per domain.
CAPACITY_BASE = {"GR-THE": 2.3, "IT-PAL": 2.1, "ES-VAL": 2.6, "DE-LEI": 2.2, "PT-LIS": 1.9}
DOMAIN_SHIFT = {"cap_governance": 0.2, "cap_staff_skills": 0.0, "cap_service_quality": 0.2, "cap_partnerships": -0.1, "cap_advocacy": -0.3, "cap_monitoring": -0.4, "cap_digital": -0.2}


def simulate_capacity(seed: int) -> dict[str, pd.DataFrame]:
    """Capacity ratings at baseline, mid-term and endline (frames of text)."""
    rng = _rng(seed, 3)
    frames = {}
    rater_no = dict.fromkeys(CODES, 0)
    pool = {c: [] for c in CODES}
    for wave, (first, days, share) in CAPACITY_WAVES.items():
        rows, times = [], []
        for code in CODES:
            k = int(rng.integers(6, 9))
            if wave == "midterm" and code == "PT-LIS":
                k = TRUE_EFFECTS["capacity_raters_midterm_PT-LIS"]
            # most raters stay, some change between waves
            stay = [r for r in pool[code] if rng.random() < 0.7][:k]
            while len(stay) < k:
                rater_no[code] += 1
                name, _ = _person(rng, PARTNERS[code][2])
                stay.append((f"{code}-R{rater_no[code]:02d}", name, rng.choice(["management", "staff", "volunteer"], p=[0.25, 0.6, 0.15])))
            pool[code] = list(dict.fromkeys(pool[code] + stay))
            for rid, name, role in stay:
                bias = rng.normal(0, 0.25)
                row = {"partner": code, "rater_id": rid, "rater_role": role, "rater_name": name, "comment": ""}
                for d in DOMAINS:
                    true = CAPACITY_BASE[code] + DOMAIN_SHIFT[d] + share * TRUE_EFFECTS["capacity_gain_endline"][d]
                    x = float(np.clip(np.rint(true + bias + rng.normal(0, 0.45)), 1, 4))
                    row[d] = "9" if rng.random() < 0.02 else str(int(x))
                if rng.random() < 0.1:
                    row["comment"] = f"Discussed with {name.split()[0]}'s team"
                rows.append(row)
                times.append(_at(first + dt.timedelta(days=int(rng.integers(0, days))), rng))
        base = {"baseline": 61_000_000, "midterm": 62_000_000, "endline": 63_000_000}[wave]
        frames[f"organisational_capacity_{wave}.csv"] = _kobo_meta(rng, pd.DataFrame(rows), times, base)[CAPACITY_COLUMNS]
    return frames


def _plant_capacity(rng: np.random.Generator, frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    out = dict(frames)
    b = frames["organisational_capacity_baseline.csv"]
    out["organisational_capacity_baseline.csv"] = _insert(rng, b, [b.iloc[2].to_dict() | {"rater_id": f"{b.iloc[2]['partner']}-R90", "cap_digital": "5", "_uuid": _uuids(rng, 1)[0]}], CAPACITY_COLUMNS)
    m = frames["organisational_capacity_midterm.csv"]
    out["organisational_capacity_midterm.csv"] = _insert(rng, m, [m.iloc[3].to_dict() | {"rater_id": "PT-LSB-R91", "partner": "PT-LSB", "_uuid": _uuids(rng, 1)[0]}], CAPACITY_COLUMNS)
    e = frames["organisational_capacity_endline.csv"]
    # a rater sends the form twice with one answer changed: which one is right is unknown
    out["organisational_capacity_endline.csv"] = _insert(rng, e, [e.iloc[6].to_dict() | {"cap_governance": "4", "_uuid": _uuids(rng, 1)[0]}], CAPACITY_COLUMNS)
    return out


# ---------------------------------------------------------------------------
# Partnership network survey
# ---------------------------------------------------------------------------

NETWORK_COLUMNS = ["start", "end", "partner", "organisation", "org_type", "level", "org_country", "intensity", "joined_coordination", "contact_person", "contact_email", "respondent_name", *META[2:]]
LOCAL_KINDS = {
    "ngo": ["Solidarity Network", "Women's Association", "Youth Centre", "Migrant Workers' Association", "Legal Aid Clinic", "Food Bank", "Intercultural Centre", "Volunteer Centre"],
    "public_authority": ["Social Services Department", "Employment Office", "Health Centre", "Education Office"],
    "university": ["Institute of Social Work"],
    "other": ["Adult Education School", "Parish Community", "Chamber of Commerce"],
}
NATIONAL = {
    "GR": [("National Refugee Council", "ngo"), ("Ministry of Migration and Asylum", "public_authority"), ("University of Macedonia", "university")],
    "IT": [("Rete Nazionale Accoglienza", "ngo"), ("Ministero dell'Interno, Dipartimento Libertà Civili", "public_authority"), ("Università di Catania", "university")],
    "ES": [("Red Estatal de Acogida", "ngo"), ("Ministerio de Inclusión", "public_authority"), ("Universidad de Granada", "university")],
    "DE": [("Bundesnetzwerk Ankommen", "ngo"), ("Bundesamt für Migration und Flüchtlinge", "public_authority"), ("Universität Halle", "university")],
    "PT": [("Rede Nacional de Acolhimento", "ngo"), ("Agência para a Integração, Migrações e Asilo", "public_authority"), ("Universidade de Coimbra", "university")],
}
ABROAD = [
    ("Accueil Solidaire Lyon", "ngo", "FR"),
    ("Welcome Brussels Network", "ngo", "BE"),
    ("Utrecht Refugee Support", "ngo", "NL"),
    ("City of Graz, Integration Office", "public_authority", "AT"),
    ("Malmö Intercultural Forum", "ngo", "SE"),
    ("Kraków Migrant Info Point", "ngo", "PL"),
    ("Zagreb Centre for Peace Studies", "ngo", "HR"),
    ("University of Ljubljana, Faculty of Social Work", "university", "SI"),
    ("European Network of Welcoming Cities", "ngo", "BE"),
    ("Nicosia Refugee Forum", "ngo", "CY"),
]


def _tie(partner, org, kind, level, country, intensity, joined, rng) -> dict:
    person, email = _person(rng, PARTNERS[partner][2])
    return {
        "partner": partner,
        "organisation": org,
        "org_type": kind,
        "level": level,
        "org_country": country,
        "intensity": intensity,
        "joined_coordination": joined,
        "contact_person": person if rng.random() < 0.8 else "",
        "contact_email": email if rng.random() < 0.6 else "",
        "respondent_name": "",
    }


def simulate_network(seed: int) -> dict[str, pd.DataFrame]:
    """The partners' ties at baseline and endline (frames of text)."""
    rng = _rng(seed, 4)
    intens = ["information_exchange", "joint_activity", "formal_agreement"]
    baseline, endline = [], []
    for code in CODES:
        city, country, _, _, _ = PARTNERS[code]
        kinds = [(k, n) for k, names in LOCAL_KINDS.items() for n in names]
        order = rng.permutation(len(kinds))
        local = [kinds[i] for i in order]
        n_base_local, n_new_local = int(rng.integers(4, 7)), int(rng.integers(2, 4))
        base_ties = [(f"{city} {name}" if kind != "public_authority" else f"City of {city}, {name}", kind, "local", country) for kind, name in local[:n_base_local]]
        new_ties = [(f"{city} {name}" if kind != "public_authority" else f"City of {city}, {name}", kind, "local", country) for kind, name in local[n_base_local : n_base_local + n_new_local]]
        nat = NATIONAL[country]
        base_ties += [(n, k, "national", country) for n, k in nat[:1]]
        new_ties += [(n, k, "national", country) for n, k in nat[1 : 1 + int(rng.integers(1, 3))]]
        others = [c for c in CODES if c != code]
        known = [others[i] for i in rng.choice(len(others), size=int(rng.integers(1, 3)), replace=False)]
        base_ties += [(PARTNERS[c][4], PARTNERS[c][3], "international", PARTNERS[c][1]) for c in others if c in known]
        new_ties += [(PARTNERS[c][4], PARTNERS[c][3], "international", PARTNERS[c][1]) for c in others if c not in known]
        abroad = [ABROAD[i] for i in rng.choice(len(ABROAD), size=int(rng.integers(1, 4)), replace=False)]
        new_ties += [(n, k, "international", c) for n, k, c in abroad]
        for org, kind, level, ctry in base_ties:
            baseline.append(_tie(code, org, kind, level, ctry, intens[int(rng.choice(3, p=[0.6, 0.3, 0.1]))], "no", rng))
        local_base = [t for t in base_ties if t[2] == "local"]
        dropped = {local_base[int(rng.integers(0, len(local_base)))][0]} if rng.random() < 0.6 else set()  # a tie that ended
        for org, kind, level, ctry in base_ties + new_ties:
            if org in dropped:
                continue
            partner_org = org in {p[4] for p in PARTNERS.values()}
            joined = "no" if partner_org or rng.random() > 0.3 else "yes"
            typed = org if rng.random() > 0.15 else "  " + org.lower()  # names typed differently at endline
            endline.append(_tie(code, typed, kind, level, ctry, intens[int(rng.choice(3, p=[0.3, 0.45, 0.25]))], joined, rng))
    frames = {}
    for wave, rows, first in (("baseline", baseline, dt.date(2025, 2, 24)), ("endline", endline, dt.date(2026, 11, 2))):
        frame = pd.DataFrame(rows)
        names = {c: _person(rng, PARTNERS[c][2])[0] for c in CODES}
        frame["respondent_name"] = frame["partner"].map(names)
        day = {c: first + dt.timedelta(days=int(rng.integers(0, 20))) for c in CODES}
        times = [_at(day[c], rng) for c in frame["partner"]]
        frames[f"partnership_network_{wave}.csv"] = _kobo_meta(rng, frame, times, 71_000_000 if wave == "baseline" else 72_000_000)[NETWORK_COLUMNS]
    return frames


def _plant_network(rng: np.random.Generator, frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    out = dict(frames)
    b = frames["partnership_network_baseline.csv"]
    out["partnership_network_baseline.csv"] = _insert(
        rng,
        b,
        [
            b.iloc[1].to_dict() | {"organisation": "Thessaloniki Example Choir", "partner": "GR-THE", "level": "regional", "_uuid": _uuids(rng, 1)[0]},
            b.iloc[5].to_dict() | {"organisation": b.iloc[5]["organisation"].upper() + " ", "_uuid": _uuids(rng, 1)[0]},
        ],
        NETWORK_COLUMNS,
    )
    e = frames["partnership_network_endline.csv"]
    out["partnership_network_endline.csv"] = _insert(
        rng,
        e,
        [
            e.iloc[2].to_dict() | {"organisation": "", "_uuid": _uuids(rng, 1)[0]},
            e.iloc[7].to_dict() | {"organisation": "Palermo Example Bakery", "partner": "IT-PAL", "org_type": "company", "_uuid": _uuids(rng, 1)[0]},
        ],
        NETWORK_COLUMNS,
    )
    return out


# ---------------------------------------------------------------------------
# Beneficiary feedback
# ---------------------------------------------------------------------------

FEEDBACK_ITEMS = ["fb_quality", "fb_useful", "fb_welcome", "fb_belong"]
FEEDBACK_COLUMNS = ["start", "end", "partner", "activity_id", "language", "gender", "age_group", *FEEDBACK_ITEMS, "name", "phone", "comment", *META[2:]]


def simulate_feedback(seed: int, register: pd.DataFrame) -> pd.DataFrame:
    """Feedback of refugee and migrant participants in the register's local activities (text)."""
    rng = _rng(seed, 5)
    rows, times = [], []
    local = register.loc[register["activity_type"] == "local_activity"]
    for act in local.itertuples(index=False):
        adults = int(act.p_refugee_migrant)
        k = int(rng.binomial(adults, 0.55))
        mean = TRUE_EFFECTS["feedback_quality"][act.partner]
        day = dt.date.fromisoformat(act.end_date)
        for _ in range(k):
            lang = str(rng.choice(["ar", "fa", "uk", "fr", "en", PARTNERS[act.partner][2]], p=[0.34, 0.2, 0.2, 0.1, 0.1, 0.06]))
            person = rng.normal(0, 0.5)
            q = [float(np.clip(np.rint(mean + person + rng.normal(0, 0.5)), 1, 5)) for _ in range(2)]
            w = [float(np.clip(np.rint(mean + 0.1 + person + rng.normal(0, 0.6)), 1, 5)) for _ in range(2)]
            values = q + w
            values = [8.0 if rng.random() < 0.02 else v for v in values]
            name, _ = _person(rng, "ar")
            rows.append(
                {
                    "partner": act.partner,
                    "activity_id": act.activity_id,
                    "language": lang,
                    "gender": str(rng.choice(["female", "male", "other", "no_answer"], p=[0.5, 0.46, 0.01, 0.03])),
                    "age_group": str(rng.choice(["18-29", "30-44", "45-64", "65+"], p=[0.35, 0.4, 0.2, 0.05])),
                    **dict(zip(FEEDBACK_ITEMS, _text(values))),
                    "name": name if rng.random() < 0.2 else "",
                    "phone": f"+{int(rng.integers(30, 50))} 6{int(rng.integers(10, 99))} {int(rng.integers(100, 999))} {int(rng.integers(1000, 9999))}" if rng.random() < 0.1 else "",
                    "comment": "" if rng.random() < 0.85 else "More activities for children please.",
                }
            )
            times.append(_at(day + dt.timedelta(days=int(rng.integers(0, 3))), rng, 10, 10))
    return _kobo_meta(rng, pd.DataFrame(rows), times, 81_000_000)[FEEDBACK_COLUMNS]


def _plant_feedback(rng: np.random.Generator, frame: pd.DataFrame) -> pd.DataFrame:
    rows = [
        frame.iloc[10].to_dict() | {"fb_quality": "6", "_uuid": _uuids(rng, 1)[0]},
        frame.iloc[20].to_dict() | {"language": "so", "_uuid": _uuids(rng, 1)[0]},
        frame.iloc[30].to_dict() | {"_submission_time": "2027-01-15T10:00:00", "_uuid": _uuids(rng, 1)[0]},
    ]
    return _insert(rng, frame, rows, FEEDBACK_COLUMNS)


# ---------------------------------------------------------------------------
# All five
# ---------------------------------------------------------------------------


def simulate(seed: int, plant: bool = True) -> dict[str, pd.DataFrame]:
    """The exports of the five framework instruments, as frames of text, by file name.

    Parameters
    ----------
    seed : int
        The example's seed (the community generator's); each instrument draws from
        its own stream derived from it.
    plant : bool
        Add the bad rows of :data:`PLANTED`.
    """
    register, trainees = simulate_register(seed)
    training = simulate_training(seed, trainees)
    capacity = simulate_capacity(seed)
    network = simulate_network(seed)
    feedback = simulate_feedback(seed, register)
    if plant:
        rng = _rng(seed, 9)
        register = _plant_register(rng, register)
        training = _plant_training(rng, training)
        capacity = _plant_capacity(rng, capacity)
        network = _plant_network(rng, network)
        feedback = _plant_feedback(rng, feedback)
    return {"activity_register.csv": register, **training, **capacity, **network, "beneficiary_feedback.csv": feedback}


def write(out_dir: str | Path, seed: int) -> list[Path]:
    """Write the five instruments' example exports into ``out_dir``."""
    out_dir = Path(out_dir)
    written = []
    for name, frame in simulate(seed).items():
        path = out_dir / name
        frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
        written.append(path)
    return written
