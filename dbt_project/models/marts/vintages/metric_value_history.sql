{{ config(materialized="view") }}
-- A view: the rows live once, in raw.metric_value_history (append-only); this adds vintage numbers.
select
    source_id,
    vintage,
    vintage_number,
    is_current,
    loaded_at,
    metric_id,
    breakdown,
    indicator,
    area_code,
    area_name,
    period,
    period_start,
    period_end,
    year,
    unit,
    value,
    lci_95,
    uci_95,
    status
from {{ ref('stg_vintages__metric_value_history') }}
