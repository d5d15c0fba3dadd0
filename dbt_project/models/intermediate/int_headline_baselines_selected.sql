{#- The baseline of every headline series and area: the Statement's period where the metric names
    one and the area has it; else the latest point ending on or before 2019 (pre-pandemic); else, for a
    series that starts later, its earliest point. baseline_basis says which. -#}
{% set series = ['metric_id', 'breakdown', 'area_code'] %}
with points as (
    select * from {{ ref('int_headline_points_selected') }}
),

latest as (
    select * from points where point_from_latest = 1
),

first_point as (
    select * from points where point_from_latest = series_points
),

pre_pandemic as (
    select
        metric_id, breakdown, area_code,
        arg_max(period, period_end) as period,
        arg_max(value, period_end) as value,
        arg_max(lci_95, period_end) as lci_95,
        arg_max(uci_95, period_end) as uci_95,
        arg_max(value_per_head, period_end) as value_per_head,
        arg_max(year, period_end) as year,
        max(time_years) as time_years
    from points
    where period_end <= date '2019-12-31'
    group by all
),

baseline as (
    select
        l.metric_id, l.breakdown, l.area_code,
        coalesce(s.period, pp.period, f.period) as baseline_period,
        coalesce(s.value, pp.value, f.value) as baseline_value,
        case
            when s.period is not null then s.lci_95 when pp.period is not null then pp.lci_95 else f.lci_95
        end as baseline_lci_95,
        case
            when s.period is not null then s.uci_95 when pp.period is not null then pp.uci_95 else f.uci_95
        end as baseline_uci_95,
        coalesce(s.time_years, pp.time_years, f.time_years) as baseline_time,
        case when s.period is not null then s.year when pp.period is not null then pp.year else f.year end
            as baseline_year,
        case
            when s.period is not null then s.value_per_head
            when pp.period is not null then pp.value_per_head
            else f.value_per_head
        end as baseline_per_head,
        case
            when s.period is not null then case when l.baseline_rule = 'chosen' then 'chosen' else 'statement' end
            when pp.period is not null then 'pre_pandemic'
            else 'earliest_available'
        end as baseline_basis
    from latest as l
    inner join first_point as f using ({{ series | join(', ') }})
    left join points as s
        on s.metric_id = l.metric_id and s.breakdown = l.breakdown and s.area_code = l.area_code
        and s.period = l.baseline_period
    left join pre_pandemic as pp using ({{ series | join(', ') }})
)

select * from baseline
