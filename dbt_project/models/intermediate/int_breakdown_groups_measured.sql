{#-
    Every local-authority headline metric (native level ltla or utla) in every period, broken down
    by the type of authority (the authorities of each type: int_breakdown_members_listed): IMD decile and quintile (2019 and 2025 editions), broad rural-urban
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

with members as (
    select * from {{ ref('int_breakdown_members_listed') }}
),

england as (
    select metric_id, breakdown, period, value as england_value
    from {{ ref('int_metric_values_harmonised') }}
    where area_code = 'E92000001' and value is not null and provenance <> 'synthetic'
)

select
    f.metric_id,
    f.breakdown,
    f.mission_id,
    f.period,
    f.period_end,
    f.breakdown_family,
    f.breakdown_group,
    f.group_order,
    count(*) as areas,
    sum(f.population_2011) as population_2011,
    -- summed in a fixed order (by area code): a float sum's last digits follow the order it is summed
    -- in, and a published mean must not depend on the run
    sum(f.value * f.population_2011 order by f.area_code) / sum(f.population_2011) as value,
    min(f.value) as min_area_value,
    max(f.value) as max_area_value,
    any_value(e.england_value) as england_value,
    string_agg(distinct f.provenance, ',' order by f.provenance) as provenances
from members as f
left join england as e using (metric_id, breakdown, period)
group by all
