"""Benchmark at scale: a full refresh over raw inputs grown 1x, 10x and 100x, next to the plain SQL.

For each factor it builds a scaled copy of the bundled data in a temporary folder, runs a full
`mission-tracker refresh` on it in a fresh process (empty warehouse folder and Dagster home, the
bundle chosen by MISSION_TRACKER_BUNDLED_DIR), and samples the resident memory of the refresh's
whole process tree every 0.1 s. Then, over a copy of the build file the refresh loaded, a plain
`dbt build` and the plain SQL it ran (every model and data test, in one DuckDB connection; the
same measurement as `make bench`). It prints one table: rows, areas, each wall time, peak memory,
and refresh / plain SQL at each size (target at 100x: <= 2, and peak memory <= 4 GB).

**The scaled rows are synthetic.** The growth is LSOA-sized: each lower-tier local authority gets
``k`` synthetic small areas beneath it (``k`` chosen so that the Explore Local Statistics files
hold ``factor`` times their rows), each a copy of its authority's rows with the figures scaled by a
deterministic factor in [0.9, 1.0) taken from an MD5 of (area, indicator, period): below 1, so that
a figure inside its unit's plausible range (a percentage up to 100) stays inside it and the raw
gates pass as they do on the real files. Every synthetic area has its nation's small-area code
type (LSOA ``E01``/``W01``, data zone ``S01``, super data zone ``N21``) with a serial no real area
uses (``9nnnnn``: real LSOAs end near ``E01035000``), a name and a geography label that say
"synthetic", and lives only in the temporary folder, deleted when the benchmark ends. 1x is the
real bundle, unchanged.

    python scripts/bench_scale.py [--factors 1 10 100]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import BUILD_FILE, CLI, copy_build, plain_dbt_build_seconds, plain_sql_seconds, scratch_env

PROJECT_ROOT = Path(__file__).resolve().parents[1]
BUNDLED = PROJECT_ROOT / "data" / "bundled"
ELS_DIR = "ons_els"
GEO_METADATA = Path("ons_geography") / "geo-metadata.json"
#: Each nation's small-area code type (LSOA, LSOA, data zone, super data zone)...
SMALL_AREA_TYPES = {"E": "E01", "W": "W01", "S": "S01", "N": "N21"}
#: ...and the serial numbers synthetic ones start from: 9nnnnn is beyond any real one.
SYNTHETIC_SERIAL_BASE = 900_000
CSV_OPTIONS = "header = true, all_varchar = true, delim = ',', quote = '\"', escape = '\"'"
SYNTHETIC_GEOGRAPHY = "Synthetic small area (bench-scale, not official statistics)"


@dataclass(frozen=True)
class ScaledBundle:
    path: Path
    factor: int
    areas_per_authority: int
    synthetic_areas: int
    els_rows: int
    real_els_rows: int


def _lower_tier_authorities(metadata: dict) -> dict[str, dict]:
    return {code: area for code, area in metadata.items() if "ltla" in area["level"]}


def synthetic_areas(metadata: dict, per_authority: int) -> list[tuple[str, str, str]]:
    """(code, name, parent authority code) for every synthetic area, in a fixed order."""
    areas = []
    serial = SYNTHETIC_SERIAL_BASE
    for code, area in sorted(_lower_tier_authorities(metadata).items()):
        for index in range(1, per_authority + 1):
            serial += 1
            areas.append(
                (f"{SMALL_AREA_TYPES[code[0]]}{serial}", f"{area['areanm']} synthetic area {index:03d}", code)
            )
    return areas


def _els_counts(con: duckdb.DuckDBPyConnection, files: list[Path], authorities: set[str]) -> tuple[int, int]:
    """(all rows, distinct authority rows) over the ELS files: what the per-authority count scales."""
    con.execute("create or replace temp table authorities (code varchar)")
    con.executemany("insert into authorities values (?)", [[code] for code in sorted(authorities)])
    total = lower = 0
    for path in files:
        ((rows, distinct),) = con.execute(
            f"""select count(*),
                      count(distinct (trim(areacd), trim(indicator), trim(period)))
                          filter (where trim(areacd) in (select code from authorities))
               from read_csv(?, {CSV_OPTIONS})""",
            [str(path)],
        ).fetchall()
        total += rows
        lower += distinct
    return total, lower


def _scaled_rows_sql(multiplier: str, column: str) -> str:
    """A numeric cell moved by the row's multiplier; markers, empty cells and text left as they are."""
    number = f"try_cast(replace(trim({column}), ',', '') as double)"
    scaled = f"cast(round({number} * {multiplier}, 3) as varchar)"
    return f"case when {number} is null then {column} else {scaled} end"


