"""`mission-tracker`: the nightly refresh, read-only queries, status, rollback and the UI."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from orchestration.operations.runner import RefreshSummary, run_refresh
from orchestration.settings import PROJECT_ROOT, Settings, ensure_dagster_home, get_settings

#: Seconds a query may run before it is interrupted (query --timeout; 0 = no limit).
DEFAULT_QUERY_TIMEOUT = 120.0


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if value < 0 or value != value:
        raise argparse.ArgumentTypeError(f"{text!r}: give 0 (no limit) or more seconds")
    return value


class CliError(Exception):
    """An error for the user: one line, plus a hint."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


def _command_path() -> str:
    """How to call this command from the current folder (the venv is not always on PATH)."""
    command = Path(sys.executable).with_name("mission-tracker")
    try:
        relative = os.path.relpath(command)
    except ValueError:  # pragma: no cover - another drive
        return str(command)
    return relative if not relative.startswith("..") else str(command)


def _print_refresh(summary: RefreshSummary, settings: Settings) -> None:
    if summary.stale_lock:
        print(f"\nCleared a stale refresh lock left by a process that is gone ({summary.stale_lock}).")
    loaded = [line for line in summary.sources if ": loaded" in line]
    print(
        f"\nSources: {len(summary.sources)} ingested, {len(loaded)} loaded new data, "
        f"{len(summary.sources) - len(loaded)} unchanged (same file checksum)"
    )
    for line in loaded:
        print(f"  {line}")
    print(
        f"\nChecks: {len(summary.checks_passed)} passed, {len(summary.checks_failed)} failed "
        f"(dbt tests and Great Expectations suites), {len(summary.checks_warned)} warnings "
        "(sources overdue for a new release; `status` lists them)"
    )
    for name in summary.checks_failed:
        print(f"  FAILED {name}")
    from orchestration.operations.runner import failure_line

    for failure in summary.failures:
        print(f"  step failed - {failure_line(failure)}")
    if summary.alert:
        print(f"  alert written: {summary.alert}")
    if summary.nothing_new:
        print(
            f"\nNothing new: every source file, model, suite and line of code is as it was; the published "
            f"warehouse {settings.published_db} stands {summary.nothing_new}."
        )
    elif summary.published:
        _print_changed_sources(settings.published_db, {line.split(":")[0] for line in loaded})
        _print_missions(settings.published_db)
        print(f"\nPublished: {summary.published}")
        print("Try it:")
        from orchestration.deliver.analyst import SQL_EXAMPLE  # imports DuckDB: only when needed

        print(f'  {_command_path()} query "{SQL_EXAMPLE}"')
        print(f"  python: duckdb.connect('{settings.published_db}', read_only=True).sql(...)")
    else:
        state = "left unchanged" if settings.published_db.exists() else "not created"
        print(f"\nNOT published: the published warehouse {settings.published_db} was {state}.")


def _print_changed_sources(published: Path, loaded_now: set[str]) -> None:
    """What this publish changed against the version before it, including files an earlier run loaded
    but did not publish (a killed or failed refresh): "0 loaded new data" alone would hide them."""
    from orchestration.operations.status import sources_changed_since
    from orchestration.warehouse.publishing import read_manifest

    previous = read_manifest(published).get("previous_version")
    changed = sources_changed_since(Path(previous) if previous else None, published)
    earlier = [source_id for source_id in changed if source_id not in loaded_now]
    print(f"\nNew data in this publish: {len(changed)} source(s) differ from the version before it")
    if earlier:
        print(
            f"  {len(earlier)} of them loaded by an earlier run that stopped before publishing: "
            + ", ".join(earlier)
        )


def _print_missions(db: Path) -> None:
    """The 12-mission summary of the warehouse just published."""
    from orchestration.operations.status import mission_table

    print(
        "\nMissions (verdict on real national series since baseline; the Statement's gap; primary target; "
        "confidence: robust = every headline series and gap change tested at 95%)"
    )
    print("  " + mission_table(db).replace("\n", "\n  "))


