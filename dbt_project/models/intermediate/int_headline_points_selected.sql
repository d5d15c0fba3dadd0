{#- Every published, derived or synthetic value of a scored metric (a headline, or a devolved nation's
    own series for a mission: int_metrics_classified.is_scored) on a current area, one row per
    point of a series (metric x breakdown x area), with what the scorecard methods need: the metric's
    polarity and baseline, the comparison group the area is ranked in, a decimal time axis, and the
    point's position counted from the latest (1 = latest). -#}
{#- A table, not a view: baselines, benchmarks, trends and the scorecard read it (the scorecard four
    times); as a view its windows over every headline fact ran once per read. -#}
{{ config(materialized='table') }}
with facts as (
    select f.*
    from {{ ref('int_metric_values_harmonised') }} as f
    inner join {{ ref('int_metrics_classified') }} as m on m.metric_id = f.metric_id
    inner join {{ ref('int_areas_described') }} as a on a.area_code = f.area_code
    where m.is_scored and f.value is not null and a.is_current
),

-- A metric published for districts ranks unitary authorities with them (lower tier); otherwise
-- unitary authorities rank with counties (upper tier).
tiers as (
    select metric_id, breakdown, period, bool_or(area_level = 'district') as has_lower_tier
    from facts
    group by all
)

select
    m.mission_id,
    f.metric_id,
    f.breakdown,
    f.area_code,
    f.area_name,
    f.area_level,
    case
        when f.area_level = 'district' then 'lower_tier'
        when f.area_level = 'county' then 'upper_tier'
        when f.area_level = 'unitary' and t.has_lower_tier then 'lower_tier'
        when f.area_level = 'unitary' then 'upper_tier'
        else f.area_level
    end as comparison_group,
    f.period,
    f.year,
    f.period_start,
    f.period_end,
    -- Years since 2000-01-01 at the end of the period: slopes are per year whatever the period.
    date_diff('day', date '2000-01-01', f.period_end) / 365.25 as time_years,
    f.value,
    f.lci_95,
    f.uci_95,
    f.numerator,
    f.denominator,
    f.provenance,
    f.source_id,
    m.unit,
    m.decimals,
    -- polarity per breakdown where one differs from its metric's (seed metric_breakdown_polarity)
    coalesce(bp.polarity, m.polarity) as polarity,
    m.baseline_period,
    m.baseline_rule,
    m.series_break_year,
    m.judged_on,
    pop.population,
    -- totals judged per head: pounds per person, from the area's mid-year population in the year the
    -- period ends (mid-2021 for 2020-21), or the latest estimate before it
    case when m.judged_on = 'per_head' then 1e6 * f.value / pop.population end as value_per_head,
    row_number() over (
        partition by f.metric_id, f.breakdown, f.area_code order by f.period_end desc, f.period desc
    ) as point_from_latest,
    count(*) over (partition by f.metric_id, f.breakdown, f.area_code) as series_points
from facts as f
inner join {{ ref('int_metrics_classified') }} as m on m.metric_id = f.metric_id
inner join tiers as t on t.metric_id = f.metric_id and t.breakdown = f.breakdown and t.period = f.period
left join {{ ref('metric_breakdown_polarity') }} as bp on bp.metric_id = f.metric_id and bp.breakdown = f.breakdown
-- the latest mid-year population estimate up to the year the period ends (a period after the latest
-- estimate takes the latest one)
asof left join {{ ref('int_area_populations_summed') }} as pop on pop.area_code = f.area_code and f.year >= pop.year
