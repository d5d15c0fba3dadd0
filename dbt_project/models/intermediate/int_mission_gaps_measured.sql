{#- Every gap measure, one row per measure, metric, breakdown and period, in one shape:
    group A is the better-off group, group B the group the mission wants to catch up, and gap_value
    is oriented so that a positive gap means B is behind (a narrowing gap is a falling gap_value).
    The Statement's own definitions first, then the generic measures for every headline metric. -#}
{% set keys = 'metric_id, breakdown, period' %}
with pop as (
    select * from {{ ref('int_gap_populations_selected') }}
),

groupings as (
    select grouping_id, area_code from {{ ref('int_area_groupings_listed') }}
),

-- Mission 7: median HLE of the top decile of areas minus median of the bottom decile (by sex), over
-- the UK's upper-tier areas (the Statement's measure) and, beside it, over England's alone.
hle_populations as (
    select p.*, 'decile_median_gap' as hle_method, true as is_statement_definition
    from pop as p where p.gap_method = 'decile_median_gap'
    union all
    select p.*, 'decile_median_gap_england', false
    from pop as p
    inner join {{ ref('int_areas_described') }} as a on a.area_code = p.area_code
    where p.gap_method = 'decile_median_gap' and a.nation_code = 'E92000001'
),

hle_deciles as (
    select *, ntile(10) over (partition by hle_method, {{ keys }} order by value desc, area_code) as decile
    from hle_populations
),

hle_gap as (
    select
        hle_method as gap_method, is_statement_definition,
        mission_id, metric_id, breakdown, period,
        'median of the top decile of areas' as group_a_label,
        median(value) filter (where decile = 1) as group_a_value,
        count(*) filter (where decile = 1) as areas_a,
        'median of the bottom decile of areas' as group_b_label,
        median(value) filter (where decile = 10) as group_b_value,
        count(*) filter (where decile = 10) as areas_b
    from hle_deciles
    group by all
),

-- Mission 8: areas ranked by their worst ONS4 measure (percentile rank among areas, 1 = worst);
-- the worst-performing third against the rest, for each of the four measures.
wellbeing_ranked as (
    select
        *,
        percent_rank() over (partition by metric_id, breakdown, period order by sign * value desc) as badness
    from pop
    where gap_method = 'worst_third_vs_rest'
),

wellbeing_complete as (
    select area_code, breakdown, period, max(badness) as worst_badness
    from wellbeing_ranked
    group by all
    having count(distinct metric_id) = 4
),

wellbeing_thirds as (
    select
        *,
        ntile(3) over (partition by breakdown, period order by worst_badness desc, area_code) = 1 as is_worst_third
    from wellbeing_complete
),

wellbeing_gap as (
    select
        'worst_third_vs_rest' as gap_method, true as is_statement_definition,
        r.mission_id, r.metric_id, r.breakdown, r.period,
        'mean of the other two thirds of areas' as group_a_label,
        avg(r.value) filter (where not t.is_worst_third) as group_a_value,
        count(*) filter (where not t.is_worst_third) as areas_a,
        'mean of the worst third (ranked by worst ONS4 measure)' as group_b_label,
        avg(r.value) filter (where t.is_worst_third) as group_b_value,
        count(*) filter (where t.is_worst_third) as areas_b
    from wellbeing_ranked as r
    inner join wellbeing_thirds as t using (area_code, breakdown, period)
    group by all
),

-- The same gap with the worst third held at its membership in the latest period ending by 2019
-- (pre-pandemic): a check that a narrowing is areas improving, not areas swapping places.
wellbeing_baseline_members as (
    select area_code, breakdown
    from wellbeing_thirds
    where is_worst_third
      and period = (
          select arg_max(period, period_end) from pop
          where gap_method = 'worst_third_vs_rest' and period_end <= date '2019-12-31'
      )
),

wellbeing_fixed_gap as (
    select
        'worst_third_fixed_at_baseline' as gap_method, false as is_statement_definition,
        r.mission_id, r.metric_id, r.breakdown, r.period,
        'mean of the other areas (membership fixed at baseline)' as group_a_label,
        avg(r.value) filter (where b.area_code is null) as group_a_value,
        count(*) filter (where b.area_code is null) as areas_a,
        'mean of the baseline worst third (membership fixed)' as group_b_label,
        avg(r.value) filter (where b.area_code is not null) as group_b_value,
        count(b.area_code) as areas_b
    from wellbeing_ranked as r
    -- the same areas as the Statement's measure: those with all four ONS4 measures in the period
    inner join wellbeing_complete as c using (area_code, breakdown, period)
    left join wellbeing_baseline_members as b using (area_code, breakdown)
    group by all
),

