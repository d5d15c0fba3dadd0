select
    cast(area_code as varchar) as area_code,
    cast(cluster_type as varchar) as cluster_type,
    cast(cluster as varchar) as cluster
from {{ source('ons_geography', 'geography_area_clusters') }}
