{#- The slope index of inequality across IMD deciles, per metric and period, and its change since the baseline. -#}
with slopes as (
    select * from {{ ref('int_breakdown_slopes_computed') }}
),

metrics as (
    select metric_id, label, unit, polarity from {{ ref('int_metrics_classified') }}
),

ends as (
    {{ baseline_and_latest_periods('slopes', 'r.sii is not null') }}
),

change as (
    select
        e.metric_id,
        e.breakdown,
        e.baseline_period,
        e.latest_period,
        b.sii as baseline_sii,
        l.sii as latest_sii,
        b.sii / nullif(b.mean_value, 0) as baseline_rii,
        l.sii / nullif(l.mean_value, 0) as latest_rii,
        t.sii as latest_sii_imd2025
    from ends as e
    -- the change is measured on one IMD edition at both ends (2019): switching to the 2025 deciles
    -- moves the gradient by itself, with no change in the metric
    left join slopes as b on b.metric_id = e.metric_id and b.breakdown = e.breakdown and b.period = e.baseline_period and b.imd_edition = 2019
    left join slopes as l on l.metric_id = e.metric_id and l.breakdown = e.breakdown and l.period = e.latest_period and l.imd_edition = 2019
    left join slopes as t on t.metric_id = e.metric_id and t.breakdown = e.breakdown and t.period = e.latest_period and t.imd_edition = 2025
)

select
    s.metric_id,
    s.breakdown,
    s.mission_id,
    m.label as metric_label,
    m.unit,
    m.polarity,
    s.period,
    s.period_end,
    s.imd_edition,
    s.deciles,
    s.mean_value,
    s.sii,
    s.sii / nullif(s.mean_value, 0) as rii,
    case
        when s.sii is null or s.sii = 0 or m.polarity = 'no_judgement' then null
        when (s.sii > 0) = (m.polarity = 'high_is_good') then 'least deprived'
        else 'most deprived'
    end as favours,
    s.period = c.baseline_period and s.imd_edition = 2019 as is_baseline,
    s.period = c.latest_period and s.imd_edition = 2025 as is_latest,
    c.baseline_period,
    c.baseline_sii,
    c.latest_period,
    c.latest_sii,
    c.latest_sii - c.baseline_sii as sii_change,
    c.latest_sii_imd2025,
    c.baseline_rii,
    c.latest_rii,
    -- money in nominal pounds grows with prices, and its SII with it: money is judged on the RII
    case when m.unit like 'pounds%' then 'rii' else 'sii' end as gradient_judged_on,
    -- what moved, never 'widened' or 'narrowed': the change carries no interval, so it is not tested
    case
        when c.latest_sii is null or c.baseline_sii is null or c.latest_period = c.baseline_period then null
        when m.unit like 'pounds%' then
            case
                when round(abs(c.latest_rii), 3) < round(abs(c.baseline_rii), 3) then 'shallower, not tested'
                when round(abs(c.latest_rii), 3) > round(abs(c.baseline_rii), 3) then 'steeper, not tested'
                else 'unchanged'
            end
        when abs(c.latest_sii) < abs(c.baseline_sii) then 'shallower, not tested'
        when abs(c.latest_sii) > abs(c.baseline_sii) then 'steeper, not tested'
        else 'unchanged'
    end as gradient_change,
    'not tested' as change_significance,
    'Slope index of inequality (Fingertips method): population-weighted least squares of IMD decile '
    || 'values on the midpoint of cumulative population rank (most deprived = 0); decile values are '
    || 'means of authorities weighted by 2011 Census population; change = latest minus baseline, both '
    || 'on IMD 2019 deciles (latest_sii_imd2025 is today''s gradient on the 2025 deciles, shown apart); '
    || 'money judged on the relative index (RII = SII / mean); no confidence interval, so the change '
    || 'is not tested' as method
from slopes as s
inner join metrics as m using (metric_id)
left join change as c using (metric_id, breakdown)
