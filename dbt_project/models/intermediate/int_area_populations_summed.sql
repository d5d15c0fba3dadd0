{#- Mid-year population (all ages) per area and year: upper-tier authorities as published, and the
    English regions, the nations, Great Britain and the UK as sums of their upper-tier authorities
    (upper-tier authorities tile each region and nation exactly), and police force areas, only for a year in which every one of
    them has a figure (the extract lacks 2024 for Scotland and Northern Ireland, so those nations, GB and
    the UK have no 2024 total). Used to compare totals per head. -#}
with recoded as (
    -- codes the extract still uses for areas ONS has since recoded (Barnsley, Sheffield) take the new code
    select coalesce(c.new_code, p.area_code) as area_code, p.year, p.population
    from {{ ref('stg_ons_geography__population_utla') }} as p
    left join {{ ref('int_area_changes_unioned') }} as c on c.old_code = p.area_code and c.change_kind = 'recode'
),

utla as (
    select p.area_code, p.year, p.population, a.region_code, a.nation_code
    from recoded as p
    inner join {{ ref('int_areas_resolved') }} as a using (area_code)
),

summed as (
    select area_code, year, population, 'published' as basis from utla where population is not null
    union all
    select region_code, year, sum(population), 'sum of upper-tier authorities'
    from utla where region_code is not null and region_code <> nation_code
    group by all having count(population) = count(*)
    union all
    select nation_code, year, sum(population), 'sum of upper-tier authorities'
    from utla where nation_code is not null
    group by all having count(population) = count(*)
    union all
    select 'K03000001', year, sum(population), 'sum of upper-tier authorities'
    from utla where nation_code in ('E92000001', 'W92000004', 'S92000003')
    group by all having count(population) = count(*)
    union all
    select 'K02000001', year, sum(population), 'sum of upper-tier authorities'
    from utla where nation_code is not null
    group by all having count(population) = count(*)
    union all
    -- police force areas are made of whole upper-tier authorities (seed upper_tier_police_force_areas)
    select f.pfa_code, u.year, sum(u.population), 'sum of upper-tier authorities'
    from utla as u
    inner join {{ ref('upper_tier_police_force_areas') }} as f on f.utla_code = u.area_code
    group by all having count(u.population) = count(*)
)

select area_code, year, population, basis
from summed
qualify row_number() over (partition by area_code, year order by basis) = 1
