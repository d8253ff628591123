"""The bundled example's consortium as the generators of the results framework see it.

The five partners, the JSTEs and transnational meetings, the activities foreseen, the
true effects and the bad rows the generators plant (:data:`TRUE_EFFECTS`,
:data:`PLANTED`, described in :mod:`pipeline.example.framework`), invented names, and
the small helpers every instrument's generator shares (one random stream per
instrument, KoboToolbox's metadata columns, numbers written as an export writes them).
:mod:`pipeline.example.framework` re-exports every name.
"""

from __future__ import annotations

import datetime as dt
import uuid

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
