{#- One row per mission x scored metric (a headline, or a devolved nation's own series: metric_role)
    x breakdown x area: where the area stands and where it is
    heading. Methods are in the model documentation (_scorecards__models.yml). -#}
{% set series = ['metric_id', 'breakdown', 'area_code'] %}
with points as (
    select * from {{ ref('int_headline_points_selected') }}
),

latest as (
    select * from points where point_from_latest = 1
),

previous as (
    select * from points where point_from_latest = 2
),

first_point as (
    select * from points where point_from_latest = series_points
),

-- The reference a money metric is judged against: the UK's value in the same period, else GB's,
-- E&W's or England's (published, never synthetic; macro national_areas).
reference as (
    select
        metric_id, breakdown, period,
        arg_min(area_code, priority) as reference_area_code,
        arg_min(value, priority) as reference_value
    from (
        select *, {{ national_priority('area_code') }} as priority
        from points
        where {{ national_priority('area_code') }} is not null and provenance <> 'synthetic'
    )
    group by all
),

-- Ranks and quintiles among the real (published or derived) rows of a group only: a synthetic row is
-- shown, never ranked. Tied values share a rank and therefore a quintile.
ranked as (
    select
        l.*,
        case when l.is_ranked then count(*) over (
            partition by l.metric_id, l.breakdown, l.comparison_group, l.period, l.is_ranked
        ) end as areas_in_group,
        case when l.is_ranked then rank() over (
            partition by l.metric_id, l.breakdown, l.comparison_group, l.period, l.is_ranked
            order by l.ordering_value
        ) end as rank_in_group
    from (
        select
            *,
            provenance = 'synthetic' as is_synthetic,
            provenance <> 'synthetic' and (judged_on <> 'per_head' or value_per_head is not null) as is_ranked,
            -- per-head metrics rank on the amount per head (unranked without a population)
            case when polarity = 'low_is_good' then 1 else -1 end
                * case when judged_on = 'per_head' then value_per_head else value end as ordering_value
        from latest
    ) as l
),

assembled as (
    select
        r.mission_id,
        r.metric_id,
        dm.label as metric_label,
        dm.role as metric_role,
        r.decimals,
        r.unit,
        r.polarity,
        r.breakdown,
        r.area_code,
        r.area_name,
        r.area_level,
        r.comparison_group,
        r.provenance,
        b.baseline_period,
        b.baseline_basis,
        b.baseline_value,
        r.period as latest_period,
        r.year as latest_year,
        r.value as latest_value,
        r.lci_95 as latest_lci_95,
        r.uci_95 as latest_uci_95,
        r.series_points,
        r.value - b.baseline_value as absolute_change,
        case when b.baseline_value <> 0
            then 100 * (r.value - b.baseline_value) / abs(b.baseline_value) end as percent_change,
        -- what the two point estimates did, in words that judge nothing (the verdict judges)
        case
            when r.period = b.baseline_period then 'no later data'
            when round(r.value - b.baseline_value, r.decimals) = 0 then 'no change'
            when r.value > b.baseline_value then 'rose'
            else 'fell'
        end as direction,
        r.judged_on,
        -- a known event behind this area's baseline or latest point (seed metric_caveats)
        (
            select string_agg(c.caveat, ' ' order by c.from_year)
            from {{ ref('metric_caveats') }} as c
            where c.metric_id = r.metric_id and c.area_code = r.area_code
              and (b.baseline_year between c.from_year and c.to_year or r.year between c.from_year and c.to_year)
        ) as caveat,
        case when r.judged_on = 'ratio_to_reference' then rl.reference_area_code end as reference_area_code,
        case when r.judged_on = 'ratio_to_reference' then b.baseline_value / nullif(rb.reference_value, 0)
            end as relative_baseline,
        case when r.judged_on = 'ratio_to_reference' then r.value / nullif(rl.reference_value, 0)
            end as relative_latest,
        b.baseline_per_head,
        r.value_per_head as latest_per_head,
        -- z on the difference of two independent estimates, each SE from its 95% CI (half-width / 1.96)
        case when r.judged_on = 'value' and r.period <> b.baseline_period
                and r.lci_95 is not null and r.uci_95 is not null
                and b.baseline_lci_95 is not null and b.baseline_uci_95 is not null
                and (r.uci_95 - r.lci_95) + (b.baseline_uci_95 - b.baseline_lci_95) > 0
            then (r.value - b.baseline_value) / sqrt(
                power({{ standard_error('r.lci_95', 'r.uci_95') }}, 2)
                + power({{ standard_error('b.baseline_lci_95', 'b.baseline_uci_95') }}, 2)
            )
        end as change_z,
        r.is_synthetic,
        -- baseline and latest on either side of a break in how the series is measured
        r.series_break_year is not null and b.baseline_year < r.series_break_year
            and r.year >= r.series_break_year as crosses_series_break,
        r.series_break_year,
        r.rank_in_group,
        r.areas_in_group,
        case when r.rank_in_group is not null
            then cast(least(5, 1 + floor(5 * (r.rank_in_group - 1) / r.areas_in_group)) as bigint)
        end as quintile_in_group,
        bm.benchmark_area_code,
        bm.benchmark_area_name,
        bm.benchmark_value,
        bm.benchmark_method,
        bm.benchmark_comparison,
        t.trend_points,
        t.trend_method,
        t.trend_slope_per_year,
        t.trend_statistic,
        case when r.judged_on = 'value' then t.trend_significant end as trend_significant,
        case
            when r.is_synthetic then 'no real data'
            -- a trend in nominal pounds is inflation as much as anything: money is judged relative to
            -- a reference (or per head), and its trend is not tested
            when r.judged_on <> 'value' then 'not tested: nominal pounds'
            when t.trend_method is null and t.trend_unavailable_reason like '%series break%'
                then 'not enough points since the series break'
            when t.trend_method is null then 'not enough points'
            when not t.trend_significant then 'no significant change'
            when r.polarity = 'no_judgement' then
                case when t.trend_slope_per_year > 0 then 'increasing' else 'decreasing' end
            when (t.trend_slope_per_year > 0) = (r.polarity = 'high_is_good') then 'improving'
            else 'worsening'
        end as recent_trend,
        -- levelling-down guard: improvement a year, latest step vs the area's own history before it
        case when r.polarity <> 'no_judgement' and p.time_years is not null and r.time_years > p.time_years
            then (case when r.polarity = 'low_is_good' then -1 else 1 end)
                * (r.value - p.value) / (r.time_years - p.time_years)
        end as latest_annual_improvement,
        case when r.polarity <> 'no_judgement' and r.series_points >= 3 and p.time_years > f.time_years
            then (case when r.polarity = 'low_is_good' then -1 else 1 end)
                * (p.value - f.value) / (p.time_years - f.time_years)
        end as historic_annual_improvement,
        -- the latest step tested the same way as the change since baseline
        case when p.lci_95 is not null and p.uci_95 is not null and r.lci_95 is not null and r.uci_95 is not null
                and (r.uci_95 - r.lci_95) + (p.uci_95 - p.lci_95) > 0
            then (r.value - p.value) / sqrt(
                power({{ standard_error('r.lci_95', 'r.uci_95') }}, 2) + power({{ standard_error('p.lci_95', 'p.uci_95') }}, 2)
            )
        end as latest_step_z,
        -- the latest step against the benchmark's own step over the same two periods (the area's nation,
        -- else the UK): z on the difference of the two changes, four independent estimates, each SE
        -- from its 95% interval. A fall everyone shared is not levelling down.
        case when r.polarity <> 'no_judgement'
                and p.lci_95 is not null and p.uci_95 is not null and r.lci_95 is not null and r.uci_95 is not null
                and bl.lci_95 is not null and bl.uci_95 is not null and bp.lci_95 is not null and bp.uci_95 is not null
                and (r.uci_95 - r.lci_95) + (p.uci_95 - p.lci_95) + (bl.uci_95 - bl.lci_95) + (bp.uci_95 - bp.lci_95) > 0
            then (case when r.polarity = 'low_is_good' then -1 else 1 end)
                * ((r.value - p.value) - (bl.value - bp.value)) / sqrt(
                    power({{ standard_error('r.lci_95', 'r.uci_95') }}, 2) + power({{ standard_error('p.lci_95', 'p.uci_95') }}, 2)
                    + power({{ standard_error('bl.lci_95', 'bl.uci_95') }}, 2) + power({{ standard_error('bp.lci_95', 'bp.uci_95') }}, 2)
                )
        end as relative_step_z
    from ranked as r
    inner join {{ ref('dim_metrics') }} as dm using (metric_id)
    inner join {{ ref('int_headline_baselines_selected') }} as b using ({{ series | join(', ') }})
    left join previous as p using ({{ series | join(', ') }})
    left join first_point as f using ({{ series | join(', ') }})
    left join {{ ref('int_headline_benchmarks_compared') }} as bm using ({{ series | join(', ') }})
    left join points as bl
        on bl.metric_id = r.metric_id and bl.breakdown = r.breakdown and bl.area_code = bm.benchmark_area_code
        and bl.period = r.period
    left join points as bp
        on bp.metric_id = r.metric_id and bp.breakdown = r.breakdown and bp.area_code = bm.benchmark_area_code
        and bp.period = p.period
    left join {{ ref('int_headline_trends_computed') }} as t using ({{ series | join(', ') }})
    left join reference as rb
        on rb.metric_id = r.metric_id and rb.breakdown = r.breakdown and rb.period = b.baseline_period
    left join reference as rl
        on rl.metric_id = r.metric_id and rl.breakdown = r.breakdown and rl.period = r.period
),

