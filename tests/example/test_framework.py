"""The example of the five framework instruments: seeded, consistent across instruments, planted."""

from __future__ import annotations

import pandas as pd

from pipeline.config import SURVEYS_DIR
from pipeline.example.community import SEED
from pipeline.example.framework import ABSENT, JSTES, PARTNERS, PLANTED, TRUE_EFFECTS, simulate
from pipeline.instruments.registry import load_consortium


def test_same_seed_same_frames_and_every_planted_file():
    a, b = simulate(SEED), simulate(SEED)
    assert a.keys() == b.keys() == PLANTED.keys()
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])


def test_planted_rows_are_in_the_files():
    frames, clean = simulate(SEED), simulate(SEED, plant=False)
    for name, reasons in PLANTED.items():
        added = sum(reasons.values()) - reasons.get("duplicate_respondent", 0) // 2
        assert len(frames[name]) - len(clean[name]) == added, name


def test_the_partners_are_those_of_the_registry():
    cons = load_consortium(SURVEYS_DIR / "consortium.yaml")
    assert tuple(PARTNERS) == cons.partner_codes
    for p in cons.partners:
        city, country, language, kind, name = PARTNERS[p.code]
        assert (city, country, language, kind, name) == (p.city, p.country, p.language, p.type, p.name)


def test_trainees_are_the_staff_counted_at_the_jstes_of_the_register():
    frames = simulate(SEED, plant=False)
    reg = frames["activity_register.csv"].set_index("activity_id")
    pre = frames["staff_training_pre.csv"]
    assert set(pre["activity_id"]) == set(JSTES)
    per_jste = pre.groupby("activity_id")["respondent_id"].nunique()
    for aid, n in per_jste.items():
        assert int(reg.loc[aid, "p_partner_staff"]) == n
    # one person, one JSTE; later waves answer by the same people
    assert pre["respondent_id"].is_unique
    for wave in ("post", "follow_up"):
        later = frames[f"staff_training_{wave}.csv"]
        assert set(later["respondent_id"]) <= set(pre["respondent_id"])


def test_feedback_comes_from_refugee_participants_of_local_activities():
    frames = simulate(SEED, plant=False)
    reg = frames["activity_register.csv"].set_index("activity_id")
    fb = frames["beneficiary_feedback.csv"]
    counts = fb.groupby("activity_id").size()
    assert (reg.loc[counts.index, "activity_type"] == "local_activity").all()
    assert (counts <= reg.loc[counts.index, "p_refugee_migrant"].astype(int)).all()
    assert (fb["partner"].to_numpy() == reg.loc[fb["activity_id"], "partner"].to_numpy()).all()


def test_register_breakdowns_add_up_and_a_partner_missed_a_meeting():
    reg = simulate(SEED, plant=False)["activity_register.csv"]
    num = reg.filter(like="p_").astype(int)
    total = reg["participants_total"].astype(int)
    for cols in (["p_refugee_migrant", "p_local_resident", "p_partner_staff", "p_external_org"], ["p_female", "p_male", "p_gender_other"]):
        assert (num[cols].sum(axis=1) == total).all()
    meeting = reg.set_index("activity_id").loc["TM-3", "partners_attending"].split()
    assert not set(ABSENT["TM-3"]) & set(meeting)


def test_capacity_small_group_and_network_reaches_every_partner_at_endline():
    frames = simulate(SEED, plant=False)
    mid = frames["organisational_capacity_midterm.csv"]
    assert (mid["partner"] == "PT-LIS").sum() == TRUE_EFFECTS["capacity_raters_midterm_PT-LIS"]
    end = frames["partnership_network_endline.csv"]
    names = {v[4].casefold(): k for k, v in PARTNERS.items()}
    for code in PARTNERS:
        orgs = {o.strip().casefold() for o in end.loc[end["partner"] == code, "organisation"]}
        assert {names[o] for o in orgs if o in names} == set(PARTNERS) - {code}


def test_personal_fields_are_there_to_be_removed():
    frames = simulate(SEED)
    assert frames["staff_training_pre.csv"]["email"].str.contains("@example.org").any()
    assert frames["organisational_capacity_baseline.csv"]["rater_name"].ne("").all()
    assert frames["partnership_network_endline.csv"]["contact_person"].ne("").any()
    assert frames["activity_register.csv"]["recorded_by"].ne("").all()
