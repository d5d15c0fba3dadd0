{#- Every gap measure per period (int_mission_gaps_measured), with its value at the baseline (the
    metric's Statement baseline where that period is measured, else the earliest period) and whether
    it has narrowed since. A positive gap means the group the mission wants to catch up is behind. -#}
{% set measure = ['gap_method', 'metric_id', 'breakdown'] %}
with gaps as (
    select * from {{ ref('int_mission_gaps_measured') }}
),

baseline as (
    select
        {{ measure | join(', ') }},
        coalesce(
            max(period) filter (where period = baseline_period),
            arg_min(period, period_end)
        ) as gap_baseline_period,
        count(*) as periods_measured
    from gaps
    group by all
)

select
    g.mission_id,
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
    b.gap_baseline_period,
    bg.gap_value as gap_baseline_value,
    g.gap_value - bg.gap_value as gap_change_since_baseline,
    case
        when g.period = b.gap_baseline_period then 'baseline'
        when g.period_end < bg.period_end then 'before baseline'
        when round(g.gap_value - bg.gap_value, 6) = 0 then 'no change'
        -- the group to catch up was ahead at baseline and still is: say which way its lead moved
        when g.gap_value < 0 and bg.gap_value < 0 then
            case when g.gap_value < bg.gap_value then 'lead growing' else 'lead shrinking' end
        when g.gap_value < bg.gap_value then 'narrowing'
        else 'widening'
    end as gap_trend,
    g.period_end = max(g.period_end) over (partition by g.gap_method, g.metric_id, g.breakdown) as is_latest,
    g.provenance,
    case
        when g.provenance like '%synthetic%' then 'SYNTHETIC SAMPLE, not official statistics.'
        when g.gap_method = 'eia_vs_england'
            then 'Education Investment Areas here are a PROXY (weakest third of upper-tier authorities on KS2 2018-19), not the official list.'
        when g.gap_method = 'worst_20_forces_vs_rest'
            then 'The 20 worst-affected forces here are a PROXY (highest mean homicide rate), not the official list based on sharp-object admissions.'
        when g.gap_method = 'worst_third_vs_rest'
            then 'Measured on ONS4 mean scores: the Statement''s shares with low ratings are not published by local authority.'
    end as note
from gaps as g
inner join baseline as b using ({{ measure | join(', ') }})
inner join gaps as bg
    on bg.gap_method = g.gap_method and bg.metric_id = g.metric_id and bg.breakdown = g.breakdown
    and bg.period = b.gap_baseline_period
