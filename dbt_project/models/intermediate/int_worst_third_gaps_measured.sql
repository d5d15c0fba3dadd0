{#- Mission 8's gap: the worst-performing third of areas (ranked by their worst ONS4 measure)
    against the mean of the rest, for each of the four measures. -#}
with ranked as (
    select * from {{ ref('int_wellbeing_areas_ranked') }}
    where is_worst_third is not null
),

wellbeing_gap as (
    select
        'worst_third_vs_rest' as gap_method, true as is_statement_definition,
        r.mission_id, r.metric_id, r.breakdown, r.period,
        'mean of the other two thirds of areas' as group_a_label,
        avg(r.value) filter (where not r.is_worst_third) as group_a_value,
        count(*) filter (where not r.is_worst_third) as areas_a,
        'mean of the worst third (ranked by worst ONS4 measure)' as group_b_label,
        avg(r.value) filter (where r.is_worst_third) as group_b_value,
        count(*) filter (where r.is_worst_third) as areas_b,
        -- the standard error of the difference of the two unweighted means, from each area's interval
        -- (membership taken as given); NULL unless every area has one
        case when count(r.standard_error) = count(*) then sqrt(
            sum(r.standard_error * r.standard_error) filter (where not r.is_worst_third) / power(count(*) filter (where not r.is_worst_third), 2)
            + sum(r.standard_error * r.standard_error) filter (where r.is_worst_third) / power(count(*) filter (where r.is_worst_third), 2)
        ) end as gap_standard_error
    from ranked as r
    group by all
)

select * from wellbeing_gap
