{#- Every gap measure per period (int_mission_gaps_measured), with its value at the baseline and whether
    it has narrowed since. One baseline rule, as for the scorecard: the metric's Statement baseline
    where that period is measured; else the latest period ending on or before 2019 (pre-pandemic);
    else the earliest period. The well-being gaps use the Statement's own 2017-2019 pooled baseline:
    the mean gap over the periods ending in 2017, 2018 and 2019. A positive gap means the group the
    mission wants to catch up is behind. For gaps between fixed groupings, a single area that makes
    more than a third of the change since baseline is named, with the change without it. -#}
{% set measure = ['gap_method', 'metric_id', 'breakdown'] %}
with gaps as (
    select * from {{ ref('int_mission_gaps_measured') }}
),

baseline as (
    select
        {{ measure | join(', ') }},
        max(period) filter (where period = baseline_period) as statement_period,
        arg_max(period, period_end) filter (where period_end <= date '2019-12-31') as pre_pandemic_period,
        arg_min(period, period_end) as earliest_period,
        round(avg(gap_value) filter (where year(period_end) between 2017 and 2019), 9) as pooled_value,
        count(*) filter (where year(period_end) between 2017 and 2019) as pooled_periods,
        max(period_end) filter (where year(period_end) between 2017 and 2019) as pooled_end,
        -- the pooled baseline's standard error: the mean of independent periods' gaps
        case when count(gap_standard_error) filter (where year(period_end) between 2017 and 2019)
                = count(*) filter (where year(period_end) between 2017 and 2019)
            then sqrt(sum(gap_standard_error * gap_standard_error) filter (where year(period_end) between 2017 and 2019))
                / count(*) filter (where year(period_end) between 2017 and 2019)
        end as pooled_standard_error
    from gaps
    group by all
),

baseline_chosen as (
    select
        *,
        gap_method in ('worst_third_vs_rest', 'worst_third_fixed_at_baseline') and pooled_periods > 0 as is_pooled,
        coalesce(statement_period, pre_pandemic_period, earliest_period) as single_period,
        case
            when gap_method in ('worst_third_vs_rest', 'worst_third_fixed_at_baseline') and pooled_periods > 0
                then 'statement_pooled_2017_2019'
            -- the catalogue's baseline period is the Statement's only where the Statement names it
            when statement_period is not null and m.baseline_rule = 'chosen' then 'chosen'
            when statement_period is not null then 'statement'
            when pre_pandemic_period is not null then 'pre_pandemic'
            else 'earliest_available'
        end as gap_baseline_rule
    from baseline
    left join (select metric_id, baseline_rule from {{ ref('int_metrics_classified') }}) as m using (metric_id)
),

measured as (
    select
        g.*,
        case when b.is_pooled then '2017-2019 pooled (' || b.pooled_periods || ' periods)'
            else b.single_period end as gap_baseline_period,
        b.gap_baseline_rule,
        case when b.is_pooled then b.pooled_value else bg.gap_value end as gap_baseline_value,
        case when b.is_pooled then b.pooled_standard_error else bg.gap_standard_error end as gap_baseline_standard_error,
        case when b.is_pooled then b.pooled_end else bg.period_end end as baseline_end,
        b.single_period,
        b.is_pooled
    from gaps as g
    inner join baseline_chosen as b using ({{ measure | join(', ') }})
    inner join gaps as bg
        on bg.gap_method = g.gap_method and bg.metric_id = g.metric_id and bg.breakdown = g.breakdown
        and bg.period = b.single_period
),

-- Each area's share of the change since baseline, for the gaps between fixed groupings (additive
-- terms: int_gap_area_terms_computed); the largest contribution per gap and period.
pairs as (
    select distinct gap_method, metric_id, breakdown, period, single_period
    from measured
    where not is_pooled
),

latest_terms as (
    select p.gap_method, p.metric_id, p.breakdown, p.period, t.area_code, t.term
    from pairs as p
    inner join {{ ref('int_gap_area_terms_computed') }} as t
        on t.gap_method = p.gap_method and t.metric_id = p.metric_id and t.breakdown = p.breakdown
        and t.period = p.period
),

baseline_terms as (
    select p.gap_method, p.metric_id, p.breakdown, p.period, t.area_code, t.term
    from pairs as p
    inner join {{ ref('int_gap_area_terms_computed') }} as t
        on t.gap_method = p.gap_method and t.metric_id = p.metric_id and t.breakdown = p.breakdown
        and t.period = p.single_period
),

contributions as (
    select
        gap_method, metric_id, breakdown, period, area_code,
        coalesce(l.term, 0) - coalesce(b.term, 0) as contribution
    from latest_terms as l
    full outer join baseline_terms as b using (gap_method, metric_id, breakdown, period, area_code)
),

dominant as (
    select
        gap_method, metric_id, breakdown, period,
        arg_max(area_code, abs(contribution)) as area_code,
        arg_max(contribution, abs(contribution)) as contribution
    from contributions
    group by all
),

