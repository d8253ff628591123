"""The results-framework section of the report, and the tidy tables behind charts."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from pipeline.analysis import capacity, networks
from pipeline.analysis.framework import load_framework
from pipeline.config import EXAMPLE_DIR
from pipeline.report.build import build_reports
from pipeline.report.context import load_context
from pipeline.report.sections import results as framework_report
from pipeline.workflow import analyse, ingest


@pytest.fixture(scope="module")
def example_build(tmp_path_factory):
    build = tmp_path_factory.mktemp("fw-report") / "build"
    ingest(EXAMPLE_DIR, build)
    analyse(build)
    return build


def test_context_keeps_statistics_and_framework_rows_apart(example_build):
    ctx = load_context(example_build)
    ind = ctx.indicators
    # the pre/post survey's change rows, and the one-off feedback survey's level rows
    assert set(ind["instrument"]) == {"community_attitudes", "beneficiary_feedback"} and ind["result_id"].isna().all()
    assert ind.loc[ind["instrument"] == "beneficiary_feedback", "analysis"].eq("level").all()
    assert ctx.framework["result_id"].notna().all() and len(ctx.results_framework) > 30


def test_section_names_every_result_with_status_in_words_and_colour(example_build):
    ctx = load_context(example_build)
    html = framework_report.section(ctx)
    fw = load_framework(EXAMPLE_DIR.parent / "indicators.yaml")
    for r in fw.results:
        assert f"{r.id}. " in html
    for status in ("achieved", "off track", "qualitative"):
        colour, symbol, words = framework_report.STATUS_STYLE[status]
        assert f"color:{colour}" in html and f"{symbol} {words}" in html
    assert "Why the surveys cannot show it" in html and "How statuses are decided" in html
    assert "as of <b>2026-" in html


def test_section_without_a_framework_says_so():
    class Ctx:
        results_framework = pd.DataFrame()
        run, min_cell = {}, 5

    assert "names no results framework" in framework_report.section(Ctx())


def test_status_counts_cover_every_status():
    res = pd.DataFrame({"status": ["achieved", "achieved", "off track", "qualitative", None]})
    assert framework_report.status_counts(res).set_index("status")["count"].to_dict() == {"achieved": 2, "on track": 0, "off track": 1, "no data": 1, "qualitative": 1}


def test_capacity_levels_tidy_with_rater_spread_and_small_groups_hidden(example_build):
    ctx = load_context(example_build)
    cb = ctx.codebooks["organisational_capacity"]
    t = capacity.domain_levels(ctx.responses["organisational_capacity"], cb, ctx.min_cell)
    assert set(t["domain"]) == {*cb.item_ids, "capacity"} and set(t["wave"]) == set(cb.waves)
    pt_mid = t.loc[(t["partner"] == "PT-LIS") & (t["wave"] == "midterm") & (t["domain"] == "capacity")].iloc[0]
    assert pt_mid["suppression"] == "primary" and pd.isna(pt_mid["mean"])  # four raters: planted
    shown = t.loc[~t["suppressed"]]
    assert (shown["raters"] >= ctx.min_cell).all() and shown["sd"].notna().all()


def test_network_tables_for_drawing(example_build):
    ctx = load_context(example_build)
    ties = networks.prepare_ties(ctx.responses["partnership_network"], ctx.consortium)
    edges = networks.edges_table(ties, ctx.consortium)
    assert set(edges["wave"]) == {"baseline", "endline"}
    end = edges.loc[edges["wave"] == "endline"]
    partner_edges = end.loc[end["target_is_partner"]]
    assert len(partner_edges) == 10  # every pair of the five partners, once
    per = networks.ties_per_partner(ties, "baseline", "endline").set_index(["partner", "wave"])
    assert per.loc[("GR-THE", "endline"), "ties"] == per.loc[("GR-THE", "endline"), ["local", "national", "international"]].sum()
    assert per["new"].dropna().gt(0).all()


@pytest.mark.slow
def test_the_report_carries_the_section(example_build, tmp_path):
    out = tmp_path / "out"
    from pipeline.report.build import plan

    consortium = [s for s in plan(example_build) if s.name == "consortium_report"]
    published = build_reports(example_build, out, jobs=1, specs=consortium, pdf=False)
    assert "results_framework.csv" in published
    html = (out / "consortium_report.html").read_text(encoding="utf-8")
    assert re.search(r"<h2[^>]*>Results framework", html)
    assert "Indicators by status:" in html
    assert "To develop networks and links at local, national and international level." in html
