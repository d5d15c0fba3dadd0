{#-
    Every local-authority headline metric (native level ltla or utla) in every period, broken down
    by the type of authority: IMD decile and quintile (2019 and 2025 editions), broad rural-urban
    class and urban/rural (2011), and 2011 area supergroup (int_area_types_carried). England only,
    real rows only (published or derived; synthetic samples are never broken down), each of the
    metric's own breakdowns (e.g. sex) separately.

    A group's value is the mean of its authorities' values weighted by their 2011 Census population
    (the one population the warehouse has for every English district; carried to current codes by
    summing the parts), so a group of large and small authorities is read as its residents would be.
    Counties are not classified (their districts are), so a metric published for upper-tier
    authorities is broken down over its unitary authorities, metropolitan districts and London
    boroughs; `areas` says how many authorities each value rests on.
-#}
{{ config(materialized='table') }}

with metrics as (
    select metric_id, mission_id, native_level
    from {{ ref('int_metrics_classified') }}
    where is_headline
),

types as (
    select * from {{ ref('int_area_types_carried') }}
    where area_code like 'E%'
),

memberships as (
    select area_code, population_2011, 'imd_decile_2019' as breakdown_family,
        cast(imd_decile_2019 as varchar) as breakdown_group, imd_decile_2019 as group_order
    from types where imd_decile_2019 is not null
    union all
    select area_code, population_2011, 'imd_quintile_2019', cast((imd_decile_2019 + 1) // 2 as varchar),
        (imd_decile_2019 + 1) // 2
    from types where imd_decile_2019 is not null
    union all
    select area_code, population_2011, 'imd_decile_2025', cast(imd_decile_2025 as varchar), imd_decile_2025
    from types where imd_decile_2025 is not null
    union all
    select area_code, population_2011, 'imd_quintile_2025', cast((imd_decile_2025 + 1) // 2 as varchar),
        (imd_decile_2025 + 1) // 2
    from types where imd_decile_2025 is not null
    union all
    select area_code, population_2011, 'rural_urban_2011', broad_ruc11,
        case broad_ruc11
            when 'Predominantly Urban' then 1 when 'Urban with Significant Rural' then 2 else 3
        end
    from types where broad_ruc11 is not null
    union all
    select area_code, population_2011, 'urban_rural_2011', urban_rural_2011,
        case urban_rural_2011 when 'Urban' then 1 else 2 end
    from types where urban_rural_2011 is not null
    union all
    select area_code, population_2011, 'area_supergroup_2011', supergroup_2011,
        cast(dense_rank() over (order by supergroup_2011) as integer)
    from types where supergroup_2011 is not null
),

facts as (
    select f.metric_id, f.breakdown, m.mission_id, f.period, f.period_end, f.area_code, f.value, f.provenance
    from {{ ref('int_metric_values_harmonised') }} as f
    inner join metrics as m using (metric_id)
    where f.value is not null and f.provenance <> 'synthetic'
),

england as (
    select metric_id, breakdown, period, value as england_value
    from facts
    where area_code = 'E92000001'
)

select
    f.metric_id,
    f.breakdown,
    f.mission_id,
    f.period,
    f.period_end,
    b.breakdown_family,
    b.breakdown_group,
    b.group_order,
    count(*) as areas,
    sum(b.population_2011) as population_2011,
    -- summed in a fixed order (by area code): a float sum's last digits follow the order it is summed
    -- in, and a published mean must not depend on the run
    sum(f.value * b.population_2011 order by area_code) / sum(b.population_2011) as value,
    min(f.value) as min_area_value,
    max(f.value) as max_area_value,
    any_value(e.england_value) as england_value,
    string_agg(distinct f.provenance, ',' order by f.provenance) as provenances
from facts as f
inner join memberships as b using (area_code)
left join england as e using (metric_id, breakdown, period)
where b.population_2011 is not null
group by all
