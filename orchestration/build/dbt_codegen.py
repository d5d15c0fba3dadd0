"""The dbt files the source catalogue implies, written before every dbt parse and never by hand.

From each catalogue entry: its table in ``staging/<publisher>/_<publisher>__sources.yml`` (so the
dbt source, the ingest asset ``raw/<id>`` and the lineage all follow from the one entry); and, for
a source of metric rows, its one-line staging model ``stg_<publisher>__<id>.sql``, that model's
entry and test in ``_<publisher>__models.yml``, and its place in the union
(``macros/generated/catalogue.sql``: ``metric_staging_models()``, which
``int_metric_values_unioned`` loops over); and the sources whose rows are the inputs of a metric dbt
computes (``rate_input_sources()``, which ``stg_ons_pfa__rate_inputs`` loops over).

Why generated files rather than a dbt var: dbt declares sources and models only in files (a var can
feed SQL, but it cannot create a source or a model, and then neither the lineage nor ``dbt docs``
would show them). So the catalogue is the one place to edit, and these files are its rendering,
rewritten by ``write_generated`` whenever the refresh prepares dbt (``prepare_manifest``): a file
that matches is left untouched, a stale one (of a source no longer in the catalogue) is deleted.
They are committed so that plain ``dbt`` commands work on a fresh clone;
tests/build/test_catalogue_codegen.py fails if any differs from what the catalogue renders.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import yaml

from orchestration.ingest.sources.catalogue import (
    CatalogueError,
    Source,
    load_catalogue,
    publisher_descriptions,
)
from orchestration.settings import DBT_PROJECT_DIR

MARKER = "GENERATED from orchestration/ingest/sources/catalogue.yml by orchestration/build/dbt_codegen.py"
DO_NOT_EDIT = "Do not edit: edit the catalogue (the refresh rewrites this file before dbt parses)."
HEADER_YAML = f"# {MARKER}.\n# {DO_NOT_EDIT}\n"
HEADER_JINJA = f"{{#- {MARKER}.\n    {DO_NOT_EDIT} -#}}\n"
MODEL_KEY = ["area_code", "period", "metric_id", "breakdown"]
INPUTS_KEY = ["source_id", "area_code", "indicator", "period"]


def staging_model(source: Source) -> str:
    return f"stg_{source.publisher}__{source.id}"


def _dump(document: dict) -> str:
    return yaml.safe_dump(document, sort_keys=False, width=110, allow_unicode=True)


def _sources_yaml(publisher: str, sources: list[Source]) -> str:
    document = {
        "version": 2,
        "sources": [
            {
                "name": publisher,
                "description": publisher_descriptions()[publisher],
                "schema": "raw",
                "tables": [{"name": source.id, "description": source.title} for source in sources],
            }
        ],
    }
    return HEADER_YAML + _dump(document)


def inputs_model(publisher: str) -> str:
    return f"stg_{publisher}__rate_inputs"


def _models_yaml(sources: list[Source]) -> str:
    models = [
        {
            "name": staging_model(source),
            "description": f"{source.title}, in the warehouse's long metric shape.",
            "data_tests": [{"unique_combination": {"arguments": {"columns": MODEL_KEY}}}],
        }
        for source in sources
    ]
    with_inputs = [source.id for source in sources if source.loads_rate_inputs]
    if with_inputs:
        models.append(
            {
                "name": inputs_model(sources[0].publisher),
                "description": (
                    "The published counts and populations dbt computes metrics from (no metric of their "
                    f"own), one row per source, area, indicator and period: {', '.join(with_inputs)}."
                ),
                "data_tests": [{"unique_combination": {"arguments": {"columns": INPUTS_KEY}}}],
            }
        )
    return HEADER_YAML + _dump({"version": 2, "models": models})


def _union_macro(models: list[str], input_sources: list[Source]) -> str:
    listed = "".join(f"\n        '{model}'," for model in models)
    inputs = "".join(
        f"\n        {{'publisher': '{source.publisher}', 'source_id': '{source.id}', "
        f"'population_year': {dict(source.format_options).get('population_year') or 'none'}}},"
        for source in input_sources
    )
    return (
        HEADER_JINJA
        + "{% macro metric_staging_models() %}\n"
        + "    {#- Every staging model of metric rows, in catalogue order: the union's inputs. -#}\n"
        + f"    {{{{ return([{listed}\n    ]) }}}}\n"
        + "{% endmacro %}\n\n"
        + "{% macro rate_input_sources() %}\n"
        + "    {#- Every source whose format loads the inputs of a metric dbt computes (its catalogue entry\n"
        + "        `derives` it), with the mid-year population year to divide by where the file has no\n"
        + "        population of its own (none: it has). -#}\n"
        + f"    {{{{ return([{inputs}\n    ]) }}}}\n"
        + "{% endmacro %}\n"
    )


def render(catalogue: tuple[Source, ...], project_dir: Path = DBT_PROJECT_DIR) -> dict[Path, str]:
    """Every generated file's path and content for this catalogue."""
    staging = project_dir / "models" / "staging"
    by_publisher: dict[str, list[Source]] = defaultdict(list)
    for source in catalogue:
        by_publisher[source.publisher].append(source)
    files: dict[Path, str] = {}
    for publisher, sources in by_publisher.items():
        folder = staging / publisher
        files[folder / f"_{publisher}__sources.yml"] = _sources_yaml(publisher, sources)
        metric_sources = [s for s in sources if s.yields_metric_rows]
        if metric_sources and len(metric_sources) != len(sources):
            raise CatalogueError(
                f"publisher {publisher} mixes sources of metric rows with others: its staging folder would "
                "hold generated and hand-written models; give the others their own publisher"
            )
        if metric_sources:
            files[folder / f"_{publisher}__models.yml"] = _models_yaml(metric_sources)
            for source in metric_sources:
                files[folder / f"{staging_model(source)}.sql"] = (
                    HEADER_JINJA + f"{{{{ stg_metric_rows('{publisher}', '{source.id}') }}}}\n"
                )
            if any(source.loads_rate_inputs for source in metric_sources):
                files[folder / f"{inputs_model(publisher)}.sql"] = (
                    HEADER_JINJA + f"{{{{ stg_rate_inputs('{publisher}') }}}}\n"
                )
    models = [staging_model(s) for s in catalogue if s.yields_metric_rows]
    input_sources = [s for s in catalogue if s.loads_rate_inputs]
    files[project_dir / "macros" / "generated" / "catalogue.sql"] = _union_macro(models, input_sources)
    return files


