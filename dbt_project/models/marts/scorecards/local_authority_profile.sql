{#- What an area profile draws for each current local authority and headline series (the grain of
    local_authority_scorecard): the authority's row, where it sits among the areas of its own nation in
    the same comparison group and period (minimum, quartiles, maximum; real figures only), and the
    values it is set against in that period: England, its region (or nation), and the median of its
    ONS similar-area cluster (Explore Local Statistics' overall cluster of lower-tier authorities).
    A synthetic sample gets no reference values: it is shown as a sample and set against nothing. -#}
with scorecard as (
    select * from {{ ref('local_authority_scorecard') }}
),

areas as (
    select * from {{ ref('dim_areas') }}
),

metrics as (
    select * from {{ ref('dim_metrics') }}
),

facts as (
    select metric_id, breakdown, period, area_code, value, source_id
    from {{ ref('fct_area_year_metrics') }}
    where value is not null
),

clusters as (
    select area_code, grouping_id as cluster_id
    from {{ ref('dim_area_groupings') }}
    where grouping_family = 'ons_cluster_global'
),

-- The spine's range: the areas of the same nation as the area measured (a Scottish council against
-- Scotland's councils, never against England's), same comparison group and period.
spread as (
    select
        metric_id,
        breakdown,
        comparison_group,
        latest_period,
        left(area_code, 1) as nation_letter,
        min(latest_value) as group_min,
        quantile_cont(latest_value, 0.25) as group_p25,
        quantile_cont(latest_value, 0.75) as group_p75,
        max(latest_value) as group_max,
        count(*) as group_areas
    from {{ ref('mission_scorecard') }}
    where left(area_code, 1) in ('E', 'W', 'S', 'N') and provenance <> 'synthetic' and latest_value is not null
    group by all
),

-- The median of the cluster's members that have a figure at the same level and period.
cluster_medians as (
    select
        c.cluster_id,
        f.metric_id,
        f.breakdown,
        f.period,
        median(f.value) as cluster_median,
        count(*) as cluster_areas
    from clusters as c
    inner join facts as f on f.area_code = c.area_code
    group by all
),

profile as (
    select
        s.*,
        a.region_code,
        r.area_name as region_name,
        c.cluster_id,
        m.decimals,
        m.additivity
    from scorecard as s
    inner join areas as a on a.area_code = s.authority_code
    left join areas as r on r.area_code = a.region_code
    left join clusters as c on c.area_code = s.authority_code
    inner join metrics as m on m.metric_id = s.metric_id
)

select
    cast(p.authority_code as varchar) as authority_code,
    cast(p.authority_name as varchar) as authority_name,
    cast(p.authority_level as varchar) as authority_level,
    cast(p.region_code as varchar) as region_code,
    cast(p.region_name as varchar) as region_name,
    cast(p.mission_id as varchar) as mission_id,
    cast(p.metric_id as varchar) as metric_id,
    cast(p.metric_label as varchar) as metric_label,
    cast(p.metric_role as varchar) as metric_role,
    cast(p.unit as varchar) as unit,
    cast(p.decimals as integer) as decimals,
    cast(p.polarity as varchar) as polarity,
    cast(p.breakdown as varchar) as breakdown,
    cast(p.additivity as varchar) as additivity,
    cast(own.source_id as varchar) as source_id,
    cast(p.measured_at as varchar) as measured_at,
    cast(p.area_code as varchar) as area_code,
    cast(p.area_name as varchar) as area_name,
    cast(p.comparison_group as varchar) as comparison_group,
    cast(p.provenance as varchar) as provenance,
    cast(p.latest_period as varchar) as latest_period,
    cast(p.latest_value as double) as latest_value,
    cast(p.latest_lci_95 as double) as latest_lci_95,
    cast(p.latest_uci_95 as double) as latest_uci_95,
    cast(p.benchmark_area_name as varchar) as benchmark_area_name,
    cast(p.benchmark_method as varchar) as benchmark_method,
    cast(p.benchmark_comparison as varchar) as benchmark_comparison,
    cast(p.quintile_in_group as bigint) as quintile_in_group,
    cast(p.recent_trend as varchar) as recent_trend,
    cast(p.trend_method as varchar) as trend_method,
    cast(p.trend_significant as boolean) as trend_significant,
    cast(p.verdict as varchar) as verdict,
    cast(p.status_label as varchar) as status_label,
    cast(eng.value as double) as england_value,
    cast(reg.value as double) as region_value,
    cast(p.cluster_id as varchar) as cluster_id,
    cast(cm.cluster_median as double) as cluster_median,
    cast(cm.cluster_areas as bigint) as cluster_areas,
    cast(sp.group_min as double) as group_min,
    cast(sp.group_p25 as double) as group_p25,
    cast(sp.group_p75 as double) as group_p75,
    cast(sp.group_max as double) as group_max,
    cast(sp.group_areas as bigint) as group_areas
from profile as p
left join facts as own
    on own.area_code = p.area_code and own.metric_id = p.metric_id and own.breakdown = p.breakdown
    and own.period = p.latest_period
left join facts as eng
    on eng.area_code = 'E92000001' and eng.metric_id = p.metric_id and eng.breakdown = p.breakdown
    and eng.period = p.latest_period and p.provenance <> 'synthetic'
left join facts as reg
    on reg.area_code = p.region_code and reg.metric_id = p.metric_id and reg.breakdown = p.breakdown
    and reg.period = p.latest_period and p.provenance <> 'synthetic'
left join cluster_medians as cm
    on cm.cluster_id = p.cluster_id and cm.metric_id = p.metric_id and cm.breakdown = p.breakdown
    and cm.period = p.latest_period and p.measured_at = 'itself' and p.provenance <> 'synthetic'
left join spread as sp
    on sp.metric_id = p.metric_id and sp.breakdown = p.breakdown
    and sp.comparison_group = p.comparison_group and sp.latest_period = p.latest_period
    and sp.nation_letter = left(p.area_code, 1)
    and p.provenance <> 'synthetic'
