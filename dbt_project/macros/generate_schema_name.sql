{#- Use the configured schema name as is (raw, staging, intermediate, lookups, main) rather than
    dbt's default "<target schema>_<custom schema>", so analysts see stable names. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name if custom_schema_name is not none else target.schema }}
{%- endmacro %}
