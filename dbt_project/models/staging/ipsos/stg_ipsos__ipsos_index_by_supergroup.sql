select
    cast(group_type as varchar) as group_type,
    cast(group_name as varchar) as group_name,
    cast(base_n as integer) as base_n,
    'M' || lpad(cast(mission_no as varchar), 2, '0') as mission_id,
    cast(mission_key as varchar) as ipsos_mission_key,
    cast(index_score as double) as index_score,
    cast(period_label as varchar) as period,
    cast(year as integer) as year,
    'ipsos_index_by_supergroup' as source_id,
    _provenance as provenance,
    left(_sha256, 12) as vintage,
    _loaded_at as loaded_at
from {{ source('ipsos', 'ipsos_index_by_supergroup') }}
