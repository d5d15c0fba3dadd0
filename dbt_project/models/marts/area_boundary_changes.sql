{#- Every boundary or code change the warehouse knows, and how facts on the old code are treated. -#}
select
    cast(old_code as varchar) as old_code,
    cast(old_name as varchar) as old_name,
    cast(new_code as varchar) as new_code,
    cast(new_name as varchar) as new_name,
    cast(change_kind as varchar) as change_kind,
    cast(change_year as integer) as change_year,
    cast(tier as varchar) as tier,
    cast(predecessors as integer) as predecessors,
    cast(basis as varchar) as basis
from {{ ref('int_area_changes_unioned') }}
