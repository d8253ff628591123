"""Pairing waves by self-generated codes inside the pipeline: right pairs, codes dropped."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pipeline.example.community as example
from pipeline.errors import CodebookError
from pipeline.ingest.pairing import CODE_MATCHING_COLUMNS, code_matching_table
from pipeline.instruments.codebook import parse_codebook
from pipeline.workflow import ingest, ingest_folder
from tests.conftest import write_folder


@pytest.fixture(scope="module")
def truth_and_result(tmp_path_factory):
    """The example without planted rows, ingested; and the same rows with their true numbers."""
    import os

    os.environ.setdefault("IMPACT_PSEUDONYM_KEY", "module-key-not-secret-0123456789abcdef")
    frames = example.simulate(plant=False)
    mp = pytest.MonkeyPatch()
    mp.setattr(example, "ANONYMOUS", ())  # same people and answers, everyone with a number
    truth = example.simulate(plant=False)
    mp.undo()
    folder = write_folder(tmp_path_factory.mktemp("codes") / "data", frames)
    return frames, truth, ingest_folder(folder, key=b"k")


def test_same_rows_with_and_without_codes(truth_and_result):
    frames, truth, _ = truth_and_result
    for name in frames:
        cols = ["_uuid", "partner", "att_economy", "kn_rights"]
        assert frames[name][cols].equals(truth[name][cols])


def test_matching_by_code_recovers_the_true_pairs(truth_and_result):
    frames, truth, result = truth_and_result
    kept = result.responses["community_attitudes"]
    pt = kept.loc[kept["partner"].isin(example.ANONYMOUS)].copy()
    true_id = {name: truth[name]["respondent_id"].to_numpy() for name in truth}
    pt["true_id"] = [true_id[f][r - 2] for f, r in zip(pt["_source_file"], pt["_source_row"])]
    pre, post = pt.loc[pt["wave"] == "pre"].set_index("respondent_id"), pt.loc[pt["wave"] == "post"].set_index("respondent_id")
    linked = pre.index.intersection(post.index)
    correct = (pre.loc[linked, "true_id"] == post.loc[linked, "true_id"]).to_numpy()
    true_pairs = len(set(pre["true_id"]) & set(post["true_id"]))
    matching = result.code_matching.iloc[0]
    assert len(linked) == matching["n_exact"] + matching["n_tolerant"]
    # a wrong link mixes two people's answers: almost never (ambiguous ones are refused)
    assert correct.mean() >= 0.97, f"{(~correct).sum()} wrong links of {len(linked)}"
    # most true pairs are found despite the planted misremembering (pipeline.example.community.CODE_ERRORS)
    assert correct.sum() / true_pairs >= 0.85
    assert matching["n_tolerant"] > 0 and matching["n_ambiguous"] > 0 and matching["max_differences"] == 1


def test_codes_never_leave_ingestion(tiny_folder, tmp_path):
    build = tmp_path / "build"
    ingest(tiny_folder, build)
    parquet = pd.read_parquet(build / "responses" / "community_attitudes.parquet")
    assert not [c for c in parquet.columns if c.startswith("code_")]
    for name in ("quarantine.csv", "reconciliation.csv", "code_matching.csv", "run.json"):
        text = (build / name).read_text(encoding="utf-8")
        assert "code_mother" not in text and "code_birthplace" not in text, name
    q = pd.read_csv(build / "quarantine.csv", dtype=str, keep_default_na=False)
    assert not q["column"].str.startswith("code_").any()


def test_rows_with_neither_number_nor_code_are_quarantined(truth_and_result, tmp_path):
    frames, _, _ = truth_and_result
    pre = frames["community_attitudes_pre.csv"].copy()
    k = int(np.flatnonzero(pre["partner"].isin(example.ANONYMOUS))[0])
    pre.loc[k, example.CODE_COLUMNS] = ""
    folder = write_folder(tmp_path / "d", {"community_attitudes_pre.csv": pre, "community_attitudes_post.csv": frames["community_attitudes_post.csv"]})
    q = ingest_folder(folder, key=b"k").quarantine
    line = q.loc[q["source_row"] == k + 2].iloc[0]
    assert (line["reason"], line["column"]) == ("missing_required", "respondent_id")
    assert "identification code" in line["detail"]


class TestDisclosure:
    def _row(self, **counts):
        base = dict(n_pre=100, n_post=90, n_exact=70, n_tolerant=10, n_ambiguous=6, n_unmatched_pre=20, n_unmatched_post=10)
        base.update(counts)
        row = {
            "instrument": "x",
            "wave_from": "pre",
            "wave_to": "post",
            "group_by": "consortium",
            "group": "all",
            "elements": "a; b",
            "max_differences": 1,
            **base,
            "match_rate": (base["n_exact"] + base["n_tolerant"]) / base["n_pre"],
            "hidden": "",
        }
        return pd.DataFrame([row], columns=CODE_MATCHING_COLUMNS)

    def test_nothing_small_nothing_hidden(self):
        out = code_matching_table(self._row(), 5).iloc[0]
        assert out["hidden"] == "" and out["n_tolerant"] == 10

    def test_a_small_count_and_the_one_that_would_reveal_it(self):
        out = code_matching_table(self._row(n_tolerant=3, n_exact=77), 5).iloc[0]
        hidden = set(out["hidden"].split())
        # 3 tolerant: hidden; then exact + tolerant + unmatched = n_pre needs a second
        # hidden term in each sum: the smallest other (unmatched after, then unmatched before)
        assert "n_tolerant" in hidden and pd.isna(out["n_tolerant"])
        assert {"n_unmatched_post", "n_unmatched_pre"} <= hidden
        assert out["n_pre"] == 100 and out["n_exact"] == 77
        assert not pd.isna(out["match_rate"])

    def test_zero_is_not_hidden(self):
        out = code_matching_table(self._row(n_ambiguous=0), 5).iloc[0]
        assert out["n_ambiguous"] == 0 and out["hidden"] == ""


class TestCodebookPairing:
    BASE = {
        "instrument": "mini",
        "response_scales": {"l5": {"values": {"min": 1, "max": 5}}},
        "fields": [{"id": "rid", "role": "respondent_id"}, {"id": "c1", "role": "code"}, {"id": "c2", "role": "code"}, {"id": "c3", "role": "code"}],
        "items": [{"id": "q1", "response_scale": "l5"}],
    }

    def test_default_and_declared(self):
        assert parse_codebook(self.BASE, "m.yaml").pairing == "respondent_id"
        cb = parse_codebook({**self.BASE, "pairing": {"by": "code", "max_differences": 2}}, "m.yaml")
        assert (cb.pairing, cb.max_differences, [f.id for f in cb.code_fields]) == ("code", 2, ["c1", "c2", "c3"])
        assert parse_codebook({**self.BASE, "pairing": "code"}, "m.yaml").max_differences == 1

    @pytest.mark.parametrize(
        "pairing, fields, entry",
        [
            ("name", None, "pairing"),
            ({"by": "code", "max_differences": -1}, None, "pairing.max_differences"),
            ({"by": "code", "max_differences": 3}, None, "pairing.max_differences"),  # 3 of 3 would match anyone
            ("code", [{"id": "c1", "role": "code"}], "pairing"),  # one element is no code
        ],
    )
    def test_malformed(self, pairing, fields, entry):
        doc = {**self.BASE, "pairing": pairing}
        if fields is not None:
            doc["fields"] = fields
        with pytest.raises(CodebookError) as err:
            parse_codebook(doc, "m.yaml")
        assert err.value.entry == entry