def cmd_refresh(args: argparse.Namespace) -> int:
    _check_source_ids(args.source or ())
    if not args.source and not args.always_run and _nothing_new(args.settings):
        return 0
    print("Running the nightly refresh (ingest -> dbt build -> checks -> publish) ...", flush=True)
    from orchestration.operations.refresh_lock import EXIT_ALREADY_RUNNING, RefreshAlreadyRunning

    sources = args.source or ()
    try:
        if args.verbose:
            summary = run_refresh(args.settings, quiet_logs=False, sources=sources, wait_seconds=args.wait)
        else:
            # dbt's own console output goes to a log file; progress lines go to stderr as steps finish
            log_path = args.settings.logs_dir / f"refresh-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.log"
            log_path.parent.mkdir(parents=True, exist_ok=True)
            with log_path.open("w", encoding="utf-8", buffering=1) as log, contextlib.redirect_stdout(log):
                summary = run_refresh(
                    args.settings, quiet_logs=True, sources=sources, progress=True, wait_seconds=args.wait
                )
            print(f"(full dbt and Dagster output: {log_path})")
    except RefreshAlreadyRunning as exc:
        print(f"error: {exc}", file=sys.stderr)
        print(
            "hint: wait for it to finish (`--wait SECONDS` or MISSION_TRACKER_REFRESH_WAIT waits for you); "
            f"nothing was changed. Lock file: {exc.lock_path}",
            file=sys.stderr,
        )
        return EXIT_ALREADY_RUNNING
    _print_refresh(summary, args.settings)
    return 0 if summary.success else 1


def _nothing_new(settings: Settings) -> bool:
    """Say so and stop when nothing can be new (bundled files, code and published file as published)."""
    import time

    from orchestration.operations.runner import unchanged_since_publish

    started = time.perf_counter()
    manifest = unchanged_since_publish(settings)
    if manifest is None:
        return False
    print(
        "Nothing new: every bundled source file, model, suite and line of code is as at the publish of "
        f"{manifest.get('published_at')}; the published warehouse {settings.published_db} stands "
        f"(sha256 {str(manifest.get('sha256'))[:12]}). Decided in {time.perf_counter() - started:.1f} s "
        "without starting Dagster, dbt or Great Expectations; `refresh --always-run` runs the job anyway "
        "(e.g. to record a run and re-evaluate freshness)."
    )
    return True


def _check_source_ids(ids) -> None:
    """An unknown --source is a usage error that names it and the closest catalogue ids."""
    import difflib

    from orchestration.ingest.sources.catalogue import load_catalogue

    known = [source.id for source in load_catalogue()]
    for source_id in ids:
        if source_id not in known:
            close = difflib.get_close_matches(source_id, known, n=3, cutoff=0.5)
            raise CliError(
                f"no source {source_id!r} in the catalogue",
                ("did you mean: " + ", ".join(close) + "? " if close else "")
                + "`mission-tracker sources` lists them all",
            )


def cmd_sources(args: argparse.Namespace) -> int:
    """Every catalogue source: id, title, provenance, latest period and freshness (published warehouse)."""
    from orchestration.operations.status import source_lines

    print("\n".join(source_lines(args.settings)))
    return 0


def _published_or_fail(settings: Settings) -> Path:
    path = settings.published_db
    if not path.exists():
        raise CliError(f"no published warehouse at {path}", "run `make refresh` first")
    return path


