{#- The linear trajectory of every measurable target from its baseline to its target year: one row
    per target and year, with the interim milestone and the observed value where one is published
    for that reference year (the IfG asks for interim targets; this is the straight-line reading). -#}
with progress as (
    select * from {{ ref('mission_progress') }}
    where target_level is not null and baseline_year < target_year
),

years as (
    select p.target_id, y.year
    from progress as p
    cross join unnest(generate_series(p.baseline_year, p.target_year)) as y(year)
),

observed as (
    select target_id, year, arg_max(value, period_end) as observed_value, arg_max(period, period_end) as observed_period
    from {{ ref('int_target_series_aggregated') }}
    group by all
)

select
    p.target_id,
    p.mission_id,
    p.metric_id,
    p.breakdown,
    y.year,
    p.baseline_value + (p.target_level - p.baseline_value)
        * (y.year - p.baseline_year) / (p.target_year - p.baseline_year) as milestone_value,
    o.observed_period,
    o.observed_value,
    case when o.observed_value is not null then
        (o.observed_value - (p.baseline_value + (p.target_level - p.baseline_value)
            * (y.year - p.baseline_year) / (p.target_year - p.baseline_year))) * p.target_direction >= 0
    end as on_or_ahead_of_milestone,
    p.provenance
from progress as p
inner join years as y using (target_id)
left join observed as o on o.target_id = y.target_id and o.year = y.year
