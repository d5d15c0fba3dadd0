{#- Public perception beside the objective metrics: one row per Ipsos group and mission. -#}
with unioned as (
    select * from {{ ref('stg_ipsos__ipsos_index_by_supergroup') }}
    union all by name
    select * from {{ ref('stg_ipsos__ipsos_index_quoted') }}
)

select
    cast(mission_id as varchar) as mission_id,
    cast(group_type as varchar) as group_type,
    cast(group_name as varchar) as group_name,
    cast(base_n as integer) as base_n,
    cast(index_score as double) as index_score,
    cast(ipsos_mission_key as varchar) as ipsos_mission_key,
    cast(period as varchar) as period,
    cast(year as integer) as year,
    cast(source_id as varchar) as source_id,
    cast(provenance as varchar) as provenance,
    cast(vintage as varchar) as vintage
from unioned