def cmd_query(args: argparse.Namespace) -> int:
    """Read-only SQL on the published warehouse, in DuckDB's sandbox (no files, no settings, no writes),
    stopped after --timeout seconds or at Ctrl-C; a result streams to --csv/--parquet in bounded memory."""
    from orchestration.deliver.analyst import (
        SQL_EXAMPLE,
        AnalystQueryError,
        QueryStopped,
        WarehouseUnreadable,
        analyst_relation,
        connect_analyst,
        fetch_for_screen,
        run_bounded,
        write_result,
    )

    path = args.settings.published_db
    sql = _query_text(args)
    if not sql.strip():
        raise CliError("empty query", f'give the SQL to run, e.g. mission-tracker query "{SQL_EXAMPLE}"')
    if args.max_rows < 1:
        raise CliError(f"--max-rows {args.max_rows}: give 1 or more", "--csv/--parquet FILE writes every row")
    try:
        con = connect_analyst(path)
    except WarehouseUnreadable as exc:
        hint = (
            "`mission-tracker rollback` puts the previous version back, or `make refresh` builds a new one"
            if path.exists()
            else "run `make refresh` first"
        )
        raise CliError(str(exc), hint) from None
    target = Path(args.csv or args.parquet).resolve() if (args.csv or args.parquet) else None
    close = True
    try:
        try:
            if target is not None:
                file_format = "csv" if args.csv else "parquet"
                rows = run_bounded(
                    con, lambda: write_result(analyst_relation(con, sql), target, file_format), args.timeout
                )
                print(f"wrote {target} ({rows:,} rows)")
                return 0
            result = run_bounded(
                con, lambda: fetch_for_screen(analyst_relation(con, sql), args.max_rows), args.timeout
            )
        except QueryStopped as exc:
            close = exc.stopped  # closing waits for a query DuckDB has not yet stopped: leave it
            if exc.by_user:
                print(f"error: {exc}", file=sys.stderr)
                print(f"hint: {exc.hint}", file=sys.stderr)
                return 130
            raise CliError(str(exc), exc.hint) from None
        except AnalystQueryError as exc:
            raise CliError(f"query failed: {exc}", exc.hint) from None
    finally:
        if close:
            con.close()
    _print_result(result)
    return 0


def _query_text(args: argparse.Namespace) -> str:
    """The SQL from the command line, or from the file given with -f (never both)."""
    if args.file and args.sql:
        raise CliError("give the SQL or -f FILE, not both", "mission-tracker query -f my_query.sql")
    if not args.file:
        return args.sql or ""
    path = Path(args.file)
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror}", "give the path of a .sql file") from None


def _print_result(result) -> None:
    """The rows on screen, never truncated silently: the count, or that more were left off."""
    from orchestration.deliver.analyst import format_table

    if not result.rows:
        print(" | ".join(result.columns))
        print("0 rows")
        return
    print("\n".join(format_table(result)))
    shown = len(result.rows)
    if result.more:
        print(
            f"showing the first {shown:,} rows; there are more: --max-rows N, or --csv/--parquet FILE for all"
        )
    else:
        print(f"{shown:,} row{'s' if shown != 1 else ''}")


def cmd_status(args: argparse.Namespace) -> int:
    from orchestration.operations.status import status_lines

    _published_or_fail(args.settings)
    print("\n".join(status_lines(args.settings)))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from orchestration.deliver.exports import export_marts

    folder = Path(args.out).resolve() if args.out else args.settings.exports_dir
    result = export_marts(_published_or_fail(args.settings), folder)
    print(f"exported {len(result.tables)} marts as Parquet and CSV to {result.folder}")
    for table, rows in result.tables.items():
        print(f"  {table}: {rows:,} rows")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from orchestration.deliver.report.build import build_published_report
    from orchestration.deliver.report.profiles import build_published_profiles

    _published_or_fail(args.settings)
    result = build_published_report(args.settings, Path(args.out).resolve() if args.out else None)
    print(
        f"wrote {result.path} ({result.size_bytes / 1e6:.1f} MB, {result.charts} charts, {result.maps} maps, "
        f"{result.seconds:.1f} s); open it in any browser, it needs no network"
    )
    profiles = build_published_profiles(args.settings, result.path.parent / "profiles")
    print(
        f"wrote {profiles.profiles} area profiles and index.html to {profiles.folder} "
        f"({profiles.total_bytes / 1e6:.1f} MB, {profiles.seconds:.1f} s)"
    )
    return 0


