{#- For every metric measured over local authorities: how many of the current areas its coverage
    promises (UK, GB, England and Wales, or England; at its native upper or lower tier) its latest
    period covers, counting a suppressed figure (value NULL with a status) as covered. -#}
with metrics as (
    select metric_id, coverage, native_level
    from {{ ref('dim_metrics') }}
    where native_level in ('utla', 'ltla') and coverage in ('UK', 'GB', 'EW', 'E')
),

areas as (
    select * from {{ ref('dim_areas') }} where is_current and is_hierarchical
),

facts as (
    select * from {{ ref('fct_area_year_metrics') }}
),

latest as (
    select metric_id, max(period_end) as latest_period_end from facts group by metric_id
),

promised as (
    select metrics.metric_id, areas.area_code
    from metrics
    join areas
        on ((metrics.native_level = 'utla' and areas.is_utla) or (metrics.native_level = 'ltla' and areas.is_ltla))
        and case metrics.coverage
            when 'UK' then true
            when 'GB' then areas.nation_code <> 'N92000002'
            when 'EW' then areas.nation_code in ('E92000001', 'W92000004')
            when 'E' then areas.nation_code = 'E92000001'
        end
),

covered as (
    select distinct facts.metric_id, facts.area_code
    from facts
    join latest on latest.metric_id = facts.metric_id and facts.period_end = latest.latest_period_end
    where facts.value is not null or facts.status is not null
)

select
    cast(promised.metric_id as varchar) as metric_id,
    cast(any_value(latest.latest_period_end) as date) as latest_period_end,
    cast(count(*) as integer) as promised_areas,
    cast(count(covered.area_code) as integer) as covered_areas,
    cast(round(count(covered.area_code) / count(*), 4) as double) as coverage_share,
    cast(string_agg(case when covered.area_code is null then promised.area_code end, ',' order by promised.area_code) as varchar)
        as missing_areas
from promised
left join covered on covered.metric_id = promised.metric_id and covered.area_code = promised.area_code
left join latest on latest.metric_id = promised.metric_id
group by promised.metric_id
