{#- The series each mission target is judged on, one row per target and period: an area's own values,
    the unweighted mean over a grouping's members, or the sum over the ITL1 areas (English regions and
    the other three nations) outside a grouping. A grouping mean or sum is computed only for periods
    where every member has a value, so a missing member never shrinks a total. -#}
with targets as (
    select * from {{ ref('mission_targets') }}
),

facts as (
    select f.*
    from {{ ref('int_metric_values_harmonised') }} as f
    where f.metric_id in (select metric_id from targets)
),

itl1_areas as (
    select area_code
    from {{ ref('int_areas_described') }}
    where is_current and (area_level = 'region' or (area_level = 'nation' and area_code not like 'E%'))
),

area_series as (
    select t.target_id, f.period, f.year, f.period_start, f.period_end, f.value, 1 as areas_expected,
        1 as areas_with_value, f.provenance
    from targets as t
    inner join facts as f
        on f.metric_id = t.metric_id and f.breakdown = t.breakdown and f.area_code = t.scope_code
    where t.scope_kind = 'area' and f.value is not null
),

grouping_members as (
    select t.target_id, t.metric_id, t.breakdown, t.scope_kind, g.area_code
    from targets as t
    inner join {{ ref('int_area_groupings_listed') }} as g on g.grouping_id = t.scope_code
    where t.scope_kind = 'grouping_mean'
    union all
    select t.target_id, t.metric_id, t.breakdown, t.scope_kind, i.area_code
    from targets as t
    cross join itl1_areas as i
    where t.scope_kind = 'itl1_sum_outside_grouping'
        and i.area_code not in (
            select g.area_code from {{ ref('int_area_groupings_listed') }} as g where g.grouping_id = t.scope_code
        )
),

member_counts as (
    select target_id, count(*) as members from grouping_members group by target_id
),

group_series as (
    select
        gm.target_id,
        f.period,
        any_value(f.year) as year,
        any_value(f.period_start) as period_start,
        any_value(f.period_end) as period_end,
        case
            when count(f.value) < any_value(mc.members) then null
            when any_value(gm.scope_kind) = 'grouping_mean' then avg(f.value)
            else sum(f.value)
        end as value,
        any_value(mc.members) as areas_expected,
        count(f.value) as areas_with_value,
        string_agg(distinct f.provenance, ', ' order by f.provenance) as provenance
    from grouping_members as gm
    inner join member_counts as mc on mc.target_id = gm.target_id
    inner join facts as f
        on f.metric_id = gm.metric_id and f.breakdown = gm.breakdown and f.area_code = gm.area_code
    group by gm.target_id, f.period
)

select target_id, period, year, period_start, period_end, value, areas_expected, areas_with_value, provenance
from area_series
union all
select target_id, period, year, period_start, period_end, value, areas_expected, areas_with_value, provenance
from group_series
where value is not null