def cmd_profile(args: argparse.Namespace) -> int:
    """Where the profile of one local authority is (by code or name); opens nothing."""
    from orchestration.deliver.report.profiles import find_profile, published_authorities

    settings = args.settings
    path, suggestions = find_profile(
        settings.profiles_dir, args.area, published_authorities(_published_or_fail(args.settings))
    )
    prefix = args.area.strip().lower()
    if path is None and suggestions and all(name.lower().startswith(prefix) for name in suggestions):
        listed = "; ".join(suggestions[:10]) + (
            f"; and {len(suggestions) - 10} more" if len(suggestions) > 10 else ""
        )
        raise CliError(
            f"{args.area!r} matches {len(suggestions)} local authorities: {listed}",
            "give more of the name, or the code",
        )
    if path is None:
        raise CliError(
            f"no local authority matches {args.area!r}",
            ("did you mean: " + "; ".join(suggestions[:8]) + "? " if suggestions else "")
            + f"the index of all of them is {settings.profiles_dir / 'index.html'}",
        )
    if not path.exists():
        raise CliError(f"{path} has not been written yet", "run `mission-tracker report` (or a refresh)")
    print(path)
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    """dbt docs for the warehouse as one static HTML page (lineage from source to scorecard)."""
    from orchestration.build.dbt_cli import prepare_manifest, run_dbt

    settings = args.settings
    if not settings.build_db.exists():
        raise CliError(f"no build warehouse at {settings.build_db}", "run `make refresh` first")
    import shutil
    import tempfile

    target = prepare_manifest().parent
    # generated in a folder of its own, so the manifest.json that other processes (a refresh, the UI)
    # read is never rewritten under them; the parse cache comes along so the parse stays partial
    with tempfile.TemporaryDirectory(prefix="docs-", dir=target) as scratch:
        if (target / "partial_parse.msgpack").exists():
            shutil.copy2(target / "partial_parse.msgpack", scratch)
        if run_dbt("docs", "generate", "--static", "--target-path", scratch, check=False).returncode:
            raise CliError("dbt docs generate failed", "run it with --verbose in dbt_project/ to see why")
        for name in ("static_index.html", "catalog.json"):
            shutil.copy2(Path(scratch) / name, target / name)
    page = target / "static_index.html"
    print(f"dbt docs (one self-contained page): {page}")
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    from orchestration.operations.refresh_lock import RefreshAlreadyRunning, refresh_lock
    from orchestration.warehouse.publishing import rollback

    settings = args.settings
    try:
        with refresh_lock(settings.warehouse_dir, run_id="rollback"):
            restored = rollback(settings.published_db, settings.versions_dir)
    except RefreshAlreadyRunning as exc:
        raise CliError(str(exc), "roll back after it finishes; a refresh publishes over the file") from None
    except FileNotFoundError as exc:
        raise CliError(
            str(exc), "a version is kept each time a refresh publishes over an older one"
        ) from None
    print(f"rolled back: {settings.published_db} is now the version published before ({restored.name})")
    return 0


def cmd_repair_history(args: argparse.Namespace) -> int:
    """Rebuild the vintage history's ranges from what they hold (under the refresh lock, in the build)."""
    from orchestration.ingest import history
    from orchestration.operations.refresh_lock import RefreshAlreadyRunning, refresh_lock
    from orchestration.warehouse.files import connect

    settings = args.settings
    if not settings.build_db.exists():
        raise CliError(
            f"no build warehouse at {settings.build_db}", "`make refresh` builds one; there is no history yet"
        )
    try:
        with refresh_lock(settings.warehouse_dir, run_id="repair-history"), connect(settings.build_db) as con:
            repaired = history.repair(con)
            still = history.broken_invariants(con)
    except RefreshAlreadyRunning as exc:
        raise CliError(str(exc), "repair after it finishes") from None
    if repaired.broken_before:
        print("broken before: " + "; ".join(repaired.broken_before))
    print(
        f"repaired {settings.build_db}: {repaired.vintages_replayed} recorded vintages replayed, "
        f"{repaired.ranges_before} -> {repaired.ranges_after} ranges, "
        f"{repaired.conflicts_resolved} figure-vintages that held two values kept the later recorded one"
    )
    if still:
        raise CliError("still broken: " + "; ".join(still), "keep the build file and report it as a bug")
    print("every history invariant holds; the next refresh records new vintages and publishes as usual")
    return 0


def cmd_prepare(args: argparse.Namespace) -> int:
    """Render the catalogue's dbt files and parse the dbt project (what every refresh does first)."""
    from orchestration.build.dbt_cli import prepare_manifest

    changed: list[str] = []
    manifest = prepare_manifest(force=args.force, changed=changed)
    for line in changed:
        print(f"  {line}")
    print(f"dbt project ready: {len(changed)} generated file(s) changed; manifest {manifest}")
    return 0


