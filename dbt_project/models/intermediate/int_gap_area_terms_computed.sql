{#- For the gaps between fixed groupings of areas (Education Investment Areas vs England, the
    lowest-skilled third vs the rest, the 20 worst-affected forces vs the rest), each area's additive
    term in the gap: gap_value = sum of the terms in a period, so the change of a gap since its
    baseline splits exactly into each area's contribution. mission_gaps uses it to find a single
    area that dominates a change (a recording artefact, say) and to give the change without it. -#}
with sized as (
    select * from {{ ref('int_gap_grouping_members_selected') }}
),

area_terms as (
    -- group B (the grouping) enters with a minus sign, group A (the other areas) with a plus
    select
        gap_method, metric_id, breakdown, period, area_code,
        sign * case when in_group then -1 else 1 end * value * weight as term
    from sized
    where in_group or gap_method <> 'eia_vs_england'
),

england_terms as (
    -- for EIAs the comparison is England itself, one figure
    select distinct
        p.gap_method, p.metric_id, p.breakdown, p.period, 'E92000001' as area_code,
        p.sign * e.value as term
    from sized as p
    inner join {{ ref('int_metric_values_harmonised') }} as e
        on e.area_code = 'E92000001' and e.metric_id = p.metric_id and e.breakdown = p.breakdown
        and e.period = p.period
    where p.gap_method = 'eia_vs_england'
)

select * from area_terms
union all by name
select * from england_terms