def _generated_on_disk(project_dir: Path) -> set[Path]:
    found = set()
    for folder in (project_dir / "models" / "staging", project_dir / "macros"):
        for path in folder.rglob("*"):
            if path.suffix in (".sql", ".yml") and path.is_file():
                with path.open(encoding="utf-8") as handle:
                    if MARKER in handle.readline():
                        found.add(path)
    return found


def _plan(project_dir: Path, catalogue: tuple[Source, ...] | None) -> tuple[dict[Path, str], list[Path]]:
    """Generated files that are missing or differ (with their content), and stale ones to delete."""
    wanted = render(load_catalogue() if catalogue is None else catalogue, project_dir)
    to_write = {
        p: text for p, text in wanted.items() if not p.exists() or p.read_text(encoding="utf-8") != text
    }
    return to_write, sorted(_generated_on_disk(project_dir) - set(wanted))


def differences(
    project_dir: Path = DBT_PROJECT_DIR, catalogue: tuple[Source, ...] | None = None
) -> list[str]:
    """What write_generated would change: empty when the files on disk are the catalogue's rendering."""
    to_write, to_delete = _plan(project_dir, catalogue)
    return [f"write {p.relative_to(project_dir)}" for p in to_write] + [
        f"delete {p.relative_to(project_dir)}" for p in to_delete
    ]


def write_generated(
    project_dir: Path = DBT_PROJECT_DIR, catalogue: tuple[Source, ...] | None = None
) -> list[str]:
    """Bring the generated files in line with the catalogue; return what changed (usually nothing)."""
    to_write, to_delete = _plan(project_dir, catalogue)
    for path, text in to_write.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for path in to_delete:
        path.unlink()
    return [f"wrote {p.relative_to(project_dir)}" for p in to_write] + [
        f"deleted {p.relative_to(project_dir)}" for p in to_delete
    ]
