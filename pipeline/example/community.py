"""The bundled example data: a seeded generator of realistic survey exports.

``impact generate-example`` writes ``surveys/example/`` from scratch; the same seed
gives byte-identical files. The exports look like KoboToolbox CSV downloads ("XML
values and headers"): one file per wave, tool metadata (``start``, ``end``,
``_id``, ``_uuid``, ``_submission_time``, ``_validation_status``, ``_index``)
beside the answers, and the personal fields a real export carries (a name, a
phone number, a free-text comment that sometimes holds contact details). All
names, numbers and e-mail addresses are invented (e-mail domains are the reserved
``example.org``/``example.com``).

What is planted, so that tests and readers can check the pipeline finds it:

* **True effects** (:data:`PARTNERS`): each partner's change on each scale, in
  standard deviations of the latent trait; DE-LEI has no true change on attitudes
  and social acceptance; knowledge improves most everywhere.
* **A comparison group** (:data:`COMPARISON`): at GR-THE and ES-VAL, local residents
  who did not take part (``took_part = comparison``) answer both surveys too. Their
  true change (:data:`COMPARISON_EFFECTS`) is small (a general trend), so the
  difference in differences there is the partner's effect minus that trend. They
  come from their own random stream, so the participants' answers do not depend on
  them.
* **An anonymous partner** (:data:`ANONYMOUS`): PT-LIS runs its survey without
  participant numbers. Respondents give a self-generated code instead (four elements,
  :data:`CODE_COLUMNS`), and at the second survey some misremember it
  (:data:`CODE_ERRORS`: one element wrong, two wrong, one left out), so matching by
  code has exact matches, tolerant ones and a few it cannot make. The codes come from
  their own random stream.
* **Attrition**: about a quarter of the people answering before the activities do
  not answer after them, more often those with less positive attitudes (so the
  attrition check has something to find). A few people answer only after.
* **Missing answers**: items left blank (3%), "don't know" (2%) and "refused" (0.5%).
* **Bad rows** (:data:`PLANTED`): out-of-range values, a non-numeric answer, an
  unknown partner code, a submission outside the project period, a duplicate
  submission, a respondent who answered twice in one wave, a missing identifier.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.config import EXAMPLE_DIR, SURVEYS_DIR
from pipeline.example import framework as example_framework
from pipeline.example import plan as example_plan

SEED = 20250301
SCALES = ("attitudes", "social_acceptance", "knowledge", "intentions")


@dataclass(frozen=True)
class PartnerSetup:
    """How the example simulates one partner's respondents."""

    n: int
    baseline: float
    effects: dict[str, float]
    language: str
    phone: str


#: Respondents before the activities, baseline level and true effects (latent SD units).
PARTNERS: dict[str, PartnerSetup] = {
    "GR-THE": PartnerSetup(260, -0.25, {"attitudes": 0.45, "social_acceptance": 0.35, "knowledge": 0.70, "intentions": 0.40}, "el", "+30 69{d1} {d3} {d4}"),
    "IT-PAL": PartnerSetup(230, -0.10, {"attitudes": 0.20, "social_acceptance": 0.15, "knowledge": 0.50, "intentions": 0.30}, "it", "+39 3{d2} {d3} {d4}"),
    "ES-VAL": PartnerSetup(280, 0.20, {"attitudes": 0.55, "social_acceptance": 0.40, "knowledge": 0.80, "intentions": 0.50}, "es", "+34 6{d2} {d3} {d3}"),
    "DE-LEI": PartnerSetup(210, 0.00, {"attitudes": 0.00, "social_acceptance": 0.00, "knowledge": 0.35, "intentions": 0.10}, "de", "+49 15{d1} {d4}{d4}"),
    "PT-LIS": PartnerSetup(240, 0.10, {"attitudes": 0.30, "social_acceptance": 0.25, "knowledge": 0.60, "intentions": 0.35}, "pt", "+351 9{d1} {d3} {d4}"),
}

