"""The documentation beside the code: generated tables match the code, links resolve,
code cites only documents the repository has, every published column is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline import docs
from pipeline.config import ROOT
from pipeline.errors import PipelineError
from pipeline.schema import Reason

#: Pages another piece of work is writing; a link to them may precede them.
PENDING = {"docs/real-exports.md"}  # issue 9: real exports


def test_committed_pages_match_what_the_code_generates():
    stale = [str(p.relative_to(ROOT)) for p in docs.outdated()]
    assert stale == [], f"generated tables out of date in {stale}: run `make docs` and commit"


def test_every_generator_is_used_by_some_page():
    used = {name for p in docs.pages() for name in docs.block_names(p.read_text(encoding="utf-8"))}
    assert used == set(docs.BLOCKS)


def test_render_replaces_a_stale_block_and_leaves_the_rest():
    text = "before\n<!-- generated: reasons -->\n| old | table |\n<!-- end generated -->\nafter\n"
    out = docs.render(text)
    assert out.startswith("before\n<!-- generated: reasons -->\n| reason |")
    assert out.endswith("<!-- end generated -->\nafter\n")
    assert "| old | table |" not in out
    for reason in Reason:
        assert f"`{reason.value}`" in out
    assert docs.render(out) == out


def test_unknown_block_and_unclosed_marker_are_named():
    with pytest.raises(PipelineError, match=r"x\.md: unknown generated block 'nope'"):
        docs.render("<!-- generated: nope -->\n<!-- end generated -->\n", "x.md")
    with pytest.raises(PipelineError, match=r"x\.md: .*no '<!-- end generated -->'"):
        docs.render("<!-- generated: reasons -->\nno end\n", "x.md")


def test_check_mode_reports_a_stale_page(tmp_path, monkeypatch, capsys):
    page = tmp_path / "p.md"
    page.write_text("<!-- generated: designs -->\nstale\n<!-- end generated -->\n", encoding="utf-8")
    monkeypatch.setattr(docs, "PAGES", (page,))
    monkeypatch.setattr(docs, "ROOT", tmp_path)
    assert docs.main(["--check"]) == 1
    assert "out of date: p.md" in capsys.readouterr().err
    assert docs.main([]) == 0
    assert "`paired_pre_post`" in page.read_text(encoding="utf-8")
    assert docs.main(["--check"]) == 0


def test_methods_table_has_every_registered_statistic():
    from pipeline import stats

    table = docs.methods()
    for key, entry in stats.METHODS.items():
        assert f"`pipeline.stats.{key}`" in table
        assert entry["name"] in table


def test_every_build_folder_file_is_described():
    undescribed = [name for name, note in docs.file_notes().items() if not note]
    assert undescribed == [], f"describe {undescribed} in pipeline/docs.py FILE_NOTES (or with a '#:' comment in schema.py), then run `make docs`"


def test_member_comments_are_read_from_the_source():
    class Example:
        #: above,
        #: on two lines
        A = "a"
        B = "b"  # at the end
        C = "c"

    assert docs._member_comments(Example) == {"A": "above, on two lines", "B": "at the end"}


def test_tree_lists_every_module_of_the_package():
    tree = docs.tree()
    for path in (ROOT / "pipeline").rglob("*.py"):
        if path.name != "__init__.py":
            assert re.search(rf"(^|\s){re.escape(path.name)}(\s|$)", tree, re.M), path


_LINK = re.compile(r"\]\(([^)#\s]+\.md)(#[^)]*)?\)")


@pytest.mark.parametrize("page", docs.pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_links_between_pages_resolve(page):
    for target, _ in _LINK.findall(page.read_text(encoding="utf-8")):
        path = (page.parent / target).resolve()
        if str(path.relative_to(ROOT)) in PENDING:
            continue
        assert path.is_file(), f"{page.relative_to(ROOT)} links {target}, which does not exist"


def test_readme_index_and_docs_link_every_page():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    index = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    for page in sorted((ROOT / "docs").glob("*.md")):
        if page.name != "index.md":
            assert f"(docs/{page.name})" in readme, page.name
            assert f"({page.name})" in index, page.name
    for pending in PENDING:
        assert f"({pending})" in readme and f"({Path(pending).name})" in index


def test_readme_stays_short_and_keeps_the_quick_start():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 175
    assert re.search(r"```\nmake report\nmake test\n```", readme)


def test_every_published_column_is_documented():
    from pipeline.analysis import activities, framework, indicators, voices

    text = (ROOT / "docs" / "indicators.md").read_text(encoding="utf-8")
    published = [*indicators.COLUMNS, *framework.COLUMNS, *framework.RESULTS_COLUMNS]
    published += [*voices.COUNT_COLUMNS, *voices.QUOTE_COLUMNS, *activities.PLAN_COLUMNS, *activities.PARTICIPATION_COLUMNS, *activities.DISSEMINATION_COLUMNS]
    missing = [c for c in dict.fromkeys(published) if f"`{c}`" not in text]
    assert missing == [], f"docs/indicators.md does not describe {missing}"


# a document named in code, codebooks, notebooks or tests: ``docs/x.md``, ``X.md``, ``../shared/X.md``
_CITED = re.compile(r"(?<![\w/.])((?:\.{0,2}[\w-]*/)*[\w-]+\.md)\b")


def test_code_cites_only_documents_in_the_repository():
    cited = []
    for folder in ("pipeline", "tests", "surveys", "notebooks", "benchmarks"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix not in {".py", ".yaml", ".ipynb"} or path == Path(__file__):
                continue
            for name in _CITED.findall(path.read_text(encoding="utf-8")):
                # a bare name is a page of docs/ linked from another page, or a file at the root
                # (a path outside the repository, such as ../shared/, is not in it, even if it exists here)
                candidates = [(ROOT / name).resolve()] if "/" in name else [ROOT / name, ROOT / "docs" / name]
                if any(c.is_relative_to(ROOT) and (c.is_file() or str(c.relative_to(ROOT)) in PENDING) for c in candidates):
                    continue
                cited.append(f"{path.relative_to(ROOT)}: {name}")
    assert cited == [], f"documents cited that the repository does not have: {cited}"