assembled as (
    select
        g.mission_id,
        year(g.baseline_end) as baseline_year,
        g.gap_method || ':' || g.metric_id || ':' || g.breakdown as gap_id,
        g.gap_method,
        g.is_statement_definition,
        g.metric_id,
        g.breakdown,
        g.population,
        g.period,
        g.year,
        g.period_end,
        g.group_a_label,
        g.group_a_value,
        g.areas_a,
        g.group_b_label,
        g.group_b_value,
        g.areas_b,
        g.areas_measured,
        g.gap_value,
        g.gap_unit,
        g.weighting,
        g.gap_baseline_period,
        g.gap_baseline_rule,
        g.gap_baseline_value,
        g.gap_standard_error,
        round(g.gap_baseline_standard_error, 9) as gap_baseline_standard_error,
        round(g.gap_value - g.gap_baseline_value, 9) as gap_change_since_baseline,
        -- z on the change, where both ends carry a standard error (the well-being gaps: the interval of
        -- the difference of two means, from the areas' own intervals)
        case when g.period_end > g.baseline_end
                and g.gap_standard_error > 0 and g.gap_baseline_standard_error > 0
            then round((g.gap_value - g.gap_baseline_value)
                / sqrt(power(g.gap_standard_error, 2) + power(g.gap_baseline_standard_error, 2)), 9)
        end as gap_change_z,
        case
            when g.provenance like '%synthetic%' then 'no real data'
            when not g.is_pooled and g.period = g.single_period then 'baseline'
            when g.period_end <= g.baseline_end then 'before baseline'
            when round(g.gap_value - g.gap_baseline_value, 6) = 0 then 'no change'
            -- tested (both ends carry a standard error): narrowing or widening only where significant
            -- at 95%, by the size of the gap (a negative gap means group B is ahead)
            when g.gap_standard_error > 0 and g.gap_baseline_standard_error > 0 then
                case
                    when abs(g.gap_value - g.gap_baseline_value)
                        / sqrt(power(g.gap_standard_error, 2) + power(g.gap_baseline_standard_error, 2)) <= 1.959964
                        then 'no significant change'
                    when sign(g.gap_value) <> sign(g.gap_baseline_value) then 'crossed over'
                    when abs(g.gap_value) < abs(g.gap_baseline_value) then 'narrowing'
                    else 'widening'
                end
            -- untested (no interval of the difference): what moved, never 'narrowing' or 'widening'
            when g.gap_value < g.gap_baseline_value then 'fell, not tested'
            else 'rose, not tested'
        end as gap_trend,
        g.period_end = max(g.period_end) over (partition by g.gap_method, g.metric_id, g.breakdown) as is_latest,
        -- a single area behind more than a third of the change since baseline (fixed groupings only)
        case when abs(d.contribution) > abs(g.gap_value - g.gap_baseline_value) / 3
                and sign(d.contribution) = sign(g.gap_value - g.gap_baseline_value)
            then d.area_code end as dominant_area_code,
        case when abs(d.contribution) > abs(g.gap_value - g.gap_baseline_value) / 3
                and sign(d.contribution) = sign(g.gap_value - g.gap_baseline_value)
            then d.contribution / nullif(g.gap_value - g.gap_baseline_value, 0) end as dominant_area_share,
        case when abs(d.contribution) > abs(g.gap_value - g.gap_baseline_value) / 3
                and sign(d.contribution) = sign(g.gap_value - g.gap_baseline_value)
            then g.gap_value - g.gap_baseline_value - d.contribution end as gap_change_without_dominant_area,
        g.provenance,
        case
            when g.provenance like '%synthetic%' then 'SYNTHETIC SAMPLE, not official statistics: no trend claimed.'
            when g.gap_method = 'eia_vs_england'
                then 'The official 55 Education Investment Areas (DfE, 2022) against England''s own figure.'
            -- the grouping's own description, written once where the grouping is chosen
            when g.gap_method = 'worst_20_forces_vs_rest'
                then (select min(description) from {{ ref('int_area_groupings_listed') }}
                      where grouping_id = 'worst_affected_forces_20')
            when g.gap_method = 'worst_20_neighbourhood_forces_vs_rest'
                then (select min(description) from {{ ref('int_area_groupings_listed') }}
                      where grouping_id = 'neighbourhood_crime_worst_forces_20')
            when g.gap_method = 'worst_third_vs_rest'
                then 'Measured on ONS4 mean scores: the Statement''s shares with low ratings are not published by local authority. '
                    || 'Tested with the worst third taken as given: it is re-selected each period from estimates with '
                    || 'sampling error, which can enlarge the gap by itself; read it beside worst_third_fixed_at_baseline.'
            when g.gap_method = 'worst_third_fixed_at_baseline'
                then 'Check on the Statement''s well-being gap: the worst third held at its membership in the latest pre-pandemic period.'
            when g.gap_method = 'decile_median_gap_england'
                then 'England''s upper-tier areas only, beside the Statement''s UK-wide measure.'
            when g.gap_unit = 'percent of group A'
                then 'Money: the gap is the per cent by which group B falls short of group A, never nominal pounds.'
        end as note
    from measured as g
    left join dominant as d
        on d.gap_method = g.gap_method and d.metric_id = g.metric_id and d.breakdown = g.breakdown and d.period = g.period
)

select
    a.* exclude (baseline_year),
    -- a known event behind the named dominant area's baseline or latest point (seed metric_caveats)
    (
        select string_agg(c.caveat, ' ' order by c.from_year)
        from {{ ref('metric_caveats') }} as c
        where c.metric_id = a.metric_id and c.area_code = a.dominant_area_code
          and (a.baseline_year between c.from_year and c.to_year or a.year between c.from_year and c.to_year)
    ) as caveat
from assembled as a
