{#- Staging for one Ipsos Levelling Up Index raw table: the warehouse's mission ids and load columns. -#}
{% macro stg_ipsos_index(table_name) %}
select
    cast(group_type as varchar) as group_type,
    cast(group_name as varchar) as group_name,
    cast(base_n as integer) as base_n,
    'M' || lpad(cast(mission_no as varchar), 2, '0') as mission_id,
    cast(mission_key as varchar) as ipsos_mission_key,
    cast(index_score as double) as index_score,
    cast(period_label as varchar) as period,
    cast(year as integer) as year,
    '{{ table_name }}' as source_id,
    _provenance as provenance,
    left(_sha256, 12) as vintage,
    _loaded_at as loaded_at
from {{ source('ipsos', table_name) }}
{% endmacro %}
