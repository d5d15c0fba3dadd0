{#- The slope index of inequality across IMD deciles, per metric and period, with its interval, whether
    one or two authorities decide it, and its change since the baseline: see _breakdowns__models.yml. -#}
with slopes as (
    select * from {{ ref('int_breakdown_slopes_computed') }}
),

metrics as (
    select metric_id, label, unit, polarity, decimals from {{ ref('int_metrics_classified') }}
),

-- published: an SII no one or two authorities decide (NULL otherwise, as with fewer than ten deciles)
published as (
    select
        s.*,
        m.label,
        m.unit,
        m.polarity,
        m.decimals,
        -- money in nominal pounds grows with prices, and its SII with it: money is judged on the RII
        m.unit like 'pounds%' as is_money,
        case when not s.is_decided_by_few then s.sii end as published_sii,
        case when not s.is_decided_by_few then s.sii_standard_error end as published_se
    from slopes as s
    inner join metrics as m using (metric_id)
),

ends as (
    {{ baseline_and_latest_periods('slopes', 'r.sii is not null') }}
),

change as (
    select
        e.metric_id,
        e.breakdown,
        e.baseline_period,
        e.baseline_rule,
        e.latest_period,
        -- on one IMD edition at both ends (2019): switching to the 2025 deciles moves the gradient by
        -- itself, with no change in the metric
        b.published_sii as baseline_sii,
        l.published_sii as latest_sii,
        b.published_sii / nullif(b.mean_value, 0) as baseline_rii,
        l.published_sii / nullif(l.mean_value, 0) as latest_rii,
        t.published_sii as latest_sii_imd2025,
        b.is_decided_by_few or l.is_decided_by_few as either_end_withheld,
        b.is_money,
        -- the change judged on the SII, or for money the RII (its interval: the SII's over the mean,
        -- the mean's own uncertainty left out)
        case when b.is_money then l.published_sii / nullif(l.mean_value, 0) - b.published_sii / nullif(b.mean_value, 0)
            else l.published_sii - b.published_sii end as judged_change,
        case when b.is_money
            then sqrt(power(b.published_se / nullif(b.mean_value, 0), 2) + power(l.published_se / nullif(l.mean_value, 0), 2))
            else sqrt(power(b.published_se, 2) + power(l.published_se, 2))
        end as change_standard_error,
        case when b.is_money then abs(l.published_sii / nullif(l.mean_value, 0)) - abs(b.published_sii / nullif(b.mean_value, 0))
            else abs(l.published_sii) - abs(b.published_sii) end as steepening
    from ends as e
    left join published as b on b.metric_id = e.metric_id and b.breakdown = e.breakdown and b.period = e.baseline_period and b.imd_edition = 2019
    left join published as l on l.metric_id = e.metric_id and l.breakdown = e.breakdown and l.period = e.latest_period and l.imd_edition = 2019
    left join published as t on t.metric_id = e.metric_id and t.breakdown = e.breakdown and t.period = e.latest_period and t.imd_edition = 2025
)

select
    s.metric_id,
    s.breakdown,
    s.mission_id,
    s.label as metric_label,
    s.unit,
    s.polarity,
    s.period,
    s.period_end,
    s.imd_edition,
    s.deciles,
    s.mean_value,
    s.published_sii as sii,
    case when not s.is_decided_by_few then s.sii_lci_95 end as sii_lci_95,
    case when not s.is_decided_by_few then s.sii_uci_95 end as sii_uci_95,
    s.published_sii / nullif(s.mean_value, 0) as rii,
    -- what the SII says, in words: a slope whose interval holds zero, or that rounds to zero at the
    -- metric's precision, is no gradient
    case
        when s.sii is null then 'fewer than ten deciles'
        when s.is_decided_by_few then 'not published: one or two authorities decide it (without '
            || s.most_influential_area_code || ': ' || round(s.sii_without_most_influential, s.decimals + 1)
            || '; without ' || replace(s.two_most_influential_area_codes, ',', ' and ') || ': '
            || round(s.sii_without_two_most_influential, s.decimals + 1) || ')'
        when round(s.sii, s.decimals) = 0 then 'no gradient'
        when s.sii_lci_95 <= 0 and s.sii_uci_95 >= 0 then 'no significant gradient'
        when s.sii_lci_95 is not null then 'significant gradient'
        else 'gradient, not tested: no interval'
    end as gradient,
    case
        when s.published_sii is null or s.polarity = 'no_judgement' or round(s.published_sii, s.decimals) = 0
            or (s.sii_lci_95 <= 0 and s.sii_uci_95 >= 0) then null
        when (s.published_sii > 0) = (s.polarity = 'high_is_good') then 'least deprived'
        else 'most deprived'
    end as favours,
    case
        when s.sii_lci_95 is not null then 'analytic: the variance of the linear SII from the authorities'' 95% intervals'
        else 'none: some authority''s value has no interval'
    end as interval_method,
    s.most_influential_area_code,
    s.sii_without_most_influential,
    s.two_most_influential_area_codes,
    s.sii_without_two_most_influential,
    s.is_decided_by_few,
    s.period = c.baseline_period and s.imd_edition = 2019 as is_baseline,
    s.period = c.latest_period and s.imd_edition = 2025 as is_latest,
    c.baseline_period,
    c.baseline_rule,
    c.baseline_sii,
    c.latest_period,
    c.latest_sii,
    -- a change needs two periods
    case when c.latest_period <> c.baseline_period then c.latest_sii - c.baseline_sii end as sii_change,
    c.latest_sii_imd2025,
    c.baseline_rii,
    c.latest_rii,
    case when s.is_money then 'rii' else 'sii' end as gradient_judged_on,
    -- steeper or shallower only where the z test on the two ends' intervals finds the change
    -- significant; otherwise what moved, 'not tested' where there is no interval
    case
        when c.latest_period = c.baseline_period then null
        when c.either_end_withheld then 'not published: one or two authorities decide an end'
        when c.judged_change is null then null
        when round(c.steepening, 9) = 0 then 'unchanged'
        when c.change_standard_error is null
            then case when c.steepening < 0 then 'shallower, not tested' else 'steeper, not tested' end
        when abs(c.judged_change) / c.change_standard_error <= 1.959964 then 'no significant change'
        when c.steepening < 0 then 'shallower'
        else 'steeper'
    end as gradient_change,
    case
        when c.latest_period = c.baseline_period or c.judged_change is null then null
        when c.change_standard_error is null then 'not tested: no interval'
        else 'z = ' || round(c.judged_change / c.change_standard_error, 2)
            || case when abs(c.judged_change) / c.change_standard_error > 1.959964
                then ', significant (95%)' else ', not significant (95%)' end
    end as change_significance,
    'Slope index of inequality (Fingertips method): population-weighted least squares of IMD decile '
    || 'values on the midpoint of cumulative population rank (most deprived = 0); decile values are '
    || 'means of authorities weighted by 2011 Census population; 95% interval analytic (the SII is linear '
    || 'in the authorities'' values: variance from their published intervals); not published where '
    || 'removing one or two authorities reverses it or moves it by more than half; change = latest minus '
    || 'baseline, both on IMD 2019 deciles (latest_sii_imd2025 is today''s gradient on the 2025 deciles, '
    || 'shown apart), tested by z on the two intervals; money judged on the relative index (RII = SII / '
    || 'mean)' as method
from published as s
left join change as c using (metric_id, breakdown)
