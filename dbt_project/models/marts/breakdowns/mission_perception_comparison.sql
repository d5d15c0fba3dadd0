{#-
    Perception beside measurement, mission by mission: the Ipsos Levelling Up Index (February 2022)
    for each group of respondents it reports (2011 area supergroup, urban/rural, IMD quintile) beside
    the mission's local-authority headline metrics averaged over the nearest groups of English
    authorities (metric_breakdowns: IMD 2019 quintiles of equal population, the 2011 urban/rural split,
    2011 supergroups), in the period whose midpoint is nearest the survey (February 2022). Within each family, groups are ranked by perception (1 = most
    positive) and by measurement (1 = best by the metric's polarity); `agreement` says whether the
    rank correlation is significant at 5% (two-tailed) for that number of groups (seed
    spearman_critical_values), else 'no significant agreement', and 'too few groups to test' below
    five. Every row names what still differs between the two groupings.
-#}
with perception as (
    select
        mission_id,
        case group_type
            when 'ons_supergroup_2011' then 'area_supergroup_2011'
            when 'urban_rural' then 'urban_rural_2011'
            when 'imd_quintile' then 'imd_population_quintile_2019'
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
    where breakdown_family in ('area_supergroup_2011', 'urban_rural_2011', 'imd_population_quintile_2019')
),

-- the period nearest the survey (Ipsos fieldwork, February 2022): the one whose midpoint is nearest
-- 15 February 2022 (of three-year windows, the one centred nearest; the later on a tie)
spans as (
    select distinct metric_id, period, period_start, period_end
    from {{ ref('fct_area_year_metrics') }}
),

nearest as (
    select
        m.metric_id,
        m.breakdown,
        arg_min(
            m.period,
            [abs((epoch(s.period_start) + epoch(s.period_end)) / 2 - epoch(date '2022-02-15')), -epoch(m.period_end)]
        ) as period
    from (select distinct metric_id, breakdown, period, period_end from measured) as m
    inner join spans as s using (metric_id, period)
    group by m.metric_id, m.breakdown
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
),

correlated as (
    select
        *,
        corr(perception_rank, measured_rank) over (
            partition by mission_id, metric_id, metric_breakdown, breakdown_family
        ) as rank_correlation
    from ranked
)

select
    c.*,
    v.critical_value,
    case
        when c.groups_compared < 2 then 'one group only'
        when v.critical_value is null then 'too few groups to test'
        when c.rank_correlation >= v.critical_value then 'agree'
        when c.rank_correlation <= -v.critical_value then 'disagree'
        else 'no significant agreement'
    end as agreement,
    'Not like for like: Ipsos''s groups are UK respondents (February 2022) by their own neighbourhood '
    || case c.breakdown_family
        when 'imd_population_quintile_2019' then '(LSOA) IMD 2019 quintile of equal population; here English authorities '
            || 'in IMD 2019 fifths of equal 2011 population, an authority''s rank standing for all its neighbourhoods'
        when 'urban_rural_2011' then '(LSOA) rural-urban class; here English authorities by their 2011 class '
            || '(Predominantly Rural, or not), a mixed authority counted whole'
        else '(output area) supergroup; here English authorities by the 2011 local-authority classification''s '
            || 'supergroup, a different classification with the same names'
    end
    || '; measured in ' || c.metric_period || ', the period nearest the survey' as mismatch_note
from correlated as c
left join {{ ref('spearman_critical_values') }} as v on v.groups = c.groups_compared