def _write_scaled_els(con: duckdb.DuckDBPyConnection, source: Path, target: Path) -> int:
    """The real file, then one copy of each authority row per synthetic area beneath it (their count)."""
    shutil.copyfile(source, target)
    with open(source, "rb") as handle:
        first_line = handle.readline()
        handle.seek(-1, os.SEEK_END)
        ends_with_newline = handle.read(1) == b"\n"
    if not ends_with_newline:
        with open(target, "ab") as handle:
            handle.write(b"\n")
    columns = [name.strip() for name in first_line.decode("utf-8-sig").split(",")]
    crlf = first_line.endswith(b"\r\n")  # DuckDB writes \n; keep the file's own line ends
    digest = "('0x' || left(md5(s.code || '|' || r.indicator || '|' || r.period), 8))::bigint"
    multiplier = f"(0.9 + 0.1 * {digest} / 4294967296.0)"  # in [0.9, 1.0)
    values = {
        "areacd": "s.code",
        "areanm": "s.name",
        "geography": f"'{SYNTHETIC_GEOGRAPHY}'",
        "observation": _scaled_rows_sql(multiplier, "r.observation"),
        "lci_95": _scaled_rows_sql(multiplier, "r.lci_95"),
        "uci_95": _scaled_rows_sql(multiplier, "r.uci_95"),
    }
    select = ", ".join(f"{values.get(name, 'r.' + name)} as {name}" for name in columns)
    extra = target.with_suffix(".synthetic.csv")
    ((written,),) = con.execute(
        f"""copy (
                with r as (
                    select * from read_csv(?, {CSV_OPTIONS})
                    qualify row_number() over (
                        partition by trim(areacd), trim(indicator), trim(period) order by areacd) = 1
                )
                select {select} from r join synthetic as s on s.authority = trim(r.areacd)
                order by s.code, r.indicator, r.period
            ) to '{extra}' (header false, delimiter ',', quote '"')""",
        [str(source)],
    ).fetchall()
    with open(target, "ab") as out, open(extra, "rb") as rows:
        for block in iter(lambda: rows.read(1 << 22), b""):
            out.write(block.replace(b"\n", b"\r\n") if crlf else block)
    extra.unlink()
    return written


def scale_bundle(factor: int, target: Path, source: Path = BUNDLED) -> ScaledBundle:
    """A copy of ``source`` (the bundled data) at ``target`` with the ELS files grown ``factor`` times."""
    shutil.copytree(source, target)
    metadata = json.loads((source / GEO_METADATA).read_text(encoding="utf-8"))
    files = sorted((source / ELS_DIR).glob("*.csv"))
    con = duckdb.connect()
    authorities = _lower_tier_authorities(metadata)
    real_rows, authority_rows = _els_counts(con, files, set(authorities))
    per_authority = round((factor - 1) * real_rows / authority_rows)
    areas = synthetic_areas(metadata, per_authority)
    if not areas:
        return ScaledBundle(target, factor, 0, 0, real_rows, real_rows)
    for code, name, authority in areas:
        parent = metadata[authority]
        metadata[code] = {
            "areacd": code,
            "areanm": name,
            "level": ["lsoa"],
            "parents": [authority, *parent["parents"]],
            "children": [],
        }
        parent["children"] = [*parent["children"], code]
    (target / GEO_METADATA).write_text(json.dumps(metadata), encoding="utf-8")
    con.execute("create or replace temp table synthetic (code varchar, name varchar, authority varchar)")
    con.executemany("insert into synthetic values (?, ?, ?)", [list(area) for area in areas])
    rows = real_rows + sum(_write_scaled_els(con, path, target / ELS_DIR / path.name) for path in files)
    con.close()
    return ScaledBundle(target, factor, per_authority, len(areas), rows, real_rows)


