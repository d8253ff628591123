"""The pipeline's errors: each carries what a user needs to fix the input.

A :class:`PipelineError` is never shown as a traceback: the command line prints
its message and exits with its ``exit_code`` (2: the input cannot be used).
"""

from __future__ import annotations


class PipelineError(Exception):
    """Base class: a problem the user can act on, reported without a traceback."""

    exit_code = 2

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(PipelineError):
    """An input file cannot be used at all (missing, unreadable, a required column absent).

    Parameters
    ----------
    file : str
        The file, as the user named it.
    problem : str
        What is wrong, in words.
    row, column, value : optional
        Where, when the problem is at one place of the file.
    """

    def __init__(self, file, problem: str, *, row=None, column=None, value=None):
        self.file = str(file)
        self.problem = problem
        self.row = row
        self.column = column
        self.value = value
        where = [f"file {self.file}"]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        if value is not None:
            where.append(f"value {value!r}")
        super().__init__(f"{', '.join(where)}: {problem}")


class CodebookError(PipelineError):
    """A codebook, registry or data-folder manifest is malformed.

    The message names the file and the entry (for instance ``items[3].response_scale``).
    """

    def __init__(self, file, entry: str, problem: str):
        self.file = str(file)
        self.entry = entry
        self.problem = problem
        super().__init__(f"{self.file}: {entry}: {problem}")


class ReportError(PipelineError):
    """A report notebook failed: names the report, the cell and the error."""

    exit_code = 1

    def __init__(self, report: str, problem: str, *, cell=None, notebook=None):
        self.report = report
        self.cell = cell
        self.notebook = notebook
        where = f"report {report!r}"
        if cell is not None:
            where += f", cell {cell}"
        text = f"{where}: {problem}"
        if notebook is not None:
            text += f" (the failed notebook is kept at {notebook})"
        super().__init__(text)


class BusyError(PipelineError):
    """Another run is writing the same build or output folder (see :func:`pipeline.outputs.run_lock`)."""

    exit_code = 3
