-- A vintage loaded twice (A -> B -> A) keeps one copy of its rows; its latest number is used.
with numbered as (
    select source_id, vintage, max(vintage_number) as vintage_number, bool_or(is_current) as is_current
    from {{ ref('stg_vintages__source_vintages') }}
    group by source_id, vintage
)

select
    h.source_id,
    h.vintage,
    n.vintage_number,
    n.is_current,
    h.loaded_at,
    h.area_code,
    h.area_name,
    h.indicator,
    h.metric_id,
    h.breakdown,
    h.period_label as period,
    h.period_start,
    h.period_end,
    cast(h.year as integer) as year,
    h.unit,
    h.value,
    h.lci_95,
    h.uci_95,
    h.status
from {{ source('vintages', 'metric_value_history') }} as h
join numbered as n using (source_id, vintage)