class TreeMemory:
    """Peak resident memory of a process and all its descendants, sampled every ``interval`` s
    from /proc (a sum of each process's RSS: shared pages count once per process, so it errs high)."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        self.pid = pid
        self.interval = interval
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        page = os.sysconf("SC_PAGE_SIZE")
        while not self._stop.is_set():
            self.peak_bytes = max(self.peak_bytes, sum(self._rss_pages(pid) for pid in self._tree()) * page)
            self._stop.wait(self.interval)

    def _tree(self) -> set[int]:
        parents: dict[int, int] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
        tree = {self.pid}
        grew = True
        while grew:
            found = {pid for pid, parent in parents.items() if parent in tree} - tree
            grew = bool(found)
            tree |= found
        return tree

    @staticmethod
    def _rss_pages(pid: int) -> int:
        try:
            return int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            return 0


#: Lines of the refresh's progress output that mark where its time goes: "[  12.3s] > dbt build: ...".
MILESTONES = {
    "dbt_start_s": "> dbt build",
    "dbt_done_s": "+ dbt build done",
    "published_s": "+ published",
    "delivered_s": "+ exports",
}


def milestones(output: str) -> dict[str, float]:
    """Seconds into the run at which each milestone line appeared (absent ones left out)."""
    found = {}
    for line in output.splitlines():
        match = re.match(r"\s*\[\s*([0-9.]+)s\] (.*)", line)
        if match:
            for name, prefix in MILESTONES.items():
                if match.group(2).startswith(prefix):
                    found.setdefault(name, float(match.group(1)))
    return found


def timed_refresh(env: dict[str, str]) -> tuple[float, int, dict[str, float]]:
    """Wall seconds, peak tree memory (bytes) and milestones of one `mission-tracker refresh`."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [CLI, "refresh"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    with TreeMemory(process.pid) as memory:
        output, _ = process.communicate()
    elapsed = time.perf_counter() - start
    if process.returncode != 0:
        sys.exit(f"refresh failed (exit {process.returncode}):\n{output[-5000:]}")
    return elapsed, memory.peak_bytes, milestones(output)


def measure(factor: int, scratch: Path) -> dict[str, float | int]:
    started = time.perf_counter()
    bundle = scale_bundle(factor, scratch / "bundled")
    generated = time.perf_counter() - started
    env = scratch_env(scratch, MISSION_TRACKER_BUNDLED_DIR=str(bundle.path))
    warehouse = Path(env["MISSION_TRACKER_WAREHOUSE_DIR"])
    refresh, peak, timeline = timed_refresh(env)
    dbt_build, target = plain_dbt_build_seconds(warehouse, scratch, env)
    sql_copy = copy_build(warehouse, scratch / "sql_copy")
    plain_sql, statements = plain_sql_seconds(target, sql_copy / BUILD_FILE)
    with duckdb.connect(str(sql_copy / BUILD_FILE), read_only=True) as con:
        ((mart_rows,),) = con.execute("select count(*) from main.fct_area_year_metrics").fetchall()
    return {
        "factor": factor,
        "areas": bundle.synthetic_areas,
        "per_authority": bundle.areas_per_authority,
        "els_rows": bundle.els_rows,
        "real_els_rows": bundle.real_els_rows,
        "mart_rows": mart_rows,
        "generate_s": generated,
        "refresh_s": refresh,
        **timeline,
        "peak_gb": peak / 1e9,
        "dbt_build_s": dbt_build,
        "plain_sql_s": plain_sql,
        "statements": statements,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factors", type=int, nargs="+", default=[1, 10, 100])
    args = parser.parse_args()
    results = []
    for factor in args.factors:
        with tempfile.TemporaryDirectory(prefix=f"mt-scale-{factor}x-") as scratch:
            result = measure(factor, Path(scratch))
        results.append(result)
        print(
            f"{factor}x: {result['els_rows']:,} ELS rows, {result['areas']:,} synthetic areas "
            f"(generated in {result['generate_s']:.1f} s), "
            f"refresh {result['refresh_s']:.1f} s, peak {result['peak_gb']:.2f} GB, "
            f"dbt build {result['dbt_build_s']:.1f} s, plain SQL {result['plain_sql_s']:.1f} s",
            flush=True,
        )
        if set(MILESTONES) <= set(result):
            print(
                f"    refresh timeline: start, ingest and raw gates to {result['dbt_start_s']:.0f} s; "
                f"dbt step {result['dbt_done_s'] - result['dbt_start_s']:.0f} s; mart gates and publish "
                f"{result['published_s'] - result['dbt_done_s']:.0f} s; report, profiles and exports "
                f"done at {result['delivered_s']:.0f} s",
                flush=True,
            )
    print()
    print(
        "| inputs | ELS rows | synthetic areas | fct_area_year_metrics rows | full refresh | peak memory "
        "(refresh tree) | plain dbt build | plain SQL | refresh / plain SQL |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['factor']}x | {r['els_rows']:,} | {r['areas']:,} | {r['mart_rows']:,} "
            f"| {r['refresh_s']:.1f} s "
            f"| {r['peak_gb']:.2f} GB | {r['dbt_build_s']:.1f} s | {r['plain_sql_s']:.1f} s "
            f"| {r['refresh_s'] / r['plain_sql_s']:.2f} |"
        )
    print("\nplain SQL: the models' and data tests' SQL dbt ran, in one DuckDB connection; target at 100x:")
    print("refresh / plain SQL <= 2 and peak memory <= 4 GB (one run per size, a fresh process each).")


if __name__ == "__main__":
    main()
