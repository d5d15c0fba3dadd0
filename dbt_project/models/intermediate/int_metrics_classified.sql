{#- A table, not a view: the core mart publishing it and several scorecard steps read it. -#}
{{ config(materialized='table') }}
select
    cast(metric_id as varchar) as metric_id,
    cast(mission_id as varchar) as mission_id,
    cast(case when is_headline then 'headline' when mission_id is null then 'context' else 'supporting' end
        as varchar) as role,
    cast(label as varchar) as label,
    cast(unit as varchar) as unit,
    cast(decimals as integer) as decimals,
    cast(polarity as varchar) as polarity,
    cast(coverage as varchar) as coverage,
    cast(native_level as varchar) as native_level,
    cast(source_id as varchar) as source_id,
    cast(is_headline as boolean) as is_headline,
    -- Scored on the scorecard and drawn in the profiles: the mission's headline series, and a devolved
    -- nation's own series for a mission (coverage Scotland, Wales or Northern Ireland only), which is
    -- how that nation's authorities are measured on it where the headline is England's.
    cast(is_headline or (mission_id is not null and coverage in ('S', 'W', 'NI')) as boolean) as is_scored,
    cast(baseline_period as varchar) as baseline_period,
    cast(target_value as double) as target_value,
    cast(target_year as integer) as target_year,
    cast(target_kind as varchar) as target_kind,
    cast(additivity as varchar) as additivity,
    cast(gap_method as varchar) as gap_method,
    cast(description as varchar) as description,
    cast(series_break_year as integer) as series_break_year,
    -- One baseline rule for every metric: the Statement's baseline period where it names one, else
    -- the latest period ending on or before 2019 (pre-pandemic, as the Statement itself does).
    -- A baseline period the catalogue sets is the Statement's only where the Statement names it;
    -- otherwise it is a choice, and says why (baseline_chosen_because).
    case
        when baseline_period is not null and baseline_chosen_because is null then 'statement'
        when baseline_period is not null then 'chosen'
        else 'pre_pandemic'
    end as baseline_rule,
    case
        when baseline_period is not null and baseline_chosen_because is null
            then 'the Statement''s baseline period ' || baseline_period
        when baseline_period is not null then 'chosen: ' || baseline_period || ' (' || baseline_chosen_because || ')'
        else 'the latest period ending on or before 31 December 2019 (pre-pandemic)'
    end as baseline_basis,
    cast(baseline_chosen_because as varchar) as baseline_chosen_because,
    -- Money in nominal pounds always rises; it is judged relative to the UK (or England where no UK
    -- figure is published), the way the IfG reads the gap.
    -- Totals in pounds million (R&D spending) are compared per head of population, never area against
    -- area by size.
    case
        when unit = 'pounds' then 'ratio_to_reference'
        when unit = 'pounds_million' and additivity = 'sum' then 'per_head'
        else 'value'
    end as judged_on
from {{ ref('metrics') }}