judged as (
    select
        *,
        case
            when is_synthetic then 'not tested: synthetic sample'
            when latest_period = baseline_period then 'not tested: no later data'
            when crosses_series_break then 'not tested: series break in ' || series_break_year
            when judged_on = 'ratio_to_reference' then 'not tested: no confidence interval for a ratio'
            when change_z is null then 'not tested: no confidence interval'
            when abs(change_z) > 1.959964 then 'significant at 95%'
            else 'not significant at 95%'
        end as change_significance,
        -- the measured change the verdict reads: the value, or for money the ratio to the reference
        case
            when judged_on = 'ratio_to_reference' then relative_latest - relative_baseline
            when judged_on = 'per_head' then latest_per_head - baseline_per_head
            else latest_value - baseline_value
        end as judged_change
    from assembled
),

verdicts as (
    select
        *,
        case
            when is_synthetic then 'no real data'
            when latest_period = baseline_period then 'no later data'
            when crosses_series_break then 'not judged: series break'
            when judged_on = 'ratio_to_reference' and area_code = reference_area_code
                then 'not judged: nominal pounds'
            when judged_on = 'ratio_to_reference' and judged_change is null then 'not judged: no reference'
            when judged_on = 'per_head' and judged_change is null then 'not judged: no population'
            when judged_on = 'per_head' and round(judged_change, 2) = 0 then 'no change'
            when judged_on = 'ratio_to_reference' and round(judged_change, 3) = 0 then 'no change'
            when judged_on = 'value' and direction = 'no change' then 'no change'
            when change_significance = 'not significant at 95%' then 'no significant change'
            -- a word of direction only where the test found the change significant; an untested
            -- change says what moved (status_label gives by how much)
            when change_significance like 'not tested%' then
                case when judged_change > 0 then 'rose, not tested' else 'fell, not tested' end
            when polarity = 'no_judgement' then case when judged_change > 0 then 'increased' else 'decreased' end
            when (judged_change > 0) = (polarity = 'high_is_good') then 'improving'
            else 'worsening'
        end as verdict
    from judged
)

