{#- One row per area, period, metric and breakdown: the harmonised long mart every scorecard reads. -#}
select
    cast(area_code as varchar) as area_code,
    cast(area_level as varchar) as area_level,
    cast(area_name as varchar) as area_name,
    cast(published_area_code as varchar) as published_area_code,
    cast(period as varchar) as period,
    cast(year as integer) as year,
    cast(period_start as date) as period_start,
    cast(period_end as date) as period_end,
    cast(metric_id as varchar) as metric_id,
    cast(breakdown as varchar) as breakdown,
    cast(value as double) as value,
    cast(lci_95 as double) as lci_95,
    cast(uci_95 as double) as uci_95,
    cast(numerator as double) as numerator,
    cast(denominator as double) as denominator,
    cast(status as varchar) as status,
    cast(note as varchar) as note,
    cast(source_id as varchar) as source_id,
    cast(provenance as varchar) as provenance,
    cast(vintage as varchar) as vintage,
    cast(loaded_at as timestamp) as loaded_at
from {{ ref('int_metric_values_harmonised') }}
