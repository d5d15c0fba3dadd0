{#- For the gaps between fixed groupings of areas (Education Investment Areas vs England, the
    lowest-skilled third vs the rest, the 20 worst-affected forces vs the rest), each area's additive
    term in the gap: gap_value = sum of the terms in a period, so the change of a gap since its
    baseline splits exactly into each area's contribution. mission_gaps uses it to find a single
    area that dominates a change (a recording artefact, say) and to give the change without it. -#}
with pop as (
    select * from {{ ref('int_gap_populations_selected') }}
    where gap_method in ('eia_vs_england', 'lowest_skilled_third_vs_rest', 'worst_20_forces_vs_rest')
),

members as (
    select
        p.*,
        g.area_code is not null as in_group
    from pop as p
    inner join (
        values ('eia_vs_england', 'education_investment_areas'),
            ('lowest_skilled_third_vs_rest', 'lowest_skilled_third'),
            ('worst_20_forces_vs_rest', 'worst_affected_forces_20')
    ) as gm(gap_method, grouping_id) on gm.gap_method = p.gap_method
    inner join {{ ref('dim_areas') }} as a on a.area_code = p.area_code
    left join {{ ref('dim_area_groupings') }} as g on g.grouping_id = gm.grouping_id and g.area_code = p.area_code
    where a.nation_code = 'E92000001' or p.population = 'pfa'
),

-- each area's weight in its group's mean: its population where every area of the group has one
-- that year (as int_mission_gaps_measured weights the means), else 1
sized as (
    select
        *,
        case
            when count(population_count) over w = count(*) over w then population_count / sum(population_count) over w
            else 1.0 / count(*) over w
        end as weight
    from members
    window w as (partition by gap_method, metric_id, breakdown, period, in_group)
),

area_terms as (
    -- group B (the grouping) enters with a minus sign, group A (the other areas) with a plus
    select
        gap_method, metric_id, breakdown, period, area_code,
        sign * case when in_group then -1 else 1 end * value * weight as term
    from sized
    where in_group or gap_method <> 'eia_vs_england'
),

england_terms as (
    -- for EIAs the comparison is England itself, one figure
    select distinct
        p.gap_method, p.metric_id, p.breakdown, p.period, 'E92000001' as area_code,
        p.sign * e.value as term
    from pop as p
    inner join {{ ref('fct_area_year_metrics') }} as e
        on e.area_code = 'E92000001' and e.metric_id = p.metric_id and e.breakdown = p.breakdown
        and e.period = p.period
    where p.gap_method = 'eia_vs_england'
)

select * from area_terms
union all by name
select * from england_terms
