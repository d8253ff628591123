"""The bundled example: reproducible from its seed, small, with the planted problems."""

from __future__ import annotations

from pipeline.config import EXAMPLE_DIR
from pipeline.example.community import PLANTED, simulate, write_example


def test_regenerating_gives_the_committed_files_byte_for_byte(tmp_path):
    written = write_example(tmp_path)
    for path in written:
        if path.suffix == ".csv":
            assert path.read_bytes() == (EXAMPLE_DIR / path.name).read_bytes(), path.name


def test_example_is_under_2_mb():
    total = sum(p.stat().st_size for p in EXAMPLE_DIR.iterdir() if p.is_file())
    assert total < 2 * 1024 * 1024


def test_shape_a_few_hundred_per_partner_and_a_quarter_lost():
    frames = simulate(plant=False)
    pre, post = frames["community_attitudes_pre.csv"], frames["community_attitudes_post.csv"]
    per_partner = pre["partner"].value_counts()
    assert len(per_partner) == 5 and per_partner.min() >= 200
    numbered = pre.loc[pre["respondent_id"] != ""]  # the anonymous partner's rows carry a code instead
    lost = 1 - len(set(numbered["respondent_id"]) & set(post["respondent_id"])) / len(numbered)
    assert 0.18 < lost < 0.32


def test_personal_fields_are_there_to_be_removed():
    pre = simulate()["community_attitudes_pre.csv"]
    assert pre["full_name"].ne("").mean() > 0.5
    assert pre["phone"].str.startswith("+").mean() > 0.3
    assert pre["comment"].str.contains("@example.org").any()
    assert pre["comment"].str.contains(r"\+\d", regex=True).any()


def test_planted_rows_are_in_the_files():
    frames = simulate()
    clean = simulate(plant=False)
    for name, reasons in PLANTED.items():
        assert len(frames[name]) - len(clean[name]) == sum(reasons.values()) - reasons.get("duplicate_respondent", 0) // 2


def test_comparison_group_and_anonymous_partner_are_planted():
    from pipeline.example.community import ANONYMOUS, CODE_COLUMNS, COMPARISON

    pre = simulate(plant=False)["community_attitudes_pre.csv"]
    comp = pre.loc[pre["took_part"] == "comparison"]
    assert set(comp["partner"]) == set(COMPARISON) and (comp["group"] == "local_resident").all()
    anon = pre["partner"].isin(ANONYMOUS)
    assert (pre.loc[anon, "respondent_id"] == "").all() and (pre.loc[~anon, "respondent_id"] != "").all()
    assert (pre.loc[anon, CODE_COLUMNS] != "").all().all() and (pre.loc[~anon, CODE_COLUMNS] == "").all().all()
