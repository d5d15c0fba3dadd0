"""The analyst's side of the warehouse: the read-only sandbox, bounded queries, results on screen or in
a file.

- :func:`connect_analyst` opens the published file read-only in DuckDB's sandbox (no file system, no
  extensions, configuration locked); :func:`analyst_relation` refuses anything but reading statements
  up front, naming the statement.
- :func:`run_bounded` runs a query's work in a worker thread so that the caller's thread stays free to
  stop it: after ``timeout`` seconds, or at Ctrl-C, it calls DuckDB's ``interrupt()`` and raises
  :class:`QueryStopped`.
- :func:`fetch_for_screen` fetches only the rows shown plus one; :func:`format_table` prints NULL as
  ``NULL`` and numbers as they are, unpadded.
- :func:`write_result` streams a result to CSV or Parquet through Arrow record batches into a separate
  in-memory DuckDB (the sandbox cannot write files), so memory stays bounded whatever the row count.

Every error is an :class:`AnalystQueryError` whose ``str()`` is one line and whose ``hint`` fits it.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import duckdb

#: The analyst's connection: read-only, no file system (no COPY TO, no file readers, no ATTACH, no
#: EXPORT), no extensions installed or loaded, and the configuration locked so SET cannot undo any of it.
ANALYST_CONFIG = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "lock_configuration": True,
}

#: The query the command line shows as an example (help text, and the hint after an empty query).
SQL_EXAMPLE = (
    "select area_name, period, breakdown, value from fct_area_year_metrics "
    "where metric_id = 'hle_birth' and area_code = 'E92000001' order by period desc limit 4"
)

#: Statement types an analyst query may contain: reading only (SHOW, DESCRIBE, SUMMARIZE, VALUES and
#: FROM-first queries parse as SELECT; PIVOT as MULTI). DuckDB's own configuration above is what
#: enforces read-only; this list only refuses the rest early with a clearer message.
ANALYST_STATEMENTS = frozenset({"SELECT", "EXPLAIN", "PRAGMA", "CALL", "MULTI"})

#: Rows per Arrow record batch when a result is written to a file.
BATCH_ROWS = 100_000

READ_ONLY_HINT = (
    "the warehouse is read-only: SELECT from its tables (list them with: show all tables); "
    "--csv/--parquet write a result to a file"
)
TABLES_HINT = "list the tables with: show all tables; a table's columns with: describe <table>"
SYNTAX_HINT = "check the SQL where DuckDB points (a missing comma, quote or keyword is the usual cause)"
VALUE_HINT = (
    "a value could not be converted or computed: try_cast(x as <type>) gives NULL instead of failing, "
    "and a where clause can leave out the rows that fail"
)
RUNTIME_HINT = "the query failed while it ran; run a smaller part of it to find which step fails"
SANDBOX_HINT = (
    "the sandbox has no file system (no files read or written, no extensions listed or loaded): query "
    "the warehouse's tables (show all tables); --csv/--parquet write a result to a file"
)


class AnalystQueryError(Exception):
    """A query the analyst connection refused or could not run; ``str()`` is one line, ``hint`` the next."""

    def __init__(self, message: str, hint: str = READ_ONLY_HINT) -> None:
        super().__init__(message)
        self.hint = hint


class QueryStopped(AnalystQueryError):
    """The query was interrupted: it ran past its timeout, or the user pressed Ctrl-C."""

    def __init__(self, message: str, hint: str, *, by_user: bool, stopped: bool = True) -> None:
        super().__init__(message, hint)
        self.by_user = by_user
        #: False when DuckDB had not yet acknowledged the interrupt: the connection must then not be
        #: closed (closing waits for the running query); the process ends without it.
        self.stopped = stopped


class WarehouseUnreadable(Exception):
    """The published warehouse is missing or cannot be opened (corrupt, truncated, not DuckDB)."""


def connect_analyst(path: Path) -> duckdb.DuckDBPyConnection:
    """The published warehouse, opened the way an analyst may use it: read-only and sandboxed."""
    if not path.exists():
        raise WarehouseUnreadable(f"no published warehouse at {path}")
    try:
        return duckdb.connect(str(path), read_only=True, config=ANALYST_CONFIG)
    except duckdb.Error as exc:
        raise WarehouseUnreadable(f"cannot open the published warehouse {path}: {one_line(exc)}") from None


def one_line(exc: BaseException) -> str:
    """DuckDB's message on one line: its first line plus its own suggestions ("Did you mean ...")."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    hints = [line for line in lines[1:] if line.lower().startswith(("did you mean", "candidate", "line "))]
    return " ".join([lines[0], *hints])


