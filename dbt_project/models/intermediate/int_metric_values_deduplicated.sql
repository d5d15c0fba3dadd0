{#- One row per fact (area, period, metric, breakdown). Where two sources publish the same fact
    (they agree: see tests/assert_duplicate_facts_agree.sql), keep the row of the source listed first
    alphabetically, so the choice is stable between refreshes. -#}
select *
from {{ ref('int_metric_values_unioned') }}
qualify row_number() over (
    partition by area_code, period, metric_id, breakdown
    order by source_id
) = 1