-- Missions 1 and 9: the top-performing area against the mean of the rest.
top_ranked as (
    select *, row_number() over (partition by {{ keys }} order by sign * value desc, area_code) as position
    from pop where gap_method = 'top_vs_rest'
),

top_gap as (
    select
        'top_vs_rest' as gap_method, true as is_statement_definition,
        mission_id, metric_id, breakdown, period,
        'top-performing area: ' || arg_min(area_code, position) as group_a_label,
        max(value) filter (where position = 1) as group_a_value,
        1 as areas_a,
        'mean of the other areas' as group_b_label,
        avg(value) filter (where position > 1) as group_b_value,
        count(*) - 1 as areas_b
    from top_ranked
    group by all
    having count(*) > 1
),

-- Mission 2: R&D inside the Greater South East against outside it, per head (the sum of spending
-- over the sum of population in each group; a plain sum where a total is not judged per head).
gse_gap as (
    select
        'outside_vs_inside_gse' as gap_method, true as is_statement_definition,
        p.mission_id, p.metric_id, p.breakdown, p.period,
        case when any_value(p.judged_on) = 'per_head' then 'Greater South East (per head)'
            else 'Greater South East (sum)' end as group_a_label,
        -- per head only when every area of the group has a population that year (else no figure)
        case when any_value(p.judged_on) = 'per_head'
            then 1e6 * sum(p.value) filter (where g.area_code is not null)
                / sum(p.population_count) filter (where g.area_code is not null)
                * case when count(p.population_count) filter (where g.area_code is not null)
                    = count(*) filter (where g.area_code is not null) then 1 end
            else sum(p.value) filter (where g.area_code is not null) end as group_a_value,
        count(g.area_code) as areas_a,
        case when any_value(p.judged_on) = 'per_head' then 'outside the Greater South East (per head)'
            else 'outside the Greater South East (sum)' end as group_b_label,
        case when any_value(p.judged_on) = 'per_head'
            then 1e6 * sum(p.value) filter (where g.area_code is null)
                / sum(p.population_count) filter (where g.area_code is null)
                * case when count(p.population_count) filter (where g.area_code is null)
                    = count(*) filter (where g.area_code is null) then 1 end
            else sum(p.value) filter (where g.area_code is null) end as group_b_value,
        count(*) - count(g.area_code) as areas_b
    from pop as p
    left join groupings as g on g.grouping_id = 'greater_south_east' and g.area_code = p.area_code
    where p.gap_method = 'outside_vs_inside_gse'
    group by all
),

-- Missions 5, 6 and 11: a named grouping of areas against England or against the other areas. Each
-- group's mean is weighted as int_gap_grouping_members_selected says (population where complete).
grouping_means as (
    select
        gap_method, mission_id, metric_id, breakdown, period, in_group,
        any_value(grouping_id) as grouping_id,
        count(*) as areas,
        bool_and(is_weighted) as is_weighted,
        sum(value * weight) as group_mean
    from {{ ref('int_gap_grouping_members_selected') }}
    group by all
),

grouping_gap as (
    select
        m.gap_method, true as is_statement_definition,
        m.mission_id, m.metric_id, m.breakdown, m.period,
        case m.gap_method
            when 'eia_vs_england' then 'England'
            else 'mean of the other areas'
        end as group_a_label,
        case m.gap_method
            when 'eia_vs_england' then any_value(e.value)
            else any_value(m.group_mean) filter (where not m.in_group)
        end as group_a_value,
        case m.gap_method when 'eia_vs_england' then 1
            else coalesce(any_value(m.areas) filter (where not m.in_group), 0) end as areas_a,
        'mean of ' || any_value(m.grouping_id) || ' areas' as group_b_label,
        any_value(m.group_mean) filter (where m.in_group) as group_b_value,
        coalesce(any_value(m.areas) filter (where m.in_group), 0) as areas_b,
        bool_and(m.is_weighted) filter (where m.in_group or m.gap_method <> 'eia_vs_england') as is_weighted
    from grouping_means as m
    left join {{ ref('int_metric_values_harmonised') }} as e
        on e.area_code = 'E92000001' and e.metric_id = m.metric_id and e.breakdown = m.breakdown
        and e.period = m.period
    group by m.gap_method, m.mission_id, m.metric_id, m.breakdown, m.period
),

