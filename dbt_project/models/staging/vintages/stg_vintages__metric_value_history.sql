-- The history's ranges, typed: one row per figure per run of consecutive vintages in which it held
-- the same values (last_vintage_number null while it still holds).
select
    source_id,
    cast(first_vintage_number as integer) as first_vintage_number,
    cast(last_vintage_number as integer) as last_vintage_number,
    cast(recorded_at as timestamp) as recorded_at,
    area_code,
    area_name,
    indicator,
    metric_id,
    breakdown,
    period_label as period,
    period_start,
    period_end,
    cast(year as integer) as year,
    unit,
    value,
    lci_95,
    uci_95,
    status
from {{ source('vintages', 'metric_value_history') }}