select
    * exclude (is_synthetic, judged_change, crosses_series_break, series_break_year, decimals),
    -- the national area this series is read at: the widest the source publishes it for (macro
    -- national_areas: UK, GB, E&W, England), the same for every row of the series
    case min({{ national_priority('area_code') }}) over (partition by metric_id, breakdown)
        {%- for code in national_areas().split(',') %} when {{ loop.index }} then '{{ code }}'{% endfor %}
    end as national_area_code,
    coalesce(
        {{ national_priority('area_code') }} = min({{ national_priority('area_code') }}) over (partition by metric_id, breakdown),
        false
    ) as is_national_headline,
    -- IfG levelling-down guard, made a claim only where it can be tested: a top-quintile area whose
    -- latest step is a significant (95%) fall RELATIVE to its benchmark's step over the same periods
    -- (relative_step_z, signed so that negative is worse). Without intervals it is not tested (null).
    case
        when is_synthetic or areas_in_group < 5 or quintile_in_group <> 1 then null
        when relative_step_z is null then null
        else relative_step_z < -1.959964
    end as levelling_down_flag,
    concat_ws('; ',
        'baseline=' || baseline_basis || ':' || baseline_period,
        'judged_on=' || judged_on || coalesce(' vs ' || reference_area_code, ''),
        'test=' || case when change_z is not null then 'z_difference_of_two_ci95' else 'none' end,
        case when change_z is not null then 'z=' || round(change_z, 2) end,
        'significance=' || change_significance,
        'weighting=none (one area)',
        'provenance=' || provenance
    ) as basis,
    case when provenance = 'synthetic' then 'SYNTHETIC SAMPLE, not official statistics: no verdict, no rank' else
        case
            when verdict = 'no later data' then 'one point only (' || latest_period || ')'
            when verdict like 'not judged%' then verdict || ' (' || baseline_period || ' to ' || latest_period || ')'
            when verdict like '%, not tested' then split_part(verdict, ',', 1) || ' '
                || case
                    when judged_on = 'ratio_to_reference'
                        then round(abs(judged_change), 3) || ' in the ratio to ' || reference_area_code
                    when judged_on = 'per_head' then round(abs(judged_change), 2) || ' pounds per head'
                    when unit = 'percent' then round(abs(judged_change), decimals) || ' pp'
                    when unit = 'years' then round(abs(judged_change), decimals) || ' years'
                    when unit like 'rate_per_%' then round(abs(judged_change), decimals) || ' '
                        || replace(replace(unit, 'rate_', ''), '_', ' ')
                    else round(abs(judged_change), decimals) || ' points'
                end
                || ' since ' || baseline_period || ' (' || change_significance || ')'
            else verdict || ' since ' || baseline_period
                || case
                    when judged_on = 'ratio_to_reference' then ' relative to ' || reference_area_code
                    when judged_on = 'per_head' then ' per head'
                    else ''
                end
                || ' (' || change_significance || ')'
        end
        || case
            when benchmark_comparison is not null
                then '; ' || case when benchmark_comparison = 'similar' then 'similar to' else benchmark_comparison || ' than' end
                    || ' ' || benchmark_area_name
            when quintile_in_group is not null
                then '; quintile ' || quintile_in_group || ' of 5 (1 = best) among ' || areas_in_group || ' areas'
            else ''
        end
        || '; recent trend: ' || recent_trend
    end as status_label
from verdicts