-- Mission 3: London against the mean of the other English regions.
london_gap as (
    select
        'gap_to_london' as gap_method, true as is_statement_definition,
        mission_id, metric_id, breakdown, period,
        'London' as group_a_label,
        max(value) filter (where area_code = 'E12000007') as group_a_value,
        count(*) filter (where area_code = 'E12000007') as areas_a,
        'mean of the other English regions' as group_b_label,
        avg(value) filter (where area_code <> 'E12000007') as group_b_value,
        count(*) filter (where area_code <> 'E12000007') as areas_b
    from pop
    where gap_method = 'gap_to_london' and population = 'region'
    group by all
),

-- Every headline metric: best minus worst area, and the ratio of the 90th to the 10th percentile.
generic_gap as (
    select
        'range' as gap_method, false as is_statement_definition,
        mission_id, metric_id, breakdown, period,
        'best area: ' || arg_max(area_code, sign * value) as group_a_label,
        case when any_value(sign) = 1 then max(value) else min(value) end as group_a_value,
        1 as areas_a,
        'worst area: ' || arg_min(area_code, sign * value) as group_b_label,
        case when any_value(sign) = 1 then min(value) else max(value) end as group_b_value,
        1 as areas_b
    from pop
    group by all
    having count(*) > 1
    union all
    select
        'p90_p10_ratio', false,
        mission_id, metric_id, breakdown, period,
        '90th percentile of areas',
        quantile_cont(value, 0.9),
        null,
        '10th percentile of areas',
        quantile_cont(value, 0.1),
        null
    from pop
    group by all
    having count(*) >= 10
),

gaps as (
    select * from hle_gap
    union all by name select * from wellbeing_gap
    union all by name select * from wellbeing_fixed_gap
    union all by name select * from top_gap
    union all by name select * from gse_gap
    union all by name select * from grouping_gap
    union all by name select * from london_gap
    union all by name select * from generic_gap
),

period_facts as (
    select
        metric_id, breakdown, period,
        any_value(year) as year,
        any_value(period_end) as period_end,
        any_value(population) as population,
        any_value(sign) as sign,
        any_value(baseline_period) as baseline_period,
        any_value(unit) as unit,
        any_value(judged_on) as judged_on,
        count(distinct area_code) as areas_measured,
        string_agg(distinct provenance, ', ' order by provenance) as provenance
    from pop
    group by all
)

select
    g.mission_id,
    g.gap_method,
    g.is_statement_definition,
    g.metric_id,
    g.breakdown,
    pf.population,
    g.period,
    pf.year,
    pf.period_end,
    g.group_a_label,
    g.group_a_value,
    g.areas_a,
    g.group_b_label,
    g.group_b_value,
    g.areas_b,
    pf.areas_measured,
    case
        when g.gap_method = 'p90_p10_ratio' then g.group_a_value / nullif(g.group_b_value, 0)
        -- money in nominal pounds: the gap relative to group A (per cent), never in pounds
        when pf.unit = 'pounds' then 100 * pf.sign * (g.group_a_value - g.group_b_value) / nullif(g.group_a_value, 0)
        else pf.sign * (g.group_a_value - g.group_b_value)
    end as gap_value,
    case
        when g.gap_method = 'p90_p10_ratio' then 'ratio'
        when pf.unit = 'pounds' then 'percent of group A'
        when g.gap_method = 'outside_vs_inside_gse' and pf.judged_on = 'per_head' then 'pounds per head'
        else pf.unit
    end as gap_unit,
    -- how each group's figure is formed from its areas' values (the warehouse holds no population
    -- weights for these areas, so a mean is an unweighted mean of areas, and says so)
    case
        when g.gap_method like 'decile_median_gap%' then 'median of areas (unweighted)'
        when g.gap_method = 'outside_vs_inside_gse' and pf.judged_on = 'per_head'
            then 'population-weighted (sum of spending over sum of population)'
        when g.gap_method = 'outside_vs_inside_gse' then 'sum of areas'
        when g.gap_method in ('range', 'p90_p10_ratio') then 'single areas / percentiles of areas'
        when g.gap_method = 'top_vs_rest' then 'one area vs unweighted mean of the other areas'
        when g.gap_method = 'eia_vs_england' and g.is_weighted
            then 'England''s own figure vs population-weighted mean of areas'
        when g.gap_method = 'eia_vs_england' then 'England''s own figure vs unweighted mean of areas'
        when g.is_weighted then 'population-weighted mean of areas'
        else 'unweighted mean of areas'
    end as weighting,
    pf.baseline_period,
    pf.provenance
from gaps as g
inner join period_facts as pf using ({{ keys }})
where g.group_a_value is not null and g.group_b_value is not null
