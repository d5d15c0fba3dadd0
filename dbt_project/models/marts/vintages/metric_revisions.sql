-- Each figure a new vintage changed: the same source, area, period, indicator and breakdown in two
-- consecutive vintages (consecutive loads of different files: A -> B -> A is two revisions), with a
-- different value or status. In the history's ranges that is a range that ends at vintage n - 1 and
-- one of the same figure that starts at n. Figures only added or only dropped by a release are not
-- revisions (compare metric_value_history for those).
with vintages as (
    select * from {{ ref('stg_vintages__source_vintages') }}
),

ranges as (
    select * from {{ ref('stg_vintages__metric_value_history') }}
)

select
    n.source_id,
    n.metric_id,
    n.breakdown,
    n.indicator,
    n.area_code,
    n.area_name,
    n.period,
    n.year,
    n.unit,
    o.value as old_value,
    n.value as new_value,
    n.value - o.value as revision,
    case when o.value <> 0 then 100 * (n.value - o.value) / abs(o.value) end as revision_pct,
    o.status as old_status,
    n.status as new_status,
    ov.vintage as old_vintage,
    nv.vintage as new_vintage,
    n.first_vintage_number as new_vintage_number,
    ov.first_loaded_at as old_loaded_at,
    nv.first_loaded_at as new_loaded_at,
    ov.publisher_date as old_publisher_date,
    nv.publisher_date as new_publisher_date
from ranges as n
join ranges as o
    on o.source_id = n.source_id
    and o.last_vintage_number = n.first_vintage_number - 1
    and o.area_code = n.area_code
    and o.period = n.period
    and o.indicator = n.indicator
    and o.breakdown is not distinct from n.breakdown
join vintages as nv
    on nv.source_id = n.source_id and nv.vintage_number = n.first_vintage_number
join vintages as ov
    on ov.source_id = o.source_id and ov.vintage_number = o.last_vintage_number
where n.value is distinct from o.value or n.status is distinct from o.status
