{#-
    Staging for the inputs of the metrics dbt computes from one publisher's tables (the crime rates:
    int_crime_rates_computed): every row of each source rate_input_sources() lists (generated from the
    catalogue: the sources whose entry `derives` a metric) whose indicator is one of the format's
    inputs, i.e. loaded with no metric of its own. One row per source, area, indicator and period,
    with the mid-year population year the catalogue names where the file has no population of its own.
-#}
{% macro stg_rate_inputs(publisher) %}
{%- set sources = rate_input_sources() | selectattr('publisher', 'equalto', publisher) | list -%}
{% for input in sources %}
select
    '{{ input.source_id }}' as source_id,
    cast(area_code as varchar) as area_code,
    cast(area_name as varchar) as area_name,
    cast(geography as varchar) as geography,
    cast(indicator as varchar) as indicator,
    cast(period_label as varchar) as period,
    cast(year as integer) as year,
    period_start,
    period_end,
    cast(value as double) as value,
    cast(status as varchar) as status,
    cast(notes as varchar) as note,
    cast(source_line as bigint) as source_line,
    cast({{ input.population_year if input.population_year is not none else 'null' }} as integer) as population_year,
    _provenance as provenance,
    left(_sha256, 12) as vintage,
    _loaded_at as loaded_at
from {{ source(publisher, input.source_id) }}
where metric_id is null
{% if not loop.last %}union all{% endif %}
{% endfor %}
{% endmacro %}
