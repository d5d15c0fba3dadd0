{#-
    Area groupings the Statement's gap definitions need, one row per grouping and member area, each
    with how it was obtained (basis: official definition, derived from warehouse data, or a
    documented proxy where the official list could not be verified here).
-#}
{#- A table, not a view: the core mart publishing it and several scorecard steps read it. -#}
{{ config(materialized='table') }}

with areas as (
    select * from {{ ref('int_areas_described') }}
),

facts as (
    select * from {{ ref('int_metric_values_harmonised') }}
),

english_upper_tier as (
    select area_code from areas where is_current and is_utla and area_code like 'E%'
),

greater_south_east as (
    select
        'greater_south_east' as grouping_id, area_code, 'official' as basis,
        'London, South East and East of England regions (Statement of Levelling Up Missions, mission 2)' as note,
        note as description
    from areas
    where area_code in ('E12000006', 'E12000007', 'E12000008')
),

-- The official lists (DfE, 2022; seed education_investment_areas): the 55 Education Investment Areas,
-- all current upper-tier authorities, and the 24 Priority EIAs, 18 of them whole upper-tier
-- authorities and 6 former districts (kept under the district codes they were named by).
education_investment_areas as (
    select
        'education_investment_areas' as grouping_id, area_code, 'official' as basis,
        'One of the 55 Education Investment Areas (DfE, 2022): the weakest third of local authorities on '
        || 'KS2 and KS4 outcomes, 2017-2019' as note,
        note as description
    from {{ ref('education_investment_areas') }}
    where list = 'EIA'
),

-- A Priority EIA named by a district since merged into a unitary (Scarborough, E07000168, now North
-- Yorkshire; West Somerset, E07000191, now Somerset) is carried to today's authority as PART of it,
-- flagged as such: the rest of the unitary was not named, so it is not a whole-county PEIA.
priority_education_investment_areas as (
    select distinct
        'priority_education_investment_areas' as grouping_id,
        case when a.area_code is not null then e.matched_code else e.area_code end as area_code,
        'official' as basis,
        case when a.area_code is not null
            then 'One of the 24 Priority Education Investment Areas (DfE, 2022), named as published: '
                || e.name_as_published
            else 'PART of this authority is a Priority Education Investment Area (DfE, 2022): the former district '
                || e.name_as_published || ' (' || e.matched_code || '), named before it merged into '
                || e.area_name || '; the rest of ' || e.area_name || ' was not named'
        end as note,
        'One of the 24 Priority Education Investment Areas (DfE, 2022)' as description,
        case when a.area_code is not null then 'whole area' else 'part of the area' end as membership,
        case when a.area_code is null then e.name_as_published || ' (' || e.matched_code || ')' end as part_name
    from {{ ref('education_investment_areas') }} as e
    left join areas as a on a.area_code = e.matched_code and a.is_current
    where e.list = 'PEIA'
),

-- Ties at the cut are all in: an area is in the lowest third when fewer than a third of the areas
-- rank below it (rank() shares a rank between tied values), so the membership never depends on the
-- order the rows arrive in (ntile split tied shares at random).
level3_latest as (
    select
        area_code,
        value,
        case when rank() over (order by value) <= ceil(count(*) over () / 3.0) then 1 end as tercile
    from facts
    where metric_id = 'level3_qualifications' and value is not null
      and period = (select max(period) from facts where metric_id = 'level3_qualifications')
      and area_code in (select area_code from english_upper_tier)
),

lowest_skilled_third as (
    select
        'lowest_skilled_third' as grouping_id, area_code, 'derived' as basis,
        'The third of English upper-tier authorities with the lowest share qualified to level 3+ '
        || '(mission 6), latest period in the warehouse' as note,
        note as description
    from level3_latest
    where tercile = 1
),

-- The worst-affected forces, two proxy groups ranked by volume (int_worst_affected_forces_ranked says how)
worst_affected_forces as (
    select grouping_id, area_code, 'proxy' as basis, note, description
    from {{ ref('int_worst_affected_forces_ranked') }}
),

combined_authorities as (
    select
        'combined_authority:' || combined_authority_code as grouping_id, area_code, 'official' as basis,
        'Member of combined authority ' || combined_authority_code || ' (ONS hierarchy)' as note,
        note as description
    from areas
    where is_current and is_ltla and combined_authority_code is not null
),

area_types as (
    select * from {{ ref('int_area_types_carried') }}
),

-- Area type (int_area_types_carried, the one place deciles are computed): IMD 2025 and 2019 deciles,
-- 2011 supergroup, 2011 broad rural-urban class; an authority whose merged parts differ is in none
-- (its basis column says why).
imd_deciles as (
    select
        'imd_decile:' || imd_decile_2025 as grouping_id, area_code, 'official' as basis,
        'English Indices of Deprivation 2025 (MHCLG), Index of Multiple Deprivation: decile of the 296 '
        || 'districts by rank of average score (1 = most deprived)' as description,
        description || '; rank ' || imd_rank_2025 as note
    from area_types where imd_decile_2025 is not null
),

imd_2019_deciles as (
    select
        'imd_decile_2019:' || imd_decile_2019 as grouping_id, area_code, 'official' as basis,
        'English Indices of Deprivation 2019 (MHCLG), IMD decile of the 317 districts by rank of average '
        || 'score (1 = most deprived), carried to current codes' as description,
        description || ': ' || imd_2019_basis as note
    from area_types where imd_decile_2019 is not null
),

supergroups as (
    select
        'area_supergroup_2011:' || supergroup_2011 as grouping_id, area_code, 'official' as basis,
        'ONS 2011 Area Classification for Local Authorities (v2) supergroup' as description,
        description || ': ' || area_class_basis as note
    from area_types where supergroup_2011 is not null
),

rural_urban as (
    select
        'rural_urban_2011:' || broad_ruc11 as grouping_id, area_code, 'official' as basis,
        'Rural-Urban Classification 2011 of local authority districts (ONS/Defra), broad class' as description,
        description || ': ' || rural_urban_basis as note
    from area_types where broad_ruc11 is not null
),

clusters as (
    select
        'ons_cluster_' || cluster_type || ':' || cluster as grouping_id, area_code, 'official' as basis,
        'ONS similar-area cluster (' || cluster_type || ' basis), Explore Local Statistics' as note,
        note as description
    from {{ ref('stg_ons_geography__area_clusters') }}
)

select
    cast(grouping_id as varchar) as grouping_id,
    cast(split_part(grouping_id, ':', 1) as varchar) as grouping_family,
    cast(area_code as varchar) as area_code,
    cast(basis as varchar) as basis,
    cast(note as varchar) as note,
    -- whole area, or part of the area (a list named a former district of today's authority)
    cast(coalesce(membership, 'whole area') as varchar) as membership,
    cast(description as varchar) as description,
    cast(part_name as varchar) as part_name
from (
    select * from greater_south_east
    union all by name select * from education_investment_areas
    union all by name select * from priority_education_investment_areas
    union all by name select * from lowest_skilled_third
    union all by name select * from worst_affected_forces
    union all by name select * from combined_authorities
    union all by name select * from imd_deciles
    union all by name select * from clusters
    union all by name select * from imd_2019_deciles
    union all by name select * from supergroups
    union all by name select * from rural_urban
)
