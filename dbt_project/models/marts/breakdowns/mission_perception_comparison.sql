{#-
    Perception beside measurement, mission by mission: the Ipsos Levelling Up Index (February 2022)
    for each group of respondents it reports (2011 area supergroup, urban/rural, IMD quintile) beside
    the mission's local-authority headline metrics averaged over the same groups of authorities
    (metric_breakdowns), in the period nearest the survey (the last ending by March 2022, else the
    first after). Within each family, groups are ranked by perception (1 = most positive) and by
    measurement (1 = best by the metric's polarity); `agreement` compares the two orders. Descriptive:
    Ipsos publishes no sampling error per group here, so nothing is tested.
-#}
with perception as (
    select
        mission_id,
        case group_type
            when 'ons_supergroup_2011' then 'area_supergroup_2011'
            when 'urban_rural' then 'urban_rural_2011'
            when 'imd_quintile' then 'imd_quintile_2019'
        end as breakdown_family,
        group_type as ipsos_group_type,
        group_name as ipsos_group_name,
        case group_name
            when 'Most deprived' then '1'
            when 'Second most deprived' then '2'
            when 'Middle' then '3'
            when 'Second least deprived' then '4'
            when 'Least deprived' then '5'
            else group_name
        end as breakdown_group,
        base_n,
        index_score,
        period as survey_period
    from {{ ref('fct_ipsos_levelling_up_index') }}
    where group_type in ('ons_supergroup_2011', 'urban_rural', 'imd_quintile')
),

measured as (
    select *
    from {{ ref('metric_breakdowns') }}
    where breakdown_family in ('area_supergroup_2011', 'urban_rural_2011', 'imd_quintile_2019')
),

nearest as (
    select metric_id, breakdown,
        coalesce(
            arg_max(period, period_end) filter (where period_end <= date '2022-03-31'),
            arg_min(period, period_end)
        ) as period
    from measured
    group by metric_id, breakdown
),

paired as (
    select
        p.mission_id,
        p.breakdown_family,
        p.ipsos_group_name,
        p.breakdown_group,
        p.base_n,
        p.index_score,
        p.survey_period,
        m.metric_id,
        m.breakdown as metric_breakdown,
        m.metric_label,
        m.unit,
        m.polarity,
        m.period as metric_period,
        m.areas,
        m.value as metric_value,
        m.england_value
    from perception as p
    inner join measured as m
        on m.mission_id = p.mission_id
        and m.breakdown_family = p.breakdown_family
        and regexp_replace(lower(m.breakdown_group), '[^a-z0-9]', '', 'g')
            = regexp_replace(lower(p.breakdown_group), '[^a-z0-9]', '', 'g')
    inner join nearest as n on n.metric_id = m.metric_id and n.breakdown = m.breakdown and n.period = m.period
),

ranked as (
    select
        *,
        rank() over (partition by mission_id, metric_id, metric_breakdown, breakdown_family order by index_score desc)
            as perception_rank,
        rank() over (
            partition by mission_id, metric_id, metric_breakdown, breakdown_family
            order by case when polarity = 'low_is_good' then metric_value else -metric_value end
        ) as measured_rank,
        count(*) over (partition by mission_id, metric_id, metric_breakdown, breakdown_family) as groups_compared
    from paired
)

select
    *,
    corr(perception_rank, measured_rank) over (partition by mission_id, metric_id, metric_breakdown, breakdown_family)
        as rank_correlation,
    case
        when groups_compared < 2 then 'one group only'
        when corr(perception_rank, measured_rank) over (partition by mission_id, metric_id, metric_breakdown, breakdown_family) >= 0.5
            then 'agree'
        when corr(perception_rank, measured_rank) over (partition by mission_id, metric_id, metric_breakdown, breakdown_family) <= -0.5
            then 'disagree'
        else 'weak or mixed'
    end as agreement
from ranked
