{#- The areas behind the gaps between fixed groupings (Education Investment Areas vs England, the
    lowest-skilled third vs the rest, the 20 worst-affected forces vs the rest, for homicide and
    knife offences and, a separate group, for neighbourhood crime): one row per gap,
    area and period, whether the area is in the grouping, and its weight in its group's mean. The
    weight is the area's share of its group's mid-year population when every area of the group has
    one that year (for a rate, the group's own rate), else an equal share; is_weighted says which.
    The groupings are English, so only English areas (or police forces) are compared. -#}
with pop as (
    select * from {{ ref('int_gap_populations_selected') }}
    where gap_method in (
        'eia_vs_england', 'lowest_skilled_third_vs_rest', 'worst_20_forces_vs_rest',
        'worst_20_neighbourhood_forces_vs_rest'
    )
),

members as (
    select
        p.*,
        gm.grouping_id,
        g.area_code is not null as in_group
    from pop as p
    inner join (
        values ('eia_vs_england', 'education_investment_areas'),
            ('lowest_skilled_third_vs_rest', 'lowest_skilled_third'),
            ('worst_20_forces_vs_rest', 'worst_affected_forces_20'),
            ('worst_20_neighbourhood_forces_vs_rest', 'neighbourhood_crime_worst_forces_20')
    ) as gm(gap_method, grouping_id) on gm.gap_method = p.gap_method
    inner join {{ ref('int_areas_described') }} as a on a.area_code = p.area_code
    left join {{ ref('int_area_groupings_listed') }} as g on g.grouping_id = gm.grouping_id and g.area_code = p.area_code
    where a.nation_code = 'E92000001' or p.population = 'pfa'
)

select
    *,
    count(population_count) over w = count(*) over w as is_weighted,
    case
        when count(population_count) over w = count(*) over w then population_count / sum(population_count) over w
        else 1.0 / count(*) over w
    end as weight
from members
window w as (partition by gap_method, metric_id, breakdown, period, in_group)
