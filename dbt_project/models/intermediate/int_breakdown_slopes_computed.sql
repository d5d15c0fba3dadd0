{#-
    The slope index of inequality (SII) of each metric and period across IMD deciles of English
    authorities (macro slope_index: the Fingertips method), with its 95% interval and a check that no
    one or two authorities decide it. One row per metric, breakdown, period and IMD edition (2019,
    2025).

    * Interval: the SII is a fixed linear combination of the authorities' values, so its variance is
      the sum of the squared coefficients times each value's variance (standard error from the
      publisher's 95% interval): the analytic equivalent of Fingertips' simulation. NULL where any
      authority's value has no interval.
    * Influence: the SII recomputed without each authority in turn (a decile it alone makes up keeps
      it: all ten deciles are required), and without the two that move it most together. It is
      decided by one or two authorities when either removal reverses its sign or moves it by more than
      half its size (without Westminster, neighbourhood crime's SII for the year ending June 2025 on 2019 deciles moves from
      -2.23 to -5.63).
-#}
{{ config(materialized='table') }}

{% set slope = ['metric_id', 'breakdown', 'period', 'imd_edition'] %}
with members as (
    select
        metric_id, breakdown, mission_id, period, period_end,
        cast(right(breakdown_family, 4) as integer) as imd_edition,
        group_order as decile,
        area_code,
        value,
        standard_error,
        population_2011 as population
    from {{ ref('int_breakdown_members_listed') }}
    where breakdown_family in ('imd_decile_2019', 'imd_decile_2025')
),

deciles as (
    select
        {{ slope | join(', ') }},
        decile,
        count(*) as areas,
        sum(population) as population,
        sum(population * value order by area_code) as weighted_sum,
        case when count(standard_error) = count(*)
            then sum(population * population * standard_error * standard_error order by area_code)
        end as weighted_variance
    from members
    group by all
),

every_area as (
    {{ slope_index('deciles', slope) }}
),

-- each authority removed in turn, from slopes with all ten deciles, where its decile keeps another
candidates as (
    select
        {% for column in slope %}m.{{ column }}, {% endfor %}
        m.area_code as removed,
        m.decile as removed_decile,
        m.population as removed_population,
        m.population * m.value as removed_sum
    from members as m
    inner join deciles as d using ({{ slope | join(', ') }}, decile)
    inner join every_area as e using ({{ slope | join(', ') }})
    where d.areas > 1 and e.sii is not null
),

without_one as (
    select
        {% for column in slope %}c.{{ column }}, {% endfor %}
        c.removed,
        d.decile,
        d.population - case when d.decile = c.removed_decile then c.removed_population else 0 end as population,
        d.weighted_sum - case when d.decile = c.removed_decile then c.removed_sum else 0 end as weighted_sum,
        cast(null as double) as weighted_variance
    from candidates as c
    inner join deciles as d using ({{ slope | join(', ') }})
),

single_removals as (
    {{ slope_index('without_one', slope + ['removed']) }}
),

influence as (
    select
        s.*,
        row_number() over (
            partition by {% for column in slope %}s.{{ column }}{{ ', ' if not loop.last }}{% endfor %}
            order by abs(s.sii - e.sii) desc, s.removed
        ) as influence_rank
    from single_removals as s
    inner join every_area as e using ({{ slope | join(', ') }})
    where s.sii is not null
),

-- the two that move it most, removed together (from one decile or two)
pair as (
    select
        {% for column in slope %}c.{{ column }}, {% endfor %}
        c.removed_decile as decile,
        sum(c.removed_population) as removed_population,
        sum(c.removed_sum) as removed_sum
    from influence as i
    inner join candidates as c using ({{ slope | join(', ') }}, removed)
    where i.influence_rank <= 2
    group by all
),

pair_names as (
    select {{ slope | join(', ') }}, string_agg(removed, ',' order by influence_rank) as removed
    from influence
    where influence_rank <= 2
    group by all
),

without_two as (
    select
        {% for column in slope %}d.{{ column }}, {% endfor %}
        d.decile,
        d.population - coalesce(p.removed_population, 0) as population,
        d.weighted_sum - coalesce(p.removed_sum, 0) as weighted_sum,
        cast(null as double) as weighted_variance
    from deciles as d
    inner join pair_names as n using ({{ slope | join(', ') }})
    left join pair as p using ({{ slope | join(', ') }}, decile)
),

pair_removal as (
    {{ slope_index('without_two', slope) }}
),

described as (
    select distinct {{ slope | join(', ') }}, mission_id, period_end
    from members
)

select
    e.metric_id,
    e.breakdown,
    w.mission_id,
    e.period,
    w.period_end,
    e.imd_edition,
    e.deciles,
    e.mean_value,
    -- rounded to 1e-9 (far below any published precision) so a run's float noise does not show
    round(e.sii, 9) as sii,
    round(sqrt(e.sii_variance), 9) as sii_standard_error,
    round(e.sii - 1.959964 * sqrt(e.sii_variance), 9) as sii_lci_95,
    round(e.sii + 1.959964 * sqrt(e.sii_variance), 9) as sii_uci_95,
    i.removed as most_influential_area_code,
    round(i.sii, 9) as sii_without_most_influential,
    n.removed as two_most_influential_area_codes,
    round(p.sii, 9) as sii_without_two_most_influential,
    case
        when e.sii is null then null
        else coalesce(
            sign(i.sii) <> sign(e.sii) or abs(i.sii - e.sii) > abs(e.sii) / 2
            or sign(p.sii) <> sign(e.sii) or abs(p.sii - e.sii) > abs(e.sii) / 2,
            false
        )
    end as is_decided_by_few
from every_area as e
inner join described as w using ({{ slope | join(', ') }})
left join influence as i using ({{ slope | join(', ') }})
left join pair_names as n using ({{ slope | join(', ') }})
left join pair_removal as p using ({{ slope | join(', ') }})
where i.influence_rank = 1 or i.influence_rank is null
