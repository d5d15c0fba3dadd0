{#-
    Every area a fact can sit on, one row per code: the ONS hierarchy (current and retired), police
    force areas, retired lower-tier codes, and the statistical areas publishers report on that sit
    outside the hierarchy (ITL2/ITL3, GB, England and Wales, city regions...). Parents are given at
    each level so that one join answers "this area, its upper tier, region, nation, combined
    authority and police force area". ITL1 codes resolve through itl1_code.
-#}
{#- A table, not a view: the core mart publishing it and several scorecard steps read it. -#}
{{ config(materialized='table') }}

with hierarchy as (
    select * from {{ ref('int_areas_resolved') }}
),

police as (
    select * from {{ ref('police_force_areas') }}
),

utla_police as (
    select * from {{ ref('upper_tier_police_force_areas') }}
),

types as (
    select * from {{ ref('area_code_types') }}
),

changes as (
    select
        old_code,
        string_agg(new_code, ',' order by new_code) as successor_codes,
        min(change_year) as change_year
    from {{ ref('int_area_changes_unioned') }}
    group by old_code
),

hierarchy_rows as (
    select hierarchy.*, utla_police.pfa_code
    from hierarchy
    left join utla_police on utla_police.utla_code = hierarchy.utla_code and hierarchy.is_current
),

police_rows as (
    select
        pfa_code as area_code, pfa_name as area_name, 'pfa' as area_level, false as is_utla,
        false as is_ltla, true as is_current, cast(null as integer) as first_year,
        nation_code, true as is_hierarchical, pfa_code
    from police
),

retired_lower_tier as (
    select
        lad_code as area_code, lad_name as area_name, coalesce(types.area_level, 'other') as area_level,
        types.is_utla, types.is_ltla, false as is_current, cast(null as integer) as first_year,
        true as is_hierarchical
    from {{ ref('stg_ons_geography__lad_successors') }} as successors
    left join types on types.code_type = left(successors.lad_code, 3)
    where not successors.is_current and successors.lad_code not in (select area_code from hierarchy)
),

known as (
    select * from hierarchy_rows
    union all by name select * from police_rows
    union all by name select * from retired_lower_tier
),

statistical_rows as (
    select
        unioned.area_code,
        any_value(unioned.area_name order by unioned.period_end desc) as area_name,
        any_value(unioned.area_level) as area_level,
        false as is_utla, false as is_ltla, true as is_current, cast(null as integer) as first_year,
        false as is_hierarchical,
        case when unioned.area_code = 'E61000001' then 'E12000007' end as region_code,
        case when unioned.area_code like 'E%' then 'E92000001' end as nation_code
    from {{ ref('int_metric_values_unioned') }} as unioned
    where unioned.area_level in ('gb', 'ew', 'itl2', 'itl3', 'other', 'city_region')
       or unioned.area_code like 'E61%'
    group by unioned.area_code
    having unioned.area_code not in (select area_code from known)
),

all_areas as (
    select * from known
    union all by name select * from statistical_rows
)

select
    cast(all_areas.area_code as varchar) as area_code,
    cast(all_areas.area_name as varchar) as area_name,
    cast(all_areas.area_level as varchar) as area_level,
    coalesce(all_areas.is_utla, false) as is_utla,
    coalesce(all_areas.is_ltla, false) as is_ltla,
    cast(all_areas.is_current as boolean) as is_current,
    cast(all_areas.is_hierarchical as boolean) as is_hierarchical,
    cast(all_areas.first_year as integer) as first_year,
    cast(case when not all_areas.is_current then changes.change_year - 1 end as integer) as last_year,
    cast(changes.successor_codes as varchar) as successor_codes,
    cast(all_areas.utla_code as varchar) as utla_code,
    cast(all_areas.region_code as varchar) as region_code,
    cast(all_areas.nation_code as varchar) as nation_code,
    cast(case when all_areas.area_code <> 'K02000001' then 'K02000001' end as varchar) as uk_code,
    cast(all_areas.combined_authority_code as varchar) as combined_authority_code,
    cast(all_areas.pfa_code as varchar) as pfa_code,
    cast(itl1.itl1_code as varchar) as itl1_code,
    cast(devolution.devolution_level as varchar) as devolution_level
from all_areas
left join changes on changes.old_code = all_areas.area_code
left join {{ ref('int_devolution_levels_assigned') }} as devolution
    on devolution.utla_code = all_areas.utla_code and all_areas.is_current
left join {{ ref('itl1_gss_codes') }} as itl1 on itl1.gss_code = all_areas.area_code
