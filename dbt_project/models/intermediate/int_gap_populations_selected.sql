{#- For every headline metric, the areas its gaps are measured across: the level the Statement names
    (dim_metrics.native_level), current areas only, one row per area, period and breakdown, with the
    metric's polarity as a sign (+1 when a higher value is better, -1 when lower is better). -#}
select
    m.mission_id,
    f.metric_id,
    f.breakdown,
    f.period,
    f.year,
    f.period_end,
    f.area_code,
    f.value,
    -- from the publisher's 95% interval (half-width / 1.959964); NULL without one
    {{ standard_error('f.lci_95', 'f.uci_95') }} as standard_error,
    f.provenance,
    m.native_level as population,
    m.gap_method,
    m.baseline_period,
    m.unit,
    m.judged_on,
    pop.population as population_count,
    case when m.polarity = 'low_is_good' then -1 else 1 end as sign
from {{ ref('int_metric_values_harmonised') }} as f
inner join {{ ref('int_metrics_classified') }} as m on m.metric_id = f.metric_id
inner join {{ ref('int_areas_described') }} as a on a.area_code = f.area_code
-- the latest mid-year population estimate up to the year the period ends (a period after the latest
-- estimate takes the latest one)
asof left join {{ ref('int_area_populations_summed') }} as pop on pop.area_code = f.area_code and f.year >= pop.year
where m.is_headline
    and f.value is not null
    and a.is_current
    and case m.native_level
        when 'itl1' then f.area_level = 'region' or (f.area_level = 'nation' and f.area_code not like 'E%')
        when 'utla' then f.area_level in ('county', 'unitary')
        when 'ltla' then f.area_level in ('district', 'unitary')
        else f.area_level = m.native_level
    end
