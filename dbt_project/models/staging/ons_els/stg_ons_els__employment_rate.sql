{#- GENERATED from orchestration/ingest/sources/catalogue.yml by orchestration/build/dbt_codegen.py.
    Do not edit: edit the catalogue (the refresh rewrites this file before dbt parses). -#}
{{ stg_metric_rows('ons_els', 'employment_rate') }}
