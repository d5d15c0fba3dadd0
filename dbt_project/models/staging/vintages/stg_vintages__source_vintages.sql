select
    source_id,
    vintage,
    cast(vintage_number as integer) as vintage_number,
    vintage_number = max(vintage_number) over (partition by source_id) as is_current,
    cast(first_loaded_at as timestamp) as first_loaded_at,
    mode,
    url,
    cast(fetched_at as timestamp) as fetched_at,
    cast(publisher_date as timestamp) as publisher_date,
    file,
    cast(row_count as bigint) as row_count,
    first_period,
    last_period,
    figures_recorded
from {{ source('vintages', 'source_vintages') }}
