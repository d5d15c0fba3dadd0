{#- Mission 3: London against the mean of the other English regions. -#}
with pop as (
    select * from {{ ref('int_gap_populations_selected') }}
),

-- Mission 3: London against the mean of the other English regions.
london_gap as (
    select
        'gap_to_london' as gap_method, true as is_statement_definition,
        mission_id, metric_id, breakdown, period,
        'London' as group_a_label,
        max(value) filter (where area_code = 'E12000007') as group_a_value,
        count(*) filter (where area_code = 'E12000007') as areas_a,
        'mean of the other English regions' as group_b_label,
        avg(value) filter (where area_code <> 'E12000007') as group_b_value,
        count(*) filter (where area_code <> 'E12000007') as areas_b
    from pop
    where gap_method = 'gap_to_london' and population = 'region'
    group by all
)

select * from london_gap
