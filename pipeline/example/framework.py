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
from pathlib import Path

import numpy as np
import pandas as pd

# the consortium, the planted effects and the shared helpers; the organisation-level
# instruments. Re-exported: ``from pipeline.example.framework import PLANTED`` keeps working.
from pipeline.example.organisations import (  # noqa: F401
    CAPACITY_BASE,
    CAPACITY_COLUMNS,
    CAPACITY_WAVES,
    DOMAIN_SHIFT,
    DOMAINS,
    NETWORK_COLUMNS,
    _plant_capacity,
    _plant_network,
    simulate_capacity,
    simulate_network,
)
from pipeline.example.partners import (  # noqa: F401
    ABSENT,
    AWARENESS,
    CODES,
    FIRST,
    JSTES,
    LAST,
    LOCAL,
    MEETINGS,
    META,
    MULTIPLIER,
    PARTNERS,
    PLANTED,
    TRUE_EFFECTS,
    _at,
    _insert,
    _kobo_meta,
    _person,
    _rng,
    _text,
    _uuids,
)

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
