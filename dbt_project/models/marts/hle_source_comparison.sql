{#- Healthy life expectancy for Scotland's councils as two publishers give it: ONS (hle_birth, via
    Explore Local Statistics) and ScotPHO (hle_birth_scotpho, Public Health Scotland's profiles), for
    the same council, sex and period. Both are kept in the fact mart, each labelled by its source; this
    table lays them side by side so that a difference is seen, never silently merged. -#}
with ons as (
    select area_code, breakdown, period, value, lci_95, uci_95
    from {{ ref('fct_area_year_metrics') }}
    where metric_id = 'hle_birth' and area_code like 'S12%'
),

scotpho as (
    select area_code, area_name, breakdown, period, value, lci_95, uci_95
    from {{ ref('fct_area_year_metrics') }}
    where metric_id = 'hle_birth_scotpho'
)

select
    cast(s.area_code as varchar) as area_code,
    cast(coalesce(a.area_name, s.area_name) as varchar) as area_name,
    cast(s.breakdown as varchar) as breakdown,
    cast(s.period as varchar) as period,
    cast(o.value as double) as ons_value,
    cast(o.lci_95 as double) as ons_lci_95,
    cast(o.uci_95 as double) as ons_uci_95,
    cast(s.value as double) as scotpho_value,
    cast(s.lci_95 as double) as scotpho_lci_95,
    cast(s.uci_95 as double) as scotpho_uci_95,
    cast(round(s.value - o.value, 2) as double) as difference,
    cast(
        case
            when o.value is null then 'ONS gives no figure for this council and period'
            when s.value is null then 'ScotPHO gives no figure'
            when abs(s.value - o.value) < 0.05 then 'same figure'
            when s.value between o.lci_95 and o.uci_95 and o.value between s.lci_95 and s.uci_95
                then 'differ, each inside the other''s 95% interval'
            else 'differ beyond the intervals'
        end as varchar
    ) as agreement
from scotpho as s
left join ons as o using (area_code, breakdown, period)
left join {{ ref('dim_areas') }} as a on a.area_code = s.area_code
