"""Test-data helpers: isolated warehouses and poisoned copies of bundled files."""

from __future__ import annotations

import csv
import importlib
import io
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from orchestration.settings import BUNDLED_DIR_VAR, PROJECT_ROOT, WAREHOUSE_DIR_VAR

BUNDLED_DIR = PROJECT_ROOT / "data" / "bundled"


@contextmanager
def environment(**variables: str) -> Iterator[None]:
    """Set environment variables for the block, restoring the previous values after."""
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def isolated_warehouse(warehouse_dir: Path, bundled_dir: Path = BUNDLED_DIR) -> Iterator[Path]:
    with environment(**{WAREHOUSE_DIR_VAR: str(warehouse_dir), BUNDLED_DIR_VAR: str(bundled_dir)}):
        yield warehouse_dir


def poisoned_bundle(
    tmp_path: Path,
    relative_path: str,
    poison: Callable[[bytes], bytes] | None = None,
) -> Path:
    """A copy of data/bundled/ in which one file is changed by ``poison`` (or removed if None).

    Every other file is a symlink to the real one, so a case costs one line:
    ``poisoned_bundle(tmp_path, "ons_els/x.csv", replace_cell(7, "observation", "abc"))``.
    """
    root = tmp_path / "bundled"
    for source in BUNDLED_DIR.rglob("*"):
        if source.is_file():
            target = root / source.relative_to(BUNDLED_DIR)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(source)
    target = root / relative_path
    original = (BUNDLED_DIR / relative_path).read_bytes()
    target.unlink()
    if poison is not None:
        target.write_bytes(poison(original))
    return root


def edit_csv(edit: Callable[[list[str], list[list[str]]], tuple[list[str], list[list[str]]]]):
    """A poison that edits (header, rows) of a UTF-8 CSV and writes it back."""

    def _poison(data: bytes) -> bytes:
        text = data.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        header, body = edit(rows[0], rows[1:])
        out = io.StringIO(newline="")
        csv.writer(out, lineterminator="\n").writerows([header, *body])
        return out.getvalue().encode("utf-8")

    return _poison


def set_cell(line: int, column: str, value: str):
    """A poison that sets one cell; ``line`` counts file lines (header = line 1)."""

    def _edit(header: list[str], rows: list[list[str]]):
        rows[line - 2][header.index(column)] = value
        return header, rows

    return edit_csv(_edit)


def set_cells_where(column: str, value: str, predicate: Callable[[dict[str, str]], bool]):
    """A poison that sets ``column`` to ``value`` on every row matching ``predicate``."""

    def _edit(header: list[str], rows: list[list[str]]):
        for row in rows:
            if predicate(dict(zip(header, row, strict=True))):
                row[header.index(column)] = value
        return header, rows

    return edit_csv(_edit)


def copy_published(source_dir: Path, target_dir: Path) -> None:
    """Seed a test warehouse with an already published (and built) state."""
    shutil.copytree(source_dir, target_dir, dirs_exist_ok=True)


def add_column(name: str, value: str):
    def _edit(header, rows):
        return [*header, name], [[*row, value] for row in rows]

    return edit_csv(_edit)


def drop_column(name: str):
    def _edit(header, rows):
        index = header.index(name)
        return [c for i, c in enumerate(header) if i != index], [
            [c for i, c in enumerate(r) if i != index] for r in rows
        ]

    return edit_csv(_edit)


def rename_column(old: str, new: str):
    def _edit(header, rows):
        return [new if column == old else column for column in header], rows

    return edit_csv(_edit)


def append_copy_of_line(line: int, **changes: str):
    """Append a copy of a data line (header = line 1), optionally with changed cells."""

    def _edit(header, rows):
        copy = list(rows[line - 2])
        for column, value in changes.items():
            copy[header.index(column)] = value
        return header, [*rows, copy]

    return edit_csv(_edit)


def with_delimiter(delimiter: str):
    def _poison(data: bytes) -> bytes:
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
        out = io.StringIO(newline="")
        csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
        return out.getvalue().encode("utf-8")

    return _poison


def reencoded(encoding: str, line: int, column: str, value: str):
    """Set one cell to text with non-ASCII characters and write the file in another encoding."""

    def _poison(data: bytes) -> bytes:
        return set_cell(line, column, value)(data).decode("utf-8").encode(encoding)

    return _poison


@dataclass(frozen=True)
class Publishes:
    """The input is legitimate: the refresh publishes; ``sql`` on the new warehouse returns ``expected``."""

    sql: str
    expected: list[tuple]


#: Legitimate oddities in a release of the healthy life expectancy file, each with how it must be
#: handled. One release carries all of them (``every_legitimate_oddity``): a publish costs a whole dbt
#: build, so the UI's Materialize-all run in test_operations.py publishes that release and checks each.
LEGITIMATE_ODDITIES = {
    "extra column": (
        add_column("footnote", "x"),
        Publishes("select count(*) from raw.healthy_life_expectancy", [(5814,)]),
    ),
    "identical duplicate row": (
        append_copy_of_line(5),
        Publishes("select count(*) from raw.healthy_life_expectancy", [(5814,)]),
    ),
    "suppression markers": (
        set_cells_where(
            "observation",
            "[x]",
            lambda r: r["areacd"] == "E06000001" and r["period"] == "2019-01-01/P3Y",
        ),
        Publishes(
            "select breakdown, value, status from fct_area_year_metrics where metric_id = 'hle_birth' "
            "and area_code = 'E06000001' and period = '2019-2021' order by breakdown",
            [("sex=female", None, "x"), ("sex=male", None, "x")],
        ),
    ),
}


