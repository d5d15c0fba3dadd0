{#- Every headline metric: best minus worst area, and the ratio of the 90th to the 10th percentile. -#}
with pop as (
    select * from {{ ref('int_gap_populations_selected') }}
),

-- Every headline metric: best minus worst area, and the ratio of the 90th to the 10th percentile.
generic_gap as (
    select
        'range' as gap_method, false as is_statement_definition,
        mission_id, metric_id, breakdown, period,
        -- tied best (or worst) areas: the lowest code is named, so the label never depends on row order
        'best area: ' || first(area_code order by sign * value desc, area_code) as group_a_label,
        case when any_value(sign) = 1 then max(value) else min(value) end as group_a_value,
        1 as areas_a,
        'worst area: ' || first(area_code order by sign * value, area_code) as group_b_label,
        case when any_value(sign) = 1 then min(value) else max(value) end as group_b_value,
        1 as areas_b
    from pop
    group by all
    having count(*) > 1
    union all
    select
        'p90_p10_ratio', false,
        mission_id, metric_id, breakdown, period,
        '90th percentile of areas',
        quantile_cont(value, 0.9),
        null,
        '10th percentile of areas',
        quantile_cont(value, 0.1),
        null
    from pop
    group by all
    having count(*) >= 10
)

select * from generic_gap
