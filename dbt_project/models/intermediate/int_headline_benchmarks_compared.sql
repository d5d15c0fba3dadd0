{#- The national benchmark of every headline series and area, and the Fingertips comparison with it:
    the benchmark is the area's nation, else the UK, Great Britain or England and Wales (whichever is
    published, real, for the same period first in that order); the area is better or worse when the
    benchmark lies outside its 95% confidence interval, similar when inside; without an interval the
    comparison is not made (benchmark_method quintile: the rank says where it stands); a synthetic row is
    compared with nothing. -#}
{% set series = ['metric_id', 'breakdown', 'area_code'] %}
with points as (
    select * from {{ ref('int_headline_points_selected') }}
),

latest as (
    select * from points where point_from_latest = 1
),

-- National benchmark for the same metric, breakdown and period: the area's nation, else the UK,
-- Great Britain or England and Wales, whichever is published first in that order.
benchmark_codes as (
    select l.metric_id, l.breakdown, l.area_code, l.period, c.code, c.priority
    from latest as l
    inner join {{ ref('int_areas_described') }} as a on a.area_code = l.area_code
    -- the area's own nation first, then the national areas wider than a nation (macro national_areas)
    cross join unnest([
        {'code': a.nation_code, 'priority': 0}
        {%- for code in national_areas().split(',') if not code.startswith('E92') %},
        {'code': '{{ code }}', 'priority': {{ loop.index }}}
        {%- endfor %}
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
        and b.area_code = bc.code and b.provenance <> 'synthetic'
),

benchmark as (
    select
        metric_id, breakdown, area_code,
        arg_min(benchmark_area_code, priority) as benchmark_area_code,
        arg_min(benchmark_value, priority) as benchmark_value
    from benchmark_candidates
    group by all
)

select
    l.metric_id,
    l.breakdown,
    l.area_code,
    case when l.provenance <> 'synthetic' then bm.benchmark_area_code end as benchmark_area_code,
    case when l.provenance <> 'synthetic' then ba.area_name end as benchmark_area_name,
    case when l.provenance <> 'synthetic' then bm.benchmark_value end as benchmark_value,
    case
        when l.provenance = 'synthetic' then 'none (synthetic sample)'
        when bm.benchmark_value is null then 'none'
        when l.lci_95 is not null and l.uci_95 is not null then 'ci_95'
        else 'quintile'
    end as benchmark_method,
    case
        when l.provenance = 'synthetic' or bm.benchmark_value is null or l.lci_95 is null or l.uci_95 is null
            then null
        when bm.benchmark_value between l.lci_95 and l.uci_95 then 'similar'
        when l.polarity = 'no_judgement' then
            case when bm.benchmark_value < l.lci_95 then 'higher' else 'lower' end
        when (bm.benchmark_value < l.lci_95) = (l.polarity = 'high_is_good') then 'better'
        else 'worse'
    end as benchmark_comparison
from latest as l
left join benchmark as bm using ({{ series | join(', ') }})
left join {{ ref('int_areas_described') }} as ba on ba.area_code = bm.benchmark_area_code
