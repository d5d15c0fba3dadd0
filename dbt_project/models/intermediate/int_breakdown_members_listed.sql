{#-
    Every English authority's value of each local-authority headline metric (native level ltla or
    utla) in every period, once per type it belongs to: IMD decile and quintile (2019 and 2025
    editions; for 2019 also quintiles of equal population), broad rural-urban class and urban/rural (2011), 2011 area supergroup
    (int_area_types_carried). Real rows only (published or derived; synthetic samples are never broken
    down), each of the metric's own breakdowns (e.g. sex) separately, with the authority's 2011 Census
    population (its weight in a group's mean) and the standard error of its value where the publisher
    gives a 95% interval (half-width / 1.959964). int_breakdown_groups_measured averages these rows;
    int_breakdown_slopes_computed fits the slope index of inequality to them.
-#}
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
    select area_code, population_2011, 'imd_population_quintile_2019', cast(imd_population_quintile_2019 as varchar),
        imd_population_quintile_2019
    from types where imd_population_quintile_2019 is not null
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
    select
        f.metric_id, f.breakdown, m.mission_id, f.period, f.period_end, f.area_code, f.value, f.provenance,
        {{ standard_error('f.lci_95', 'f.uci_95') }} as standard_error
    from {{ ref('int_metric_values_harmonised') }} as f
    inner join metrics as m using (metric_id)
    where f.value is not null and f.provenance <> 'synthetic'
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
    f.area_code,
    f.value,
    f.standard_error,
    b.population_2011,
    f.provenance
from facts as f
inner join memberships as b using (area_code)
where b.population_2011 is not null
