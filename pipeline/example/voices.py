"""The example's qualitative evidence log (``voices.csv``, codebook surveys/voices.yaml).

Seeded and deterministic: the same seed writes the same file. Each partner logs
most-significant-change stories and quotes it coded from the feedback and training
forms, for the two qualitative results of the framework (E2: innovative education;
E11: equity, social cohesion and active citizenship). About one in six people did not
agree to be quoted. The texts name people and places, as people's stories do: the
pipeline redacts them (:func:`pipeline.ingest.deidentify.redact_names`).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from pipeline.example.partners import CODES, FIRST, PARTNERS, _rng

COLUMNS = ["entry_id", "partner", "date", "result_id", "kind", "theme", "speaker", "consent", "text", "recorded_by"]

#: Neighbourhoods of each partner's city a person may mention.
PLACES = {
    "GR-THE": ["Kalamaria", "Ano Poli", "Diavata"],
    "IT-PAL": ["Ballarò", "Zisa", "Borgo Vecchio"],
    "ES-VAL": ["Russafa", "Benimaclet", "Orriols"],
    "DE-LEI": ["Grünau", "Connewitz", "Volkmarsdorf"],
    "PT-LIS": ["Mouraria", "Arroios", "Chelas"],
}

#: (result, theme, kind, speaker) -> texts; {name} and {place} are filled in.
TEXTS = {
    ("E2", "teaching_practice", "training_quote", "staff"): [
        "Since the training I start each class by asking what languages people speak. {name} now helps me translate for the new ones.",
        "We stopped the lecture format. Learners work in pairs and explain the task to each other, and attendance went up.",
        "I use the picture cards from the training every week; even the shy students answer now.",
    ],
    ("E2", "learning_materials", "msc_story", "staff"): [
        "The school in {place} asked for our welcome kit and now uses it with every new family, not only ours.",
        "Our short video lessons are used by the adult-education centre in {place}; {name} from their team adapted them for evening classes.",
    ],
    ("E2", "access_to_education", "msc_story", "participant"): [
        "Before the course I did not know I could have my diploma recognised. {name} showed me the papers, and in September I start nursing school.",
        "My daughter was three months without school. The mediator from the project went with us to the school in {place}, and now she goes every day.",
        "After two years at home I joined the evening class. I can read the letters from the office myself now.",
    ],
    ("E2", "access_to_education", "feedback_quote", "participant"): [
        "The teacher explained slowly and nobody laughed at my mistakes.",
        "For the first time a course fitted around my shifts.",
    ],
    ("E11", "belonging", "feedback_quote", "participant"): [
        "I felt like a guest the first time and like a neighbour the third time.",
        "Here nobody asked for my papers. They asked my name and remembered it.",
        "At the cooking evening {name} asked for my recipe. It is a small thing, but I felt at home.",
    ],
    ("E11", "volunteering", "msc_story", "participant"): [
        "I came to the language café to learn. Now I run the Tuesday table with {name}, and I help new people fill in forms.",
        "I was helped when I arrived in {place}. This winter I volunteered at the food bank every Saturday.",
    ],
    ("E11", "civic_initiative", "msc_story", "participant"): [
        "Three mothers from the course started a homework club in the library of {place}. Twelve children come every week.",
        "We wrote to the district council about the broken playground, in two languages. It was repaired in spring.",
    ],
    ("E11", "contact_across_groups", "msc_story", "resident"): [
        "I had lived in {place} for thirty years and never spoken to the families from the reception centre. Now {name} and I garden together.",
        "I went to the football tournament for my son. I stayed for the dinner and came back to organise the next one.",
        "I was afraid of the new centre in our street. After the open day I volunteered to teach sewing there.",
    ],
}


def simulate_voices(seed: int) -> pd.DataFrame:
    """The log's rows as text, :data:`COLUMNS`, sorted by date and entry code."""
    rng = _rng(seed, 11)
    keys = list(TEXTS)
    first, last = dt.date(2025, 4, 1), dt.date(2026, 11, 30)
    span = (last - first).days
    rows = []
    for code in CODES:
        city, _country, language, *_ = PARTNERS[code]
        n = int(rng.integers(10, 15))
        picks = rng.choice(len(keys), size=n, replace=True)
        for k, pick in enumerate(picks, start=1):
            result, theme, kind, speaker = keys[int(pick)]
            options = TEXTS[keys[int(pick)]]
            text = options[int(rng.integers(0, len(options)))]
            names = FIRST[language] + FIRST["ar"]
            text = text.format(name=names[int(rng.integers(0, len(names)))], place=PLACES[code][int(rng.integers(0, len(PLACES[code])))])
            staff = FIRST[language][int(rng.integers(0, len(FIRST[language])))]
            rows.append(
                {
                    "entry_id": f"V-{code}-{k:02d}",
                    "partner": code,
                    "date": (first + dt.timedelta(days=int(rng.integers(0, span + 1)))).isoformat(),
                    "result_id": result,
                    "kind": kind,
                    "theme": theme,
                    "speaker": speaker,
                    "consent": "no" if rng.random() < 1 / 6 else "yes",
                    "text": text,
                    "recorded_by": f"{staff} ({city})",
                }
            )
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.sort_values(["date", "entry_id"], kind="stable").reset_index(drop=True)
