"""The ingest asset with each ELS reader, DuckDB's (large files) and Python's (small ones), and
the memory limit a refresh's DuckDB runs under.

With the size threshold at 0 every ELS file goes to the DuckDB reader; the raw table it loads must
equal the one the Python reader loads, column for column and type for type, and a bad file must
fail the asset with the same message (the DuckDB reader steps aside; the Python one names the line).
"""

import duckdb
import pytest
from dagster import materialize

from orchestration.defs.assets.ingest import build_ingest_assets
from orchestration.defs.resources import WarehouseConfig
from orchestration.ingest.sources import ons_els
from orchestration.ingest.sources.catalogue import get_source
from orchestration.operations.alerts import step_failure_message
from orchestration.settings import (
    DBT_PROJECT_DIR,
    DEFAULT_DUCKDB_MEMORY_LIMIT,
    DUCKDB_MEMORY_LIMIT_VAR,
    duckdb_memory_limit,
    get_settings,
)
from orchestration.warehouse.files import connect
from tests.helpers import BUNDLED_DIR, ingest_resources, isolated_warehouse, poisoned_bundle, set_cell

HLE = get_source("healthy_life_expectancy")
RESOURCES = ingest_resources()


def ingest(warehouse, bundle=BUNDLED_DIR):
    with isolated_warehouse(warehouse, bundle):
        result = materialize([*build_ingest_assets([HLE])], resources=RESOURCES, raise_on_error=False)
        build_db = get_settings().build_db
    return result, build_db


def raw_table(build_db):
    with duckdb.connect(str(build_db), read_only=True) as con:
        types = con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'raw' and table_name = ? order by ordinal_position",
            [HLE.id],
        ).fetchall()
        rows = con.execute(f"select * exclude (_loaded_at) from raw.{HLE.id} order by source_line").fetchall()
        leftovers = con.execute("select count(*) from duckdb_tables() where temporary").fetchone()[0]
    return types, rows, leftovers


def ingest_once(warehouse, source, query: str) -> tuple[bool, list]:
    """Ingest one source into ``warehouse``: whether the asset found its file unchanged, and the first
    column of ``query`` on the build file afterwards."""
    with isolated_warehouse(warehouse):
        result = materialize([*build_ingest_assets([source])], resources=RESOURCES)
        build_db = get_settings().build_db
    (materialization,) = result.asset_materializations_for_node(result.all_node_events[0].node_name)
    with duckdb.connect(str(build_db), read_only=True) as con:
        values = [value for (value, *_) in con.execute(query).fetchall()]
    return materialization.metadata["unchanged"].value, values


def staged_by_duckdb() -> bool:
    """Source.stage on HLE's bundled file left a temporary table (DuckDB's reader), not a frame."""
    with duckdb.connect() as con:
        HLE.stage(con, BUNDLED_DIR / HLE.bundled_path, "staged")
        return con.execute("select count(*) from duckdb_tables() where temporary").fetchone()[0] == 1


def test_both_readers_load_the_same_raw_table(tmp_path, monkeypatch):
    python_result, python_db = ingest(tmp_path / "python")
    assert not staged_by_duckdb(), "a bundled file is small: the Python reader reads it"
    monkeypatch.setattr(ons_els, "DUCKDB_READER_MIN_BYTES", 0)
    assert staged_by_duckdb(), "with no threshold the DuckDB reader reads it"
    duckdb_result, duckdb_db = ingest(tmp_path / "duckdb")
    assert python_result.success and duckdb_result.success
    python_types, python_rows, python_leftovers = raw_table(python_db)
    duckdb_types, duckdb_rows, duckdb_leftovers = raw_table(duckdb_db)
    assert python_leftovers == duckdb_leftovers == 0, "staging leaves no temporary table in the build"
    assert duckdb_types == python_types
    assert ("lci_95", "DOUBLE") in python_types and ("notes", "VARCHAR") in python_types
    assert len(duckdb_rows) == len(python_rows) > 1000
    assert duckdb_rows == python_rows