#: Partners with a comparison group: residents who did not take part, answering before.
COMPARISON: dict[str, int] = {"GR-THE": 110, "ES-VAL": 120}
#: True change of the comparison group (latent SD units): a small general trend.
COMPARISON_EFFECTS: dict[str, float] = {"attitudes": 0.05, "social_acceptance": 0.0, "knowledge": 0.10, "intentions": 0.0}
#: Baseline of the comparison group relative to the partner's participants (latent SD).
COMPARISON_BASELINE_SHIFT = -0.10
#: First number of the comparison group's respondent ids (``GR-THE-50001``, ...).
COMPARISON_ID_BASE = 50000
#: Identifier numbers of people who answer only after the activities start here.
LATE_ID_BASE = 80000

#: Partners whose survey is anonymous: no participant number, a self-generated code.
ANONYMOUS: tuple[str, ...] = ("PT-LIS",)
#: The code's elements, as export columns (the codebook's fields with role "code").
CODE_COLUMNS = ["code_mother", "code_birth_month", "code_house", "code_birthplace"]
#: At the second survey: shares of anonymous respondents who get one element of their
#: code wrong, two elements wrong, or leave one element out.
CODE_ERRORS: dict[str, float] = {"one_wrong": 0.12, "two_wrong": 0.03, "one_blank": 0.03}
#: First letters of mothers' first names and of places of birth (Portuguese and
#: refugees' countries of origin), with rough frequencies: common letters make
#: codes collide now and then, as real codes do.
MOTHER_INITIALS = {"M": 22, "A": 15, "C": 8, "S": 7, "J": 6, "I": 6, "R": 5, "L": 5, "F": 5, "T": 4, "P": 4, "E": 4, "H": 3, "B": 3, "G": 3}
BIRTHPLACE_INITIALS = {"L": 35, "S": 10, "A": 10, "P": 6, "C": 6, "O": 5, "B": 5, "T": 5, "F": 4, "V": 4, "D": 4, "K": 3, "H": 3}

#: Bad rows planted in each file, by quarantine reason (rows, each with one problem).
PLANTED: dict[str, dict[str, int]] = {
    "community_attitudes_pre.csv": {
        "out_of_range": 2,
        "not_a_number": 1,
        "unknown_partner": 1,
        "outside_project_period": 1,
        "duplicate_respondent": 2,
    },
    "community_attitudes_post.csv": {
        "out_of_range": 1,
        "unknown_partner": 1,
        "duplicate_submission": 1,
        "missing_required": 1,
    },
}
#: Share of each partner's number who answer only after the activities (they joined late).
POST_ONLY_SHARE = 0.01