def every_legitimate_oddity(data: bytes) -> bytes:
    for poison, _outcome in LEGITIMATE_ODDITIES.values():
        data = poison(data)
    return data


#: Core marts that publish an intermediate model unchanged: a fixture for the mart serves both.
PUBLISHED_AS = {
    "int_areas_described": "dim_areas",
    "int_metrics_classified": "dim_metrics",
    "int_area_groupings_listed": "dim_area_groupings",
    "int_metric_values_harmonised": "fct_area_year_metrics",
}


def run_model_on_fixtures(model: str, tables: dict[str, Any]) -> Any:
    """Run a dbt model's own SQL over small fixture tables and return the result as a DataFrame.

    The model file is rendered with Jinja as dbt would, with ``ref('x')`` resolving to an in-memory
    table ``x`` built from ``tables[x]`` (a DataFrame). A ref the fixture does not give is built the
    same way from its own model file over the same fixtures (so a model split into steps is tested
    through its steps), or, for an intermediate model a core mart publishes unchanged, read from the
    mart's fixture; a lookup seed it does not give is read from the seed's CSV. A staging model is built from its own file too, and ``source('s', 't')`` reads the
    fixture ``tables["s.t"]``. This is the models' real SQL, not a copy, so a fixture with hand-worked
    expectations tests the method the warehouse runs.
    """
    import duckdb
    import jinja2

    from orchestration.settings import DBT_PROJECT_DIR

    con = duckdb.connect()
    for name, frame in tables.items():
        con.register("fixture_frame", frame)
        con.execute(f'create table "{name}" as select * from fixture_frame')
        con.unregister("fixture_frame")
    built = set(tables)
    missing: list[str] = []

    def project_macros() -> dict[str, Any]:
        """The project's macros that plain Jinja can load (a file with dbt-only tags, such as a
        generic test, is left out; a model using one of its macros is not a fixture model)."""
        found: dict[str, Any] = {}
        for path in sorted((DBT_PROJECT_DIR / "macros").glob("*.sql")):
            try:
                module = jinja2.Environment().from_string(path.read_text()).module
            except jinja2.TemplateSyntaxError:
                continue
            found.update({name: getattr(module, name) for name in dir(module) if not name.startswith("_")})
        return found

    def render(name: str) -> str:
        path = next((DBT_PROJECT_DIR / "models").rglob(f"{name}.sql"))
        return (
            jinja2.Environment()
            .from_string(path.read_text())
            .render(ref=ref, source=source, config=config, **project_macros())
        )

    def config(**_options: Any) -> str:
        return ""

    def source(schema: str, table: str) -> str:
        if f"{schema}.{table}" not in tables:
            missing.append(f"source {schema}.{table}")
        return f'"{schema}.{table}"'

    def ref(name: str) -> str:
        if name not in built:
            if PUBLISHED_AS.get(name) in tables:
                con.execute(f'create view "{name}" as select * from "{PUBLISHED_AS[name]}"')
            elif name.startswith(("int_", "stg_")) and next(
                (DBT_PROJECT_DIR / "models").rglob(f"{name}.sql"), None
            ):
                con.execute(f'create table "{name}" as {render(name)}')
            elif (DBT_PROJECT_DIR / "seeds" / f"{name}.csv").exists():
                # a lookup seed the fixture does not give is the project's own (its CSV, as dbt loads it)
                seed = DBT_PROJECT_DIR / "seeds" / f"{name}.csv"
                con.execute(f"create table \"{name}\" as select * from read_csv('{seed}', header = true)")
            else:
                missing.append(name)
            built.add(name)
        return f'"{name}"'

    sql = render(model)
    if missing:
        raise KeyError(f"{model} refs tables the fixture does not give: {missing}")
    return con.sql(sql).df()


def import_script(name: str) -> ModuleType:
    """A module of scripts/ (a folder of scripts, not a package), e.g. the benchmark the tests check."""
    scripts = str(PROJECT_ROOT / "scripts")
    if scripts not in sys.path:
        sys.path.insert(0, scripts)
    return importlib.import_module(name)


def ingest_resources(fetcher: Any = None, warehouse: Any = None) -> dict[str, Any]:
    """The resources the ingest assets need, as a test materializes them: bundled files by default,
    and one WarehouseConfig (the environment's, unless given) shared by the assets and the lock."""
    from orchestration.defs.resources import RefreshLock, SourceFetcher, WarehouseConfig

    warehouse = warehouse or WarehouseConfig()
    return {
        "fetcher": fetcher or SourceFetcher(mode="bundled"),
        "refresh_lock": RefreshLock(warehouse=warehouse),
        "warehouse": warehouse,
    }
