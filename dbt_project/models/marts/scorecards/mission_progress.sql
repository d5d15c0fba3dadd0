{#- Progress towards every quantified mission target (seed mission_targets), one row per target:
    the Open SDG / Statistics Canada progress measure (observed CAGR over required CAGR, banded),
    the linear trajectory from baseline to target, and the IfG ambition test (would the pre-mission
    trend alone reach the target?). Methods are documented in _scorecards__models.yml. -#}
{% set mission_start_year = 2021 %}  {#- last reference year before the Levelling Up White Paper (Feb 2022) -#}
with targets as (
    select * from {{ ref('mission_targets') }}
),

series as (
    select * from {{ ref('int_target_series_aggregated') }}
),

ends as (
    select
        t.target_id,
        arg_min(s.period, s.period_end) as first_period,
        arg_max(s.period, s.period_end) as latest_period,
        arg_max(s.year, s.period_end) as latest_year,
        arg_max(s.value, s.period_end) as latest_value,
        arg_max(s.areas_with_value, s.period_end) as latest_areas,
        string_agg(distinct s.provenance, ', ') as provenance,
        count(*) as periods
    from targets as t
    inner join series as s using (target_id)
    group by t.target_id
),

pre_mission as (
    select
        target_id,
        count(*) as pre_mission_points,
        regr_slope(value, year) as pre_mission_slope,
        regr_intercept(value, year) as pre_mission_intercept
    from series
    where year <= {{ mission_start_year }}
    group by target_id
),

based as (
    select
        t.*,
        coalesce(b.period, e.first_period) as baseline_period_used,
        case when b.period is not null then 'statement' when e.target_id is not null then 'earliest_available' end as baseline_basis,
        coalesce(b.year, f.year) as baseline_year,
        coalesce(b.value, f.value) as baseline_value,
        e.latest_period,
        e.latest_year,
        e.latest_value,
        e.latest_areas,
        e.periods,
        e.provenance,
        pm.pre_mission_points,
        pm.pre_mission_slope,
        pm.pre_mission_intercept
    from targets as t
    left join ends as e using (target_id)
    left join series as b on b.target_id = t.target_id and b.period = t.baseline_period
    left join series as f on f.target_id = t.target_id and f.period = e.first_period
    left join pre_mission as pm on pm.target_id = t.target_id
),

levels as (
    select
        *,
        case target_kind
            when 'level' then target_value
            when 'relative_change' then baseline_value * (1 + target_value / 100)
            when 'absolute_change' then baseline_value + target_value
        end as target_level
    from based
),

measured as (
    select
        *,
        sign(target_level - baseline_value) as target_direction,
        case when target_year > baseline_year and baseline_value > 0 and target_level > 0
            then pow(target_level / baseline_value, 1.0 / (target_year - baseline_year)) - 1 end as required_cagr,
        case when latest_year > baseline_year and baseline_value > 0 and latest_value > 0
            then pow(latest_value / baseline_value, 1.0 / (latest_year - baseline_year)) - 1 end as observed_cagr,
        (target_level - baseline_value) / nullif(target_year - baseline_year, 0) as required_annual_change,
        case when latest_year > baseline_year
            then (latest_value - baseline_value) / (latest_year - baseline_year) end as observed_annual_change,
        baseline_value + (target_level - baseline_value)
            * (latest_year - baseline_year) / nullif(target_year - baseline_year, 0) as milestone_for_latest_year,
        case when pre_mission_points >= 3
            then pre_mission_intercept + pre_mission_slope * target_year end as pre_mission_trend_at_target_year
    from levels
)

select
    m.target_id,
    m.mission_id,
    m.metric_id,
    m.breakdown,
    m.scope_kind,
    m.scope_code,
    m.is_primary,
    m.statement_wording,
    m.method_note,
    m.target_kind,
    m.target_value,
    m.target_year,
    m.baseline_period_used as baseline_period,
    m.baseline_basis,
    m.baseline_year,
    m.baseline_value,
    m.latest_period,
    m.latest_year,
    m.latest_value,
    m.periods as periods_observed,
    coalesce(m.provenance, 'none') as provenance,
    m.target_level,
    cast(m.target_direction as integer) as target_direction,
    m.required_cagr,
    m.observed_cagr,
    m.observed_cagr / nullif(m.required_cagr, 0) as progress_ratio,
    case
        when m.target_kind = 'absolute_change_count' or m.scope_kind = 'count_not_published' then 'not measurable'
        when m.latest_value is null then 'no data'
        when m.provenance like '%synthetic%' then 'no real data'
        when m.latest_year <= m.baseline_year then 'insufficient data'
        when (m.latest_value - m.target_level) * m.target_direction >= 0 then 'achieved'
        when m.observed_cagr / nullif(m.required_cagr, 0) >= 0.95 then 'on track'
        when m.observed_cagr / nullif(m.required_cagr, 0) >= 0.6 then 'needs acceleration'
        when m.observed_cagr / nullif(m.required_cagr, 0) >= 0 then 'limited progress'
        when m.observed_cagr / nullif(m.required_cagr, 0) < 0 then 'deterioration'
        else 'insufficient data'
    end as progress_band,
    m.required_annual_change,
    m.observed_annual_change,
    m.milestone_for_latest_year,
    case when m.latest_year > m.baseline_year
        then (m.latest_value - m.milestone_for_latest_year) * m.target_direction >= 0 end as on_trajectory,
    m.pre_mission_points,
    round(m.pre_mission_slope, 9) as pre_mission_slope_per_year,
    round(m.pre_mission_trend_at_target_year, 9) as pre_mission_trend_at_target_year,
    case
        when m.target_kind = 'absolute_change_count' or m.scope_kind = 'count_not_published' then 'not measurable'
        when m.pre_mission_trend_at_target_year is null
            then 'not enough pre-mission points (' || coalesce(m.pre_mission_points, 0) || ', need 3 ending by {{ mission_start_year }})'
        when (m.pre_mission_trend_at_target_year - m.target_level) * m.target_direction >= 0
            then 'unambitious: the pre-mission trend alone reaches the target'
        else 'ambitious: needs faster progress than the pre-mission trend'
    end as ambition_test,
    case when m.provenance like '%synthetic%' then 'SYNTHETIC SAMPLE, not official statistics. ' else '' end
        || coalesce(m.method_note, '') as note
from measured as m
