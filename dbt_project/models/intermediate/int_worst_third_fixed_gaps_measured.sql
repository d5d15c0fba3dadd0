{#- A check beside mission 8's gap: the same gap with the worst third held at its membership in the
    latest period ending by 2019 (pre-pandemic), so a narrowing is areas improving, not areas swapping places. -#}
with ranked as (
    select * from {{ ref('int_wellbeing_areas_ranked') }}
    where is_worst_third is not null
),

wellbeing_baseline_members as (
    select area_code, breakdown
    from ranked
    where is_worst_third
      and period = (select arg_max(period, period_end) from ranked where period_end <= date '2019-12-31')
    group by all
),

wellbeing_fixed_gap as (
    select
        'worst_third_fixed_at_baseline' as gap_method, false as is_statement_definition,
        r.mission_id, r.metric_id, r.breakdown, r.period,
        'mean of the other areas (membership fixed at baseline)' as group_a_label,
        avg(r.value) filter (where b.area_code is null) as group_a_value,
        count(*) filter (where b.area_code is null) as areas_a,
        'mean of the baseline worst third (membership fixed)' as group_b_label,
        avg(r.value) filter (where b.area_code is not null) as group_b_value,
        count(b.area_code) as areas_b,
        -- the standard error of the difference of the two unweighted means, from each area's interval
        -- (membership taken as given); NULL unless every area has one
        case when count(r.standard_error) = count(*) then sqrt(
            sum(r.standard_error * r.standard_error) filter (where b.area_code is null) / power(count(*) filter (where b.area_code is null), 2)
            + sum(r.standard_error * r.standard_error) filter (where b.area_code is not null) / power(count(*) filter (where b.area_code is not null), 2)
        ) end as gap_standard_error
    -- the same areas as the Statement's measure: those with all four ONS4 measures in the period
    from ranked as r
    left join wellbeing_baseline_members as b using (area_code, breakdown)
    group by all
)

select * from wellbeing_fixed_gap