def query_error(exc: duckdb.Error) -> AnalystQueryError:
    """A DuckDB error as one line, with the hint that fits its kind."""
    if isinstance(exc, duckdb.ParserException):
        hint = SYNTAX_HINT
    elif isinstance(exc, duckdb.CatalogException | duckdb.BinderException):
        hint = TABLES_HINT
    elif isinstance(exc, duckdb.PermissionException):
        hint = SANDBOX_HINT
    elif isinstance(
        exc, duckdb.ConversionException | duckdb.OutOfRangeException | duckdb.InvalidInputException
    ):
        hint = VALUE_HINT
    else:
        hint = RUNTIME_HINT
    return AnalystQueryError(one_line(exc), hint)


def _statement_name(statement: Any) -> str:
    """The statement as the user wrote it (INSTALL, not DuckDB's LOAD type), by its first keyword."""
    words = str(getattr(statement, "query", "") or "").split()
    kind = str(statement.type).rsplit(".", 1)[-1]
    return words[0].upper() if words and words[0].isalpha() else kind


def analyst_relation(con: duckdb.DuckDBPyConnection, sql: str) -> duckdb.DuckDBPyRelation:
    """Run an analyst's SQL on a sandboxed connection; the last statement's result (not yet fetched)."""
    if not sql.strip():
        raise AnalystQueryError("empty query", 'give the SQL to run, e.g. mission-tracker query "select 1"')
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as exc:
        raise query_error(exc) from None
    if not statements:
        raise AnalystQueryError("empty query", 'give the SQL to run, e.g. mission-tracker query "select 1"')
    for statement in statements:
        kind = str(statement.type).rsplit(".", 1)[-1]
        if kind not in ANALYST_STATEMENTS:
            raise AnalystQueryError(
                f"refused: {_statement_name(statement)} statements are not allowed on the published "
                "warehouse (read-only: SELECT, SHOW, DESCRIBE, SUMMARIZE, EXPLAIN)"
            )
    try:
        relation = con.sql(sql)
    except duckdb.Error as exc:
        raise query_error(exc) from None
    if relation is None:  # PRAGMA/CALL with no result set
        raise AnalystQueryError("the query returned no result set", TABLES_HINT)
    return relation


T = TypeVar("T")


#: How long a stopped query may take to acknowledge DuckDB's interrupt before the command ends anyway.
STOP_WAIT_SECONDS = 5.0


