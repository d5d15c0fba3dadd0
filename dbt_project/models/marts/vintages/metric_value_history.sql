{{ config(materialized="view") }}
-- A view: the history keeps each figure once per run of vintages in which it held the same values
-- (raw.metric_value_history); this expands the runs to one row per vintage and figure.
with vintages as (
    select * from {{ ref('stg_vintages__source_vintages') }}
),

ranges as (
    select * from {{ ref('stg_vintages__metric_value_history') }}
)

select
    r.source_id,
    v.vintage,
    v.vintage_number,
    v.is_current,
    v.first_loaded_at as loaded_at,
    r.metric_id,
    r.breakdown,
    r.indicator,
    r.area_code,
    r.area_name,
    r.period,
    r.period_start,
    r.period_end,
    r.year,
    r.unit,
    r.value,
    r.lci_95,
    r.uci_95,
    r.status
from ranges as r
join vintages as v
    on v.source_id = r.source_id
    and v.vintage_number >= r.first_vintage_number
    and (r.last_vintage_number is null or v.vintage_number <= r.last_vintage_number)
