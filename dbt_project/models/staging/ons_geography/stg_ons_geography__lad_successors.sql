select
    cast("LADCD" as varchar) as lad_code,
    cast("LADNM" as varchar) as lad_name,
    cast("LADCD_ACTIVE" as varchar) as successor_code,
    cast("LADNM_ACTIVE" as varchar) as successor_name,
    cast("UTLACD" as varchar) as successor_utla_code,
    cast("RGNCD" as varchar) as successor_region_code,
    cast("RGNNM" as varchar) as successor_region_name,
    "Current" = 'TRUE' as is_current
from {{ source('ons_geography', 'geography_lad_successors') }}
