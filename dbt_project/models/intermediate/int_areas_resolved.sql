{#-
    The hierarchy areas with validity and parents resolved:
    - a lower-tier code is current unless the LAD successor list gives it a different active code;
    - an upper-tier-only county or a combined authority is current while a current lower-tier area
      names it as a parent (retired counties and the pre-2024 North East authorities have none);
    - parents come from each area's parent list by GSS entity (E10 county, E47 combined authority,
      E12 region, nation); single-tier councils are their own upper tier; Wales, Scotland and
      Northern Ireland are their own ITL1 region.
-#}
with areas as (
    select * from {{ ref('stg_ons_geography__areas') }}
),

successors as (
    select * from {{ ref('stg_ons_geography__lad_successors') }}
),

types as (
    select * from {{ ref('area_code_types') }}
),

lower_tier_status as (
    select
        areas.area_code,
        coalesce(successors.successor_code, areas.area_code) = areas.area_code as is_current
    from areas
    left join successors on successors.lad_code = areas.area_code
    where list_contains(areas.hierarchy_levels, 'ltla')
),

current_parents as (
    select distinct unnest(areas.parent_codes) as parent_code
    from areas
    join lower_tier_status using (area_code)
    where lower_tier_status.is_current
),

resolved as (
    select
        areas.area_code,
        areas.area_name,
        coalesce(types.area_level, 'other') as area_level,
        list_contains(areas.hierarchy_levels, 'utla') as is_utla,
        list_contains(areas.hierarchy_levels, 'ltla') as is_ltla,
        case
            when list_contains(areas.hierarchy_levels, 'ltla') then lower_tier_status.is_current
            when types.area_level in ('county', 'combined_authority')
                then areas.area_code in (select parent_code from current_parents)
            else true
        end as is_current,
        areas.first_year,
        case
            when list_contains(areas.hierarchy_levels, 'utla') then areas.area_code
            else list_filter(areas.parent_codes, lambda code: code like 'E10%')[1]
        end as utla_code,
        list_filter(areas.parent_codes, lambda code: code like 'E47%')[1] as combined_authority_code,
        case
            when areas.area_code like 'E12%' then areas.area_code
            when areas.area_code similar to '[WSN]92.*' then areas.area_code
            else coalesce(
                list_filter(areas.parent_codes, lambda code: code like 'E12%')[1],
                list_filter(areas.parent_codes, lambda code: code similar to '[WSN]92.*')[1]
            )
        end as region_code,
        case
            when areas.area_code similar to '[EWSN]92.*' then areas.area_code
            else list_filter(areas.parent_codes, lambda code: code similar to '[EWSN]92.*')[1]
        end as nation_code,
        true as is_hierarchical
    from areas
    left join types on types.code_type = {{ area_code_type_key('areas.area_code') }}
    left join lower_tier_status using (area_code)
)

select
    resolved.* exclude (utla_code, region_code, nation_code, combined_authority_code),
    case when resolved.is_utla or resolved.is_ltla then resolved.utla_code end as utla_code,
    case when resolved.area_level not in ('uk', 'nation') then resolved.region_code end as region_code,
    case when resolved.area_level <> 'uk' then resolved.nation_code end as nation_code,
    resolved.combined_authority_code
from resolved
