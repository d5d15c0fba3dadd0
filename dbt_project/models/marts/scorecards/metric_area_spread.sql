{#- How spread out the areas are on each headline series, period by period: over the areas the
    series' gaps are measured across (its native level, current areas only), the 10th percentile,
    median and 90th percentile, and how many areas there are. The report draws the middle 80% of
    areas from it as a band behind the national line. -#}
select
    cast(mission_id as varchar) as mission_id,
    cast(metric_id as varchar) as metric_id,
    cast(breakdown as varchar) as breakdown,
    cast(population as varchar) as population,
    cast(period as varchar) as period,
    cast(max(period_end) as date) as period_end,
    cast(count(*) as bigint) as areas,
    cast(quantile_cont(value, 0.1) as double) as p10,
    cast(median(value) as double) as median,
    cast(quantile_cont(value, 0.9) as double) as p90,
    cast(bool_or(provenance = 'synthetic') as boolean) as has_synthetic
from {{ ref('int_gap_populations_selected') }}
group by mission_id, metric_id, breakdown, population, period
