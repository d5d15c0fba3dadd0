-- Each figure a new vintage changed: same source, area, period, indicator and breakdown in two
-- consecutive vintages, with a different value or status. Figures only added or only dropped by a
-- release are not revisions (compare metric_value_history for those).
with vintages as (
    select * from {{ ref('stg_vintages__source_vintages') }}
),

pairs as (
    select
        source_id,
        vintage as new_vintage,
        vintage_number as new_vintage_number,
        first_loaded_at as new_loaded_at,
        publisher_date as new_publisher_date,
        lag(vintage) over w as old_vintage,
        lag(first_loaded_at) over w as old_loaded_at,
        lag(publisher_date) over w as old_publisher_date
    from vintages
    window w as (partition by source_id order by vintage_number)
),

history as (
    select * from {{ ref('stg_vintages__metric_value_history') }}
)

select
    p.source_id,
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
    p.old_vintage,
    p.new_vintage,
    p.new_vintage_number,
    p.old_loaded_at,
    p.new_loaded_at,
    p.old_publisher_date,
    p.new_publisher_date
from pairs as p
join history as o
    on o.source_id = p.source_id and o.vintage = p.old_vintage
join history as n
    on n.source_id = p.source_id
    and n.vintage = p.new_vintage
    and n.area_code = o.area_code
    and n.period = o.period
    and n.indicator = o.indicator
    and n.breakdown is not distinct from o.breakdown
where p.old_vintage is not null
  and p.old_vintage <> p.new_vintage
  and (n.value is distinct from o.value or n.status is distinct from o.status)
