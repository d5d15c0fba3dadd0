{#-
    The data contract's long shape for a series the project derives in dbt (provenance 'derived'),
    from a CTE `rows` with area_code, area_name, period, year, period_start, period_end, metric_id,
    breakdown, value, numerator, denominator, status, note, source_id, vintage and loaded_at: the area
    is its own published code, and a derived value carries no published interval. One place, so every
    derived series (travel shares, devolution coverage, crime rates) joins int_metric_values_unioned
    in the same shape.
-#}
{% macro derived_metric_rows(rows) %}
select
    area_code,
    area_code as published_area_code,
    area_name,
    period,
    year,
    period_start,
    period_end,
    metric_id,
    breakdown,
    value,
    cast(null as double) as lci_95,
    cast(null as double) as uci_95,
    numerator,
    denominator,
    status,
    note,
    source_id,
    'derived' as provenance,
    vintage,
    loaded_at
from {{ rows }}
{% endmacro %}
