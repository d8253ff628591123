"""The bundled example's organisation-level instruments: the capacity self-assessment
(rated by partner staff at baseline, mid-term and endline) and the partnership network
survey (each partner's ties at baseline and endline).

Seeded and deterministic, part of the results framework's example
(:func:`pipeline.example.framework.simulate` calls them and re-exports them); what
they plant is described in :mod:`pipeline.example.framework`.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from pipeline.example.partners import CODES, META, PARTNERS, TRUE_EFFECTS, _at, _insert, _kobo_meta, _person, _rng, _uuids

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
