"""Notebooks are committed thin: no outputs, one tagged parameters cell of plain literals."""

from __future__ import annotations

import ast

import nbformat
import pytest

from pipeline.config import NOTEBOOKS_DIR

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs, f"{path.name}: a cell has outputs; strip them before commit"
            assert cell.execution_count is None, f"{path.name}: a cell has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_one_parameters_cell_of_literals_with_comments(path):
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    tree = ast.parse(tagged[0].source)
    for node in tree.body:
        assert isinstance(node, ast.Assign), "parameters are plain assignments"
        ast.literal_eval(node.value)  # a literal, never derived
    code_lines = [l for l in tagged[0].source.splitlines() if l.strip() and not l.lstrip().startswith("#")]
    assert all("#" in l for l in code_lines), "every parameter has a trailing comment"
