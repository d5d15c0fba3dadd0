select
    cast(mission_id as varchar) as mission_id,
    cast(mission_number as integer) as mission_number,
    cast(short_name as varchar) as short_name,
    cast(title as varchar) as title,
    cast(ambition as varchar) as ambition
from {{ ref('missions') }}
