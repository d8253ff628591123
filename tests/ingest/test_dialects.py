"""Export dialects: each survey tool's export, as a small real-looking fixture, read and validated.

Each fixture is the community attitudes survey of a few dozen people (the seeded
example generator, without planted errors) rewritten as the tool writes it.
"""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.config import SURVEYS_DIR
from pipeline.example.community import simulate
from pipeline.ingest.dialects import detect
from pipeline.ingest.read import map_columns, read_export
from pipeline.instruments.codebook import load_codebook
from pipeline.workflow import ingest_folder

CB = load_codebook(SURVEYS_DIR / "community_attitudes.yaml")
PRE, POST = "community_attitudes_pre", "community_attitudes_post"
GROUPS = {"attitudes": "att_", "social_distance": "sd_", "knowledge": "kn_", "intentions": "bi_"}


@pytest.fixture(scope="module")
def exports():
    """Two waves, about 48 people before and 36 after, no bad rows."""
    return simulate(seed=5, scale=0.04, plant=False)


def manifest(root, files, extra=None, codebook_dir=None):
    lines = [f"consortium: {SURVEYS_DIR / 'consortium.yaml'}", "datasets:"]
    for name in files:
        wave = "pre" if "_pre" in name else "post"
        lines += [f"  - file: {name}", "    instrument: community_attitudes", f"    wave: {wave}"]
        for k, v in (extra or {}).items():
            lines.append(f"    {k}: {v}")
    (root / "datasets.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def group_prefixed(frame, sep):
    def rename(c):
        for group, prefix in GROUPS.items():
            if c.startswith(prefix):
                return f"{group}{sep}{c}"
        return c

    return frame.rename(columns=rename)


def assert_all_kept(result, exports):
    rec = result.reconciliation.set_index("source_file")
    for name, frame in exports.items():
        stem = name.split(".")[0]
        row = rec.loc[[f for f in rec.index if f.startswith(stem)][0]]
        assert row["rows_read"] == len(frame) == row["rows_kept"], result.quarantine.to_string()
    assert result.quarantine.empty


def test_kobo_semicolon_with_group_prefixes_and_decimal_commas(tmp_path, exports):
    root = tmp_path / "kobo"
    root.mkdir()
    names = []
    for name, frame in exports.items():
        out = group_prefixed(frame, "/")
        out["attitudes/att_economy"] = out["attitudes/att_economy"].where(out["attitudes/att_economy"] == "", out["attitudes/att_economy"] + ",0")
        out.to_csv(root / name, sep=";", index=False, lineterminator="\r\n", encoding="utf-8-sig")
        names.append(name)
    result = ingest_folder(manifest(root, names))
    assert_all_kept(result, exports)
    kept = result.responses["community_attitudes"]
    pre = exports[f"{PRE}.csv"]
    assert sorted(kept.loc[kept.wave == "pre", "att_economy"].dropna().astype(int).tolist()) == sorted(int(v) for v in pre["att_economy"] if v != "")
    assert not any("left out" in w for w in result.warnings), result.warnings  # prefixes and metadata understood


def label_of(item_id, code):
    it = CB.item(item_id)
    return it.response_scale.labels.get(int(code), {}).get("en", code)


def as_labels(frame):
    """KoboToolbox 'labels' export: English question labels as headers, choice labels as answers."""
    out = frame.copy()
    for it in CB.items:
        if it.response_scale.labels:
            out[it.id] = [label_of(it.id, v) if v not in ("", "77", "88") and int(v) in it.response_scale.labels else ("Don't know" if v == "8" else v) for v in out[it.id]]
    gender = next(f for f in CB.fields if f.id == "gender")
    out["gender"] = out["gender"].map(lambda v: gender.choice_labels.get(v, {}).get("en", v))
    names = {it.id: it.label["en"] for it in CB.items}
    names.update({f.id: f.label["en"] for f in CB.fields if f.label and f.role in ("grouping", "partner", "respondent_id")})
    return out.rename(columns=names)


def test_kobo_labels_xlsx(tmp_path, exports):
    root = tmp_path / "labels"
    root.mkdir()
    names = []
    for name, frame in exports.items():
        xlsx = name.replace(".csv", ".xlsx")
        as_labels(frame).to_excel(root / xlsx, index=False, sheet_name="Community attitudes")
        names.append(xlsx)
    raw = read_export(root / names[0])
    assert "Would you accept a refugee or migrant as your neighbour?" in raw.frame.columns
    assert "Strongly agree" in set(raw.frame["I would start a conversation with a refugee or migrant neighbour."].dropna())
    result = ingest_folder(manifest(root, names))
    assert_all_kept(result, {n.replace(".csv", ".xlsx"): f for n, f in exports.items()})
    kept = result.responses["community_attitudes"].sort_values(["wave", "_source_row"])
    pre = exports[f"{PRE}.csv"]
    assert kept.loc[kept.wave == "pre", "bi_conversation"].fillna(-1).astype(int).tolist() == [int(v) if v else -1 for v in pre["bi_conversation"]]
    assert set(kept["gender"]) <= {"female", "male", "other", "no_answer"}
    assert any("given as labels" in w for w in result.warnings)


def test_odk_central_csv(tmp_path, exports):
    root = tmp_path / "odk"
    root.mkdir()
    names = []
    for name, frame in exports.items():
        out = group_prefixed(frame, "-").drop(columns=["_id", "_validation_status", "_index"])
        out = out.rename(columns={"_uuid": "meta-instanceID", "_submission_time": "SubmissionDate"})
        out["meta-instanceID"] = "uuid:" + out["meta-instanceID"]
        out["KEY"] = out["meta-instanceID"]
        out["SubmissionDate"] = out["SubmissionDate"] + ".000Z"
        out["SubmitterID"], out["SubmitterName"], out["ReviewState"], out["Status"] = "5", "enumerator1", "", ""
        out = out[["SubmissionDate", *[c for c in out.columns if c not in ("SubmissionDate", "KEY")], "KEY"]]
        out.to_csv(root / name, index=False, lineterminator="\n")
        names.append(name)
    assert detect(pd.read_csv(root / names[0], nrows=0).columns).name == "odk_central"
    result = ingest_folder(manifest(root, names))
    assert_all_kept(result, exports)
    assert not any("left out" in w for w in result.warnings), result.warnings  # ODK metadata is known
    assert any("ODK Central export" in w for w in result.warnings)


ALIASES = """
  - id: respondent_id
    role: respondent_id
    required: true
    aliases: ["Your participant number (on your activity card)", "PARTID"]
"""


def codebook_with_aliases(root, aliases: dict[str, list[str]]):
    """The community attitudes codebook with aliases added (as a partner would, in the data folder)."""
    import yaml

    doc = yaml.safe_load((SURVEYS_DIR / "community_attitudes.yaml").read_text(encoding="utf-8"))
    for entry in doc["fields"] + doc["items"]:
        if entry["id"] in aliases:
            entry["aliases"] = aliases[entry["id"]]
    (root / "community_attitudes.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_limesurvey_codes_through_aliases(tmp_path, exports):
    root = tmp_path / "lime"
    root.mkdir()
    # LimeSurvey question codes are letters and digits only
    codes = {c: c.replace("_", "").upper()[:10] for c in [it.id for it in CB.items] + ["respondent_id", "partner", "gender", "age_group", "group", "language"]}
    codebook_with_aliases(root, {k: [v] for k, v in codes.items()} | {"submission_id": ["id"], "submission_time": ["submitdate"]})
    names = []
    for name, frame in exports.items():
        out = frame.rename(columns=codes).drop(columns=["_uuid", "_id", "_validation_status", "_index", "start", "end"])
        out = out.rename(columns={"_submission_time": "submitdate"})
        out.insert(0, "id", range(1, len(out) + 1))
        out["id"] = out["id"].astype(str) + ("p" if "_pre" in name else "q")
        out["submitdate"] = out["submitdate"].str.replace("T", " ")
        out.insert(2, "lastpage", "4")
        out.insert(3, "startlanguage", "en")
        out.insert(4, "seed", "123456")
        out.to_csv(root / name, index=False, lineterminator="\n")
        names.append(name)
    assert detect(pd.read_csv(root / names[0], nrows=0).columns).name == "limesurvey"
    result = ingest_folder(manifest(root, names))
    assert_all_kept(result, exports)


def test_google_forms_question_text_and_option_text(tmp_path, exports):
    root = tmp_path / "google"
    root.mkdir()
    text = {
        "respondent_id": "Your participant number (on your activity card)",
        "partner": "Organisation",
        "att_economy": "Is it bad or good for the economy that refugees and migrants come to live here? (0 = bad, 10 = good)",
    }
    codebook_with_aliases(root, {k: [v] for k, v in text.items()})
    names = []
    for name, frame in exports.items():
        out = as_labels(frame).drop(columns=["_uuid", "_id", "_validation_status", "_index", "start", "end", "full_name", "phone", "comment"])
        out = out.rename(
            columns={
                CB.item("att_economy").label["en"]: text["att_economy"],
                "Participant number on the activity card": text["respondent_id"],
                "Partner organisation that collected the answers": text["partner"],
            }
        )
        ts = pd.to_datetime(out.pop("_submission_time"))
        out.insert(0, "Timestamp", [f"{t:%Y/%m/%d} {t.hour % 12 or 12}:{t:%M:%S} {'PM' if t.hour >= 12 else 'AM'} GMT+1" for t in ts])
        out.to_csv(root / name, index=False, lineterminator="\n")
        names.append(name)
    assert detect(pd.read_csv(root / names[0], nrows=0).columns).name == "google_forms"
    result = ingest_folder(manifest(root, names))
    assert_all_kept(result, exports)
    kept = result.responses["community_attitudes"]
    assert kept["submission_time"].notna().all()
    # Google Forms has no submission id: one is made from each row's time and answers
    assert any("no submission id" in w for w in result.warnings)


MULTI = """
instrument: activity_feedback
waves: [{id: post}]
fields:
  - {id: submission_id, role: submission_id, column: _uuid, required: true}
  - {id: submission_time, role: submission_time, column: _submission_time}
  - {id: respondent_id, role: respondent_id, required: true}
  - {id: partner, role: partner, required: true}
  - id: activities
    role: attribute
    type: multiple
    label: {en: "Which activities did you take part in?"}
    choices:
      cooking: {en: Cooking evening}
      football: {en: Football tournament}
      language_cafe: {en: Language café}
response_scales:
  likert_1_5: {values: {min: 1, max: 5}}
items:
  - {id: satisfied, response_scale: likert_1_5, label: {en: I was satisfied with the activities.}}
"""


def multi_folder(root, text, name="feedback.csv"):
    root.mkdir()
    (root / "activity_feedback.yaml").write_text(MULTI, encoding="utf-8")
    (root / name).write_text(text, encoding="utf-8")
    (root / "datasets.yaml").write_text(f"consortium: {SURVEYS_DIR / 'consortium.yaml'}\ndatasets:\n  - {{file: {name}, instrument: activity_feedback, wave: post}}\n", encoding="utf-8")
    return root


def test_select_multiple_space_separated(tmp_path):
    root = multi_folder(tmp_path / "m1", "_uuid,respondent_id,partner,activities,satisfied\nu1,A1,GR-THE,football cooking,4\nu2,A2,GR-THE,,5\nu3,A3,IT-PAL,cooking karaoke,3\n")
    result = ingest_folder(root)
    kept = result.responses["activity_feedback"]
    assert kept["activities"].tolist()[:1] == ["cooking football"]  # codebook order
    line = result.quarantine.iloc[0]
    assert (line.source_row, line.column, line.reason, line.value) == (4, "activities", "invalid_choice", "cooking karaoke")


def test_select_multiple_one_column_per_choice(tmp_path):
    text = "_uuid,respondent_id,partner,activities/cooking,activities/football,activities/language_cafe,satisfied\nu1,A1,GR-THE,1,0,1,4\nu2,A2,GR-THE,0,0,0,5\nu3,A3,IT-PAL,,,,3\n"
    result = ingest_folder(multi_folder(tmp_path / "m2", text))
    kept = result.responses["activity_feedback"].sort_values("_source_row")
    # none selected and not answered both leave validation as missing (validate.coerce_field_types)
    assert kept["activities"].fillna("<NA>").tolist() == ["cooking language_cafe", "<NA>", "<NA>"]
    assert not any("left out" in w for w in result.warnings)


def test_select_multiple_limesurvey_y_columns_and_google_checkboxes(tmp_path):
    lime = "_uuid,respondent_id,partner,activities[cooking],activities[football],activities[language_cafe],satisfied\nu1,A1,GR-THE,Y,,Y,4\n"
    kept = ingest_folder(multi_folder(tmp_path / "m3", lime)).responses["activity_feedback"]
    assert kept["activities"].tolist() == ["cooking language_cafe"]
    google = 'Timestamp,respondent_id,partner,Which activities did you take part in?,I was satisfied with the activities.\n2025/03/03 9:01:15 AM GMT+1,A1,GR-THE,"Language café, Cooking evening",4\n'
    kept = ingest_folder(multi_folder(tmp_path / "m4", google)).responses["activity_feedback"]
    assert kept["activities"].tolist() == ["cooking language_cafe"]
    assert str(kept["submission_time"].iloc[0]) == "2025-03-03 08:01:15"  # UTC


@pytest.mark.parametrize(
    "encoding, bom, label",
    [
        ("utf-8", b"", None),
        ("utf-8", b"\xef\xbb\xbf", None),
        ("utf-16-le", b"\xff\xfe", "UTF-16"),
        ("utf-16-le", b"", "UTF-16"),
        ("cp1252", b"", "Windows-1252"),
    ],
)
def test_encodings_are_detected_and_reported(tmp_path, encoding, bom, label):
    text = "x\tname\tcity\n1\tMüller\tKöln – Süd\n2\tGarcía\tMálaga\n"
    f = tmp_path / "a.csv"
    f.write_bytes(bom + text.encode(encoding))
    raw = read_export(f, name="a.csv")
    assert raw.frame["name"].tolist() == ["Müller", "García"]
    assert raw.delimiter == "\t"
    if label:
        assert any(label in w for w in raw.warnings), raw.warnings
    else:
        assert not raw.warnings


def test_latin1_bytes_that_cp1252_leaves_undefined(tmp_path):
    f = tmp_path / "a.csv"
    f.write_bytes("x,y\n1,café crème\n2,Ångström\n".encode("latin-1") + b"3,\x81\n")
    raw = read_export(f, name="a.csv")
    assert raw.encoding == "latin-1" and any("Latin-1" in w for w in raw.warnings)


def test_declared_encoding_greek_windows(tmp_path, exports):
    root = tmp_path / "greek"
    root.mkdir()
    frame = exports[f"{PRE}.csv"].copy()
    frame["full_name"] = "Μαρία Παπαδοπούλου"
    frame.to_csv(root / "pre.csv", index=False, encoding="cp1253")
    manifest(root, ["pre.csv"], {"encoding": "cp1253"})
    result = ingest_folder(root)
    assert any("cp1253" in w for w in result.warnings)
    assert result.reconciliation["rows_kept"].sum() == len(frame)


def test_map_columns_without_group_prefix_is_ambiguous_when_two_groups_share_a_name(tmp_path, exports):
    frame = group_prefixed(exports[f"{PRE}.csv"], "/")
    frame["other_group/att_jobs"] = "3"
    f = tmp_path / "a.csv"
    frame.to_csv(f, index=False)
    from pipeline.errors import InputError

    with pytest.raises(InputError, match="several columns") as err:
        map_columns(read_export(f, name="a.csv"), CB)
    assert err.value.column == "att_jobs"


def test_a_declared_dialect_overrides_detection(tmp_path, exports):
    # an ODK export trimmed of its metadata columns is not recognisable; declared, its prefixes are read
    root = tmp_path / "declared"
    root.mkdir()
    frame = group_prefixed(exports[f"{PRE}.csv"], "-")
    frame.to_csv(root / "pre.csv", index=False)
    manifest(root, ["pre.csv"])

    undeclared = ingest_folder(root)  # the answers' columns are not found: said, and read as not asked
    assert any("column(s) of the codebook are not in the file" in w for w in undeclared.warnings)
    manifest(root, ["pre.csv"], {"dialect": "odk_central"})
    result = ingest_folder(root)
    assert result.reconciliation["rows_kept"].sum() == len(frame)


def test_an_unknown_dialect_is_a_manifest_error(tmp_path, exports):
    from pipeline.errors import CodebookError

    root = tmp_path / "unknown"
    root.mkdir()
    exports[f"{PRE}.csv"].to_csv(root / "pre.csv", index=False)
    manifest(root, ["pre.csv"], {"dialect": "surveymonkey"})
    with pytest.raises(CodebookError, match=r"datasets\[0\].dialect: unknown dialect 'surveymonkey'; known: \['generic', 'google_forms', 'kobo', 'limesurvey', 'odk_central'\]"):
        ingest_folder(root)
