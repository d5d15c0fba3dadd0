{#- Each local-authority headline metric by type of authority, every period: see _breakdowns__models.yml. -#}
with groups as (
    select * from {{ ref('int_breakdown_groups_measured') }}
),

metrics as (
    select metric_id, label, unit, polarity from {{ ref('int_metrics_classified') }}
),

periods as (
    -- the Statement's baseline period where the metric has it, else the earliest; and the latest
    {{ baseline_and_latest_periods('groups') }}
),

reference as (
    -- the group each gap is measured against: the least deprived for IMD, the most urban for
    -- rural-urban classes; supergroups have none (compare with England)
    select metric_id, breakdown, period, breakdown_family, breakdown_group as reference_group, value as reference_value
    from groups
    qualify case
        when breakdown_family like 'imd_%'
            then group_order = max(group_order) over (partition by metric_id, breakdown, period, breakdown_family)
        when breakdown_family in ('rural_urban_2011', 'urban_rural_2011') then group_order = 1
        else false
    end
)

select
    g.metric_id,
    g.breakdown,
    g.mission_id,
    m.label as metric_label,
    m.unit,
    m.polarity,
    g.period,
    g.period_end,
    g.period = p.baseline_period as is_baseline_period,
    g.period = p.latest_period as is_latest_period,
    g.breakdown_family,
    g.breakdown_group,
    cast(g.group_order as integer) as group_order,
    g.areas,
    g.population_2011,
    g.value,
    g.min_area_value,
    g.max_area_value,
    g.england_value,
    g.value - g.england_value as gap_to_england,
    r.reference_group,
    g.value - r.reference_value as gap_to_reference,
    'mean of the authorities'' values weighted by their 2011 Census population; England only' as method,
    g.provenances
from groups as g
inner join metrics as m using (metric_id)
inner join periods as p using (metric_id, breakdown)
left join reference as r using (metric_id, breakdown, period, breakdown_family)