FIRST_NAMES = {
    "el": ["Maria", "Eleni", "Katerina", "Georgios", "Dimitris", "Nikos", "Sofia", "Ioanna", "Kostas", "Vasiliki"],
    "it": ["Giulia", "Francesca", "Chiara", "Marco", "Luca", "Giuseppe", "Sara", "Alessandro", "Anna", "Matteo"],
    "es": ["Lucía", "Carmen", "Marta", "Javier", "Pablo", "Alejandro", "Laura", "Sergio", "Elena", "Daniel"],
    "de": ["Anna", "Lena", "Julia", "Lukas", "Felix", "Jonas", "Sophie", "Maximilian", "Hannah", "Paul"],
    "pt": ["Beatriz", "Inês", "Mariana", "João", "Rodrigo", "Tiago", "Ana", "Miguel", "Catarina", "Pedro"],
    "ar": ["Ahmad", "Mohammed", "Omar", "Fatima", "Aisha", "Layla", "Yusuf", "Rania", "Khaled", "Noor"],
    "fa": ["Reza", "Ali", "Hossein", "Zahra", "Maryam", "Fatemeh", "Mahdi", "Parisa", "Sina", "Shirin"],
    "uk": ["Olena", "Iryna", "Oksana", "Andriy", "Dmytro", "Taras", "Kateryna", "Yulia", "Serhiy", "Natalia"],
}
LAST_NAMES = {
    "el": ["Papadopoulou", "Georgiou", "Nikolaidis", "Christodoulou", "Vlachos", "Ioannou"],
    "it": ["Rossi", "Russo", "Ferrara", "Esposito", "Bianchi", "Lombardo"],
    "es": ["García", "Martínez", "López", "Sánchez", "Pérez", "Gómez"],
    "de": ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker"],
    "pt": ["Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa"],
    "ar": ["Haddad", "Khalil", "Mansour", "Nasser", "Saleh", "Darwish"],
    "fa": ["Ahmadi", "Hosseini", "Karimi", "Rahimi", "Moradi", "Jafari"],
    "uk": ["Shevchenko", "Kovalenko", "Bondarenko", "Tkachenko", "Kravchenko", "Melnyk"],
}
COMMENTS = [
    "The activities were very interesting.",
    "Thank you for the cooking evening!",
    "More events like this please.",
    "I met my neighbours for the first time.",
    "Too short, but good.",
    "I would like to volunteer.",
]
ITEM_COLUMNS = {
    "attitudes": ["att_economy", "att_culture", "att_place", "att_jobs"],
    "social_acceptance": ["sd_neighbour", "sd_colleague", "sd_friend", "sd_family"],
    "knowledge": ["kn_rights", "kn_reasons", "kn_cultures", "kn_confused"],
    "intentions": ["bi_conversation", "bi_volunteer", "bi_speak_up", "bi_avoid"],
}
EXPORT_COLUMNS = [
    "start",
    "end",
    "partner",
    "respondent_id",
    "language",
    "gender",
    "age_group",
    "group",
    "took_part",
    *CODE_COLUMNS,
    *[c for cols in ITEM_COLUMNS.values() for c in cols],
    "full_name",
    "phone",
    "comment",
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_index",
]
WAVE_WINDOWS = {"pre": (dt.datetime(2025, 3, 3, 9), 53), "post": (dt.datetime(2025, 10, 1, 9), 50)}


def _uuids(rng: np.random.Generator, n: int) -> list[str]:
    raw = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    return [str(uuid.UUID(bytes=row.tobytes(), version=4)) for row in raw]


def _digits(rng: np.random.Generator, k: int) -> str:
    return "".join(str(d) for d in rng.integers(0, 10, size=k))


def _partner_people(rng: np.random.Generator, code: str, p: PartnerSetup, n: int, refugee_share: float = 0.22) -> pd.DataFrame:
    """n respondents of one partner: background and latent traits before and after."""
    group = rng.choice(["local_resident", "refugee_migrant"], size=n, p=[1 - refugee_share, refugee_share])
    refugee = group == "refugee_migrant"
    lang_local = rng.choice([p.language, "en"], size=n, p=[0.92, 0.08])
    lang_ref = rng.choice(["ar", "fa", "uk", "en"], size=n, p=[0.4, 0.25, 0.2, 0.15])
    common = rng.normal(size=n)
    frame = pd.DataFrame(
        {
            "partner": code,
            "number": np.arange(1, n + 1),
            "group": group,
            "language": np.where(refugee, lang_ref, lang_local),
            "gender": rng.choice(["female", "male", "other", "no_answer"], size=n, p=[0.55, 0.42, 0.015, 0.015]),
            "age_group": rng.choice(["18-29", "30-44", "45-64", "65+"], size=n, p=[0.27, 0.33, 0.28, 0.12]),
        }
    )
    for s in SCALES:
        pre = p.baseline + 0.8 * refugee + 0.6 * common + 0.8 * rng.normal(size=n)
        frame[f"{s}_pre"] = pre
        frame[f"{s}_post"] = pre + p.effects[s] + 0.35 * rng.normal(size=n)
    return frame


