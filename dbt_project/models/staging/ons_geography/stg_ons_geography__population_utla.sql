{#- ONS mid-year population of each upper-tier authority, all ages, one row per area and year
    (the raw table has one column per year). -#}
with wide as (
    select * exclude (_source_file, _sha256, _loaded_at, _provenance)
    from {{ source('ons_geography', 'population_utla') }}
    where age_band = 'All ages'
)

select
    cast(region_code as varchar) as area_code,
    cast(region as varchar) as area_name,
    cast(year as integer) as year,
    cast(nullif(trim(population), '') as double) as population
from wide
unpivot (population for year in (columns(* exclude (region, region_code, age_band))))
