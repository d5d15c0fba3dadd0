{#- One row per area, period, metric and breakdown: the harmonised long mart every scorecard reads,
    plus the target series the catalogue publishes as metrics of their own (mission_targets.
    published_as_metric_id: KS2 in the Education Investment Areas, derived, on England's code). -#}
with base_sources as (
    select metric_id, any_value(source_id) as source_id, max(vintage) as vintage, max(loaded_at) as loaded_at
    from {{ ref('int_metric_values_harmonised') }}
    group by metric_id
),

facts as (
    select * from {{ ref('int_metric_values_harmonised') }}
    union all by name
    select
        'E92000001' as area_code,
        'nation' as area_level,
        'England' as area_name,
        t.scope_code as published_area_code,
        s.period,
        s.year,
        s.period_start,
        s.period_end,
        t.published_as_metric_id as metric_id,
        t.breakdown,
        s.value,
        s.areas_expected as denominator,
        'Unweighted mean of the published ' || t.metric_id || ' figures of all ' || s.areas_expected
            || ' areas in ' || t.scope_code || ' (' || t.method_note || ')' as note,
        b.source_id,
        'derived' as provenance,
        b.vintage,
        b.loaded_at
    from {{ ref('int_target_series_aggregated') }} as s
    inner join {{ ref('mission_targets') }} as t using (target_id)
    inner join base_sources as b on b.metric_id = t.metric_id
    where t.published_as_metric_id is not null
)

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
from facts
