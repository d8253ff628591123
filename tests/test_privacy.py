"""Privacy by design: redaction, age groups, rare combinations, and planted personal data
searched for in every file the pipeline writes."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.analysis.disclosure import DisclosureError, check_published, combination_check, rare_combinations
from pipeline.config import SURVEYS_DIR
from pipeline.ingest.deidentify import age_groups, redact
from pipeline.instruments.codebook import load_codebook
from pipeline.instruments.registry import load_consortium
from tests.synth import valid_export


@pytest.mark.parametrize(
    "text, expected",
    [
        ("write to ana.silva@example.org please", "write to [e-mail removed] please"),
        ("Mail: Ahmad_K+ngo@mail.example.co.uk.", "Mail: [e-mail removed]."),
        ("call +30 697 081 7196 after 5", "call [phone removed] after 5"),
        ("0049 (0)151-2345 6789", "[phone removed]"),
        ("mobile 069/123.45.67", "mobile [phone removed]"),
        ("رقمي ٠٥٠١٢٣٤٥٦٧ شكرا", "رقمي [phone removed] شكرا"),  # Arabic-Indic digits
        ("شماره من ۰۹۱۲۳۴۵۶۷۸۹", "شماره من [phone removed]"),  # Persian digits
        ("we met on 2025-03-01 and 12/04/2025", "we met on 2025-03-01 and 12/04/2025"),
        ("3 children, 2 jobs, room 101", "3 children, 2 jobs, room 101"),
        ("", ""),
    ],
)
def test_redact(text, expected):
    assert redact(text)[0] == expected


def test_age_groups_in_completed_years():
    bands = {"18-29": (18, 29), "30-44": (30, 44), "45-64": (45, 64), "65+": (65, None)}
    birth = pd.Series(["1995-03-02", "1995-03-03", "03/03/1995", "1960-01-01", "2010-05-05", "not a date", None])
    at = pd.Series(pd.to_datetime(["2025-03-02"] * 7))
    # born 2 March 1995: 30 on 2 March 2025; born 3 March: still 29; day-first 03/03/1995 = 3 March
    assert age_groups(birth, at, bands).fillna("-").tolist() == ["30-44", "18-29", "18-29", "65+", "-", "-", "-"]


def test_rare_combinations_count_people_once():
    frame = pd.DataFrame(
        {
            "respondent_id": ["a", "a", "b", "c", "d", "e", "f"],
            "partner": ["GR", "GR", "GR", "GR", "GR", "IT", "IT"],
            "gender": ["f", "f", "f", "f", "m", "f", None],
        }
    )
    rare = rare_combinations(frame, ["partner", "gender"], 3)
    assert rare.values.tolist() == [["GR", "m", 1], ["IT", "(not given)", 1], ["IT", "f", 1]]
    check = combination_check(frame, ["partner", "gender"], 3).iloc[0]
    assert (check.groups, check.small_groups) == (4, 3)
    assert check.people_in_small_groups == 3
    from pipeline.report.tables import small_count

    check7 = combination_check(frame, ["partner", "gender"], 7).iloc[0]  # 6 people in small groups
    assert small_count(check7.people_in_small_groups, 7) == "fewer than 7"  # as the report shows it


def test_check_published_refuses_a_small_count():
    ok = pd.DataFrame({"n_pre": [12, None, 5], "n_paired": [9, None, 5]})
    check_published(ok, ["n_pre", "n_paired"], 5, "t.csv")
    with pytest.raises(DisclosureError, match="t.csv: a published count is 4, below the minimum of 5"):
        check_published(ok.assign(n_paired=[9, None, 4]), ["n_pre", "n_paired"], 5, "t.csv")


PLANTED = {
    "name": "Zebedee Quux-Planted",
    "email": "zebedee.quux@example.org",
    "phone": "+30 699 555 0199",
    "birth": "1987-06-15",
    "id": "PLANTED-4242",
}
NEEDLES = ["Zebedee", "Quux-Planted", "zebedee.quux", "699 555 0199", "6995550199", "1987-06-15", "PLANTED-4242"]


def plant(frame: pd.DataFrame, codebook, wave: str) -> pd.DataFrame:
    out = frame.copy()
    for f in codebook.fields:
        if f.role == "personal":
            out[f.column] = [f"{PLANTED['name']} {PLANTED['phone']} {PLANTED['email']}"] * len(out)
        elif f.role == "free_text":
            out[f.column] = [f"Lovely! Write to {PLANTED['email']} or call {PLANTED['phone']}"] * len(out)
        elif f.role == "birth_date":
            out[f.column] = PLANTED["birth"]
            if f.age_group in out.columns:
                out.loc[out.index[::2], f.age_group] = ""
        elif f.role == "respondent_id":
            out[f.column] = [f"{PLANTED['id']}-{k:03d}" for k in range(len(out))]
    out["Email address"] = PLANTED["email"]  # an unknown column: left out
    # a row that cannot be read as a row (quarantined without its content) and one with a bad value
    out.loc[len(out)] = out.iloc[0]
    out.loc[len(out) - 1, codebook.items[0].column] = f"call {PLANTED['phone']}"
    return out


@pytest.mark.slow
def test_planted_personal_data_reaches_no_file_the_pipeline_writes(tmp_path):
    from pipeline.report.build import build_reports
    from pipeline.workflow import analyse, ingest

    cons = load_consortium(SURVEYS_DIR / "consortium.yaml")
    root = tmp_path / "data"
    root.mkdir()
    lines = [f"consortium: {SURVEYS_DIR / 'consortium.yaml'}", "datasets:"]
    import yaml

    paths = [p for p in sorted(SURVEYS_DIR.glob("*.yaml")) if "instrument" in (yaml.safe_load(p.read_text(encoding="utf-8")) or {})]
    instruments = [load_codebook(p) for p in paths]
    instruments = [cb for cb in instruments if cb.design == "paired_pre_post"]
    assert instruments
    for cb in instruments:
        for k, wave in enumerate(cb.waves[:2]):
            frame = plant(valid_export(cb, cons, 60 - 10 * k, seed=k, partners=("GR-THE",)), cb, wave)
            name = f"{cb.instrument}_{wave}.csv"
            text = frame.to_csv(index=False, lineterminator="\n")
            text += ",".join([PLANTED["name"], PLANTED["email"]] * 3) + "\n"  # a row with the wrong number of values
            (root / name).write_text(text, encoding="utf-8")
            lines += [f"  - file: {name}", f"    instrument: {cb.instrument}", f"    wave: {wave}"]
    (root / "datasets.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    build, out = tmp_path / "build", tmp_path / "reports"
    result = ingest(root, build)
    assert {"wrong_field_count", "not_a_number"} <= set(result.quarantine["reason"])
    analyse(build)
    build_reports(build, out, jobs=2)
    files = [p for p in [*build.rglob("*"), *out.rglob("*")] if p.is_file()]
    assert any(p.suffix == ".parquet" for p in files) and any(p.suffix == ".html" for p in files)
    # The private quarantine keeps each value as typed for the data manager (a phone
    # number typed into an answer box is how they find the row); it stays in the build
    # folder and is never published.
    private = build / "quarantine_private.csv"
    assert PLANTED["phone"] in private.read_text(encoding="utf-8")
    assert not any(p.name == private.name for p in out.rglob("*"))
    for path in files:
        if path == private:
            continue
        text = path.read_bytes().decode("utf-8", errors="replace")
        if path.suffix == ".parquet":
            text += pd.read_parquet(path).to_csv()
        for needle in NEEDLES:
            assert needle not in text, f"{needle!r} found in {path.relative_to(tmp_path)}"
    html = (out / "consortium_report.html").read_text(encoding="utf-8")
    assert "## Privacy" not in html and ">Privacy<" in html and "keyed pseudonyms" in html
    kept = pd.read_parquet(build / "responses" / f"{instruments[0].instrument}.parquet")
    free = [f.name for f in instruments[0].fields_by_role("free_text")]
    if free:
        assert kept[free[0]].str.contains(r"\[e-mail removed\] or call \[phone removed\]").all()
