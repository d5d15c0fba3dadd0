{#-
    Per metric and breakdown of `relation` (columns metric_id, breakdown, period, period_end): the
    baseline period - the Statement's (int_metrics_classified.baseline_period) where the metric has
    it, else the earliest - and the latest period. One rule for the breakdown marts, as the scorecard's
    own baseline rule names the Statement's period first. `where` narrows the rows considered.
-#}
{% macro baseline_and_latest_periods(relation, where='true') %}
    select
        r.metric_id,
        r.breakdown,
        coalesce(
            max(case when r.period = m.baseline_period then r.period end),
            arg_min(r.period, r.period_end)
        ) as baseline_period,
        arg_max(r.period, r.period_end) as latest_period
    from {{ relation }} as r
    inner join {{ ref('int_metrics_classified') }} as m using (metric_id)
    where {{ where }}
    group by r.metric_id, r.breakdown
{% endmacro %}