def cmd_ui(args: argparse.Namespace) -> int:
    from orchestration.build.dbt_cli import prepare_manifest

    home = ensure_dagster_home()
    prepare_manifest(force=True)
    print(f"Dagster UI on http://{args.host}:{args.port} (DAGSTER_HOME={home})", flush=True)
    from orchestration.settings import schedule_running_by_default

    if not schedule_running_by_default():
        print(
            "The nightly schedule is STOPPED under the dev UI: nothing runs by itself while you browse. "
            "`make serve` runs it (webserver + daemon); or switch it on under Automation.",
            flush=True,
        )
    from orchestration.settings import dagster_environment

    dagster = str(Path(sys.executable).with_name("dagster"))
    os.chdir(PROJECT_ROOT)
    os.execve(
        dagster,
        [dagster, "dev", "-h", args.host, "-p", str(args.port), "-w", str(PROJECT_ROOT / "workspace.yaml")],
        dagster_environment(),
    )
    return 0  # pragma: no cover


def cmd_serve(args: argparse.Namespace) -> int:
    """A real deployment on one machine: a gRPC code server, dagster-webserver and dagster-daemon as
    separate processes.

    The daemon runs the nightly schedule (RUNNING here), the run queue (one refresh at a time) and the
    failure sensor. Storage is PostgreSQL when MISSION_TRACKER_DAGSTER_PG_URL is set, else SQLite in
    DAGSTER_HOME. Stops both on Ctrl-C or SIGTERM; if either process dies, stops the other.
    """
    from orchestration.build.dbt_cli import prepare_manifest
    from orchestration.operations.deploy import serve
    from orchestration.settings import DAGSTER_PG_URL_VAR, SCHEDULE_VAR, dagster_environment

    # the schedule runs under serve unless the environment says otherwise; its processes get it passed
    environment = dagster_environment(**{SCHEDULE_VAR: os.environ.get(SCHEDULE_VAR) or "running"})
    home = Path(environment["DAGSTER_HOME"])
    prepare_manifest(force=True)
    storage = "PostgreSQL" if os.environ.get(DAGSTER_PG_URL_VAR) else f"SQLite in {home}"
    print(
        f"Dagster webserver on http://{args.host}:{args.port} and dagster-daemon (DAGSTER_HOME={home}, "
        f"storage: {storage}); nightly schedule {environment[SCHEDULE_VAR].upper()}",
        flush=True,
    )
    return serve(args.host, args.port, home, environment)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mission-tracker",
        description="Levelling Up Mission Tracker: refresh and query the mission warehouse.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    refresh = commands.add_parser(
        "refresh", help="run the nightly job now (in-process) and publish if every check passes"
    )
    refresh.add_argument("--verbose", action="store_true", help="show Dagster's full run log")
    refresh.add_argument(
        "--source",
        action="append",
        metavar="ID",
        help="refresh only this catalogue source and what depends on it (repeatable)",
    )
    refresh.add_argument(
        "--always-run",
        action="store_true",
        help="run the Dagster job even when nothing can be new (by default it stops at once)",
    )
    refresh.add_argument(
        "--wait",
        type=float,
        metavar="SECONDS",
        default=None,
        help="if another refresh is running, wait up to this long for it (default: "
        "MISSION_TRACKER_REFRESH_WAIT, else 0: stop at once with exit code 75)",
    )
    refresh.set_defaults(func=cmd_refresh)

    query = commands.add_parser("query", help="run read-only SQL against the published warehouse")
    query.add_argument("sql", nargs="?", default="", help='the SQL, e.g. "select * from dim_missions"')
    query.add_argument("-f", "--file", metavar="FILE", help="read the SQL from a file instead")
    out = query.add_mutually_exclusive_group()
    out.add_argument("--csv", metavar="FILE", help="write the result to a CSV file")
    out.add_argument("--parquet", metavar="FILE", help="write the result to a Parquet file")
    query.add_argument(
        "--max-rows",
        type=int,
        default=20,
        help="rows to print (default 20; only those and one more are fetched, to say whether there are more)",
    )
    query.add_argument(
        "--timeout",
        type=_seconds,
        default=DEFAULT_QUERY_TIMEOUT,
        metavar="SECONDS",
        help=f"stop the query after this long (default {DEFAULT_QUERY_TIMEOUT:g}; 0 = no limit). "
        "Ctrl-C stops it at once",
    )
    query.set_defaults(func=cmd_query)

    sources = commands.add_parser(
        "sources", help="list the catalogue's sources: provenance, latest period, freshness"
    )
    sources.set_defaults(func=cmd_sources)

    status = commands.add_parser("status", help="what is published, and when each source was loaded")
    status.set_defaults(func=cmd_status)

    export = commands.add_parser("export", help="write every mart as Parquet and CSV under one folder")
    export.add_argument("--out", metavar="DIR", help="folder to write (default warehouse/exports)")
    export.set_defaults(func=cmd_export)

    report = commands.add_parser(
        "report", help="write the HTML scorecard report and the area profiles from the published warehouse"
    )
    report.add_argument(
        "--out", metavar="FILE", help="file to write (default warehouse/report/mission_scorecard_report.html)"
    )
    report.set_defaults(func=cmd_report)

    profile = commands.add_parser(
        "profile", help="print where one local authority's profile page is (by GSS code or name)"
    )
    profile.add_argument("area", help="a GSS code (E06000009) or a name (Blackpool); a unique prefix will do")
    profile.set_defaults(func=cmd_profile)

    prepare = commands.add_parser(
        "prepare", help="render the catalogue's dbt files and parse the dbt project (a refresh does it first)"
    )
    prepare.add_argument("--force", action="store_true", help="parse even when nothing changed")
    prepare.set_defaults(func=cmd_prepare)

    docs = commands.add_parser("docs", help="generate dbt docs (models, columns, lineage) as one HTML page")
    docs.set_defaults(func=cmd_docs)

    rollback = commands.add_parser("rollback", help="put the previously published version back")
    rollback.set_defaults(func=cmd_rollback)
    repair = commands.add_parser(
        "repair-history",
        help="rebuild the vintage history from what it holds, keeping every vintage's figures "
        "(what a refresh that stopped on a broken history invariant asks for)",
    )
    repair.set_defaults(func=cmd_repair_history)

    ui = commands.add_parser("ui", help="start the Dagster UI (dagster dev) on 127.0.0.1")
    ui.add_argument("--host", default="127.0.0.1")
    ui.add_argument("--port", type=int, default=3000)
    ui.set_defaults(func=cmd_ui)

    serve = commands.add_parser(
        "serve", help="deploy on this machine: dagster-webserver + dagster-daemon, nightly schedule running"
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=3000)
    serve.set_defaults(func=cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        # the configuration, read from the environment once; every command is given it (the runs a
        # refresh starts resolve the same environment through the `warehouse` resource)
        args.settings = get_settings()
        return args.func(args)
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        return 2


def console_entry() -> None:
    """The `mission-tracker` command: :func:`main`, then an exit that skips the interpreter's teardown.

    After a refresh, freeing the object graph Dagster, dbt and DuckDB leave behind took ~0.9 s of a
    ~36 s command and served no one. Every atexit handler still runs (this one is registered first,
    so it runs last), then the streams are flushed and the process ends with main's exit code.
    """
    import atexit

    exit_code = [1]  # an exception escaping main leaves 1, after its traceback is printed

    def exit_now() -> None:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more can arrive
                stream.flush()
        os._exit(exit_code[0])

    atexit.register(exit_now)
    try:
        exit_code[0] = main()
    except KeyboardInterrupt:  # Ctrl-C before a query runs (a query's own Ctrl-C is handled in it)
        print("error: interrupted (Ctrl-C)", file=sys.stderr)
        exit_code[0] = 130
    except BrokenPipeError:  # the reader went away (`sources | head`): stop quietly, as other tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        exit_code[0] = 141  # 128 + SIGPIPE, what a shell reports for a command a closed pipe stopped
    except SystemExit as exc:  # argparse's usage errors (2), --help (0)
        exit_code[0] = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        raise
    sys.exit(exit_code[0])


if __name__ == "__main__":  # pragma: no cover
    console_entry()