def _id_bases(scale: float) -> tuple[int, int]:
    """First identifier numbers of the comparison group and of people answering only
    after: 50000 and 80000, or higher powers of ten when a partner's participants at
    this scale would reach them (the benchmark's million respondents), so that no two
    people share an identifier."""
    n_part = max(int(round(p.n * scale)) for p in PARTNERS.values())
    n_comp = max(int(round(n * scale)) for n in COMPARISON.values())
    comparison = COMPARISON_ID_BASE if n_part < COMPARISON_ID_BASE else 10 ** len(str(n_part))
    fits = n_part < LATE_ID_BASE and comparison + n_comp <= LATE_ID_BASE
    return comparison, LATE_ID_BASE if fits else 10 ** len(str(comparison + n_comp))


def _people(rng: np.random.Generator, scale: float = 1.0) -> pd.DataFrame:
    """The participants: partner, background, latent traits before and after."""
    parts = [_partner_people(rng, code, p, max(1, int(round(p.n * scale)))) for code, p in PARTNERS.items()]
    people = pd.concat(parts, ignore_index=True)
    people["respondent_id"] = [f"{c}-{k:05d}" for c, k in zip(people["partner"], people["number"])]
    people["took_part"] = "participant"
    return people


def _comparison_people(rng: np.random.Generator, scale: float = 1.0) -> pd.DataFrame:
    """Residents who did not take part (:data:`COMPARISON`), with the general trend only."""
    parts = []
    for code, n in COMPARISON.items():
        p = PARTNERS[code]
        setup = PartnerSetup(n, p.baseline + COMPARISON_BASELINE_SHIFT, COMPARISON_EFFECTS, p.language, p.phone)
        parts.append(_partner_people(rng, code, setup, max(1, int(round(n * scale))), refugee_share=0.0))
    people = pd.concat(parts, ignore_index=True)
    base = _id_bases(scale)[0]
    people["respondent_id"] = [f"{c}-{base + k:05d}" for c, k in zip(people["partner"], people["number"])]
    people["took_part"] = "comparison"
    return people


def _choice(rng: np.random.Generator, weights: dict[str, int], n: int) -> np.ndarray:
    letters = list(weights)
    p = np.array([weights[k] for k in letters], dtype=float)
    return rng.choice(letters, size=n, p=p / p.sum())


def _with_codes(rng: np.random.Generator, people: pd.DataFrame) -> pd.DataFrame:
    """People of :data:`ANONYMOUS` partners get their true self-generated code."""
    out = people.copy()
    anonymous = out["partner"].isin(ANONYMOUS).to_numpy()
    n = int(anonymous.sum())
    values = {
        "code_mother": _choice(rng, MOTHER_INITIALS, n),
        "code_birth_month": np.array([f"{m:02d}" for m in rng.integers(1, 13, size=n)]),
        "code_house": rng.integers(0, 10, size=n).astype(str),
        "code_birthplace": _choice(rng, BIRTHPLACE_INITIALS, n),
    }
    for col in CODE_COLUMNS:
        column = np.full(len(out), "", dtype=object)
        column[anonymous] = values[col]
        out[col] = column
    return out


def _misremembered(rng: np.random.Generator, people: pd.DataFrame) -> pd.DataFrame:
    """The codes people give at the second survey (:data:`CODE_ERRORS`)."""
    out = people.copy()
    idx = np.flatnonzero(out["partner"].isin(ANONYMOUS).to_numpy())
    u = rng.random(idx.size)
    cut_one = CODE_ERRORS["one_wrong"]
    cut_two = cut_one + CODE_ERRORS["two_wrong"]
    cut_blank = cut_two + CODE_ERRORS["one_blank"]
    other = {
        "code_mother": lambda v: _choice(rng, {k: w for k, w in MOTHER_INITIALS.items() if k != v}, 1)[0],
        "code_birth_month": lambda v: f"{(int(v) % 12) + 1:02d}",  # one month off
        "code_house": lambda v: str((int(v) + int(rng.integers(1, 10))) % 10),
        "code_birthplace": lambda v: _choice(rng, {k: w for k, w in BIRTHPLACE_INITIALS.items() if k != v}, 1)[0],
    }
    for k, row in enumerate(idx):
        if u[k] >= cut_blank:
            continue
        n_wrong = 2 if cut_one <= u[k] < cut_two else 1
        cols = rng.choice(CODE_COLUMNS, size=n_wrong, replace=False)
        for col in cols:
            j = out.columns.get_loc(col)
            out.iat[row, j] = "" if u[k] >= cut_two else other[col](out.iat[row, j])
    return out


