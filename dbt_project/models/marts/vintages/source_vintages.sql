select
    source_id,
    vintage,
    vintage_number,
    is_current,
    first_loaded_at,
    mode,
    url,
    fetched_at,
    publisher_date,
    file,
    row_count,
    first_period,
    last_period,
    figures_recorded
from {{ ref('stg_vintages__source_vintages') }}
