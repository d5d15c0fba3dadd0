{#- Missions 1 and 9: the top-performing area against the mean of the rest. -#}
{% set keys = 'metric_id, breakdown, period' %}
with pop as (
    select * from {{ ref('int_gap_populations_selected') }}
),

-- Missions 1 and 9: the top-performing area against the mean of the rest.
top_ranked as (
    select *, row_number() over (partition by {{ keys }} order by sign * value desc, area_code) as position
    from pop where gap_method = 'top_vs_rest'
),

top_gap as (
    select
        'top_vs_rest' as gap_method, true as is_statement_definition,
        mission_id, metric_id, breakdown, period,
        'top-performing area: ' || arg_min(area_code, position) as group_a_label,
        max(value) filter (where position = 1) as group_a_value,
        1 as areas_a,
        'mean of the other areas' as group_b_label,
        avg(value) filter (where position > 1) as group_b_value,
        count(*) - 1 as areas_b
    from top_ranked
    group by all
    having count(*) > 1
)

select * from top_gap
