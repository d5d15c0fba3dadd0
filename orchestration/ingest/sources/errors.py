"""The one error type a source parser raises: it always names the file and what is wrong."""

from __future__ import annotations

from pathlib import Path


class SourceFormatError(ValueError):
    """A source file that cannot be loaded as its catalogue entry promises.

    The message reads ``<file> (column '<column>', line <n>): <problem>`` with the parts that apply
    (``line`` counts lines of the file, the header being line 1); for a workbook it reads
    ``<file> (sheet '<sheet>', column '<column>', row <n>): <problem>`` (``row`` as the spreadsheet
    numbers its rows),
    so that a failed Dagster asset or a failed `make refresh` says exactly what to look at.
    """

    def __init__(
        self,
        path: Path | str,
        problem: str,
        *,
        column: str | None = None,
        line: int | None = None,
        sheet: str | None = None,
    ) -> None:
        self.path = str(path)
        self.problem = problem
        self.column = column
        self.line = line
        self.sheet = sheet
        where = []
        if sheet is not None:
            where.append(f"sheet '{sheet}'")
        if column is not None:
            where.append(f"column '{column}'")
        if line is not None:
            where.append(f"{'row' if sheet is not None else 'line'} {line}")
        location = f" ({', '.join(where)})" if where else ""
        super().__init__(f"{self.path}{location}: {problem}")
