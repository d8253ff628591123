"""Voices (the qualitative evidence log) and activities against the plan: what is published."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from pipeline.analysis import activities, voices
from pipeline.config import SURVEYS_DIR
from pipeline.errors import CodebookError, PipelineError
from pipeline.ingest.deidentify import NAME_MARK, deidentify, redact_names
from pipeline.instruments.codebook import load_codebook
from pipeline.instruments.plan import load_plan


# ----------------------------------------------------------------------------- redaction
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("My neighbour Ahmed took me to the market in Kalamaria.", f"My neighbour {NAME_MARK} took me to the market in {NAME_MARK}."),
        ("Maria Papadopoulou helped me.", f"{NAME_MARK} helped me."),
        ("After the course I met Omar. Then we cooked.", f"After the course I met {NAME_MARK}. Then we cooked."),
        ("The EU and the NGO paid for it.", "The EU and the NGO paid for it."),
        ("I'm glad. Twelve children come.", "I'm glad. Twelve children come."),
        ("«Fatima» said yes", f"«{NAME_MARK}» said yes"),
        ("Jean-Luc O'Brien came from Nea Smyrni", f"{NAME_MARK} came from {NAME_MARK}"),
    ],
)
def test_names_and_places_are_replaced(text, expected):
    assert redact_names(text)[0] == expected


def test_a_kept_word_stays_and_the_count_is_of_marks():
    assert redact_names("Now I teach Greek to Maria.", keep={"greek"}) == (f"Now I teach Greek to {NAME_MARK}.", 1)


def test_ingestion_redacts_the_voices_text_and_drops_the_recorder():
    cb = load_codebook(SURVEYS_DIR / "voices.yaml")
    frame = pd.DataFrame({"entry_id": ["V-1"], "partner": ["GR-THE"], "text": ["We called Ahmed on +30 691 234 5678 in Diavata."], "recorded_by": ["Kostas (Thessaloniki)"]})
    out = deidentify(frame, cb, b"k")
    assert "recorded_by" not in out.columns
    assert out["text"].iloc[0] == f"We called {NAME_MARK} on [phone removed] in {NAME_MARK}."


# ----------------------------------------------------------------------------- voices tables
def _log(n_e2=12, partners=("A", "B", "C")):
    rows = []
    for k in range(n_e2):
        rows.append(
            {
                "entry_id": f"V-{k:02d}",
                "partner": partners[k % len(partners)],
                "date": (dt.date(2025, 1, 1) + dt.timedelta(days=10 * k)).isoformat(),
                "result_id": "E2",
                "kind": "msc_story",
                "theme": "belonging" if k < 9 else "volunteering",
                "speaker": "participant",
                "consent": "no" if k % 4 == 0 else "yes",
                "text": f"story {k}",
            }
        )
    return pd.DataFrame(rows)


def test_counts_include_entries_without_consent_and_hide_small_cells():
    out = voices.voice_counts(_log(), min_cell=5, partners=["A", "B", "C"])
    total = out.loc[out["group_by"] == "consortium"].iloc[0]
    assert total["entries"] == 12  # 3 of them without consent: counted, not shown
    themes = out.loc[out["group_by"] == "theme"].set_index("group")
    # volunteering has 3 entries (< 5): hidden; belonging (9) would give it away as 12 - 9: hidden too
    assert themes.loc["volunteering", "suppression"] == "primary"
    assert themes.loc["belonging", "suppression"] == "secondary"
    assert pd.isna(themes.loc["belonging", "entries"])
    shown = out.loc[~out["suppressed"] & (out["entries"] > 0), "entries"]
    assert shown.min() >= 5


def test_quotes_are_consented_only_few_and_spread():
    log = _log()
    q = voices.voice_quotes(log, per_result=3)
    declined = set(log.loc[log["consent"] == "no", "text"])
    assert len(q) == 3
    assert not set(q["text"]) & declined
    assert q["partner"].nunique() == 3
    assert set(q["month"].str.len()) == {7}  # the month, not the day


def test_an_entry_for_an_unknown_result_names_the_row():
    log = _log().assign(_source_row=range(2, 14))
    log.loc[4, "result_id"] = "E99"
    with pytest.raises(PipelineError, match=r"voices.csv, row 6, column result_id: 'E99'"):
        voices.check_results(log, {"E2", "E11"}, "voices.csv")


# ----------------------------------------------------------------------------- plan
def _register():
    return pd.DataFrame(
        {
            "activity_id": ["TM-1", "TM-2", "LA-1", "LA-2", "LA-3", "ME-1"],
            "partner": ["A", "B", "A", "A", "B", "B"],
            "activity_type": ["transnational_meeting", "transnational_meeting", "local_activity", "local_activity", "local_activity", "multiplier_event"],
            "start_date": ["2025-02-10", "2025-09-15", "2025-03-01", "2025-12-01", "2025-05-05", "2026-07-01"],
            "partners_attending": ["A B", "A", "A", "A", "B", "B"],
            "participants_total": [6, 3, 20, 30, 25, 40],
            "p_external_org": [0, 0, 0, 0, 0, 12],
            "external_organisations": [0, 0, 0, 0, 0, 6],
            "reach": ["european", "european", "local", "local", "local", "national"],
        }
    )


def _plan():
    return pd.DataFrame(
        [
            {"activity_type": "transnational_meeting", "partner": "A", "number": 1, "from": "2025-02-01", "to": "2025-02-28", "participants": 8},
            {"activity_type": "transnational_meeting", "partner": "B", "number": 1, "from": "2025-10-01", "to": "2025-10-31", "participants": 8},
            {"activity_type": "local_activity", "partner": "A", "number": 3, "from": "2025-01-01", "to": "2025-06-30", "participants": 60},
        ]
    )


def test_plan_against_register_counts_held_in_window_and_unplanned():
    out = activities.against_plan(_plan(), _register(), min_cell=5).set_index(["activity_type", "partner"])
    assert out.loc[("local_activity", "A"), ["planned", "held", "held_in_window"]].tolist() == [3, 2, 1]
    assert out.loc[("transnational_meeting", "B"), "held_in_window"] == 0  # held in September, planned in October
    assert out.loc[("local_activity", "B"), "planned"] == 0  # held without a plan
    assert out.loc[("local_activity", "all"), ["planned", "held", "participants"]].tolist() == [3, 3, 75]
    # a meeting of 3 people is hidden, and its partner of 6 with it (9 - 6 = 3)
    assert out.loc[("transnational_meeting", "B"), "suppression"] == "primary"
    assert out.loc[("transnational_meeting", "A"), "suppression"] == "secondary"
    assert out.loc[("transnational_meeting", "all"), "participants"] == 9


def test_participation_per_partner_and_dissemination_by_level():
    part = activities.participation(_register(), ["A", "B"], {"A": 7, "B": 6}, min_cell=5).set_index("partner")
    assert part.loc["A", ["meetings_held", "meetings_attended", "activities_hosted"]].tolist() == [2, 2, 2]
    assert part.loc["B", ["meetings_attended", "activities_hosted", "participants_hosted", "staff_trained"]].tolist() == [1, 2, 65, 6]
    diss = activities.dissemination(_register(), min_cell=5).set_index("reach")
    assert diss.loc["national", ["events", "multiplier_events", "participants", "external_organisations"]].tolist() == [1, 1, 40, 6]
    assert diss.loc["all", "events"] == 1 and diss.loc["local", "events"] == 0


def _write(tmp_path, text):
    p = tmp_path / "activity_plan.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_plan_file_is_checked_and_errors_name_the_entry(tmp_path):
    ok = "entries:\n  - {activity_type: jste, partner: A, number: 1, from: 2025-04-01, to: 2025-04-30, participants: 30}\n"
    assert load_plan(_write(tmp_path, ok), {"jste"}, {"A"})["number"].tolist() == [1]
    for bad, message in [
        (ok.replace("jste,", "picnic,"), r"entries\[0\] \(picnic, A\)\.activity_type: unknown kind"),
        (ok.replace("partner: A", "partner: Z"), r"unknown partner 'Z'"),
        (ok.replace("to: 2025-04-30", "to: 2025-03-30"), r"ends \(2025-03-30\) before it starts"),
        (ok.replace("number: 1", "number: -2"), r"not a whole number"),
        (ok.replace("participants: 30", "participants: 30, budget: 9"), r"unknown key"),
        (ok + ok[len("entries:\n") :], r"a second entry for jste hosted by A"),
    ]:
        with pytest.raises(CodebookError, match=message):
            load_plan(_write(tmp_path, bad), {"jste"}, {"A"})


def test_contractions_at_the_start_of_a_sentence_are_no_names():
    assert redact_names("I'm happy. It's good. Don't worry, Ahmed.")[0] == f"I'm happy. It's good. Don't worry, {NAME_MARK}."
