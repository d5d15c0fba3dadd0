{#-
    Facts moved onto the current geography. A fact published on a retired code is:
      recode  - relabelled with the new code (published_area_code keeps the original);
      merger  - aggregated with its fellow predecessors onto the new code where the metric is
                additive (aggregate_metric_values), and kept on its old code with a note where not;
      split   - kept on its old code with a note: a split is never apportioned (nothing invented).
-#}
{#- A table, not a view: fct_area_year_metrics and every scorecard step read it. -#}
{{ config(materialized='table') }}

with facts as (
    select * from {{ ref('int_metric_values_deduplicated') }}
),

changes as (
    -- successors: how many new codes an old code went to (more than one: a split). Facts are unique
    -- per (area, period, metric, breakdown), so this is how many rows the join below gives a fact.
    select old_code, new_code, change_kind, predecessors, tier, count(*) over (partition by old_code) as successors
    from {{ ref('int_area_changes_unioned') }}
),

additivity as (
    select metric_id, additivity from {{ ref('metrics') }}
),

classified as (
    select
        facts.*,
        changes.new_code,
        case when changes.old_code is null then 'current'
             when changes.successors > 1 then 'split'
             else changes.change_kind end as change_kind,
        changes.predecessors,
        changes.tier as change_tier,
        coalesce(additivity.additivity, 'none') as additivity
    from facts
    left join changes on changes.old_code = facts.area_code
    left join additivity on additivity.metric_id = facts.metric_id
),

kept as (
    select * exclude (new_code, change_kind, predecessors, change_tier, additivity)
    from classified
    where change_kind = 'current'
),

-- a predecessor fact whose period the publisher also gives on the current code is superseded by it
superseded as (
    select classified.*
    from classified
    join (
        -- only the current facts of a successor code can supersede (a few thousand of millions)
        select area_code, period, metric_id, breakdown from kept
        where area_code in (select new_code from changes)
    ) as successor_facts
        on successor_facts.area_code = classified.new_code and successor_facts.period = classified.period
        and successor_facts.metric_id = classified.metric_id
        and successor_facts.breakdown = classified.breakdown
    where classified.change_kind in ('recode', 'merger')
),

movable as (
    select * from classified
    where change_kind in ('recode', 'merger', 'split')
      and (area_code, period, metric_id, breakdown) not in (
          select (area_code, period, metric_id, breakdown) from superseded
      )
),

recoded as (
    select
        * exclude (area_code, note, new_code, change_kind, predecessors, change_tier, additivity),
        new_code as area_code,
        concat_ws('; ', note, 'published on predecessor code ' || area_code || ' (recode)') as note
    from movable
    where change_kind = 'recode'
),

-- A unitary made from a county and its districts (North Yorkshire, 2023) has two sets of parts, each
-- the whole area: summing both would count it twice. One set is aggregated: the county's (one
-- published figure for the whole) where it has the fact, else the districts'.
merger_candidates as (
    select *
    from movable
    where change_kind = 'merger'
    qualify change_tier is not distinct from first_value(change_tier) over (
        partition by new_code, period, metric_id, breakdown order by change_tier = 'upper_tier' desc
    )
),

merger_parts as (
    select * exclude (change_tier), new_code as target_code, predecessors as expected_parts
    from merger_candidates
),

merged as (
    select
        aggregated.* exclude (part_codes, additivity, parts_present, expected_parts),
        cast(null as varchar) as area_name,
        aggregated.part_codes as published_area_code,
        case when aggregated.value is null then 'x' end as status,
        'harmonised: ' || aggregated.additivity || ' of predecessors ' || aggregated.part_codes
            || case when aggregated.value is null
                    then ' (' || aggregated.parts_present || ' of ' || aggregated.expected_parts
                         || ' parts with a value)'
                    else '' end as note
    from ({{ aggregate_metric_values('merger_parts') }}) as aggregated
),

not_harmonised as (
    select distinct  -- a split fact is classified once per successor: keep it once
        * exclude (note, new_code, change_kind, predecessors, change_tier, additivity),
        concat_ws('; ', note,
            case when change_kind = 'split'
                 then 'predecessor of a split area: kept on its own code, never apportioned'
                 else 'predecessor of merged ' || new_code || ': not aggregated (' || metric_id
                      || ' has no published numerator and denominator)' end) as note
    from movable
    where change_kind = 'split' or (change_kind = 'merger' and additivity = 'none')
),

superseded_kept as (
    select
        * exclude (note, new_code, change_kind, predecessors, change_tier, additivity),
        concat_ws('; ', note, 'predecessor code: the publisher also gives this period on current code '
            || new_code || ', which the harmonised series uses') as note
    from superseded
),

area_types as (
    select code_type, area_level from {{ ref('area_code_types') }}
)

select * from kept
union all by name
select * from recoded
union all by name
select * from not_harmonised
union all by name
select * from superseded_kept
union all by name
select
    merged.*,
    coalesce(area_types.area_level, 'unknown') as area_level,
    cast(null as double) as lci_95,
    cast(null as double) as uci_95
from merged
left join area_types on area_types.code_type = {{ area_code_type_key('merged.area_code') }}
