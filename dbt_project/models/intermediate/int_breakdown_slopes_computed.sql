{#-
    The slope index of inequality (SII) of each metric and period across IMD deciles, by the method
    Fingertips uses (PHE/OHID, PHEindicatormethods::phe_sii): deciles ordered from most deprived (1) to
    least deprived (10); each decile's relative rank is the midpoint of its cumulative share of the
    population (x = sum of the shares before it + half its own); the decile values are regressed on x
    by least squares weighted by the population shares. The SII is the slope: the modelled difference
    between the least and the most deprived ends of the gradient, in the metric's unit (positive when
    values rise with affluence). The RII divides it by the population-weighted mean. Computed only
    when all ten deciles have a value, as Fingertips requires. One row per metric, period and IMD
    edition (2019, 2025).
-#}
with deciles as (
    select
        metric_id,
        breakdown,
        mission_id,
        period,
        period_end,
        cast(right(breakdown_family, 4) as integer) as imd_edition,
        group_order as decile,
        value,
        population_2011 / sum(population_2011) over (partition by metric_id, breakdown, period, breakdown_family) as share
    from {{ ref('int_breakdown_groups_measured') }}
    where breakdown_family in ('imd_decile_2019', 'imd_decile_2025')
),

ranked as (
    select
        *,
        sum(share) over (
            partition by metric_id, breakdown, period, imd_edition order by decile
            rows between unbounded preceding and current row
        ) - share / 2 as relative_rank
    from deciles
),

means as (
    select
        *,
        sum(share * relative_rank) over (partition by metric_id, breakdown, period, imd_edition) as mean_rank,
        sum(share * value) over (partition by metric_id, breakdown, period, imd_edition) as mean_value
    from ranked
)

select
    metric_id,
    breakdown,
    mission_id,
    period,
    period_end,
    imd_edition,
    count(*) as deciles,
    any_value(mean_value) as mean_value,
    -- rounded to 1e-9 (far below any published precision) so a run's float noise does not show
    case when count(*) = 10 then round(
        sum(share * (relative_rank - mean_rank) * (value - mean_value))
        / sum(share * (relative_rank - mean_rank) * (relative_rank - mean_rank)), 9
    ) end as sii
from means
group by all
