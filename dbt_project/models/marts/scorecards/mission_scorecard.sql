{#- One row per mission x headline metric x breakdown x area: where the area stands and where it is
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

-- The Statement's baseline where the catalogue names one and the area has it; else the earliest point.
baseline as (
    select
        l.metric_id, l.breakdown, l.area_code,
        coalesce(s.period, f.period) as baseline_period,
        coalesce(s.value, f.value) as baseline_value,
        coalesce(s.time_years, f.time_years) as baseline_time,
        case when s.period is not null then 'statement' else 'earliest_available' end as baseline_basis
    from latest as l
    inner join first_point as f using ({{ series | join(', ') }})
    left join points as s
        on s.metric_id = l.metric_id and s.breakdown = l.breakdown and s.area_code = l.area_code
        and s.period = l.baseline_period
),

ranked as (
    select
        l.*,
        count(*) over w_group as areas_in_group,
        rank() over (
            partition by l.metric_id, l.breakdown, l.comparison_group, l.period
            order by case when l.polarity = 'low_is_good' then l.value else -l.value end
        ) as rank_in_group,
        ntile(5) over (
            partition by l.metric_id, l.breakdown, l.comparison_group, l.period
            order by case when l.polarity = 'low_is_good' then l.value else -l.value end
        ) as quintile_in_group
    from latest as l
    window w_group as (partition by l.metric_id, l.breakdown, l.comparison_group, l.period)
),

-- National benchmark for the same metric, breakdown and period: the area's nation, else the UK,
-- Great Britain or England and Wales, whichever is published first in that order.
benchmark_codes as (
    select l.metric_id, l.breakdown, l.area_code, l.period, c.code, c.priority
    from latest as l
    inner join {{ ref('dim_areas') }} as a on a.area_code = l.area_code
    cross join unnest([
        {'code': a.nation_code, 'priority': 1},
        {'code': 'K02000001', 'priority': 2},
        {'code': 'K03000001', 'priority': 3},
        {'code': 'K04000001', 'priority': 4}
    ]) as u(c)
    where l.area_level not in ('uk', 'gb', 'ew') and c.code is not null and c.code <> l.area_code
),

benchmark_candidates as (
    select
        bc.metric_id, bc.breakdown, bc.area_code, bc.priority,
        bc.code as benchmark_area_code,
        b.value as benchmark_value
    from benchmark_codes as bc
    inner join points as b
        on b.metric_id = bc.metric_id and b.breakdown = bc.breakdown and b.period = bc.period
        and b.area_code = bc.code
),

benchmark as (
    select
        metric_id, breakdown, area_code,
        arg_min(benchmark_area_code, priority) as benchmark_area_code,
        arg_min(benchmark_value, priority) as benchmark_value
    from benchmark_candidates
    group by all
),

assembled as (
    select
        r.mission_id,
        r.metric_id,
        dm.label as metric_label,
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
        case
            when r.period = b.baseline_period then 'no later data'
            when round(r.value - b.baseline_value, r.decimals) = 0 then 'no change'
            when r.polarity = 'no_judgement' then
                case when r.value > b.baseline_value then 'increased' else 'decreased' end
            when (r.value > b.baseline_value) = (r.polarity = 'high_is_good') then 'improving'
            else 'worsening'
        end as direction,
        r.rank_in_group,
        r.areas_in_group,
        r.quintile_in_group,
        bm.benchmark_area_code,
        ba.area_name as benchmark_area_name,
        bm.benchmark_value,
        case
            when bm.benchmark_value is null then 'none'
            when r.lci_95 is not null and r.uci_95 is not null then 'ci_95'
            else 'quintile'
        end as benchmark_method,
        case
            when bm.benchmark_value is null or r.lci_95 is null or r.uci_95 is null then null
            when bm.benchmark_value between r.lci_95 and r.uci_95 then 'similar'
            when r.polarity = 'no_judgement' then
                case when bm.benchmark_value < r.lci_95 then 'higher' else 'lower' end
            when (bm.benchmark_value < r.lci_95) = (r.polarity = 'high_is_good') then 'better'
            else 'worse'
        end as benchmark_comparison,
        t.trend_points,
        t.trend_method,
        t.trend_slope_per_year,
        t.trend_statistic,
        t.trend_significant,
        case
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
        end as historic_annual_improvement
    from ranked as r
    inner join {{ ref('dim_metrics') }} as dm using (metric_id)
    inner join baseline as b using ({{ series | join(', ') }})
    left join previous as p using ({{ series | join(', ') }})
    left join first_point as f using ({{ series | join(', ') }})
    left join benchmark as bm using ({{ series | join(', ') }})
    left join {{ ref('dim_areas') }} as ba on ba.area_code = bm.benchmark_area_code
    left join {{ ref('int_headline_trends_computed') }} as t using ({{ series | join(', ') }})
)

select
    *,
    case when areas_in_group >= 5 and quintile_in_group = 1
        then latest_annual_improvement < historic_annual_improvement end as levelling_down_flag,
    case when provenance = 'synthetic' then 'SYNTHETIC SAMPLE, not official statistics: ' else '' end
    || case
        when direction in ('no later data') then 'one point only (' || latest_period || ')'
        else direction || ' since ' || baseline_period
    end
    || case
        when benchmark_comparison is not null
            then '; ' || case when benchmark_comparison = 'similar' then 'similar to' else benchmark_comparison || ' than' end
                || ' ' || benchmark_area_name
        else '; quintile ' || quintile_in_group || ' of 5 (1 = best) among ' || areas_in_group || ' areas'
    end
    || '; recent trend: ' || recent_trend as status_label
from assembled