def _stays(rng: np.random.Generator, people: pd.DataFrame) -> np.ndarray:
    """Who answers after the activities: less positive attitudes drop out more often."""
    theta = people["attitudes_pre"].to_numpy()
    p_drop = 1 / (1 + np.exp(-(-1.15 - 0.45 * theta)))
    return rng.random(len(people)) >= p_drop


def _merge_exports(wave: str, *frames: pd.DataFrame) -> pd.DataFrame:
    """Several exports of one wave as one, in order of submission, renumbered."""
    frame = pd.concat(frames, ignore_index=True).sort_values("_submission_time", kind="stable").reset_index(drop=True)
    base_id = 41_000_000 if wave == "pre" else 47_000_000
    frame["_id"] = base_id + np.arange(1, len(frame) + 1) * 7
    frame["_index"] = np.arange(1, len(frame) + 1)
    return frame[EXPORT_COLUMNS]


def _answers(rng: np.random.Generator, people: pd.DataFrame, wave: str) -> pd.DataFrame:
    """Item answers of one wave, with blanks, don't-knows and refusals."""
    n = len(people)
    out = {}
    ess_offset = {"att_economy": -0.3, "att_culture": 0.5, "att_place": 0.0, "att_jobs": -0.6}
    for col, off in ess_offset.items():
        x = np.rint(5.2 + 1.9 * (people[f"attitudes_{wave}"] + off) + rng.normal(0, 1.3, n))
        out[col] = np.clip(x, 0, 10)
    sd_ease = {"sd_neighbour": 1.6, "sd_colleague": 1.3, "sd_friend": 0.6, "sd_family": -0.5}
    for col, ease in sd_ease.items():
        p = 1 / (1 + np.exp(-(1.4 * people[f"social_acceptance_{wave}"] + ease)))
        out[col] = (rng.random(n) < p).astype(float)
    for s, offsets in (("knowledge", (0.0, 0.4, -0.2, 0.1)), ("intentions", (0.3, -0.3, 0.0, 0.2))):
        for col, off in zip(ITEM_COLUMNS[s], offsets):
            x = np.clip(np.rint(3.0 + 0.9 * (people[f"{s}_{wave}"] + off) + rng.normal(0, 0.8, n)), 1, 5)
            reverse = col in ("kn_confused", "bi_avoid")
            out[col] = 6 - x if reverse else x
    frame = pd.DataFrame(out, index=people.index)
    for col in frame.columns:
        u = rng.random(n)
        dk, refused = (88, 77) if col.startswith("att_") else (8, 9)
        frame.loc[u < 0.03, col] = np.nan
        frame.loc[(u >= 0.03) & (u < 0.05), col] = dk
        frame.loc[(u >= 0.05) & (u < 0.055), col] = refused
    return frame


