{#- The data-gaps register: for every metric the catalogue names, whether the warehouse holds real
    figures (published or derived), a synthetic sample, or nothing; its coverage, latest period and
    how old that is. -#}
with facts as (
    select
        metric_id,
        count(*) as fact_rows,
        count(value) as fact_values,
        count(distinct area_code) as areas,
        string_agg(distinct provenance, ', ' order by provenance) as provenances,
        bool_or(provenance in ('published', 'derived')) as has_real,
        bool_or(provenance = 'synthetic') as has_synthetic,
        max(period_end) as latest_period_end,
        arg_max(period, period_end) as latest_period,
        count(distinct period) as periods
    from {{ ref('fct_area_year_metrics') }}
    group by metric_id
)

select
    m.metric_id,
    m.mission_id,
    m.label,
    m.is_headline,
    m.coverage,
    m.native_level,
    m.source_id,
    case
        when f.metric_id is null then 'missing'
        when f.has_real and f.has_synthetic then 'mixed'
        when f.has_real then 'real'
        else 'synthetic'
    end as data_status,
    coalesce(f.provenances, 'none') as provenances,
    coalesce(f.fact_rows, 0) as fact_rows,
    coalesce(f.areas, 0) as areas,
    coalesce(f.periods, 0) as periods,
    f.latest_period,
    f.latest_period_end,
    case when f.latest_period_end is not null
        then date_diff('month', f.latest_period_end, current_date) end as months_since_latest_period,
    case
        when f.metric_id is null
            then 'No published series is loaded; the metric is listed so the gap is visible. ' || m.description
        when f.has_synthetic and not f.has_real
            then 'SYNTHETIC SAMPLE standing in for the real series: shapes and ranges only, never official statistics.'
        when 'derived' = f.provenances
            then 'Derived by the project from published inputs (see the source catalogue entry).'
        else 'Published figures.'
    end as note,
    case when f.metric_id is null or not f.has_real
        then g.official_series || ' (' || g.publisher || ')' end as would_be_replaced_by,
    case when f.metric_id is null or not f.has_real then g.official_series end as official_series,
    case when f.metric_id is null or not f.has_real then g.publisher end as publisher,
    case when f.metric_id is null or not f.has_real then g.geography end as geography,
    case when f.metric_id is null or not f.has_real then g.what_adding_it_takes end as what_adding_it_takes
from {{ ref('dim_metrics') }} as m
left join facts as f on f.metric_id = m.metric_id
left join {{ ref('missing_series') }} as g on g.metric_id = m.metric_id