def run_bounded(con: duckdb.DuckDBPyConnection, work: Callable[[], T], timeout: float | None) -> T:
    """``work()`` (which queries ``con``) in a worker thread, stopped with ``con.interrupt()`` after
    ``timeout`` seconds (None or 0: no limit) or at Ctrl-C in the calling thread, which waits on an
    event in short steps so that Python can deliver the signal. (Not ``Thread.join``: on Python 3.11
    a join interrupted by Ctrl-C can mark a running thread as finished.) A DuckDB error becomes an
    :class:`AnalystQueryError`."""
    outcome: dict[str, Any] = {}
    done = threading.Event()

    def target() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # handed to the calling thread
            outcome["error"] = exc
        finally:
            done.set()

    def interrupt_until_done() -> None:
        # Repeated: an interrupt sent before the worker's query has begun executing (a Ctrl-C in its
        # first moments, or on a loaded machine) finds nothing to stop, and the query would run on.
        while not done.is_set():
            con.interrupt()
            done.wait(0.1)

    def stop() -> bool:
        # DuckDB stops at its next check, normally within milliseconds. The interrupts are sent from a
        # thread of their own and the wait is bounded, so the command ends at once whatever DuckDB
        # does: the user asked to stop now, and a read-only query leaves nothing to clean up.
        threading.Thread(target=interrupt_until_done, name="analyst-interrupt", daemon=True).start()
        return done.wait(STOP_WAIT_SECONDS)

    started = time.monotonic()
    threading.Thread(target=target, name="analyst-query", daemon=True).start()
    try:
        while not done.wait(0.05):
            if timeout and time.monotonic() - started > timeout:
                stopped = stop()
                raise QueryStopped(
                    f"query stopped after {timeout:g} s (its timeout)",
                    "give it longer with --timeout SECONDS (0 = no limit), or narrow it: a where clause, "
                    "a limit, or a join condition",
                    by_user=False,
                    stopped=stopped,
                )
    except KeyboardInterrupt:
        stopped = stop()
        raise QueryStopped(
            f"query interrupted (Ctrl-C) after {time.monotonic() - started:.1f} s",
            "nothing was written",
            by_user=True,
            stopped=stopped,
        ) from None
    error = outcome.get("error")
    if isinstance(error, duckdb.Error):
        raise query_error(error) from None
    if error is not None:
        raise error
    return outcome["value"]


@dataclass(frozen=True)
class ScreenResult:
    columns: list[str]
    types: list[str]
    rows: list[tuple]
    more: bool  # rows beyond those fetched exist


def fetch_for_screen(relation: duckdb.DuckDBPyRelation, max_rows: int) -> ScreenResult:
    """The first ``max_rows`` rows and whether there are more: only ``max_rows + 1`` are fetched."""
    columns, types = list(relation.columns), [str(kind) for kind in relation.types]
    rows = relation.limit(max_rows + 1).fetchall()
    return ScreenResult(columns, types, rows[:max_rows], len(rows) > max_rows)


NULL = "NULL"


def format_value(value: Any) -> str:
    """One cell: NULL as NULL, numbers unpadded (10 significant digits), dates in ISO form."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "NaN" if value != value else f"{value:.10g}"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if isinstance(value, datetime | date):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return str(value)


_NUMERIC = (
    *("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE", "DECIMAL"),
    *("UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT"),
)


def format_table(result: ScreenResult, max_width: int = 80) -> list[str]:
    """The rows as an aligned text table: a header, then one line per row; numbers right-aligned."""
    cells = [[format_value(value) for value in row] for row in result.rows]
    cells = [
        [text if len(text) <= max_width else text[: max_width - 3] + "..." for text in row] for row in cells
    ]
    widths = [
        max([len(name), *(len(row[index]) for row in cells)]) for index, name in enumerate(result.columns)
    ]
    numeric = [kind.upper().startswith(_NUMERIC) for kind in result.types]

    def line(values: list[str]) -> str:
        return "  ".join(
            value.rjust(width) if right else value.ljust(width)
            for value, width, right in zip(values, widths, numeric, strict=True)
        ).rstrip()

    return [line(list(result.columns)), *(line(row) for row in cells)]


def write_result(relation: duckdb.DuckDBPyRelation, path: Path, file_format: str) -> int:
    """Write a sandboxed query's result to CSV or Parquet; the number of rows written.

    The analyst connection cannot write files (that is the point), so the result streams out of it as
    Arrow record batches of :data:`BATCH_ROWS` rows into a separate in-memory DuckDB connection that
    writes the file: memory holds a few batches, never the whole result, and the column types are
    DuckDB's own on both sides.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")  # renamed into place only when complete
    options = "format parquet" if file_format == "parquet" else "format csv, header"
    target = "'" + str(partial).replace("'", "''") + "'"
    try:
        reader = relation.to_arrow_reader(BATCH_ROWS)
        with duckdb.connect(":memory:") as scratch:
            scratch.execute("set preserve_insertion_order = true")
            scratch.register("result_batches", reader)
            copy = f"copy (select * from result_batches) to {target} ({options})"
            ((rows,),) = scratch.execute(copy).fetchall()
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return int(rows)
