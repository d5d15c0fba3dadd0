select
    cast(area_code as varchar) as area_code,
    cast(area_name as varchar) as area_name,
    string_split(levels, ',') as hierarchy_levels,
    case when parent_codes = '' then [] else string_split(parent_codes, ',') end as parent_codes,
    case when child_codes = '' then [] else string_split(child_codes, ',') end as child_codes,
    cast(first_year as integer) as first_year
from {{ source('ons_geography', 'geography_hierarchy') }}