@pytest.mark.parametrize("threshold", [0, 1 << 40], ids=["duckdb reader", "python reader"])
def test_a_bad_cell_fails_the_asset_naming_file_column_and_line_with_either_reader(
    tmp_path, monkeypatch, threshold
):
    monkeypatch.setattr(ons_els, "DUCKDB_READER_MIN_BYTES", threshold)
    bundle = poisoned_bundle(tmp_path, HLE.bundled_path, set_cell(10, "observation", "sixty"))
    result, _ = ingest(tmp_path / "warehouse", bundle)
    assert not result.success
    (failure,) = [event for event in result.all_events if event.event_type_value == "STEP_FAILURE"]
    message = step_failure_message(failure)
    assert "healthy-life-expectancy.csv" in message
    assert "column 'observation'" in message and "line 10" in message and "'sixty'" in message


def test_the_refresh_and_dbt_run_duckdb_under_the_configured_memory_limit(tmp_path, monkeypatch):
    monkeypatch.setenv(DUCKDB_MEMORY_LIMIT_VAR, "512MB")
    with duckdb.connect() as reference:
        reference.execute("set memory_limit = '512MB'")
        expected = reference.execute("select current_setting('memory_limit')").fetchone()[0]
        default = duckdb.connect().execute("select current_setting('memory_limit')").fetchone()[0]
    with connect(tmp_path / "build.duckdb") as con:
        assert con.execute("select current_setting('memory_limit')").fetchone()[0] == expected != default
    profile = (DBT_PROJECT_DIR / "profiles.yml").read_text()
    assert f"env_var('{DUCKDB_MEMORY_LIMIT_VAR}', '{DEFAULT_DUCKDB_MEMORY_LIMIT}')" in profile
    monkeypatch.setenv(DUCKDB_MEMORY_LIMIT_VAR, "lots")
    with pytest.raises(ValueError, match=DUCKDB_MEMORY_LIMIT_VAR):
        duckdb_memory_limit()


def test_a_lookup_reloads_its_unchanged_file_when_its_entry_lists_a_new_column(tmp_path):
    """The raw table of a lookup keeps the columns its catalogue entry lists: listing one more (as
    RGNCD was, for the devolution model) must reload the same file, not skip it as unchanged."""
    import dataclasses

    successors = get_source("geography_lad_successors")
    fewer = dataclasses.replace(
        successors, expected_columns=tuple(c for c in successors.expected_columns if c != "RGNCD")
    )

    def load(source):
        return ingest_once(tmp_path, source, f"select column_name from (describe raw.{source.id})")

    unchanged, columns = load(fewer)
    assert unchanged is False and "RGNCD" not in columns
    unchanged, columns = load(successors)
    assert unchanged is False and "RGNCD" in columns
    assert load(successors) == (True, columns)


def test_configuration_is_passed_in_through_the_warehouse_resource(tmp_path):
    """A run given a WarehouseConfig writes where it says, whatever the environment says: the assets
    and the refresh lock read the resource, not the process environment."""
    warehouse = WarehouseConfig(warehouse_dir=str(tmp_path / "configured"), bundled_dir=str(BUNDLED_DIR))
    with isolated_warehouse(tmp_path / "from_environment"):
        result = materialize([*build_ingest_assets([HLE])], resources=ingest_resources(warehouse=warehouse))
    assert result.success
    assert (tmp_path / "configured" / "build" / "mission_tracker.duckdb").exists()
    assert not (tmp_path / "from_environment").exists()
    assert warehouse.resolve().build_db == tmp_path / "configured" / "build" / "mission_tracker.duckdb"


def test_an_unchanged_file_is_reloaded_when_its_mapping_changes(tmp_path):
    """The same file under a changed catalogue mapping (here: a breakdown renamed) is read again, so the
    raw table never keeps what an earlier mapping made of it; under the same mapping it is not."""
    import dataclasses

    from orchestration.ingest.sources.catalogue import MetricMapping, parse_fingerprint

    renamed = dataclasses.replace(
        HLE,
        metrics=tuple(MetricMapping(m.indicator, m.metric_id, f"{m.breakdown}_renamed") for m in HLE.metrics),
    )
    assert parse_fingerprint(renamed) != parse_fingerprint(HLE)

    def load(source):
        unchanged, values = ingest_once(tmp_path, source, f"select distinct breakdown from raw.{HLE.id}")
        return unchanged, set(values)

    assert load(HLE) == (False, {m.breakdown for m in HLE.metrics})
    assert load(HLE)[0] is True
    assert load(renamed) == (False, {f"{m.breakdown}_renamed" for m in HLE.metrics})
    assert load(renamed)[0] is True
