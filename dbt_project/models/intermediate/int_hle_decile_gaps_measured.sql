{#- Mission 7's gap: median healthy life expectancy of the top decile of areas minus the bottom
    decile's, by sex, over the UK's upper-tier areas (the Statement's measure) and over England's alone.
    One row per method, metric, breakdown and period, in the shape int_mission_gaps_measured unions. -#}
{% set keys = 'metric_id, breakdown, period' %}
with pop as (
    select * from {{ ref('int_gap_populations_selected') }}
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
)

select * from hle_gap
