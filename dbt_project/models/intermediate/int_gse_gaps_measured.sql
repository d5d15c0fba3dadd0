{#- Mission 2: R&D outside the Greater South East against inside it, per head (the sum of spending
    over the sum of population in each group; a plain sum where a total is not judged per head). -#}
with pop as (
    select * from {{ ref('int_gap_populations_selected') }}
),

groupings as (
    select grouping_id, area_code from {{ ref('int_area_groupings_listed') }}
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
)

select * from gse_gap