def _export(rng: np.random.Generator, people: pd.DataFrame, wave: str) -> pd.DataFrame:
    """A KoboToolbox-like export of one wave for these people."""
    n = len(people)
    answers = _answers(rng, people, wave)
    start0, days = WAVE_WINDOWS[wave]
    offsets = np.sort(rng.integers(0, days * 24 * 3600, size=n))
    order = rng.permutation(n)  # submissions arrive in no particular order of respondents
    sub = pd.Series([start0 + dt.timedelta(seconds=int(s)) for s in offsets], index=people.index[order]).sort_index()
    dur = rng.integers(6 * 60, 25 * 60, size=n)
    frame = pd.DataFrame(index=people.index)
    frame["start"] = [(t - dt.timedelta(seconds=int(d))).strftime("%Y-%m-%dT%H:%M:%S.000+00:00") for t, d in zip(sub, dur)]
    frame["end"] = [(t - dt.timedelta(seconds=int(rng.integers(5, 60)))).strftime("%Y-%m-%dT%H:%M:%S.000+00:00") for t in sub]
    for col in ("partner", "respondent_id", "language", "gender", "age_group", "group", "took_part"):
        frame[col] = people[col]
    anonymous = people["partner"].isin(ANONYMOUS)
    frame["respondent_id"] = people["respondent_id"].where(~anonymous, "")
    for col in CODE_COLUMNS:
        frame[col] = people[col] if col in people.columns else ""
    for col in answers.columns:
        frame[col] = answers[col].map(lambda v: "" if np.isnan(v) else str(int(v)))
    langs = people["language"].to_numpy()
    first = [FIRST_NAMES[l if l in FIRST_NAMES else PARTNERS[p].language][int(i)] for l, p, i in zip(langs, people["partner"], rng.integers(0, 10, n))]
    last = [LAST_NAMES[l if l in LAST_NAMES else PARTNERS[p].language][int(i)] for l, p, i in zip(langs, people["partner"], rng.integers(0, 6, n))]
    gives_name = rng.random(n) < 0.7
    frame["full_name"] = [f"{a} {b}" if g else "" for a, b, g in zip(first, last, gives_name)]
    phones = [PARTNERS[p].phone.format(d1=_digits(rng, 1), d2=_digits(rng, 2), d3=_digits(rng, 3), d4=_digits(rng, 4)) for p in people["partner"]]
    gives_phone = rng.random(n) < 0.5
    frame["phone"] = [ph if g else "" for ph, g in zip(phones, gives_phone)]
    u = rng.random(n)
    comments = []
    for k in range(n):
        if u[k] < 0.10:
            comments.append(COMMENTS[int(rng.integers(0, len(COMMENTS)))])
        elif u[k] < 0.13:
            comments.append(f"Please call me about volunteering: {phones[k]}")
        elif u[k] < 0.15:
            email = f"{_ascii(first[k])}.{_ascii(last[k])}{int(rng.integers(1, 99))}@example.org"
            comments.append(f"You can write to me at {email}")
        else:
            comments.append("")
    frame["comment"] = comments
    frame["_uuid"] = _uuids(rng, n)
    frame["_submission_time"] = [t.strftime("%Y-%m-%dT%H:%M:%S") for t in sub]
    frame["_validation_status"] = ""
    frame = frame.sort_values("_submission_time", kind="stable").reset_index(drop=True)
    base_id = 41_000_000 if wave == "pre" else 47_000_000
    frame["_id"] = base_id + np.arange(1, n + 1) * 7
    frame["_index"] = np.arange(1, n + 1)
    return frame[EXPORT_COLUMNS]


def _ascii(text: str) -> str:
    table = str.maketrans("áéíóúàèìòùäöüßñçãõâêôÁÉÍÓÚÄÖÜÑÇ", "aeiouaeiouaousncaoaeoAEIOUAOUNC")
    return text.translate(table).lower()


