{#- Every gap measure, one row per measure, metric, breakdown and period, in one shape:
    group A is the better-off group, group B the group the mission wants to catch up, and gap_value
    is oriented so that a positive gap means B is behind (a narrowing gap is a falling gap_value).
    Each method is its own model (int_<method>_gaps_measured); this one unions them and orients,
    unitises and labels the weighting of every gap the same way. -#}
{% set keys = 'metric_id, breakdown, period' %}
with pop as (
    select * from {{ ref('int_gap_populations_selected') }}
),

{%- set gap_models = [
    'int_hle_decile_gaps_measured',
    'int_worst_third_gaps_measured',
    'int_worst_third_fixed_gaps_measured',
    'int_top_vs_rest_gaps_measured',
    'int_gse_gaps_measured',
    'int_grouping_gaps_measured',
    'int_london_gaps_measured',
    'int_spread_gaps_measured',
] %}
gaps as (
    {% for model in gap_models %}
    select * from {{ ref(model) }}
    {% if not loop.last %}union all by name{% endif %}
    {% endfor %}
),

period_facts as (
    select
        metric_id, breakdown, period,
        any_value(year) as year,
        any_value(period_end) as period_end,
        any_value(population) as population,
        any_value(sign) as sign,
        any_value(baseline_period) as baseline_period,
        any_value(unit) as unit,
        any_value(judged_on) as judged_on,
        count(distinct area_code) as areas_measured,
        string_agg(distinct provenance, ', ' order by provenance) as provenance
    from pop
    group by all
)

select
    g.mission_id,
    g.gap_method,
    g.is_statement_definition,
    g.metric_id,
    g.breakdown,
    pf.population,
    g.period,
    pf.year,
    pf.period_end,
    g.group_a_label,
    -- rounded to 1e-9, far below any published precision: a population-weighted mean's last digits
    -- depend on the order DuckDB sums in, and a published figure must not depend on the run
    round(g.group_a_value, 9) as group_a_value,
    g.areas_a,
    g.group_b_label,
    round(g.group_b_value, 9) as group_b_value,
    -- the gap's standard error where its method computes one (the well-being gaps), else NULL
    round(g.gap_standard_error, 9) as gap_standard_error,
    g.areas_b,
    pf.areas_measured,
    round(case
        when g.gap_method = 'p90_p10_ratio' then g.group_a_value / nullif(g.group_b_value, 0)
        -- money in nominal pounds: the gap relative to group A (per cent), never in pounds
        when pf.unit = 'pounds' then 100 * pf.sign * (g.group_a_value - g.group_b_value) / nullif(g.group_a_value, 0)
        else pf.sign * (g.group_a_value - g.group_b_value)
    end, 9) as gap_value,
    case
        when g.gap_method = 'p90_p10_ratio' then 'ratio'
        when pf.unit = 'pounds' then 'percent of group A'
        when g.gap_method = 'outside_vs_inside_gse' and pf.judged_on = 'per_head' then 'pounds per head'
        else pf.unit
    end as gap_unit,
    -- how each group's figure is formed from its areas' values (the warehouse holds no population
    -- weights for these areas, so a mean is an unweighted mean of areas, and says so)
    case
        when g.gap_method like 'decile_median_gap%' then 'median of areas (unweighted)'
        when g.gap_method = 'outside_vs_inside_gse' and pf.judged_on = 'per_head'
            then 'population-weighted (sum of spending over sum of population)'
        when g.gap_method = 'outside_vs_inside_gse' then 'sum of areas'
        when g.gap_method in ('range', 'p90_p10_ratio') then 'single areas / percentiles of areas'
        when g.gap_method = 'top_vs_rest' then 'one area vs unweighted mean of the other areas'
        when g.gap_method = 'eia_vs_england' and g.is_weighted
            then 'England''s own figure vs population-weighted mean of areas'
        when g.gap_method = 'eia_vs_england' then 'England''s own figure vs unweighted mean of areas'
        when g.is_weighted then 'population-weighted mean of areas'
        else 'unweighted mean of areas'
    end as weighting,
    pf.baseline_period,
    pf.provenance
from gaps as g
inner join period_facts as pf using ({{ keys }})
where g.group_a_value is not null and g.group_b_value is not null
