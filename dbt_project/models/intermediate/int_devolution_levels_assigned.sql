{#- The devolution level of every current English upper-tier authority: the level of the combined
    authority its districts sit in (ONS's lookup, old district codes carried to current ones), the
    Greater London Authority's for the London boroughs, or 'none'. Levels and their basis come from
    the seed devolution_levels. Every combined authority is made of whole upper-tier authorities, so
    an upper-tier authority has one level: the unique test on utla_code fails the build if a lookup
    ever splits one between two. -#}
with successors as (
    select * from {{ ref('stg_ons_geography__lad_successors') }}
),

districts as (
    select
        lad_code,
        successor_utla_code as utla_code,
        successor_region_code as region_code,
        successor_region_name as region_name
    from successors
    where is_current and lad_code like 'E%'
),

district_authorities as (
    select coalesce(successors.successor_code, lookup.lad_code) as lad_code, lookup.combined_authority_code
    from {{ ref('stg_ons_geography__lad_combined_authorities') }} as lookup
    left join successors on successors.lad_code = lookup.lad_code
),

assigned as (
    select distinct
        districts.utla_code,
        districts.region_code,
        districts.region_name,
        -- the London boroughs are under the Greater London Authority, outside the combined authorities
        case when districts.lad_code like 'E09%' then 'E61000001'
             else district_authorities.combined_authority_code end as authority_code
    from districts
    left join district_authorities using (lad_code)
)

select
    cast(assigned.utla_code as varchar) as utla_code,
    cast(assigned.region_code as varchar) as region_code,
    cast(assigned.region_name as varchar) as region_name,
    cast(assigned.authority_code as varchar) as authority_code,
    cast(levels.authority_name as varchar) as authority_name,
    cast(coalesce(levels.devolution_level, 'none') as varchar) as devolution_level,
    cast(levels.basis as varchar) as basis
from assigned
left join {{ ref('devolution_levels') }} as levels using (authority_code)
