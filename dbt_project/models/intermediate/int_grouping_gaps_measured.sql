{#- Missions 5, 6 and 11: a named grouping of areas (EIAs, the lowest-skilled third, the 20 forces)
    against England or against the other areas, each group's mean weighted as
    int_gap_grouping_members_selected says (population where complete). -#}
with grouping_means as (
    select
        gap_method, mission_id, metric_id, breakdown, period, in_group,
        any_value(grouping_id) as grouping_id,
        count(*) as areas,
        bool_and(is_weighted) as is_weighted,
        sum(value * weight) as group_mean
    from {{ ref('int_gap_grouping_members_selected') }}
    group by all
),

grouping_gap as (
    select
        m.gap_method, true as is_statement_definition,
        m.mission_id, m.metric_id, m.breakdown, m.period,
        case m.gap_method
            when 'eia_vs_england' then 'England'
            else 'mean of the other areas'
        end as group_a_label,
        case m.gap_method
            when 'eia_vs_england' then any_value(e.value)
            else any_value(m.group_mean) filter (where not m.in_group)
        end as group_a_value,
        case m.gap_method when 'eia_vs_england' then 1
            else coalesce(any_value(m.areas) filter (where not m.in_group), 0) end as areas_a,
        'mean of ' || any_value(m.grouping_id) || ' areas' as group_b_label,
        any_value(m.group_mean) filter (where m.in_group) as group_b_value,
        coalesce(any_value(m.areas) filter (where m.in_group), 0) as areas_b,
        bool_and(m.is_weighted) filter (where m.in_group or m.gap_method <> 'eia_vs_england') as is_weighted
    from grouping_means as m
    left join {{ ref('int_metric_values_harmonised') }} as e
        on e.area_code = 'E92000001' and e.metric_id = m.metric_id and e.breakdown = m.breakdown
        and e.period = m.period
    group by m.gap_method, m.mission_id, m.metric_id, m.breakdown, m.period
)

select * from grouping_gap