def _plant(rng: np.random.Generator, pre: pd.DataFrame, post: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add the bad rows of :data:`PLANTED`, each with exactly one problem."""

    def clone(frame: pd.DataFrame, k: int, new_id: str) -> dict:
        row = frame.iloc[k].to_dict()
        row["respondent_id"] = new_id
        row["_uuid"] = _uuids(rng, 1)[0]
        for col in CODE_COLUMNS:  # planted rows are identified by their number only
            row[col] = ""
        return row

    extra_pre = []
    r = clone(pre, 10, "GR-THE-90001")
    r["att_economy"] = "12"
    extra_pre.append(r)
    r = clone(pre, 20, "IT-PAL-90002")
    r["kn_rights"] = "6"
    extra_pre.append(r)
    r = clone(pre, 30, "ES-VAL-90003")
    r["bi_volunteer"] = "agree"
    extra_pre.append(r)
    r = clone(pre, 40, "GR-TES-90004")
    r["partner"] = "GR-TES"
    extra_pre.append(r)
    r = clone(pre, 50, "PT-LIS-90005")
    r["_submission_time"] = "2024-12-12T16:40:05"
    extra_pre.append(r)
    # The same person (a real respondent's id) submits a second, different form.
    k = next(i for i in range(60, len(pre)) if pre.iloc[i]["respondent_id"])
    twice = pre.iloc[k]["respondent_id"]
    r = clone(pre, 70, twice)
    r["partner"] = pre.iloc[k]["partner"]
    extra_pre.append(r)

    extra_post = []
    r = clone(post, 15, "DE-LEI-90011")
    r["sd_friend"] = "2"
    extra_post.append(r)
    r = clone(post, 25, "IT-PAL-90012")
    r["partner"] = "it-pal"
    extra_post.append(r)
    extra_post.append(post.iloc[35].to_dict())  # the same submission sent twice
    r = clone(post, 45, "")
    extra_post.append(r)

    def insert(frame: pd.DataFrame, rows: list[dict]) -> pd.DataFrame:
        out = frame.copy()
        for row in rows:
            at = int(rng.integers(1, len(out)))
            out = pd.concat([out.iloc[:at], pd.DataFrame([row]), out.iloc[at:]], ignore_index=True)
        out["_index"] = np.arange(1, len(out) + 1)
        return out[EXPORT_COLUMNS]

    return insert(pre, extra_pre), insert(post, extra_post)


def simulate(seed: int = SEED, scale: float = 1.0, plant: bool = True) -> dict[str, pd.DataFrame]:
    """The community attitudes exports, as frames of text, by file name.

    Parameters
    ----------
    seed : int
        Seed of the random generator; the same seed gives the same frames.
    scale : float
        Multiplies each partner's number of respondents (the benchmark uses large scales).
    plant : bool
        Add the bad rows of :data:`PLANTED`.
    """
    rng = np.random.default_rng(seed)
    rng_code = np.random.default_rng(seed + 3)  # the codes have their own stream too
    people = _with_codes(rng_code, _people(rng, scale))
    stays = _stays(rng, people)
    pre = _export(rng, people, "pre")
    late = _with_codes(rng_code, _people(np.random.default_rng(seed + 1), scale=POST_ONLY_SHARE * scale))
    late_base = _id_bases(scale)[1]
    late["respondent_id"] = [f"{c}-{late_base + k:05d}" for k, c in enumerate(late["partner"])]
    post_people = _misremembered(rng_code, pd.concat([people.loc[stays], late], ignore_index=True))
    post = _export(rng, post_people, "post")
    # The comparison group has its own random stream: the participants' data above do
    # not change when it does.
    rng_c = np.random.default_rng(seed + 2)
    comparison = _comparison_people(rng_c, scale)
    stays_c = _stays(rng_c, comparison)
    pre = _merge_exports("pre", pre, _export(rng_c, comparison, "pre"))
    post = _merge_exports("post", post, _export(rng_c, comparison.loc[stays_c], "post"))
    if plant:
        pre, post = _plant(rng, pre, post)
    return {"community_attitudes_pre.csv": pre, "community_attitudes_post.csv": post}


def write_example(out_dir: str | Path = EXAMPLE_DIR, seed: int = SEED) -> list[Path]:
    """Write the example exports (and keep the folder's ``datasets.yaml``)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in simulate(seed).items():
        path = out_dir / name
        frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
        written.append(path)
    written += example_framework.write(out_dir, seed)  # the results framework's five instruments
    written += example_plan.write(out_dir, seed)  # the work plan and the qualitative evidence log
    manifest = out_dir / "datasets.yaml"
    if not manifest.exists():
        manifest.write_text((SURVEYS_DIR / "example" / "datasets.yaml").read_text(encoding="utf-8"), encoding="utf-8")
        written.append(manifest)
    return written
