{#- GENERATED from orchestration/sources/catalogue.yml by orchestration/sources/dbt_codegen.py.
    Do not edit: edit the catalogue (the refresh rewrites this file before dbt parses). -#}
{{ stg_rate_inputs('ons_pfa') }}
