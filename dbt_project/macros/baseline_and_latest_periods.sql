{#-
    Per metric and breakdown of `relation` (columns metric_id, breakdown, period, period_end): the
    baseline period by the scorecard's rule - the Statement's (int_metrics_classified.baseline_period)
    where the metric has it, else the last period ending by 2019 (pre-pandemic), else the earliest -
    with the rule that chose it, and the latest period. One rule for the breakdown marts and the
    scorecard. `where` narrows the rows considered.
-#}
{% macro baseline_and_latest_periods(relation, where='true') %}
    select
        r.metric_id,
        r.breakdown,
        coalesce(
            max(case when r.period = m.baseline_period then r.period end),
            arg_max(r.period, r.period_end) filter (where r.period_end <= date '2019-12-31'),
            arg_min(r.period, r.period_end)
        ) as baseline_period,
        case
            when max(case when r.period = m.baseline_period then r.period end) is not null
                then any_value(m.baseline_rule)
            when count(*) filter (where r.period_end <= date '2019-12-31') > 0 then 'pre_pandemic'
            else 'earliest_available'
        end as baseline_rule,
        arg_max(r.period, r.period_end) as latest_period
    from {{ relation }} as r
    inner join {{ ref('int_metrics_classified') }} as m using (metric_id)
    where {{ where }}
    group by r.metric_id, r.breakdown
{% endmacro %}
